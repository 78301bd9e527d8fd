#!/bin/sh
# Issue 12 items 9, 12, 13 through the hcard CLI, pcscd, vpcd and hcard-sim: one store for
# every command. A card reported lost with `hcard lost report` (a store-only command) is
# refused by `hcard register` (a card command), in $HCARD_STATE_DIR and in the default
# $localstatedir/lib/hcard (a tmpfs in this test's private mount namespace); the store never
# issued the card (the patient phones in: the card number alone). A bad ID number is exit 4
# and writes nothing. Under umask 000 the state directory is 0750 and the store 0600.
set -eu
: "${top_srcdir:?}" "${top_builddir:?}"
[ -n "${HCARD_SIM_CONTROL:-}" ] || exec "$top_srcdir/tests/harness/with-sim" -- "$SHELL" "$0" "$@"

. "$top_srcdir/tests/integration/test_flow_lib.sh"
card=110101199003071233

# configure's localstatedir, as built into libhcard (src/store.mk)
prefix=$(sed -n 's/^prefix = //p' "$top_builddir/Makefile")
lsd=$(sed -n 's/^localstatedir = //p' "$top_builddir/Makefile" | sed "s|\${prefix}|$prefix|")
case $lsd in /*) ;; *) fail "localstatedir not found in $top_builddir/Makefile ($lsd)" ;; esac

step "issue the card with another store (the issuing station's)"
expect 0 env HCARD_STORE="sqlite:$T/station.db" "$hcard" issue "$data/zhangsan.json"
unset HCARD_STORE

# count_rows FILE: journal and blacklist rows of an SQLite store
count_rows() {
	"$PY" -c 'import sqlite3,sys
c = sqlite3.connect(sys.argv[1])
print(c.execute("SELECT (SELECT COUNT(*) FROM journal) + (SELECT COUNT(*) FROM blacklist)").fetchone()[0])' "$1"
}

# lost_then_refused DIR: with the store in DIR (hcard's default there), report lost by the
# card number alone, register refuses (and blocks the card); bad ID numbers write nothing;
# found again, unblock, registers
lost_then_refused() {
	[ ! -e "$1/hcard.db" ] || fail "$1/hcard.db exists before the test"
	expect 0 hcard --json lost report $card   # a store that never saw the card: number only
	jq_is '"state"' lost
	jq_is '"store"' "sqlite:$1/hcard.db"
	jq_is '"issue_serial"' ""
	[ -f "$1/hcard.db" ] || fail "no store in $1"
	expect 2 hcard --json register
	jq_is '"error"' HC_ERR_BLACKLISTED
	expect 0 hcard --json journal --card $card
	jq_is '"store"' "sqlite:$1/hcard.db"
	python3_check 'any(e["kind"] == "blacklist" for e in d["entries"])'
	python3_check 'any(e["kind"] == "refused" for e in d["entries"])'
	before=$(count_rows "$1/hcard.db")
	expect 4 hcard --json lost report 110101199003071234          # check digit should be 3
	jq_is '"error"' HC_ERR_BAD_ID_NUMBER
	expect 4 hcard --json lost report abc
	jq_is '"error"' HC_ERR_BAD_ID_NUMBER
	expect 4 hcard --json lost found 11010119900307123
	[ "$(count_rows "$1/hcard.db")" = "$before" ] || fail "a refused report wrote to the store"
	expect 2 hcard unblock                   # the card blocked on the spot: still on the list
	expect 0 hcard --json lost found $card
	expect 0 hcard unblock
	expect 0 hcard --json register
}

step "HCARD_STATE_DIR: lost report and register share \$HCARD_STATE_DIR/hcard.db (umask 000)"
umask 000
HCARD_STATE_DIR=$T/state/hcard
export HCARD_STATE_DIR
lost_then_refused "$HCARD_STATE_DIR"
[ "$(stat -c %a "$HCARD_STATE_DIR")" = 750 ] || fail "state dir mode $(stat -c %a "$HCARD_STATE_DIR")"
for f in "$HCARD_STATE_DIR"/hcard.db*; do
	[ "$(stat -c %a "$f")" = 600 ] || fail "$f mode $(stat -c %a "$f")"
done

step "default: \$localstatedir/lib/hcard ($lsd, a private tmpfs here)"
unset HCARD_STATE_DIR
[ -d "$lsd" ] || mkdir -p "$lsd"
mount -t tmpfs -o mode=0755 hcard-test-var "$lsd" || fail "cannot mount a tmpfs on $lsd"
lost_then_refused "$lsd/lib/hcard"
[ "$(stat -c %a "$lsd/lib/hcard")" = 750 ] || fail "default state dir mode"
[ "$(stat -c %a "$lsd/lib/hcard/hcard.db")" = 600 ] || fail "default store mode"
# the other store was not used
[ "$(count_rows "$T/state/hcard/hcard.db")" -gt 0 ] || fail "state store empty"

echo "ok: test_flow_store_path"
