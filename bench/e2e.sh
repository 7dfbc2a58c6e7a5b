#!/usr/bin/env bash
# End-to-end benchmark: `heraldd --once` over FEEDS feeds served by nginx on 127.0.0.1, fresh
# and then all-304, against `curl --parallel` over the same URLs (with the same validators for
# the 304 pass) and `newsboat -x reload` (fresh and steady state). Then the event side: replay
# throughput over the control socket, and live events per second with their latency.
#
#   bench/e2e.sh [BUILD_DIR]      (needs BUILD_DIR/bin/heraldd and BUILD_DIR/bin/e2e_client)
#   env: FEEDS=1000 SIZE=100000 PARALLEL=100 NEWSBOAT=1 (0 skips newsboat, which takes minutes)
#
# nginx runs as the current user with its own prefix, config, pid and logs in a temp dir.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-$here/../build}" && pwd)
heraldd="$build/bin/heraldd"
client="$build/bin/e2e_client"
FEEDS=${FEEDS:-1000}
SIZE=${SIZE:-100000}
PARALLEL=${PARALLEL:-100}
NEWSBOAT=${NEWSBOAT:-1}
for program in "$heraldd" "$client"; do
    [[ -x $program ]] || { echo "e2e.sh: $program not built" >&2; exit 1; }
done

work=$(mktemp -d /tmp/herald-e2e.XXXXXX)
chmod 755 "$work"
daemon_pid=""
cleanup() {
    [[ -n $daemon_pid ]] && kill "$daemon_pid" 2>/dev/null || true
    [[ -f $work/nginx.pid ]] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

source "$here/nginx.sh"
serve_corpus "$work" "$work/access.log" "$FEEDS" "$SIZE"

# URLs, heraldd configs (search index on and off), curl configs, newsboat files.
python3 - "$work" "$port" "$FEEDS" "$PARALLEL" <<'PY'
import email.utils, os, sys
work, port, feeds, parallel = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
urls = [f"http://127.0.0.1:{port}/f/feed-{n:05d}.xml" for n in range(feeds)]
open(f"{work}/urls.txt", "w").write("\n".join(urls) + "\n")
for name, search in (("on", "true"), ("off", "false")):
    with open(f"{work}/herald-{name}.toml", "w") as out:
        out.write(f'[daemon]\nstate_dir = "{work}/state-{name}"\n'
                  f'publish = ["ipc://{work}/events-{name}"]\ncontrol = "ipc://{work}/control-{name}"\n'
                  f'[fetch]\nconcurrency = {parallel}\nper_host = {parallel}\n'
                  f'[store]\nsearch = {search}\n')
        for url in urls:
            out.write(f'[[feed]]\nurl = "{url}"\n')
groups_full, groups_cond = [], []
for n, url in enumerate(urls):
    st = os.stat(f"{work}/www/f/feed-{n:05d}.xml")
    etag = '"%x-%x"' % (int(st.st_mtime), st.st_size)  # nginx's ETag
    modified = email.utils.formatdate(st.st_mtime, usegmt=True)
    groups_full.append(f'url = "{url}"\noutput = "/dev/null"\n')
    groups_cond.append(f'url = "{url}"\noutput = "/dev/null"\n'
                       f'header = "If-None-Match: {etag}"\nheader = "If-Modified-Since: {modified}"\n')
open(f"{work}/full.curl", "w").write("next\n".join(groups_full))
open(f"{work}/cond.curl", "w").write("next\n".join(groups_cond))
open(f"{work}/newsboat.conf", "w").write(f"reload-threads {parallel}\n")
PY

now() { date +%s.%N; }
timed() {  # label command...  → "label: SECONDS s, peak RSS KIB KiB" and the command's stdout
    local label=$1; shift
    /usr/bin/time -f "%e %M" -o "$work/time.txt" "$@" > "$work/out.txt" 2> "$work/err.txt" || {
        echo "e2e.sh: $label failed:" >&2; tail -3 "$work/err.txt" >&2; exit 1; }
    read -r seconds rss < "$work/time.txt"
    printf '%-34s %7.3f s  peak RSS %6d KiB  %s\n' "$label" "$seconds" "$rss" "$(tail -1 "$work/out.txt")"
    echo "$seconds" > "$work/last.txt"
}
requests() { wc -l < "$work/access.log"; }
statuses() { awk '{print $9}' "$work/access.log" | sort | uniq -c | tr '\n' ' '; }

echo "corpus: $FEEDS feeds, $(du -sm "$work/www/f" | cut -f1) MB, $(grep -o '<item>' -r "$work/www/f" | wc -l) items; nginx 1 worker; $PARALLEL in flight"
: > "$work/access.log"
"$client" listen "ipc://$work/events-on" 3 "$work/trace.txt" > "$work/listen.txt" &
listener=$!
sleep 0.5  # let the subscriber start connecting; it reconnects until heraldd binds
# HERALD_COMMIT_TRACE: heraldd logs each batch's commit time; the listener's latency is from it.
timed "heraldd --once fresh (search on)" env HERALD_COMMIT_TRACE="$work/trace.txt" \
    "$heraldd" --config "$work/herald-on.toml" --once
fresh=$(cat "$work/last.txt")
grep -h 'once:' "$work/err.txt" || true
echo "  nginx: $(statuses)"
: > "$work/access.log"
timed "heraldd --once all-304" "$heraldd" --config "$work/herald-on.toml" --once
second=$(cat "$work/last.txt")
echo "  nginx: $(statuses)"
wait "$listener" || true
tail -2 "$work/listen.txt"
timed "heraldd --once fresh (search off)" "$heraldd" --config "$work/herald-off.toml" --once
grep -h 'once:' "$work/err.txt" || true
echo "  database: search on $(du -k "$work/state-on/herald.db" | cut -f1) KiB, off $(du -k "$work/state-off/herald.db" | cut -f1) KiB"

timed "curl --parallel fresh" curl -s --no-progress-meter --parallel --parallel-max "$PARALLEL" -K "$work/full.curl"
curl_fresh=$(cat "$work/last.txt")
: > "$work/access.log"
timed "curl --parallel conditional" curl -s --no-progress-meter --parallel --parallel-max "$PARALLEL" -K "$work/cond.curl"
curl_cond=$(cat "$work/last.txt")
echo "  nginx: $(statuses)"

if [[ $NEWSBOAT == 1 ]]; then
    mkdir -p "$work/home"
    cat > "$work/nb.sh" <<NB
#!/bin/sh
HOME="$work/home" exec newsboat -u "$work/urls.txt" -c "$work/newsboat.db" -C "$work/newsboat.conf" -x reload
NB
    chmod +x "$work/nb.sh"
    nb="$work/nb.sh"
    timed "newsboat -x reload fresh" "$nb"
    nb_fresh=$(cat "$work/last.txt")
    timed "newsboat -x reload steady" "$nb"
    nb_steady=$(cat "$work/last.txt")

    printf 'ratios: newsboat/herald fresh %.1fx (goal >= 5); herald/curl 304 %.2fx (goal <= 4); newsboat/herald steady %.1fx (goal >= 100); herald/curl fresh %.2fx\n' \
        "$(echo "$nb_fresh / $fresh" | bc -l)" "$(echo "$second / $curl_cond" | bc -l)" \
        "$(echo "$nb_steady / $second" | bc -l)" "$(echo "$fresh / $curl_fresh" | bc -l)"
else
    printf 'ratios: herald/curl fresh %.2fx; herald/curl 304 %.2fx (goal <= 4)\n' \
        "$(echo "$fresh / $curl_fresh" | bc -l)" "$(echo "$second / $curl_cond" | bc -l)"
fi

# Replay throughput from the running daemon.
"$heraldd" --config "$work/herald-on.toml" 2> "$work/daemon.log" &
daemon_pid=$!
for _ in $(seq 1 100); do [[ -S $work/control-on ]] && break; sleep 0.05; done
"$client" replay "ipc://$work/control-on"
kill "$daemon_pid"; wait "$daemon_pid" || true; daemon_pid=""
