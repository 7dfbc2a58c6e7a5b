// fetch_bench: one poll of every URL in a list through herald's Fetcher, timed.
//
//   fetch_bench --urls FILE [--concurrency N] [--per-host N]
//               [--validators-in FILE] [--validators-out FILE]
//
// Prints one line: feeds, outcome counts, body bytes, seconds, peak RSS. With --validators-in
// (lines "URL<TAB>ETag<TAB>Last-Modified", as --validators-out writes them) the poll is
// conditional, like every poll after a feed's first. Bodies are dropped as they arrive, as the
// daemon does once it has parsed them. bench/fetch.sh compares the figures with curl.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>
#include <unordered_map>
#include <vector>

#include <sys/resource.h>

#include <herald/fetcher.hpp>

namespace {

using herald::fetcher::FetchOutcome;
using herald::fetcher::OutcomeKind;

struct Arguments {
    std::string urls;
    std::string validators_in;
    std::string validators_out;
    std::size_t concurrency = 100;
    std::size_t per_host = 100;
};

struct Validators {
    std::string etag;
    std::string last_modified;
};

[[noreturn]] void usage() {
    std::cerr << "usage: fetch_bench --urls FILE [--concurrency N] [--per-host N] "
                 "[--validators-in FILE] [--validators-out FILE]\n";
    std::exit(2);
}

Arguments parse_arguments(int argc, char** argv) {
    Arguments arguments;
    for (int i = 1; i < argc; ++i) {
        const std::string flag = argv[i];
        if (i + 1 >= argc) usage();
        const std::string value = argv[++i];
        if (flag == "--urls")
            arguments.urls = value;
        else if (flag == "--validators-in")
            arguments.validators_in = value;
        else if (flag == "--validators-out")
            arguments.validators_out = value;
        else if (flag == "--concurrency")
            arguments.concurrency = std::stoul(value);
        else if (flag == "--per-host")
            arguments.per_host = std::stoul(value);
        else
            usage();
    }
    if (arguments.urls.empty()) usage();
    return arguments;
}

std::vector<std::string> read_lines(const std::string& path) {
    std::ifstream in(path);
    if (!in) {
        std::cerr << "fetch_bench: cannot read " << path << "\n";
        std::exit(1);
    }
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) {
        if (!line.empty()) lines.push_back(line);
    }
    return lines;
}

std::unordered_map<std::string, Validators> read_validators(const std::string& path) {
    std::unordered_map<std::string, Validators> validators;
    for (const auto& line : read_lines(path)) {
        const auto first = line.find('\t');
        const auto second = line.find('\t', first + 1);
        if (first == std::string::npos || second == std::string::npos) continue;
        validators[line.substr(0, first)] = {line.substr(first + 1, second - first - 1),
                                             line.substr(second + 1)};
    }
    return validators;
}

}  // namespace

int main(int argc, char** argv) {
    const Arguments arguments = parse_arguments(argc, argv);
    const auto urls = read_lines(arguments.urls);
    const auto validators = arguments.validators_in.empty()
                                ? std::unordered_map<std::string, Validators>{}
                                : read_validators(arguments.validators_in);

    const herald::fetcher::CurlGlobal curl;
    herald::fetcher::FetcherOptions options;
    options.concurrency = arguments.concurrency;
    options.per_host = arguments.per_host;
    herald::fetcher::Fetcher fetcher(curl, options);

    const auto started = std::chrono::steady_clock::now();
    for (std::size_t i = 0; i < urls.size(); ++i) {
        herald::fetcher::FetchRequest request;
        request.token = i;
        request.url = urls[i];
        if (const auto found = validators.find(urls[i]); found != validators.end()) {
            request.etag = found->second.etag;
            request.last_modified = found->second.last_modified;
        }
        fetcher.submit(std::move(request));
    }
    std::size_t ok = 0, not_modified = 0, errors = 0, done = 0;
    std::uint64_t body_bytes = 0;
    std::vector<Validators> seen(urls.size());
    const auto deadline = started + std::chrono::minutes(10);
    while (done < urls.size() && std::chrono::steady_clock::now() < deadline) {
        for (const FetchOutcome& outcome : fetcher.poll(std::chrono::milliseconds(500))) {
            ++done;
            body_bytes += outcome.body.size();
            if (outcome.kind == OutcomeKind::kOk)
                ++ok;
            else if (outcome.kind == OutcomeKind::kNotModified)
                ++not_modified;
            else {
                ++errors;
                if (errors <= 3)
                    std::cerr << outcome.final_url << ": " << outcome.error.message << "\n";
            }
            seen[outcome.token] = {outcome.etag, outcome.last_modified};
        }
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    std::printf(
        "feeds=%zu ok=%zu not_modified=%zu errors=%zu body_bytes=%llu seconds=%.3f "
        "peak_rss_kib=%ld\n",
        urls.size(), ok, not_modified, errors, static_cast<unsigned long long>(body_bytes), seconds,
        usage.ru_maxrss);

    if (!arguments.validators_out.empty()) {
        std::ofstream out(arguments.validators_out);
        for (std::size_t i = 0; i < urls.size(); ++i) {
            out << urls[i] << '\t' << seen[i].etag << '\t' << seen[i].last_modified << '\n';
        }
    }
    return done == urls.size() && errors == 0 ? 0 : 1;
}
