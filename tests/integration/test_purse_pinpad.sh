#!/bin/sh
# The cardholder PIN on a PIN-pad reader, end to end through pcscd, the simulator's PIN-pad
# reader driver and hcard-sim (tests/harness/with-sim --pinpad; the keypad file
# $HCARD_PINPAD_KEYPAD holds what the cardholder "types"; doc/simulator.md "PIN-pad reader"):
#  1. the C API (tests/integration/test_purse_pinpad): load and charge ED with the PIN on the
#     pad, balance and detail records read back with raw APDUs; cancel and timeout change
#     nothing on the card; a wrong PIN counts down the card's tries;
#  2. the hcard CLI on an issued card: load/charge --pin-pad with the prompt, JSON fields,
#     the pad used when no PIN is given, cancel -> balance unchanged, wrong PIN -> tries left,
#     pin verify --pin-pad, pin change refuses --pin-pad, doctor sees the pad.
# Expected balances are the amounts of this script (purse.md: a load adds, a charge subtracts
# the self-pay part), checked against the card's own answer to a raw GET BALANCE.
set -eu
: "${top_srcdir:?}" "${top_builddir:?}"
if [ -z "${HCARD_SIM_CONTROL:-}" ]; then
	"$top_srcdir/tests/harness/with-sim" --pinpad -- "$top_builddir/tests/integration/test_purse_pinpad"
	exec "$top_srcdir/tests/harness/with-sim" --pinpad -- "$SHELL" "$0" "$@"
fi

. "$top_srcdir/tests/integration/test_flow_lib.sh"
[ -n "${HCARD_PINPAD_KEYPAD:-}" ] || fail "not under with-sim --pinpad"
export HCARD_CARD_READER HCARD_SAM_READER

# keys TEXT: what the cardholder types next (renamed into place: never half a file)
keys() {
	printf '%s\n' "$1" >"$HCARD_PINPAD_KEYPAD.new"
	mv "$HCARD_PINPAD_KEYPAD.new" "$HCARD_PINPAD_KEYPAD"
}
consumed() { [ ! -e "$HCARD_PINPAD_KEYPAD" ] || fail "the reader did not read the keypad"; }

# ed_balance: the ED balance in fen as the card answers GET BALANCE (PIN typed on the keyboard)
ed_balance() {
	export HCARD_PIN=123456
	expect 0 hcard --json balance --ed
	unset HCARD_PIN
	"$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["balance_fen"])' "$T/out"
}

step "doctor: the PIN-pad reader has a pad, the SAM's reader has none"
expect 0 hcard --json doctor
python3_check 'any(c.get("reader") == "HCARD PINPAD 00 00" and c["pinpad"] is True for c in d["checks"])'
python3_check 'any(c.get("reader") == "HCARD SIM 00 01" and c["pinpad"] is False for c in d["checks"])'
python3_check 'any(c.get("reader") == "HCARD SIM 00 00" and c["pinpad"] is None for c in d["checks"])'
expect 0 hcard doctor
grep -q "HCARD PINPAD 00 00: card present; PIN pad: yes" "$T/out" || fail "doctor text"

step "issue 张三's card (EP opening balance 100.00, PIN 123456)"
expect 0 hcard --json issue "$data/zhangsan.json"

step "load 200.00 onto ED with the PIN on the pad"
keys 123456
expect 0 hcard --json load 200.00 --ed --pin-pad
consumed
jq_is '"pin_pad"' True
jq_is '"balance"' 200.00
[ "$(ed_balance)" = 20000 ] || fail "ED balance after the load: $(ed_balance)"

step "charge 30.00 (fund 10.00, account 5.00, self-pay 15.00) from ED, PIN on the pad"
keys 123456
expect 0 hcard charge 30.00 --fund 10.00 --account 5.00 --ed --pin-pad
consumed
grep -q "type the PIN on the reader's PIN pad" "$T/err" || fail "no pad prompt"
grep -q "Balance 185.00 yuan" "$T/out" || fail "charge output"
[ "$(ed_balance)" = 18500 ] || fail "ED balance after the charge"

step "no PIN option on a reader with a pad: the pad is used, and the prompt says so"
keys 123456
expect 0 hcard --lang zh charge 1.00 --ed
consumed
grep -q "密码键盘" "$T/err" || fail "no Chinese pad prompt"
grep -q "余额 184.00 元" "$T/out" || fail "Chinese charge output"
keys 123456
expect 0 hcard --json charge 1.00 --ed
consumed
jq_is '"pin_pad"' True
jq_is '"balance"' 183.00
[ -s "$T/err" ] && fail "--json printed a prompt"

step "cancel on the pad: exit 5, nothing charged, nothing journaled"
expect 0 hcard --json journal --limit 1000
before=$("$PY" -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["entries"]))' "$T/out")
keys cancel
expect 5 hcard --json charge 7.00 --ed --pin-pad
consumed
jq_is '"error"' HC_ERR_PINPAD_CANCELLED
jq_is '"entry_id"' ""
[ "$(ed_balance)" = 18300 ] || fail "the balance changed on cancel"
expect 0 hcard --json journal --limit 1000
after=$("$PY" -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["entries"]))' "$T/out")
[ "$before" = "$after" ] || fail "cancel journaled something ($before -> $after entries)"

step "timeout on the pad: exit 5, nothing charged"
keys timeout
expect 5 hcard --json charge 7.00 --ed --pin-pad
jq_is '"error"' HC_ERR_PINPAD_TIMEOUT
[ "$(ed_balance)" = 18300 ] || fail "the balance changed on timeout"

step "wrong PIN on the pad: tries left 2, then 1; the right one resets"
keys 111111
expect 5 hcard --json charge 7.00 --ed --pin-pad
jq_is '"error"' HC_ERR_PIN_WRONG
jq_is '"tries_left"' 2
keys 222222
expect 5 hcard pin verify --pin-pad
grep -q "1 tries left" "$T/err" || fail "tries left not said"
keys 123456
expect 0 hcard --json pin verify --pin-pad
jq_is '"pin_pad"' True
[ "$(ed_balance)" = 18300 ] || fail "a wrong PIN changed the balance"

step "APDUs: a charge with the pad costs one card APDU more than typed (the VERIFY without data)"
cost() { "$PY" -c 'import json,sys; c=json.load(open(sys.argv[1]))["cost"]; print(c["card_apdus"], c["sam_apdus"])' "$T/out"; }
keys 123456
expect 0 hcard --json charge 1.00 --ed --pin-pad
pad_cost=$(cost)
expect 0 hcard --json charge 1.00 --ed --pin 123456
typed_cost=$(cost)
echo "ED charge (flow, card + SAM APDUs): PIN pad $pad_cost, typed $typed_cost"
[ "${pad_cost#* }" = "${typed_cost#* }" ] || fail "SAM APDUs differ"
[ "${pad_cost% *}" -eq $((${typed_cost% *} + 1)) ] || fail "card APDUs: pad $pad_cost typed $typed_cost"

step "pin change is keyboard only; --pin and --pin-pad together are refused"
expect 1 hcard pin change --pin-pad --new-pin 654321
grep -q "keyboard only" "$T/err" || fail "pin change --pin-pad message"
expect 1 hcard charge 1.00 --ed --pin 123456 --pin-pad
expect 1 hcard charge 1.00 --pin-pad
[ ! -e "$HCARD_PINPAD_KEYPAD" ] || fail "keypad file left"

echo "PASS: PIN pad through the CLI"
