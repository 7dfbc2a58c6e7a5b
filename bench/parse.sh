#!/usr/bin/env bash
# Parser benchmark: herald::parser against pugixml (in-process, same bytes), sfeed and
# python3-feedparser, on the generated corpus (bench/gen_corpus.py).
#
#   bench/parse.sh [BUILD_DIR] [CORPUS_DIR]   (defaults: build, bench/out/corpus)
#   env: RUNS=5        timed runs per set (herald, pugixml, sfeed); the best counts
#        FP_EVERY=10   feedparser parses 1 feed in FP_EVERY (it runs at < 1 MB/s); 1 = all
#        FP_BIG=0      1 = also time feedparser on the 10 MB and 50 MB files (minutes)
#
# Needs BUILD_DIR/bin/parse_bench (cmake --build BUILD_DIR --target parse_bench), sfeed and
# Debian's /usr/bin/python3 with python3-feedparser. Prints every figure as `figure KEY VALUE`
# and writes them to CORPUS_DIR/../parse-figures.txt for bench/run. Speeds come as wall time
# and as CPU time (`_cpu`); on a shared, loaded machine the CPU ratios are the steadier ones,
# and the goal verdicts use them.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-$here/../build}" && pwd)
corpus=${2:-$here/out/corpus}
bench="$build/bin/parse_bench"
RUNS=${RUNS:-5}
FP_EVERY=${FP_EVERY:-10}
FP_BIG=${FP_BIG:-0}
[[ -x $bench ]] || { echo "parse.sh: $bench not built (cmake --build $build --target parse_bench)" >&2; exit 1; }
command -v sfeed >/dev/null || { echo "parse.sh: sfeed not installed (apt-get install sfeed)" >&2; exit 1; }
/usr/bin/python3 -c 'import feedparser' 2>/dev/null ||
    { echo "parse.sh: /usr/bin/python3 lacks feedparser (apt-get install python3-feedparser)" >&2; exit 1; }

# Deterministic, so regenerating is cheap and never stale (a few seconds).
python3 "$here/gen_corpus.py" "$corpus" --big
out=$(dirname "$corpus")/parse-figures.txt
log=$(mktemp /tmp/herald-parse-bench.XXXXXX)
trap 'rm -f "$log"' EXIT

echo "== herald vs pugixml (in-process, best of $RUNS) =="
"$bench" "$corpus" --runs "$RUNS" | tee -a "$log"
echo "== peers: sfeed (one process per document, as sfeed_update runs it), feedparser =="
fp_big=()
[[ $FP_BIG == 1 ]] && fp_big=(--feedparser-big)
/usr/bin/python3 "$here/parser_peers.py" "$corpus/feeds" "$corpus/big/big-10mb.xml" \
    "$corpus/big/big-50mb.xml" --runs "$RUNS" --feedparser-every "$FP_EVERY" "${fp_big[@]}" | tee -a "$log"

echo "== ratios (same corpus, same run) =="
python3 - "$log" <<'PY' | tee -a "$log"
import sys
figures = {}
for line in open(sys.argv[1]):
    parts = line.split()
    if len(parts) == 3 and parts[0] == "figure":
        figures[parts[1]] = float(parts[2])

def ratio(key, label, herald, peer, goal):
    """herald's speed over the peer's, wall and CPU; the verdict uses CPU (steadier)."""
    values = []
    for suffix in ("_mbps", "_cpu_mbps"):
        h, p = figures.get(herald + suffix), figures.get(peer + suffix)
        values.append(h / p if h and p else None)
    wall, cpu = values
    if wall is None or cpu is None:
        return
    verdict = "met" if cpu >= goal else "NOT met"
    print(f"{label}: herald/peer speed {wall:.1f}x wall, {cpu:.1f}x cpu (goal >= {goal:g}x: {verdict})")
    print(f"figure {key} {wall:.4f}")
    print(f"figure {key}_cpu {cpu:.4f}")

ratio("herald_vs_sfeed_corpus", "vs sfeed, corpus (a process per feed)",
      "herald_corpus", "sfeed_corpus", 4)
for tag in ("big_10mb", "big_50mb"):
    ratio(f"herald_vs_sfeed_{tag}", f"vs sfeed, {tag} (process start negligible)",
          f"herald_{tag}", f"sfeed_{tag}", 4)
ratio("herald_vs_feedparser_corpus", "vs feedparser, corpus",
      "herald_corpus", "feedparser_corpus", 200)
for tag in ("big_10mb", "big_50mb"):
    ratio(f"herald_vs_feedparser_{tag}", f"vs feedparser, {tag}",
          f"herald_{tag}", f"feedparser_{tag}", 200)
if "herald_pugixml_cpu_cost_corpus" in figures:
    cost = figures["herald_pugixml_cpu_cost_corpus"]
    print(f"vs pugixml load_buffer, corpus: herald costs {figures['herald_pugixml_cost_corpus']:.2f}x "
          f"wall, {cost:.2f}x cpu (goal <= 1.5x: {'met' if cost <= 1.5 else 'NOT met'})")
PY
grep '^figure ' "$log" > "$out"
echo "figures written to $out"
