#!/usr/bin/python3
"""Times the peers that Debian ships on the same feed files the parser benchmark reads.

sfeed (C, one process per document, as sfeed_update runs it) and python3-feedparser (in one
process, parse time only). Prints one `name: MB/s` line per peer and corpus, machine-readable
as `figure <key> <value>` lines for bench/run.

Run with Debian's /usr/bin/python3 (it has feedparser);
usage: parser_peers.py DIR [BIG_FILE...] [--runs N] [--feedparser-every N] [--feedparser-big]

Each timing is given as wall time and as CPU time (`..._cpu_mbps`): the CPU of the sfeed
processes (rusage of children: exec and parse), or of this process for feedparser. On a machine
shared with other work the CPU figure is the steadier one, and parse_bench reports both too.
feedparser runs at about 1 MB/s, so --feedparser-every N times it on every Nth feed of DIR only
(MB/s stays comparable; `feedparser_corpus_bytes` says how much it saw). --feedparser-big also
times it on the big files (minutes for 50 MB). sfeed's process start is measured on its own
(`sfeed_spawn_ms`) so the per-document cost can be told apart from parsing.
"""
import argparse
import os
import resource
import subprocess
import sys
import time


def feed_files(directory):
    names = sorted(n for n in os.listdir(directory) if n.endswith((".xml", ".rss", ".atom")))
    return [os.path.join(directory, n) for n in names]


def total_bytes(paths):
    return sum(os.path.getsize(p) for p in paths)


def children_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def time_sfeed(paths):
    """(wall, cpu) seconds for one sfeed process per document."""
    start, start_cpu = time.perf_counter(), children_cpu()
    for path in paths:
        with open(path, "rb") as src:
            subprocess.run(["sfeed"], stdin=src, stdout=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start, children_cpu() - start_cpu


def time_feedparser(paths):
    """(wall, cpu) seconds of feedparser.parse over the documents, held in memory."""
    import feedparser  # Debian's python3-feedparser

    blobs = []
    for path in paths:
        with open(path, "rb") as src:
            blobs.append(src.read())
    start, start_cpu = time.perf_counter(), time.process_time()
    for blob in blobs:
        feedparser.parse(blob)
    return time.perf_counter() - start, time.process_time() - start_cpu


def time_sfeed_spawn(count=50):
    """Milliseconds per sfeed process on an empty document: the per-feed fixed cost."""
    start = time.perf_counter()
    for _ in range(count):
        subprocess.run(["sfeed"], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, check=True)
    return (time.perf_counter() - start) / count * 1e3


def best(timings):
    """Best wall and best CPU time of several runs (each may come from a different run)."""
    timings = list(timings)
    return min(t[0] for t in timings), min(t[1] for t in timings)


def snake(text):
    return text.replace("-", "_").replace(".", "_")


def report(key, label, timing, size):
    wall, cpu = timing
    mbps, cpu_mbps = size / wall / 1e6, size / max(cpu, 1e-9) / 1e6
    print(f"{label}: {mbps:.2f} MB/s wall, {cpu_mbps:.2f} MB/s cpu "
          f"({size / 1e6:.1f} MB in {wall:.3f} s wall, {cpu:.3f} s cpu)")
    print(f"figure {key}_mbps {mbps:.4f}")
    print(f"figure {key}_cpu_mbps {cpu_mbps:.4f}")


def main():
    parser = argparse.ArgumentParser(description="times sfeed and feedparser on feed files")
    parser.add_argument("dir")
    parser.add_argument("big", nargs="*")
    parser.add_argument("--feedparser-every", type=int, default=1, metavar="N")
    parser.add_argument("--feedparser-big", action="store_true")
    parser.add_argument("--runs", type=int, default=3, metavar="N",
                        help="sfeed timings: best of N (feedparser runs once: it is slow)")
    args = parser.parse_args()
    corpus = feed_files(args.dir)
    if not corpus:
        print(f"parser_peers: no feed files in {args.dir}", file=sys.stderr)
        return 2
    runs = max(1, args.runs)
    size = total_bytes(corpus)
    report("sfeed_corpus", f"sfeed, corpus (one process per feed, best of {runs})",
           best(time_sfeed(corpus) for _ in range(runs)), size)
    spawn_ms = time_sfeed_spawn()
    print(f"sfeed process start: {spawn_ms:.2f} ms")
    print(f"figure sfeed_spawn_ms {spawn_ms:.4f}")
    sample = corpus[:: max(1, args.feedparser_every)]
    sample_size = total_bytes(sample)
    label = "feedparser, corpus" if len(sample) == len(corpus) else \
        f"feedparser, 1 feed in {args.feedparser_every} ({len(sample)} feeds)"
    report("feedparser_corpus", label, time_feedparser(sample), sample_size)
    print(f"figure feedparser_corpus_bytes {sample_size}")
    for big in args.big:
        tag = snake(os.path.splitext(os.path.basename(big))[0])
        report(f"sfeed_{tag}", f"sfeed, {tag} (best of {runs})",
               best(time_sfeed([big]) for _ in range(runs)), os.path.getsize(big))
        if args.feedparser_big:
            report(f"feedparser_{tag}", f"feedparser, {tag}", time_feedparser([big]),
                   os.path.getsize(big))
    return 0


if __name__ == "__main__":
    sys.exit(main())
