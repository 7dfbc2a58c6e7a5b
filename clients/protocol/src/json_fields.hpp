#pragma once
// Small helpers for reading contract JSON without exceptions (nlohmann's non-throwing use).
#include <string>

#include <nlohmann/json.hpp>
#include <tl/expected.hpp>

#include <herald/client.hpp>

namespace herald::client {
namespace detail {

// The string at `key`, or "" when absent, null or not a string.
inline std::string string_field(const nlohmann::ordered_json& object, const char* key) {
    const auto it = object.find(key);
    if (it == object.end() || !it->is_string()) return {};
    return it->get<std::string>();
}

}  // namespace detail

// An Event from an already parsed payload; `payload` is kept as the raw text.
[[nodiscard]] tl::expected<Event, ClientError> event_from_json(const nlohmann::ordered_json& json,
                                                               std::string payload);

}  // namespace herald::client
