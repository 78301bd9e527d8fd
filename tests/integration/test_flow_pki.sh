#!/bin/sh
# Issuance step "PKI keys" (pki.md, card-profile.md §6) through the hcard CLI, libhcard,
# pcscd, vpcd and hcard-sim, checked with tools independent of hcard's issuance code:
# - with the issuer CAs configured (made here with the openssl CLI: a P-256 CA for key 01,
#   an SM2 CA for key 02, as HCARD_PKI_CA_* and HCARD_PKI_SM2_CA_*), `hcard issue` generates
#   both key pairs on the card and installs their certificates: pkcs11-tool (OpenSC) lists
#   both, `openssl verify` accepts them against the CAs (SM2 with distid 1234567812345678),
#   subject CN / serialNumber are the cardholder's name and card number, keyUsage is
#   digitalSignature / nonRepudiation, and signatures made on the card through pkcs11-tool
#   with key 01 (ECDSA-SHA256) and key 02 (SM2 with SM3 and Z) verify with openssl against the
#   certificates' public keys;
# - a half-configured CA (key without certificate) is refused before the card is touched;
# - without a CA, issuance succeeds and the step says "skipped: no issuer CA configured";
#   the card then holds no certificate.
set -eu
: "${top_srcdir:?}" "${top_builddir:?}"
[ -n "${HCARD_SIM_CONTROL:-}" ] || exec "$top_srcdir/tests/harness/with-sim" -- "$SHELL" "$0" "$@"

. "$top_srcdir/tests/integration/test_flow_lib.sh"
. "$top_srcdir/tests/integration/pkcs11_common.sh"

MODULE=${HCARD_PKCS11:-$top_builddir/pkcs11/.libs/hcard-pkcs11.so}
NAME=张三                       # tests/integration/test_flow_data/zhangsan.json
NUMBER=110101199003071233
PIN=123456
tool() { pkcs11-tool --module "$MODULE" "$@"; }

step "issuer CAs made with the openssl CLI (P-256 for key 01, SM2 for key 02)"
mkdir "$T/ca"
p11_make_ca "$T/ca" || fail "openssl could not make the CAs"

step "a CA key without its certificate is refused before the first APDU"
cp "$HCARD_SIM_IMAGE_CARD" "$T/before.img"
expect 3 env HCARD_PKI_CA_KEY="$T/ca/p256-ca.key" "$hcard" --json issue "$data/zhangsan.json"
grep -q "CA certificate" "$T/err" || fail "the error names the missing CA certificate"
cmp -s "$HCARD_SIM_IMAGE_CARD" "$T/before.img" || fail "the card image changed"

step "issue 张三's card with the CAs: PKI keys generated and certified"
expect 0 env HCARD_PKI_CA_KEY="$T/ca/p256-ca.key" HCARD_PKI_CA_CERT="$T/ca/p256-ca.crt" \
	HCARD_PKI_SM2_CA_KEY="$T/ca/sm2-ca.key" HCARD_PKI_SM2_CA_CERT="$T/ca/sm2-ca.crt" \
	"$hcard" --json issue "$data/zhangsan.json"
python3_check '[s["step"] for s in d["steps"]].index("PKI keys") == [s["step"] for s in d["steps"]].index("activate") - 1'
python3_check '[s for s in d["steps"] if s["step"] == "PKI keys"][0]["card_apdus"] > 0'
python3_check '"note" not in [s for s in d["steps"] if s["step"] == "PKI keys"][0]'
expect 0 hcard --json status
jq_is '"card_number"' "$NUMBER"

step "pkcs11-tool lists both certificates"
tool --list-objects >"$T/out" 2>&1 || fail "pkcs11-tool --list-objects"
[ "$(grep -c '^Certificate Object' "$T/out")" -eq 2 ] || fail "not two certificates"

for id in 01 02; do
	step "certificate $id: read with pkcs11-tool, checked with openssl"
	tool --read-object --type cert --id $id -o "$T/cert$id.der" >"$T/out" 2>&1 ||
		fail "pkcs11-tool cannot read certificate $id"
	openssl x509 -inform der -in "$T/cert$id.der" -out "$T/cert$id.pem" 2>"$T/err" ||
		fail "certificate $id is not DER X.509"
	openssl x509 -in "$T/cert$id.pem" -noout -subject -nameopt utf8,sep_comma_plus >"$T/out"
	grep -qx "subject=CN=$NAME,serialNumber=$NUMBER" "$T/out" || fail "certificate $id subject"
	openssl x509 -in "$T/cert$id.pem" -noout -pubkey >"$T/pub$id.pem"
	openssl x509 -in "$T/cert$id.pem" -noout -ext keyUsage >"$T/ku$id.txt"
	openssl x509 -in "$T/cert$id.pem" -noout -text >"$T/text$id.txt"
	grep -q "Version: 3" "$T/text$id.txt" || fail "certificate $id is not X.509 v3"
done
grep -q critical "$T/ku01.txt" && grep -qx ' *Digital Signature' "$T/ku01.txt" ||
	fail "key 01: keyUsage is not digitalSignature: $(cat "$T/ku01.txt")"
grep -q critical "$T/ku02.txt" && grep -qx ' *Non Repudiation' "$T/ku02.txt" ||
	fail "key 02: keyUsage is not nonRepudiation: $(cat "$T/ku02.txt")"
grep -q "ASN1 OID: prime256v1" "$T/text01.txt" || fail "key 01 is not P-256"
grep -q "ASN1 OID: SM2" "$T/text02.txt" || fail "key 02 is not on the SM2 curve"
grep -q "Signature Algorithm: SM2-with-SM3" "$T/text02.txt" || fail "cert 02 not signed SM2-with-SM3"

step "openssl verify accepts them against the issuer CAs, and only against the right one"
openssl verify -CAfile "$T/ca/p256-ca.crt" "$T/cert01.pem" >"$T/out" 2>&1 || fail "cert 01 verify"
openssl verify -CAfile "$T/ca/sm2-ca.crt" -vfyopt distid:1234567812345678 "$T/cert02.pem" \
	>"$T/out" 2>&1 || fail "cert 02 verify (SM2 with distid)"
openssl verify -CAfile "$T/ca/sm2-ca.crt" -vfyopt distid:1234567812345678 "$T/cert01.pem" \
	>"$T/out" 2>&1 && fail "cert 01 verified under the wrong CA"
openssl verify -CAfile "$T/ca/sm2-ca.crt" -vfyopt distid:0000000000000000 "$T/cert02.pem" \
	>"$T/out" 2>&1 && fail "cert 02 verified with another distinguishing ID"

step "key 01 signs through pkcs11-tool; openssl verifies with the certificate's public key"
printf 'consent: read medical history of %s, nonce %s\n' "$NUMBER" "$$" >"$T/msg"
tool --login --pin "$PIN" --sign --id 01 --mechanism ECDSA-SHA256 --signature-format openssl \
	-i "$T/msg" -o "$T/sig01.der" >"$T/out" 2>&1 || fail "pkcs11-tool sign with key 01"
openssl dgst -sha256 -verify "$T/pub01.pem" -signature "$T/sig01.der" "$T/msg" >"$T/out" 2>&1 ||
	fail "key 01 signature does not verify against certificate 01"
printf 'tampered\n' >"$T/msg2"
openssl dgst -sha256 -verify "$T/pub01.pem" -signature "$T/sig01.der" "$T/msg2" >"$T/out" 2>&1 &&
	fail "key 01 signature verified for another message"

step "key 02 signs (SM2, SM3 with Z) through pkcs11-tool; openssl verifies with certificate 02"
tool --login --pin "$PIN" --sign --id 02 --mechanism "$P11_SM2_SM3" -i "$T/msg" \
	-o "$T/sig02.raw" >"$T/out" 2>&1 || fail "pkcs11-tool sign with key 02"
p11_rs_to_der "$T/sig02.raw" "$T/sig02.der" || fail "key 02 signature is not r || s"
openssl dgst -sm3 -verify "$T/pub02.pem" -sigopt distid:1234567812345678 \
	-signature "$T/sig02.der" "$T/msg" >"$T/out" 2>&1 ||
	fail "key 02 signature does not verify against certificate 02"

step "without a CA: issuance succeeds, the step says it was skipped, no certificate"
blank_card nopki 4843415244000888
swap_card "$T/nopki.img"
expect 0 env HCARD_STORE="sqlite:$T/nopki.db" "$hcard" --json issue "$data/zhangsan.json"
jq_is '"card_number"' "$NUMBER"
python3_check '[s for s in d["steps"] if s["step"] == "PKI keys"][0]["note"] == "skipped: no issuer CA configured"'
python3_check '[s for s in d["steps"] if s["step"] == "PKI keys"][0]["card_apdus"] == 0'
# activated: issuing again only finishes the archive (issue 12 item 5), the PKI keys are not
# added afterwards
expect 0 env HCARD_STORE="sqlite:$T/nopki.db" "$hcard" --json issue "$data/zhangsan.json"
python3_check '[s for s in d["steps"] if s["step"] == "PKI keys"][0]["note"] == "done before (the card is activated)"'
tool --list-objects >"$T/out" 2>&1 || fail "pkcs11-tool --list-objects"
[ "$(grep -c '^Certificate Object' "$T/out")" -eq 0 ] || fail "a certificate on the card without a CA"

step "the text output names the skipped step"
blank_card nopki2 4843415244000889
swap_card "$T/nopki2.img"
expect 0 env HCARD_STORE="sqlite:$T/nopki2.db" "$hcard" issue "$data/zhangsan.json"
grep "PKI keys" "$T/out" | grep -q "skipped: no issuer CA configured" ||
	fail "the step output does not say the PKI keys were skipped"

echo "ok - test_flow_pki"
