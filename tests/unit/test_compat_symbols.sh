#!/bin/sh
# compat: libwsbrw exports exactly the functions WSB_RWInterface.h declares (the national
# names), nothing of libhcard or its own internals.
set -eu
: "${top_srcdir:?}" "${top_builddir:?}"
lib="$top_builddir/compat/.libs/libwsbrw.so"
[ -f "$lib" ] || { echo "missing $lib"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
sed -n 's/^\(HANDLE\|int\) *\([A-Za-z_][A-Za-z0-9_]*\)(.*/\2/p' "$top_srcdir/compat/WSB_RWInterface.h" \
	| sort -u >"$tmp/declared"
nm -D --defined-only "$lib" | awk '$2 == "T" { sub(/@.*/, "", $3); print $3 }' | sort -u >"$tmp/exported"
n=$(wc -l <"$tmp/declared")
[ "$n" -ge 52 ] || { echo "only $n declarations parsed"; exit 1; }
if ! diff -u "$tmp/declared" "$tmp/exported"; then
	echo "FAIL: exported symbols differ from WSB_RWInterface.h (- declared only, + exported only)"
	exit 1
fi
echo "ok: $n national functions exported, nothing else"
