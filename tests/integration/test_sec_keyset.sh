#!/bin/sh
# crypto-sam: key-set files and the factory's use of them (no card needed).
# - the committed demo key set equals the built-in one (`hcard-sim keyset --demo`)
# - `hcard-sim keyset --out` writes a fresh, private (0600), different key set
# - the factory uses a given key set; a key set lacking a key or malformed is refused
set -eu
: "${HCARD_SIM:?}" "${top_srcdir:?}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
fail() { echo "FAIL: $*"; exit 1; }

"$HCARD_SIM" keyset --demo --out "$tmp/demo" || fail "keyset --demo"
cmp -s "$tmp/demo" "$top_srcdir/sim/demo.keyset" || fail "built-in demo differs from sim/demo.keyset"

"$HCARD_SIM" keyset --out "$tmp/k1" || fail "keyset"
"$HCARD_SIM" keyset --out "$tmp/k2" || fail "keyset"
[ "$(stat -c %a "$tmp/k1")" = 600 ] || fail "key set not mode 0600"
cmp -s "$tmp/k1" "$tmp/k2" && fail "two generated key sets are equal"
for name in mk.01 mk.02 mk.03 mk.04 mk.05 mk.07 mk.08 mk.09 mk.0A mk.0B mk.0C mk.0D mk.0E \
	mk.0F mk.10 mk.11 mk.12 mk.13 mk.14 mk.15 mk.16 ca.id ca.priv ca.pub issuer.code \
	issuer.priv issuer.pub issuer.cert purse.ed.dpk purse.ed.dlk purse.ed.dtk purse.ed.prk \
	purse.ep.dpk purse.ep.dlk purse.ep.dtk purse.ep.prk; do
	grep -q "^$name [0-9A-F]*\$" "$tmp/k1" || fail "generated key set lacks $name"
done
[ "$(grep -c '^mk\.' "$tmp/k1")" = 21 ] || fail "not 21 master keys"

# the factory with a generated key set: user card and every SAM type
"$HCARD_SIM" factory --type user --keyset "$tmp/k1" --issuer-cert yes --out "$tmp/u.img" ||
	fail "factory user"
for t in 1 2 3 4 5; do
	"$HCARD_SIM" factory --type sam --sam-type $t --keyset "$tmp/k1" --out "$tmp/s$t.img" ||
		fail "factory sam $t"
done
# the issuer certificate of the key set is in EF05 tag 05
cert=$(sed -n 's/^issuer.cert //p' "$tmp/k1")
"$HCARD_SIM" dump "$tmp/u.img" | tr -d ' \n' | grep -q "$(echo "$cert" | cut -c1-64)" ||
	fail "issuer certificate not in EF05"

# refusals, each with a reason on stderr and no image written
grep -v '^mk.0A ' "$tmp/k1" > "$tmp/missing"
if "$HCARD_SIM" factory --type user --keyset "$tmp/missing" --out "$tmp/x.img" 2>"$tmp/err"; then
	fail "factory accepted a key set without mk.0A"
fi
grep -q "mk.0A" "$tmp/err" || fail "no reason given for the missing key"
[ ! -e "$tmp/x.img" ] || fail "image written despite the error"
printf 'mk.01 12345\n' > "$tmp/bad"
if "$HCARD_SIM" factory --type sam --keyset "$tmp/bad" --out "$tmp/x.img" 2>"$tmp/err"; then
	fail "factory accepted a malformed key set"
fi
grep -q "line 1" "$tmp/err" || fail "no line number for the malformed key set"
for bad in "--sam-type 6" "--sam-pin 12345" "--sam-pin 1234567a" "--sam-serial 12345678901"; do
	# shellcheck disable=SC2086
	if "$HCARD_SIM" factory --type sam $bad --out "$tmp/x.img" 2>/dev/null; then
		fail "factory accepted $bad"
	fi
done
echo "test_sec_keyset: ok"
