#!/usr/bin/env python3
"""Writes the encoding fixtures of parser/tests/encoding_test.cpp into
parser/tests/data/encoding/. Each is a tiny RSS document whose <title> holds TEXT[...] in
the named encoding; the test compares the decoded title with the same text in UTF-8.

Usage: python3 parser/tools/gen_encoding_fixtures.py [OUTPUT_DIR]
"""
import os
import sys

LATIN = "Caf\u00e9 \u201cquoted\u201d \u00fc"
TEXT = {
    "latin": LATIN,
    "russian": "\u041d\u043e\u0432\u043e\u0441\u0442\u0438",
    "japanese": "\u65e5\u672c\u8a9e\u306e\u30d5\u30a3\u30fc\u30c9",
    "korean": "\ub144 \ud55c\uad6d\uc5b4",
    "simplified": "\u4e2d\u6587\u9891\u9053",
    "traditional": "\u4e2d\u6587\u983b\u9053",
}


def document(declared, title):
    declaration = f'<?xml version="1.0" encoding="{declared}"?>\n' if declared else ""
    return f"{declaration}<rss version=\"2.0\"><channel><title>{title}</title></channel></rss>\n"


def fixtures():
    wide = document("utf-16", TEXT["latin"])
    wide32 = document("utf-32", TEXT["latin"])
    yield "utf8.xml", document("utf-8", TEXT["latin"]).encode("utf-8")
    yield "utf8_bom.xml", b"\xef\xbb\xbf" + document("utf-8", TEXT["latin"]).encode("utf-8")
    yield "utf8_no_declaration.xml", document(None, TEXT["latin"]).encode("utf-8")
    yield "utf16le_bom.xml", b"\xff\xfe" + wide.encode("utf-16-le")
    yield "utf16be_bom.xml", b"\xfe\xff" + wide.encode("utf-16-be")
    yield "utf16le_sniffed.xml", wide.encode("utf-16-le")
    yield "utf16be_sniffed.xml", wide.encode("utf-16-be")
    yield "utf32le_bom.xml", b"\xff\xfe\x00\x00" + wide32.encode("utf-32-le")
    yield "utf32be_sniffed.xml", wide32.encode("utf-32-be")
    yield "utf16le_declares_utf8.xml", b"\xff\xfe" + document("utf-8", LATIN).encode("utf-16-le")
    yield "latin1.xml", document("iso-8859-1", TEXT["latin"]).encode("cp1252")
    yield "windows1252.xml", document("windows-1252", TEXT["latin"]).encode("cp1252")
    yield "utf8_declared_latin1_bytes.xml", document("utf-8", TEXT["latin"]).encode("cp1252")
    yield "no_declaration_latin1_bytes.xml", document(None, TEXT["latin"]).encode("cp1252")
    yield "utf8_with_stray_latin1.xml", (
        document("utf-8", TEXT["russian"] + " \x00\x00").encode("utf-8").replace(
            b"\x00\x00", "Espa\u00f1a".encode("cp1252")))
    yield "utf8_declares_utf16.xml", document("utf-16", TEXT["latin"]).encode("utf-8")
    yield "bogus_encoding.xml", document("bogus", TEXT["latin"]).encode("utf-8")
    yield "koi8r.xml", document("koi8-r", TEXT["russian"]).encode("koi8-r")
    yield "shift_jis.xml", document("shift_jis", TEXT["japanese"]).encode("shift_jis")
    yield "euc_jp.xml", document("euc-jp", TEXT["japanese"]).encode("euc-jp")
    yield "euc_kr.xml", document("euc-kr", TEXT["korean"]).encode("euc-kr")
    yield "gb2312.xml", document("gb2312", TEXT["simplified"]).encode("gb2312")
    yield "big5.xml", document("big5", TEXT["traditional"]).encode("big5")
    # A lone lead byte (0x81) before '<' is invalid Shift_JIS: recovered with U+FFFD.
    yield "shift_jis_invalid.xml", document("shift_jis", TEXT["japanese"]).encode(
        "shift_jis").replace(b"</title>", b"\x81</title>")
    yield "controls.xml", document("utf-8", "a\x00b\x01c\x0bd\x1fe\tf").encode("utf-8")


def main():
    out_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(__file__), "..", "tests", "data", "encoding")
    os.makedirs(out_dir, exist_ok=True)
    for name, data in fixtures():
        with open(os.path.join(out_dir, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
