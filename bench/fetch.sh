#!/usr/bin/env bash
# Fetch benchmark: herald's Fetcher against `curl --parallel --parallel-max 100`, both polling
# the same feeds from nginx on 127.0.0.1 (its own prefix, config, pid and logs in a temp dir;
# no system config is touched).
#
#   bench/fetch.sh [BUILD_DIR]        (default: build; needs BUILD_DIR/bin/fetch_bench)
#   env: FEEDS=1000 SIZE=100000 RUNS=5 BIG=10000 PARALLEL=100
#
# Passes, each the median and the best of RUNS (herald and curl runs interleaved):
#   full  every feed answers 200 with its body
#   304   the same requests carrying the validators of the full pass: every answer is 304
# Then peak RSS of one full poll of FEEDS and of BIG feeds (URLs cycle over the files).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-$here/../build}" && pwd)
bench="$build/bin/fetch_bench"
FEEDS=${FEEDS:-1000}
SIZE=${SIZE:-100000}
RUNS=${RUNS:-5}
BIG=${BIG:-10000}
PARALLEL=${PARALLEL:-100}
[[ -x $bench ]] || { echo "fetch.sh: $bench not built (cmake --build $build --target fetch_bench)" >&2; exit 1; }

work=$(mktemp -d /tmp/herald-fetch-bench.XXXXXX)
chmod 755 "$work"  # nginx workers may run as another user
cleanup() {
    if [[ -f $work/nginx.pid ]]; then kill "$(cat "$work/nginx.pid")" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

source "$here/nginx.sh"
serve_corpus "$work" off "$FEEDS" "$SIZE"

base="http://127.0.0.1:$port/f"
python3 - "$work" "$base" "$FEEDS" "$BIG" <<'PY'
import sys
work, base, feeds, big = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
with open(f"{work}/urls.txt", "w") as out:
    for n in range(feeds):
        out.write(f"{base}/feed-{n:05d}.xml\n")
with open(f"{work}/urls-big.txt", "w") as out:
    for n in range(big):
        out.write(f"{base}/feed-{n % feeds:05d}.xml?n={n}\n")
with open(f"{work}/full.curl", "w") as out:
    for n in range(feeds):
        out.write(f'url = "{base}/feed-{n:05d}.xml"\noutput = "/dev/null"\n')
with open(f"{work}/big.curl", "w") as out:
    for n in range(big):
        out.write(f'url = "{base}/feed-{n % feeds:05d}.xml?n={n}"\noutput = "/dev/null"\n')
PY

now() { date +%s.%N; }
median() { sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
minimum() { sort -g | head -1; }

# The full pass also records the validators the 304 pass sends back.
"$bench" --urls "$work/urls.txt" --validators-out "$work/validators.tsv" \
    --concurrency "$PARALLEL" --per-host "$PARALLEL" > "$work/warmup.txt"
python3 - "$work" <<'PY'
import sys
work = sys.argv[1]
def quote(text):
    return text.replace("\\", "\\\\").replace('"', '\\"')
groups = []
with open(f"{work}/validators.tsv") as rows:
    for row in rows:
        url, etag, modified = row.rstrip("\n").split("\t")
        group = f'url = "{url}"\noutput = "/dev/null"\n'
        if etag: group += f'header = "If-None-Match: {quote(etag)}"\n'
        if modified: group += f'header = "If-Modified-Since: {quote(modified)}"\n'
        groups.append(group)
# Options end at each "next"; the check config repeats write-out in every group.
with open(f"{work}/cond.curl", "w") as out:
    out.write("next\n".join(groups))
with open(f"{work}/cond-check.curl", "w") as out:
    out.write("next\n".join(g + 'write-out = "%{http_code}\\n"\n' for g in groups))
PY
# Sanity: curl's conditional pass really gets 304s.
curl_304=$(curl -s --no-progress-meter --parallel --parallel-max "$PARALLEL" -K "$work/cond-check.curl" 2>/dev/null | grep -c '^304$' || true)

declare -A times
run_pass() {  # NAME CURL_CONFIG [fetch_bench flags...]; both clients timed as whole processes
    local name=$1 config=$2; shift 2
    for _ in $(seq 1 "$RUNS"); do
        local t0 t1
        t0=$(now); "$bench" --urls "$work/urls.txt" --concurrency "$PARALLEL" --per-host "$PARALLEL" "$@" > "$work/$name.herald.txt"; t1=$(now)
        echo "$t1 - $t0" | bc >> "$work/$name.herald.times"
        t0=$(now); curl -s --no-progress-meter --parallel --parallel-max "$PARALLEL" -K "$config" 2>/dev/null; t1=$(now)
        echo "$t1 - $t0" | bc >> "$work/$name.curl.times"
    done
    times[$name.herald]=$(median < "$work/$name.herald.times")
    times[$name.curl]=$(median < "$work/$name.curl.times")
    times[$name.herald.min]=$(minimum < "$work/$name.herald.times")
    times[$name.curl.min]=$(minimum < "$work/$name.curl.times")
}
run_pass full "$work/full.curl"
run_pass 304 "$work/cond.curl" --validators-in "$work/validators.tsv"

herald_rss() { "$bench" --urls "$1" "${@:2}" | sed -n 's/.*peak_rss_kib=\([0-9]*\).*/\1/p'; }
curl_rss() { /usr/bin/time -f %M curl -s --no-progress-meter --parallel --parallel-max "$PARALLEL" -K "$1" 2>&1 >/dev/null | tail -1; }

echo "corpus: $FEEDS feeds, $(du -sm "$work/www/f" | cut -f1) MB; nginx 1 worker; parallel $PARALLEL; $RUNS runs each"
echo "full poll : $(cat "$work/full.herald.txt")"
echo "304 poll  : $(cat "$work/304.herald.txt")  (curl 304s: $curl_304/$FEEDS)"
for pass in full 304; do
    h=${times[$pass.herald]}; c=${times[$pass.curl]}
    hm=${times[$pass.herald.min]}; cm=${times[$pass.curl.min]}
    printf '%-4s median: herald %.3f s  curl %.3f s  ratio %.2f | best: herald %.3f s  curl %.3f s  ratio %.2f\n' \
        "$pass" "$h" "$c" "$(echo "$h / $c" | bc -l)" "$hm" "$cm" "$(echo "$hm / $cm" | bc -l)"
done
printf 'peak RSS %5d feeds: herald %s KiB (curl %s KiB)\n' "$FEEDS" \
    "$(herald_rss "$work/urls.txt" --concurrency "$PARALLEL" --per-host "$PARALLEL")" "$(curl_rss "$work/full.curl")"
printf 'peak RSS %5d feeds: herald %s KiB (curl %s KiB)\n' "$BIG" \
    "$(herald_rss "$work/urls-big.txt" --concurrency "$PARALLEL" --per-host "$PARALLEL")" "$(curl_rss "$work/big.curl")"
# The daemon's defaults (64 in flight, 2 per host) on this single-host corpus, for reference.
t0=$(now); "$bench" --urls "$work/urls.txt" --concurrency 64 --per-host 2 > "$work/polite.txt"; t1=$(now)
printf 'defaults (64 in flight, 2 per host): full %.3f s\n' "$(echo "$t1 - $t0" | bc)"
