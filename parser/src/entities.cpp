#include "text.hpp"

// Placeholder until the entity table lands.
namespace herald::parser::detail {
std::optional<std::string_view> html_entity(std::string_view) { return std::nullopt; }
void append_code_point(std::string& out, char32_t cp) {
    if (cp < 0x80) out.push_back(static_cast<char>(cp));
}
std::string decode_entities(std::string_view text) { return std::string(text); }
}  // namespace herald::parser::detail
