#!/bin/sh
# Batch issuance (hcard issue --batch) through pcscd and hcard-sim, interrupted twice and
# resumed from its state file: card 2 is pulled in the middle of its issuance (a torn card),
# the batch is killed while it waits for the next card; the second run skips what is done,
# issues card 2 again on the same half-written card and card 3, and nothing is issued twice.
set -eu
: "${top_srcdir:?}" "${top_builddir:?}"
[ -n "${HCARD_SIM_CONTROL:-}" ] || exec "$top_srcdir/tests/harness/with-sim" -- "$SHELL" "$0" "$@"

. "$top_srcdir/tests/integration/test_flow_lib.sh"

dir=$T/batch
mkdir -p "$dir"
cp "$data"/batch/*.json "$dir/"
state=$T/batch.state
pid=""
trap '[ -z "$pid" ] || kill "$pid" 2>/dev/null || true' EXIT

# wait_for N PATTERN FILE: until FILE holds N lines matching PATTERN (bounded: 20 s)
wait_for() {
	k=0
	# a file not created yet (the background job has not opened its redirection) counts 0
	while n=$(grep -c "$2" "$3" 2>/dev/null); [ "${n:-0}" -lt "$1" ]; do
		k=$((k + 1))
		[ $k -le 200 ] || { cat "$3" >&2; fail "timeout waiting for $1 x \"$2\""; }
		sleep 0.1
	done
}

blank_card c2 4843415244000102
blank_card c3 4843415244000103

step "run 1: card 1 issued; card 2 pulled during its issuance; killed while waiting"
"$hcard" issue --batch "$dir" --state "$state" >"$T/run1.out" 2>"$T/run1.err" &
pid=$!
wait_for 1 "insert the next blank card" "$T/run1.out"
grep -q "^01-zhao.json: issued 110102198505123015 B000000001" "$T/run1.out" || fail "card 1"
# card 2: the 25th APDU never reaches it (the card is pulled), mid-issuance
"$HCARD_SIM" ctl "$HCARD_SIM_CONTROL" remove 0 >/dev/null
"$top_builddir/tests/harness/hc-wait-readers" --timeout 5000 "$HCARD_CARD_READER=empty" >/dev/null
"$HCARD_SIM" ctl "$HCARD_SIM_CONTROL" insert 0 "$T/c2.img" >/dev/null
"$HCARD_SIM" ctl "$HCARD_SIM_CONTROL" tear 0 25 before >/dev/null
wait_for 2 "insert the next blank card" "$T/run1.out"
grep -q "^02-qian.json: FAILED" "$T/run1.out" || fail "card 2 should have failed"
kill "$pid"
wait "$pid" 2>/dev/null || true
pid=""
grep -c " ok " "$state" | grep -qx 1 || fail "state: $(cat "$state")"

step "run 2: resumes; card 2 (half written) issued again, then card 3"
"$HCARD_SIM" ctl "$HCARD_SIM_CONTROL" insert 0 "$T/c2.img" >/dev/null
"$top_builddir/tests/harness/hc-wait-readers" --timeout 5000 "$HCARD_CARD_READER=present" >/dev/null
"$hcard" issue --batch "$dir" --state "$state" >"$T/run2.out" 2>"$T/run2.err" &
pid=$!
wait_for 1 "insert the next blank card" "$T/run2.out"
grep -q "^02-qian.json: issued 110102199211304026 B000000002" "$T/run2.out" || fail "card 2 resumed"
swap_card "$T/c3.img"
wait "$pid" || { cat "$T/run2.out" "$T/run2.err" >&2; fail "run 2 failed"; }
pid=""
grep -q "^03-sun.json: issued 31011519780101511X B000000003" "$T/run2.out" || fail "card 3"
grep -q "1 issued\|2 issued" "$T/run2.out" || fail "summary"
grep -q "2 issued, 0 failed, 1 already done" "$T/run2.out" || fail "summary: $(tail -1 "$T/run2.out")"
grep -q "\[##############################\] 3/3" "$T/run2.err" || fail "no progress bar"

step "nothing issued twice"
[ "$(grep -c " ok " "$state")" -eq 3 ] || fail "state: $(cat "$state")"
for c in 110102198505123015 110102199211304026 31011519780101511X; do
	expect 0 hcard --json journal --card "$c"
	python3_check 'len([e for e in d["entries"] if e["kind"] == "issue" and e["result"] == "HC_OK"]) == 1'
done
# card 3 is in the reader, activated, with its balance
expect 0 hcard --json balance
jq_is '"balance_fen"' 5000
expect 0 hcard --json status
jq_is '"card_number"' 31011519780101511X

step "a CSV batch: one row per card, typed by the profile's fields; a rerun issues nothing"
blank_card c4 4843415244000104
swap_card "$T/c4.img"
cat >"$T/kids.csv" <<'EOF'
issue_serial,household_register,holder.name,holder.sex,holder.birth_date,holder.id_number,issuer.name,issuer.code,validity.expiry,contact1.name,contact1.relation,contact1.phone,pin
0000000101,true,王小花,2,20180615,110105201806150029,"北京市西城区卫生健康委员会",11010200000,20361231,"王大明",1,13700137000,654321
EOF
expect 0 hcard --json issue --batch "$T/kids.csv"
jq_is '"issued"' 1
jq_is '"cards"][0]["profile"' row-00001
expect 0 hcard --json issue --batch "$T/kids.csv"
jq_is '"issued"' 0
jq_is '"skipped"' 1
export HCARD_PIN=654321
expect 0 hcard --json pin verify
unset HCARD_PIN
expect 0 hcard --json status
jq_is '"card_number"' 110105201806150029

echo "ok: test_flow_batch"
