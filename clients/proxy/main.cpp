// herald-proxy: one bus for several heraldd shards (docs/scaling.md).
//
// An XSUB socket connects to every shard's PUB endpoint (--from) and an XPUB socket is bound
// for subscribers (--to); zmq::proxy_steerable copies events down and subscriptions up, so a
// subscriber's topic filter reaches every shard. Events pass through byte for byte: each
// payload keeps its shard's "store" id and seq, which is how subscribers tell streams apart
// and replay from the right shard. The proxy keeps no state and stores nothing; a subscriber
// that loses events here recovers them by replay from the shard, as with a direct connection.
//
// SIGTERM/SIGINT: a watcher thread sends TERMINATE on the proxy's control socket; exit 0.
#include <chrono>
#include <exception>
#include <iostream>
#include <memory>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>
#include <pthread.h>
#include <signal.h>
#include <spdlog/logger.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <zmq.hpp>

namespace {

using namespace std::chrono_literals;

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;
// The same as heraldd's PUB (kPublishHighWaterMark): the proxy drops no sooner than a shard.
constexpr int kHighWaterMark = 10'000;
constexpr const char* kControlEndpoint = "inproc://herald-proxy-control";
// How often the watcher looks at its stop token between signal waits.
constexpr auto kSignalPoll = 200ms;

struct ProxyArgs {
    std::vector<std::string> from;
    std::string to;
};

// SIGTERM and SIGINT, blocked in every thread (set before any thread starts, so ZeroMQ's I/O
// threads inherit the mask) and taken with sigtimedwait by the watcher alone.
sigset_t stop_signal_set() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    return set;
}

// Waits for a stop signal and turns it into the proxy's TERMINATE command. Owns its PAIR end.
void watch_signals(const std::stop_token& stop, zmq::context_t& context, spdlog::logger& logger) {
    zmq::socket_t control(context, zmq::socket_type::pair);
    control.set(zmq::sockopt::linger, 0);
    control.connect(kControlEndpoint);
    const sigset_t set = stop_signal_set();
    const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(kSignalPoll);
    const timespec wait{seconds.count(), std::chrono::nanoseconds(kSignalPoll - seconds).count()};
    while (!stop.stop_requested()) {
        const int signal_number = sigtimedwait(&set, nullptr, &wait);
        if (signal_number < 0) continue;  // EAGAIN (timeout) or EINTR: look at the token again
        logger.info("signal {}: stopping", signal_number);
        control.send(zmq::str_buffer("TERMINATE"), zmq::send_flags::none);
        return;
    }
}

int run(const ProxyArgs& args, const std::shared_ptr<spdlog::logger>& logger) {
    const sigset_t set = stop_signal_set();
    pthread_sigmask(SIG_BLOCK, &set, nullptr);

    zmq::context_t context;
    zmq::socket_t shards(context, zmq::socket_type::xsub);
    zmq::socket_t subscribers(context, zmq::socket_type::xpub);
    zmq::socket_t control(context, zmq::socket_type::pair);
    for (zmq::socket_t* socket : {&shards, &subscribers, &control}) {
        socket->set(zmq::sockopt::linger, 0);
    }
    shards.set(zmq::sockopt::rcvhwm, kHighWaterMark);
    subscribers.set(zmq::sockopt::sndhwm, kHighWaterMark);
    // Bound before the watcher starts, so its connect always finds it.
    control.bind(kControlEndpoint);
    try {
        subscribers.bind(args.to);
    } catch (const zmq::error_t& e) {
        throw std::runtime_error("cannot bind " + args.to + ": " + e.what());
    }
    for (const std::string& endpoint : args.from) {
        try {
            // connect() does not wait for the shard: ZeroMQ retries until it is up.
            shards.connect(endpoint);
        } catch (const zmq::error_t& e) {
            throw std::runtime_error("cannot connect to " + endpoint + ": " + e.what());
        }
    }
    logger->info("forwarding {} shard(s) to {}", args.from.size(), args.to);

    std::jthread watcher([&context, &logger](const std::stop_token& stop) {
        watch_signals(stop, context, *logger);
    });
    try {
        zmq::proxy_steerable(shards, subscribers, zmq::socket_ref(), control);
    } catch (const zmq::error_t& e) {
        logger->error("proxy stopped: {}", e.what());
        return kExitFailure;
    }
    return kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"herald-proxy: merge several heraldd event streams into one (XSUB/XPUB)"};
    app.set_version_flag("--version", std::string("herald-proxy ") + HERALD_VERSION);
    ProxyArgs args;
    app.add_option("--from", args.from, "a heraldd PUB endpoint to read (repeatable)")->required();
    app.add_option("--to", args.to, "the endpoint to bind for subscribers, e.g. ipc:///run/bus")
        ->required();
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e) == 0 ? kExitOk : kExitUsage;
    }
    try {
        auto logger = std::make_shared<spdlog::logger>(
            "herald-proxy", std::make_shared<spdlog::sinks::stderr_sink_mt>());
        logger->set_pattern("%n: %l: %v");
        logger->flush_on(spdlog::level::info);
        return run(args, logger);
    } catch (const std::exception& e) {
        std::cerr << "herald-proxy: " << e.what() << '\n';
        return kExitFailure;
    }
}
