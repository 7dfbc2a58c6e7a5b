#include "text.hpp"

// Placeholder until the transcoder lands.
namespace herald::parser::detail {
DecodedText decode_to_utf8(std::string_view bytes, std::string_view) {
    return DecodedText{std::string(bytes), "utf-8", false, {}};
}
}  // namespace herald::parser::detail
