#!/usr/bin/env bash
# Soak: heraldd polls FEEDS feeds served by nginx on 127.0.0.1 for MINUTES minutes while a
# changer adds an item to some feeds every few seconds. (It never drops old items: an item
# dropped before herald's first poll of that feed was never really served.)
# Every SAMPLE seconds it records the daemon's RSS, open fds and threads. At the end it stops the
# changer, gives the daemon one more poll interval, and checks that every item ever
# served is stored exactly once and that the subscriber (herald-tail) saw dense seqs.
#
#   bench/soak.sh [BUILD_DIR]
#   env: FEEDS=10000 MINUTES=30 SIZE=8000 INTERVAL=120 (seconds) CHANGE_EVERY=5 CHANGE_FEEDS=30 SAMPLE=10
#        OUT=bench/out/soak (samples.csv and summary.txt land there)
#
# Verdict (exit 1 when it fails): after warm-up (the first third), the peak RSS of the last third
# is within 5 % + 2 MiB of the middle third's, the fd count stays within 4 of the middle third's
# maximum, no item is missing or stored twice, and the subscriber's seqs are dense.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-$here/../build}" && pwd)
FEEDS=${FEEDS:-10000}
MINUTES=${MINUTES:-30}
SIZE=${SIZE:-8000}
INTERVAL=${INTERVAL:-120}
CHANGE_EVERY=${CHANGE_EVERY:-5}
CHANGE_FEEDS=${CHANGE_FEEDS:-30}
SAMPLE=${SAMPLE:-10}
OUT=${OUT:-$here/out/soak}
python=/usr/bin/python3
for program in heraldd herald herald-tail; do
    [[ -x $build/bin/$program ]] || { echo "soak.sh: $build/bin/$program not built" >&2; exit 1; }
done

work=$(mktemp -d /tmp/herald-soak.XXXXXX)
chmod 755 "$work"
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    [[ -f $work/nginx.pid ]] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$OUT"

source "$here/nginx.sh"
serve_corpus "$work" off "$FEEDS" "$SIZE"

config=$work/herald.toml
{
    printf '[daemon]\nstate_dir = "%s/state"\npublish = ["ipc://%s/events"]\ncontrol = "ipc://%s/control"\n' \
        "$work" "$work" "$work"
    printf '[fetch]\nconcurrency = 64\nper_host = 64\nmin_interval = "10s"\n'
    for ((n = 0; n < FEEDS; n++)); do
        printf '[[feed]]\nurl = "http://127.0.0.1:%s/f/feed-%05d.xml"\ninterval = "%ss"\n' "$port" "$n" "$INTERVAL"
    done
} > "$config"

"$build/bin/herald-tail" --config "$config" --since 0 --json > "$work/events.jsonl" 2> "$work/tail.log" &
pids+=($!)
"$build/bin/heraldd" --config "$config" 2> "$work/daemon.log" &
daemon=$!
pids+=("$daemon")

# The changer: each round prepends one new item to CHANGE_FEEDS random feeds. Every guid it ever writes is listed in served.txt (with the corpus's own guids).
$python - "$work/www/f" "$FEEDS" "$CHANGE_EVERY" "$CHANGE_FEEDS" "$work/served.txt" "$work/stop-changer" <<'PY' &
import os, random, re, sys, time
root, feeds, every, per_round, served, stop = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), sys.argv[5], sys.argv[6]
item_re = re.compile(r"<item>.*?</item>\n", re.S)
with open(served, "w") as out:
    for name in sorted(os.listdir(root)):
        out.write("".join(m + "\n" for m in re.findall(r"<guid>([^<]+)</guid>", open(os.path.join(root, name)).read())))
rng = random.Random(7)
rounds = 0
while not os.path.exists(stop) and rounds < 100000:
    rounds += 1
    with open(served, "a") as out:
        for number in rng.sample(range(feeds), min(per_round, feeds)):
            path = os.path.join(root, f"feed-{number:05d}.xml")
            text = open(path).read()
            items = item_re.findall(text)
            guid = f"soak-{number}-{rounds}"
            new = (f"<item><title>Soak round {rounds}</title><link>http://bench.invalid/{number}/{guid}</link>"
                   f"<guid>{guid}</guid><pubDate>Tue, 01 Dec 2026 10:00:00 GMT</pubDate>"
                   f"<description>Added by the soak changer in round {rounds}.</description></item>\n")
            head = text[: text.index("<item>")] if items else text[: text.rindex("</channel>")]
            body = new + "".join(items)
            tmp = path + ".tmp"
            open(tmp, "w").write(head + body + "</channel></rss>\n")
            os.replace(tmp, path)  # nginx serves the old or the new file, never half of one
            out.write(guid + "\n")
    time.sleep(every)
PY
changer=$!
pids+=("$changer")

echo "soak: $FEEDS feeds every $INTERVAL s, $CHANGE_FEEDS feeds changed every $CHANGE_EVERY s, $MINUTES min; samples every $SAMPLE s"
echo "seconds,rss_kib,hwm_kib,fds,threads" > "$OUT/samples.csv"
started=$(date +%s)
deadline=$((started + MINUTES * 60))
while (($(date +%s) < deadline)); do
    kill -0 "$daemon" 2>/dev/null || { echo "soak.sh: heraldd died" >&2; tail -5 "$work/daemon.log" >&2; exit 1; }
    rss=$(awk '/^VmRSS/{print $2}' "/proc/$daemon/status")
    hwm=$(awk '/^VmHWM/{print $2}' "/proc/$daemon/status")
    threads=$(awk '/^Threads/{print $2}' "/proc/$daemon/status")
    fds=$(find "/proc/$daemon/fd" -mindepth 1 -maxdepth 1 | wc -l)
    echo "$(($(date +%s) - started)),$rss,$hwm,$fds,$threads" >> "$OUT/samples.csv"
    sleep "$SAMPLE"
done

touch "$work/stop-changer"
wait "$changer" || true
# One and a half poll intervals more (jitter adds up to 10 %, and a margin) with the changer
# stopped: every served item is stored and published, and the subscriber has caught up (it
# replays any gap it sees).
sleep $((INTERVAL * 3 / 2 + 30))
kill -0 "$daemon" 2>/dev/null || { echo "soak.sh: heraldd died" >&2; exit 1; }
last_seq=$(sqlite3 "$work/state/herald.db" "SELECT value FROM meta WHERE key = 'last_seq'")
for _ in $(seq 1 100); do  # bounded: 10 s more for the subscriber
    [[ $(tail -1 "$work/events.jsonl" | $python -c 'import json,sys; print(json.loads(sys.stdin.read() or "{\"seq\":0}")["seq"])') -ge $last_seq ]] && break
    sleep 0.1
done
kill -TERM "$daemon"
wait "$daemon" || { echo "soak.sh: heraldd exited non-zero on SIGTERM" >&2; exit 1; }
sqlite3 "$work/state/herald.db" "SELECT guid FROM items WHERE guid IS NOT NULL" > "$work/stored.txt"
sort -u "$work/served.txt" | comm -23 - <(sort -u "$work/stored.txt") | head -5 > "$work/missing.txt"
while read -r guid; do  # why an item is missing: its feed's last poll and file
    number=$((10#$(echo "$guid" | cut -d- -f2)))
    echo "missing $guid: feed $number polled $(sqlite3 "$work/state/herald.db" \
        "SELECT datetime(last_polled,'unixepoch'),datetime(next_poll,'unixepoch'),last_status,last_error FROM feeds WHERE url LIKE '%feed-$(printf %05d "$number").xml'" 2>&1)"
done < "$work/missing.txt"

$python - "$OUT/samples.csv" "$work/served.txt" "$work/stored.txt" "$work/events.jsonl" "$last_seq" <<'PY' | tee "$OUT/summary.txt"
import collections, csv, json, sys
samples = list(csv.DictReader(open(sys.argv[1])))
served = [l.strip() for l in open(sys.argv[2]) if l.strip()]
stored = collections.Counter(l.strip() for l in open(sys.argv[3]) if l.strip())
last_seq = int(sys.argv[5])
seqs, kinds = [], collections.Counter()
for line in open(sys.argv[4]):
    event = json.loads(line)
    seqs.append(event["seq"]); kinds[event["kind"]] += 1
third = max(len(samples) // 3, 1)
middle, last = samples[third:2 * third], samples[2 * third:]
peak = lambda rows, key: max(int(r[key]) for r in rows)
rss_mid, rss_last = peak(middle, "rss_kib"), peak(last, "rss_kib")
fd_mid, fd_last = peak(middle, "fds"), peak(last, "fds")
missing = [g for g in set(served) if stored[g] == 0]
twice = [g for g, n in stored.items() if n > 1]
dense = seqs == list(range(1, len(seqs) + 1)) and (not seqs or seqs[-1] == last_seq)
ok_rss = rss_last <= rss_mid * 1.05 + 2048
ok_fd = fd_last <= fd_mid + 4  # connections come and go; a leak climbs steadily
print(f"samples: {len(samples)} over {samples[-1]['seconds']} s")
print(f"RSS KiB: first third peak {peak(samples[:third], 'rss_kib')}, middle third peak {rss_mid}, "
      f"last third peak {rss_last} ({(rss_last - rss_mid) / rss_mid * 100:+.1f} %) -> {'flat' if ok_rss else 'GROWING'}")
print(f"open fds: middle third max {fd_mid}, last third max {fd_last}, min overall "
      f"{min(int(r['fds']) for r in samples)} -> {'no leak' if ok_fd else 'LEAK?'}")
print(f"items served {len(set(served))}, stored {len(stored)}, missing {len(missing)}, stored twice {len(twice)}")
print(f"subscriber: {len(seqs)} events ({dict(kinds)}), last seq {last_seq}, dense {dense}")
sys.exit(0 if ok_rss and ok_fd and not missing and not twice and dense else 1)
PY
