# shellcheck shell=bash
# Shared by http-bench.sh and slow-storage-bench.sh: installs the load tools, starts and stops
# the servers under test on 127.0.0.1, and runs wrk (HTTP/1.1) or h2load (HTTP/2) with a
# machine-readable summary.
# Source it after `set -euo pipefail`; it expects REPO (the repository root) and WORK (a
# scratch directory the caller removes) to be set.

# The servers, in the order every table shows them: ours; nginx reading through a thread pool,
# with sendfile, and plainly (read(2) in the worker); Netty reading on its loop with
# ChunkedNioFile, and sending with DefaultFileRegion (sendfile on the loop).
SERVERS_ALL=(ours nginx-aio nginx-sendfile netty nginx-plain netty-region)
# The same file servers over HTTP/2 on TLS (h2, chosen by ALPN), with one self-signed certificate.
H2_SERVERS_ALL=(ours-h2 nginx-h2)

# Every server gets the same number of event loops / worker processes, and the two that read
# through a thread pool get the same number of threads in all.
EVENT_LOOPS=${EVENT_LOOPS:-2}
AIO_THREADS=${AIO_THREADS:-8}
# ChunkedNioFile reads this much per chunk; 64 KiB is what our server reads per chunk, so the
# comparison is about where the read happens, not about chunk size (Netty's example uses 8 KiB).
NETTY_CHUNK=${NETTY_CHUNK:-65536}
# No JVM flags by default: our jar is measured as it ships (java -jar, no flags), the peers alike.
JAVA_OPTS=${JAVA_OPTS:-}
BASE_PORT=${BASE_PORT:-19480}

OURS_JAR=${OURS_JAR:-$REPO/examples/target/static-file-server.jar}
PEERS_JAR=${PEERS_JAR:-$REPO/benchmarks/target/http-peers.jar}

declare -A SERVER_PID=()

die() {
  echo "error: $*" >&2
  exit 1
}

log() {
  echo "[$(date +%H:%M:%S)] $*" >&2
}

# Installs the Debian packages whose commands are missing (needs root), e.g.
#   ensure_commands wrk:wrk nginx:nginx-light
ensure_commands() {
  local pair missing=()
  for pair in "$@"; do
    command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair#*:}")
  done
  [[ ${#missing[@]} -eq 0 ]] && return 0
  [[ $EUID -eq 0 ]] || die "missing ${missing[*]}: run as root, or apt-get install -y ${missing[*]}"
  log "installing ${missing[*]} from Debian's packages"
  # Debian may start its own nginx on port 80 after the install (unless policy-rc.d forbids it);
  # that one is left alone: the benchmark's nginx runs from its own config on BASE_PORT + n.
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >"$WORK/apt.log" 2>&1 ||
    { apt-get update -q >>"$WORK/apt.log" 2>&1 &&
      DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >>"$WORK/apt.log" 2>&1; } ||
    die "apt-get install ${missing[*]} failed, see $WORK/apt.log"
}

# nginx's `aio threads` exists only when nginx was configured --with-threads (Debian's are).
require_nginx_threads() {
  nginx -V 2>&1 | grep -q -- --with-threads || die "this nginx has no thread pools (--with-threads)"
}

require_jars() {
  local servers=" $* "
  if [[ $servers == *" ours "* && ! -f $OURS_JAR ]]; then
    die "$OURS_JAR is missing: run 'mvn -q -B -DskipTests package' in $REPO first"
  fi
  if [[ $servers == *" netty"* && ! -f $PEERS_JAR ]]; then
    die "$PEERS_JAR is missing: run 'mvn -q -B -DskipTests package' in $REPO first"
  fi
}

server_port() {
  local i all=("${SERVERS_ALL[@]}" "${H2_SERVERS_ALL[@]}")
  for i in "${!all[@]}"; do
    [[ ${all[$i]} == "$1" ]] && { echo $((BASE_PORT + i)); return; }
  done
  die "unknown server $1 (known: ${all[*]})"
}

# A self-signed certificate for localhost in WORK (cert.pem, and key.pem in PKCS#8, as both
# servers read it), made once per run.
make_certificate() {
  [[ -f $WORK/cert.pem ]] && return 0
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj /CN=localhost \
    -keyout "$WORK/key.pem" -out "$WORK/cert.pem" >"$WORK/openssl.log" 2>&1 ||
    { cat "$WORK/openssl.log" >&2; die "openssl could not make a certificate"; }
}

# nginx's h2 support comes with its http_v2 module (Debian's nginx-light, -full and -extras have it).
require_nginx_http2() {
  nginx -V 2>&1 | grep -q -- --with-http_v2_module || die "this nginx has no HTTP/2 (--with-http_v2_module)"
}

# Fails at once on a server name that is not known (entries may be NAME or NAME:THREADS).
check_servers() {
  local entry
  for entry in "$@"; do server_port "${entry%%:*}" >/dev/null; done
}

# Writes an nginx.conf for one of the nginx setups into DIR; everything nginx writes stays
# in DIR. mode is sendfile (sendfile on, in the worker), aio (sendfile off, every read on a
# thread pool of AIO_THREADS threads in all, split over the worker processes), plain (sendfile
# off, read(2) in the worker) or h2 (HTTP/2 over TLS 1.3 with WORK's certificate; TLS rules
# sendfile out, so the worker reads each file into its buffers, 64 KiB at a time as ours does).
write_nginx_conf() {
  local dir=$1 port=$2 root=$3 mode=$4 pool_threads=$(( AIO_THREADS / EVENT_LOOPS ))
  (( pool_threads >= 1 )) || pool_threads=1
  mkdir -p "$dir"
  {
    echo "daemon off;"
    echo "master_process on;"
    # The scratch root is private to root; workers would otherwise run as nobody.
    echo "user root;"
    echo "worker_processes $EVENT_LOOPS;"
    echo "pid $dir/nginx.pid;"
    echo "error_log $dir/error.log warn;"
    [[ $mode == aio ]] && echo "thread_pool bench threads=$pool_threads max_queue=65536;"
    echo "events { worker_connections 4096; }"
    echo "http {"
    echo "  access_log off;"
    echo "  default_type application/octet-stream;"
    echo "  keepalive_requests 1000000;"
    echo "  keepalive_timeout 120s;"
    for t in client_body proxy fastcgi uwsgi scgi; do echo "  ${t}_temp_path $dir/$t;"; done
    if [[ $mode == aio || $mode == plain ]]; then
      echo "  sendfile off;"
      [[ $mode == plain ]] || echo "  aio threads=bench;"
      # Read 64 KiB at a time, as our server and the Netty peer do (nginx's default is 32k).
      echo "  output_buffers ${NGINX_OUTPUT_BUFFERS:-2 64k};"
    elif [[ $mode == h2 ]]; then
      echo "  output_buffers ${NGINX_OUTPUT_BUFFERS:-2 64k};"
      echo "  ssl_certificate $WORK/cert.pem;"
      echo "  ssl_certificate_key $WORK/key.pem;"
      echo "  ssl_protocols TLSv1.3;"
      # As many streams as ours allows on one connection (nginx's default is 128).
      echo "  http2_max_concurrent_streams 100;"
    else
      echo "  sendfile on;"
      echo "  tcp_nopush on;"
    fi
    echo "  server {"
    # reuseport: the kernel spreads connections evenly over the workers, as Netty spreads
    # them over its loops; without it one worker may take most of the large-file clients.
    if [[ $mode == h2 ]]; then
      echo "    listen 127.0.0.1:$port ssl http2 reuseport;"
    else
      echo "    listen 127.0.0.1:$port reuseport;"
    fi
    echo "    root $root;"
    echo "  }"
    echo "}"
  } >"$dir/nginx.conf"
}

# Starts server NAME serving ROOT on its port, in blkio cgroup CGROUP if one is given (the
# process moves itself there before exec, so every thread and child it makes is inside), and
# waits until it answers a GET of PROBE_PATH.
start_server() {
  local name=$1 root=$2 probe=$3 cgroup=${4:-} port cmd=()
  port=$(server_port "$name")
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    die "port $port is already taken; set BASE_PORT to a free range"
  fi
  case $name in
    ours)
      # The pool as it ships unless an entry ours:THREADS asks for another size (OURS_AIO_THREADS).
      # shellcheck disable=SC2206
      cmd=(java $JAVA_OPTS -jar "$OURS_JAR" --root "$root" --port "$port" --bind 127.0.0.1
           --threads "$EVENT_LOOPS" ${OURS_AIO_THREADS:+--aio-threads "$OURS_AIO_THREADS"} --quiet) ;;
    ours-h2)
      # shellcheck disable=SC2206
      cmd=(java $JAVA_OPTS -jar "$OURS_JAR" --root "$root" --port "$port" --bind 127.0.0.1
           --threads "$EVENT_LOOPS" ${OURS_AIO_THREADS:+--aio-threads "$OURS_AIO_THREADS"} --quiet
           --tls --cert "$WORK/cert.pem" --key "$WORK/key.pem") ;;
    netty | netty-region)
      local body=chunked
      [[ $name == netty ]] || body=region
      # shellcheck disable=SC2206
      cmd=(java $JAVA_OPTS -jar "$PEERS_JAR" --root "$root" --port "$port" --bind 127.0.0.1
           --threads "$EVENT_LOOPS" --chunk-size "$NETTY_CHUNK" --body "$body") ;;
    nginx-aio | nginx-sendfile | nginx-plain | nginx-h2)
      local dir="$WORK/$name"
      write_nginx_conf "$dir" "$port" "$root" "${name#nginx-}"
      cmd=(nginx -p "$dir" -c "$dir/nginx.conf" -e "$dir/error.log") ;;
  esac
  log "starting $name on 127.0.0.1:$port"
  if [[ -n $cgroup ]]; then
    # shellcheck disable=SC2016
    bash -c 'echo $$ > "$1/cgroup.procs" && shift && exec "$@"' _ "$cgroup" "${cmd[@]}" \
      >"$WORK/$name.log" 2>&1 &
  else
    "${cmd[@]}" >"$WORK/$name.log" 2>&1 &
  fi
  SERVER_PID[$name]=$!
  local deadline=$((SECONDS + 60))
  local probe_url=(http://127.0.0.1:$port$probe)
  [[ $name != *-h2 ]] || probe_url=(-k --http2 "https://127.0.0.1:$port$probe")
  until curl -sf -o /dev/null --max-time 30 "${probe_url[@]}"; do
    if ! kill -0 "${SERVER_PID[$name]}" 2>/dev/null; then
      cat "$WORK/$name.log" >&2
      die "$name exited during start"
    fi
    (( SECONDS < deadline )) || die "$name did not answer on port $port within 60 s"
    sleep 0.2
  done
}

# Stops server NAME (TERM, then KILL after 15 s) and waits for it.
stop_server() {
  local name=$1 pid=${SERVER_PID[$1]:-}
  [[ -n $pid ]] || return 0
  unset "SERVER_PID[$name]"
  kill -TERM "$pid" 2>/dev/null || return 0
  local deadline=$((SECONDS + 15))
  while kill -0 "$pid" 2>/dev/null && (( SECONDS < deadline )); do sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

# CPU time (user + system, in clock ticks) used so far by server NAME and its child processes
# (nginx's workers). Less disturbed by other load on the machine than requests/s are.
server_cpu_ticks() {
  local pid=${SERVER_PID[$1]} p total=0
  for p in "$pid" $(ps -o pid= --ppid "$pid"); do
    [[ -r /proc/$p/stat ]] || continue
    # Fields 14 and 15 are utime and stime; the name in field 2 has no spaces for these servers.
    total=$(( total + $(awk '{ print $14 + $15 }' "/proc/$p/stat") ))
  done
  echo "$total"
}

stop_all_servers() {
  local name
  for name in "${!SERVER_PID[@]}"; do stop_server "$name"; done
}

# The wrk Lua pieces: report.lua prints one RESULT line of key=value pairs (latencies in
# microseconds) that result_field reads; random-large.lua also picks a random large file per
# request.
write_wrk_scripts() {
  cat >"$WORK/report.lua" <<'LUA'
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d duration_us=%d bytes=%d p50_us=%d p99_us=%d max_us=%d errors=%d non2xx=%d\n",
    summary.requests, summary.duration, summary.bytes,
    latency:percentile(50), latency:percentile(99), latency.max,
    e.connect + e.read + e.write + e.timeout, e.status))
end
LUA
  cat "$WORK/report.lua" - >"$WORK/random-large.lua" <<'LUA'
-- Each wrk thread has its own Lua state: seed each one differently.
local next_id = 0
setup = function(thread)
  next_id = next_id + 1
  thread:set("thread_id", next_id)
end
init = function(args)
  math.randomseed(os.time() * 1000 + (thread_id or 0))
end
local count = tonumber(os.getenv("LARGE_COUNT"))
request = function()
  return wrk.format("GET", string.format("/large/%04d.bin", math.random(1, count)))
end
LUA
}

# Runs wrk (bounded by `timeout`) with the given arguments and a Lua script, writing its whole
# output to OUT; fails unless wrk printed a RESULT line.
run_wrk() {
  local out=$1 script=$2 duration=$3
  shift 3
  timeout $((duration + 60)) wrk --duration "${duration}s" --script "$script" "$@" >"$out" 2>&1 ||
    { cat "$out" >&2; die "wrk $* failed"; }
  grep -q '^RESULT ' "$out" || { cat "$out" >&2; die "wrk printed no result"; }
}

# Runs h2load (bounded by `timeout`) for DURATION seconds with the given arguments, writing its
# output to OUT with a RESULT line in wrk's form appended (h2load gives a mean, not a p99), so the
# same readers serve both tables; fails unless h2load finished.
run_h2load() {
  local out=$1 duration=$2
  shift 2
  timeout $((duration + 60)) h2load --duration "$duration" "$@" >"$out" 2>&1 ||
    { cat "$out" >&2; die "h2load $* failed"; }
  awk -v duration="$duration" '
    /^finished in/ { rps = $4 }
    /^requests:/ { requests = $8; failed = $10 + $12 + $14 }
    /^status codes:/ { non2xx = $5 + $7 + $9 }
    /^traffic:/ { bytes = $3; gsub(/[()]/, "", bytes) }
    /^time for request:/ { mean = $6; p = $7 }
    function us(v) {
      if (v ~ /us$/) return v + 0; if (v ~ /ms$/) return v * 1000; if (v ~ /s$/) return v * 1000000; return v
    }
    END {
      if (requests == "") exit 1
      printf "RESULT requests=%d duration_us=%d bytes=%d mean_us=%d errors=%d non2xx=%d\n",
        requests, duration * 1000000, bytes, us(mean), failed, non2xx
    }' "$out" >>"$out" || { cat "$out" >&2; die "h2load printed no summary"; }
}

# Prints the value of KEY from the RESULT line in FILE.
result_field() {
  grep '^RESULT ' "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"
}

# Requests per second, MB/s (10^6 bytes) and latencies in ms, from one wrk RESULT file.
rps()    { awk -v r="$(result_field "$1" requests)" -v d="$(result_field "$1" duration_us)" 'BEGIN { printf "%.0f", r / (d / 1e6) }'; }
mbps()   { awk -v b="$(result_field "$1" bytes)" -v d="$(result_field "$1" duration_us)" 'BEGIN { printf "%.1f", b / d }'; }
ms()     { awk -v u="$(result_field "$1" "$2")" 'BEGIN { printf "%.2f", u / 1000 }'; }
failed() { echo $(( $(result_field "$1" errors) + $(result_field "$1" non2xx) )); }
