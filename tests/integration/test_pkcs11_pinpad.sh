#!/bin/sh
# PIN pads through hcard-pkcs11.so (tests/integration/test_pkcs11_pinpad.py): once with the
# card in the simulator's PIN-pad reader (with-sim --pinpad: CKF_PROTECTED_AUTHENTICATION_PATH,
# C_Login with a NULL PIN typed on the keypad, cancel, timeout, wrong and short PINs, key 02's
# context-specific login, pkcs11-tool without --pin), once in a plain vpcd reader (no flag, a
# NULL PIN refused). A card whose PKI keys and certificates the factory issued.
set -u

srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
builddir=${top_builddir:-$srcdir}
HCARD_PKCS11=${HCARD_PKCS11:-$builddir/pkcs11/.libs/hcard-pkcs11.so}
export HCARD_PKCS11
. "$srcdir/tests/integration/pkcs11_common.sh"

if [ -z "${HCARD_SIM_CONTROL:-}" ]; then
	p11_in_sim --pinpad -- "$0" pad
	pad=$?
	p11_in_sim -- "$0" nopad
	nopad=$?
	[ $pad -eq 99 ] || [ $nopad -eq 99 ] && exit 99
	[ $pad -eq 0 ] && [ $nopad -eq 0 ] && exit 0
	exit 1
fi
exec "$P11_PY" "$srcdir/tests/integration/test_pkcs11_pinpad.py" "${1:-pad}"
