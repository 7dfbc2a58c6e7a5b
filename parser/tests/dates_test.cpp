#include <gtest/gtest.h>

#include <herald/parser.hpp>

namespace herald::parser {
namespace {

// parse_date's answer as format_time prints it, or "null".
std::string parsed(std::string_view text) {
    const auto time = parse_date(text);
    return time ? format_time(*time) : "null";
}

struct DateCase {
    const char* input;
    const char* expected;
};

void expect_all(std::initializer_list<DateCase> cases) {
    for (const DateCase& c : cases) EXPECT_EQ(parsed(c.input), c.expected) << c.input;
}

TEST(FormatTime, PrintsUtcWithFourDigitYear) {
    using namespace std::chrono;
    EXPECT_EQ(format_time(Time{}), "1970-01-01T00:00:00Z");
    EXPECT_EQ(format_time(sys_days{year{2003} / 12 / 31} + hours{10} + minutes{14} + seconds{55}),
              "2003-12-31T10:14:55Z");
    EXPECT_EQ(format_time(sys_days{year{99} / 12 / 31} + hours{23}), "0099-12-31T23:00:00Z");
}

TEST(ParseDate, Rfc822) {
    expect_all({
        {"Thu, 01 Jan 2004 19:48:21 GMT", "2004-01-01T19:48:21Z"},
        {"01 Jan 2004 19:48:21 GMT", "2004-01-01T19:48:21Z"},       // no weekday
        {"Thu, 01 Jan 2004 19:48 GMT", "2004-01-01T19:48:00Z"},     // no seconds
        {"Thu, 01 Jan 2004", "2004-01-01T00:00:00Z"},               // no time
        {"Thu,  5 Apr 2012 10:00:00 GMT", "2012-04-05T10:00:00Z"},  // one-digit day
        {"Thu 5 Apr 2012 10:00:00 GMT", "2012-04-05T10:00:00Z"},    // no comma
        {"Fri,24 Nov 2023 18:28:36 -0000", "2023-11-24T18:28:36Z"},
        {"Mon, 13 Feb, 2012 06:28:00 UTC", "2012-02-13T06:28:00Z"},         // extra comma
        {"Mon, 26 January 2004 16:31:00 ET", "2004-01-26T21:31:00Z"},       // long month
        {"Thu Aug 30 2012 17:26:16 +0200", "2012-08-30T15:26:16Z"},         // month before day
        {"Tue, 10 Jun 2003 04:00:00 +0000 (UTC)", "2003-06-10T04:00:00Z"},  // RFC 2822 comment
        {"Jun 10, 2003 5:00 PM EST", "2003-06-10T22:00:00Z"},
        {"Sat, Dec 16 2023 02:02:33 PM", "2023-12-16T14:02:33Z"},
        {"Sun, 20 Apr 2014 8:19 pm CEST", "2014-04-20T18:19:00Z"},
        {"24-Nov-2023 18:28:36 +0000", "2023-11-24T18:28:36Z"},
    });
}

TEST(ParseDate, Rfc822Years) {
    expect_all({
        {"Thu, 01 Jan 04 19:48:21 GMT", "2004-01-01T19:48:21Z"},
        {"Fri, 01 Jan 99 19:48:21 GMT", "1999-01-01T19:48:21Z"},  // RFC 2822 pivot: 50-99
        {"Sat, 01 Jan 49 00:00:00 GMT", "2049-01-01T00:00:00Z"},
        {"Thu, 01 Jan 0100 00:00:01 +0100", "0099-12-31T23:00:01Z"},
    });
}

TEST(ParseDate, Rfc822Zones) {
    expect_all({
        {"Mon, 26 Jan 2004 16:31:00 EST", "2004-01-26T21:31:00Z"},
        {"Mon, 26 Jul 2004 16:31:00 EDT", "2004-07-26T20:31:00Z"},
        {"Mon, 26 Jan 2004 16:31:00 CST", "2004-01-26T22:31:00Z"},
        {"Mon, 26 Jul 2004 16:31:00 CDT", "2004-07-26T21:31:00Z"},
        {"Mon, 26 Jan 2004 16:31:00 MST", "2004-01-26T23:31:00Z"},
        {"Mon, 26 Jul 2004 16:31:00 MDT", "2004-07-26T22:31:00Z"},
        {"Mon, 26 Jan 2004 16:31:00 PST", "2004-01-27T00:31:00Z"},
        {"Mon, 26 Jul 2004 16:31:00 PDT", "2004-07-26T23:31:00Z"},
        {"Mon, 26 Jan 2004 16:31:00 AT", "2004-01-26T20:31:00Z"},
        {"Mon, 26 Jan 2004 16:31:00 ut", "2004-01-26T16:31:00Z"},
        {"Mon, 26 Jan 2004 16:31:00 Z", "2004-01-26T16:31:00Z"},
        {"Mon, 26 Jan 2004 16:31:00 A", "2004-01-26T17:31:00Z"},  // RFC 822's military table
        {"Mon, 26 Jan 2004 16:31:00 N", "2004-01-26T15:31:00Z"},
        {"Mon, 26 Jan 2004 16:31:00 Y", "2004-01-26T04:31:00Z"},
        {"Thu, 30 Apr 2015 08:57:00 MET", "2015-04-30T07:57:00Z"},
        {"Thu, 30 Apr 2015 08:57:00 MEST", "2015-04-30T06:57:00Z"},
        {"Wed, 19 Aug 2009 18:28:00 Etc/GMT", "2009-08-19T18:28:00Z"},
        {"Wed, 19 Feb 2012 22:40:00 GMT-01:01", "2012-02-19T23:41:00Z"},
        {"Wed, 19 Feb 2012 22:40:00 -01:01", "2012-02-19T23:41:00Z"},
        {"Wed, 19 Feb 2012 22:40:00 +0530", "2012-02-19T17:10:00Z"},
        {"Wed, 19 Feb 2012 22:40:00 +05", "2012-02-19T17:40:00Z"},
    });
}

TEST(ParseDate, Rfc822Rejects) {
    expect_all({
        {"Sun, 16 Dec 2012 1:2:3:4 GMT", "null"},
        {"Sun, 16 zzz 2012 11:47:32 GMT", "null"},
        {"Sun, Dec x 2012 11:47:32 GMT", "null"},
        {"Sun, 16 Dec zz 11:47:32 GMT", "null"},
        {"Sun, 16 Dec 2012 11:47:32 +zz:00", "null"},
        {"Sun, 16 Dec 2012 11:47:32 +00:zz", "null"},
        {"Sun, 16 Dec 2012 11:47:32 XYZ", "null"},        // unknown zone name
        {"Sun, 16 Dec 2012 11:47:32 Etc/GMT+5", "null"},  // POSIX sign: ambiguous
        {"Sun, 99 Jun 2009 12:00:00 GMT", "null"},
        {"Sun, 31 Dec 9999 23:59:59 -9999", "null"},
        {"Sun, 16 Dec 2012 24:47:32 GMT", "null"},
        {"Sun, 16 Dec 2012 11:47:32 GMT trailing", "null"},
    });
}

TEST(ParseDate, NeverUsesTodaysDate) {
    expect_all({
        {"16 Dec 11:47:32 GMT", "null"},  // no year
        {"Sun Jan  4 16:29:06", "null"},  // asctime without its year
        {"--12-31", "null"},              // ISO without year
        {"11:47:32", "null"},
        {"Sunday", "null"},
    });
}

TEST(ParseDate, Asctime) {
    expect_all({
        {"Sun Jan  4 16:29:06 2004", "2004-01-04T16:29:06Z"},
        {"Sun Jul 15 01:16:00 +0000 2012", "2012-07-15T01:16:00Z"},
    });
}

TEST(ParseDate, Perforce) {
    expect_all({
        {"Fri, 2006/09/15 08:19:53 EDT", "2006-09-15T12:19:53Z"},
        {"2006/01/02 13:04:05", "2006-01-02T13:04:05Z"},
    });
}

TEST(ParseDate, W3cDtfAndRfc3339) {
    expect_all({
        {"2003-12-31T10:14:55Z", "2003-12-31T10:14:55Z"},
        {"2003-12-31t10:14:55z", "2003-12-31T10:14:55Z"},
        {"2003-12-31T10:14:55-08:00", "2003-12-31T18:14:55Z"},
        {"2003-12-31T18:14:55+08:00", "2003-12-31T10:14:55Z"},
        {"2003-12-31T10:14:55.123+01:00", "2003-12-31T09:14:55Z"},
        {"2003-12-31T10:14:55.1234Z", "2003-12-31T10:14:55Z"},
        {"2003-12-31T10:14Z", "2003-12-31T10:14:00Z"},
        {"2003-12-31T10:14:55+0100", "2003-12-31T09:14:55Z"},
        {"2017-06-13T03:18:00+00:0", "2017-06-13T03:18:00Z"},  // truncated offset
        {"2003-12-31", "2003-12-31T00:00:00Z"},
        {"2003-12", "2003-12-01T00:00:00Z"},
        {"2003", "2003-01-01T00:00:00Z"},
        {"2003-12-31T24:00:00Z", "2004-01-01T00:00:00Z"},  // ISO end of day
        {"2016-12-31T23:59:60Z", "2016-12-31T23:59:59Z"},  // leap second, clamped
        {"  2003-12-31T10:14:55Z\n", "2003-12-31T10:14:55Z"},
    });
}

TEST(ParseDate, Iso8601CompactAndTruncatedForms) {
    expect_all({
        {"20031231", "2003-12-31T00:00:00Z"},
        {"20031231T101455Z", "2003-12-31T10:14:55Z"},
        {"2003335", "2003-12-01T00:00:00Z"},  // ordinal
        {"2003-335", "2003-12-01T00:00:00Z"},
        {"2004-366", "2004-12-31T00:00:00Z"},  // leap year ordinal
        {"031231", "2003-12-31T00:00:00Z"},
        {"03-12-31", "2003-12-31T00:00:00Z"},
        {"-0312", "2003-12-01T00:00:00Z"},
        {"-03-12", "2003-12-01T00:00:00Z"},
        {"03335", "2003-12-01T00:00:00Z"},
        {"2003-012-31T10:14:55+00:00", "2003-12-31T10:14:55Z"},  // Google's extra zero
    });
}

TEST(ParseDate, MssqlStyle) {
    expect_all({
        {"2004-07-08 23:56:58", "2004-07-08T23:56:58Z"},
        {"2004-07-08 23:56:58.0", "2004-07-08T23:56:58Z"},
        {"2004-07-08 23:56:58 -00:20", "2004-07-09T00:16:58Z"},
    });
}

TEST(ParseDate, OffsetsCrossMonthAndLeapDay) {
    expect_all({
        {"2004-02-28T18:14:55-08:00", "2004-02-29T02:14:55Z"},
        {"2003-02-28T18:14:55-08:00", "2003-03-01T02:14:55Z"},
        {"2000-02-28T18:14:55-08:00", "2000-02-29T02:14:55Z"},
        {"1900-02-28T18:14:55-08:00", "1900-03-01T02:14:55Z"},
    });
}

TEST(ParseDate, Iso8601Rejects) {
    expect_all({
        {"9999-12-31T23:59:59-99:99", "null"},
        {"9999-12-31T23:59:59-01:00", "null"},  // year 10000 in UTC
        {"2003-12-31T25:14:55Z", "null"},
        {"2003-12-31T10:61:55Z", "null"},
        {"2003-12-31T10:14:61Z", "null"},
        {"2003-02-29", "null"},  // no leap day in 2003
        {"2003-366", "null"},
        {"22013", "null"},
        {"013", "null"},
        {"2013-01-27-01", "null"},
        {"2013-01-28T11:30:00-06:00Textra", "null"},
        {"2013-xx-27", "null"},
        {"2013-01-28T09:xx:00Z", "null"},
        {"2013-01-28T09:00:00+00:xx", "null"},
        {"1518478934", "null"},  // a Unix timestamp, not a date
        {"0000-01-01", "null"},
    });
}

TEST(ParseDate, NonEnglishNames) {
    expect_all({
        {"\u039a\u03c5\u03c1, 11 \u0399\u03bf\u03cd\u03bb 2004 12:00:00 EST",
         "2004-07-11T17:00:00Z"},                                          // Greek
        {"2004-j\u00falius-13T9:15-05:00", "2004-07-13T14:15:00Z"},        // Hungarian
        {"mer, 16 nov 2022 00:38:15 +0100", "2022-11-15T23:38:15Z"},       // French
        {"Mi, 05 M\u00e4rz 2014 10:00:00 +0100", "2014-03-05T09:00:00Z"},  // German
        {"Seg, 24 Set 2018 10:00:00 -0300", "2018-09-24T13:00:00Z"},       // Portuguese
        {"mi\u00e9, 10 ene 2018 12:00:00 +0000", "2018-01-10T12:00:00Z"},  // Spanish
        {"gio, 12 ott 2017 08:00:00 +0200", "2017-10-12T06:00:00Z"},       // Italian
        {"wo, 15 mrt 2017 09:30:00 +0100", "2017-03-15T08:30:00Z"},        // Dutch
        {"5 janv. 2021 10:00:00 +0100", "2021-01-05T09:00:00Z"},
    });
}

TEST(ParseDate, KoreanFormats) {
    expect_all({
        {"2004-05-25 \uc624\ud6c4 11:23:17", "2004-05-25T14:23:17Z"},  // PM, KST
        {"2004-05-25 \uc624\uc804 11:23:17", "2004-05-25T02:23:17Z"},  // AM
        {"2004-05-25 \uc624\uc804 12:05:00", "2004-05-24T15:05:00Z"},  // 12 AM is midnight
        {"2004\ub144 05\uc6d4 28\uc77c  01:31:15", "2004-05-27T16:31:15Z"},
    });
}

TEST(ParseDate, RejectsEmptyAndJunk) {
    expect_all({{"", "null"},
                {"   ", "null"},
                {"not a date", "null"},
                {"-", "null"},
                {"2003-12-31T", "null"},
                {"Thu, 01", "null"}});
}

}  // namespace
}  // namespace herald::parser
