// Transcoding a feed document to UTF-8: the encoding decision of RFC 7303 with recovery
// from wrong declarations, glibc iconv for the legacy encodings, and removal of characters
// XML 1.0 forbids. Valid UTF-8 (the common case) costs one validation pass and one copy.
#include <algorithm>
#include <array>
#include <bit>
#include <cerrno>
#include <cstdint>
#include <cstring>

#include <iconv.h>
#if defined(__SSE2__)
#include <emmintrin.h>  // baseline on x86-64; other targets use the 8-byte loop alone
#endif

#include "text.hpp"

namespace herald::parser::detail {
namespace {

constexpr std::string_view kUtf8 = "utf-8";
constexpr std::string_view kWindows1252 = "windows-1252";
constexpr std::size_t kMaxLabelLength = 40;
constexpr std::size_t kMaxDeclarationLength = 1024;

// ---- labels --------------------------------------------------------------------------------

struct Alias {
    std::string_view label;
    std::string_view canonical;
};

#include "encoding_labels.inc"

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

std::string_view trim(std::string_view text) {
    while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
    while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
    return text;
}

char to_lower(char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return to_lower(x) == to_lower(y);
           });
}

// The canonical lower-case name, or "" for a label no decoder could be asked about (empty,
// too long, or with characters that would let it smuggle iconv suffixes like //TRANSLIT).
std::string normalise_label(std::string_view label) {
    label = trim(label);
    if (label.empty() || label.size() > kMaxLabelLength) return {};
    std::string lower;
    for (char c : label) {
        const bool allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                             (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' || c == ':';
        if (!allowed) return {};
        lower.push_back(to_lower(c));
    }
    for (const Alias& alias : kAliases) {
        if (alias.label == lower) return std::string(alias.canonical);
    }
    return lower;
}

bool is_unicode_family(std::string_view name) {
    return name.starts_with("utf-16") || name.starts_with("utf-32");
}

// ---- what the bytes say about themselves ----------------------------------------------------

struct Bom {
    std::string_view encoding;
    std::size_t length = 0;
};

std::optional<Bom> detect_bom(std::string_view bytes) {
    const auto starts = [&](std::string_view prefix) { return bytes.starts_with(prefix); };
    using namespace std::string_view_literals;
    if (starts("\xEF\xBB\xBF"sv)) return Bom{kUtf8, 3};
    if (starts("\xFF\xFE\x00\x00"sv)) return Bom{"utf-32le", 4};  // before UTF-16LE's prefix
    if (starts("\x00\x00\xFE\xFF"sv)) return Bom{"utf-32be", 4};
    if (starts("\xFF\xFE"sv)) return Bom{"utf-16le", 2};
    if (starts("\xFE\xFF"sv)) return Bom{"utf-16be", 2};
    return std::nullopt;
}

// XML 1.0 appendix F: a document without BOM starts with '<', whose zero bytes give away a
// UTF-16 or UTF-32 encoding before any declaration can be read.
std::string_view sniff_wide_encoding(std::string_view bytes) {
    if (bytes.size() < 4) return {};
    const auto b = [&](std::size_t i) { return static_cast<unsigned char>(bytes[i]); };
    if (b(0) == 0 && b(1) == 0 && b(2) == 0 && b(3) == '<') return "utf-32be";
    if (b(0) == '<' && b(1) == 0 && b(2) == 0 && b(3) == 0) return "utf-32le";
    if (b(0) == 0 && b(1) == '<' && b(2) == 0 && b(3) != 0) return "utf-16be";
    if (b(0) == '<' && b(1) == 0 && b(2) != 0 && b(3) == 0) return "utf-16le";
    return {};
}

struct DeclaredEncoding {
    std::size_t value_pos = 0;  // offset of the value inside the text
    std::string_view value;
};

// The encoding="..." value of an XML declaration at the very start of ASCII-compatible text.
std::optional<DeclaredEncoding> find_declared_encoding(std::string_view text) {
    // Whitespace before the declaration is an error, but a common one; the encoding still counts.
    std::size_t start = 0;
    while (start < text.size() && start < kMaxDeclarationLength && is_space(text[start])) ++start;
    text.remove_prefix(start);
    if (!text.starts_with("<?xml") || text.size() < 6 || !is_space(text[5])) return std::nullopt;
    const std::size_t end = text.substr(0, kMaxDeclarationLength).find("?>");
    if (end == std::string_view::npos) return std::nullopt;
    const std::string_view declaration = text.substr(0, end);
    std::size_t pos = declaration.find("encoding");
    if (pos == std::string_view::npos) return std::nullopt;
    pos += 8;
    while (pos < declaration.size() && is_space(declaration[pos])) ++pos;
    if (pos >= declaration.size() || declaration[pos] != '=') return std::nullopt;
    ++pos;
    while (pos < declaration.size() && is_space(declaration[pos])) ++pos;
    if (pos >= declaration.size() || (declaration[pos] != '"' && declaration[pos] != '\'')) {
        return std::nullopt;
    }
    const std::size_t close = declaration.find(declaration[pos], pos + 1);
    if (close == std::string_view::npos) return std::nullopt;
    return DeclaredEncoding{start + pos + 1, declaration.substr(pos + 1, close - pos - 1)};
}

std::string_view content_type_charset(std::string_view content_type) {
    std::size_t pos = content_type.find(';');
    while (pos != std::string_view::npos) {
        const std::size_t next = content_type.find(';', pos + 1);
        const std::string_view param = trim(content_type.substr(pos + 1, next - pos - 1));
        const std::size_t eq = param.find('=');
        if (eq != std::string_view::npos && iequals(trim(param.substr(0, eq)), "charset")) {
            std::string_view value = trim(param.substr(eq + 1));
            if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
                value = value.substr(1, value.size() - 2);
            }
            return value;
        }
        pos = next;
    }
    return {};
}

// ---- decoders ------------------------------------------------------------------------------

// Length of the valid UTF-8 sequence at p (RFC 3629: no overlongs, surrogates or > U+10FFFF),
// or 0 when the bytes there are not one.
std::size_t utf8_sequence_length(const unsigned char* p, std::size_t remaining) {
    const unsigned c = p[0];
    if (c < 0x80) return 1;
    const auto continuation = [&](std::size_t i) { return (p[i] & 0xC0) == 0x80; };
    if (c >= 0xC2 && c <= 0xDF) return remaining >= 2 && continuation(1) ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF) {
        if (remaining < 3 || !continuation(1) || !continuation(2)) return 0;
        if (c == 0xE0 && p[1] < 0xA0) return 0;
        if (c == 0xED && p[1] > 0x9F) return 0;
        return 3;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        if (remaining < 4 || !continuation(1) || !continuation(2) || !continuation(3)) return 0;
        if (c == 0xF0 && p[1] < 0x90) return 0;
        if (c == 0xF4 && p[1] > 0x8F) return 0;
        return 4;
    }
    return 0;
}

bool is_illegal_xml_ascii(unsigned c) {
    return c < 0x20 && c != '\t' && c != '\n' && c != '\r';
}

// U+FFFE and U+FFFF, the two non-characters XML 1.0 excludes.
bool is_illegal_xml_sequence(const unsigned char* p, std::size_t length) {
    return length == 3 && p[0] == 0xEF && p[1] == 0xBF && (p[2] == 0xBE || p[2] == 0xBF);
}

bool is_c1_control(const unsigned char* p, std::size_t length) {
    return length == 2 && p[0] == 0xC2 && p[1] < 0xA0;
}

// How many bytes of a memcpy'd word come before the first byte flagged in `flags` (its high
// bit set), in memory order.
std::size_t leading_bytes_before(std::uint64_t flags) {
    const int bits = std::endian::native == std::endian::little ? std::countr_zero(flags)
                                                                : std::countl_zero(flags);
    return static_cast<std::size_t>(bits) / 8;
}

// Length of the leading run of 16-byte blocks that hold only ASCII allowed in XML (printable,
// tab, LF, CR): most of a feed, skipped at a few instructions per block.
std::size_t plain_ascii_prefix(const unsigned char* p, std::size_t size) {
    std::size_t i = 0;
#if defined(__SSE2__)
    // One signed compare flags both bytes >= 0x80 (negative) and controls below 0x20; the
    // three allowed controls are then taken out again.
    const __m128i spaces = _mm_set1_epi8(0x20);
    const __m128i tab = _mm_set1_epi8('\t');
    const __m128i line_feed = _mm_set1_epi8('\n');
    const __m128i carriage_return = _mm_set1_epi8('\r');
    const auto flagged = [&](std::size_t at) {
        const __m128i block = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + at));
        const __m128i allowed =
            _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(block, tab), _mm_cmpeq_epi8(block, line_feed)),
                         _mm_cmpeq_epi8(block, carriage_return));
        return _mm_andnot_si128(allowed, _mm_cmplt_epi8(block, spaces));
    };
    for (; i + 16 <= size; i += 16) {
        if (_mm_movemask_epi8(flagged(i)) != 0) break;
    }
#endif
    return i;
}

struct Utf8Scan {
    bool is_valid = true;
    bool needs_repair = false;  // has characters XML forbids, or C1 controls
};

Utf8Scan scan_utf8(std::string_view text) {
    constexpr std::uint64_t kHighBits = 0x8080808080808080ULL;
    constexpr std::uint64_t kSpaces = 0x2020202020202020ULL;
    const auto* p = reinterpret_cast<const unsigned char*>(text.data());
    const std::size_t size = text.size();
    Utf8Scan scan;
    std::size_t i = 0;
    while (i < size) {
        i += plain_ascii_prefix(p + i, size - i);
        if (i >= size) break;
        // ASCII eight bytes at a time; control characters are rare enough to check per byte
        // only here, so tab, CR and LF (in every line) no longer leave the fast path.
        if (i + 8 <= size) {
            std::uint64_t chunk = 0;
            std::memcpy(&chunk, p + i, 8);
            const std::uint64_t high = chunk & kHighBits;
            const std::size_t ascii = high == 0 ? 8 : leading_bytes_before(high);
            // Any byte below 0x20 (exact for ASCII bytes); then only those few are looked at.
            if (((chunk - kSpaces) & ~chunk & kHighBits) != 0) {
                for (std::size_t k = 0; k < ascii; ++k) {
                    if (is_illegal_xml_ascii(p[i + k])) scan.needs_repair = true;
                }
            }
            i += ascii;
            if (ascii == 8) continue;
        }
        const std::size_t length = utf8_sequence_length(p + i, size - i);
        if (length == 0) {
            scan.is_valid = false;
            return scan;
        }
        if (length == 1 ? is_illegal_xml_ascii(p[i])
                        : is_illegal_xml_sequence(p + i, length) || is_c1_control(p + i, length)) {
            scan.needs_repair = true;
        }
        i += length;
    }
    return scan;
}

// UTF-8 where valid, each invalid byte read as windows-1252 (a latin-1 feed mislabelled as
// UTF-8, or one latin-1 paste into a UTF-8 feed). Returns whether any multi-byte UTF-8 was seen.
bool decode_utf8_with_fallback(std::string_view bytes, std::string& out) {
    const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
    bool has_multibyte = false;
    out.reserve(out.size() + bytes.size() + bytes.size() / 2);
    for (std::size_t i = 0; i < bytes.size();) {
        const std::size_t length = utf8_sequence_length(p + i, bytes.size() - i);
        if (length == 0) {
            append_code_point(out, p[i]);
            ++i;
            continue;
        }
        has_multibyte = has_multibyte || length > 1;
        out.append(bytes.substr(i, length));
        i += length;
    }
    return has_multibyte;
}

void decode_windows_1252(std::string_view bytes, std::string& out) {
    out.reserve(out.size() + bytes.size() + bytes.size() / 4);
    for (char c : bytes) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte < 0x80) {
            out.push_back(c);  // a NUL stays a NUL here; repair_characters removes it
        } else {
            append_code_point(out, byte);  // remaps 0x80-0x9F to windows-1252's characters
        }
    }
}

// Owns one iconv conversion descriptor.
class Iconv {
public:
    explicit Iconv(const std::string& from) : handle_(iconv_open("UTF-8", from.c_str())) {}
    Iconv(const Iconv&) = delete;
    Iconv& operator=(const Iconv&) = delete;
    ~Iconv() {
        if (is_open()) iconv_close(handle_);
    }

    [[nodiscard]] bool is_open() const noexcept { return handle_ != kInvalid(); }
    [[nodiscard]] iconv_t get() const noexcept { return handle_; }

private:
    static iconv_t kInvalid() noexcept { return reinterpret_cast<iconv_t>(-1); }
    iconv_t handle_;
};

enum class DecodeStatus { kOk, kUnknownEncoding, kInvalidBytes };

// With `lenient`, an invalid or truncated sequence becomes U+FFFD and decoding goes on.
DecodeStatus iconv_decode(const std::string& encoding, std::string_view bytes, bool lenient,
                          std::string& out) {
    Iconv converter(encoding);
    if (!converter.is_open()) return DecodeStatus::kUnknownEncoding;
    const std::size_t unit = encoding.starts_with("utf-32")   ? 4
                             : encoding.starts_with("utf-16") ? 2
                                                              : 1;
    std::size_t used = out.size();
    out.resize(used + bytes.size() * 2 + 16);
    char* in = const_cast<char*>(bytes.data());  // iconv's signature; it does not write
    std::size_t in_left = bytes.size();
    // Bounded: every round either consumes input, grows the output or ends.
    while (true) {
        char* dest = out.data() + used;
        std::size_t dest_left = out.size() - used;
        // With no input left, one last call flushes a stateful decoder (ISO-2022-JP).
        const bool is_flush = in_left == 0;
        const std::size_t result =
            !is_flush ? iconv(converter.get(), &in, &in_left, &dest, &dest_left)
                      : iconv(converter.get(), nullptr, nullptr, &dest, &dest_left);
        const int error = errno;
        used = out.size() - dest_left;
        if (result != static_cast<std::size_t>(-1)) {
            if (is_flush) break;
            continue;
        }
        if (error == E2BIG) {
            out.resize(out.size() * 2);
            continue;
        }
        if (!lenient) return DecodeStatus::kInvalidBytes;
        if (is_flush) break;
        out.resize(used);
        append_code_point(out, 0xFFFD);
        used = out.size();
        out.resize(used + in_left * 2 + 16);
        const std::size_t skip = std::min(unit, in_left);  // keep UTF-16/32 units aligned
        in += skip;
        in_left -= skip;
    }
    out.resize(used);
    return DecodeStatus::kOk;
}

// ---- after decoding ------------------------------------------------------------------------

// Removes C0 controls other than tab/LF/CR (NUL included) and U+FFFE/U+FFFF, and turns C1
// controls into the windows-1252 characters they stand for (a U+0092 in a feed is a
// mis-decoded ’: encoding/demoronize-1). Returns how many characters were removed.
std::size_t repair_characters(std::string& text) {
    const auto* p = reinterpret_cast<const unsigned char*>(text.data());
    std::string repaired;
    repaired.reserve(text.size() + text.size() / 8);
    std::size_t removed = 0;
    for (std::size_t read = 0; read < text.size();) {
        const std::size_t length =
            std::max<std::size_t>(1, utf8_sequence_length(p + read, text.size() - read));
        if (length == 1 ? is_illegal_xml_ascii(p[read])
                        : is_illegal_xml_sequence(p + read, length)) {
            ++removed;
        } else if (is_c1_control(p + read, length)) {
            append_code_point(repaired, p[read + 1]);
        } else {
            repaired.append(text, read, length);
        }
        read += length;
    }
    text = std::move(repaired);
    return removed;
}

// "utf-16"/"utf-32" without byte order take it from the BOM or the sniffed pattern (BE by
// default, as the Unicode standard says).
std::string with_byte_order(std::string name, std::string_view detected) {
    if ((name == "utf-16" || name == "utf-32") && detected.starts_with(name)) {
        return std::string(detected);
    }
    if (name == "utf-16" || name == "utf-32") return name + "be";
    return name;
}

void warn(DecodedText& result, std::string message) {
    result.bozo = true;
    result.warnings.push_back(std::move(message));
}

struct StrictResult {
    DecodeStatus status;
    bool may_need_repair = true;
    bool is_borrowed = false;  // the body is the answer as it stands; `out` was left empty
};

// Decodes with `name`, strictly. UTF-8 and windows-1252 are done here: they are most feeds,
// and glibc's CP1252 rejects the five bytes windows-1252 leaves unassigned.
StrictResult decode_strict(const std::string& name, std::string_view body, bool may_borrow,
                           std::string& out) {
    if (name == kUtf8) {
        const Utf8Scan scan = scan_utf8(body);
        if (!scan.is_valid) return {DecodeStatus::kInvalidBytes};
        if (may_borrow && !scan.needs_repair) return {DecodeStatus::kOk, false, true};
        out.assign(body);
        return {DecodeStatus::kOk, scan.needs_repair};
    }
    if (name == kWindows1252) {
        decode_windows_1252(body, out);
        return {DecodeStatus::kOk};
    }
    return {iconv_decode(name, body, false, out)};
}

// Nothing decoded strictly: use the first encoding that was merely violated, replacing what
// it cannot read; for UTF-8 read the stray bytes as windows-1252 instead.
void decode_leniently(DecodedText& result, std::string_view body) {
    result.utf8.clear();
    if (result.encoding != kUtf8 &&
        iconv_decode(result.encoding, body, true, result.utf8) == DecodeStatus::kOk) {
        warn(result, "bytes invalid in " + result.encoding + " were replaced with U+FFFD");
        return;
    }
    result.utf8.clear();
    if (decode_utf8_with_fallback(body, result.utf8)) {
        result.encoding = std::string(kUtf8);
        warn(result, "bytes invalid in utf-8 were read as windows-1252");
    } else {
        result.encoding = std::string(kWindows1252);
        warn(result, "document is not utf-8; read as windows-1252");
    }
}

// Points the declaration at the UTF-8 the caller now holds, so an XML parser honouring it
// does not transcode a second time. A UTF-16/32 document declaring an 8-bit encoding lied.
void rewrite_declaration(DecodedText& result) {
    const auto declared = find_declared_encoding(result.utf8);
    if (!declared) return;
    const std::string name = normalise_label(declared->value);
    if (is_unicode_family(result.encoding) && !is_unicode_family(name)) {
        warn(result, "document declares encoding '" + std::string(declared->value) + "' but is " +
                         result.encoding);
    }
    if (name != kUtf8) result.utf8.replace(declared->value_pos, declared->value.size(), kUtf8);
}

// A declaration naming another encoding than UTF-8 is rewritten, so the text must be owned.
bool declares_other_than_utf8(std::string_view text) {
    const auto declared = find_declared_encoding(text);
    return declared && normalise_label(declared->value) != kUtf8;
}

DecodedText decode(std::string_view bytes, std::string_view content_type, bool may_borrow) {
    DecodedText result;
    const std::optional<Bom> bom = detect_bom(bytes);
    const std::string_view body = bom ? bytes.substr(bom->length) : bytes;
    const std::string_view wide = bom ? bom->encoding : sniff_wide_encoding(bytes);

    const std::string_view charset_label = content_type_charset(content_type);
    const std::string charset = normalise_label(charset_label);
    if (!charset_label.empty() && charset.empty()) {
        warn(result, "unusable charset '" + std::string(charset_label) + "' in Content-Type");
    }
    std::string declared;
    if (wide.empty() || wide == kUtf8) {
        if (const auto found = find_declared_encoding(body)) {
            declared = normalise_label(found->value);
            if (declared.empty()) {
                warn(result, "unusable encoding '" + std::string(found->value) + "' declared");
            }
        }
    }

    // The encodings worth trying, most authoritative first.
    std::vector<std::string> candidates;
    const auto add = [&](std::string_view label, std::string name) {
        if (name.empty() ||
            std::find(candidates.begin(), candidates.end(), name) != candidates.end()) {
            return;
        }
        const bool is_ascii_start = body.size() >= 2 && body[0] == '<' && body[1] != '\0';
        if (!wide.empty() && name != wide) {
            // A BOM or UTF-16/32 zero pattern cannot be an accident; a label can.
            warn(result, std::string(label) + " '" + name + "' contradicts the document's " +
                             std::string(wide) + " byte pattern");
        } else if (is_unicode_family(name) && is_ascii_start) {
            warn(result, std::string(label) + " '" + name + "' but the document is 8-bit");
        } else {
            candidates.push_back(std::move(name));
        }
    };
    add("byte order mark", std::string(wide));
    add("Content-Type charset", with_byte_order(charset, wide));
    add("declared encoding", with_byte_order(declared, wide));
    if (candidates.empty() || wide.empty()) add("default", std::string(kUtf8));

    bool may_need_repair = true;
    bool is_decoded = false;
    for (const std::string& name : candidates) {
        result.utf8.clear();
        const StrictResult decoded = decode_strict(name, body, may_borrow, result.utf8);
        if (decoded.status == DecodeStatus::kOk) {
            if (decoded.is_borrowed && !declares_other_than_utf8(body)) result.borrowed = body;
            if (decoded.is_borrowed && result.borrowed.data() == nullptr) result.utf8.assign(body);
            if (!result.encoding.empty()) {
                warn(result, "document is not valid " + result.encoding + "; decoded as " + name);
            }
            result.encoding = name;
            may_need_repair = decoded.may_need_repair;
            is_decoded = true;
            break;
        }
        if (decoded.status == DecodeStatus::kUnknownEncoding) {
            warn(result, "unknown encoding '" + name + "'");
        } else if (result.encoding.empty()) {
            result.encoding = name;  // the most authoritative one that exists, for leniency
        }
    }
    if (!is_decoded) decode_leniently(result, body);

    if (may_need_repair && scan_utf8(result.utf8).needs_repair) {
        if (const std::size_t removed = repair_characters(result.utf8); removed > 0) {
            warn(result,
                 "removed " + std::to_string(removed) + " characters not allowed in XML 1.0");
        }
    }
    rewrite_declaration(result);
    return result;
}

}  // namespace

DecodedText decode_to_utf8(std::string_view bytes, std::string_view content_type) {
    return decode(bytes, content_type, false);
}

DecodedText decode_to_utf8_borrowing(std::string_view bytes, std::string_view content_type) {
    return decode(bytes, content_type, true);
}

}  // namespace herald::parser::detail
