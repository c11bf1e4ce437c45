#!/usr/bin/env bash
# One cached file, many rounds: our static file server, as it ships, against chosen peers on a
# single file, the servers taking turns DURATION seconds at a time for ROUNDS rounds, in the
# opposite order every other round. http-bench.sh's two rounds cannot tell a lead of a few per cent
# from this machine's spread (one round's ratio can move by a tenth); eight can. Prints each
# round's requests/s, the server's CPU time per request and the whole machine's (every process,
# the client's and the kernel's softirq work included: on loopback a server that leaves its
# sending to the client's acknowledgements has that time counted to the client), then for each
# peer ours ÷ it round by round, their geometric mean, the lowest and highest, and every server's
# median CPU per request, its own and the machine's.
#
# usage: benchmarks/turns-bench.sh           (from anywhere; build first with
#                                              mvn -q -B -DskipTests package)
# settings (environment):
#   SIZE=64k         the file: N, Nk or Nm bytes (random, so nothing can compress it)
#   ROUNDS=8         rounds; DURATION=8 seconds of wrk per server and round
#   WARMUP=30        seconds of load per server on the file before the first round (the JIT)
#   SERVERS="ours nginx-sendfile netty netty-region"   ours first; any of http-bench.sh's servers
#   CONNECTIONS=64 WRK_THREADS=2 EVENT_LOOPS=2 BASE_PORT=19480   as in http-bench.sh
#
# Everything listens and connects on 127.0.0.1 only; the scratch directory and every server started
# here are removed on exit, even on failure.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
WORK=$(mktemp -d /tmp/turns-bench.XXXXXX)
# shellcheck source=benchmarks/lib/http-servers.sh
source "$REPO/benchmarks/lib/http-servers.sh"

SIZE=${SIZE:-64k}
ROUNDS=${ROUNDS:-8}
DURATION=${DURATION:-8}
WARMUP=${WARMUP:-30}
CONNECTIONS=${CONNECTIONS:-64}
WRK_THREADS=${WRK_THREADS:-2}
read -r -a SERVERS <<<"${SERVERS:-ours nginx-sendfile netty netty-region}"

cleanup() {
  stop_all_servers
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

[[ ${SERVERS[0]} == ours ]] || die "SERVERS must start with ours: the ratios are ours ÷ each peer"
(( ${#SERVERS[@]} >= 2 )) || die "SERVERS needs ours and at least one peer"
[[ $SIZE =~ ^([0-9]+)([kKmM]?)$ ]] || die "SIZE is N, Nk or Nm bytes, not $SIZE"
case ${BASH_REMATCH[2]} in
  k | K) BYTES=$(( BASH_REMATCH[1] * 1024 )) ;;
  m | M) BYTES=$(( BASH_REMATCH[1] * 1024 * 1024 )) ;;
  *) BYTES=${BASH_REMATCH[1]} ;;
esac
ensure_commands wrk:wrk nginx:nginx-light curl:curl
check_servers "${SERVERS[@]}"
[[ " ${SERVERS[*]} " != *" nginx-aio "* ]] || require_nginx_threads
require_jars "${SERVERS[@]}"
write_wrk_scripts

ROOT="$WORK/root"
mkdir -p "$ROOT"
FILE="$SIZE.bin"
head -c "$BYTES" /dev/urandom >"$ROOT/$FILE"
cat "$ROOT/$FILE" >/dev/null # in the page cache before anyone is measured

log "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); $FILE ($BYTES bytes), $ROUNDS rounds" \
  "of $DURATION s, $CONNECTIONS connections, $EVENT_LOOPS event loops"
TICK_US=$(( 1000000 / $(getconf CLK_TCK) ))

for server in "${SERVERS[@]}"; do
  start_server "$server" "$ROOT" "/$FILE"
done
for server in "${SERVERS[@]}"; do
  log "$server: warm-up for $WARMUP s"
  run_wrk "$WORK/warmup.out" "$WORK/report.lua" "$WARMUP" \
    --threads "$WRK_THREADS" --connections "$CONNECTIONS" "http://127.0.0.1:$(server_port "$server")/$FILE"
done

# The machine's busy time so far, in clock ticks: user, nice, system, irq and softirq of all CPUs
# (not idle or iowait, nor steal: time the hypervisor gave to other guests).
machine_busy_ticks() {
  awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 }' /proc/stat
}

# One line a server and round: round, server, requests/s, the server's CPU µs per request, failed
# requests, the machine's busy CPU µs per request.
: >"$WORK/turns"
for (( round = 1; round <= ROUNDS; round++ )); do
  order=("${SERVERS[@]}")
  if (( round % 2 == 0 )); then
    mapfile -t order < <(printf '%s\n' "${SERVERS[@]}" | tac)
  fi
  for server in "${order[@]}"; do
    out="$WORK/$server-$round.out"
    ticks_before=$(server_cpu_ticks "$server")
    busy_before=$(machine_busy_ticks)
    run_wrk "$out" "$WORK/report.lua" "$DURATION" --timeout 10s \
      --threads "$WRK_THREADS" --connections "$CONNECTIONS" "http://127.0.0.1:$(server_port "$server")/$FILE"
    busy=$(( $(machine_busy_ticks) - busy_before ))
    ticks=$(( $(server_cpu_ticks "$server") - ticks_before ))
    line=$(awk -v r="$round" -v s="$server" -v rps="$(rps "$out")" -v t="$ticks" -v m="$busy" -v us="$TICK_US" \
      -v n="$(result_field "$out" requests)" -v bad="$(failed "$out")" \
      'BEGIN { printf "%d %s %d %.0f %d %.0f", r, s, rps, t * us / n, bad, m * us / n }')
    echo "$line" >>"$WORK/turns"
    read -r _ _ rate cpu _ machine <<<"$line"
    log "round $round: $server: $rate req/s, $cpu µs CPU a request ($machine µs of the machine's)"
  done
done
stop_all_servers

echo "round server req/s cpu_us/req failed machine_us/req"
cat "$WORK/turns"
echo
# For each peer, ours ÷ it in every round (both measured in the same round, minutes apart at most),
# the geometric mean of those ratios, and the extremes; then each server's median CPU a request,
# its own and the whole machine's.
awk -v peers="${SERVERS[*]:1}" '
  { rps[$1, $2] = $3; cpu[$2] = cpu[$2] " " $4; failed += $5; machine[$2] = machine[$2] " " $6
    if ($1 > rounds) rounds = $1 }
  function median(list,   v, n, i, j, t) {
    n = split(list, v, " ")
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (v[j] + 0 < v[i] + 0) { t = v[i]; v[i] = v[j]; v[j] = t }
    return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
  }
  END {
    n = split(peers, p, " ")
    printf "ours / peer, round by round, geometric mean [lowest, highest]; median CPU us/req:"
    printf " server, machine (ours %s, %s)\n", median(cpu["ours"]), median(machine["ours"])
    for (i = 1; i <= n; i++) {
      line = ""; logsum = 0; lo = 1e9; hi = 0
      for (r = 1; r <= rounds; r++) {
        q = rps[r, "ours"] / rps[r, p[i]]
        line = line sprintf(" %.2f", q); logsum += log(q)
        if (q < lo) lo = q; if (q > hi) hi = q
      }
      printf "%-16s%s  mean %.2f [%.2f, %.2f]  cpu %s, %s\n", p[i], line, exp(logsum / rounds), lo, hi,
        median(cpu[p[i]]), median(machine[p[i]])
    }
    if (failed > 0) printf "failed requests: %d (see the turns above)\n", failed
  }' "$WORK/turns"
