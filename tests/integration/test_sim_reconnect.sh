#!/bin/sh
# hcard-sim reconnects when vpcd goes away: the run's pcscd is stopped and another one is
# started on the same reader.conf; the same cards must come back and answer. The second
# pcscd is this test's own: stopped and reaped by PID here.
[ -n "${HCARD_SIM_CONTROL:-}" ] || exec "$top_srcdir/tests/harness/with-sim" -- /bin/sh "$0" "$@"
set -u
PCSCD=${PCSCD:-/usr/sbin/pcscd}
[ -n "$PCSCD" ] || PCSCD=/usr/sbin/pcscd
WAIT=${HC_WAIT_READERS:-$top_builddir/tests/harness/hc-wait-readers}
fail() { echo "FAIL: $*"; exit 1; }

kill -TERM "$HCARD_PCSCD_PID" || fail "cannot stop pcscd"
n=0
while kill -0 "$HCARD_PCSCD_PID" 2>/dev/null &&
	[ "$(awk '{print $3}' "/proc/$HCARD_PCSCD_PID/stat" 2>/dev/null)" != Z ] && [ $n -lt 200 ]; do
	sleep 0.02
	n=$((n + 1))
done
"$HCARD_SIM" ctl "$HCARD_SIM_CONTROL" ping >/dev/null || fail "hcard-sim died with pcscd"
"$PCSCD" -f -c "$HCARD_TEST_TMP/conf" >"$HCARD_TEST_TMP/pcscd2.log" 2>&1 &
p2=$!
trap 'kill -TERM $p2 2>/dev/null; wait $p2 2>/dev/null' EXIT
"$WAIT" --timeout 5000 "HCARD SIM 00 00=present" "HCARD SIM 00 01=present" ||
	fail "cards did not come back"
out=$(opensc-tool -r "$HCARD_CARD_READER" \
	-s "00 A4 04 0C 0C 57 53 2E 53 59 53 2E 44 44 46 30 31" -s "00 B2 57 28 00" 2>&1)
echo "$out"
echo "$out" | grep -q '^57 03 11 01 00' || fail "card does not answer after reconnection"
echo ok
