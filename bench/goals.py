"""The goals issues 3-8 set for herald's speed, judged against one run's figures.

Used by bench/report.py. goals(figures) gives one row per goal: (issue, goal, measured,
verdict), the verdict being met / **not met** / not measured, qualified when the figure comes
from a smaller size than the goal names or from a step that failed. kKnownReasons says why a
goal is known to fall short, from the profiling in docs/performance.md.
"""
from report_format import kNotMeasured, number

# Why a goal is known to fall short, from the profiling written up in docs/performance.md.
# Keyed by the start of the goal's text; shown only when that goal is not met in this run.
kKnownReasons = {
    "parse cost ≤ 1.5×": "sampled with perf on the corpus, pugixml's own in-place parse is "
    "36–39 % of herald's time, the pass before it (UTF-8 check, reference repair, the copy "
    "pugixml parses) 15–19 %, libc 16–19 % (copies, strlen of pugixml's strings, malloc/free "
    "of a string per field) and the RSS/Atom walk 15–18 %. Within 1.5× everything but pugixml "
    "would have to shrink to about a third. Both ways tried fell far short: an AVX2 pass halved "
    "its instructions and left its time unchanged; dropping the pass altogether (pugixml "
    "parsing a plain copy with its escape processing off, each kept field decoded, UTF-8 "
    "checked and copied out in one go, the old path as fallback) moved the per-reference and "
    "per-character work into the field copy instead of removing it: -4 % on the corpus, +2 % "
    "and +3 % on 10 and 50 MB in an interleaved A/B, so it was not kept. What is left is the "
    "DOM: every kept byte is touched by pugixml, then by herald's checks, then copied into a "
    "field.",
    "≥ 4× faster than sfeed (10 MB": "on one big file sfeed's process start is negligible and "
    "its streaming tokenizer builds no tree; herald builds pugixml's DOM after validating the "
    "text, so this ratio is capped by the pugixml cost multiple.",
    "≥ 4× faster than sfeed (50 MB": "as for 10 MB: no process start to amortise, and herald "
    "pays for a DOM that sfeed never builds.",
    "≥ 4× faster than sfeed (corpus": "herald's per-byte cost (see the pugixml goal).",
    "≥ 200× faster than python3-feedparser": "1–3 % short: bounded by herald's own parse "
    "speed (the same cost as the pugixml goal); feedparser's speed also moves a few percent "
    "between runs.",
    "all-304 poll ≥ 100×": "at small feed counts both programs' runs are dominated by process "
    "start and opening the database; newsboat's steady-state cost grows with the feed count "
    "(352 s at 1,000 feeds in docs/performance.md), so the goal is judged at 1,000 feeds.",
    "known items re-seen": "compare the per-CPU-second figure beside it: the wall figure also "
    "holds the time SQLite waits for the disk (synchronous=FULL commits) and for other work "
    "on a shared machine.",
    "peak RSS ≤ 64 MiB": "peak memory grows with concurrency × body size (bodies held while "
    "parse and commit catch up), not with the feed count.",
    "≥ 200,000 events/s replayed": "measured through the real control socket against a running "
    "heraldd (pages of 1,000) on the e2e corpus (~1.2 KB payloads); with 2.7 KB payloads the "
    "same path gives ~100k/s: the reply copy and its page faults dominate.",
    "commit→subscriber latency": "measured in the steady state (a running heraldd, 20 feeds "
    "polled every 1–2 s, 10 new items/s) from the commit time heraldd logs with "
    "HERALD_COMMIT_TRACE to the subscriber's receipt. Compare the floor row of the bus "
    "table: a bare ZeroMQ PUB→SUB hop over ipc in the same run, paced like that run's commits. "
    "The hop crosses three sleeping threads (PUB's I/O thread, SUB's I/O thread, the "
    "subscriber), and on this 2-core virtual machine its cost depends on how recently the "
    "machine was busy: back to back it is ~20 µs; after 300 ms idle ~220 µs, ~130 µs when one "
    "message went the same way 1 ms before, ~200 µs when 10 ms before (a one-thread pipe wake "
    "is ~25 µs at any pace). So the hop alone costs about as much as the goal, or more, when "
    "the machine idles between commits. The floor row sends bursts shaped like "
    "the steady run's commits (events per commit, payload size, pace): where it is as slow as "
    "herald's path or slower, the goal is below what ZeroMQ's ipc transport costs on this "
    "machine, not something herald's code adds. The first event of each commit is reported "
    "apart; the rest of a commit's events queue behind it, which the per-event p50 includes.",
}


def verdict(value, goal, at_least):
    if value is None:
        return kNotMeasured
    return "met" if (value >= goal if at_least else value <= goal) else "**not met**"


def goals(f):
    """[(issue, goal, measured text, verdict)] for every goal the issues set."""
    f.any_failed()  # forget what the tables and plots read before: each row counts its own
    rows = []

    def add(issue, goal_text, value, goal, at_least, shown=None, note="", small=False,
            missing="–"):
        text = shown if shown is not None else number(value)
        if value is None:
            text = missing
        elif note:
            text = f"{text} ({note})"
        outcome = verdict(value, goal, at_least)
        if small and value is not None:
            outcome += " (at a smaller size than the goal's)"
        if f.any_failed() and value is not None:
            outcome += " (from a step that failed: partial)"
        rows.append((issue, goal_text, text, outcome))

    # Issue 3: the parser.
    add(3, "parse cost ≤ 1.5× pugixml `load_buffer` (corpus, CPU)",
        f.get("parse", "herald_pugixml_cpu_cost_corpus"), 1.5, False,
        note="× the cost")
    add(3, "≥ 4× faster than sfeed (corpus, a process per feed, CPU)",
        f.get("parse", "herald_vs_sfeed_corpus_cpu"), 4, True, note="× faster")
    for tag, label in (("big_10mb", "10 MB"), ("big_50mb", "50 MB")):
        add(3, f"≥ 4× faster than sfeed ({label} file, CPU)",
            f.get("parse", f"herald_vs_sfeed_{tag}_cpu"), 4, True, note="× faster")
    add(3, "≥ 200× faster than python3-feedparser (corpus, CPU)",
        f.get("parse", "herald_vs_feedparser_corpus_cpu"), 200, True, note="× faster")
    add(3, "peak memory ≤ 4× input (50 MB file)",
        f.get("parse", "herald_big_50mb_peak_rss_ratio"), 4, False, note="× input")
    # Issue 4: the store.
    add(4, "new items/s, search off ≥ 0.7× raw SQLite", f.get("store", "store_new_off_ratio"),
        0.7, True, note="× raw")
    add(4, "new items/s, search off ≥ 20,000/s", f.get("store", "store_new_off_per_s"), 20000,
        True)
    add(4, "new items/s, search on ≥ 0.7× raw SQLite", f.get("store", "store_new_on_ratio"), 0.7,
        True, note="× raw")
    reseen_cpu = f.get("store", "store_reseen_cpu_per_s")
    add(4, "known items re-seen ≥ 300,000/s (wall)", f.get("store", "store_reseen_per_s"),
        300000, True, note=f"per CPU second {number(reseen_cpu)}" if reseen_cpu else "")
    add(4, "database bytes per item ≤ 1.3× payload", f.get("store", "store_bytes_ratio"), 1.3,
        False, note="× payload")
    items = f.get("store_queries", "store_query_items")
    on_items = f"on {number(items)} items" if items else ""
    add(4, "`items list --limit 50` ≤ 5 ms on 1,000,000 items",
        f.get("store_queries", "store_list_ms"), 5, False, note=f"ms {on_items}",
        small=bool(items) and items < 1e6)
    add(4, "search ≤ 50 ms on 1,000,000 items", f.get("store_queries", "store_search_ms"), 50,
        False, note=f"ms {on_items}",
        small=bool(items) and items < 1e6)
    # Issue 5: the fetcher.
    name, feeds = f.at("fetch", 1000)
    at = f"at {number(feeds)} feeds" if feeds else ""
    add(5, "full poll ≤ 1.5× curl --parallel (median)", f.get(name, "fetch_full_ratio"), 1.5,
        False, note=f"× curl {at}", small=feeds != 1000)
    add(5, "all-304 poll ≤ 1.5× curl --parallel (median)", f.get(name, "fetch_304_ratio"), 1.5,
        False, note=f"× curl {at}", small=feeds != 1000)
    # Issue 6: the daemon end to end.
    # Each newsboat goal at the largest feed count where that newsboat run finished (a stopped
    # steady-state run leaves the fresh figure of that size, not the steady one).
    for goal_text, newsboat_key, herald_key, goal in (
            ("fresh poll ≥ 5× faster than newsboat", "e2e_newsboat_fresh_s",
             "e2e_herald_fresh_s", 5),
            ("all-304 poll ≥ 100× faster than newsboat steady state", "e2e_newsboat_steady_s",
             "e2e_herald_304_s", 100)):
        runs = [(n, s) for n, s in f.sweep("e2e") if f.get(s, newsboat_key)]
        if not runs:
            add(6, goal_text, None, goal, True, missing="newsboat not run")
            continue
        f.any_failed()  # only the step the verdict reads counts below
        count, step = runs[-1]
        herald = f.get(step, herald_key)
        add(6, goal_text, f.get(step, newsboat_key) / herald if herald else None, goal, True,
            note=f"× faster at {number(count)} feeds", small=count < 1000)
    name, feeds = f.at("e2e", 1000)
    at = f"at {number(feeds)} feeds" if feeds else ""
    herald_304, curl_304 = f.get(name, "e2e_herald_304_s"), f.get(name, "e2e_curl_304_s")
    add(6, "all-304 poll ≤ 4× curl with the same validators",
        herald_304 / curl_304 if herald_304 and curl_304 else None, 4, False,
        note=f"× curl {at}", small=feeds != 1000)
    requests = f.get(name, "e2e_herald_304_requests")
    not_304 = f.get(name, "e2e_herald_304_requests_not_304")
    rows.append((6, "every second-poll request a 304",
                 f"{number(not_304)} of {number(requests)} requests not 304 {at}"
                 if requests is not None else "nginx statuses not captured",
                 kNotMeasured if requests is None else "met" if not_304 == 0 and requests
                 else "**not met**"))
    rss_steps = [(n, s) for n, s in f.sweep("e2e") if f.get(s, "e2e_herald_fresh_rss_kib")]
    f.any_failed()  # only the step the verdict reads counts below
    at_10k = [s for n, s in rss_steps if n >= 10000]
    if at_10k:
        add(6, "peak RSS ≤ 64 MiB at 10,000 feeds",
            f.get(at_10k[0], "e2e_herald_fresh_rss_kib") / 1024, 64, False, note="MiB")
    else:
        largest = rss_steps[-1] if rss_steps else None
        text = (f"not run at 10,000; {number(f.get(largest[1], 'e2e_herald_fresh_rss_kib') / 1024)}"
                f" MiB at {number(largest[0])}" if largest else "not run at 10,000")
        rows.append((6, "peak RSS ≤ 64 MiB at 10,000 feeds", text, kNotMeasured))
        f.any_failed()
    add(6, "≥ 200,000 events/s replayed", f.get("bus", "bus_replay_per_s"), 200000, True,
        note="events/s through the control socket")
    p50 = f.get("bus", "bus_steady_latency_p50_us")
    p99 = f.get("bus", "bus_steady_latency_p99_us")
    add(6, "commit→subscriber latency p50 ≤ 100 µs", p50, 100, False, note="µs, steady state")
    add(6, "commit→subscriber latency p99 ≤ 2 ms", None if p99 is None else p99 / 1000, 2, False,
        note="ms, steady state")
    # Issue 7: the clients.
    for key, label in (("client_list", "`herald items list --limit 50`"),
                       ("client_search", "`herald items search WORD --limit 50`")):
        add(7, f"{label} < 100 ms whole-process on 1,000,000 items",
            f.get("clients", f"{key}_mean_ms"), 100, False, note=f"ms mean {on_items}",
            small=bool(items) and items < 1e6)
    return rows
