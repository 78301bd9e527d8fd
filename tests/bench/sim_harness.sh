#!/bin/sh
# Benchmark: start-up and teardown of tests/harness/with-sim (factory of both images, private
# pcscd, hcard-sim, readers and cards present, then everything stopped), 10 runs.
# Reports the median and the slowest; never fails on time.
set -u
H="$top_srcdir/tests/harness/with-sim"
runs=10
i=0
: >"${TMPDIR:-/tmp}/sim_harness.$$"
while [ $i -lt $runs ]; do
	a=$(date +%s%N)
	"$H" -- true || { echo "sim_harness: run $i failed"; exit 1; }
	b=$(date +%s%N)
	echo $(((b - a) / 1000000)) >>"${TMPDIR:-/tmp}/sim_harness.$$"
	i=$((i + 1))
done
sort -n "${TMPDIR:-/tmp}/sim_harness.$$" | awk -v n=$runs '
	{ v[NR] = $1 } END { printf "sim_harness: with-sim -- true  n=%d  median %d ms  max %d ms\n", n, v[int((n + 1) / 2)], v[n] }'
rm -f "${TMPDIR:-/tmp}/sim_harness.$$"
