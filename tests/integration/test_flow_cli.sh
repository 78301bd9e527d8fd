#!/bin/sh
# Every front-desk flow through the hcard CLI, libhcard, pcscd, vpcd and hcard-sim (a fresh
# blank card and a type 5 SAM): an invalid profile writes nothing; issue; register; charge
# with the settlement split and a visit record; report lost; register refused and the card
# blocked on the spot; replacement on a new blank card carries the archive; the old card stays
# refused; exit codes, --json and Chinese output.
set -eu
: "${top_srcdir:?}" "${top_builddir:?}"
[ -n "${HCARD_SIM_CONTROL:-}" ] || exec "$top_srcdir/tests/harness/with-sim" -- "$SHELL" "$0" "$@"

. "$top_srcdir/tests/integration/test_flow_lib.sh"

step "an invalid profile (ID check digit) is refused and writes nothing"
cp "$HCARD_SIM_IMAGE_CARD" "$T/before.img"
expect 4 hcard --json issue "$data/bad-id.json"
jq_is '"error"' HC_ERR_BAD_ID_NUMBER
grep -q "holder.id_number" "$T/err" || fail "the error names the field"
cmp -s "$HCARD_SIM_IMAGE_CARD" "$T/before.img" || fail "the card image changed"

step "issue 张三's card"
expect 0 hcard --json issue "$data/zhangsan.json"
jq_is '"card_number"' 110101199003071233
jq_is '"issue_serial"' 0000000001
cmp -s "$HCARD_SIM_IMAGE_CARD" "$T/before.img" && fail "issuance wrote nothing"
# the same profile again (an issuance torn after ACTIVATE is finished, issue 12 item 5): the
# activated card is not written again, only the archive
expect 0 hcard --json issue "$data/zhangsan.json"
python3_check 'all(s.get("note") == "done before (the card is activated)" for s in d["steps"] if s["step"] not in ("validate", "archive"))'
expect 0 hcard --json status
jq_is '"blacklist"' none

step "read the card back: what was issued, in the profile format"
expect 0 hcard --json read --all
"$PY" - "$data/zhangsan.json" "$T/out" <<'PYEOF' || fail "the card differs from the profile"
import json, sys
want = json.load(open(sys.argv[1]))
card = json.load(open(sys.argv[2]))["card"]
for sec in ("holder", "addresses", "social", "documents", "clinical"):
    for k, v in want[sec].items():
        assert card[sec][k] == v, (sec, k, card[sec].get(k), v)
assert card["contacts"][0] == want["contacts"][0], card["contacts"]
assert card["allergies"] == want["allergies"], card["allergies"]
assert card["validity"]["expiry"] == want["validity"]["expiry"]
assert card["issuer"]["name"] == want["issuer"]["name"]
PYEOF
expect 0 hcard --json read holder
jq_is '"holder"]["id_number"' 110101199003071233
expect 1 hcard read photos

step "register"
expect 0 hcard --json register
jq_is '"patient"]["name"' 张三
jq_is '"patient"]["allergies"][0]["allergen"' 青霉素
jq_is '"patient"]["outpatient_records"' 0

step "charge 33.79 = 27.28 fund + 0.54 account + 5.97 self-pay, with the visit record"
expect 0 hcard --json charge 33.79 --fund 27.28 --account 0.54 --visit "$data/visit.txt"
jq_is '"self_pay"' 5.97
jq_is '"balance"' 94.03
jq_is '"visit_result"' HC_OK
expect 0 hcard --json balance
jq_is '"balance_fen"' 9403
expect 0 hcard --json register
jq_is '"patient"]["outpatient_records"' 1
expect 5 hcard --json charge 200.00
jq_is '"error"' HC_ERR_INSUFFICIENT_BALANCE
expect 0 hcard --json load 150.00
jq_is '"balance"' 244.03
expect 0 hcard --json charge 200.00
jq_is '"balance"' 44.03
expect 3 env HCARD_ISSUER_KEYS=/nonexistent "$hcard" load 1.00
expect 4 hcard charge 10.00 --fund 20.00

step "cardholder PIN: wrong, then right from stdin, then changed (PINs from files, not argv)"
umask 077                                   # hcard refuses PIN files others may read
printf '000000\n' > "$T/pin0"
printf '123456\n' > "$T/pin1"
printf '24681357\n' > "$T/pin2"
printf '12ab\n' > "$T/pinbad"
expect 5 hcard --json pin verify --pin-file "$T/pin0"
jq_is '"error"' HC_ERR_PIN_WRONG
jq_is '"tries_left"' 2
expect 0 sh -c '"$1" pin verify --pin - < "$2"' sh "$hcard" "$T/pin1"
expect 0 hcard pin change --pin-file "$T/pin1" --new-pin-file "$T/pin2"
expect 5 hcard pin verify --pin-file "$T/pin1"
expect 0 env HCARD_PIN=24681357 "$hcard" pin verify
expect 4 hcard pin verify --pin-file "$T/pinbad"
# the deposit ledger (ED) needs the PIN
expect 0 env HCARD_PIN=24681357 "$hcard" --json load 20.00 --ed
jq_is '"balance"' 20.00
expect 5 hcard pin verify --pin-file "$T/pin0"   # a failed VERIFY clears the verified state
# no PIN and no terminal to ask it on (setsid): sent without, the card refuses
expect 5 setsid -w "$hcard" --json charge 5.00 --ed
jq_is '"error"' HC_ERR_SECURITY_STATUS
expect 0 hcard --json charge 5.00 --fund 1.00 --ed --pin-file "$T/pin2"
jq_is '"balance"' 16.00
expect 0 hcard --json balance --ed --pin-file "$T/pin2"
jq_is '"balance_fen"' 1600

step "report the card lost: register refuses it and blocks it on the spot (type 5 SAM)"
expect 0 hcard --json lost report 110101199003071233
jq_is '"state"' lost
jq_is '"who"' desk1
expect 2 hcard --json register
jq_is '"error"' HC_ERR_BLACKLISTED
jq_is '"blocked_on_card"' 1
[ "$(blocked_dfs "$HCARD_SIM_IMAGE_CARD" temporary)" -eq 3 ] || fail "DF01-DF03 not blocked in the card image"
expect 2 hcard --json register
jq_is '"blocked_on_card"' 2
expect 2 hcard charge 1.00
expect 2 hcard load 1.00
expect 2 hcard pin verify --pin-file "$T/pin2"
expect 2 hcard unblock                       # still on the blacklist

step "found again: unblock, register works; block and unblock by hand"
expect 0 hcard lost found 110101199003071233
expect 0 hcard unblock
expect 0 hcard block
[ "$(blocked_dfs "$HCARD_SIM_IMAGE_CARD" temporary)" -eq 3 ] || fail "hcard block did not block"
expect 2 hcard --json register
jq_is '"error"' HC_ERR_APP_BLOCKED
expect 0 hcard unblock
[ "$(blocked_dfs "$HCARD_SIM_IMAGE_CARD" temporary)" -eq 0 ] || fail "still blocked in the card image"
expect 0 hcard register
expect 0 hcard lost report 110101199003071233
cp "$HCARD_SIM_IMAGE_CARD" "$T/old.img"

step "replacement (补办) on a new blank card carries the archive"
blank_card new 4843415244000777
swap_card "$T/new.img"
expect 0 hcard --json lost replace 110101199003071233 0000000001 0000000002
expect 0 hcard --json register
jq_is '"patient"]["issue_serial"' 0000000002
jq_is '"patient"]["name"' 张三
jq_is '"patient"]["allergies"][0]["reaction"' 皮疹、呼吸困难
jq_is '"patient"]["other_alert"' 哮喘，慎用β受体阻滞剂
expect 0 hcard --json status
jq_is '"blacklist"' none

step "the old card is replaced: refused and blocked permanently"
swap_card "$T/old.img"
expect 2 hcard --json register
jq_is '"blacklist"' replaced
[ "$(blocked_dfs "$T/old.img" permanent)" -eq 3 ] || fail "the replaced card is not blocked permanently"
expect 0 hcard --json journal --card 110101199003071233 --limit 100
python3_check 'len([e for e in d["entries"] if e["kind"] == "register"]) >= 4'
python3_check 'any(e["kind"] == "refused" for e in d["entries"])'
python3_check 'any(e["kind"] == "charge" and e["who"] == "desk1" and e["issue_serial"] == "0000000001" and e["charge_state"] == "completed" for e in d["entries"])'

step "an expired card is refused (issued on the household register with a past expiry)"
blank_card old2020 4843415244000222
swap_card "$T/old2020.img"
sed 's/"expiry": "20361231"/"expiry": "20250101"/' "$data/child.json" > "$T/child-2020.json"
expect 2 hcard --json issue "$T/child-2020.json"       # today: the expiry is past
jq_is '"error"' HC_ERR_CARD_EXPIRED
expect 0 hcard --today 20200101 --json issue "$T/child-2020.json"
expect 2 hcard --json register
jq_is '"error"' HC_ERR_CARD_EXPIRED
expect 0 hcard --json journal --card 110105201806150029
python3_check 'any(e["kind"] == "refused" and e["result"] == "HC_ERR_CARD_EXPIRED" for e in d["entries"])'

step "a type 3 SAM (hospital): refuses the lost card without blocking it; cannot issue"
"$HCARD_SIM" factory --type sam --sam-type 3 --sam-serial SIM0000003 --out "$T/sam3.img" \
	>"$T/ctl.log" 2>&1 || fail "factory: $(cat "$T/ctl.log")"
"$HCARD_SIM" ctl "$HCARD_SIM_CONTROL" remove 1 >/dev/null
"$top_builddir/tests/harness/hc-wait-readers" --timeout 5000 "$HCARD_SAM_READER=empty" >/dev/null
"$HCARD_SIM" ctl "$HCARD_SIM_CONTROL" insert 1 "$T/sam3.img" >/dev/null
"$top_builddir/tests/harness/hc-wait-readers" --timeout 5000 "$HCARD_SAM_READER=present" >/dev/null
blank_card lost3 4843415244000333
swap_card "$T/lost3.img"
cp "$T/lost3.img" "$T/lost3.before"
expect 3 hcard --json issue "$data/child.json"
jq_is '"error"' HC_ERR_SAM_TYPE
cmp -s "$T/lost3.img" "$T/lost3.before" || fail "a type 3 SAM wrote to the card"
swap_card "$T/old.img"
expect 2 hcard --json register
jq_is '"error"' HC_ERR_BLACKLISTED
jq_is '"blocked_on_card"' 0

step "exit codes, usage, Chinese output"
expect 1 hcard nonsense
expect 1 hcard charge 12.345
expect 1 hcard charge abc
expect 0 env LANG=zh_CN.UTF-8 "$hcard" status
grep -q "卡号" "$T/out" || fail "no Chinese output"
expect 0 env LANG=C "$hcard" status
grep -q "Card:" "$T/out" || fail "no English output"
expect 3 hcard --reader "NO SUCH READER" status
expect 3 env -u HCARD_TRUST HCARD_CONF=/dev/null "$hcard" register
grep -q "trust" "$T/err" || fail "the missing trust anchor is not named"

step "doctor and readers"
expect 0 hcard --json doctor
jq_is '"problems"' 0
python3_check 'any(x["check"] == "sam" and x["ok"] for x in d["checks"])'
expect 0 hcard --json readers
python3_check 'len(d["readers"]) == 2 and all(r["card_present"] for r in d["readers"])'
# pcscd unreachable: a clear error, exit 3
expect 3 env PCSCLITE_CSOCK_NAME=/nonexistent/pcscd.comm "$hcard" --json doctor
python3_check 'any(x["check"] == "pcscd" and not x["ok"] for x in d["checks"])'
expect 3 env PCSCLITE_CSOCK_NAME=/nonexistent/pcscd.comm "$hcard" --json register
jq_is '"error"' HC_ERR_NO_SERVICE

echo "ok: test_flow_cli"
