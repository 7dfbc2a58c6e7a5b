#!/usr/bin/env python3
"""Writes the fetch benchmark's corpus: COUNT RSS 2.0 feeds of about SIZE bytes each.

Usage: gen_fetch_corpus.py DIR [--count 1000] [--size 100000]
Deterministic (fixed seed), so two runs give byte-identical files.
"""
import argparse
import os
import random

WORDS = ("feed herald poll item channel news update release note patch summary "
         "server client report daily weekly kernel build test merge review").split()


def sentence(rng, words):
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def feed(rng, number, size):
    head = ('<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>\n'
            f"<title>Bench feed {number}</title><link>http://bench.invalid/{number}/</link>\n"
            f"<description>{sentence(rng, 12)}</description>\n")
    parts = [head]
    length = len(head)
    item = 0
    while length < size:
        item += 1
        text = " ".join(sentence(rng, 14) for _ in range(8))
        entry = (f"<item><title>{sentence(rng, 6)}</title>"
                 f"<link>http://bench.invalid/{number}/{item}</link>"
                 f"<guid>bench-{number}-{item}</guid>"
                 f"<pubDate>Mon, 0{1 + item % 9} Jan 2024 10:00:00 GMT</pubDate>"
                 f"<description>{text}</description></item>\n")
        parts.append(entry)
        length += len(entry)
    parts.append("</channel></rss>\n")
    return "".join(parts)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("dir")
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--size", type=int, default=100_000)
    args = parser.parse_args()
    rng = random.Random(20240101)
    os.makedirs(args.dir, exist_ok=True)
    for number in range(args.count):
        with open(os.path.join(args.dir, f"feed-{number:05d}.xml"), "w", encoding="utf-8") as out:
            out.write(feed(rng, number, args.size))


if __name__ == "__main__":
    main()
