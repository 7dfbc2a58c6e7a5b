#!/usr/bin/env python3
"""Writes the deterministic bench corpus: ~1,000 realistic feeds plus, with --big, a 10 MB and
a 50 MB feed. The parser, fetch and end-to-end benchmarks all read it.

usage: gen_corpus.py OUTDIR [--feeds N] [--big] [--grow K] [--seed S]

OUTDIR/feeds/feed-0001.xml ...  RSS 2.0 (~55%), Atom 1.0 (~35%) and RSS 1.0 (~10%) feeds of
                                20-50 items, HTML bodies of 1-4 KB (escaped HTML, CDATA,
                                numeric and named references), RFC 822 and RFC 3339 dates,
                                categories, enclosures, dc:creator, content:encoded
OUTDIR/big/big-10mb.xml, big-50mb.xml   (--big) RSS 2.0 with as many items as fit
OUTDIR/manifest.json            what was written: format, items, bytes and guid range per file

Everything depends only on the seed, never on the clock: item j of feed i is the same bytes in
every run, its guid is unique in its feed and stable, and --feeds N writes a prefix of what a
larger N writes. --grow K slides every feed's window by K items (K newer items appear, the K
oldest drop out, as a real feed's would), for "changed feed" runs; shared items stay identical.
Named HTML references such as &eacute; appear only inside CDATA or escaped HTML, so every file
is well-formed XML.
"""
import argparse
import calendar
import datetime
import json
import os
import random
import sys

kDefaultSeed = 20261125
kEpoch = calendar.timegm((2025, 6, 1, 0, 0, 0))  # fixed: the corpus never depends on today

kWords = (
    "the of and to in is that for it as was with be by on not he this are or his from at which "
    "but have an they you were her she there been one all we their has would when if so no what "
    "feed server release update kernel patch security policy market city council weather report "
    "review album film season match league study research data model network energy climate "
    "budget election museum garden recipe coffee bread travel river mountain station library "
    "software hardware protocol latency throughput database archive window morning evening "
    "quarterly analysis interview community volunteer festival concert exhibition harbour"
).split()
kUnicodeWords = ["café", "naïve", "Zürich", "München", "São Paulo", "façade", "smörgåsbord",
                 "Ελληνικά", "Москва", "東京", "北京", "résumé", "jalapeño", "Kraków", "€20"]
kNamedRefs = ["&eacute;", "&nbsp;", "&mdash;", "&hellip;", "&rsquo;", "&ldquo;", "&rdquo;",
              "&copy;", "&uuml;", "&ndash;", "&euro;", "&auml;"]
kNumericRefs = ["&#8217;", "&#x2014;", "&#233;", "&#8230;", "&#x201C;", "&#x201D;", "&#169;"]
kNamedToNumeric = {"&eacute;": "&#233;", "&nbsp;": "&#160;", "&mdash;": "&#8212;",
                   "&hellip;": "&#8230;", "&rsquo;": "&#8217;", "&ldquo;": "&#8220;",
                   "&rdquo;": "&#8221;", "&copy;": "&#169;", "&uuml;": "&#252;",
                   "&ndash;": "&#8211;", "&euro;": "&#8364;", "&auml;": "&#228;"}
kFirstNames = ["Jane", "Amir", "Lena", "Kofi", "Mei", "Oskar", "Priya", "Tomás", "Zoë", "Ravi"]
kLastNames = ["Doe", "Okafor", "Müller", "Nakamura", "Silva", "Kowalski", "Haddad", "Larsen"]
kCategories = ["Linux", "Open Source", "Politics", "Science", "Music", "Food & Drink", "Travel",
               "Security", "Programming", "Climate", "Sport", "Books", "Film", "Économie"]
kDays = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
kMonths = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
kRfc822Zones = [("GMT", 0), ("+0000", 0), ("-0500", -300), ("+0200", 120), ("EST", -300),
                ("+0530", 330), ("-0800", -480), ("UT", 0)]
kRfc3339Zones = [("Z", 0), ("+02:00", 120), ("-04:00", -240), ("+09:00", 540), ("+00:00", 0)]
kMediaTypes = [("audio/mpeg", "mp3"), ("video/mp4", "mp4"), ("image/jpeg", "jpg"),
               ("application/pdf", "pdf")]


def xml_escape(text):
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def attr_escape(text):
    return xml_escape(text).replace('"', "&quot;")


def sentence(rng, words=None):
    count = words or rng.randint(6, 18)
    out = []
    for _ in range(count):
        roll = rng.random()
        if roll < 0.04:
            out.append(rng.choice(kUnicodeWords))
        else:
            out.append(rng.choice(kWords))
    out[0] = out[0].capitalize()
    return " ".join(out)


def html_paragraph(rng):
    """One block of HTML as an author writes it: may hold named references (&eacute;)."""
    parts = []
    for _ in range(rng.randint(2, 5)):
        text = sentence(rng)
        roll = rng.random()
        if roll < 0.25:
            href = f"https://example.org/{rng.choice(kWords)}?id={rng.randint(1, 9999)}&amp;ref=rss"
            text += f' <a href="{href}">{rng.choice(kWords)} {rng.choice(kWords)}</a>'
        elif roll < 0.40:
            text = f"<em>{text}</em>"
        elif roll < 0.50:
            text += f" <strong>{rng.choice(kWords)}</strong>"
        if rng.random() < 0.35:
            text += " " + rng.choice(kNamedRefs) + " " + rng.choice(kWords)
        if rng.random() < 0.30:
            text += rng.choice(kNumericRefs) + rng.choice(kWords)
        if rng.random() < 0.15:
            text += " Tom &amp; Jerry, 3 &lt; 4"
        parts.append(text + ".")
    kind = rng.random()
    body = " ".join(parts)
    if kind < 0.70:
        return f"<p>{body}</p>\n"
    if kind < 0.80:
        items = "".join(f"<li>{sentence(rng, 5)}</li>" for _ in range(rng.randint(2, 5)))
        return f"<p>{body}</p>\n<ul>{items}</ul>\n"
    if kind < 0.88:
        return f"<blockquote><p>{body}</p></blockquote>\n"
    if kind < 0.94:
        return (f"<p>{body}</p>\n<pre><code>if (a &lt; b &amp;&amp; c &gt; d) {{\n"
                f"    return {rng.choice(kWords)};\n}}</code></pre>\n")
    src = f"https://cdn.example.org/img/{rng.randint(1, 99999)}.jpg"
    return f'<p><img src="{src}" alt="{rng.choice(kWords)}" width="640" height="360"/><br/>{body}</p>\n'


class Pool:
    """Paragraphs made once from the seed; bodies are cheap picks from it."""

    def __init__(self, seed):
        rng = random.Random(seed)
        self.paragraphs = [html_paragraph(rng) for _ in range(600)]

    def body(self, rng, low, high):
        target = rng.randint(low, high)
        out, size = [], 0
        while size < target:
            para = rng.choice(self.paragraphs)
            out.append(para)
            size += len(para)
        return "".join(out)


def rfc822(ts, rng):
    zone, minutes = rng.choice(kRfc822Zones)
    t = datetime.datetime.fromtimestamp(ts + minutes * 60, datetime.timezone.utc)
    return (f"{kDays[t.weekday()]}, {t.day:02d} {kMonths[t.month - 1]} {t.year} "
            f"{t.hour:02d}:{t.minute:02d}:{t.second:02d} {zone}")


def rfc3339(ts, rng):
    zone, minutes = rng.choice(kRfc3339Zones)
    t = datetime.datetime.fromtimestamp(ts + minutes * 60, datetime.timezone.utc)
    frac = f".{rng.randint(0, 999):03d}" if rng.random() < 0.2 else ""
    return t.strftime("%Y-%m-%dT%H:%M:%S") + frac + zone


def person(rng):
    return f"{rng.choice(kFirstNames)} {rng.choice(kLastNames)}"


def title_text(rng):
    """A title as XML text: plain words, sometimes &amp; or a numeric reference."""
    words = sentence(rng, rng.randint(4, 10))
    roll = rng.random()
    if roll < 0.15:
        words += " &amp; " + rng.choice(kWords)
    elif roll < 0.25:
        words = words.replace(" ", " &#8220;", 1) + "&#8221;"
    elif roll < 0.30:
        words = xml_escape(words) + " &lt;3"
        return words
    return words


class FeedSpec:
    """Everything about feed `index` that does not change between runs."""

    def __init__(self, seed, index):
        rng = random.Random(seed * 1_000_003 + index)
        self.index = index
        roll = rng.random()
        self.format = "rss2.0" if roll < 0.55 else ("atom1.0" if roll < 0.90 else "rss1.0")
        self.items = rng.randint(20, 50)
        self.step = rng.randint(3600, 2 * 86400)  # seconds between posts
        self.start = kEpoch + rng.randint(0, 86400 * 30)
        self.host = f"site{index:04d}.example"
        self.title = sentence(rng, rng.randint(2, 5))
        self.podcast = rng.random() < 0.25
        self.full_content = rng.random() < 0.75  # content:encoded / <content> beside a summary
        self.cdata = rng.random() < 0.6
        self.permalink_guid = rng.random() < 0.4
        self.language = rng.choice(["en-us", "en", "de", "fr-FR", "ja", None])

    def guid(self, j):
        if self.format == "atom1.0":
            return f"tag:{self.host},2025:post-{j:05d}"
        if self.format == "rss1.0" or self.permalink_guid:
            return self.link(j)
        return f"urn:herald-bench:feed-{self.index:04d}:item-{j:05d}"

    def link(self, j):
        return f"https://{self.host}/posts/{j:05d}.html"

    def published(self, j):
        return self.start + j * self.step


def item_rng(seed, index, j):
    return random.Random((seed << 42) ^ (index << 21) ^ j)


def embed_html(html, cdata):
    if cdata:
        return f"<![CDATA[{html}]]>"
    return xml_escape(html)


def rss2_item(spec, pool, seed, j):
    rng = item_rng(seed, spec.index, j)
    out = [f"<item>\n<title>{title_text(rng)}</title>\n<link>{spec.link(j)}</link>\n"]
    permalink = "true" if spec.guid(j) == spec.link(j) else "false"
    out.append(f'<guid isPermaLink="{permalink}">{spec.guid(j)}</guid>\n')
    out.append(f"<pubDate>{rfc822(spec.published(j), rng)}</pubDate>\n")
    roll = rng.random()
    if roll < 0.6:
        out.append(f"<dc:creator>{person(rng)}</dc:creator>\n")
    elif roll < 0.8:
        out.append(f"<author>{rng.choice(kFirstNames).lower()}@{spec.host} ({person(rng)})</author>\n")
    for _ in range(rng.randint(0, 4)):
        out.append(f"<category>{xml_escape(rng.choice(kCategories))}</category>\n")
    if spec.full_content:
        summary = pool.body(rng, 150, 400)
        out.append(f"<description>{embed_html(summary, rng.random() < 0.3)}</description>\n")
        body = pool.body(rng, 1024, 4096)
        out.append(f"<content:encoded>{embed_html(body, True)}</content:encoded>\n")
    else:
        body = pool.body(rng, 1024, 4096)
        out.append(f"<description>{embed_html(body, spec.cdata)}</description>\n")
    if spec.podcast:
        media, ext = rng.choice(kMediaTypes)
        url = f"https://media.{spec.host}/{j:05d}.{ext}"
        out.append(f'<enclosure url="{url}" length="{rng.randint(10**5, 10**8)}" type="{media}"/>\n')
    out.append(f"<comments>{spec.link(j)}#comments</comments>\n</item>\n")
    return "".join(out)


def rss2_document(spec, pool, seed, first, last, header_rng):
    newest = spec.published(last - 1)
    head = [
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom" '
        'xmlns:sy="http://purl.org/rss/1.0/modules/syndication/">\n<channel>\n',
        f"<title>{spec.title}</title>\n<link>https://{spec.host}/</link>\n",
        f"<description>{sentence(header_rng)}</description>\n",
        f'<atom:link href="https://{spec.host}/feed.xml" rel="self" type="application/rss+xml"/>\n',
        f"<lastBuildDate>{rfc822(newest, header_rng)}</lastBuildDate>\n",
        "<generator>https://wordpress.org/?v=6.4.2</generator>\n",
        "<sy:updatePeriod>hourly</sy:updatePeriod>\n<sy:updateFrequency>1</sy:updateFrequency>\n",
        f"<ttl>{header_rng.choice([15, 30, 60, 120])}</ttl>\n",
    ]
    if spec.language:
        head.append(f"<language>{spec.language}</language>\n")
    head.append(f"<image><url>https://{spec.host}/logo.png</url><title>{spec.title}</title>"
                f"<link>https://{spec.host}/</link></image>\n")
    items = [rss2_item(spec, pool, seed, j) for j in range(last - 1, first - 1, -1)]
    return "".join(head) + "".join(items) + "</channel>\n</rss>\n"


def atom_entry(spec, pool, seed, j):
    rng = item_rng(seed, spec.index, j)
    published = spec.published(j)
    out = ["<entry>\n"]
    if rng.random() < 0.3:
        out.append(f'<title type="html">{xml_escape("<b>" + sentence(rng, 6) + "</b>")}</title>\n')
    else:
        out.append(f"<title>{title_text(rng)}</title>\n")
    out.append(f'<link rel="alternate" type="text/html" href="{spec.link(j)}"/>\n')
    out.append(f"<id>{spec.guid(j)}</id>\n<published>{rfc3339(published, rng)}</published>\n")
    out.append(f"<updated>{rfc3339(published + rng.randint(0, 7200), rng)}</updated>\n")
    if rng.random() < 0.7:
        email = f"<email>{rng.choice(kFirstNames).lower()}@{spec.host}</email>" if rng.random() < 0.3 else ""
        out.append(f"<author><name>{person(rng)}</name>{email}</author>\n")
    for _ in range(rng.randint(0, 4)):
        term = attr_escape(rng.choice(kCategories))
        out.append(f'<category term="{term}" scheme="https://{spec.host}/tags"/>\n')
    if spec.podcast:
        media, ext = rng.choice(kMediaTypes)
        url = f"https://media.{spec.host}/{j:05d}.{ext}"
        out.append(f'<link rel="enclosure" type="{media}" length="{rng.randint(10**5, 10**8)}" href="{url}"/>\n')
    summary = pool.body(rng, 150, 400)
    out.append(f'<summary type="html">{xml_escape(summary)}</summary>\n')
    if spec.full_content:
        body = pool.body(rng, 1024, 4096)
        roll = rng.random()
        if roll < 0.15:  # inline XHTML: only XML's own references are allowed here
            for named, numeric in kNamedToNumeric.items():
                body = body.replace(named, numeric)
            out.append('<content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">'
                       f"{body}</div></content>\n")
        else:
            out.append(f'<content type="html">{embed_html(body, roll < 0.5)}</content>\n')
    out.append("</entry>\n")
    return "".join(out)


def atom_document(spec, pool, seed, first, last, header_rng):
    newest = spec.published(last - 1)
    lang = f' xml:lang="{spec.language}"' if spec.language else ""
    head = (
        f'<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom"{lang}>\n'
        f"<title>{spec.title}</title>\n<subtitle>{sentence(header_rng)}</subtitle>\n"
        f'<link rel="alternate" type="text/html" href="https://{spec.host}/"/>\n'
        f'<link rel="self" type="application/atom+xml" href="https://{spec.host}/atom.xml"/>\n'
        f"<id>tag:{spec.host},2025:feed</id>\n<updated>{rfc3339(newest, header_rng)}</updated>\n"
        f"<author><name>{person(header_rng)}</name></author>\n"
        f'<generator uri="https://gohugo.io/" version="0.121">Hugo</generator>\n'
        f"<icon>https://{spec.host}/favicon.png</icon>\n")
    entries = [atom_entry(spec, pool, seed, j) for j in range(last - 1, first - 1, -1)]
    return head + "".join(entries) + "</feed>\n"


def rss1_item(spec, pool, seed, j):
    rng = item_rng(seed, spec.index, j)
    out = [f'<item rdf:about="{spec.link(j)}">\n<title>{title_text(rng)}</title>\n'
           f"<link>{spec.link(j)}</link>\n"]
    summary = pool.body(rng, 150, 400)
    out.append(f"<description>{xml_escape(summary)}</description>\n")
    out.append(f"<dc:date>{rfc3339(spec.published(j), rng)}</dc:date>\n")
    out.append(f"<dc:creator>{person(rng)}</dc:creator>\n")
    for _ in range(rng.randint(0, 3)):
        out.append(f"<dc:subject>{xml_escape(rng.choice(kCategories))}</dc:subject>\n")
    if spec.full_content:
        body = pool.body(rng, 1024, 4096)
        out.append(f"<content:encoded>{embed_html(body, True)}</content:encoded>\n")
    out.append("</item>\n")
    return "".join(out)


def rss1_document(spec, pool, seed, first, last, header_rng):
    order = range(last - 1, first - 1, -1)
    seq = "".join(f'<rdf:li rdf:resource="{spec.link(j)}"/>\n' for j in order)
    head = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        'xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/">\n'
        f'<channel rdf:about="https://{spec.host}/index.rdf">\n<title>{spec.title}</title>\n'
        f"<link>https://{spec.host}/</link>\n<description>{sentence(header_rng)}</description>\n"
        f"<dc:date>{rfc3339(spec.published(last - 1), header_rng)}</dc:date>\n"
        f"<items>\n<rdf:Seq>\n{seq}</rdf:Seq>\n</items>\n</channel>\n")
    items = [rss1_item(spec, pool, seed, j) for j in order]
    return head + "".join(items) + "</rdf:RDF>\n"


kWriters = {"rss2.0": rss2_document, "atom1.0": atom_document, "rss1.0": rss1_document}


def write_feed(outdir, seed, pool, index, grow):
    spec = FeedSpec(seed, index)
    first, last = grow, grow + spec.items
    header_rng = random.Random(seed * 7919 + index)
    text = kWriters[spec.format](spec, pool, seed, first, last, header_rng).encode("utf-8")
    name = f"feeds/feed-{index:04d}.xml"
    with open(os.path.join(outdir, name), "wb") as out:
        out.write(text)
    return {"file": name, "format": spec.format, "items": spec.items, "bytes": len(text),
            "first_item": first, "last_item": last - 1,
            "guid_newest": spec.guid(last - 1), "guid_oldest": spec.guid(first)}


def write_big(outdir, seed, pool, name, target_bytes, big_index):
    spec = FeedSpec(seed, big_index)
    spec.format, spec.host, spec.full_content, spec.podcast = "rss2.0", f"big{big_index}.example", True, True
    items, size = [], 0
    while size < target_bytes:  # oldest first until the target size, then newest first
        items.append(rss2_item(spec, pool, seed, len(items)))
        size += len(items[-1].encode("utf-8"))
    spec.items = len(items)
    header_rng = random.Random(seed * 7919 + big_index)
    head = rss2_document(spec, pool, seed, spec.items, spec.items, header_rng)  # no items
    cut = head.index("</channel>")
    text = (head[:cut] + "".join(reversed(items)) + head[cut:]).encode("utf-8")
    with open(os.path.join(outdir, name), "wb") as out:
        out.write(text)
    return {"file": name, "format": "rss2.0", "items": spec.items, "bytes": len(text),
            "first_item": 0, "last_item": spec.items - 1}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("outdir")
    parser.add_argument("--feeds", type=int, default=1000)
    parser.add_argument("--big", action="store_true", help="also write the 10 MB and 50 MB feeds")
    parser.add_argument("--grow", type=int, default=0, metavar="K",
                        help="slide every feed by K newer items (changed-feed runs)")
    parser.add_argument("--seed", type=int, default=kDefaultSeed)
    args = parser.parse_args()
    if args.feeds < 1 or args.feeds > 9999 or args.grow < 0:
        parser.error("--feeds must be 1..9999 and --grow >= 0")
    os.makedirs(os.path.join(args.outdir, "feeds"), exist_ok=True)
    pool = Pool(args.seed)
    feeds = [write_feed(args.outdir, args.seed, pool, i, args.grow) for i in range(1, args.feeds + 1)]
    written = {os.path.basename(f["file"]) for f in feeds}
    for stale in os.listdir(os.path.join(args.outdir, "feeds")):  # from an earlier, larger run
        if stale.startswith("feed-") and stale.endswith(".xml") and stale not in written:
            os.remove(os.path.join(args.outdir, "feeds", stale))
    big = []
    if args.big:
        os.makedirs(os.path.join(args.outdir, "big"), exist_ok=True)
        big.append(write_big(args.outdir, args.seed, pool, "big/big-10mb.xml", 10 * 10**6, 100001))
        big.append(write_big(args.outdir, args.seed, pool, "big/big-50mb.xml", 50 * 10**6, 100002))
    manifest = {"seed": args.seed, "grow": args.grow, "feeds": feeds, "big": big,
                "feed_bytes": sum(f["bytes"] for f in feeds),
                "feed_items": sum(f["items"] for f in feeds)}
    with open(os.path.join(args.outdir, "manifest.json"), "w") as out:
        json.dump(manifest, out, indent=1)
    print(f"gen_corpus: {len(feeds)} feeds, {manifest['feed_items']} items, "
          f"{manifest['feed_bytes'] / 1e6:.1f} MB in {args.outdir}/feeds"
          + "".join(f"; {b['file']} {b['bytes'] / 1e6:.1f} MB" for b in big))
    return 0


if __name__ == "__main__":
    sys.exit(main())
