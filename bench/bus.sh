#!/usr/bin/env bash
# Event-bus benchmark (issue 6): replay speed, events/s through PUB, commit->subscriber latency.
#
#   bench/bus.sh [BUILD_DIR]   (needs BUILD_DIR/bin/heraldd, e2e_client; store_bench optional)
#   env: FEEDS=1000 SIZE=100000 (the e2e corpus: ~100 KB feeds, ~2.8 KB payloads)
#        STEADY_FEEDS=20 STEADY_RATE=10 (new items/s over all feeds) STEADY_SECONDS=30
#
# 1. fresh burst: `heraldd --once` stores the corpus while a subscriber listens; with
#    HERALD_COMMIT_TRACE set heraldd logs "first_seq last_seq commit_done_realtime_ns" per
#    published batch, the subscriber takes CLOCK_REALTIME at receipt of each seq: latency =
#    receipt - commit of its batch (same machine, same clock).
# 2. replay: Store::replay alone on that store (store_bench --replay), then a client over the
#    real control socket of a running heraldd (pages of 1000, the contract's maximum).
# 3. steady state: a running heraldd polls STEADY_FEEDS feeds every second while a writer adds
#    STEADY_RATE items/s to them; the same latency, now for a few items per commit. Then the
#    PUB->SUB hop alone (e2e_client floor) paced like that run's commits: what any ZeroMQ
#    subscriber pays on this machine at that cadence.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-$here/../build}" && pwd)
heraldd="$build/bin/heraldd"
client="$build/bin/e2e_client"
store_bench="$build/bin/store_bench"
FEEDS=${FEEDS:-1000}
SIZE=${SIZE:-100000}
STEADY_FEEDS=${STEADY_FEEDS:-20}
STEADY_RATE=${STEADY_RATE:-10}
STEADY_SECONDS=${STEADY_SECONDS:-30}
for program in "$heraldd" "$client"; do
    [[ -x $program ]] || { echo "bus.sh: $program not built" >&2; exit 1; }
done

work=$(mktemp -d /tmp/herald-bus.XXXXXX)
chmod 755 "$work"
daemon_pid=""
writer_pid=""
cleanup() {
    [[ -n $writer_pid ]] && kill "$writer_pid" 2>/dev/null || true
    [[ -n $daemon_pid ]] && kill "$daemon_pid" 2>/dev/null || true
    [[ -f $work/nginx.pid ]] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

source "$here/nginx.sh"
serve_corpus "$work" off "$FEEDS" "$SIZE"

write_config() {  # NAME INTERVAL MAX FEED_URLS...: a config with its own state and sockets
    local name=$1 interval=$2 max=$3; shift 3
    {
        printf '[daemon]\nstate_dir = "%s"\npublish = ["ipc://%s"]\ncontrol = "ipc://%s"\n' \
            "$work/state-$name" "$work/events-$name" "$work/control-$name"
        printf '[fetch]\nconcurrency = 100\nper_host = 100\nmin_interval = "1s"\n'
        printf 'default_interval = "%s"\nmax_interval = "%s"\n' "$interval" "$max"
        for url in "$@"; do printf '[[feed]]\nurl = "%s"\n' "$url"; done
    } > "$work/$name.toml"
}
wait_for() {  # PREDICATE...: polls up to 10 s
    local _
    for _ in $(seq 1 200); do "$@" && return 0; sleep 0.05; done
    echo "bus.sh: timed out waiting for: $*" >&2
    return 1
}
write_config corpus 1h 1d $(for n in $(seq 0 $((FEEDS - 1))); do printf 'http://127.0.0.1:%s/f/feed-%05d.xml ' "$port" "$n"; done)

echo "corpus: $FEEDS feeds, $(du -sm "$work/www/f" | cut -f1) MB"
"$client" listen "ipc://$work/events-corpus" 3 "$work/trace-fresh.txt" > "$work/listen-fresh.txt" &
listener=$!
wait_for grep -q listening "$work/listen-fresh.txt"
HERALD_COMMIT_TRACE="$work/trace-fresh.txt" "$heraldd" --config "$work/corpus.toml" --once \
    > "$work/once.txt" 2> "$work/once.log"
echo "fresh: $(tail -1 "$work/once.txt")"
wait "$listener" || true
sed 's/^/fresh burst: /' "$work/listen-fresh.txt" | grep -v listening
echo "database: $(du -k "$work/state-corpus/herald.db" | cut -f1) KiB"

if [[ -x $store_bench ]]; then
    "$store_bench" --replay "$work/state-corpus/herald.db"
fi
"$heraldd" --config "$work/corpus.toml" 2> "$work/daemon-corpus.log" &
daemon_pid=$!
wait_for test -S "$work/control-corpus"
"$client" replay "ipc://$work/control-corpus" --pid "$daemon_pid"
"$client" replay "ipc://$work/control-corpus" --pid "$daemon_pid"
"$client" replay "ipc://$work/control-corpus" --parse --pid "$daemon_pid"
kill "$daemon_pid"; wait "$daemon_pid" || true; daemon_pid=""

# Steady state: small feeds that keep growing. Latency at low load is mostly the machine
# waking idle cores, so the run is followed by the bare PUB->SUB hop paced like its commits:
# the difference is what heraldd adds.
mkdir -p "$work/www/s"
run_steady() {  # NAME FEEDS RATE SECONDS
    local name=$1 feeds=$2 rate=$3 seconds=$4
    rm -f "$work"/www/s/*
    python3 - "$work/www/s" "$feeds" "$rate" "$seconds" > "$work/writer-$name.log" <<'PY' &
import os, random, sys, time
out, feeds, rate, seconds = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
rng = random.Random(7)
words = "feed herald poll item channel news update release note patch summary server".split()
items = [[] for _ in range(feeds)]
def write(n):
    body = "".join(items[n])
    path = f"{out}/s-{n:03d}.xml"
    with open(path + ".tmp", "w") as f:
        f.write('<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
                f"<title>Steady {n}</title><link>http://bench.invalid/s{n}/</link>{body}"
                "</channel></rss>\n")
    os.replace(path + ".tmp", path)  # nginx never serves half a file
def add(n):
    k = len(items[n]) + 1
    text = " ".join(rng.choice(words) for _ in range(300))
    items[n].insert(0, f"<item><title>Steady {n} item {k}</title>"
                       f"<link>http://bench.invalid/s{n}/{k}</link><guid>s-{n}-{k}</guid>"
                       f"<description>{text}</description></item>")
    write(n)
for n in range(feeds):
    add(n)
print("ready", flush=True)
start = time.monotonic()
for i in range(int(rate * seconds)):
    time.sleep(max(0.0, start + (i + 1) / rate - time.monotonic()))  # pacing, not sync
    add(rng.randrange(feeds))
print("done", flush=True)
PY
    writer_pid=$!
    wait_for grep -q ready "$work/writer-$name.log"
    write_config "$name" 1s 2s $(for n in $(seq 0 $((feeds - 1))); do printf 'http://127.0.0.1:%s/s/s-%03d.xml ' "$port" "$n"; done)
    HERALD_COMMIT_TRACE="$work/trace-$name.txt" "$heraldd" --config "$work/$name.toml" \
        2> "$work/daemon-$name.log" &
    daemon_pid=$!
    wait_for test -s "$work/trace-$name.txt"  # the first poll's backlog is not the steady state
    "$client" listen "ipc://$work/events-$name" 5 "$work/trace-$name.txt" > "$work/listen-$name.txt" &
    local listener=$!
    wait "$writer_pid" || true; writer_pid=""
    wait "$listener" || true
    kill "$daemon_pid"; wait "$daemon_pid" || true; daemon_pid=""
    echo "$name: $feeds feeds polled every 1-2 s, $rate new items/s"
    sed "s/^/$name: /" "$work/listen-$name.txt" | grep -v listening
    # Mean gap between published commits, skipping the first (the backlog).
    local gap_ms
    gap_ms=$(awk 'NR == 2 { first = $3 } NR > 2 { last = $3; n++ }
                  END { gap = n > 0 ? (last - first) / n / 1e6 : 20; printf "%d", gap }' \
             "$work/trace-$name.txt")
    echo "$name: $(wc -l < "$work/trace-$name.txt") commits traced, one every $gap_ms ms"
    # The PUB->SUB hop alone, at the same cadence, with bursts the size of a commit's events.
    local events commits burst payload
    events=$(sed -n 's/^live: \([0-9]*\) events.*/\1/p' "$work/listen-$name.txt")
    payload=$(sed -n 's/.*mean payload \([0-9]*\) bytes.*/\1/p' "$work/listen-$name.txt")
    commits=$(wc -l < "$work/trace-$name.txt")
    burst=$(( ${events:-0} / (commits > 0 ? commits : 1) ))
    "$client" floor "ipc://$work/floor-$name" "$((gap_ms > 0 ? gap_ms : 1))" \
        "$((burst > 0 ? burst : 1))" "${payload:-1200}" | sed "s/^/$name: /"
}
run_steady steady "$STEADY_FEEDS" "$STEADY_RATE" "$STEADY_SECONDS"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
