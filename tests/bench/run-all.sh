#!/bin/sh
# Runs every benchmark under tests/harness/with-sim (private pcscd + vpcd + hcard-sim), from
# the build directory (`make bench` builds them first): the programs of HC_BENCH found in
# tests/bench/ of the build tree (one per tests/bench/*.c source), then tests/bench/*.sh
# scripts other than this one. Benchmarks report numbers; they never pass or fail on timing.
# A benchmark that fails (exit status not 0) makes the whole run fail at the end.
set -u

srcdir=$(cd "$(dirname "$0")/../.." && pwd)
builddir=$(pwd)
top_srcdir=${top_srcdir:-$srcdir}
top_builddir=${top_builddir:-$builddir}
HCARD_SIM=${HCARD_SIM:-$top_builddir/sim/hcard-sim}
export top_srcdir top_builddir HCARD_SIM

status=0
ran=0
for src in "$top_srcdir"/tests/bench/*.c "$top_srcdir"/tests/bench/*.sh; do
	[ -e "$src" ] || continue
	name=$(basename "$src")
	case $name in
	run-all.sh) continue ;;
	*.c) cmd="$top_builddir/tests/bench/${name%.c}"
	     [ -x "$cmd" ] || { echo "run-all: $cmd not built, skipped" >&2; continue; }
	     set -- "$cmd" ;;
	*.sh) set -- "${SHELL:-/bin/sh}" "$src" ;;
	esac
	echo "== $name"
	if ! "$top_srcdir/tests/harness/with-sim" -- "$@"; then
		echo "run-all: $name failed" >&2
		status=1
	fi
	ran=$((ran + 1))
done
echo "run-all: $ran benchmark(s) run"
exit $status
