#!/bin/sh
# Issue 12 item 3: `hcard load` with the card pulled at every APDU of the load in turn, before
# and after execution (hcard-sim `tear N before|after`), then the same `hcard load` repeated
# once the card is back. The repeat decides the torn load first (hc_purse_load_recover) and
# says so in a load's words; when the torn CREDIT had run it is not loaded a second time.
# After each point: exactly one load of 1.00 yuan more on the card, and the card's balance
# equals the journal (loads completed - charges taken). Before the fix the torn load was
# never resolved ("an interrupted charge...") and the repeat loaded twice.
set -eu
: "${top_srcdir:?}" "${top_builddir:?}"
[ -n "${HCARD_SIM_CONTROL:-}" ] || exec "$top_srcdir/tests/harness/with-sim" -- "$SHELL" "$0" "$@"

. "$top_srcdir/tests/integration/test_flow_lib.sh"
card=110101199003071233
ctl() { "$HCARD_SIM" ctl "$HCARD_SIM_CONTROL" "$@" >/dev/null; }
count() { "$HCARD_SIM" ctl "$HCARD_SIM_CONTROL" count 0 | awk '{ print $2 }'; }
balance() {
	expect 0 hcard --json balance
	"$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["balance_fen"])' "$T/out"
}
# the card's balance by the journal: loads completed (any phase after the intent that says
# loaded) minus charges taken; the opening balance of issuance is a load too
journal_balance() {
	expect 0 hcard --json journal --card $card --limit 10000
	"$PY" -c 'import json,sys
d = json.load(open(sys.argv[1]))
bal = 0
for e in d["entries"]:
    det = e.get("detail") or ""
    if e["kind"] == "load":
        j = json.loads(det)
        if j["phase"] in ("completed", "completed-tac-unknown"):
            bal += j["amount"]
    elif e["kind"] == "charge" and e.get("charge_state") in ("completed", "completed-tac-unknown"):
        bal -= json.loads(det)["amount"]
print(bal)' "$T/out"
}

expect 0 hcard issue "$data/zhangsan.json"
prev=$(balance)
[ "$(journal_balance)" -eq "$prev" ] || fail "after issuance: card $prev, journal $(journal_balance)"
c0=$(count)
expect 0 hcard --json load 1.00
n=$(( $(count) - c0 ))
prev=$((prev + 100))
[ "$(balance)" -eq "$prev" ] || fail "a plain load"
[ "$n" -ge 3 ] || fail "a load of $n card APDUs?"

completed=0 notdone=0
for when in before after; do
	i=1
	while [ "$i" -le "$n" ]; do
		ctl tear 0 "$i" "$when"
		set +e
		"$hcard" load 1.00 >"$T/t.out" 2>"$T/t.err"
		rc=$?
		set -e
		ctl untear 0
		if [ $rc -eq 0 ]; then
			# the tear was not reached (fewer APDUs this time): nothing to repeat
			prev=$((prev + 100))
			[ "$(balance)" -eq "$prev" ] || fail "$when $i: load ok but balance wrong"
			i=$((i + 1))
			continue
		fi
		grep -q "interrupted charge" "$T/t.err" && fail "$when $i: a torn load called a charge: $(cat "$T/t.err")"
		ctl insert 0
		"$top_builddir/tests/harness/hc-wait-readers" --timeout 5000 "$HCARD_CARD_READER=present" \
			>/dev/null || fail "card not back"
		expect 0 hcard load 1.00       # the cashier repeats the load
		cp "$T/out" "$T/rep"
		grep -q "interrupted charge" "$T/out" && fail "$when $i: 'interrupted charge' for a load"
		if grep -q "was completed" "$T/out"; then
			completed=$((completed + 1))
			grep -q "not loaded again" "$T/out" || fail "$when $i: the repeat loaded again: $(cat "$T/out")"
		fi
		grep -q "was not done" "$T/out" && notdone=$((notdone + 1))
		prev=$((prev + 100))
		b=$(balance)
		[ "$b" -eq "$prev" ] || fail "torn $when APDU $i, then repeated: balance $b, expected $prev (exactly one load)"
		j=$(journal_balance)
		[ "$j" -eq "$b" ] || fail "torn $when APDU $i: card $b fen, journal $j fen"
		echo "load torn $when APDU $i: rc $rc; repeat: $(grep -o 'was completed\|was not done\|not loaded again' "$T/rep" | tr '\n' ' ')balance $b = journal"
		i=$((i + 1))
	done
done
echo "torn loads decided as completed: $completed, as not done: $notdone"
[ $completed -ge 1 ] || fail "no tear point left a completed CREDIT to decide"
[ $notdone -ge 1 ] || fail "no tear point left an intent whose CREDIT never ran"

step "a charge after a torn load decides it first, in a load's words"
c0=$(count)
expect 0 hcard --json charge 0.01
nc=$(( $(count) - c0 ))
ctl tear 0 "$n" after    # CREDIT is the last card APDU of a load
set +e
"$hcard" load 2.00 >"$T/t.out" 2>"$T/t.err"
rc=$?
set -e
ctl untear 0
[ $rc -ne 0 ] || fail "load with CREDIT torn succeeded"
grep -q "the load of 2.00 yuan was interrupted" "$T/t.err" || fail "torn load words: $(cat "$T/t.err")"
ctl insert 0
"$top_builddir/tests/harness/hc-wait-readers" --timeout 5000 "$HCARD_CARD_READER=present" >/dev/null
expect 0 hcard charge 0.01
grep -q "An interrupted load of 2.00 yuan was completed" "$T/out" || fail "charge did not say the load: $(cat "$T/out")"
b=$(balance)
[ "$b" -eq $((prev + 200 - 2)) ] || fail "after torn load 2.00 and charges: $b"
[ "$(journal_balance)" -eq "$b" ] || fail "card $b, journal $(journal_balance)"
echo "ok: test_purse_load_torn"
