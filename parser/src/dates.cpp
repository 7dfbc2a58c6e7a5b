// Dates as feeds write them. g++ 12 has no std::chrono::parse, so this is a small
// hand-written scanner over string_views (no allocation) feeding year_month_day/sys_days.
// Three readers are tried in turn: ISO 8601 (RFC 3339, W3C-DTF, MSSQL, reduced and 2-digit
// forms), two Korean formats, and RFC 822 with its breakages (asctime, Perforce, swapped
// day/month, names in several languages). Nothing is ever taken from the clock.
#include <algorithm>
#include <array>
#include <cstdio>
#include <span>

#include <herald/parser.hpp>

namespace herald::parser {
namespace {

struct NameValue {
    std::string_view name;
    int value;
};

#include "date_names.inc"

constexpr int kMinutesPerHour = 60;
constexpr int kKoreaOffset = 9 * kMinutesPerHour;  // KST; both Korean formats assume it

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}
bool is_word_byte(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           static_cast<unsigned char>(c) >= 0x80;
}
char to_lower(char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return to_lower(x) == to_lower(y);
           });
}

std::optional<int> lookup(std::span<const NameValue> table, std::string_view word) {
    const auto it = std::find_if(table.begin(), table.end(),
                                 [&](const NameValue& entry) { return iequals(entry.name, word); });
    if (it == table.end()) return std::nullopt;
    return it->value;
}

// English abbreviations first: nearly every feed's dates use them, and they sit all over
// kMonthNames (which agrees with them).
std::optional<int> month_number(std::string_view word) {
    constexpr std::string_view kEnglish = "janfebmaraprmayjunjulaugsepoctnovdec";
    for (std::size_t i = 0; word.size() == 3 && i < 12; ++i) {
        if (iequals(word, kEnglish.substr(i * 3, 3))) return static_cast<int>(i) + 1;
    }
    return lookup(kMonthNames, word);
}

bool is_weekday(std::string_view word) {
    return std::any_of(kWeekdayNames.begin(), kWeekdayNames.end(),
                       [&](std::string_view name) { return iequals(name, word); });
}

struct Number {
    int value = 0;
    int digits = 0;
};

// A read position in the date text. Copy it to backtrack.
class Cursor {
public:
    explicit Cursor(std::string_view text) : text_(text) {}

    [[nodiscard]] bool at_end() const { return pos_ >= text_.size(); }
    [[nodiscard]] char peek(std::size_t ahead = 0) const {
        return pos_ + ahead < text_.size() ? text_[pos_ + ahead] : '\0';
    }
    bool consume(char c) {
        if (at_end() || text_[pos_] != c) return false;
        ++pos_;
        return true;
    }
    bool consume(std::string_view literal) {
        if (!text_.substr(pos_).starts_with(literal)) return false;
        pos_ += literal.size();
        return true;
    }
    void skip_spaces() {
        while (peek() == ' ' || peek() == '\t') ++pos_;
    }
    // Spaces, commas and (when allowed) dashes between the parts of an RFC 822 date.
    void skip_separators(bool dashes) {
        while (peek() == ' ' || peek() == '\t' || peek() == ',' || (dashes && peek() == '-')) {
            ++pos_;
        }
    }
    // A run of digits; more than nine digits is never a date field (and would overflow).
    std::optional<Number> number() {
        Number n;
        while (is_digit(peek())) {
            if (n.digits == 9) return std::nullopt;
            n.value = n.value * 10 + (peek() - '0');
            ++n.digits;
            ++pos_;
        }
        if (n.digits == 0) return std::nullopt;
        return n;
    }
    std::string_view word() {
        const std::size_t start = pos_;
        while (is_word_byte(peek())) ++pos_;
        return text_.substr(start, pos_ - start);
    }
    // The rest is empty, or whitespace and an RFC 822 comment such as "(PST)".
    [[nodiscard]] bool at_tail_end() {
        skip_spaces();
        if (consume('(')) {
            while (!at_end() && peek() != ')') ++pos_;
            if (!consume(')')) return false;
            skip_spaces();
        }
        return at_end();
    }

private:
    std::string_view text_;
    std::size_t pos_ = 0;
};

struct Fields {
    int year = 0;
    int month = 1;
    int day = 1;
    int hour = 0;
    int minute = 0;
    int second = 0;
    int offset_minutes = 0;  // east of UTC
};

// Two-digit years per RFC 2822 4.3 (00-49 → 20xx, 50-99 → 19xx), three-digit ones + 1900;
// a fixed pivot, so the answer does not drift with today's date.
int expand_year(Number year) {
    if (year.digits <= 2) return year.value < 50 ? 2000 + year.value : 1900 + year.value;
    if (year.digits == 3) return 1900 + year.value;
    return year.digits == 4 ? year.value : -1;
}

bool is_valid_year(int year) {
    return year >= 1 && year <= 9999;
}

std::optional<Time> to_time(const Fields& f) {
    using namespace std::chrono;
    if (!is_valid_year(f.year) || f.month < 1 || f.day < 1) return std::nullopt;
    const year_month_day date{year{f.year}, month{static_cast<unsigned>(f.month)},
                              day{static_cast<unsigned>(f.day)}};
    if (!date.ok()) return std::nullopt;
    const bool is_end_of_day = f.hour == 24 && f.minute == 0 && f.second == 0;  // ISO 24:00
    if ((f.hour > 23 && !is_end_of_day) || f.minute > 59 || f.second > 60) return std::nullopt;
    const int second = std::min(f.second, 59);  // a leap second; sys_seconds has none
    const Time time = sys_days{date} + hours{f.hour} + minutes{f.minute} + seconds{second} -
                      minutes{f.offset_minutes};
    if (!is_valid_year(static_cast<int>(year_month_day{floor<days>(time)}.year()))) {
        return std::nullopt;
    }
    return time;
}

// ---- shared parts --------------------------------------------------------------------------

// H[H]:MM[:SS][.fraction], or with `basic` also HHMM[SS]. A further ':' is an error.
bool parse_clock(Cursor& c, Fields& f, bool basic, bool hour_only_ok) {
    const auto hour = c.number();
    if (!hour) return false;
    if (basic && (hour->digits == 4 || hour->digits == 6)) {
        const int scale = hour->digits == 6 ? 100 : 1;
        f.hour = hour->value / (100 * scale);
        f.minute = hour->value / scale % 100;
        f.second = hour->digits == 6 ? hour->value % 100 : 0;
    } else {
        if (hour->digits > 2) return false;
        f.hour = hour->value;
        if (!c.consume(':')) return hour_only_ok;
        const auto minute = c.number();
        if (!minute || minute->digits > 2) return false;
        f.minute = minute->value;
        if (c.consume(':')) {
            const auto second = c.number();
            if (!second || second->digits > 2) return false;
            f.second = second->value;
        }
    }
    if ((c.peek() == '.' || c.peek() == ',') && is_digit(c.peek(1))) {
        c.consume(c.peek());
        while (is_digit(c.peek())) c.consume(c.peek());  // sub-second precision is dropped
    }
    return c.peek() != ':';
}

// ±HH[[:]MM] or a zone name (GMT, EST, Etc/GMT, military letters, GMT+01:00, ...).
std::optional<int> parse_zone(Cursor& c) {
    if (c.peek() == '+' || c.peek() == '-') {
        const int sign = c.peek() == '-' ? -1 : 1;
        c.consume(c.peek());
        const auto digits = c.number();
        if (!digits) return std::nullopt;
        int hours = digits->value;
        int minutes = 0;
        if (digits->digits == 4) {
            hours = digits->value / 100;
            minutes = digits->value % 100;
        } else if (digits->digits > 2) {
            return std::nullopt;
        } else if (c.consume(':')) {
            const auto mm = c.number();  // one digit too: "+00:0" (feed-rs rss_1.0_example_1)
            if (!mm || mm->digits > 2) return std::nullopt;
            minutes = mm->value;
        }
        if (hours > 23 || minutes > 59) return std::nullopt;
        return sign * (hours * kMinutesPerHour + minutes);
    }
    std::string_view name = c.word();
    const bool is_tz_database = iequals(name, "etc") && c.consume('/');
    if (is_tz_database) name = c.word();
    const auto offset = lookup(kZoneNames, name);
    if (!offset) return std::nullopt;
    // POSIX signs in "Etc/GMT+5" mean UTC-5; too rare to be worth guessing which one was meant.
    if (is_tz_database && (c.peek() == '+' || c.peek() == '-')) return std::nullopt;
    if (*offset == 0 && name.size() > 1 && (c.peek() == '+' || c.peek() == '-')) {
        return parse_zone(c);  // "GMT-01:01"
    }
    return offset;
}

// ---- ISO 8601 / RFC 3339 / W3C-DTF ---------------------------------------------------------

bool set_ordinal(Fields& f, int ordinal) {
    using namespace std::chrono;
    const bool is_leap = year{f.year}.is_leap();
    if (ordinal < 1 || ordinal > (is_leap ? 366 : 365)) return false;
    const year_month_day date{sys_days{year{f.year} / January / 1} + days{ordinal - 1}};
    f.month = static_cast<int>(static_cast<unsigned>(date.month()));
    f.day = static_cast<int>(static_cast<unsigned>(date.day()));
    return true;
}

// After "YYYY-" or "YY-": MM[-DD], 0MM-DD (Google's extra zero), DDD, or a month name.
bool parse_iso_month_day(Cursor& c, Fields& f) {
    if (is_word_byte(c.peek())) {
        const auto month = month_number(c.word());  // "2004-július-13" (Hungarian)
        if (!month || !c.consume('-')) return false;
        const auto day = c.number();
        if (!day || day->digits > 2) return false;
        f.month = *month;
        f.day = day->value;
        return true;
    }
    const auto part = c.number();
    if (!part) return false;
    if (part->digits == 3 && c.peek() != '-') return set_ordinal(f, part->value);
    if (part->digits != 2 && part->digits != 3) return false;
    f.month = part->value;
    if (!c.consume('-')) return part->digits == 2;
    const auto day = c.number();
    if (!day || day->digits != 2) return false;
    f.day = day->value;
    return true;
}

bool parse_iso_date(Cursor& c, Fields& f, std::string_view text) {
    if (c.consume('-')) {  // "-YYMM" and "-YY-MM", ISO 8601:1988's truncated forms
        const auto first = c.number();
        if (!first) return false;
        if (first->digits == 4) {
            f.year = expand_year({first->value / 100, 2});
            f.month = first->value % 100;
            return true;
        }
        const auto month = c.consume('-') ? c.number() : std::nullopt;
        if (first->digits != 2 || !month || month->digits != 2) return false;
        f.year = expand_year(*first);
        f.month = month->value;
        return true;
    }
    const auto n = c.number();
    if (!n) return false;
    switch (n->digits) {
        case 4:
            f.year = n->value;
            return !c.consume('-') || parse_iso_month_day(c, f);
        case 2:
            f.year = expand_year(*n);
            return c.consume('-') && parse_iso_month_day(c, f);
        case 8:  // YYYYMMDD
            f.year = n->value / 10000;
            f.month = n->value / 100 % 100;
            f.day = n->value % 100;
            return true;
        case 7:  // YYYYDDD
            f.year = n->value / 1000;
            return set_ordinal(f, n->value % 1000);
        case 6:  // YYMMDD
            f.year = expand_year({n->value / 10000, 2});
            f.month = n->value / 100 % 100;
            f.day = n->value % 100;
            return true;
        case 5:
            // YYDDD, but only written with a leading zero ("03335"): "22013" reads as well as
            // a five-digit year, which no feed means, so it is refused rather than guessed.
            if (text.front() != '0') return false;
            f.year = expand_year({n->value / 1000, 2});
            return set_ordinal(f, n->value % 1000);
        default:
            return false;
    }
}

std::optional<Time> parse_iso8601(std::string_view text) {
    Cursor c(text);
    Fields f;
    if (!parse_iso_date(c, f, text)) return std::nullopt;
    bool has_time = false;
    if (c.consume('T') || c.consume('t')) {
        if (!parse_clock(c, f, true, true)) return std::nullopt;
        has_time = true;
    } else if (c.peek() == ' ') {
        Cursor after_space = c;
        after_space.skip_spaces();
        if (is_digit(after_space.peek())) {  // "2004-07-08 23:56:58" (MSSQL, Hungarian)
            c = after_space;
            if (!parse_clock(c, f, false, false)) return std::nullopt;
            has_time = true;
        }
    }
    if (has_time) {
        c.skip_spaces();
        if (!c.at_end()) {
            const auto offset = parse_zone(c);
            if (!offset) return std::nullopt;
            f.offset_minutes = *offset;
        }
    }
    if (!c.at_tail_end()) return std::nullopt;
    return to_time(f);
}

// ---- Korean --------------------------------------------------------------------------------

// "2004년 05월 28일  01:31:15" (OnBlog) and "2004-05-25 오후 11:23:17" (Nate), both KST.
std::optional<Time> parse_korean(std::string_view text) {
    Cursor c(text);
    Fields f;
    f.offset_minutes = kKoreaOffset;
    const auto year = c.number();
    if (!year || year->digits != 4) return std::nullopt;
    f.year = year->value;
    if (c.consume("\uB144")) {  // 년 ... 월 ... 일
        c.skip_spaces();
        const auto month = c.number();
        if (!month || !c.consume("\uC6D4")) return std::nullopt;
        c.skip_spaces();
        const auto day = c.number();
        if (!day || !c.consume("\uC77C")) return std::nullopt;
        f.month = month->value;
        f.day = day->value;
        c.skip_spaces();
        if (!parse_clock(c, f, false, false)) return std::nullopt;
        return c.at_tail_end() ? to_time(f) : std::nullopt;
    }
    const auto month = c.consume('-') ? c.number() : std::nullopt;
    const auto day = month && c.consume('-') ? c.number() : std::nullopt;
    if (!day) return std::nullopt;
    f.month = month->value;
    f.day = day->value;
    c.skip_spaces();
    const bool is_pm = c.consume("\uC624\uD6C4");  // 오후; 오전 is the morning
    if (!is_pm && !c.consume("\uC624\uC804")) return std::nullopt;
    c.skip_spaces();
    if (!parse_clock(c, f, false, false) || f.hour > 12) return std::nullopt;
    f.hour = f.hour % 12 + (is_pm ? 12 : 0);
    return c.at_tail_end() ? to_time(f) : std::nullopt;
}

// ---- RFC 822 and relatives -----------------------------------------------------------------

bool starts_time(Cursor c) {
    return c.number().has_value() && c.peek() == ':';
}

// "24 Nov 2023", "Nov 24 2023", "Nov 24 18:28:36 2023", "2006/09/15"; leaves `has_year`
// false for asctime, whose year comes after the time.
bool parse_rfc822_date(Cursor& c, Fields& f, bool& has_year) {
    const auto first = c.number();
    if (first && first->digits == 4 && c.consume('/')) {  // Perforce
        const auto month = c.number();
        const auto day = month && c.consume('/') ? c.number() : std::nullopt;
        if (!day) return false;
        f.year = first->value;
        f.month = month->value;
        f.day = day->value;
        has_year = true;
        return true;
    }
    if (first) {
        if (first->digits > 2) return false;
        f.day = first->value;
        c.skip_separators(true);
        const auto month = month_number(c.word());
        if (!month) return false;
        f.month = *month;
        c.consume('.');
        c.skip_separators(true);
    } else {
        const auto month = month_number(c.word());
        if (!month) return false;
        f.month = *month;
        c.consume('.');
        c.skip_separators(false);
        const auto day = c.number();
        if (!day || day->digits > 2) return false;
        f.day = day->value;
        c.skip_separators(false);
        if (starts_time(c)) return true;  // asctime
    }
    const auto year = c.number();
    if (!year || c.peek() == ':') return false;
    f.year = expand_year(*year);
    has_year = true;
    return true;
}

std::optional<Time> parse_rfc822(std::string_view text, bool skip_weekday) {
    Cursor c(text);
    Fields f;
    if (skip_weekday) {
        const std::string_view weekday = c.word();
        if (weekday.empty() || (!is_weekday(weekday) && c.peek() != ',')) return std::nullopt;
        c.consume('.');
        c.skip_separators(false);
    }
    bool has_year = false;
    if (!parse_rfc822_date(c, f, has_year)) return std::nullopt;
    c.skip_separators(false);
    if (is_digit(c.peek()) && starts_time(c)) {
        if (!parse_clock(c, f, false, false)) return std::nullopt;
        c.skip_spaces();
        Cursor meridiem = c;
        const std::string_view word = meridiem.word();
        if ((iequals(word, "am") || iequals(word, "pm")) && f.hour >= 1 && f.hour <= 12) {
            f.hour = f.hour % 12 + (iequals(word, "pm") ? 12 : 0);
            c = meridiem;
            c.skip_spaces();
        }
    }
    if (c.peek() == '+' || c.peek() == '-' || is_word_byte(c.peek())) {
        const auto offset = parse_zone(c);
        if (!offset) return std::nullopt;
        f.offset_minutes = *offset;
        c.skip_spaces();
    }
    if (!has_year) {
        const auto year = c.number();
        if (!year || year->digits != 4) return std::nullopt;  // never the current year
        f.year = year->value;
    }
    if (!c.at_tail_end()) return std::nullopt;
    return to_time(f);
}

std::string_view trim(std::string_view text) {
    const auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
    while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
    while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
    return text;
}

}  // namespace

std::optional<Time> parse_date(std::string_view text) {
    text = trim(text);
    if (text.empty()) return std::nullopt;
    if (is_digit(text.front()) || text.front() == '-') {
        if (auto time = parse_iso8601(text)) return time;
        if (auto time = parse_korean(text)) return time;
    }
    if (is_word_byte(text.front())) {
        if (auto time = parse_rfc822(text, true)) return time;
    }
    return parse_rfc822(text, false);
}

std::string format_time(Time time) {
    using namespace std::chrono;
    const auto day_start = floor<days>(time);
    const year_month_day date{day_start};
    const hh_mm_ss clock{time - day_start};
    std::array<char, 32> buffer{};
    const int length = std::snprintf(
        buffer.data(), buffer.size(), "%04d-%02u-%02uT%02d:%02d:%02dZ",
        static_cast<int>(date.year()), static_cast<unsigned>(date.month()),
        static_cast<unsigned>(date.day()), static_cast<int>(clock.hours().count()),
        static_cast<int>(clock.minutes().count()), static_cast<int>(clock.seconds().count()));
    return std::string(buffer.data(), static_cast<std::size_t>(std::max(length, 0)));
}

}  // namespace herald::parser
