#!/usr/bin/env bash
# Builds the benchmarks jar and runs the core benchmark: linux-aio against AsynchronousFileChannel
# and a JDK thread pool, for 4 KiB reads, stat and open+close at 1, 2, 4 and 8 workers. Prints the
# machine, JMH's progress, and at the end a Markdown table (also saved to target/core-results.md).
#
# Then, unless --no-bulk, it lists a 100,000-entry directory (readdirx against Files.list) and copies
# the 1 GiB file (copy against Files.copy), and prints their table too.
#
# The JMH matrix runs in 3 rounds (--rounds N to change) and the table pools them; other arguments
# go to JMH, e.g. a quick look at one configuration:
#   benchmarks/run-core.sh --rounds 1 -p workers=2 -i 1 -r 1s ReadBenchmark
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
cd "$root"

mvn -B -q -Dstyle.color=never -pl benchmarks -am package -DskipTests

echo "# machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), kernel $(uname -r)"
echo "# java: $(java -version 2>&1 | head -1)"
echo "# load average before the run: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# command: benchmarks/run-core.sh $*"

out="$here/target/core-run.txt"
java -cp "$here/target/benchmarks.jar" io.linuxaio.benchmarks.CoreRun "$@" | tee "$out"
sed -n '/^# Core benchmark:/,$p' "$out" > "$here/target/core-results.md"
echo "# load average after the run: $(cut -d' ' -f1-3 /proc/loadavg)"
