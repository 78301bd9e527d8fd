#!/bin/sh
# PKCS#11 return values a conformance suite checks (issue 12 items 14-15, doc/pkcs11.md
# "Return values of login and random"): session objects never reach the card, wrong PINs,
# PIN counter flags, C_Login(CKU_SO), C_SeedRandom. tests/integration/test_pkcs11_conform.py
# through PyKCS11, hcard-pkcs11.so, pcscd, vpcd and hcard-sim.
set -u

srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
builddir=${top_builddir:-$srcdir}
HCARD_PKCS11=${HCARD_PKCS11:-$builddir/pkcs11/.libs/hcard-pkcs11.so}
export HCARD_PKCS11
. "$srcdir/tests/integration/pkcs11_common.sh"

if [ -z "${HCARD_SIM_CONTROL:-}" ]; then
	p11_in_sim -- "$0" "$@"
	exit $?
fi
exec "$P11_PY" "$srcdir/tests/integration/test_pkcs11_conform.py"
