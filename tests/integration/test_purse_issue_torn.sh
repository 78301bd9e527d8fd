#!/bin/sh
# Issue 12 items 2 and 5: `hcard issue` torn at card APDUs (before and after execution; every
# APDU of the last steps, PIN, opening balance, PKI, ACTIVATE, and every STRIDE-th before
# them), then the same `hcard issue` run again. The re-run finishes the card: exit 0, the
# opening balance exactly once (100.00 yuan, never 200.00), card balance = journal, the
# archive written, the allergy not appended twice. Before the fix: a tear in the opening
# load gave 200.00, a tear after ACTIVATE could not be finished and left no archive.
set -eu
: "${top_srcdir:?}" "${top_builddir:?}"
[ -n "${HCARD_SIM_CONTROL:-}" ] || exec "$top_srcdir/tests/harness/with-sim" -- "$SHELL" "$0" "$@"

. "$top_srcdir/tests/integration/test_flow_lib.sh"
card=110101199003071233
STRIDE=${STRIDE:-40}
ctl() { "$HCARD_SIM" ctl "$HCARD_SIM_CONTROL" "$@" >/dev/null; }
count() { "$HCARD_SIM" ctl "$HCARD_SIM_CONTROL" count 0 | awk '{ print $2 }'; }
balance() {
	expect 0 hcard --json balance
	"$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["balance_fen"])' "$T/out"
}
# loads completed, by the journal (each point has a store of its own)
journal_balance() {
	expect 0 hcard --json journal --card $card --limit 10000
	"$PY" -c 'import json,sys
d = json.load(open(sys.argv[1])); bal = 0
for e in d["entries"]:
    if e["kind"] == "load":
        j = json.loads(e["detail"])
        if j["phase"] in ("completed", "completed-tac-unknown"):
            bal += j["amount"]
print(bal)' "$T/out"
}
archived() {
	"$PY" -c 'import sqlite3,sys
db = sqlite3.connect(sys.argv[1])
print(db.execute("SELECT COUNT(*) FROM archive WHERE card_number = ? AND name = ?", (sys.argv[2], "profile")).fetchone()[0])' \
		"$1" $card
}
allergies() {
	expect 0 hcard --json read --all
	"$PY" -c 'import json,sys
d = json.load(open(sys.argv[1]))
def find(o):
    if isinstance(o, dict):
        for k, v in o.items():
            if k == "allergies": return v
            r = find(v)
            if r is not None: return r
    if isinstance(o, list):
        for v in o:
            r = find(v)
            if r is not None: return r
print(len(find(d) or []))' "$T/out"
}

# the APDUs of one issuance, on a blank card
factor=1
blank_card b0 "$(printf '%016X' $factor)"
swap_card "$T/b0.img"
c0=$(count)
expect 0 hcard issue "$data/zhangsan.json"
n=$(( $(count) - c0 ))
[ "$(balance)" -eq 10000 ] || fail "a plain issuance: balance $(balance)"
[ "$(allergies)" -eq 1 ] || fail "a plain issuance: $(allergies) allergies"
echo "issuance: $n card APDUs"
tail_from=$((n - ${TAIL:-16}))

points=0
for when in after before; do
	i=1
	while [ "$i" -le "$n" ]; do
		if [ "$i" -lt "$tail_from" ] && [ $((i % STRIDE)) -ne 1 ]; then
			i=$((i + 1))
			continue
		fi
		factor=$((factor + 1))
		blank_card "b$factor" "$(printf '%016X' $factor)"
		swap_card "$T/b$factor.img"
		db="$T/issue$factor.db"
		export HCARD_STORE="sqlite:$db"
		ctl tear 0 "$i" "$when"
		set +e
		"$hcard" issue "$data/zhangsan.json" >"$T/t.out" 2>"$T/t.err"
		rc=$?
		set -e
		ctl untear 0
		ctl insert 0
		"$top_builddir/tests/harness/hc-wait-readers" --timeout 5000 "$HCARD_CARD_READER=present" \
			>/dev/null || fail "card not back"
		[ $rc -ne 0 ] || fail "issuance torn $when APDU $i succeeded"
		expect 0 hcard issue "$data/zhangsan.json"     # the same input again
		cp "$T/out" "$T/rerun"
		b=$(balance)
		[ "$b" -eq 10000 ] || fail "torn $when APDU $i, re-run: balance $b fen, the profile says 10000"
		j=$(journal_balance)
		[ "$j" -eq "$b" ] || fail "torn $when APDU $i: card $b fen, journal $j fen"
		[ "$(archived "$db")" -eq 1 ] || fail "torn $when APDU $i: no archive after the re-run"
		[ "$(allergies)" -eq 1 ] || fail "torn $when APDU $i: $(allergies) allergies after the re-run"
		note=$(grep -o "already on the card\|done before" "$T/rerun" | head -1 || true)
		echo "issue torn $when card APDU $i/$n: re-run ok, balance $b, archive, 1 allergy ${note:+($note)}"
		points=$((points + 1))
		i=$((i + 1))
	done
done
echo "points tried: $points"
echo "ok: test_purse_issue_torn"
