#!/usr/bin/env bash
# Charts a slow-storage-bench.sh table: the small file's p99 (alone and under load), total
# requests/s and MB/s per server, side by side in one PNG.
# usage: slow-storage-chart.sh TABLE.tsv OUT.png "TITLE"   (gnuplot: apt-get install gnuplot-nox)
set -euo pipefail
tsv=$1 png=$2 title=$3

gnuplot <<GNUPLOT
set terminal pngcairo size 1500,600 font "sans,11"
set output "$png"
set datafile separator "\t"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set grid ytics
set key top left
set xtics nomirror rotate by -30
set bmargin 6
set offsets 0, 0, graph 0.12, 0
set multiplot layout 1,3 title "$title"
set title "small cached file: p99 latency (ms, log scale)"
set logscale y
set yrange [*:*]
plot "$tsv" skip 1 using 3:xtic(1) title "nothing else running" lc rgb "#9ecae1", \\
     "" skip 1 using 5 title "under the large-file load" lc rgb "#de2d26", \\
     "" skip 1 using (\$0 - 0.15):3:(sprintf("%.1f", \$3)) with labels offset 0,0.7 notitle, \\
     "" skip 1 using (\$0 + 0.15):5:((\$13 == 0 ? ">" : "") . sprintf("%.0f", \$5)) \\
        with labels offset 0,0.7 notitle
unset logscale y
set yrange [0:*]
set title "total requests/s (small + large)"
plot "$tsv" skip 1 using 8:xtic(1) notitle lc rgb "#31a354", \\
     "" skip 1 using 0:8:8 with labels offset 0,0.7 notitle
set title "MB/s served (read from the device)"
plot "$tsv" skip 1 using 9:xtic(1) notitle lc rgb "#3182bd", \\
     "" skip 1 using 0:9:(sprintf("%.0f (%.0f)", \$9, \$10)) with labels offset 0,0.7 notitle
unset multiplot
GNUPLOT
