// balance_markup(): the tag balancer behind xml_recovery.hpp's contract.
#include <array>
#include <string>
#include <vector>

#include "markup_scan.hpp"
#include "xml_recovery.hpp"

namespace herald::parser::detail {
namespace {

using markup::end_of_special;
using markup::is_name_char;
using markup::is_name_start;
using markup::is_space;

constexpr std::array<std::string_view, 13> kVoidElements{
    "br",    "img",   "hr",     "input", "meta", "area",    "col",
    "embed", "param", "source", "track", "wbr",  "basefont"};

bool equals_ignore_case(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
        if (lower(a[i]) != lower(b[i])) return false;
    }
    return true;
}

bool is_void(std::string_view name) {
    for (const auto v : kVoidElements) {
        if (equals_ignore_case(name, v)) return true;
    }
    return false;
}

std::string_view local_name(std::string_view name) {
    const auto colon = name.find(':');
    return colon == std::string_view::npos ? name : name.substr(colon + 1);
}

struct OpenElement {
    std::string_view name;
    std::size_t out_offset;  // where its start tag begins in the output
};

class Balancer {
public:
    Balancer(std::string_view text, Diagnostics& diagnostics)
        : text_(text), diagnostics_(diagnostics) {
        out_.reserve(text.size() + 256);
    }

    std::string run() {
        while (pos_ < text_.size()) {
            const auto lt = text_.find('<', pos_);
            out_.append(text_.substr(pos_, lt == std::string_view::npos ? lt : lt - pos_));
            if (lt == std::string_view::npos) break;
            pos_ = lt;
            step();
        }
        finish();
        return std::move(out_);
    }

private:
    void step() {
        const auto rest = text_.substr(pos_);
        if (rest.starts_with("<!--") || rest.starts_with("<?")) {
            copy_special(rest.starts_with("<!--") ? "-->" : "?>");
        } else if (rest.starts_with("<![CDATA[")) {
            copy_special("]]>");
        } else if (rest.starts_with("<!")) {
            pos_ = end_of_special(text_, pos_);  // DOCTYPE: dropped, never processed
        } else if (rest.starts_with("</")) {
            end_tag();
        } else if (rest.size() > 1 && is_name_start(rest[1])) {
            start_tag();
        } else {
            note("stray '<' escaped");
            out_.append("&lt;");
            ++pos_;
        }
    }

    void copy_special(std::string_view terminator) {
        const auto end = text_.find(terminator, pos_ + 2);
        if (end == std::string_view::npos) {
            note("unterminated comment, CDATA section or processing instruction closed");
            out_.append(text_.substr(pos_));
            out_.append(terminator);
            pos_ = text_.size();
            return;
        }
        out_.append(text_.substr(pos_, end + terminator.size() - pos_));
        pos_ = end + terminator.size();
    }

    std::string_view read_name(std::size_t& i) const {
        const std::size_t start = i;
        while (i < text_.size() && is_name_char(text_[i])) ++i;
        return text_.substr(start, i - start);
    }

    void end_tag() {
        std::size_t i = pos_ + 2;
        const auto name = read_name(i);
        const auto gt = text_.find('>', i);
        pos_ = gt == std::string_view::npos ? text_.size() : gt + 1;
        for (std::size_t depth = stack_.size(); depth-- > 0;) {
            if (equals_ignore_case(stack_[depth].name, name)) {
                if (depth + 1 != stack_.size()) note("unclosed element closed");
                while (stack_.size() > depth) close_top();
                return;
            }
        }
        note("end tag without start tag dropped");
    }

    // An <item> or <entry> opened inside some unclosed element (an <itunes:category> left
    // open, ITunesWithSingleQuotedAttributes.xml) belongs to the channel: close down to it.
    void close_to_container(std::string_view name) {
        const auto local = local_name(name);
        if (!equals_ignore_case(local, "item") && !equals_ignore_case(local, "entry")) return;
        for (std::size_t depth = stack_.size(); depth-- > 0;) {
            const auto open = local_name(stack_[depth].name);
            if (equals_ignore_case(open, "channel") || equals_ignore_case(open, "feed") ||
                equals_ignore_case(open, "rss") || equals_ignore_case(open, "RDF")) {
                if (depth + 1 == stack_.size()) return;
                note("unclosed element before an item closed");
                while (stack_.size() > depth + 1) close_top();
                return;
            }
        }
    }

    void start_tag() {
        std::size_t i = pos_ + 1;
        const auto name = read_name(i);
        close_to_container(name);
        const std::size_t tag_offset = out_.size();
        out_.push_back('<');
        out_.append(name);
        bool self_closing = false;
        while (true) {
            while (i < text_.size() && is_space(text_[i])) ++i;
            if (i >= text_.size()) return truncated_tag(tag_offset);
            if (text_[i] == '>') {
                ++i;
                break;
            }
            if (text_[i] == '/' && i + 1 < text_.size() && text_[i + 1] == '>') {
                self_closing = true;
                i += 2;
                break;
            }
            if (!read_attribute(i)) return truncated_tag(tag_offset);
        }
        pos_ = i;
        if (!self_closing && is_void(local_name(name))) self_closing = true;
        if (self_closing) {
            out_.append("/>");
        } else {
            out_.push_back('>');
            stack_.push_back(OpenElement{name, tag_offset});
        }
    }

    // Reads one attribute at text_[i] and writes it quoted; false at the end of the input.
    bool read_attribute(std::size_t& i) {
        const std::size_t start = i;
        while (i < text_.size() && !is_space(text_[i]) && text_[i] != '=' && text_[i] != '>' &&
               !(text_[i] == '/' && i + 1 < text_.size() && text_[i + 1] == '>')) {
            ++i;
        }
        if (i >= text_.size()) return false;
        std::string_view name = text_.substr(start, i - start);
        if (name.empty() || !is_name_start(name[0])) {
            note("malformed attribute dropped");
            if (name.empty()) ++i;  // a lone '=' or quote: step over it
            return true;
        }
        std::size_t j = i;
        while (j < text_.size() && is_space(text_[j])) ++j;
        std::string_view value = name;  // HTML's <option selected>
        if (j < text_.size() && text_[j] == '=') {
            ++j;
            while (j < text_.size() && is_space(text_[j])) ++j;
            if (j >= text_.size()) return false;
            if (text_[j] == '"' || text_[j] == '\'') {
                const auto close = text_.find(text_[j], j + 1);
                if (close == std::string_view::npos) return false;
                value = text_.substr(j + 1, close - j - 1);
                i = close + 1;
            } else {
                const std::size_t value_start = j;
                while (j < text_.size() && !is_space(text_[j]) && text_[j] != '>') ++j;
                value = text_.substr(value_start, j - value_start);
                i = j;
                note("unquoted attribute value quoted");
            }
        } else {
            note("attribute without value");
        }
        out_.push_back(' ');
        out_.append(name);
        out_.append("=\"");
        for (const char c : value) {
            if (c == '"') {
                out_.append("&quot;");
            } else if (c == '<') {
                out_.append("&lt;");
            } else {
                out_.push_back(c);
            }
        }
        out_.push_back('"');
        return true;
    }

    void truncated_tag(std::size_t tag_offset) {
        out_.resize(tag_offset);
        pos_ = text_.size();
    }

    void close_top() {
        out_.append("</");
        out_.append(stack_.back().name);
        out_.push_back('>');
        stack_.pop_back();
    }

    void finish() {
        if (stack_.empty()) return;
        note("document truncated: open elements closed");
        // The first item or entry still open was cut by the end: drop it whole.
        for (std::size_t depth = 0; depth < stack_.size(); ++depth) {
            const auto local = local_name(stack_[depth].name);
            if (equals_ignore_case(local, "item") || equals_ignore_case(local, "entry")) {
                diagnostics_.recovered("incomplete last item dropped");
                out_.resize(stack_[depth].out_offset);
                stack_.resize(depth);
                break;
            }
        }
        while (!stack_.empty()) close_top();
    }

    void note(const std::string& warning) {
        for (const auto& w : diagnostics_.warnings) {
            if (w == warning) {
                diagnostics_.bozo = true;
                return;
            }
        }
        diagnostics_.recovered(warning);
    }

    std::string_view text_;
    Diagnostics& diagnostics_;
    std::string out_;
    std::vector<OpenElement> stack_;
    std::size_t pos_ = 0;
};

}  // namespace

std::string balance_markup(std::string_view text, Diagnostics& diagnostics) {
    return Balancer(text, diagnostics).run();
}

}  // namespace herald::parser::detail
