#!/bin/sh
# Benchmark of the front-desk flows through the hcard CLI, libhcard, pcscd, vpcd and
# hcard-sim: APDUs (user card + SAM) and time per issuance (printed per step), per
# registration and per charge (medians over N runs, default 20; $HCARD_BENCH_N).
# Run by `make bench` (tests/bench/run-all.sh, under with-sim) or directly.
set -eu
: "${top_srcdir:?}" "${top_builddir:?}"
[ -n "${HCARD_SIM_CONTROL:-}" ] || exec "$top_srcdir/tests/harness/with-sim" -- "${SHELL:-/bin/sh}" "$0" "$@"

. "$top_srcdir/tests/integration/test_flow_lib.sh"
N=${HCARD_BENCH_N:-20}

expect 0 hcard --json issue "$data/zhangsan.json"
echo "flows_cards: issuance (one card, with photo, DF01, DF02, PIN, opening balance):"
"$PY" -c 'import json,sys
d = json.load(open(sys.argv[1]))
for s in d["steps"]:
    print("  %-22s %4d card + %4d SAM APDUs %8.2f ms" % (s["step"], s["card_apdus"], s["sam_apdus"], s["ms"]))
c = d["cost"]
print("  %-22s %4d card + %4d SAM APDUs %8.2f ms" % ("total", c["card_apdus"], c["sam_apdus"], c["ms"]))' "$T/out"

: >"$T/reg"
: >"$T/chg"
i=0
while [ $i -lt "$N" ]; do
	expect 0 hcard --json register
	cat "$T/out" >>"$T/reg"; echo "@@" >>"$T/reg"
	expect 0 hcard --json charge 0.01
	cat "$T/out" >>"$T/chg"; echo "@@" >>"$T/chg"
	i=$((i + 1))
done
for f in reg chg; do
	"$PY" -c 'import json,sys,statistics as st
docs = [json.loads(x) for x in open(sys.argv[1]).read().split("@@") if x.strip()]
c = [d["cost"] for d in docs]
print("flows_cards: %-8s x%d: median %d card + %d SAM APDUs, median %.2f ms (min %.2f, max %.2f)" % (
    sys.argv[2], len(c), st.median(x["card_apdus"] for x in c), st.median(x["sam_apdus"] for x in c),
    st.median(x["ms"] for x in c), min(x["ms"] for x in c), max(x["ms"] for x in c)))' \
		"$T/$f" "$( [ $f = reg ] && echo register || echo charge)"
done
