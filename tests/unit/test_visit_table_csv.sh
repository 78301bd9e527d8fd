#!/bin/sh
# The committed src/visit_items.c must be exactly what scripts/gen-visit-table makes from
# spec/visit-records.csv (../shared/spec beside the source tree). Fails on any difference;
# skipped (77) only when the spec is not beside the tree (a tarball build).
set -u
top=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
csv="$top/../shared/spec/visit-records.csv"
if [ ! -r "$csv" ]; then
	echo "SKIP: $csv not present"
	exit 77
fi
tmp=$(mktemp) || exit 1
trap 'rm -f "$tmp"' EXIT INT TERM
/usr/bin/python3 "$top/scripts/gen-visit-table" "$csv" "$tmp" || { echo "FAIL: generator"; exit 1; }
if ! cmp -s "$tmp" "$top/src/visit_items.c"; then
	echo "FAIL: src/visit_items.c differs from the CSV; run scripts/gen-visit-table $csv src/visit_items.c"
	diff "$tmp" "$top/src/visit_items.c" | head -20
	exit 1
fi
echo "PASS: src/visit_items.c matches $csv"
