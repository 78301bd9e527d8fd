#!/bin/sh
# Issue 12 item 16 in the hcard CLI: every input read is bounded (`--conf /dev/urandom`,
# `--visit /dev/zero` used to hang: fgets on an endless file) and the process is not dumpable
# while PINs may be in its memory (prctl PR_SET_DUMPABLE 0: /proc/PID then belongs to root,
# not to the user running hcard). Needs no card: both files are read before the card is opened.
set -eu
: "${top_builddir:?}"
hcard=$top_builddir/tools/hcard
T=$(mktemp -d)
trap 'rm -rf "$T"; [ -z "${pid:-}" ] || kill "$pid" 2>/dev/null || true' EXIT
fail() { echo "FAIL: $*" >&2; cat "$T/err" >&2 2>/dev/null || true; exit 1; }

set +e
timeout 20 "$hcard" --conf /dev/urandom status >"$T/out" 2>"$T/err"
rc=$?
set -e
[ $rc -ne 124 ] || fail "--conf /dev/urandom still reading after 20 s"
[ $rc -ne 0 ] || fail "--conf /dev/urandom accepted"
grep -q "not a text configuration file of at most 65536 bytes" "$T/err" || fail "--conf: no clear error"

# a text conf over 64 KiB: refused too; one under it: read
awk 'BEGIN { for (i = 0; i < 3000; i++) printf "# comment line number %06d padding....\n", i }' >"$T/big.conf"
set +e
timeout 20 "$hcard" --conf "$T/big.conf" status >"$T/out" 2>"$T/err"
rc=$?
set -e
[ $rc -ne 0 ] && [ $rc -ne 124 ] || fail "a 126000-byte conf: rc $rc"
grep -q "at most 65536 bytes" "$T/err" || fail "big conf: no clear error"

set +e
timeout 20 "$hcard" charge 1.00 --visit /dev/zero >"$T/out" 2>"$T/err"
rc=$?
set -e
[ $rc -ne 124 ] || fail "--visit /dev/zero still reading after 20 s"
[ $rc -ne 0 ] || fail "--visit /dev/zero accepted"
grep -q "not a text file of at most 65536 bytes" "$T/err" || fail "--visit: no clear error"

# not dumpable: hcard, run as nobody, waits in the open of a FIFO given as the PIN file
if command -v setpriv >/dev/null 2>&1 && [ "$(id -u)" -eq 0 ]; then
	mkfifo -m 0666 "$T/pin"
	chmod 0755 "$T"
	setpriv --reuid=nobody --regid=nogroup --clear-groups "$hcard" pin verify --pin-file "$T/pin" \
		>/dev/null 2>&1 &
	pid=$!
	sleep 1
	owner=$(stat -c %U "/proc/$pid/environ")
	echo 0000 >"$T/pin" || true
	wait "$pid" 2>/dev/null || true
	pid=
	[ "$owner" = root ] || fail "/proc/PID/environ of hcard (run as nobody) belongs to $owner: dumpable"
else
	echo "FAIL: needs root and setpriv to check PR_SET_DUMPABLE" >&2
	exit 1
fi
echo "ok: test_purse_cli_bounds"
