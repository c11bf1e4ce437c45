#!/usr/bin/env bash
# Compares two builds of the engine on 4 KiB reads, each against AsynchronousFileChannel in the
# same JVM, over many short JVMs taken in turn (A, B, A, B, ...).
#
#   benchmarks/paired-forks.sh before.jar after.jar [workers] [forks]
#
# Each jar is a benchmarks.jar (build one, copy it aside, change the engine, build again). Each
# fork runs `Interleaved read <workers> 3 linux-aio,jdk-async-channel` and yields one ratio:
# linux-aio's reads/s over AsynchronousFileChannel's. Why forks: on this machine a JVM's run can sit
# 10-15 % above or below the next one's for all its rounds (JIT and memory layout differ per JVM),
# so one JVM's ratio says little; the median over many does. The 1 GiB data file is written once,
# to a temp dir, and shared by every fork.
set -euo pipefail

if [ $# -lt 2 ]; then
    sed -n '2,12p' "$0"
    exit 2
fi
jar_a="$1"
jar_b="$2"
workers="${3:-1}"
forks="${4:-8}"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
data="$work/data-1g"
head -c $((1024 * 1024 * 1024)) /dev/urandom > "$data"

echo "# $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); $workers workers, $forks forks each"
echo "# fork | build | linux-aio reads/s | jdk-async-channel reads/s | ratio"
for fork in $(seq "$forks"); do
    for build in A B; do
        jar="$jar_a"
        [ "$build" = B ] && jar="$jar_b"
        table="$(java -Dlinuxaio.bench.dataFile="$data" -cp "$jar" io.linuxaio.benchmarks.Interleaved \
            read "$workers" 3 linux-aio,jdk-async-channel)"
        aio="$(echo "$table" | awk -F'|' '$3 ~ /linux-aio/ {gsub(/[, ]/, "", $4); print $4}')"
        jdk="$(echo "$table" | awk -F'|' '$3 ~ /async-channel/ {gsub(/[, ]/, "", $4); print $4}')"
        echo "$fork $build $aio $jdk $(awk -v a="$aio" -v j="$jdk" 'BEGIN {printf "%.3f", a / j}')"
    done
done | tee "$work/forks.txt"

for build in A B; do
    awk -v b="$build" '$2 == b {print $5, $3}' "$work/forks.txt" | sort -n | awk -v b="$build" '
        {ratio[NR] = $1; rate += $2}
        END {
            median = NR % 2 ? ratio[(NR + 1) / 2] : (ratio[NR / 2] + ratio[NR / 2 + 1]) / 2
            printf "# %s: median ratio %.3f over %d forks, mean linux-aio %.0f reads/s\n", b, median, NR, rate / NR
        }'
done
