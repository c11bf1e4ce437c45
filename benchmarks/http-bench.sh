#!/usr/bin/env bash
# HTTP load benchmark: our static file server, as it ships, against nginx (sendfile on; aio
# threads with sendfile off; plain reads) and Netty servers that read files on their event loop
# (ChunkedNioFile) or sendfile there (DefaultFileRegion), on 1 KiB, 64 KiB, 1 MiB and 10 MiB files
# that sit in the page cache. Prints requests/s, p99 latency and the server's CPU time per request
# side by side in one table, and each server's requests/s as a ratio of ours.
# Then the HTTP/2 row (issue 16): ours over h2 (TLS 1.3, ALPN) against nginx's h2 on the same
# files and certificate, loaded by h2load in rounds as the HTTP/1.1 part, with ours/nginx ratios.
#
# usage: benchmarks/http-bench.sh            (from anywhere; build first with
#                                              mvn -q -B -DskipTests package)
# settings (environment):
#   DURATION=10      seconds of wrk per server, file size and round
#   ROUNDS=2         rounds: every server runs all along, and they take turns at each size, in
#                    the opposite order every other round; the table pools the rounds
#   WARMUP=40        seconds of load per server before the first round, split over the sizes
#   CONNECTIONS=64   wrk connections, WRK_THREADS=2 wrk threads
#   EVENT_LOOPS=2    event loops / nginx worker processes of every server
#   AIO_THREADS=8    nginx aio threads' pool threads in all (ours runs with its shipped default)
#   SERVERS="ours nginx-aio nginx-sendfile netty nginx-plain netty-region"   which servers, in
#                    this order; an entry NAME:THREADS runs ours or nginx-aio with another pool
#                    size (ours:8), one entry per server; empty (SERVERS=) for the HTTP/2 part alone
#   SIZES="1k 64k 1m 10m"  which files
#   BASE_PORT=19480  the servers listen on 127.0.0.1:BASE_PORT..BASE_PORT+3
#   RESULTS_TSV=FILE also write the table as tab-separated values
#   H2_SERVERS="ours-h2 nginx-h2"   the HTTP/2 servers; empty for none
#   H2_CONNECTIONS=8 H2_STREAMS=8    h2load connections and streams per connection (64 requests
#                    in flight, as wrk's 64 connections have); H2_TSV=FILE writes that table too
#   H2_WARMUP=15     seconds of h2load per server on each size before the h2 rounds (ROUNDS of them)
#
# Everything listens and connects on 127.0.0.1 only; every run is bounded by its duration, and
# the scratch directory and every server started here are removed on exit, even on failure.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
WORK=$(mktemp -d /tmp/http-bench.XXXXXX)
# shellcheck source=benchmarks/lib/http-servers.sh
source "$REPO/benchmarks/lib/http-servers.sh"

DURATION=${DURATION:-10}
ROUNDS=${ROUNDS:-2}
WARMUP=${WARMUP:-40}
CONNECTIONS=${CONNECTIONS:-64}
WRK_THREADS=${WRK_THREADS:-2}
read -r -a SERVERS <<<"${SERVERS-${SERVERS_ALL[*]}}"
read -r -a H2_SERVERS <<<"${H2_SERVERS-${H2_SERVERS_ALL[*]}}"
H2_CONNECTIONS=${H2_CONNECTIONS:-8}
H2_STREAMS=${H2_STREAMS:-8}
H2_WARMUP=${H2_WARMUP:-15}
read -r -a SIZES <<<"${SIZES:-1k 64k 1m 10m}"

# The servers, one per line, in the order they take turns in round ROUND: as given, reversed in
# every second round, so no server is always measured first.
round_order() {
  local round=$1 i
  shift
  if (( round % 2 == 0 )); then
    for (( i = $#; i >= 1; i-- )); do printf '%s\n' "${!i}"; done
  else
    printf '%s\n' "$@"
  fi
}

cleanup() {
  local job
  stop_all_servers
  for job in $(jobs -p); do kill "$job" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ensure_commands wrk:wrk nginx:nginx-light curl:curl h2load:nghttp2-client openssl:openssl
require_nginx_threads
check_servers "${SERVERS[@]}" "${H2_SERVERS[@]}"
require_jars "${SERVERS[@]%%:*}" "${H2_SERVERS[@]/ours-h2/ours}"
if [[ ${#H2_SERVERS[@]} -gt 0 ]]; then
  require_nginx_http2
fi
write_wrk_scripts

# The files: random bytes, so nothing along the way can compress them.
ROOT="$WORK/root"
mkdir -p "$ROOT"
head -c 1024 /dev/urandom >"$ROOT/1k.bin"
head -c $((64 * 1024)) /dev/urandom >"$ROOT/64k.bin"
head -c $((1024 * 1024)) /dev/urandom >"$ROOT/1m.bin"
head -c $((10 * 1024 * 1024)) /dev/urandom >"$ROOT/10m.bin"
cat "$ROOT"/*.bin >/dev/null # in the page cache before anyone is measured

log "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); $DURATION s per run," \
  "$CONNECTIONS connections, $EVENT_LOOPS event loops, $AIO_THREADS aio threads"

# CPU time is read in clock ticks.
TICK_US=$(( 1000000 / $(getconf CLK_TCK) ))

# The HTTP/1.1 part, unless SERVERS is set empty (SERVERS= for the HTTP/2 part alone).
if (( ${#SERVERS[@]} > 0 )); then
  # Every server runs for the whole of the HTTP/1.1 part, and they take turns: in each of ROUNDS
  # rounds every size is loaded on every server, in the opposite order in the next round. So a busy
  # minute of the machine's other tenants lands on all of them alike, and the table pools the rounds.
  declare -A ENTRY_SERVER=()
  for entry in "${SERVERS[@]}"; do
    # An entry is a server name, or NAME:THREADS to run it with another pool size (ours, nginx-aio).
    server=${entry%%:*}
    [[ -z ${ENTRY_SERVER[$server]:-} ]] || die "$server is listed twice; the servers run side by side, one of each"
    ENTRY_SERVER[$server]=$entry
    threads=$AIO_THREADS
    ours_threads=
    if [[ $entry == *:* ]]; then
      threads=${entry#*:}
      ours_threads=$threads
    fi
    AIO_THREADS=$threads OURS_AIO_THREADS=$ours_threads start_server "$server" "$ROOT" /1k.bin
  done
  # The JIT compiles what a load runs for long enough: a JVM server measured after a few seconds is
  # still partly interpreted (ours served 1 KiB files at 33K req/s after 5 s of warm-up and 42K after
  # 20 s), and each size takes its own path through a server (ours: a whole read up to 64 KiB,
  # sendfile above; at 10 MiB, unwarmed, its JIT compiler thread took an eighth of its CPU). Each
  # server gets WARMUP seconds on every size, split evenly.
  for entry in "${SERVERS[@]}"; do
    port=$(server_port "${entry%%:*}")
    log "$entry: warm-up for $WARMUP s"
    for size in "${SIZES[@]}"; do
      run_wrk "$WORK/warmup.out" "$WORK/report.lua" $(( (WARMUP + ${#SIZES[@]} - 1) / ${#SIZES[@]} )) \
        --threads "$WRK_THREADS" --connections "$CONNECTIONS" "http://127.0.0.1:$port/$size.bin"
    done
  done
  for (( round = 1; round <= ROUNDS; round++ )); do
    mapfile -t order < <(round_order "$round" "${SERVERS[@]}")
    for size in "${SIZES[@]}"; do
      for entry in "${order[@]}"; do
        server=${entry%%:*}
        log "round $round: $entry: $size for $DURATION s"
        ticks_before=$(server_cpu_ticks "$server")
        run_wrk "$WORK/$entry-$size-$round.out" "$WORK/report.lua" "$DURATION" --timeout 10s \
          --threads "$WRK_THREADS" --connections "$CONNECTIONS" "http://127.0.0.1:$(server_port "$server")/$size.bin"
        echo $(( $(server_cpu_ticks "$server") - ticks_before )) >"$WORK/$entry-$size-$round.ticks"
        if [[ $server == ours ]]; then
          # Cached files must not make the pool grow past its 8 eager workers: say how many there are.
          log "$entry: aio-worker threads alive after $size: $(grep -l '^aio-worker' \
            "/proc/${SERVER_PID[$server]}"/task/*/comm 2>/dev/null | wc -l)"
        fi
      done
    done
  done
  stop_all_servers

  # The rounds of each server and size pooled into one RESULT line: requests, time, bytes, errors
  # and CPU ticks summed (so requests/s is the mean over all the rounds' time), latencies the worst.
  for entry in "${SERVERS[@]}"; do
    for size in "${SIZES[@]}"; do
      awk '/^RESULT / {
             for (i = 2; i <= NF; i++) { split($i, kv, "="); k = kv[1]; v = kv[2] + 0
               if (k ~ /_us$/ && k != "duration_us") { if (v > m[k]) m[k] = v } else s[k] += v }
           }
           END { printf "RESULT requests=%d duration_us=%d bytes=%d p50_us=%d p99_us=%d max_us=%d errors=%d non2xx=%d\n",
                   s["requests"], s["duration_us"], s["bytes"], m["p50_us"], m["p99_us"], m["max_us"], s["errors"], s["non2xx"] }' \
        "$WORK/$entry-$size"-[0-9]*.out >"$WORK/$entry-$size.out"
      cat "$WORK/$entry-$size"-[0-9]*.ticks | awk '{ t += $1 } END { print t }' >"$WORK/$entry-$size.ticks"
    done
  done

  # One row per file size; per server its requests/s, p99 latency and the server's own CPU time per
  # request (all its threads and processes; the figure least moved by other load on the machine).
  # A cell with failed requests (socket errors or non-2xx answers) is marked with their count.
  {
    printf "size"
    for entry in "${SERVERS[@]}"; do
      printf "\t%s req/s\t%s p99 ms\t%s cpu us/req" "$entry" "$entry" "$entry"
    done
    printf "\n"
    for size in "${SIZES[@]}"; do
      printf "%s" "$size"
      for entry in "${SERVERS[@]}"; do
        out="$WORK/$entry-$size.out"
        bad=$(failed "$out")
        mark=""
        (( bad == 0 )) || mark=" (${bad} failed)"
        cpu=$(awk -v t="$(cat "$WORK/$entry-$size.ticks")" -v us="$TICK_US" \
          -v r="$(result_field "$out" requests)" 'BEGIN { printf "%.0f", t * us / r }')
        printf "\t%s%s\t%s\t%s" "$(rps "$out")" "$mark" "$(ms "$out" p99_us)" "$cpu"
      done
      printf "\n"
    done
  } >"$WORK/table.tsv"

  # The same run as ratios, which hold on a shared, noisy machine where absolute figures do not:
  # each server's requests/s divided by ours (above 1: faster than ours).
  {
    printf "size"
    for entry in "${SERVERS[@]}"; do printf "\t%s / %s" "$entry" "${SERVERS[0]}"; done
    printf "\n"
    for size in "${SIZES[@]}"; do
      printf "%s" "$size"
      base=$(rps "$WORK/${SERVERS[0]}-$size.out")
      for entry in "${SERVERS[@]}"; do
        awk -v r="$(rps "$WORK/$entry-$size.out")" -v b="$base" 'BEGIN { printf "\t%.2f", r / b }'
      done
      printf "\n"
    done
  } >"$WORK/ratios.tsv"

  # The ratios of each round on its own: how far apart the rounds are is how far to trust a ratio.
  {
    printf "round\tsize"
    for entry in "${SERVERS[@]}"; do printf "\t%s / %s" "$entry" "${SERVERS[0]}"; done
    printf "\n"
    for (( round = 1; round <= ROUNDS; round++ )); do
      for size in "${SIZES[@]}"; do
        printf "%s\t%s" "$round" "$size"
        base=$(rps "$WORK/${SERVERS[0]}-$size-$round.out")
        for entry in "${SERVERS[@]}"; do
          awk -v r="$(rps "$WORK/$entry-$size-$round.out")" -v b="$base" 'BEGIN { printf "\t%.2f", r / b }'
        done
        printf "\n"
      done
    done
  } >"$WORK/round-ratios.tsv"

  [[ -z ${RESULTS_TSV:-} ]] || cp "$WORK/table.tsv" "$RESULTS_TSV"
  echo
  column -t -s $'\t' "$WORK/table.tsv"
  echo
  column -t -s $'\t' "$WORK/ratios.tsv"
  echo
  column -t -s $'\t' "$WORK/round-ratios.tsv"
fi

[[ ${#H2_SERVERS[@]} -gt 0 ]] || exit 0

# HTTP/2 over TLS: no sendfile for anyone, so every body is read into buffers, ours through the
# engine (on the loop when cached) and nginx's in its worker process. h2load keeps H2_STREAMS
# requests in flight on each of H2_CONNECTIONS connections. As in the HTTP/1.1 part, both servers
# run all along and take turns, size by size, in ROUNDS rounds; the table pools the rounds.
make_certificate
log "h2: $H2_CONNECTIONS connections x $H2_STREAMS streams, $WRK_THREADS h2load threads"
for server in "${H2_SERVERS[@]}"; do
  start_server "$server" "$ROOT" /1k.bin
done
# A longer warm-up than wrk's: TLS and the HTTP/2 codec give the JIT more to compile (ours over
# h2 served a 1 KiB file at 5K, 12K, 26K and 29K req/s in four 8 s runs after its start).
for server in "${H2_SERVERS[@]}"; do
  port=$(server_port "$server")
  log "$server: warm-up for $H2_WARMUP s on each size"
  for size in "${SIZES[@]}"; do
    run_h2load "$WORK/h2-warmup.out" "$H2_WARMUP" --threads "$WRK_THREADS" --clients "$H2_CONNECTIONS" \
      --max-concurrent-streams "$H2_STREAMS" "https://127.0.0.1:$port/$size.bin"
  done
done
for (( round = 1; round <= ROUNDS; round++ )); do
  mapfile -t order < <(round_order "$round" "${H2_SERVERS[@]}")
  for size in "${SIZES[@]}"; do
    for server in "${order[@]}"; do
      log "h2 round $round: $server: $size for $DURATION s"
      ticks_before=$(server_cpu_ticks "$server")
      run_h2load "$WORK/$server-$size-$round.out" "$DURATION" --threads "$WRK_THREADS" --clients "$H2_CONNECTIONS" \
        --max-concurrent-streams "$H2_STREAMS" "https://127.0.0.1:$(server_port "$server")/$size.bin"
      echo $(( $(server_cpu_ticks "$server") - ticks_before )) >"$WORK/$server-$size-$round.ticks"
    done
  done
done
stop_all_servers

# The rounds pooled into one RESULT line per server and size: counts and time summed, the mean
# latency weighted by each round's requests.
for server in "${H2_SERVERS[@]}"; do
  for size in "${SIZES[@]}"; do
    awk '/^RESULT / {
           delete f
           for (i = 2; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] + 0 }
           for (k in f) if (k != "mean_us") s[k] += f[k]
           weighted += f["mean_us"] * f["requests"]
         }
         END { printf "RESULT requests=%d duration_us=%d bytes=%d mean_us=%d errors=%d non2xx=%d\n",
                 s["requests"], s["duration_us"], s["bytes"], (s["requests"] > 0 ? weighted / s["requests"] : 0),
                 s["errors"], s["non2xx"] }' \
      "$WORK/$server-$size"-[0-9]*.out >"$WORK/$server-$size.out"
    cat "$WORK/$server-$size"-[0-9]*.ticks | awk '{ t += $1 } END { print t }' >"$WORK/$server-$size.ticks"
  done
done

# One row per file size: per server requests/s, mean latency and CPU per request; then, when
# both ran, ours/nginx for requests/s (above 1: ours serves more) and for CPU per request (below
# 1: ours spends less).
{
  printf "size"
  for server in "${H2_SERVERS[@]}"; do
    printf "\t%s req/s\t%s mean ms\t%s cpu us/req" "$server" "$server" "$server"
  done
  both=0
  [[ " ${H2_SERVERS[*]} " == *" ours-h2 "* && " ${H2_SERVERS[*]} " == *" nginx-h2 "* ]] && both=1
  (( both == 0 )) || printf "\tours/nginx req/s\tours/nginx cpu/req"
  printf "\n"
  for size in "${SIZES[@]}"; do
    printf "%s" "$size"
    declare -A h2_rps=() h2_cpu=()
    for server in "${H2_SERVERS[@]}"; do
      out="$WORK/$server-$size.out"
      bad=$(failed "$out")
      mark=""
      (( bad == 0 )) || mark=" (${bad} failed)"
      h2_rps[$server]=$(rps "$out")
      h2_cpu[$server]=$(awk -v t="$(cat "$WORK/$server-$size.ticks")" -v us="$TICK_US" \
        -v r="$(result_field "$out" requests)" 'BEGIN { printf "%.0f", t * us / r }')
      printf "\t%s%s\t%s\t%s" "${h2_rps[$server]}" "$mark" "$(ms "$out" mean_us)" "${h2_cpu[$server]}"
    done
    if (( both == 1 )); then
      awk -v a="${h2_rps[ours-h2]}" -v b="${h2_rps[nginx-h2]}" -v c="${h2_cpu[ours-h2]}" -v d="${h2_cpu[nginx-h2]}" \
        'BEGIN { printf "\t%.2f\t%.2f", a / b, (d > 0 ? c / d : 0) }'
    fi
    printf "\n"
  done
} >"$WORK/h2-table.tsv"

[[ -z ${H2_TSV:-} ]] || cp "$WORK/h2-table.tsv" "$H2_TSV"
echo
column -t -s $'\t' "$WORK/h2-table.tsv"

# ours/nginx for requests/s in each round on its own: how far apart the rounds are is how far to
# trust the pooled ratio.
if (( both == 1 )); then
  {
    printf "round\tsize\tours/nginx req/s\n"
    for (( round = 1; round <= ROUNDS; round++ )); do
      for size in "${SIZES[@]}"; do
        awk -v r="$round" -v s="$size" -v a="$(rps "$WORK/ours-h2-$size-$round.out")" \
          -v b="$(rps "$WORK/nginx-h2-$size-$round.out")" 'BEGIN { printf "%s\t%s\t%.2f\n", r, s, a / b }'
      done
    done
  } >"$WORK/h2-round-ratios.tsv"
  echo
  column -t -s $'\t' "$WORK/h2-round-ratios.tsv"
fi
