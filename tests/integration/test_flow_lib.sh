# Helpers of the flows area's shell tests (sourced inside tests/harness/with-sim).
# Sets: T (the run's temp dir), data, hcard; the environment hcard needs for the simulator
# (demo key set as the issuer's keys, its root CA as trust anchor, SAM PIN, a private store).
data=$top_srcdir/tests/integration/test_flow_data
hcard=$top_builddir/tools/hcard
T=${HCARD_TEST_TMP:?run under tests/harness/with-sim}
PY=/usr/bin/python3

# Trust file "CAID PUBKEY" from the demo key set (the simulator's root CA).
awk '$1 == "ca.id" { id = $2 } $1 == "ca.pub" { pub = $2 } END { print id, pub }' \
	"$top_srcdir/sim/demo.keyset" > "$T/trust"
HCARD_STORE=${HCARD_STORE:-sqlite:$T/hcard.db}
HCARD_TRUST=$T/trust
HCARD_ISSUER_KEYS=$top_srcdir/sim/demo.keyset
HCARD_SAM_PIN=12345678
HCARD_OPERATOR=desk1
# hcard.conf: the trust anchor also serves libhcard itself (visit records)
HCARD_CONF=$T/hcard.conf
printf 'trust_anchor = %s\n' "$T/trust" > "$HCARD_CONF"
LANG=C
export HCARD_STORE HCARD_TRUST HCARD_ISSUER_KEYS HCARD_SAM_PIN HCARD_OPERATOR HCARD_CONF LANG

fail() {
	echo "FAIL: $*" >&2
	echo "--- stdout" >&2; cat "$T/out" >&2 2>/dev/null || true
	echo "--- stderr" >&2; cat "$T/err" >&2 2>/dev/null || true
	exit 1
}

step() { echo "== $*"; }

# expect CODE COMMAND...: runs it (hcard = the built tool), stdout in $T/out, stderr in $T/err
expect() {
	want=$1
	shift
	[ "$1" = hcard ] && { shift; set -- "$hcard" "$@"; }
	set +e
	"$@" >"$T/out" 2>"$T/err"
	got=$?
	set -e
	[ "$got" -eq "$want" ] || fail "$* exited $got, expected $want"
}

# jq_is PATH VALUE: d[PATH] (a Python subscript without the outer d[ ]) equals VALUE (as text)
jq_is() {
	v=$("$PY" -c 'import json,sys
d = json.load(open(sys.argv[2]))
print(eval("d[" + sys.argv[1] + "]"))' "$1" "$T/out") || fail "no JSON field [$1]"
	[ "$v" = "$2" ] || fail "[$1] is \"$v\", expected \"$2\""
}

# python3_check EXPR: EXPR (over d, the JSON of $T/out) is true
python3_check() {
	"$PY" -c 'import json,sys
d = json.load(open(sys.argv[2]))
sys.exit(0 if eval(sys.argv[1]) else 1)' "$1" "$T/out" || fail "not true: $1"
}

# swap_card IMAGE: pulls the card in slot 0 and inserts IMAGE, waiting until pcscd sees each
swap_card() {
	"$HCARD_SIM" ctl "$HCARD_SIM_CONTROL" remove 0 >"$T/ctl.log" 2>&1 || fail "ctl remove: $(cat "$T/ctl.log")"
	"$top_builddir/tests/harness/hc-wait-readers" --timeout 5000 "$HCARD_CARD_READER=empty" \
		>/dev/null || fail "the card was not removed"
	"$HCARD_SIM" ctl "$HCARD_SIM_CONTROL" insert 0 "$1" >"$T/ctl.log" 2>&1 || fail "ctl insert: $(cat "$T/ctl.log")"
	"$top_builddir/tests/harness/hc-wait-readers" --timeout 5000 "$HCARD_CARD_READER=present" \
		>/dev/null || fail "the card was not inserted"
}

# blank_card NAME FACTOR: a fresh factory card image $T/NAME.img
blank_card() {
	"$HCARD_SIM" factory --type user --card-factor "$2" --out "$T/$1.img" >"$T/ctl.log" 2>&1 ||
		fail "factory: $(cat "$T/ctl.log")"
}

# blocked_dfs IMAGE KIND: how many DFs the simulator's image holds blocked (KIND temporary|permanent)
blocked_dfs() {
	"$HCARD_SIM" dump "$1" | grep -c "BLOCKED ($2)" || true
}
