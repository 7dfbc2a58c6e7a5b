// `herald parse [--base-url URL] FILE|-` and `herald parse --date STRING`.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <string>

#include <fmt/core.h>

#include <herald/parser.hpp>

#include "commands.hpp"

namespace herald::cli {
namespace {

struct ParseArgs {
    std::string file;
    std::string base_url;
    std::string content_type;
    std::string date;
    bool has_date = false;
};

bool read_input(const std::string& file, std::string& bytes) {
    if (file == "-") {
        std::ostringstream buffer;
        buffer << std::cin.rdbuf();
        bytes = buffer.str();
        return true;
    }
    std::ifstream in(file, std::ios::binary);
    if (!in) return false;
    bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    return !in.bad();
}

int run_parse(const ParseArgs& args) {
    if (args.has_date) {
        const auto date = parser::parse_date(args.date);
        std::cout << (date ? fmt::format("\"{}\"", parser::format_time(*date)) : "null") << '\n';
        return kExitOk;
    }
    if (args.file.empty()) {
        std::cerr << "herald parse: give a FILE (or - for stdin), or --date STRING\n";
        return kExitUsage;
    }
    std::string bytes;
    if (!read_input(args.file, bytes)) {
        std::cerr << fmt::format("herald parse: cannot read {}\n", args.file);
        return kExitFailure;
    }
    parser::ParseOptions options;
    options.base_url = args.base_url;
    options.content_type = args.content_type;
    const auto parsed = parser::parse(bytes, options);
    if (!parsed) {
        std::cerr << fmt::format("herald parse: {}: {}\n", args.file, parsed.error().message);
        return kExitFailure;
    }
    std::cout << parser::to_json(*parsed) << '\n';
    return kExitOk;
}

}  // namespace

void register_parse(CLI::App& app, const GlobalOptions& /*global*/, int& status) {
    auto args = std::make_shared<ParseArgs>();
    auto* cmd = app.add_subcommand("parse", "Parse a feed file and print it as JSON");
    cmd->add_option("file", args->file, "feed file, or - for standard input");
    cmd->add_option("--base-url", args->base_url, "URL to resolve relative links against");
    cmd->add_option("--content-type", args->content_type,
                    "HTTP Content-Type the document came with (its charset wins)");
    cmd->add_option("--date", args->date, "parse a date string instead and print it normalised")
        ->each([args](const std::string&) { args->has_date = true; });
    cmd->callback([args, &status] { status = run_parse(*args); });
}

}  // namespace herald::cli
