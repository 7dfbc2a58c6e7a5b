#!/usr/bin/python3
"""Writes performance.md and its SVG plots from the figures bench/run collected.

usage: bench/report.py [FIGURES_JSON] [--out DIR]   (defaults: bench/out/figures.json, its dir)

Tables of figures with ratios to the baselines measured in the same run, the goals of issues
3-8 each marked met / not met / not measured, plots where the data has a size axis (parse
MB/s by file size; poll-cycle time and peak memory by feed count), what is missing, and the
stderr tail of every step that failed. Speed verdicts use CPU-time ratios where the benchmark
gives them (steadier on a shared machine), as docs/performance.md does.
"""
import argparse
import json
import os
import sys

sys.dont_write_bytecode = True  # no __pycache__ left in bench/

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from goals import goals, kKnownReasons, verdict  # noqa: E402
from report_format import kNotMeasured, number  # noqa: E402


kPlots = ("parse-mbps.svg", "poll-time.svg", "peak-rss.svg")


class Figures:
    """Read access to one run's figures.json."""

    def __init__(self, data):
        self.data = data
        self.benchmarks = data.get("benchmarks", {})
        self.touched = set()  # steps read since the last goal row: was any of them failed?

    def any_failed(self):
        failed = any(self.benchmarks.get(s, {}).get("status") == "failed" for s in self.touched)
        self.touched = set()
        return failed

    def get(self, step, key):
        self.touched.add(step)
        value = self.benchmarks.get(step, {}).get("figures", {}).get(key)
        return value if isinstance(value, (int, float)) else None

    def sweep(self, prefix):
        """[(feeds, step name)] of prefix@N steps that produced figures, by feed count."""
        points = []
        for name, result in self.benchmarks.items():
            if name.startswith(prefix + "@") and result.get("figures"):
                points.append((int(name.split("@", 1)[1]), name))
        return sorted(points)

    def at(self, prefix, feeds):
        """prefix@feeds if it ran, else the largest count that did (and that count)."""
        points = self.sweep(prefix)
        for count, name in points:
            if count == feeds:
                return name, count
        return (points[-1][1], points[-1][0]) if points else (None, None)


def plot_all(f, out):
    """Draws the SVG plots; returns [(file, caption)] and a list of what could not be drawn."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        import matplotlib.ticker
        # Text as text (small files) and no date or random ids: the same figures give the same
        # bytes, so a committed plot changes only when its figures do.
        matplotlib.rcParams["svg.fonttype"] = "none"
        matplotlib.rcParams["svg.hashsalt"] = "herald"
    except ImportError as error:
        return [], [f"plots: matplotlib unavailable ({error}); run with /usr/bin/python3"]
    plots, missing = [], []
    for stale in kPlots:  # a plot this run cannot draw must not survive from an older run
        if os.path.exists(os.path.join(out, stale)):
            os.remove(os.path.join(out, stale))

    def save(fig, ax, name, caption, xlabel, ylabel):
        for axis in (ax.xaxis, ax.yaxis):  # plain numbers on the log axes, not 6×10¹
            plain = matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:g}")
            axis.set_major_formatter(plain)
            axis.set_minor_formatter(matplotlib.ticker.FuncFormatter(
                lambda v, _: f"{v:g}" if f"{v:e}"[0] in "25" else ""))
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1))
        fig.tight_layout()
        fig.savefig(os.path.join(out, name), format="svg", metadata={"Date": None})
        plt.close(fig)
        plots.append((name, caption))

    # Parse MB/s by file size: mean corpus feed, 10 MB, 50 MB.
    corpus_mb = 0.127
    try:
        with open(os.path.join(out, "corpus", "manifest.json")) as src:
            manifest = json.load(src)
        corpus_mb = manifest["feed_bytes"] / len(manifest["feeds"]) / 1e6
    except (OSError, ValueError, KeyError, ZeroDivisionError):
        pass
    sizes = [("corpus", corpus_mb), ("big_10mb", 10.0), ("big_50mb", 50.0)]
    fig, ax = plt.subplots(figsize=(9.5, 4.5))
    drawn = False
    for peer, label in (("herald", "herald parser"), ("pugixml", "pugixml load_buffer"),
                        ("sfeed", "sfeed"), ("feedparser", "python3-feedparser")):
        points = [(mb, f.get("parse", f"{peer}_{tag}_cpu_mbps")) for tag, mb in sizes]
        points = [(x, y) for x, y in points if y]
        if points:
            drawn = True
            ax.plot(*zip(*points), marker="o", label=label)
    if drawn:
        ax.set_xscale("log")
        ax.set_yscale("log")
        save(fig, ax, "parse-mbps.svg",
             f"Parse speed (MB per CPU second) by file size: mean corpus feed "
             f"({corpus_mb * 1000:.0f} KB), 10 MB, 50 MB", "file size (MB)", "MB/s (CPU time)")
    else:
        plt.close(fig)
        missing.append("parse-mbps.svg: no parse figures")

    def sweep_plot(name, caption, ylabel, series, scale=1.0, goal=None):
        fig, ax = plt.subplots(figsize=(9.5, 4.5))
        drawn = False
        for prefix, key, label in series:
            points = [(n, f.get(s, key(n) if callable(key) else key))
                      for n, s in f.sweep(prefix)]
            points = [(x, y * scale) for x, y in points if y is not None]
            if points:
                drawn = True
                ax.plot(*zip(*points), marker="o", label=label)
        if drawn:
            ax.set_xscale("log")
            ax.set_yscale("log")
            if goal:
                ax.axhline(goal[0], color="grey", linestyle="--", label=goal[1])
            save(fig, ax, name, caption, "feeds", ylabel)
        else:
            plt.close(fig)
            missing.append(f"{name}: no figures")

    sweep_plot("poll-time.svg", "Poll-cycle time by feed count (whole process, nginx on "
               "127.0.0.1)", "seconds", [
                   ("e2e", "e2e_herald_fresh_s", "heraldd --once, fresh (search on)"),
                   ("e2e", "e2e_herald_fresh_nosearch_s", "heraldd --once, fresh (search off)"),
                   ("e2e", "e2e_herald_304_s", "heraldd --once, all 304"),
                   ("e2e", "e2e_curl_fresh_s", "curl --parallel, fresh"),
                   ("e2e", "e2e_curl_304_s", "curl --parallel, all 304"),
                   ("e2e", "e2e_newsboat_fresh_s", "newsboat -x reload, fresh"),
                   ("e2e", "e2e_newsboat_steady_s", "newsboat -x reload, steady"),
                   ("fetch", "fetch_full_herald_s", "Fetcher alone, full (median)"),
                   ("fetch", "fetch_304_herald_s", "Fetcher alone, all 304 (median)")])
    sweep_plot("peak-rss.svg", "Peak memory (RSS) of one poll cycle by feed count",
               "MiB", [
                   ("e2e", "e2e_herald_fresh_rss_kib", "heraldd --once, fresh"),
                   ("e2e", "e2e_herald_304_rss_kib", "heraldd --once, all 304"),
                   ("e2e", "e2e_curl_fresh_rss_kib", "curl --parallel, fresh"),
                   ("e2e", "e2e_newsboat_fresh_rss_kib", "newsboat, fresh"),
                   ("fetch", lambda n: f"fetch_peak_rss_herald_kib_at_{n}", "Fetcher alone"),
                   ("fetch", lambda n: f"fetch_peak_rss_curl_kib_at_{n}", "curl --parallel "
                    "(fetch.sh)"),
               ], scale=1 / 1024, goal=(64, "goal: 64 MiB at 10,000 feeds"))
    return plots, missing


def table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def ratio(a, b, digits=2):
    return f"{a / b:.{digits}f}×" if a and b else "–"


def versus(peer, herald, base):
    """pugixml is the floor herald builds on (its cost multiple); the peers are rivals."""
    if not herald or not base:
        return "–"
    if peer == "pugixml":
        return f"{base / herald:.2f}× the cost"
    return f"{herald / base:.2f}× faster" if herald >= base else f"{base / herald:.2f}× slower"


def parse_section(f):
    rows = []
    for tag, label in (("corpus", "corpus feeds"), ("big_10mb", "10 MB file"),
                       ("big_50mb", "50 MB file")):
        herald = f.get("parse", f"herald_{tag}_cpu_mbps")
        if herald is None:
            continue
        for peer in ("pugixml", "sfeed", "feedparser"):
            base = f.get("parse", f"{peer}_{tag}_cpu_mbps")
            if base is None:
                continue
            wall_h, wall_b = (f.get("parse", f"herald_{tag}_mbps"),
                              f.get("parse", f"{peer}_{tag}_mbps"))
            rows.append((label, peer, number(herald), number(base), versus(peer, herald, base),
                         f"{number(wall_h)} / {number(wall_b)}", versus(peer, wall_h, wall_b)))
    if not rows:
        return "No parser figures (see failures below).\n"
    text = table(["input", "baseline", "herald MB/s (CPU)", "baseline MB/s (CPU)",
                  "herald vs baseline (CPU)", "wall MB/s herald / baseline", "wall"],
                 rows)
    extra = []
    for key, label in (("herald_json_corpus_cpu_mbps", "parse + `to_json`, corpus (CPU MB/s)"),
                       ("herald_big_50mb_peak_rss_mb", "peak memory, 50 MB parse (MB)"),
                       ("herald_big_50mb_peak_rss_ratio", "… as a multiple of input"),
                       ("pugixml_big_50mb_peak_rss_mb", "pugixml peak memory, 50 MB (MB)"),
                       ("herald_corpus_items_per_s", "items/s, corpus (wall)"),
                       ("sfeed_spawn_ms", "sfeed process start (ms)")):
        value = f.get("parse", key)
        if value is not None:
            extra.append((label, number(value)))
    if extra:
        text += "\n\n" + table(["measure", "value"], extra)
    return text + "\n"


def fetch_section(f):
    rows = []
    for feeds, step in f.sweep("fetch"):
        g = lambda key: f.get(step, key)  # noqa: E731
        rows.append((number(feeds), number(g("fetch_corpus_mb")),
                     f"{number(g('fetch_full_herald_s'), 3)} / {number(g('fetch_full_curl_s'), 3)}",
                     number(g("fetch_full_ratio")),
                     f"{number(g('fetch_304_herald_s'), 3)} / {number(g('fetch_304_curl_s'), 3)}",
                     number(g("fetch_304_ratio")),
                     f"{number(_kib_mib(g(f'fetch_peak_rss_herald_kib_at_{feeds}')))} / "
                     f"{number(_kib_mib(g(f'fetch_peak_rss_curl_kib_at_{feeds}')))}",
                     number(g("fetch_defaults_full_s"), 3)))
    if not rows:
        return "No fetcher figures.\n"
    return table(["feeds", "MB", "full: herald / curl s (median)", "ratio",
                  "all 304: herald / curl s", "ratio", "peak RSS MiB herald / curl",
                  "daemon defaults (64, 2/host) full s"], rows) + "\n"


def _kib_mib(value):
    return value / 1024 if value is not None else None


def store_section(f):
    g = lambda key: f.get("store", key)  # noqa: E731
    rows = []
    if g("store_new_off_per_s") is not None:
        rows += [
            ("new items/s, search off", number(g("store_new_off_per_s")),
             number(g("raw_new_off_per_s")), ratio(g("store_new_off_per_s"),
                                                   g("raw_new_off_per_s")),
             f"CPU: {number(g('store_new_off_cpu_per_s'))} vs "
             f"{number(g('raw_new_off_cpu_per_s'))}"),
            ("new items/s, search on", number(g("store_new_on_per_s")),
             number(g("raw_new_on_per_s")), ratio(g("store_new_on_per_s"), g("raw_new_on_per_s")),
             f"CPU: {number(g('store_new_on_cpu_per_s'))} vs {number(g('raw_new_on_cpu_per_s'))}"),
            ("known items re-seen/s", number(g("store_reseen_per_s")), "", "",
             f"per CPU second {number(g('store_reseen_cpu_per_s'))}"),
            ("bytes per item (payload " + number(g("store_payload_bytes")) + ")",
             number(g("store_bytes_per_item")), number(g("raw_bytes_per_item")),
             f"{number(g('store_bytes_ratio'))}× / {number(g('raw_bytes_ratio'))}× payload",
             f"search index +{number(g('store_search_index_bytes_per_item'))} B/item"),
        ]
    items = f.get("store", "store_query_items")
    if items:
        rows.append((f"list / search, {number(items)} items (ms)",
                     f"{number(g('store_list_ms'))} / {number(g('store_search_ms'))}", "", "", ""))
    q = lambda key: f.get("store_queries", key)  # noqa: E731
    if q("store_query_items"):
        rows.append((f"list / search, {number(q('store_query_items'))} items (ms)",
                     f"{number(q('store_list_ms'))} / {number(q('store_search_ms'))}", "", "",
                     f"filled at {number(q('store_fill_on_per_s'))} items/s, search on"))
    if not rows:
        return "No store figures.\n"
    items_note = f.data.get("benchmarks", {}).get("store", {}).get("params", {}).get("items")
    head = f"store_bench with {number(items_note)} items, against raw SQLite doing the same " \
        "work.\n\n" \
        if items_note else ""
    return head + table(["measure", "store", "raw SQLite", "ratio", "notes"], rows) + "\n"


def clients_section(f):
    rows = []
    for key, label in (("client_list", "`herald items list --limit 50`"),
                       ("client_list_json", "`herald items list --limit 50 --json`"),
                       ("client_search", "`herald items search WORD --limit 50`"),
                       ("client_search_json", "`herald items search WORD --limit 50 --json`")):
        mean = f.get("clients", f"{key}_mean_ms")
        if mean is not None:
            rows.append((label, f"{number(mean)} ± {number(f.get('clients', f'{key}_stddev_ms'))}",
                         number(f.get("clients", f"{key}_max_ms")),
                         number(f.get("clients", f"{key}_lines")), verdict(mean, 100, False)))
    if not rows:
        return "No client figures.\n"
    params = f.data["benchmarks"]["clients"].get("params", {})
    return (f"hyperfine -N, {params.get('runs')} runs, on a store of "
            f"{number(params.get('items'))} items (search word `{params.get('search_word')}`).\n\n"
            + table(["command", "mean ± σ ms", "max ms", "items printed (--json lines)",
                     "< 100 ms"],
                    rows) + "\n")


def e2e_section(f):
    rows = []
    for feeds, step in f.sweep("e2e"):
        g = lambda key: f.get(step, key)  # noqa: E731
        nb_fresh, nb_steady = g("e2e_newsboat_fresh_s"), g("e2e_newsboat_steady_s")
        rows.append((
            number(feeds), number(g("e2e_items")),
            f"{number(g('e2e_herald_fresh_s'), 3)} (parse {number(g('e2e_herald_fresh_parse_s'))}, "
            f"store {number(g('e2e_herald_fresh_store_s'))})",
            number(g("e2e_herald_fresh_nosearch_s"), 3),
            number(g("e2e_curl_fresh_s"), 3),
            f"{number(nb_fresh)} ({ratio(nb_fresh, g('e2e_herald_fresh_s'), 1)} herald)"
            if nb_fresh else "not run",
            f"{number(g('e2e_herald_304_s'), 3)} / {number(g('e2e_curl_304_s'), 3)} "
            f"({ratio(g('e2e_herald_304_s'), g('e2e_curl_304_s'))})",
            f"{number(nb_steady)} ({ratio(nb_steady, g('e2e_herald_304_s'), 0)} herald)"
            if nb_steady else "not run",
            f"{number(_kib_mib(g('e2e_herald_fresh_rss_kib')))} / "
            f"{number(_kib_mib(g('e2e_curl_fresh_rss_kib')))}"))
    if not rows:
        return "No end-to-end figures.\n"
    return table(["feeds", "items", "herald fresh s (search on)", "fresh, search off s",
                  "curl fresh s", "newsboat fresh s", "all 304: herald / curl s",
                  "newsboat steady s", "peak RSS MiB herald / curl"], rows) + "\n" + _split_table(f)


def _split_table(f):
    """The fresh poll's time by stage: fetch, parse, store, and the search index's share."""
    rows = []
    for feeds, step in f.sweep("e2e"):
        g = lambda key: f.get(step, key)  # noqa: E731
        store_on, store_off = g("e2e_herald_fresh_store_s"), g("e2e_herald_fresh_nosearch_store_s")
        index = store_on - store_off if store_on is not None and store_off is not None else None
        rows.append((number(feeds), number(g("e2e_herald_fresh_s"), 3),
                     number(g("e2e_curl_fresh_s"), 3), number(g("e2e_herald_fresh_parse_s")),
                     number(store_off), number(index)))
    if not rows:
        return ""
    return ("\nWhere the fresh poll's time goes (search on). The stages overlap: fetching and "
            "parsing run beside the store's single writer, so the wall time is about the store's. "
            "Fetch is curl alone over the same URLs; parse is summed over the workers; the search "
            "index is the store time with search on minus the store time with it off.\n\n" +
            table(["feeds", "wall s", "fetch s (curl alone)", "parse s (workers)",
                   "store s without index", "search index s"], rows) + "\n")


def bus_section(f):
    g = lambda key: f.get("bus", key)  # noqa: E731
    if g("bus_replay_per_s") is None and g("bus_steady_latency_p50_us") is None:
        return "No event-bus figures.\n"
    rows = [
        ("replay through the control socket (pages of 1,000)",
         f"{number(g('bus_replay_per_s'))} events/s ({number(g('bus_replay_events'))} events, "
         f"{number(g('bus_replay_mb'))} MB); heraldd {number(g('bus_replay_heraldd_cpu_per_s'))} "
         "events per CPU second"),
        ("the same, client parsing every reply (nlohmann)",
         f"{number(g('bus_replay_parsed_per_s'))} events/s"),
        ("`Store::replay` alone", f"{number(g('bus_store_replay_per_s'))} events/s, "
         f"{number(g('bus_store_replay_cpu_per_s'))} per CPU second"),
        ("events/s through PUB (fresh `--once` burst; the store sets the pace)",
         f"{number(g('bus_pub_events_per_s'))} ({number(g('bus_pub_events'))} events received)"),
        ("commit→subscriber latency, steady state "
         f"({number(g('bus_steady_feeds'))} feeds, {number(g('bus_steady_items_per_s'))} new "
         f"items/s, a commit every {number(g('bus_steady_commit_gap_ms'))} ms)",
         f"p50 {number(g('bus_steady_latency_p50_us'))} µs, p99 "
         f"{number(g('bus_steady_latency_p99_us'))} µs over "
         f"{number(g('bus_steady_latency_events'))} events"),
        ("the same, first event of each commit only",
         f"p50 {number(g('bus_steady_first_latency_p50_us'))} µs, p99 "
         f"{number(g('bus_steady_first_latency_p99_us'))} µs"),
        (f"floor: a bare ZeroMQ PUB→SUB hop over ipc, bursts of {number(g('bus_floor_burst'))} "
         f"messages of {number(g('bus_floor_payload_bytes'))} bytes every "
         f"{number(g('bus_floor_pace_ms'))} ms (the steady run's commits)",
         f"p50 {number(g('bus_floor_p50_us'))} µs, p99 {number(g('bus_floor_p99_us'))} µs; "
         f"first of each burst p50 {number(g('bus_floor_first_p50_us'))} µs"),
        ("commit→subscriber latency, fresh burst (~1,700 events per commit)",
         f"p50 {number(g('bus_fresh_latency_p50_us'))} µs, p99 "
         f"{number(g('bus_fresh_latency_p99_us'))} µs"),
    ]
    return table(["what", "figure"], rows) + "\n"


def write(data, out):
    """Writes OUT/performance.md and the plots; returns a short summary for the terminal."""
    f = Figures(data)
    machine = data.get("machine", {})
    plots, missing = plot_all(f, out)
    goal_rows = goals(f)
    lines = [
        "# herald performance (generated by `bench/run`)", "",
        f"Mode **{data.get('mode')}**"
        + (" — small sizes, for checking the harness; not figures to quote."
           if data.get("mode") == "quick" else "") + "",
        f"Run {data.get('started')} → {data.get('finished')} ({number(data.get('seconds'))} s); "
        f"commit {machine.get('commit')}; build `{data.get('build')}` "
        f"({machine.get('build_type')}). Load average before {data.get('load_before')}, after "
        f"{data.get('load_after')}. Speed verdicts use CPU time where a benchmark reports it.", "",
        *(["**Interrupted**: the steps after the last one listed did not run.", ""]
          if data.get("interrupted") else []),
        "## Machine and versions", "",
        table(["", ""], [(k, str(v).replace("|", "/")) for k, v in machine.items()]), "",
        "## What ran", "",
        table(["step", "status", "seconds", "parameters", "load before"],
              [(name, r.get("status") + (f" (reused: {r['reused']})" if r.get("reused") else ""),
                number(r.get("seconds")),
                ", ".join(f"{k}={v}" for k, v in r.get("params", {}).items()),
                r.get("load_before", "")) for name, r in f.benchmarks.items()]), "",
        "## Goals (issues 3–8)", "",
        *(["Quick run: the sizes are smaller than the goals name, so these verdicts show that "
           "the harness works, not whether herald meets the goals.", ""]
          if data.get("mode") == "quick" else []),
        table(["issue", "goal", "measured", "verdict"], goal_rows), "",
        "## Parser (`bench/parse.sh`)", "", parse_section(f),
        "## Store (`store_bench`)", "", store_section(f),
        "## Clients (`herald`, whole process)", "", clients_section(f),
        "## Fetcher (`bench/fetch.sh`)", "", fetch_section(f),
        "## End to end (`bench/e2e.sh`)", "", e2e_section(f),
        "## Event bus (`bench/bus.sh`)", "", bus_section(f),
        "## Plots", "",
    ]
    for name, caption in plots:
        lines += [f"![{caption}]({name})", "", f"*{caption}*", ""]
    expected = {"fetch": [100, 1000, 10000], "e2e": [100, 1000, 10000]}
    for prefix, counts in expected.items():
        have = [n for n, _ in f.sweep(prefix)]
        lacking = [c for c in counts if c not in have]
        if lacking:
            missing.append(f"{prefix}: no figures at {', '.join(number(c) for c in lacking)} feeds")
    nb = [n for n, s in f.sweep("e2e") if f.get(s, "e2e_newsboat_fresh_s")]
    missing.append("newsboat measured at: "
                   + (", ".join(number(n) for n in nb) + " feeds" if nb else "no feed count")
                   + " (it takes minutes per 1,000 feeds; see --newsboat-max)")
    if missing:
        lines += ["## Missing", ""] + [f"- {m}" for m in missing] + [""]
    short = [r for r in goal_rows if r[3].startswith("**not met**")]
    if short:
        lines += ["## Where herald falls short", ""]
        for issue, goal, measured, _ in short:
            reason = next((why for start, why in kKnownReasons.items()
                           if goal.startswith(start) and why), "no analysis yet")
            lines.append(f"- issue {issue}, {goal}: {measured}. {reason[:1].upper()}{reason[1:]}")
        lines.append("")
    failed = [(n, r) for n, r in f.benchmarks.items() if r.get("status") == "failed"]
    if failed:
        lines += ["## Failures", ""]
        # The committed page names no machine's paths: the checkout's own become relative.
        repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        for name, result in failed:
            shown = (result.get("command") or "").replace(repo + "/", "")
            command = f"`{shown}`: " if shown else ""
            returncode = result.get("returncode")
            ended = (f"stopped by signal {-returncode}" if isinstance(returncode, int)
                     and returncode < 0 else f"exit status {returncode}")
            lines += [f"### {name}", "", command + (result.get("error") or ended),
                      "", "```", (result.get("stderr_tail") or "(no output)").rstrip(), "```", ""]
    with open(os.path.join(out, "performance.md"), "w") as dst:
        dst.write("\n".join(lines))

    summary = [f"bench/run {data.get('mode')}: {number(data.get('seconds'))} s, "
               f"load {data.get('load_before')} -> {data.get('load_after')}"]
    for name, result in f.benchmarks.items():
        summary.append(f"  {name:<14} {result.get('status'):<8} "
                       f"{number(result.get('seconds')):>8} s"
                       f"  {len(result.get('figures', {}))} figures")
    met = sum(1 for r in goal_rows if r[3].startswith("met"))
    not_met = [r for r in goal_rows if r[3].startswith("**not met**")]
    unmeasured = sum(1 for r in goal_rows if r[3] == kNotMeasured)
    summary.append(f"goals: {met} met, {len(not_met)} not met, {unmeasured} not measured")
    for issue, goal, measured, _ in not_met:
        summary.append(f"  not met (issue {issue}): {goal}: {measured}")
    summary.append(f"logs: {os.path.join(out, 'logs')}/STEP.out|err")
    summary.append(f"report: {os.path.join(out, 'performance.md')}; plots: "
                   f"{', '.join(n for n, _ in plots) or 'none'}")
    return "\n".join(summary)


def main():
    parser = argparse.ArgumentParser(description="writes performance.md from figures.json")
    here = os.path.dirname(os.path.abspath(__file__))
    parser.add_argument("figures", nargs="?", default=os.path.join(here, "out", "figures.json"))
    parser.add_argument("--out")
    args = parser.parse_args()
    with open(args.figures) as src:
        data = json.load(src)
    print(write(data, args.out or os.path.dirname(os.path.abspath(args.figures))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
