#!/bin/sh
# An outside ISO 7816 client (OpenSC's opensc-tool) talks to the simulator through pcscd:
# SELECT by AID, READ RECORD, the ATR. Run under tests/harness/with-sim.
[ -n "${HCARD_SIM_CONTROL:-}" ] || exec "$top_srcdir/tests/harness/with-sim" -- /bin/sh "$0" "$@"
set -eu
command -v opensc-tool >/dev/null || { echo "opensc-tool missing (Debian package opensc)"; exit 99; }
out=$HCARD_TEST_TMP/opensc.out
opensc-tool -r "$HCARD_CARD_READER" \
	-s "00 A4 04 00 0C 57 53 2E 53 59 53 2E 44 44 46 30 31 00" \
	-s "00 B2 57 28 00" \
	-s "00 A4 04 0C 06 91 56 00 01 32 01" \
	-s "00 B2 01 2C 00" >"$out" 2>&1
cat "$out"
# DDF1 FCI (card-profile.md §2): 6F 13 84 0C "WS.SYS.DDF01" A5 03 C1 01 01
grep -q '^6F 13 84 0C 57 53 2E 53 59 53 2E 44 44 46 30 31' "$out"
grep -q '^A5 03 C1 01 01' "$out"
# EF05 tag 57, factory city code 110100
grep -q '^57 03 11 01 00' "$out"
# DF01 selected without FCI, then READ RECORD needs RK1 DF01: 6982
grep -c 'SW1=0x90, SW2=0x00' "$out" | grep -qx 3
grep -q 'SW1=0x69, SW2=0x82' "$out"
atr=$(opensc-tool -r "$HCARD_CARD_READER" -a)
echo "ATR $atr"
case $atr in
3b:6c:00:00:*:48:43:01:00) ;;
*) echo "unexpected ATR $atr"; exit 1 ;;
esac
