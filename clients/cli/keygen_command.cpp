// `herald keygen`: a CURVE key pair for heraldd's tcp:// endpoints or for a client.
#include <iostream>

#include <nlohmann/json.hpp>

#include <herald/client.hpp>

#include "context.hpp"

namespace herald::cli {
namespace {

int run_keygen(const GlobalOptions& global) {
    auto pair = client::make_curve_keypair();
    if (!pair) return report({kExitFailure, pair.error().message});
    if (global.json) {
        std::cout << nlohmann::json{{"public_key", pair->public_key},
                                    {"secret_key", pair->secret_key}}
                         .dump()
                  << '\n';
        return kExitOk;
    }
    // The key file format heraldd (curve_secret_key) and the clients (--curve-key) read.
    std::cout << "# herald CURVE key pair (herald keygen). Keep this file private; share only\n"
                 "# the public key (heraldd's curve_clients, clients' --curve-server-key).\n"
              << "public-key = \"" << pair->public_key << "\"\n"
              << "secret-key = \"" << pair->secret_key << "\"\n";
    return kExitOk;
}

}  // namespace

void register_keygen(CLI::App& app, const GlobalOptions& global, int& status) {
    auto* keygen = app.add_subcommand(
        "keygen", "Print a new CURVE key pair (Z85) for heraldd's tcp:// endpoints or a client");
    keygen->callback([&global, &status] { status = run_keygen(global); });
}

}  // namespace herald::cli
