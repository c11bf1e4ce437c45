#!/usr/bin/env bash
# Loads four static file servers with wrk on 1 KiB, 64 KiB and 1 MiB files and prints requests/s
# and p99 latency side by side:
#   aio          examples' StaticFileServer: every open/stat/read on the linux-aio pool
#   netty-chunk  Netty's usual way, ChunkedNioFile read on the event loop
#   nginx-sendf  nginx with sendfile on
#   nginx-aio    nginx with aio threads (sendfile off), the design linux-aio follows
#
# Needs wrk and nginx (Debian: apt-get install -y wrk nginx-light) and a built jar
# (mvn -q -B -DskipTests package). Not part of CI.
#
# Settings (environment): DURATION (default 10s), CONNECTIONS (64), WRK_THREADS (2),
# SERVER_THREADS (event loops / nginx workers, default: the number of processors), PORT_BASE (18080).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
jar="$repo/examples/target/static-file-server.jar"
duration=${DURATION:-10s}
connections=${CONNECTIONS:-64}
wrk_threads=${WRK_THREADS:-2}
server_threads=${SERVER_THREADS:-$(nproc)}
port_base=${PORT_BASE:-18080}

for tool in wrk nginx java curl; do
    command -v "$tool" >/dev/null || { echo "http-bench: $tool not found (Debian: apt-get install -y wrk nginx-light)" >&2; exit 2; }
done
[ -f "$jar" ] || { echo "http-bench: $jar missing; run: mvn -q -B -DskipTests package" >&2; exit 2; }

work=$(mktemp -d /tmp/http-bench.XXXXXX)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT

root="$work/root"
mkdir -p "$root"
chmod 755 "$work" "$root" # nginx workers run as an unprivileged user
head -c 1024 /dev/urandom > "$root/1k.bin"
head -c 65536 /dev/urandom > "$root/64k.bin"
head -c 1048576 /dev/urandom > "$root/1m.bin"

nginx_conf() { # name port extra-directives
    mkdir -p "$work/$1/logs"
    cat > "$work/$1/nginx.conf" <<CONF
worker_processes $server_threads;
daemon off;
pid $work/$1/nginx.pid;
error_log $work/$1/logs/error.log warn;
thread_pool default threads=8 max_queue=65536;
events { worker_connections 4096; }
http {
    access_log off;
    keepalive_requests 1000000;
    default_type application/octet-stream;
    server {
        listen 127.0.0.1:$2;
        root $root;
        $3
    }
}
CONF
}

wait_up() { # url
    for _ in $(seq 200); do
        curl -fs -o /dev/null "$1" && return 0
        sleep 0.1
    done
    echo "http-bench: $1 did not come up" >&2
    exit 1
}

names=(aio netty-chunk nginx-sendf nginx-aio)
ports=($port_base $((port_base + 1)) $((port_base + 2)) $((port_base + 3)))

java -jar "$jar" --root "$root" --port "${ports[0]}" --threads "$server_threads" --quiet > "$work/aio.log" 2>&1 &
pids+=($!)
java -cp "$jar" io.linuxaio.examples.bench.ChunkedNioFileServer "$root" "${ports[1]}" "$server_threads" > "$work/netty.log" 2>&1 &
pids+=($!)
nginx_conf nginx-sendf "${ports[2]}" "sendfile on; tcp_nopush on;"
nginx -p "$work/nginx-sendf" -c "$work/nginx-sendf/nginx.conf" &
pids+=($!)
nginx_conf nginx-aio "${ports[3]}" "sendfile off; aio threads; output_buffers 2 64k;"
nginx -p "$work/nginx-aio" -c "$work/nginx-aio/nginx.conf" &
pids+=($!)

for i in 0 1 2 3; do wait_up "http://127.0.0.1:${ports[$i]}/1k.bin"; done

echo "# http-bench: wrk -t$wrk_threads -c$connections -d$duration, $server_threads server threads, $(nproc) cores, $(uname -r)"
echo "# $(java -version 2>&1 | head -1); $(nginx -v 2>&1); $(wrk -v 2>&1 | head -1)"
printf '%-8s' file
for name in "${names[@]}"; do printf ' | %-12s %9s' "$name req/s" "p99"; done
echo
for file in 1k.bin 64k.bin 1m.bin; do
    printf '%-8s' "$file"
    for i in 0 1 2 3; do
        url="http://127.0.0.1:${ports[$i]}/$file"
        wrk -t"$wrk_threads" -c"$connections" -d2s "$url" > /dev/null 2>&1 # warm-up: JIT, page cache
        out=$(wrk -t"$wrk_threads" -c"$connections" -d"$duration" --latency "$url" 2>&1)
        rps=$(awk '/^Requests\/sec:/ {print $2}' <<< "$out")
        p99=$(awk '$1 == "99%" {print $2}' <<< "$out")
        errors=$(awk '/Non-2xx|Socket errors/ {printf "%s ", $0}' <<< "$out")
        [ -n "$errors" ] && echo "http-bench: ${names[$i]} $file: $errors" >&2
        printf ' | %12s %9s' "${rps:-?}" "${p99:-?}"
    done
    echo
done
