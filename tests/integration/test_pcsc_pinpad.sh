#!/bin/sh
# The PC/SC transport's tests (tests/integration/test_pcsc) once more with the user card in
# the simulator's PIN-pad reader driver (with-sim --pinpad) instead of vpcd: another driver
# under the same pcscd, which fails a torn exchange with SCARD_E_NOT_TRANSACTED where vpcd
# answers nothing; both must come out as HC_ERR_CARD_REMOVED.
set -u
srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
builddir=${top_builddir:-$srcdir}
if [ -z "${HCARD_PINPAD_KEYPAD:-}" ]; then
	exec "$srcdir/tests/harness/with-sim" --pinpad -- "${SHELL:-/bin/sh}" "$0" "$@"
fi
exec "$builddir/tests/integration/test_pcsc" "$@"
