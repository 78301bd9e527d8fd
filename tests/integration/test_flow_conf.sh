#!/bin/sh
# hcard.conf keys of bank and issuing stations (doc/flows.md "hcard.conf"): issuer_keys,
# operator, pki_ca_key, pki_ca_cert, pki_sm2_ca_key, pki_sm2_ca_cert, through the hcard CLI,
# pcscd, vpcd and hcard-sim. Each key is shown to be used (an issuance and a load that need it
# succeed with the value from the file alone, a half-configured CA from the file is refused, the
# journal names the file's operator) and to lose against its option and its environment variable.
set -eu
: "${top_srcdir:?}" "${top_builddir:?}"
[ -n "${HCARD_SIM_CONTROL:-}" ] || exec "$top_srcdir/tests/harness/with-sim" -- "$SHELL" "$0" "$@"

. "$top_srcdir/tests/integration/test_flow_lib.sh"
# only the file speaks, unless a step says otherwise
unset HCARD_ISSUER_KEYS HCARD_OPERATOR HCARD_PKI_CA_KEY HCARD_PKI_CA_CERT HCARD_PKI_SM2_CA_KEY \
	HCARD_PKI_SM2_CA_CERT
USER=nobody-from-env
export USER
keyset=$top_srcdir/sim/demo.keyset

# conf LINE...: hcard.conf = the trust anchor and LINEs
conf() {
	printf 'trust_anchor = %s\n' "$T/trust" >"$HCARD_CONF"
	for l in "$@"; do printf '%s\n' "$l" >>"$HCARD_CONF"; done
}
# newest_who KIND: the operator of the newest journal entry of KIND
newest_who() {
	expect 0 hcard --json journal --limit 50
	"$PY" -c 'import json,sys
d = json.load(open(sys.argv[1]))
print([e for e in d["entries"] if e["kind"] == sys.argv[2]][0]["who"])' "$T/out" "$1"
}

step "issuer CAs made with the openssl CLI (P-256 for key 01, SM2 for key 02)"
mkdir "$T/ca"
openssl ecparam -name prime256v1 -genkey -noout -out "$T/ca/p256.key" 2>/dev/null &&
openssl req -x509 -new -key "$T/ca/p256.key" -sha256 -days 30 -subj "/CN=conf test CA" \
	-out "$T/ca/p256.crt" 2>/dev/null &&
openssl genpkey -algorithm SM2 -out "$T/ca/sm2.key" 2>/dev/null &&
openssl req -x509 -new -key "$T/ca/sm2.key" -sm3 -sigopt distid:1234567812345678 -days 30 \
	-subj "/CN=conf test SM2 CA" -out "$T/ca/sm2.crt" 2>/dev/null || fail "openssl CA"
full_conf() {
	conf "issuer_keys = $keyset   # the demo key set" "operator = bank-desk-7" \
		"pki_ca_key = $T/ca/p256.key" "pki_ca_cert = $T/ca/p256.crt" \
		"pki_sm2_ca_key = $T/ca/sm2.key" "pki_sm2_ca_cert = $T/ca/sm2.crt" "$@"
}
cp "$HCARD_SIM_IMAGE_CARD" "$T/blank.img"

step "pki_ca_key from the file without pki_ca_cert: refused before the card is touched"
conf "issuer_keys = $keyset" "pki_ca_key = $T/ca/p256.key"
expect 3 hcard --json issue "$data/zhangsan.json"
grep -q "CA certificate" "$T/err" || fail "the error names the missing CA certificate"
cmp -s "$HCARD_SIM_IMAGE_CARD" "$T/blank.img" || fail "the card image changed"

step "the option wins over the file: --pki-ca-cert naming a missing file is refused"
full_conf
expect 3 hcard --json --pki-ca-cert "$T/ca/none.crt" issue "$data/zhangsan.json"
grep -q "none.crt cannot be read" "$T/err" || fail "the option's file is not the one refused"
cmp -s "$HCARD_SIM_IMAGE_CARD" "$T/blank.img" || fail "the card image changed"
step "... and so does the environment"
expect 3 env HCARD_PKI_SM2_CA_KEY="$T/ca/none.key" "$hcard" --json issue "$data/zhangsan.json"
grep -q "PKI key 02" "$T/err" || fail "the environment's SM2 CA key is not the one refused"
cmp -s "$HCARD_SIM_IMAGE_CARD" "$T/blank.img" || fail "the card image changed"

step "issuance with everything from the file: key set, operator, both CAs"
expect 0 hcard --json issue "$data/zhangsan.json"
python3_check '"note" not in [s for s in d["steps"] if s["step"] == "PKI keys"][0]'
python3_check '[s for s in d["steps"] if s["step"] == "PKI keys"][0]["card_apdus"] > 0'
[ "$(newest_who issue)" = bank-desk-7 ] || fail "issuance journaled by $(newest_who issue)"

step "issuer_keys: the file's value is used; option and environment override it"
full_conf
expect 0 hcard --json load 1.00
jq_is '"balance"' 101.00
conf "issuer_keys = $T/none.keyset"
expect 3 hcard --json load 1.00
grep -q "issuer key set" "$T/err" || fail "the error names the key set"
expect 0 hcard --json --issuer-keys "$keyset" load 1.00
jq_is '"balance"' 102.00
expect 0 env HCARD_ISSUER_KEYS="$keyset" "$hcard" --json load 1.00
jq_is '"balance"' 103.00
full_conf
expect 3 hcard --json --issuer-keys "$T/none.keyset" load 1.00
expect 3 env HCARD_ISSUER_KEYS="$T/none.keyset" "$hcard" --json load 1.00

step "operator: the file's value goes into the journal; option and environment override it"
full_conf
expect 0 hcard --json charge 1.00
[ "$(newest_who charge)" = bank-desk-7 ] || fail "charge journaled by $(newest_who charge)"
expect 0 hcard --json --operator desk-9 charge 1.00
[ "$(newest_who charge)" = desk-9 ] || fail "--operator lost against the file"
expect 0 env HCARD_OPERATOR=desk-env "$hcard" --json charge 1.00
[ "$(newest_who charge)" = desk-env ] || fail "HCARD_OPERATOR lost against the file"
conf "issuer_keys = $keyset"
expect 0 hcard --json charge 1.00
[ "$(newest_who charge)" = nobody-from-env ] || fail "without any, \$USER is the operator"

step "the library accepts the new keys (a card command through hc_ctx_new)"
full_conf
expect 0 hcard --json status

step "doc/hcard.conf.sample is a valid hcard.conf for the library; an unknown key is not"
expect 0 hcard --json --conf "$top_srcdir/doc/hcard.conf.sample" doctor
python3_check 'not [c for c in d["checks"] if c["check"] == "config"]'
printf 'operator = x\nfrobnicate = 1\n' >"$T/bad.conf"
expect 3 hcard --json --conf "$T/bad.conf" doctor
python3_check '[c for c in d["checks"] if c["check"] == "config" and not c["ok"]]'

echo "PASS: hcard.conf station keys"
