#!/bin/sh
# tests/harness/with-sim itself: exports, exit status, cleanup of every process and of its
# temp dir, also when the command fails or is killed. Runs the harness several times.
set -u
H="$top_srcdir/tests/harness/with-sim"
T=$(mktemp -d) || exit 99
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

gone() {
	# $1 pid: not running (or a zombie nobody waits for any more)
	! kill -0 "$1" 2>/dev/null && return 0
	st=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)
	[ "$st" = Z ]
}

# 1. exports and cleanup after success
start=$(date +%s%N)
"$H" -- /bin/sh -c 'echo "$HCARD_SIM_PID $HCARD_PCSCD_PID $HCARD_TEST_TMP" >"$1/pids";
	[ "$HCARD_CARD_READER" = "HCARD SIM 00 00" ] && [ "$HCARD_SAM_READER" = "HCARD SIM 00 01" ] &&
	[ "$HCARD_CARD_SLOT" = 0 ] && [ "$HCARD_SAM_SLOT" = 1 ] && [ -z "$HCARD_PINPAD_KEYPAD" ] &&
	[ -S "$HCARD_SIM_CONTROL" ] && [ -f "$HCARD_SIM_IMAGE_CARD" ] && [ -f "$HCARD_SIM_IMAGE_SAM" ] &&
	kill -0 "$HCARD_SIM_PID" && kill -0 "$HCARD_PCSCD_PID" &&
	"$HCARD_SIM" ctl "$HCARD_SIM_CONTROL" ping' sh "$T" || fail "run 1 failed"
end=$(date +%s%N)
echo "harness run with a trivial command: $(( (end - start) / 1000000 )) ms"
read -r sim pcscd tmp <"$T/pids"
gone "$sim" || fail "hcard-sim $sim left running"
gone "$pcscd" || fail "pcscd $pcscd left running"
[ ! -e "$tmp" ] || fail "temp dir $tmp left behind"

# 2. the command's status is the harness's status; cleanup after failure
"$H" -- /bin/sh -c 'echo "$HCARD_SIM_PID $HCARD_PCSCD_PID $HCARD_TEST_TMP" >"$1/pids"; exit 7' sh "$T"
rc=$?
[ $rc -eq 7 ] || fail "status $rc, expected 7"
read -r sim pcscd tmp <"$T/pids"
gone "$sim" && gone "$pcscd" || fail "processes left after a failing command"
[ ! -e "$tmp" ] || fail "temp dir left after a failing command"

# 3. the harness stopped by SIGTERM while the command runs (as by make or a CI timeout)
"$H" -- /bin/sh -c 'echo "$HCARD_SIM_PID $HCARD_PCSCD_PID $HCARD_TEST_TMP $$" >"$1/pids.tmp";
	mv "$1/pids.tmp" "$1/pids"; exec sleep 30' sh "$T" &
hpid=$!
rm -f "$T/pids"
n=0
while [ ! -s "$T/pids" ] && [ $n -lt 200 ]; do sleep 0.05; n=$((n + 1)); done
read -r sim pcscd tmp cmd <"$T/pids" || fail "run 3 did not start"
kill -TERM "$hpid"
kill -TERM "$cmd"
wait "$hpid"
rc=$?
[ $rc -eq 143 ] || fail "status $rc after SIGTERM, expected 143"
gone "$sim" && gone "$pcscd" || fail "processes left after SIGTERM"
[ ! -e "$tmp" ] || fail "temp dir left after SIGTERM"

# 4. empty slots on request
"$H" --no-card -- /bin/sh -c '"$HCARD_SIM" ctl "$HCARD_SIM_CONTROL" status 0 | grep -qx "ok empty"' ||
	fail "--no-card"
# 5. harness errors are 99, not the command's status
"$H" --card /nonexistent.img -- true
rc=$?
[ $rc -eq 99 ] || fail "bad image: status $rc, expected 99"
"$H" --readers 2 -- true 2>/dev/null
rc=$?
[ $rc -eq 99 ] || fail "--readers 2: status $rc, expected 99"
# 6. --pinpad: the user card in the PIN-pad reader (slot 2), vpcd slot 0 empty, the SAM in 1
start=$(date +%s%N)
"$H" --pinpad -- /bin/sh -c 'echo "$HCARD_SIM_PID $HCARD_PCSCD_PID $HCARD_TEST_TMP" >"$1/pids";
	[ "$HCARD_CARD_READER" = "HCARD PINPAD 00 00" ] && [ "$HCARD_CARD_SLOT" = 2 ] &&
	[ "$HCARD_SAM_READER" = "HCARD SIM 00 01" ] && [ "$HCARD_SAM_SLOT" = 1 ] &&
	[ "$HCARD_PINPAD_KEYPAD" = "$HCARD_TEST_TMP/keypad" ] && [ ! -e "$HCARD_PINPAD_KEYPAD" ] &&
	"$HCARD_SIM" ctl "$HCARD_SIM_CONTROL" status 2 | grep -q "^ok present" &&
	"$HCARD_SIM" ctl "$HCARD_SIM_CONTROL" status 0 | grep -qx "ok empty" &&
	"$HCARD_SIM" ctl "$HCARD_SIM_CONTROL" status 1 | grep -q "^ok present"' sh "$T" ||
	fail "--pinpad run failed"
end=$(date +%s%N)
echo "harness run with --pinpad and a trivial command: $(( (end - start) / 1000000 )) ms"
read -r sim pcscd tmp <"$T/pids"
gone "$sim" && gone "$pcscd" || fail "processes left after a --pinpad run"
[ ! -e "$tmp" ] || fail "temp dir left after a --pinpad run"
"$H" --pinpad --no-card -- /bin/sh -c '"$HCARD_SIM" ctl "$HCARD_SIM_CONTROL" status 2 |
	grep -qx "ok empty"' || fail "--pinpad --no-card"
HCARD_IFD_LIB=/nonexistent.so "$H" --pinpad -- true 2>/dev/null
rc=$?
[ $rc -eq 99 ] || fail "--pinpad without the driver: status $rc, expected 99"
echo "ok"
