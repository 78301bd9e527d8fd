#!/bin/sh
# Issue 12 item 1: the SQLite store on a tiny filesystem (a 1 MiB tmpfs mounted in
# with-sim's private mount namespace) filled until writes fail. Charges and loads then fail
# with the store's error before DEBIT/CREDIT is sent (never money moved without a committed
# intent), and after every attempt the card's balance equals the opening balance minus the
# charges the journal holds as taken (plus the loads it holds as completed).
# Failed before the fix: INSERT ... RETURNING stopped at its first row, so the autocommit's
# failure (SQLITE_FULL at finalize) was never seen and DEBIT went out with no intent on disk.
set -eu
: "${top_srcdir:?}" "${top_builddir:?}"
[ -n "${HCARD_SIM_CONTROL:-}" ] || exec "$top_srcdir/tests/harness/with-sim" -- "$SHELL" "$0" "$@"

. "$top_srcdir/tests/integration/test_flow_lib.sh"
card=110101199003071233

mkdir -p "$T/full"
mount -t tmpfs -o size=${FULL_SIZE:-1m},mode=0700 hcard-full "$T/full" || fail "cannot mount a tmpfs"
trap 'umount "$T/full" 2>/dev/null || true' EXIT
HCARD_STORE=sqlite:$T/full/hcard.db
export HCARD_STORE

expect 0 hcard issue "$data/zhangsan.json"
expect 0 hcard --json balance
start=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["balance_fen"])' "$T/out")
expect 0 hcard --json charge 0.01     # the store is in use

# what the journal holds as taken off the card (fen); no charge may stay open
journal_taken() {
	expect 0 hcard --json journal --card $card --limit 10000
	"$PY" -c 'import json,sys
d = json.load(open(sys.argv[1]))
n = k = 0
for e in d["entries"]:
    if e["kind"] == "charge" and e.get("charge_state") in ("completed", "completed-tac-unknown"):
        n += json.loads(e["detail"])["amount"]; k += 1
    if e["kind"] == "charge" and e.get("charge_state") == "open":
        print("open charge", e, file=sys.stderr); sys.exit(1)
print(n, k)' "$T/out" || fail "journal: an open charge"
}
# the card's EP balance (needs no store)
balance() {
	expect 0 hcard --json balance
	"$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["balance_fen"])' "$T/out"
}

set -- $(journal_taken)
taken0=$1 count0=$2
prev=$(balance)
[ "$prev" -eq $((start - taken0)) ] || fail "before: card $prev fen, journal $((start - taken0))"

step "fill the filesystem of the store, leaving ${ROOM_K:=96} KiB"
dd if=/dev/zero of="$T/full/filler" bs=1k count=100000 2>/dev/null || true
truncate -s "-${ROOM_K}K" "$T/full/filler"
df -k "$T/full" | tail -1
refused=0 ok=0 i=0
while [ $i -lt 40 ]; do
	i=$((i + 1))
	set +e
	"$hcard" --json charge 0.01 >"$T/c.out" 2>"$T/c.err"
	rc=$?
	set -e
	b=$(balance)
	if [ $rc -eq 0 ]; then
		ok=$((ok + 1))
		[ "$b" -eq $((prev - 1)) ] || fail "charge $i succeeded, balance $prev -> $b fen"
	else
		refused=$((refused + 1))
		# the store's error, and nothing taken
		grep -qi "store" "$T/c.err" && grep -qi "cannot record\|full\|disk" "$T/c.err" ||
			{ cat "$T/c.err" >&2; fail "charge $i failed without a 'store full/cannot record' error"; }
		[ "$b" -eq "$prev" ] || { cat "$T/c.err" >&2; fail "charge $i refused but the card went $prev -> $b fen"; }
	fi
	prev=$b
	# and the disk fills on: 4 KiB less room after each attempt
	dd if=/dev/zero bs=4k count=1 >>"$T/full/filler" 2>/dev/null || true
done
echo "charges accepted $ok, refused $refused"
[ $refused -ge 1 ] || fail "the full store never refused a charge"
[ $ok -ge 1 ] || fail "no charge fitted in the room left (ROOM_K too small to test the edge)"

step "a load on the full store is refused before CREDIT"
set +e
"$hcard" --json load 1.00 >"$T/l.out" 2>"$T/l.err"
rc=$?
set -e
[ $rc -ne 0 ] || fail "a load on a full store succeeded"
b=$(balance)
[ "$b" -eq "$prev" ] || fail "a refused load moved money: $prev -> $b fen"

step "room again: the journal holds exactly the charges taken; charges work"
rm -f "$T/full/filler"
expect 0 hcard --json charge 0.02   # resolves first any charge whose outcome did not fit
b=$(balance)
[ "$b" -eq $((prev - 2)) ] || fail "charge 0.02 after freeing: $prev -> $b fen"
set -- $(journal_taken)
[ "$2" -eq $((count0 + ok + 1)) ] ||
	fail "journal holds $(( $2 - count0 )) new charges taken, $((ok + 1)) were accepted"
[ "$b" -eq $((start - $1)) ] || fail "card $b fen, journal says $((start - $1)) fen"
echo "ok: test_purse_store_full"
