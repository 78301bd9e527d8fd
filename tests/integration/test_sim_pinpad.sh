#!/bin/sh
# The PIN-pad reader driver through pcscd: runs tests/integration/test_sim_pinpad inside
# tests/harness/with-sim --pinpad (the user card in "HCARD PINPAD 00 00", simulator slot 2),
# with pcscd's debug log on, then checks that no PIN the test typed reached that log (the
# driver logs through pcscd).
set -u
srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
builddir=${top_builddir:-$srcdir}
if [ -z "${HCARD_PINPAD_KEYPAD:-}" ]; then
	HCARD_PCSCD_DEBUG=1
	export HCARD_PCSCD_DEBUG
	exec "$srcdir/tests/harness/with-sim" --pinpad -- "${SHELL:-/bin/sh}" "$0" "$@"
fi
"$builddir/tests/integration/test_sim_pinpad" "$@"
rc=$?
log=$HCARD_TEST_TMP/pcscd.log
[ -s "$log" ] || { echo "FAIL: no pcscd debug log"; exit 1; }
grep -q "ifd-hcardsim" "$log" || { echo "FAIL: the driver's messages are not in $log"; exit 1; }
# the first field of each line is a time delta (digits): left out
cut -d' ' -f2- "$log" >"$HCARD_TEST_TMP/pcscd.msgs"
for pin in 123456 '12 34 56' 654321 '65 43 21' 12345 '12 34 5F' 123456789012 '31 32 33 34'; do
	if grep -q "$pin" "$HCARD_TEST_TMP/pcscd.msgs"; then
		echo "FAIL: PIN digits '$pin' in the pcscd log"
		exit 1
	fi
done
exit $rc
