#!/bin/sh
# Charge through the CLI with the card pulled at every APDU of the charge in turn (hcard-sim
# `tear N after`: the command ran on the card, its answer was lost): the card is put back,
# the next charge resolves the torn one first, and at the end the card's balance equals the
# opening balance minus exactly the charges the journal holds as taken. Never lost, never
# taken twice.
set -eu
: "${top_srcdir:?}" "${top_builddir:?}"
[ -n "${HCARD_SIM_CONTROL:-}" ] || exec "$top_srcdir/tests/harness/with-sim" -- "$SHELL" "$0" "$@"

. "$top_srcdir/tests/integration/test_flow_lib.sh"
card=110101199003071233

expect 0 hcard issue "$data/zhangsan.json"
expect 0 hcard --json balance
start=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["balance_fen"])' "$T/out")
# APDUs the card receives for one `hcard charge` (session opening included), as the sim counts
count() { "$HCARD_SIM" ctl "$HCARD_SIM_CONTROL" count 0 | awk '{ print $2 }'; }
c0=$(count)
expect 0 hcard --json charge 0.01
n_apdus=$(( $(count) - c0 ))
[ "$n_apdus" -ge 5 ] || fail "a charge of $n_apdus card APDUs?"

step "the card pulled after each of the $n_apdus APDUs of a charge"
i=1
while [ "$i" -le "$n_apdus" ]; do
	"$HCARD_SIM" ctl "$HCARD_SIM_CONTROL" tear 0 "$i" after >/dev/null
	set +e
	"$hcard" --json charge 1.00 --fund 0.50 >"$T/torn.out" 2>"$T/torn.err"
	rc=$?
	set -e
	[ "$rc" -ne 0 ] || fail "charge with the card pulled at APDU $i succeeded"
	"$HCARD_SIM" ctl "$HCARD_SIM_CONTROL" untear 0 >/dev/null
	"$HCARD_SIM" ctl "$HCARD_SIM_CONTROL" insert 0 >/dev/null
	"$top_builddir/tests/harness/hc-wait-readers" --timeout 5000 "$HCARD_CARD_READER=present" \
		>/dev/null || fail "card not back"
	expect 0 hcard --json charge 0.01   # resolves the torn charge first
	i=$((i + 1))
done

step "balance = opening balance - the charges the journal holds as taken"
expect 0 hcard --json journal --card $card --limit 1000
python3_check 'not any(e.get("charge_state") == "open" for e in d["entries"])'
taken=$("$PY" -c 'import json,sys
d = json.load(open(sys.argv[1]))
print(sum(json.loads(e["detail"])["amount"] for e in d["entries"]
          if e["kind"] == "charge" and e["charge_state"] in ("completed", "completed-tac-unknown")))' "$T/out")
expect 0 hcard --json balance
jq_is '"balance_fen"' $((start - taken))
[ "$taken" -ge 57 ] || fail "the charge torn at DEBIT was not counted as taken ($taken fen)"
echo "charges taken: $taken fen in total; balance $((start - taken)) fen"
echo "ok: test_flow_torn"
