#include "discover.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <map>
#include <optional>

namespace herald::cli {
namespace {

// Pages beyond this are not scanned further: feeds are announced in the head.
constexpr std::size_t kMaxScan = 4 << 20;
constexpr std::array<std::string_view, 4> kFeedTypes{"application/rss+xml", "application/atom+xml",
                                                     "application/feed+json", "application/json"};

char lower(char c) {
    return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
}

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

std::string to_lower(std::string_view text) {
    std::string result(text);
    std::transform(result.begin(), result.end(), result.begin(), lower);
    return result;
}

bool starts_with_nocase(std::string_view text, std::size_t at, std::string_view prefix) {
    if (text.size() - at < prefix.size()) return false;
    for (std::size_t i = 0; i < prefix.size(); ++i) {
        if (lower(text[at + i]) != prefix[i]) return false;
    }
    return true;
}

// Case-insensitive find of a lower-case needle.
std::size_t find_nocase(std::string_view text, std::string_view needle, std::size_t from) {
    for (std::size_t at = from; at + needle.size() <= text.size(); ++at) {
        if (starts_with_nocase(text, at, needle)) return at;
    }
    return std::string_view::npos;
}

std::string_view trim(std::string_view text) {
    while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
    while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
    return text;
}

// Decodes the few character references that occur in URLs and titles.
std::string decode_entities(std::string_view text) {
    static const std::map<std::string_view, std::string_view> kNamed{
        {"amp", "&"}, {"lt", "<"}, {"gt", ">"}, {"quot", "\""}, {"apos", "'"}, {"nbsp", " "}};
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto semi = text[i] == '&' ? text.find(';', i) : std::string_view::npos;
        if (semi == std::string_view::npos || semi - i > 10) {
            out += text[i];
            continue;
        }
        const auto name = text.substr(i + 1, semi - i - 1);
        if (const auto named = kNamed.find(name); named != kNamed.end()) {
            out += named->second;
        } else if (name.size() > 1 && name[0] == '#') {
            const bool hex = name[1] == 'x' || name[1] == 'X';
            const auto digits = std::string(name.substr(hex ? 2 : 1));
            const unsigned long code = std::strtoul(digits.c_str(), nullptr, hex ? 16 : 10);
            if (code < 0x80 && code > 0) {
                out += static_cast<char>(code);
            } else {
                out.append(text.substr(i, semi - i + 1));
            }
        } else {
            out.append(text.substr(i, semi - i + 1));
        }
        i = semi;
    }
    return out;
}

// Reads the attributes of a tag starting after its name; `pos` ends after the '>'.
std::map<std::string, std::string> read_attributes(std::string_view html, std::size_t& pos) {
    std::map<std::string, std::string> attributes;
    while (pos < html.size()) {
        while (pos < html.size() && (is_space(html[pos]) || html[pos] == '/')) ++pos;
        if (pos >= html.size()) break;
        if (html[pos] == '>') {
            ++pos;
            break;
        }
        const auto name_start = pos;
        while (pos < html.size() && !is_space(html[pos]) && html[pos] != '=' && html[pos] != '>' &&
               html[pos] != '/') {
            ++pos;
        }
        const auto name = to_lower(html.substr(name_start, pos - name_start));
        while (pos < html.size() && is_space(html[pos])) ++pos;
        std::string value;
        if (pos < html.size() && html[pos] == '=') {
            ++pos;
            while (pos < html.size() && is_space(html[pos])) ++pos;
            if (pos < html.size() && (html[pos] == '"' || html[pos] == '\'')) {
                const char quote = html[pos++];
                const auto end = html.find(quote, pos);
                const auto stop = end == std::string_view::npos ? html.size() : end;
                value = decode_entities(html.substr(pos, stop - pos));
                pos = stop == html.size() ? stop : stop + 1;
            } else {
                const auto value_start = pos;
                while (pos < html.size() && !is_space(html[pos]) && html[pos] != '>') ++pos;
                value = decode_entities(html.substr(value_start, pos - value_start));
            }
        }
        if (!name.empty()) attributes.emplace(name, value);
    }
    return attributes;
}

bool has_token(std::string_view list, std::string_view token) {
    const auto text = to_lower(list);
    std::size_t pos = 0;
    while (pos < text.size()) {
        while (pos < text.size() && is_space(text[pos])) ++pos;
        const auto start = pos;
        while (pos < text.size() && !is_space(text[pos])) ++pos;
        if (std::string_view(text).substr(start, pos - start) == token) return true;
    }
    return false;
}

std::optional<std::string> feed_type(std::string_view type_attribute) {
    auto type = trim(type_attribute.substr(0, type_attribute.find(';')));
    const auto lowered = to_lower(type);
    for (const auto known : kFeedTypes) {
        if (lowered == known) return lowered;
    }
    return std::nullopt;
}

// Skips what never holds a <link> we want: comments, and the contents of script and style.
std::size_t skip_opaque(std::string_view html, std::size_t pos) {
    if (html.compare(pos, 4, "<!--") == 0) {
        const auto end = html.find("-->", pos + 4);
        return end == std::string_view::npos ? html.size() : end + 3;
    }
    for (const std::string_view tag : {"script", "style"}) {
        if (starts_with_nocase(html, pos + 1, tag)) {
            const auto close = find_nocase(html, "</" + std::string(tag), pos + 1);
            return close == std::string_view::npos ? html.size() : close + 2;
        }
    }
    return pos;
}

struct UrlParts {
    std::string_view scheme;                    // without ':'
    std::optional<std::string_view> authority;  // without "//"
    std::string_view path;
    std::optional<std::string_view> query;     // without '?'
    std::optional<std::string_view> fragment;  // without '#'
};

UrlParts split_url(std::string_view url) {
    UrlParts parts;
    const auto colon = url.find(':');
    const auto first_delim = url.find_first_of("/?#");
    if (colon != std::string_view::npos && colon > 0 &&
        (first_delim == std::string_view::npos || colon < first_delim) &&
        std::isalpha(static_cast<unsigned char>(url[0]))) {
        parts.scheme = url.substr(0, colon);
        url.remove_prefix(colon + 1);
    }
    if (url.starts_with("//")) {
        url.remove_prefix(2);
        const auto end = url.find_first_of("/?#");
        parts.authority = url.substr(0, end);
        url.remove_prefix(end == std::string_view::npos ? url.size() : end);
    }
    if (const auto hash = url.find('#'); hash != std::string_view::npos) {
        parts.fragment = url.substr(hash + 1);
        url = url.substr(0, hash);
    }
    if (const auto question = url.find('?'); question != std::string_view::npos) {
        parts.query = url.substr(question + 1);
        url = url.substr(0, question);
    }
    parts.path = url;
    return parts;
}

std::string remove_dot_segments(std::string_view path) {
    std::vector<std::string_view> output;
    const bool absolute = path.starts_with('/');
    std::size_t pos = absolute ? 1 : 0;
    bool trailing_slash = false;
    while (pos <= path.size()) {
        const auto slash = path.find('/', pos);
        const auto segment =
            path.substr(pos, slash == std::string_view::npos ? path.npos : slash - pos);
        const bool is_last = slash == std::string_view::npos;
        trailing_slash = false;
        if (segment == "..") {
            if (!output.empty()) output.pop_back();
            trailing_slash = true;
        } else if (segment == ".") {
            trailing_slash = true;
        } else {
            output.push_back(segment);
        }
        if (is_last) break;
        pos = slash + 1;
    }
    std::string result = absolute ? "/" : "";
    for (std::size_t i = 0; i < output.size(); ++i) {
        if (i > 0) result += '/';
        result += output[i];
    }
    if (trailing_slash && !result.ends_with('/')) result += '/';
    return result;
}

std::string compose(const UrlParts& parts, const std::string& path) {
    std::string url;
    if (!parts.scheme.empty()) url += std::string(parts.scheme) + ":";
    if (parts.authority) url += "//" + std::string(*parts.authority);
    url += path;
    if (parts.query) url += "?" + std::string(*parts.query);
    if (parts.fragment) url += "#" + std::string(*parts.fragment);
    return url;
}

}  // namespace

std::string resolve_url(std::string_view base, std::string_view reference) {
    reference = trim(reference);
    const auto ref = split_url(reference);
    if (!ref.scheme.empty()) return compose(ref, remove_dot_segments(ref.path));
    const auto from = split_url(base);
    UrlParts target;
    target.scheme = from.scheme;
    target.fragment = ref.fragment;
    if (ref.authority) {
        target.authority = ref.authority;
        target.query = ref.query;
        return compose(target, remove_dot_segments(ref.path));
    }
    target.authority = from.authority;
    if (ref.path.empty()) {
        target.query = ref.query ? ref.query : from.query;
        return compose(target, std::string(from.path));
    }
    target.query = ref.query;
    if (ref.path.starts_with('/')) return compose(target, remove_dot_segments(ref.path));
    std::string merged;
    if (from.authority && from.path.empty()) {
        merged = "/" + std::string(ref.path);
    } else {
        const auto last_slash = from.path.rfind('/');
        merged = (last_slash == std::string_view::npos
                      ? std::string()
                      : std::string(from.path.substr(0, last_slash + 1))) +
                 std::string(ref.path);
    }
    return compose(target, remove_dot_segments(merged));
}

std::vector<DiscoveredFeed> discover_feeds(std::string_view html, std::string_view page_url) {
    html = html.substr(0, std::min(html.size(), kMaxScan));
    std::string base(page_url);
    std::vector<DiscoveredFeed> feeds;
    std::size_t pos = 0;
    while ((pos = html.find('<', pos)) != std::string_view::npos) {
        if (const auto skipped = skip_opaque(html, pos); skipped != pos) {
            pos = skipped;
            continue;
        }
        const bool is_link = starts_with_nocase(html, pos + 1, "link") && pos + 5 < html.size() &&
                             (is_space(html[pos + 5]) || html[pos + 5] == '/');
        const bool is_base = starts_with_nocase(html, pos + 1, "base") && pos + 5 < html.size() &&
                             is_space(html[pos + 5]);
        if (!is_link && !is_base) {
            ++pos;
            continue;
        }
        pos += 5;
        const auto attributes = read_attributes(html, pos);
        const auto href = attributes.find("href");
        if (href == attributes.end() || trim(href->second).empty()) continue;
        if (is_base) {
            base = resolve_url(page_url, href->second);
            continue;
        }
        const auto rel = attributes.find("rel");
        const auto type = attributes.find("type");
        if (rel == attributes.end() || !has_token(rel->second, "alternate") ||
            type == attributes.end()) {
            continue;
        }
        const auto kind = feed_type(type->second);
        if (!kind) continue;
        auto url = resolve_url(base, href->second);
        if (std::any_of(feeds.begin(), feeds.end(),
                        [&](const DiscoveredFeed& feed) { return feed.url == url; })) {
            continue;
        }
        const auto title = attributes.find("title");
        feeds.push_back(
            DiscoveredFeed{std::move(url), *kind, title == attributes.end() ? "" : title->second});
    }
    return feeds;
}

bool looks_like_html(std::string_view bytes) {
    const auto head = to_lower(bytes.substr(0, std::min<std::size_t>(bytes.size(), 2048)));
    return head.find("<!doctype html") != std::string::npos ||
           head.find("<html") != std::string::npos || head.find("<head") != std::string::npos;
}

}  // namespace herald::cli
