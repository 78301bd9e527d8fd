#!/bin/sh
# The simulator's PKI application enforces pki.md by itself: raw APDUs through pcscd + vpcd
# (opensc-tool), no hcard code on the host side. Expected status words are pki.md's,
# purse.md's and card-profile.md §7's. On a factory card with keys issued by --pki-ca.
set -u

srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$srcdir/tests/integration/pkcs11_common.sh"

if [ -z "${HCARD_SIM_CONTROL:-}" ]; then
	p11_in_sim -- "$0" "$@"
	exit $?
fi

fail=0
SEL="00 A4 04 00 09 F0 48 43 41 52 44 50 4B 49 00"
E32="00112233445566778899AABBCCDDEEFF00112233445566778899AABBCCDDEEFF"
VERIFY="00 20 00 00 06 12 34 56 FF FF FF"
WRONG="00 20 00 00 06 65 43 21 FF FF FF"
MSE1="00 22 41 B6 06 84 01 01 80 01 01"
MSE2="00 22 41 B6 06 84 01 02 80 01 02"
PSO="00 2A 9E 9A 20 $E32 40"

# expect NAME "SW SW ..." APDU...: one card connection, the status words in order
expect() {
	name=$1; want=$2; shift 2
	args=""
	for a in "$@"; do args="$args -s '$a'"; done
	got=$(eval opensc-tool -r 0 -c default $args 2>&1 |
		sed -n 's/^Received (SW1=0x\(..\), SW2=0x\(..\)).*/\1\2/p' | tr 'a-f' 'A-F' | tr '\n' ' ')
	if [ "$got" = "$want " ]; then
		echo "ok - $name"
	else
		echo "not ok - $name: want '$want', got '$got'"
		fail=1
	fi
}

expect "select, read public keys, unknown key 6A88" "9000 9000 9000 6A88" "$SEL" \
	"00 47 81 00 05 AC 03 84 01 01 00" "00 47 81 00 05 AC 03 84 01 02 00" \
	"00 47 81 00 05 AC 03 84 01 03 00"
expect "PKI commands outside the application: 6D00" "9000 6D00 6D00" \
	"00 A4 00 0C 02 3F 00" "$MSE1" "00 47 81 00 05 AC 03 84 01 01 00"
expect "generation without the issuer's right: 6982" "9000 6982" "$SEL" \
	"00 47 80 00 08 AC 06 80 01 01 84 01 01 00"
expect "certificate write without the right: 6982" "9000 9000 6982" "$SEL" \
	"00 A4 02 0C 02 C0 01" "00 D6 00 00 02 30 00"
expect "PSO without MSE: 6985; MSE alg mismatch 6A80; bad P1-P2 6A86; bad Lc 6700" \
	"9000 6985 6A80 6A86 6700" "$SEL" "$PSO" "00 22 41 B6 06 84 01 01 80 01 02" \
	"00 22 41 A4 06 84 01 01 80 01 01" "00 2A 9E 9A 1F ${E32#??} 40"
expect "key 01 without the PIN: 6982" "9000 9000 6982" "$SEL" "$MSE1" "$PSO"
expect "key 01 after VERIFY, twice (PIN for the card session)" "9000 9000 9000 9000 9000" \
	"$SEL" "$VERIFY" "$MSE1" "$PSO" "$PSO"
expect "key 02: one signature per VERIFY, then the PIN is cleared" \
	"9000 9000 9000 9000 6982 63C3 9000 6982" \
	"$SEL" "$VERIFY" "$MSE2" "$PSO" "$PSO" "00 20 00 00" "$MSE1" "$PSO"
expect "VERIFY state survives SELECT of the debit application" "9000 9000 9000 9000 9000 9000" \
	"$SEL" "$VERIFY" "00 A4 04 00 07 A0 00 00 03 33 01 01 00" "$SEL" "$MSE1" "$PSO"
expect "PIN blocked after 3 wrong: 63C2 63C1 63C0, then PSO and VERIFY 6983" \
	"9000 63C2 63C1 63C0 9000 6983 6983" \
	"$SEL" "$WRONG" "$WRONG" "$WRONG" "$MSE1" "$PSO" "$VERIFY"
exit $fail
