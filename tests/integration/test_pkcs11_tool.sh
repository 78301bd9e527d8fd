#!/bin/sh
# hcard-pkcs11.so through OpenSC's pkcs11-tool, pcscd, vpcd and hcard-sim: slots (the SAM
# reader is not a token), objects, certificate read, ECDSA P-256 and SM2 signatures verified
# with OpenSSL against the certificates (which an OpenSSL CA made), pkcs11-tool --test.
# HCARD_P11_VIA=p11kit (set by test_pkcs11_p11kit.sh): the same checks through p11-kit-client.so
# and `p11-kit server`; what p11-kit 0.24 cannot carry is asserted as refused (see doc/pkcs11.md).
set -u

srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
builddir=${top_builddir:-$srcdir}
HCARD_PKCS11=${HCARD_PKCS11:-$builddir/pkcs11/.libs/hcard-pkcs11.so}
export HCARD_PKCS11
. "$srcdir/tests/integration/pkcs11_common.sh"
MODULE=$HCARD_P11_UNDER_TEST

if [ -z "${HCARD_SIM_CONTROL:-}" ]; then
	# outside the harness: inside with-sim with a card whose PKI keys the factory issued
	p11_in_sim -- "$0" "$@"
	exit $?
fi

fail=0
t=$HCARD_TEST_TMP
tool() { pkcs11-tool --module "$MODULE" "$@"; }
check() { # name, command...
	name=$1; shift
	if "$@"; then echo "ok - $P11_TAG$name"; else echo "not ok - $P11_TAG$name"; fail=1; fi
}
# refused NAME OUTPUT FUNCTION: the p11kit run, for a mechanism the client does not list:
# pkcs11-tool's OUTPUT must show FUNCTION (C_SignInit, C_VerifyInit) refused with
# CKR_MECHANISM_INVALID (p11-kit 0.24's RPC serialises only the mechanisms it knows)
refused() {
	check "$1 not offered by p11-kit's client: $3 -> CKR_MECHANISM_INVALID" \
		grep -q "$3 failed: rv = CKR_MECHANISM_INVALID" "$2"
}
# usable HEX: sign/verify with the mechanism as the direct run does? Always for the direct run;
# through p11-kit only when the client lists it (then it must work like the direct run).
usable() { test "$HCARD_P11_VIA" = direct || grep -qix "$1" "$t/mechs.txt"; }

# --- slots: one token, the user-card reader; the SAM reader is configuration -------------
tool --list-slots >"$t/slots.txt" 2>&1
cat "$t/slots.txt"
check "user-card reader is a slot" grep -q "HCARD SIM 00 00" "$t/slots.txt"
check "SAM reader is not a slot" sh -c "! grep -q 'HCARD SIM 00 01' '$t/slots.txt'"
tool --list-token-slots >"$t/tslots.txt" 2>&1
check "token present with the card's label" grep -q "token label *: $P11_NAME" "$t/tslots.txt"
check "token serial = end of the card number" grep -q "serial num *: ${P11_NUMBER#??}" "$t/tslots.txt"

if [ "$HCARD_P11_VIA" = p11kit ]; then
	p11_mech_list >"$t/mechs.txt"
	echo "# mechanisms listed through p11-kit: $(tr '\n' ' ' <"$t/mechs.txt")"
	check "CKM_ECDSA listed through p11-kit" grep -qx 0x1041 "$t/mechs.txt"
fi

# --- objects -------------------------------------------------------------------------------
tool --list-objects >"$t/pub.txt" 2>&1
check "public objects: two certificates" test "$(grep -c '^Certificate Object' "$t/pub.txt")" -eq 2
check "no private key before login" sh -c "! grep -q '^Private Key Object' '$t/pub.txt'"
tool --login --pin "$P11_PIN" --list-objects >"$t/all.txt" 2>&1
check "after login: two private keys" test "$(grep -c '^Private Key Object' "$t/all.txt")" -eq 2
check "key 01 and key 02 ids" sh -c "grep -q 'ID: *01' '$t/all.txt' && grep -q 'ID: *02' '$t/all.txt'"

# --- certificates: read, parse and verify against the issuer CA ------------------------------
for id in 01 02; do
	tool --read-object --type cert --id $id -o "$t/cert$id.der" >/dev/null 2>&1
	openssl x509 -inform der -in "$t/cert$id.der" -out "$t/cert$id.pem" 2>/dev/null
	check "certificate $id subject" sh -c "openssl x509 -in '$t/cert$id.pem' -noout -subject \
		-nameopt utf8,sep_comma_plus | grep -q 'CN=$P11_NAME,serialNumber=$P11_NUMBER'"
done
check "cert 01 from the P-256 CA" openssl verify -CAfile "$HCARD_TEST_CA/p256-ca.crt" "$t/cert01.pem"
check "cert 02 from the SM2 CA (SM2-with-SM3, Z with the default ID)" \
	openssl verify -CAfile "$HCARD_TEST_CA/sm2-ca.crt" -vfyopt distid:1234567812345678 "$t/cert02.pem"
openssl x509 -in "$t/cert01.pem" -noout -pubkey >"$t/pub01.pem"
openssl x509 -in "$t/cert02.pem" -noout -pubkey >"$t/pub02.pem"

# --- ECDSA P-256: signed on the card, verified by OpenSSL -------------------------------------
printf 'consent: read medical history, nonce %s\n' "$$" >"$t/msg"
rm -f "$t/sig01.der"
tool --login --pin "$P11_PIN" --sign --id 01 --mechanism ECDSA-SHA256 \
	--signature-format openssl -i "$t/msg" -o "$t/sig01.der" >"$t/s256.txt" 2>&1
if usable 0x1044; then
	check "ECDSA-SHA256 signature verifies" \
		openssl dgst -sha256 -verify "$t/pub01.pem" -signature "$t/sig01.der" "$t/msg"
else
	refused CKM_ECDSA_SHA256 "$t/s256.txt" C_SignInit
	# the same goal: SHA-256 on the host (OpenSSL), CKM_ECDSA on the card
	openssl dgst -sha256 -binary "$t/msg" >"$t/msg.sha256"
	tool --login --pin "$P11_PIN" --sign --id 01 --mechanism ECDSA \
		--signature-format openssl -i "$t/msg.sha256" -o "$t/sig01.der" >/dev/null 2>&1
	check "SHA-256 by OpenSSL + CKM_ECDSA on the card verifies as ecdsa-with-SHA256" \
		openssl dgst -sha256 -verify "$t/pub01.pem" -signature "$t/sig01.der" "$t/msg"
fi
openssl dgst -sha384 -binary "$t/msg" >"$t/msg.sha384"
tool --login --pin "$P11_PIN" --sign --id 01 --mechanism ECDSA \
	--signature-format openssl -i "$t/msg.sha384" -o "$t/sig01b.der" >/dev/null 2>&1
check "CKM_ECDSA over a SHA-384 hash verifies (leftmost 32 bytes)" \
	openssl dgst -sha384 -verify "$t/pub01.pem" -signature "$t/sig01b.der" "$t/msg"
# a different message must not verify with that signature (the check can fail)
printf 'tampered\n' >"$t/msg2"
check "tampered message is refused" sh -c \
	"! openssl dgst -sha256 -verify '$t/pub01.pem' -signature '$t/sig01.der' '$t/msg2' >/dev/null 2>&1"

# --- SM2 with SM3 and Z (vendor mechanism), verified by OpenSSL with distid ------------------
# (key 02 is an SM2 key: no other mechanism signs with it, so through a transport that does
# not carry the vendor mechanisms key 02 cannot sign at all)
rm -f "$t/sig02.raw" "$t/sig02r.raw"
tool --login --pin "$P11_PIN" --sign --id 02 --mechanism "$P11_SM2_SM3" \
	-i "$t/msg" -o "$t/sig02.raw" >"$t/sm2.txt" 2>&1
if usable "$P11_SM2_SM3"; then
	p11_rs_to_der "$t/sig02.raw" "$t/sig02.der"
	check "SM2 (SM3 with Z) signature verifies" openssl dgst -sm3 -verify "$t/pub02.pem" \
		-sigopt distid:1234567812345678 -signature "$t/sig02.der" "$t/msg"
else
	refused "CKM_HC_SM2_SM3 ($P11_SM2_SM3)" "$t/sm2.txt" C_SignInit
fi
# raw e computed here with OpenSSL, signed by the card with CKM_HC_SM2_RAW
p11_sm2_e "$t/pub02.pem" "$t/msg" "$t/e.bin"
tool --login --pin "$P11_PIN" --sign --id 02 --mechanism "$P11_SM2_RAW" \
	-i "$t/e.bin" -o "$t/sig02r.raw" >"$t/sm2r.txt" 2>&1
if usable "$P11_SM2_RAW"; then
	p11_rs_to_der "$t/sig02r.raw" "$t/sig02r.der"
	check "SM2 raw-e signature verifies" openssl dgst -sm3 -verify "$t/pub02.pem" \
		-sigopt distid:1234567812345678 -signature "$t/sig02r.der" "$t/msg"
else
	refused "CKM_HC_SM2_RAW ($P11_SM2_RAW)" "$t/sm2r.txt" C_SignInit
	tool --login --pin "$P11_PIN" --sign --id 02 --mechanism ECDSA \
		-i "$t/e.bin" -o "$t/sig02e.raw" >"$t/sm2e.txt" 2>&1
	check "key 02 (SM2) with CKM_ECDSA, the one mechanism carried -> CKR_KEY_TYPE_INCONSISTENT" \
		grep -q "C_SignInit failed: rv = CKR_KEY_TYPE_INCONSISTENT" "$t/sm2e.txt"
fi

# --- C_Verify in the module (host side, with the public key object) ----------------------------
tool --verify --id 01 --mechanism ECDSA-SHA256 --signature-format openssl -i "$t/msg" \
	--signature-file "$t/sig01.der" >"$t/v1.txt" 2>&1
if usable 0x1044; then
	check "module verifies the card's ECDSA signature" grep -q "Signature is valid" "$t/v1.txt"
	tool --verify --id 01 --mechanism ECDSA-SHA256 --signature-format openssl -i "$t/msg2" \
		--signature-file "$t/sig01.der" >"$t/v2.txt" 2>&1
	check "module refuses it for another message" grep -q "Invalid signature" "$t/v2.txt"
else
	refused CKM_ECDSA_SHA256 "$t/v1.txt" C_VerifyInit
	# the same goal with CKM_ECDSA over the SHA-256 hashes made by OpenSSL
	openssl dgst -sha256 -binary "$t/msg2" >"$t/msg2.sha256"
	tool --verify --id 01 --mechanism ECDSA --signature-format openssl -i "$t/msg.sha256" \
		--signature-file "$t/sig01.der" >"$t/v1.txt" 2>&1
	check "module verifies the card's ECDSA signature (CKM_ECDSA, host hash)" \
		grep -q "Signature is valid" "$t/v1.txt"
	tool --verify --id 01 --mechanism ECDSA --signature-format openssl -i "$t/msg2.sha256" \
		--signature-file "$t/sig01.der" >"$t/v2.txt" 2>&1
	check "module refuses it for another message (CKM_ECDSA, host hash)" \
		grep -q "Invalid signature" "$t/v2.txt"
fi
if usable "$P11_SM2_SM3"; then
	tool --verify --id 02 --mechanism "$P11_SM2_SM3" -i "$t/msg" \
		--signature-file "$t/sig02.raw" >"$t/v3.txt" 2>&1
	check "module verifies the card's SM2 signature" grep -q "Signature is valid" "$t/v3.txt"
	tool --verify --id 02 --mechanism "$P11_SM2_SM3" -i "$t/msg2" \
		--signature-file "$t/sig02.raw" >"$t/v4.txt" 2>&1
	check "module refuses the SM2 signature for another message" grep -q "Invalid signature" "$t/v4.txt"
else
	# no SM2 signature could be made: 64 zero bytes, refused by the transport before any use
	head -c 64 /dev/zero >"$t/sig02.raw"
	tool --verify --id 02 --mechanism "$P11_SM2_SM3" -i "$t/msg" \
		--signature-file "$t/sig02.raw" >"$t/v3.txt" 2>&1
	refused "CKM_HC_SM2_SM3 ($P11_SM2_SM3)" "$t/v3.txt" C_VerifyInit
fi

# --- wrong PIN is refused and counted; the right one resets the counter ----------------------
tool --login --pin 000000 --list-objects >"$t/bad.txt" 2>&1
check "wrong PIN refused" grep -q "CKR_PIN_INCORRECT" "$t/bad.txt"
tool --list-token-slots >"$t/low.txt" 2>&1
check "token flags show the PIN count low" grep -qi "user PIN count low" "$t/low.txt"
tool --login --pin "$P11_PIN" --list-objects >/dev/null 2>&1
tool --list-token-slots >"$t/reset.txt" 2>&1
check "right PIN resets the counter" sh -c "! grep -qi 'count low' '$t/reset.txt'"

# --- CHANGE PIN (C_SetPIN), then back ----------------------------------------------------------
tool --login --pin "$P11_PIN" --change-pin --new-pin 24680 >"$t/chg.txt" 2>&1
check "PIN changed to 24680" sh -c "pkcs11-tool --module '$MODULE' --login --pin 24680 --list-objects 2>&1 | grep -q '^Private Key Object'"
check "old PIN refused after the change" sh -c "pkcs11-tool --module '$MODULE' --login --pin '$P11_PIN' --list-objects 2>&1 | grep -q CKR_PIN_INCORRECT"
tool --login --pin 24680 --change-pin --new-pin "$P11_PIN" >/dev/null 2>&1
check "PIN changed back" sh -c "pkcs11-tool --module '$MODULE' --login --pin '$P11_PIN' --list-objects 2>&1 | grep -q '^Private Key Object'"

# --- pkcs11-tool's own test suite -------------------------------------------------------------
tool --test --login --pin "$P11_PIN" >"$t/test.txt" 2>&1
rc=$?
cat "$t/test.txt"
if [ "$HCARD_P11_VIA" = direct ]; then
	check "pkcs11-tool --test --login passes" sh -c "test $rc -eq 0 && grep -q '^No errors' '$t/test.txt'"
else
	# p11-kit 0.24's RPC sends a zero-length output buffer as a length query and the client
	# then answers CKR_BUFFER_TOO_SMALL: C_GenerateRandom(buf, 0) is the one error (the same
	# call straight to the module returns CKR_OK, see the direct run)
	check "pkcs11-tool --test --login: the one error is C_GenerateRandom(buf,0) -> CKR_BUFFER_TOO_SMALL (p11-kit RPC)" \
		sh -c "test $rc -eq 0 && test \"\$(grep -c 'ERR:' '$t/test.txt')\" -eq 1 &&
		grep -q 'C_GenerateRandom(buf1,0) failed: CKR_BUFFER_TOO_SMALL' '$t/test.txt' &&
		grep -q '^1 errors' '$t/test.txt'"
	tool --generate-random 32 -o "$t/rnd.bin" >/dev/null 2>&1
	check "C_GenerateRandom of 32 bytes through p11-kit" test "$(wc -c <"$t/rnd.bin")" -eq 32
fi

exit $fail
