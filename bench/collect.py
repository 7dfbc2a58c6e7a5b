"""Turns the text the benchmarks print into flat {key: number} figures, and describes the machine.

Used by bench/run. Every parser here takes the benchmark's whole stdout and returns what it
recognised; lines it does not know are ignored, so a benchmark that dies half way still yields
the figures it printed before dying. `figure KEY VALUE` lines (parse.sh, parser_peers.py) are
taken from every benchmark as they are.
"""
import os
import platform
import re
import subprocess

kNumber = r"([0-9]+(?:\.[0-9]+)?)"


def figure_lines(text):
    figures = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[0] == "figure":
            try:
                figures[parts[1]] = float(parts[2])
            except ValueError:
                pass
    return figures


def parse_fetch(text):
    """bench/fetch.sh: median and best times per pass, peak RSS, the daemon-defaults poll."""
    figures = figure_lines(text)
    pass_line = re.compile(
        rf"^(full|304)\s+median: herald {kNumber} s\s+curl {kNumber} s\s+ratio {kNumber} \| "
        rf"best: herald {kNumber} s\s+curl {kNumber} s\s+ratio {kNumber}")
    rss_line = re.compile(r"^peak RSS\s+(\d+) feeds: herald (\d+) KiB \(curl (\d+) KiB\)")
    for line in text.splitlines():
        if m := pass_line.match(line):
            name = m.group(1)
            keys = ("herald_s", "curl_s", "ratio", "herald_best_s", "curl_best_s", "ratio_best")
            for key, value in zip(keys, m.groups()[1:]):
                figures[f"fetch_{name}_{key}"] = float(value)
        elif m := rss_line.match(line):
            feeds = m.group(1)
            figures[f"fetch_peak_rss_herald_kib_at_{feeds}"] = float(m.group(2))
            figures[f"fetch_peak_rss_curl_kib_at_{feeds}"] = float(m.group(3))
        elif m := re.match(rf"^defaults .*: full {kNumber} s", line):
            figures["fetch_defaults_full_s"] = float(m.group(1))
        elif m := re.match(r"^corpus: (\d+) feeds, (\d+) MB", line):
            figures["fetch_feeds"] = float(m.group(1))
            figures["fetch_corpus_mb"] = float(m.group(2))
        elif m := re.search(r"\(curl 304s: (\d+)/(\d+)\)", line):
            figures["fetch_curl_304s"] = float(m.group(1))
        if line.startswith(("full poll", "304 poll")) and "errors=" in line:
            name = "full" if line.startswith("full") else "304"
            for key in ("ok", "not_modified", "errors"):
                if m := re.search(rf"\b{key}=(\d+)", line):
                    figures[f"fetch_{name}_{key}"] = float(m.group(1))
    return figures


kE2eLabels = {
    "heraldd --once fresh (search on)": "herald_fresh",
    "heraldd --once all-304": "herald_304",
    "heraldd --once fresh (search off)": "herald_fresh_nosearch",
    "curl --parallel fresh": "curl_fresh",
    "curl --parallel conditional": "curl_304",
    "newsboat -x reload fresh": "newsboat_fresh",
    "newsboat -x reload steady": "newsboat_steady",
}


def parse_e2e(text):
    """bench/e2e.sh: whole-process time and peak RSS per run, nginx statuses, events/s."""
    figures = figure_lines(text)
    timed = re.compile(rf"^(.*?)\s+{kNumber} s\s+peak RSS\s+(\d+) KiB")
    once = re.compile(rf"once: {kNumber} s wall; parse {kNumber} s .*; store {kNumber} s")
    last = None
    for line in text.splitlines():
        if (m := timed.match(line)) and m.group(1).strip() in kE2eLabels:
            last = kE2eLabels[m.group(1).strip()]
            figures[f"e2e_{last}_s"] = float(m.group(2))
            figures[f"e2e_{last}_rss_kib"] = float(m.group(3))
        elif (m := once.search(line)) and last:
            figures[f"e2e_{last}_parse_s"] = float(m.group(2))
            figures[f"e2e_{last}_store_s"] = float(m.group(3))
        elif line.strip().startswith("nginx:") and last:
            counts = re.findall(r"(\d+) (\d{3})", line)
            total = sum(int(c) for c, _ in counts)
            not_304 = sum(int(c) for c, status in counts if status != "304")
            figures[f"e2e_{last}_requests"] = float(total)
            figures[f"e2e_{last}_requests_not_304"] = float(not_304)
        elif m := re.match(r"^corpus: (\d+) feeds, (\d+) MB, (\d+) items", line):
            figures["e2e_feeds"] = float(m.group(1))
            figures["e2e_corpus_mb"] = float(m.group(2))
            figures["e2e_items"] = float(m.group(3))
        elif m := re.match(rf"^replay: (\d+) events, {kNumber} MB in {kNumber} s = "
                           rf"{kNumber} events/s", line):
            figures["e2e_replay_events"] = float(m.group(1))
            figures["e2e_replay_events_per_s"] = float(m.group(4))
        elif m := re.match(rf"^live: (\d+) events in {kNumber} s = {kNumber} events/s", line):
            figures["e2e_live_events"] = float(m.group(1))
            figures["e2e_live_events_per_s"] = float(m.group(3))
        elif m := re.search(r"database: search on (\d+) KiB, off (\d+) KiB", line):
            figures["e2e_db_search_on_kib"] = float(m.group(1))
            figures["e2e_db_search_off_kib"] = float(m.group(2))
    return figures


def parse_bus(text):
    """bench/bus.sh: replay rates, events/s through PUB, commit->subscriber latency."""
    figures = figure_lines(text)
    latency = (rf"commit->subscriber latency over (\d+) events \((\d+) batches\): p50 {kNumber} us, "
               rf"p90 {kNumber} us, p99 {kNumber} us")
    phases = {"fresh burst": "fresh", "steady": "steady"}
    for line in text.splitlines():
        if m := re.match(rf"^(fresh burst|steady): {latency}", line):
            phase = phases[m.group(1)]
            figures[f"bus_{phase}_latency_events"] = float(m.group(2))
            figures[f"bus_{phase}_latency_p50_us"] = float(m.group(4))
            figures[f"bus_{phase}_latency_p99_us"] = float(m.group(6))
        elif m := re.match(rf"^(fresh burst|steady): first event of each commit, over (\d+) "
                           rf"commits: p50 {kNumber} us, p99 {kNumber} us", line):
            phase = phases[m.group(1)]
            figures[f"bus_{phase}_first_latency_p50_us"] = float(m.group(3))
            figures[f"bus_{phase}_first_latency_p99_us"] = float(m.group(4))
        elif m := re.match(rf"^(steady): (\d+) feeds polled every 1-2 s, {kNumber} new items/s",
                           line):
            figures[f"bus_{m.group(1)}_feeds"] = float(m.group(2))
            figures[f"bus_{m.group(1)}_items_per_s"] = float(m.group(3))
        elif m := re.match(rf"^(steady): (\d+) commits traced, one every (\d+) ms", line):
            figures[f"bus_{m.group(1)}_commit_gap_ms"] = float(m.group(3))
        elif m := re.match(rf"^(steady): zmq PUB->SUB ipc floor over (\d+) messages, bursts of "
                           rf"(\d+) x (\d+) bytes every (\d+) ms: p50 {kNumber} us, p99 "
                           rf"{kNumber} us; first of each burst p50 {kNumber} us", line):
            figures["bus_floor_burst"] = float(m.group(3))
            figures["bus_floor_payload_bytes"] = float(m.group(4))
            figures["bus_floor_pace_ms"] = float(m.group(5))
            figures["bus_floor_p50_us"] = float(m.group(6))
            figures["bus_floor_p99_us"] = float(m.group(7))
            figures["bus_floor_first_p50_us"] = float(m.group(8))
        elif m := re.match(rf"^fresh burst: live: (\d+) events in {kNumber} s = {kNumber} events/s",
                           line):
            figures["bus_pub_events"] = float(m.group(1))
            figures["bus_pub_events_per_s"] = float(m.group(3))
        elif m := re.match(rf"^Store::replay best: {kNumber} events/s, {kNumber} events per CPU",
                           line):
            figures["bus_store_replay_per_s"] = float(m.group(1))
            figures["bus_store_replay_cpu_per_s"] = float(m.group(2))
        elif m := re.match(rf"^replay: (\d+) events, {kNumber} MB in {kNumber} s = {kNumber} "
                           rf"events/s(?:.*heraldd {kNumber} events/CPU-s)?", line):
            # Two unparsed passes: keep the better (the machine is shared).
            if float(m.group(4)) > figures.get("bus_replay_per_s", 0):
                figures["bus_replay_events"] = float(m.group(1))
                figures["bus_replay_mb"] = float(m.group(2))
                figures["bus_replay_per_s"] = float(m.group(4))
                if m.group(5):
                    figures["bus_replay_heraldd_cpu_per_s"] = float(m.group(5))
        elif m := re.match(rf"^replay \(parsed\): (\d+) events, {kNumber} MB in {kNumber} s = "
                           rf"{kNumber} events/s", line):
            figures["bus_replay_parsed_per_s"] = float(m.group(4))
    return figures


def parse_store(text):
    """store_bench: insert rates against raw SQLite, bytes per item, query times."""
    figures = figure_lines(text)
    patterns = [
        (rf"new items/s, search off: store {kNumber}\s+raw {kNumber}\s+ratio {kNumber}",
         ["store_new_off_per_s", "raw_new_off_per_s", "store_new_off_ratio"]),
        (rf"new items/s, search on:\s+store {kNumber}\s+raw {kNumber}\s+ratio {kNumber}",
         ["store_new_on_per_s", "raw_new_on_per_s", "store_new_on_ratio"]),
        (rf"known items re-seen/s:\s+store {kNumber}", ["store_reseen_per_s"]),
        (rf"per CPU second .*: new off store {kNumber} raw {kNumber}; new on store {kNumber} "
         rf"raw {kNumber}; re-seen {kNumber}",
         ["store_new_off_cpu_per_s", "raw_new_off_cpu_per_s", "store_new_on_cpu_per_s",
          "raw_new_on_cpu_per_s", "store_reseen_cpu_per_s"]),
        (rf"bytes/item: payload {kNumber}\s+store {kNumber} \({kNumber}x\)\s+raw {kNumber} "
         rf"\({kNumber}x\)\s+search index {kNumber}",
         ["store_payload_bytes", "store_bytes_per_item", "store_bytes_ratio", "raw_bytes_per_item",
          "raw_bytes_ratio", "store_search_index_bytes_per_item"]),
        (rf"on (\d+) items: items list --limit 50: {kNumber} ms \(--feed: {kNumber} ms\)\s+"
         rf"search: {kNumber} ms \((\d+) hits shown; prefix {kNumber} ms\)",
         ["store_query_items", "store_list_ms", "store_list_feed_ms", "store_search_ms",
          "store_search_hits", "store_search_prefix_ms"]),
        (rf"filled a search-on store: {kNumber} new items/s", ["store_fill_on_per_s"]),
    ]
    for line in text.splitlines():
        for pattern, keys in patterns:
            if m := re.search(pattern, line):
                for key, value in zip(keys, m.groups()):
                    figures[key] = float(value)
    return figures


def _run(command):
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=20)
        return (done.stdout + done.stderr).strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def _first_line(command, pattern=None):
    text = _run(command)
    for line in text.splitlines():
        if pattern is None or re.search(pattern, line):
            return line.strip()
    return "not found"


def _package(name):
    version = _run(["dpkg-query", "-W", "-f", "${Version}", name])
    return version if version and "no packages found" not in version else "not installed"


def machine(build_dir, repo_root):
    """What the figures depend on: hardware, kernel, compiler, peers' versions, build type."""
    info = {"nproc": os.cpu_count(), "kernel": platform.release(), "machine": platform.machine()}
    try:
        with open("/proc/meminfo") as meminfo:
            for line in meminfo:
                if line.startswith("MemTotal:"):
                    info["memory_mib"] = int(line.split()[1]) // 1024
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    info["cpu"] = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    info["g++"] = _first_line(["g++", "--version"])
    info["curl"] = " ".join(_first_line(["curl", "--version"]).split()[:2])
    info["libcurl"] = _package("libcurl4")
    info["sqlite"] = _package("libsqlite3-0")
    info["sqlitecpp"] = _package("libsqlitecpp-dev")
    info["pugixml"] = _package("libpugixml1v5")
    info["libzmq"] = _package("libzmq5")
    info["nginx"] = _first_line(["nginx", "-v"], "version")
    info["sfeed"] = _package("sfeed")
    info["newsboat"] = _first_line(["newsboat", "--version"], "newsboat")
    info["feedparser"] = _run(["/usr/bin/python3", "-c",
                               "import feedparser; print(feedparser.__version__)"]) or "not found"
    info["hyperfine"] = _first_line(["hyperfine", "--version"])
    info["build_type"] = "unknown"
    try:
        with open(os.path.join(build_dir, "CMakeCache.txt")) as cache:
            for line in cache:
                if line.startswith("CMAKE_BUILD_TYPE:"):
                    info["build_type"] = line.split("=", 1)[1].strip() or "(none)"
    except OSError:
        pass
    info["commit"] = _run(["git", "-C", repo_root, "rev-parse", "--short", "HEAD"]) or "unknown"
    return info


def load_average():
    try:
        with open("/proc/loadavg") as loadavg:
            return [float(v) for v in loadavg.read().split()[:3]]
    except OSError:
        return None
