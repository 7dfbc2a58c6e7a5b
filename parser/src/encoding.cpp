// Transcoding a feed document to UTF-8: the encoding decision of RFC 7303 with recovery
// from wrong declarations, glibc iconv for the legacy encodings, and removal of characters
// XML 1.0 forbids. Valid UTF-8 (the common case) costs one validation pass and one copy.
// The clues come from encoding_sniff.cpp, the UTF-8 primitives from utf8.cpp.
#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <vector>

#include <iconv.h>

#include "encoding_sniff.hpp"
#include "text.hpp"
#include "utf8.hpp"

namespace herald::parser::detail {
namespace {

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

// An 8-bit encoding in which every byte string is valid, so a wrong label of this kind never
// fails to decode and must be caught another way.
bool is_single_byte_encoding(std::string_view name) {
    constexpr std::array<std::string_view, 9> kPrefixes{"windows-125", "cp125",     "iso-8859-",
                                                        "iso8859-",    "iso_8859-", "koi8",
                                                        "cp866",       "ibm866",    "mac"};
    return std::any_of(kPrefixes.begin(), kPrefixes.end(),
                       [&](std::string_view prefix) { return name.starts_with(prefix); });
}

// Valid UTF-8 with at least one multi-byte sequence: text in an 8-bit encoding almost never
// looks like that (it would take "Ã©"-like pairs throughout), UTF-8 under a wrong label always
// does. Servers that label every response iso-8859-1 are the usual cause.
bool looks_like_utf8(std::string_view body) {
    const bool has_high_bytes = std::any_of(
        body.begin(), body.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x80; });
    return has_high_bytes && scan_utf8(body).is_valid;
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
    // An 8-bit label decodes any bytes, so it would win over UTF-8 that it misnames.
    if (wide.empty() && !candidates.empty() && is_single_byte_encoding(candidates.front()) &&
        looks_like_utf8(body)) {
        warn(result, "labelled " + candidates.front() + " but the bytes are utf-8");
        candidates.erase(std::remove(candidates.begin(), candidates.end(), std::string(kUtf8)),
                         candidates.end());
        candidates.insert(candidates.begin(), std::string(kUtf8));
    }

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
