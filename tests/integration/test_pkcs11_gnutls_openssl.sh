#!/bin/sh
# hcard-pkcs11.so from other PKCS#11 consumers, through pcscd, vpcd and hcard-sim:
# GnuTLS p11tool (--list-tokens, --test-sign) and the OpenSSL pkcs11 engine
# (libengine-pkcs11-openssl) signing a certificate request with the card's P-256 key; the
# request's signature is checked by OpenSSL and its key must be the card certificate's.
# HCARD_P11_VIA=p11kit (test_pkcs11_p11kit.sh): the same through p11-kit-client.so. Both
# consumers sign with CKM_ECDSA (hashing themselves), which p11-kit 0.24 carries.
set -u

srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
builddir=${top_builddir:-$srcdir}
HCARD_PKCS11=${HCARD_PKCS11:-$builddir/pkcs11/.libs/hcard-pkcs11.so}
export HCARD_PKCS11
. "$srcdir/tests/integration/pkcs11_common.sh"
ENGINE=/usr/lib/x86_64-linux-gnu/engines-3/pkcs11.so

if [ -z "${HCARD_SIM_CONTROL:-}" ]; then
	p11_in_sim -- "$0" "$@"
	exit $?
fi

fail=0
t=$HCARD_TEST_TMP
check() {
	name=$1; shift
	if "$@"; then echo "ok - $P11_TAG$name"; else echo "not ok - $P11_TAG$name"; fail=1; fi
}

# --- GnuTLS -----------------------------------------------------------------------------------
p11tool --provider "$HCARD_P11_UNDER_TEST" --list-tokens >"$t/tokens.txt" 2>&1
check "p11tool sees one token labelled with the cardholder" \
	test "$(grep -c "Label: $P11_NAME" "$t/tokens.txt")" -eq 1
p11tool --provider "$HCARD_P11_UNDER_TEST" --login --set-pin="$P11_PIN" \
	--test-sign "pkcs11:id=%01;type=private" >"$t/gnutls.txt" 2>&1
rc=$?
cat "$t/gnutls.txt"
check "p11tool --test-sign with key 01" sh -c \
	"test $rc -eq 0 && grep -q 'Verifying against public key in the token... ok' '$t/gnutls.txt'"

# --- OpenSSL engine -----------------------------------------------------------------------------
cat >"$t/openssl.cnf" <<CNF
openssl_conf = openssl_init
[openssl_init]
engines = engine_section
[engine_section]
pkcs11 = pkcs11_section
[pkcs11_section]
engine_id = pkcs11
dynamic_path = $ENGINE
MODULE_PATH = $HCARD_P11_UNDER_TEST
init = 0
[req]
distinguished_name = dn
[dn]
CNF
OPENSSL_CONF="$t/openssl.cnf" openssl req -new -engine pkcs11 -keyform engine \
	-key "pkcs11:id=%01;type=private;pin-value=$P11_PIN" -subj "/CN=hcard engine test" \
	-sha256 -out "$t/csr.pem" >"$t/engine.txt" 2>&1
cat "$t/engine.txt"
check "engine signed a CSR whose signature verifies" \
	sh -c "openssl req -in '$t/csr.pem' -verify -noout 2>&1 | grep -q 'verify OK'"
pkcs11-tool --module "$HCARD_P11_UNDER_TEST" --read-object --type cert --id 01 -o "$t/c01.der" >/dev/null 2>&1
openssl x509 -inform der -in "$t/c01.der" -noout -pubkey >"$t/card.pub" 2>/dev/null
openssl req -in "$t/csr.pem" -noout -pubkey >"$t/csr.pub" 2>/dev/null
check "the CSR's key is the card's key 01" sh -c "test -s '$t/card.pub' && cmp -s '$t/card.pub' '$t/csr.pub'"
exit $fail
