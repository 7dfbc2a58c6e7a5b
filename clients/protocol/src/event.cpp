// Event payloads (contract "Events"): the few fields a client routes on, plus the raw JSON.
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include <herald/client.hpp>

#include "json_fields.hpp"

namespace herald::client {

std::string Event::topic() const {
    if (is_heartbeat()) return "heartbeat/";
    return kind + "/" + feed + "/";
}

std::string connectable_endpoint(std::string endpoint) {
    for (const std::string_view any : {"tcp://*:", "tcp://0.0.0.0:"}) {
        if (endpoint.starts_with(any)) return "tcp://127.0.0.1:" + endpoint.substr(any.size());
    }
    return endpoint;
}

bool topic_matches(std::span<const std::string> prefixes, std::string_view topic) {
    if (prefixes.empty()) return true;
    for (const auto& prefix : prefixes) {
        if (topic.starts_with(prefix)) return true;
    }
    return false;
}

tl::expected<Event, ClientError> event_from_json(const nlohmann::ordered_json& json,
                                                 std::string payload) {
    if (!json.is_object()) {
        return tl::unexpected(ClientError{ClientErrorKind::kProtocol, "event is not an object"});
    }
    Event event;
    event.kind = detail::string_field(json, "kind");
    event.store = detail::string_field(json, "store");
    if (event.kind.empty()) {
        return tl::unexpected(ClientError{ClientErrorKind::kProtocol, "event without a kind"});
    }
    const char* seq_key = event.is_heartbeat() ? "last_seq" : "seq";
    const auto seq = json.find(seq_key);
    if (seq == json.end() || !seq->is_number_integer()) {
        return tl::unexpected(
            ClientError{ClientErrorKind::kProtocol, std::string("event without ") + seq_key});
    }
    event.seq = seq->get<std::int64_t>();
    if (const auto feed = json.find("feed"); feed != json.end() && feed->is_object()) {
        event.feed = detail::string_field(*feed, "name");
        event.title = detail::string_field(*feed, "title");
    }
    if (const auto item = json.find("item"); item != json.end() && item->is_object()) {
        event.title = detail::string_field(*item, "title");
        event.link = detail::string_field(*item, "link");
    }
    event.error = detail::string_field(json, "error");
    event.payload = std::move(payload);
    return event;
}

tl::expected<Event, ClientError> parse_event(std::string_view payload) {
    const auto json = nlohmann::ordered_json::parse(payload, nullptr, /*allow_exceptions=*/false);
    if (json.is_discarded()) {
        return tl::unexpected(ClientError{ClientErrorKind::kProtocol, "payload is not JSON"});
    }
    return event_from_json(json, std::string(payload));
}

}  // namespace herald::client
