// herald — the command-line client: parse feeds, manage feeds, query items, talk to heraldd.
#include <exception>
#include <iostream>

#include <CLI/CLI.hpp>

#include "commands.hpp"

int main(int argc, char** argv) {
    using namespace herald::cli;
    CLI::App app{"herald: query and manage the herald feed aggregator"};
    app.set_version_flag("--version", std::string("herald ") + HERALD_VERSION);
    app.require_subcommand(1);
    GlobalOptions global;
    // Accepted before or after the command words (the contract).
    app.add_option("--config", global.config_path, "configuration file")->configurable(false);
    app.add_flag("--json", global.json, "print JSON (JSON Lines for lists)");
    app.add_option("--curve-server-key", global.curve_server_key,
                   "heraldd's CURVE public key (Z85 or key file) for a tcp:// control endpoint")
        ->configurable(false);
    app.add_option("--curve-key", global.curve_key,
                   "this client's CURVE key pair file (herald keygen) for a tcp:// endpoint")
        ->configurable(false);
    app.fallthrough();

    int status = kExitOk;
    register_feeds(app, global, status);
    register_items(app, global, status);
    register_daemon(app, global, status);
    register_opml(app, global, status);
    register_db(app, global, status);
    register_parse(app, global, status);
    register_keygen(app, global, status);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e) == 0 ? kExitOk : kExitUsage;
    } catch (const std::exception& e) {
        std::cerr << "herald: " << e.what() << '\n';
        return kExitFailure;
    }
    return status;
}
