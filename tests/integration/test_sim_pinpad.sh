#!/bin/sh
# The PIN-pad reader driver through pcscd: runs tests/integration/test_sim_pinpad inside
# tests/harness/with-sim --pinpad (the user card in "HCARD PINPAD 00 00", simulator slot 2).
set -u
srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
builddir=${top_builddir:-$srcdir}
[ -n "${HCARD_PINPAD_KEYPAD:-}" ] ||
	exec "$srcdir/tests/harness/with-sim" --pinpad -- "${SHELL:-/bin/sh}" "$0" "$@"
exec "$builddir/tests/integration/test_sim_pinpad" "$@"
