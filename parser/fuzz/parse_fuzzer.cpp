// libFuzzer entry: any bytes must parse or fail cleanly, within bounded time and memory.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include <herald/parser.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    herald::parser::ParseOptions options;
    options.base_url = "http://example.org/feed/";
    auto result = herald::parser::parse(bytes, options);
    if (result) {
        // Serialisation must hold up on whatever the parser produced.
        (void)herald::parser::to_json(*result);
    }
    (void)herald::parser::parse_date(bytes.substr(0, 64));
    return 0;
}
