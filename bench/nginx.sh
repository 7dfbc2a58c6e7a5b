# Sourced by the benchmarks that serve a generated corpus from nginx on 127.0.0.1.
# serve_corpus WORK ACCESS_LOG FEEDS SIZE: generates FEEDS feeds of ~SIZE bytes under WORK/www/f,
# writes an nginx config with its own prefix, pid and logs under WORK (no system config is
# touched), starts nginx and waits until it answers; sets $port. The caller's EXIT trap stops
# nginx through WORK/nginx.pid. ACCESS_LOG is a path, or "off".
serve_corpus() {
    local work=$1 access_log=$2 feeds=$3 size=$4
    python3 "$(dirname "${BASH_SOURCE[0]}")/gen_fetch_corpus.py" "$work/www/f" --count "$feeds" --size "$size"
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    mkdir -p "$work/tmp"
    cat > "$work/nginx.conf" <<CONF
worker_processes 1;
pid $work/nginx.pid;
error_log $work/error.log warn;
events { worker_connections 4096; }
http {
    access_log $access_log;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 1000000;
    keepalive_timeout 60s;
    client_body_temp_path $work/tmp/body;
    proxy_temp_path $work/tmp/proxy;
    fastcgi_temp_path $work/tmp/fastcgi;
    uwsgi_temp_path $work/tmp/uwsgi;
    scgi_temp_path $work/tmp/scgi;
    types { application/rss+xml xml; }
    server { listen 127.0.0.1:$port; root $work/www; }
}
CONF
    nginx -p "$work" -c "$work/nginx.conf" -e "$work/error.log"
    local _
    for _ in $(seq 1 100); do
        curl -sf -o /dev/null "http://127.0.0.1:$port/f/feed-00000.xml" && return 0
        sleep 0.05  # waiting for nginx to listen (bounded: 5 s)
    done
    echo "nginx did not answer on 127.0.0.1:$port" >&2
    return 1
}
