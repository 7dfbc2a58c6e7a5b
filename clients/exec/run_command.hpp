#pragma once
// Runs one command for one event: the payload on stdin, HERALD_* in its environment.

#include <string>
#include <vector>

#include <tl/expected.hpp>

#include <herald/client.hpp>

namespace herald::clients {

struct CommandResult {
    int exit_code = 0;  // the exit status, or 128 + signal number when killed
    [[nodiscard]] bool is_success() const { return exit_code == 0; }
    [[nodiscard]] std::string describe() const;
};

// Waits for the command to finish (signals are blocked in the caller, so a stop request never
// cuts a command short). An error means the command could not be started at all.
[[nodiscard]] tl::expected<CommandResult, std::string> run_command(
    const std::vector<std::string>& command, const client::Event& event);

}  // namespace herald::clients
