#include "feed_builder.hpp"

#include <cctype>

#include "text.hpp"

namespace herald::parser::detail {
namespace {

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

bool is_email_char(char c) {
    const auto u = static_cast<unsigned char>(c);
    return std::isalnum(u) != 0 || c == '.' || c == '_' || c == '-' || c == '+' || c == '%' ||
           u >= 0x80;
}

// Removes "()" and "<>" left behind once the email is cut out, and surrounding spaces.
std::string tidy_name(std::string name) {
    std::string out;
    out.reserve(name.size());
    for (std::size_t i = 0; i < name.size(); ++i) {
        const char c = name[i];
        if ((c == '(' || c == '<') && i + 1 < name.size()) {
            const char close = c == '(' ? ')' : '>';
            std::size_t j = i + 1;
            while (j < name.size() && is_space(name[j])) ++j;
            if (j < name.size() && name[j] == close) {
                i = j;
                continue;
            }
        }
        out.push_back(c);
    }
    std::string_view view = trim(out);
    // "(Jane Doe)" around the whole name: drop the brackets.
    if (view.size() >= 2 && view.front() == '(' && view.back() == ')') {
        view = trim(view.substr(1, view.size() - 2));
    }
    return std::string(view);
}

int base64_value(char c) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+' || c == '-') return 62;
    if (c == '/' || c == '_') return 63;
    return -1;
}

}  // namespace

std::string_view trim(std::string_view text) {
    // ASCII whitespace and U+00A0 (C2 A0), which feeds pad titles with (&#160;).
    while (true) {
        if (!text.empty() && is_space(text.front())) {
            text.remove_prefix(1);
        } else if (text.starts_with("\xC2\xA0")) {
            text.remove_prefix(2);
        } else if (!text.empty() && is_space(text.back())) {
            text.remove_suffix(1);
        } else if (text.ends_with("\xC2\xA0")) {
            text.remove_suffix(2);
        } else {
            return text;
        }
    }
}

void assign_text(std::optional<std::string>& field, std::string_view text) {
    text = trim(text);
    if (!text.empty()) field = std::string(text);
}

void trim_in_place(std::string& text) {
    const auto trimmed = trim(text);
    if (trimmed.size() == text.size()) return;
    const auto offset = static_cast<std::size_t>(trimmed.data() - text.data());
    const auto length = trimmed.size();
    text.erase(offset + length);
    text.erase(0, offset);
}

void assign_text(std::optional<std::string>& field, std::string&& text) {
    trim_in_place(text);
    if (!text.empty()) field = std::move(text);
}

void assign_present(std::optional<std::string>& field, std::string&& text) {
    trim_in_place(text);
    if (!text.empty() || !field) field = std::move(text);
}

void assign_present(std::optional<std::string>& field, std::string_view text) {
    text = trim(text);
    if (!text.empty() || !field) field = std::string(text);
}

void assign_author(std::optional<std::string>& field, std::string_view text) {
    if (auto name = author_name(text)) {
        field = std::move(name);
    } else if (!field) {
        field = std::string();
    }
}

std::optional<std::string> author_name(std::string_view text) {
    text = trim(text);
    if (text.empty()) return std::nullopt;
    const auto at = text.find('@');
    if (at == std::string_view::npos) return std::string(text);
    std::size_t begin = at;
    while (begin > 0 && is_email_char(text[begin - 1])) --begin;
    std::size_t end = at + 1;
    while (end < text.size() && is_email_char(text[end])) ++end;
    if (begin == at || end == at + 1) return std::string(text);
    const std::string_view email = text.substr(begin, end - begin);
    std::string rest(text.substr(0, begin));
    rest.append(text.substr(end));
    std::string name = tidy_name(std::move(rest));
    if (name.empty()) return std::string(email);
    return name;
}

std::optional<std::int64_t> parse_integer(std::string_view text) {
    text = trim(text);
    if (text.empty() || text.size() > 18) return std::nullopt;
    std::int64_t value = 0;
    for (const char c : text) {
        if (c < '0' || c > '9') return std::nullopt;
        value = value * 10 + (c - '0');
    }
    return value;
}

std::optional<std::string> decode_base64(std::string_view text) {
    std::string out;
    out.reserve(text.size() / 4 * 3);
    std::uint32_t buffer = 0;
    int bits = 0;
    for (const char c : text) {
        if (is_space(c)) continue;
        if (c == '=') break;
        const int value = base64_value(c);
        if (value < 0) return std::nullopt;
        buffer = (buffer << 6U) | static_cast<std::uint32_t>(value);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<char>((buffer >> static_cast<unsigned>(bits)) & 0xFFU));
        }
    }
    return out;
}

void repair_double_encoding(ParsedFeed& feed) {
    bool repaired = false;
    const auto repair = [&](std::optional<std::string>& field) {
        if (field && undo_double_encoding(*field)) repaired = true;
    };
    repair(feed.feed.title);
    for (auto& item : feed.items) repair(item.title);
    // A site that encodes twice does it everywhere, and its titles show it (’ – … are in most).
    // Only then are the other fields looked at: reading every summary and content of every
    // feed for it cost a few percent of the parse.
    if (!repaired) return;
    repair(feed.feed.subtitle);
    repair(feed.feed.author);
    repair(feed.feed.generator);
    for (auto& item : feed.items) {
        repair(item.author);
        repair(item.summary);
        repair(item.content);
        for (auto& category : item.categories) undo_double_encoding(category);
    }
    if (feed.warnings.size() < Diagnostics::kMaxWarnings) {
        feed.warnings.emplace_back("text encoded twice as utf-8 (mojibake) was repaired");
    }
}

void finish_item(Item& item) {
    // feedparser fills `summary` from the content when an entry has no summary of its own.
    if (!item.summary && item.content) item.summary = item.content;
}

}  // namespace herald::parser::detail
