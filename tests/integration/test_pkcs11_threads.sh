#!/bin/sh
# Concurrency of hcard-pkcs11.so (tests/integration/test_pkcs11_threads.c) on a card whose PKI
# keys the factory issued: threads signing at once, C_Finalize waking C_WaitForSlotEvent, fork.
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
exec "$builddir/tests/integration/test_pkcs11_threads"
