#include "urls.hpp"

#include <cctype>
#include <vector>

namespace herald::parser::detail {
namespace {

struct UriParts {
    std::string_view scheme;  // without ':'
    bool has_authority = false;
    std::string_view authority;
    std::string_view path;
    bool has_query = false;
    std::string_view query;
    bool has_fragment = false;
    std::string_view fragment;
};

std::size_t scheme_length(std::string_view text) {
    if (text.empty() || std::isalpha(static_cast<unsigned char>(text[0])) == 0) return 0;
    for (std::size_t i = 1; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c == ':') return i;
        if (std::isalnum(c) == 0 && c != '+' && c != '-' && c != '.') return 0;
    }
    return 0;
}

UriParts split(std::string_view text) {
    UriParts parts;
    if (const auto n = scheme_length(text); n > 0) {
        parts.scheme = text.substr(0, n);
        text.remove_prefix(n + 1);
    }
    if (const auto hash = text.find('#'); hash != std::string_view::npos) {
        parts.has_fragment = true;
        parts.fragment = text.substr(hash + 1);
        text = text.substr(0, hash);
    }
    if (const auto question = text.find('?'); question != std::string_view::npos) {
        parts.has_query = true;
        parts.query = text.substr(question + 1);
        text = text.substr(0, question);
    }
    if (text.starts_with("//")) {
        text.remove_prefix(2);
        const auto slash = text.find('/');
        parts.has_authority = true;
        parts.authority = text.substr(0, slash);
        text = slash == std::string_view::npos ? std::string_view{} : text.substr(slash);
    }
    parts.path = text;
    return parts;
}

// RFC 3986 5.2.4, done with a segment stack instead of string surgery: linear time.
std::string remove_dot_segments(std::string_view path) {
    std::vector<std::string_view> segments;
    const bool absolute = path.starts_with('/');
    if (absolute) path.remove_prefix(1);
    bool trailing_slash = false;
    while (true) {
        const auto slash = path.find('/');
        const auto segment = path.substr(0, slash);
        const bool last = slash == std::string_view::npos;
        if (segment == "..") {
            if (!segments.empty()) segments.pop_back();
            trailing_slash = last;
        } else if (segment == ".") {
            trailing_slash = last;
        } else {
            segments.push_back(segment);
            trailing_slash = false;
        }
        if (last) break;
        path.remove_prefix(slash + 1);
    }
    std::string out;
    if (absolute) out.push_back('/');
    for (std::size_t i = 0; i < segments.size(); ++i) {
        if (i > 0) out.push_back('/');
        out.append(segments[i]);
    }
    if (trailing_slash && !out.empty() && out.back() != '/') out.push_back('/');
    return out;
}

std::string merge_paths(const UriParts& base, std::string_view reference_path) {
    // Built by appends: g++ 12 -O3 raises a false -Wrestrict on `"/" + std::string(...)`.
    std::string merged;
    if (base.has_authority && base.path.empty()) {
        merged.reserve(reference_path.size() + 1);
        merged.push_back('/');
        merged.append(reference_path);
        return merged;
    }
    const auto slash = base.path.rfind('/');
    if (slash == std::string_view::npos) return std::string(reference_path);
    merged.reserve(slash + 1 + reference_path.size());
    merged.append(base.path.substr(0, slash + 1));
    merged.append(reference_path);
    return merged;
}

std::string compose(std::string_view scheme, bool has_authority, std::string_view authority,
                    std::string_view path, bool has_query, std::string_view query,
                    bool has_fragment, std::string_view fragment) {
    std::string out;
    out.reserve(scheme.size() + authority.size() + path.size() + query.size() + fragment.size() +
                8);
    if (!scheme.empty()) out.append(scheme).push_back(':');
    if (has_authority) out.append("//").append(authority);
    out.append(path);
    if (has_query) out.append("?").append(query);
    if (has_fragment) out.append("#").append(fragment);
    return out;
}

std::string_view trim_spaces(std::string_view text) {
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())) != 0)
        text.remove_prefix(1);
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())) != 0)
        text.remove_suffix(1);
    return text;
}

}  // namespace

bool has_scheme(std::string_view text) {
    return scheme_length(text) > 0;
}

std::string resolve_url(std::string_view base, std::string_view reference) {
    reference = trim_spaces(reference);
    base = trim_spaces(base);
    if (base.empty() || has_scheme(reference)) return std::string(reference);
    const UriParts b = split(base);
    // A base without a scheme cannot anchor anything; keep the reference as written.
    if (b.scheme.empty()) return std::string(reference);
    const UriParts r = split(reference);
    if (r.has_authority) {
        return compose(b.scheme, true, r.authority, remove_dot_segments(r.path), r.has_query,
                       r.query, r.has_fragment, r.fragment);
    }
    if (r.path.empty()) {
        return compose(b.scheme, b.has_authority, b.authority, b.path, r.has_query || b.has_query,
                       r.has_query ? r.query : b.query, r.has_fragment, r.fragment);
    }
    const std::string path = r.path.starts_with('/') ? remove_dot_segments(r.path)
                                                     : remove_dot_segments(merge_paths(b, r.path));
    return compose(b.scheme, b.has_authority, b.authority, path, r.has_query, r.query,
                   r.has_fragment, r.fragment);
}

}  // namespace herald::parser::detail
