#!/bin/sh
# Issue 12 item 4: `hcard charge --visit` with the SAM pulled at each SAM APDU of the visit
# record's write (before and after execution). The charge is taken once; the CLI says the
# charge is done and how to finish the record (--retry ENTRY), never just "repeat"; a plain
# repeat of the same command only writes the record (not charged again), and so does
# `--retry ENTRY`. Card balance = journal after every point. Before the fix the plain repeat
# charged a second time.
set -eu
: "${top_srcdir:?}" "${top_builddir:?}"
[ -n "${HCARD_SIM_CONTROL:-}" ] || exec "$top_srcdir/tests/harness/with-sim" -- "$SHELL" "$0" "$@"

. "$top_srcdir/tests/integration/test_flow_lib.sh"
card=110101199003071233
sam=$HCARD_SAM_SLOT
ctl() { "$HCARD_SIM" ctl "$HCARD_SIM_CONTROL" "$@" >/dev/null; }
count() { "$HCARD_SIM" ctl "$HCARD_SIM_CONTROL" count "$1" | awk '{ print $2 }'; }
balance() {
	expect 0 hcard --json balance
	"$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["balance_fen"])' "$T/out"
}
taken() {
	expect 0 hcard --json journal --card $card --limit 10000
	"$PY" -c 'import json,sys
d = json.load(open(sys.argv[1]))
print(sum(json.loads(e["detail"])["amount"] for e in d["entries"]
          if e["kind"] == "charge" and e.get("charge_state") in ("completed", "completed-tac-unknown")))' "$T/out"
}
sam_back() {
	ctl untear "$sam"
	ctl insert "$sam"
	"$top_builddir/tests/harness/hc-wait-readers" --timeout 5000 "$HCARD_SAM_READER=present" \
		>/dev/null || fail "SAM not back"
}
visit="$data/visit.txt"

expect 0 hcard issue "$data/zhangsan.json"
start=$(balance)
[ "$(taken)" -eq 0 ] || fail "charges before any"
# SAM APDUs of a charge alone and of a charge with the visit record
s0=$(count "$sam"); expect 0 hcard charge 0.01; s1=$(count "$sam")
expect 0 hcard --json charge 0.01 --visit "$visit"; s2=$(count "$sam")
jq_is '"visit_result"' HC_OK
n_charge=$((s1 - s0)) n_all=$((s2 - s1))
[ "$n_all" -gt "$n_charge" ] || fail "the visit record used no SAM APDU?"
echo "SAM APDUs: charge $n_charge, charge + visit record $n_all"
spent=2

points=0 finished_plain=0 finished_retry=0
for when in before after; do
	k=$((n_charge + 1))
	while [ "$k" -le "$n_all" ]; do
		ctl tear "$sam" "$k" "$when"
		set +e
		"$hcard" --json charge 1.00 --fund 0.50 --visit "$visit" >"$T/t.out" 2>"$T/t.err"
		rc=$?
		set -e
		sam_back
		b=$(balance)
		if [ $rc -eq 0 ]; then
			spent=$((spent + 50))
			[ "$b" -eq $((start - spent)) ] || fail "SAM $when $k: ok but balance $b"
			k=$((k + 1))
			continue
		fi
		points=$((points + 1))
		if [ "$b" -eq $((start - spent)) ]; then
			# the tear hit the charge itself (nothing taken): an ordinary failure
			[ "$(taken)" -eq "$spent" ] || fail "SAM $when $k: nothing taken, journal differs"
			k=$((k + 1))
			continue
		fi
		spent=$((spent + 50))
		[ "$b" -eq $((start - spent)) ] || fail "SAM $when $k: balance $b, expected $((start - spent))"
		grep -q "the charge of 1.00 yuan is done" "$T/t.err" || fail "SAM $when $k: no 'charge is done': $(cat "$T/t.err")"
		grep -q -- "--retry " "$T/t.err" || fail "SAM $when $k: no --retry ENTRY: $(cat "$T/t.err")"
		entry=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["retry"])' "$T/t.out")
		[ "$(taken)" -eq "$spent" ] || fail "SAM $when $k: card $b, journal $((start - $(taken)))"
		if [ $((points % 2)) -eq 0 ]; then
			expect 0 hcard --json charge 1.00 --fund 0.50 --visit "$visit"   # plain repeat
			finished_plain=$((finished_plain + 1))
		else
			expect 0 hcard --json charge 1.00 --fund 0.50 --retry "$entry" --visit "$visit"
			finished_retry=$((finished_retry + 1))
		fi
		jq_is '"repeated"' 1
		jq_is '"visit_result"' HC_OK
		jq_is '"entry_id"' "$entry"
		b=$(balance)
		[ "$b" -eq $((start - spent)) ] || fail "SAM $when $k: the repeat charged again ($b)"
		[ "$(taken)" -eq "$spent" ] || fail "SAM $when $k: journal after the repeat"
		echo "SAM torn $when visit APDU $k: charge done once, record finished"
		k=$((k + 1))
	done
done
echo "records finished by a plain repeat: $finished_plain, by --retry: $finished_retry"
[ $finished_plain -ge 1 ] && [ $finished_retry -ge 1 ] || fail "no torn visit record to finish"

step "a repeat after a record written is a new charge"
expect 0 hcard --json charge 1.00 --fund 0.50 --visit "$visit"
jq_is '"repeated"' 0
spent=$((spent + 50))
[ "$(balance)" -eq $((start - spent)) ] || fail "a new charge was not taken"
[ "$(taken)" -eq "$spent" ] || fail "journal"
echo "ok: test_purse_visit_torn"
