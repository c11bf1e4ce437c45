#!/usr/bin/env bash
# Slow, uncached storage benchmark (issue 6). Needs root: it makes a loop device, mounts it,
# throttles reads with a cgroup v1 blkio rule and drops the page cache.
#
# The storage is real, not simulated in any server: an ext4 image on a loop device (its backing
# file opened O_DIRECT, so the host's page cache does not hold a second copy), filled with
# LARGE_FILES random files of LARGE_MIB MiB plus one 1 KiB file. Each server runs in a blkio
# cgroup whose rule caps reads from that device at READ_BPS bytes/s and READ_IOPS requests/s,
# the way a busy disk or a provisioned cloud volume caps them, whatever the queue depth.
#
# For each server (same EVENT_LOOPS event loops or worker processes; nginx aio threads gets
# AIO_THREADS pool threads in all; ours runs with its shipped pool unless an entry ours:THREADS
# asks otherwise):
#   1. baseline: after a warm-up, SMALL_CONNECTIONS clients fetch the small file for
#      BASELINE_DURATION s with nothing else running (each pauses SMALL_DELAY_MS between requests,
#      so they measure latency, not how much CPU is left);
#   2. the page cache is dropped and only the small file is read back in;
#   3. for DURATION s, LARGE_CONNECTIONS clients fetch random large files while the same small-file
#      clients keep going; the small file's p50/p99, requests/s, MB/s served, MB/s read from the
#      device (its own sector count in /sys/block: the cgroup's blkio counters count a throttled
#      read twice) and the share of the bytes served that came from the device are recorded.
# The data set is much larger than DURATION x READ_BPS, so most large reads miss the cache.
# Then one table is printed, written to OUT_TSV, and charted to OUT_PNG with gnuplot. When not one
# small request finished during a run, its p50/p99 are given as the run's length (">" in the chart).
#
# usage: sudo benchmarks/slow-storage-bench.sh   (build first: mvn -q -B -DskipTests package)
#   SERVERS="ours nginx-aio nginx-sendfile netty nginx-plain netty-region" picks the servers and their order; an entry
#   NAME:THREADS runs ours or nginx-aio with another pool size, e.g. SERVERS="ours:8 ours:64".
# settings (environment), with their defaults below. Everything is on 127.0.0.1; every step is
# bounded in time; the mount, loop device, cgroup, servers and scratch files are removed on exit,
# even on failure or Ctrl-C.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

if [[ $EUID -ne 0 ]]; then
  echo "slow-storage-bench.sh needs root (loop device, mount, blkio cgroup, drop_caches)." >&2
  echo "Run it as: sudo $0" >&2
  exit 1
fi

WORK=$(mktemp -d /tmp/slow-storage-bench.XXXXXX)
# shellcheck source=benchmarks/lib/http-servers.sh
source "$REPO/benchmarks/lib/http-servers.sh"

LARGE_FILES=${LARGE_FILES:-1500}
LARGE_MIB=${LARGE_MIB:-2}
READ_BPS=${READ_BPS:-$((20 * 1024 * 1024))}
READ_IOPS=${READ_IOPS:-400}
READ_AHEAD_KB=${READ_AHEAD_KB:-128}
DURATION=${DURATION:-30}
BASELINE_DURATION=${BASELINE_DURATION:-10}
LARGE_CONNECTIONS=${LARGE_CONNECTIONS:-32}
SMALL_CONNECTIONS=${SMALL_CONNECTIONS:-8}
SMALL_DELAY_MS=${SMALL_DELAY_MS:-10}
OUT_TSV=${OUT_TSV:-$REPO/benchmarks/slow-storage.tsv}
OUT_PNG=${OUT_PNG:-$REPO/benchmarks/slow-storage.png}
read -r -a SERVERS <<<"${SERVERS:-${SERVERS_ALL[*]}}"

MNT="$WORK/mnt"
CGROUP=/sys/fs/cgroup/blkio/linuxaio-slow-bench.$$
LOOP=""

# Undoes everything this script set up, in reverse order, whatever state it got to.
cleanup() {
  local rc=$? job
  stop_all_servers
  # A wrk still running (after Ctrl-C or a failure) is one of ours: stop it too.
  for job in $(jobs -p); do kill "$job" 2>/dev/null || true; done
  if mountpoint -q "$MNT" 2>/dev/null; then umount "$MNT" || umount -l "$MNT" || true; fi
  [[ -z $LOOP ]] || losetup -d "$LOOP" 2>/dev/null || true
  if [[ -d $CGROUP ]]; then
    # A cgroup can be removed only when empty: anything left goes back to the root group.
    local pid
    while read -r pid; do echo "$pid" >/sys/fs/cgroup/blkio/cgroup.procs 2>/dev/null || true; done \
      <"$CGROUP/cgroup.procs"
    rmdir "$CGROUP" 2>/dev/null || true
  fi
  rm -rf "$WORK"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ensure_commands wrk:wrk nginx:nginx-light curl:curl gnuplot:gnuplot-nox mkfs.ext4:e2fsprogs \
  losetup:mount
require_nginx_threads
check_servers "${SERVERS[@]}"
require_jars "${SERVERS[@]%%:*}"
[[ -f /sys/fs/cgroup/blkio/cgroup.procs ]] || die "no cgroup v1 blkio hierarchy at /sys/fs/cgroup/blkio"
write_wrk_scripts
# The small-file clients pause between requests: they stand for other users of the site.
cat "$WORK/report.lua" - >"$WORK/small.lua" <<LUA
delay = function() return $SMALL_DELAY_MS end
LUA

drop_caches() {
  sync
  echo 3 >/proc/sys/vm/drop_caches
}

# --- the storage --------------------------------------------------------------------------
image_mib=$(( LARGE_FILES * LARGE_MIB * 105 / 100 + 64 ))  # files + 5 % + ext4's own
log "making a ${image_mib} MiB ext4 image with $LARGE_FILES x $LARGE_MIB MiB files"
truncate -s "${image_mib}M" "$WORK/disk.img"
mkfs.ext4 -q -F -m 0 "$WORK/disk.img"
LOOP=$(losetup --find --show --direct-io=on "$WORK/disk.img")
echo "$READ_AHEAD_KB" >"/sys/block/${LOOP#/dev/}/queue/read_ahead_kb"
mkdir -p "$MNT"
mount -o noatime "$LOOP" "$MNT"
mkdir "$MNT/large"
head -c 1024 /dev/urandom >"$MNT/small.bin"
# Copies of one random file: each is its own inode and blocks, so each is cached on its own, and
# making them costs a copy instead of /dev/urandom each time.
head -c $((LARGE_MIB * 1024 * 1024)) /dev/urandom >"$WORK/large.template"
for ((i = 1; i <= LARGE_FILES; i++)); do
  cp --reflink=never "$WORK/large.template" "$(printf '%s/large/%04d.bin' "$MNT" "$i")"
done
drop_caches

# --- the throttle -------------------------------------------------------------------------
DEVICE=$(lsblk -ndo MAJ:MIN "$LOOP" | tr -d ' ')
mkdir "$CGROUP"
echo "$DEVICE $READ_BPS" >"$CGROUP/blkio.throttle.read_bps_device"
echo "$DEVICE $READ_IOPS" >"$CGROUP/blkio.throttle.read_iops_device"
log "reads from $LOOP ($DEVICE) capped at $READ_BPS B/s and $READ_IOPS IO/s in $CGROUP"

# Bytes read from the loop device so far (sectors read, field 3 of its stat, are 512 bytes
# whatever the device's block size). Only the server under test reads it during a run.
device_read_bytes() {
  echo $(( $(awk '{ print $3 }' "/sys/block/${LOOP#/dev/}/stat") * 512 ))
}

export LARGE_COUNT=$LARGE_FILES
log "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"

# --- the runs -----------------------------------------------------------------------------
printf "server\tbaseline_p50_ms\tbaseline_p99_ms\tsmall_p50_ms\tsmall_p99_ms\tsmall_rps\tlarge_rps\ttotal_rps\ttotal_MBps\tdevice_MBps\tfrom_device_pct\tfailed\tsmall_requests\n" \
  >"$WORK/results.tsv"
for entry in "${SERVERS[@]}"; do
  # An entry is a server name, or NAME:THREADS to run it with another pool size (ours, nginx-aio).
  server=${entry%%:*}
  threads=$AIO_THREADS
  ours_threads=
  if [[ $entry == *:* ]]; then
    threads=${entry#*:}
    ours_threads=$threads
  fi
  port=$(server_port "$server")
  small_url="http://127.0.0.1:$port/small.bin"
  drop_caches
  AIO_THREADS=$threads OURS_AIO_THREADS=$ours_threads start_server "$server" "$MNT" /small.bin "$CGROUP"

  # A JVM needs many requests before its hot paths are compiled: warm up at full speed.
  log "$entry: warm-up, then baseline (small file only, $BASELINE_DURATION s)"
  run_wrk "$WORK/$entry-warmup.out" "$WORK/report.lua" 10 \
    --threads 1 --connections "$SMALL_CONNECTIONS" --timeout 30s "$small_url"
  run_wrk "$WORK/$entry-baseline.out" "$WORK/small.lua" "$BASELINE_DURATION" \
    --threads 1 --connections "$SMALL_CONNECTIONS" --timeout 30s "$small_url"

  # Only the small file is in the cache when the load starts.
  drop_caches
  curl -sf -o /dev/null --max-time 30 "$small_url"
  echo 1 >"$CGROUP/blkio.reset_stats"
  disk_before=$(device_read_bytes)

  log "$entry: $LARGE_CONNECTIONS clients on random large files + small-file clients, $DURATION s"
  run_wrk "$WORK/$entry-large.out" "$WORK/random-large.lua" "$DURATION" \
    --threads 2 --connections "$LARGE_CONNECTIONS" --timeout 60s "http://127.0.0.1:$port" &
  large_pid=$!
  run_wrk "$WORK/$entry-small.out" "$WORK/small.lua" "$DURATION" \
    --threads 1 --connections "$SMALL_CONNECTIONS" --timeout 60s "$small_url"
  wait "$large_pid"
  disk_bytes=$(( $(device_read_bytes) - disk_before ))
  if [[ $server == ours ]]; then
    # Ours grows its pool past 8 workers only while requests stall: say how far it grew.
    log "$entry: aio-worker threads alive after the load: $(grep -l '^aio-worker' \
      "/proc/${SERVER_PID[$server]}"/task/*/comm 2>/dev/null | wc -l)"
  fi
  log "$entry: $disk_bytes bytes read from $LOOP; the cgroup's own count:" \
    "$(grep "^$DEVICE Read" "$CGROUP/blkio.throttle.io_service_bytes" || echo none)"
  stop_server "$server"
  if [[ $server == ours ]]; then
    # What its engine counted, as it says when it stops: calls tried on the loop that took over
    # a millisecond (slow=) would be the loop waiting for the disk.
    log "$entry: $(grep -o 'status: .*' "$WORK/$server.log" | tail -1)"
  fi

  b="$WORK/$entry-baseline.out" s="$WORK/$entry-small.out" l="$WORK/$entry-large.out"
  awk -v OFS='\t' -v name="$entry" \
      -v bp50="$(ms "$b" p50_us)" -v bp99="$(ms "$b" p99_us)" \
      -v sp50="$(ms "$s" p50_us)" -v sp99="$(ms "$s" p99_us)" \
      -v sr="$(result_field "$s" requests)" -v sd="$(result_field "$s" duration_us)" \
      -v sb="$(result_field "$s" bytes)" \
      -v lr="$(result_field "$l" requests)" -v ld="$(result_field "$l" duration_us)" \
      -v lb="$(result_field "$l" bytes)" -v disk="$disk_bytes" -v dur="$DURATION" \
      -v bad="$(( $(failed "$s") + $(failed "$l") ))" \
      'BEGIN {
         # wrk drops requests still open when it stops: if no small request finished at all,
         # its latency is known only to exceed the run, so the run length stands in for it.
         if (sr == 0) { sp50 = dur * 1000; sp99 = dur * 1000 }
         srps = sr / (sd / 1e6); lrps = lr / (ld / 1e6)
         served = sb / sd + lb / ld
         printf "%s\t%.2f\t%.2f\t%.2f\t%.2f\t%.0f\t%.1f\t%.0f\t%.1f\t%.1f\t%.0f\t%d\t%d\n", name,
           bp50, bp99, sp50, sp99, srps, lrps, srps + lrps, served, disk / dur / 1e6,
           100 * (disk / dur / 1e6) / served, bad, sr
       }' >>"$WORK/results.tsv"
done

cp "$WORK/results.tsv" "$OUT_TSV"

# --- the chart ----------------------------------------------------------------------------
bash "$REPO/benchmarks/lib/slow-storage-chart.sh" "$OUT_TSV" "$OUT_PNG" \
  "Slow uncached storage: $LARGE_CONNECTIONS clients on ${LARGE_FILES} x ${LARGE_MIB} MiB random files (reads capped at $((READ_BPS / 1024 / 1024)) MiB/s, $READ_IOPS IO/s) + $SMALL_CONNECTIONS clients on one cached 1 KiB file\n$EVENT_LOOPS event loops or worker processes each; ours with its shipped pool, nginx aio with $AIO_THREADS threads, unless named NAME:THREADS"

echo
echo "storage: ${LARGE_FILES} x ${LARGE_MIB} MiB files on ext4 on $LOOP, reads capped at $READ_BPS B/s" \
  "and $READ_IOPS IO/s, read_ahead_kb $READ_AHEAD_KB; $DURATION s runs"
column -t -s $'\t' "$OUT_TSV"
echo "table: $OUT_TSV  chart: $OUT_PNG"
