#include "daemon_harness.hpp"

#include <fstream>
#include <stdexcept>

#include <zmq_addon.hpp>

namespace herald::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

std::string escape_xml(const std::string& text) {
    std::string out;
    for (char c : text) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            default:
                out += c;
        }
    }
    return out;
}

}  // namespace

std::string rss_document(const std::string& title, const std::vector<TestItem>& items) {
    std::string xml =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\"><channel>\n";
    xml += "<title>" + escape_xml(title) + "</title>\n<link>https://test.example/</link>\n";
    xml += "<description>test feed</description>\n";
    for (auto it = items.rbegin(); it != items.rend(); ++it) {
        xml += "<item><title>" + escape_xml(it->title) + "</title>";
        xml += "<link>https://test.example/" + escape_xml(it->guid) + "</link>";
        xml += "<guid isPermaLink=\"false\">" + escape_xml(it->guid) + "</guid>";
        xml += "<description>" + escape_xml(it->body) + "</description></item>\n";
    }
    xml += "</channel></rss>\n";
    return xml;
}

Subscriber::Subscriber(zmq::context_t& context, const std::string& endpoint)
    : socket_(context, zmq::socket_type::sub) {
    socket_.set(zmq::sockopt::linger, 0);
    socket_.set(zmq::sockopt::rcvhwm, 0);  // the test must not drop what it wants to count
    socket_.set(zmq::sockopt::subscribe, "");
    socket_.connect(endpoint);
}

std::vector<ReceivedEvent> Subscriber::receive(std::chrono::milliseconds timeout, std::size_t max) {
    std::vector<ReceivedEvent> events;
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (events.size() < max) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        std::vector<zmq::pollitem_t> items{{socket_.handle(), 0, ZMQ_POLLIN, 0}};
        zmq::poll(items, std::max(left, 0ms));
        if ((items[0].revents & ZMQ_POLLIN) == 0) break;
        std::vector<zmq::message_t> frames;
        if (!zmq::recv_multipart(socket_, std::back_inserter(frames), zmq::recv_flags::dontwait)) {
            continue;
        }
        if (frames.size() != 2) throw std::runtime_error("an event without exactly 2 frames");
        ReceivedEvent event;
        event.topic = frames[0].to_string();
        event.payload = frames[1].to_string();
        event.json = nlohmann::json::parse(event.payload, nullptr, false);
        events.push_back(std::move(event));
    }
    return events;
}

std::optional<ReceivedEvent> Subscriber::wait_heartbeat(std::chrono::milliseconds timeout) {
    std::vector<ReceivedEvent> seen;
    bool found = collect(
        seen, [](const auto& all) { return !all.empty() && all.back().topic == "heartbeat/"; },
        timeout);
    if (!found) return std::nullopt;
    return seen.back();
}

std::optional<nlohmann::json> control_request(zmq::context_t& context, const std::string& endpoint,
                                              const std::string& request,
                                              std::chrono::milliseconds timeout) {
    zmq::socket_t socket(context, zmq::socket_type::req);
    socket.set(zmq::sockopt::linger, 0);
    socket.set(zmq::sockopt::rcvtimeo, static_cast<int>(timeout.count()));
    socket.set(zmq::sockopt::sndtimeo, static_cast<int>(timeout.count()));
    socket.connect(endpoint);
    if (!socket.send(zmq::buffer(request), zmq::send_flags::none)) return std::nullopt;
    zmq::message_t reply;
    if (!socket.recv(reply, zmq::recv_flags::none)) return std::nullopt;
    auto json = nlohmann::json::parse(reply.to_string_view(), nullptr, false);
    if (json.is_discarded()) return std::nullopt;
    return json;
}

DaemonHome::DaemonHome() : dir_("hd") {
    fs::create_directories(dir_ / "feeds");
    write_config({});
}

std::string DaemonHome::events_endpoint() const {
    return "ipc://" + (dir_ / "events").string();
}
std::string DaemonHome::control_endpoint() const {
    return "ipc://" + (dir_ / "control").string();
}
fs::path DaemonHome::feed_file(const std::string& name) const {
    return dir_ / "feeds" / (name + ".xml");
}

void DaemonHome::write_config(const std::vector<std::string>& feeds, const std::string& extra) {
    std::string text = "[daemon]\nstate_dir = \"" + (dir_ / "state").string() + "\"\n";
    text += "publish = [\"" + events_endpoint() + "\"]\n";
    text += "control = \"" + control_endpoint() + "\"\n";
    text += "heartbeat = \"200ms\"\nlog_level = \"debug\"\n";
    text += "[fetch]\nmin_interval = \"1s\"\ndefault_interval = \"1s\"\nmax_interval = \"2s\"\n";
    text += "timeout = \"5s\"\n";
    for (const std::string& feed : feeds) {
        std::string url =
            feed.find("://") != std::string::npos ? feed : "file://" + feed_file(feed).string();
        text += "[[feed]]\nurl = \"" + url + "\"\n";
        if (feed.find("://") == std::string::npos) text += "name = \"" + feed + "\"\n";
    }
    text += extra;
    dir_.write("herald.toml.tmp", text);
    fs::rename(dir_ / "herald.toml.tmp", config_file());
}

void DaemonHome::write_feed(const std::string& name, const std::vector<TestItem>& items) const {
    fs::path temp = dir_ / "feeds" / (name + ".tmp");
    {
        std::ofstream out(temp, std::ios::binary | std::ios::trunc);
        out << rss_document("feed " + name, items);
    }
    fs::rename(temp, feed_file(name));
}

Process DaemonHome::start(ProcessOptions options, std::vector<std::string> extra_args) const {
    options.unset_env.push_back("NOTIFY_SOCKET");
    options.unset_env.push_back("HERALD_CONFIG");
    options.unset_env.push_back("JOURNAL_STREAM");
    std::vector<std::string> args{"--config", config_file().string()};
    for (auto& arg : extra_args) args.push_back(std::move(arg));
    return Process::start(heraldd_path(), std::move(args), std::move(options));
}

Process DaemonHome::start_ready(zmq::context_t& context, ProcessOptions options) const {
    Process process = start(std::move(options));
    bool ready = wait_until(
        [&] {
            if (!process.running()) return true;
            auto reply = control_request(context, control_endpoint(), R"({"op":"status"})", 300ms);
            return reply && (*reply)["ok"] == true;
        },
        10s, 20ms);
    if (!ready || !process.running()) {
        throw std::runtime_error("heraldd did not become ready: " + process.stderr_text());
    }
    return process;
}

std::vector<const ReceivedEvent*> item_events(const std::vector<ReceivedEvent>& events,
                                              const std::string& kind) {
    std::vector<const ReceivedEvent*> out;
    for (const auto& event : events) {
        if (event.topic.starts_with(kind + "/")) out.push_back(&event);
    }
    return out;
}

std::vector<std::int64_t> seqs_of(const std::vector<ReceivedEvent>& events) {
    std::vector<std::int64_t> seqs;
    for (const auto& event : events) {
        if (event.topic == "heartbeat/") continue;
        seqs.push_back(event.json.value("seq", std::int64_t{-1}));
    }
    return seqs;
}

fs::path heraldd_path() {
    return program_path("heraldd");
}

}  // namespace herald::test
