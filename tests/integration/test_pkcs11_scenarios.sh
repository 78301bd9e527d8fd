#!/bin/sh
# PyKCS11 scenarios (tests/integration/test_pkcs11_scenarios.py): data objects read and
# written through the SAM, always-authenticate, card removal, reset by another process, PIN
# counters to lock-out. On a card whose PKI keys and certificates were issued by the factory.
# With HCARD_P11_VIA=p11kit (test_pkcs11_p11kit.sh) through p11-kit-client.so instead.
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
exec "$P11_PY" "$srcdir/tests/integration/test_pkcs11_scenarios.py"
