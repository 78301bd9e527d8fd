#!/bin/sh
# hcard sam info / cert / pin change through the CLI, libhcard, pcscd, vpcd and hcard-sim, on
# a SAM the simulator's factory made with known serial, terminal number and PIN. What the CLI
# shows is compared with the factory's inputs and with raw APDUs sent by an outside client
# (opensc-tool) to the same SAM: EF0015, EF0016, DF01/EF0017 parsed here per card-profile.md
# §5, and the SAM PIN's tries counter (VERIFY without data, 63Cx).
set -eu
: "${top_srcdir:?}" "${top_builddir:?}"
SAM_SERIAL=SIMT000042
SAM_TERMINAL=0A0B0C0D0E0F
SAM_PIN=24681357
[ -n "${HCARD_SIM_CONTROL:-}" ] || exec "$top_srcdir/tests/harness/with-sim" \
	--sam-factory-args "--sam-serial $SAM_SERIAL --sam-terminal $SAM_TERMINAL --sam-pin $SAM_PIN" \
	-- "$SHELL" "$0" "$@"
command -v opensc-tool >/dev/null || { echo "opensc-tool missing (Debian package opensc)"; exit 99; }

. "$top_srcdir/tests/integration/test_flow_lib.sh"
HCARD_SAM_PIN=$SAM_PIN
export HCARD_SAM_PIN
# PIN files must be readable by their owner only (hcard refuses others, like ssh)
umask 077

# raw APDUs to the SAM reader; the data bytes of answer N (1-based, 9000 only) into FILE
raw() {
	opensc-tool -r "$HCARD_SAM_READER" "$@" >"$T/raw.txt" 2>&1 || fail "opensc-tool: $(cat "$T/raw.txt")"
}
raw_answer() {
	"$PY" - "$T/raw.txt" "$1" "$2" <<'PYEOF' || fail "no answer $1 in $(cat "$T/raw.txt")"
import re, sys
answers, cur = [], None
for line in open(sys.argv[1]):
    if line.startswith("Received"):
        cur = {"sw": re.search(r"SW1=0x(..), SW2=0x(..)", line).groups(), "data": b""}
        answers.append(cur)
    elif line.startswith("Sending"):
        cur = None
    elif cur is not None:
        cur["data"] += bytes(int(h, 16) for h in re.findall(r"\b[0-9A-F]{2}\b", line[:48]))
a = answers[int(sys.argv[2]) - 1]
assert a["sw"] == ("90", "00"), a["sw"]
open(sys.argv[3], "wb").write(a["data"])
PYEOF
}
# the SAM PIN's tries left, asked with VERIFY without data (63Cx) after a warm reset of the
# SAM (which ends a verified state, where the SAM would answer 9000)
tries_left() {
	"$HCARD_SIM" ctl "$HCARD_SIM_CONTROL" reset "$HCARD_SAM_SLOT" >"$T/ctl.log" 2>&1 ||
		fail "ctl reset: $(cat "$T/ctl.log")"
	raw -s "00 20 00 00"
	sed -n 's/^Received (SW1=0x63, SW2=0xC\(.\)).*/\1/p' "$T/raw.txt"
}

step "raw reads of the SAM: EF0015, EF0016, DF01/EF0017"
raw -s "00 B0 95 00 0E" -s "00 B0 96 00 06" -s "00 A4 00 00 02 DF 01" -s "00 B0 97 00 BE"
raw_answer 1 "$T/ef15.bin"
raw_answer 2 "$T/ef16.bin"
raw_answer 4 "$T/cert.raw"
[ "$(wc -c <"$T/cert.raw")" -eq 190 ] || fail "the raw certificate is not 190 bytes"

step "sam info: EF0015/EF0016 as the factory made them, the certificate parsed per §5"
expect 0 hcard --json sam info
"$PY" - "$T/out" "$T/ef15.bin" "$T/ef16.bin" "$T/cert.raw" "$SAM_SERIAL" "$SAM_TERMINAL" <<'PYEOF' || fail "sam info differs from the SAM"
import json, sys, time
d = json.load(open(sys.argv[1]))
ef15 = open(sys.argv[2], "rb").read()
ef16 = open(sys.argv[3], "rb").read()
c = open(sys.argv[4], "rb").read()
serial, terminal = sys.argv[5], sys.argv[6]
assert d["ok"] is True and d["command"] == "sam"
# EF0015: serial ans 10 || type || key version || RFU 2
assert d["serial"] == serial == ef15[:10].rstrip(b"\0").decode(), d["serial"]
assert d["type"] == ef15[10] == 5, d["type"]           # the factory's default type
assert d["key_version"] == ef15[11], d["key_version"]
assert d["terminal_number"] == terminal.upper() == ef16.hex().upper(), d["terminal_number"]
# certificate, card-profile.md §5: 01 | CA id 4 | serial 10 | type 1 | not-before cn 4 |
# not-after cn 4 | curve 01 | public key 64 | 00 x 37 | signature 64
cert = d["certificate"]
assert c[0] == 1 and c[24] == 1 and c[89:126] == bytes(37)
assert cert["ca_id"] == c[1:5].hex().upper(), cert["ca_id"]
assert cert["serial"] == c[5:15].rstrip(b"\0").decode() == serial, cert["serial"]
assert cert["type"] == c[15] == 5, cert["type"]
assert cert["not_before"] == c[16:20].hex(), cert["not_before"]
assert cert["not_after"] == c[20:24].hex(), cert["not_after"]
assert cert["public_key"] == c[25:89].hex().upper(), cert["public_key"]
today = time.strftime("%Y%m%d")
assert cert["not_before"] <= today <= cert["not_after"], (cert, today)
assert cert["matches_sam"] is True and cert["verified"] is True, cert
PYEOF
# the CA id is the demo key set's root CA (the trust file), written here from the key set
grep -qi "\"ca_id\": \"$(cut -d' ' -f1 "$T/trust")\"" "$T/out" || fail "the CA id is not the demo root CA"
expect 0 hcard sam info
grep -q "serial $SAM_SERIAL, type 5" "$T/out" || fail "no English SAM line"
grep -q "verified against the trust anchor" "$T/out" || fail "the verdict is not shown"
expect 0 env LANG=zh_CN.UTF-8 "$hcard" sam info
grep -q "序列号 $SAM_SERIAL" "$T/out" || fail "no Chinese output"
# a trust file of another root: shown, not verified (the SAM is still described: exit 0)
printf '0102AB04 %0128d\n' 7 >"$T/other-trust"
expect 0 env HCARD_TRUST="$T/other-trust" "$hcard" --json sam info
jq_is '"certificate"]["verified"' False
jq_is '"certificate"]["not_verified_because"' "its CA is not in the trust file"
expect 0 env HCARD_TRUST="$T/nonexistent" "$hcard" --json sam info
jq_is '"certificate"]["verified"' None
jq_is '"certificate"]["trust_unreadable"' "$T/nonexistent"
expect 1 hcard sam info extra
expect 1 hcard sam

step "sam cert: the 190 bytes of DF01/EF0017, raw to a file and hex on stdout"
expect 0 hcard sam cert --out "$T/cert.out"
cmp "$T/cert.out" "$T/cert.raw" || fail "sam cert --out differs from the raw read"
expect 0 hcard sam cert
[ "$(tr -d '\n' <"$T/out")" = "$(od -An -v -tx1 "$T/cert.raw" | tr -d ' \n' | tr a-f A-F)" ] ||
	fail "sam cert hex differs from the raw read"
expect 0 hcard --json sam cert
"$PY" -m json.tool "$T/out" >/dev/null || fail "sam cert --json is not JSON"
jq_is '"certificate"' "$(od -An -v -tx1 "$T/cert.raw" | tr -d ' \n' | tr a-f A-F)"
expect 3 hcard sam cert --out "$T/no/such/dir/cert"
expect 1 hcard sam cert --out

step "sam pin change: PINs never on the command line"
expect 1 hcard sam pin change --old-pin "$SAM_PIN" --new-pin 13572468
expect 1 hcard sam pin change --old-pin-file "$T/nonexistent"
# no controlling terminal to ask on and no files: a usage error, nothing sent
expect 1 setsid -w "$hcard" sam pin change
[ "$(tries_left)" = 3 ] || fail "the SAM's tries counter changed"

step "sam pin change: a wrong old PIN costs one try and says how many are left"
echo 11112222 >"$T/wrong"
echo 13572468 >"$T/new"
echo "$SAM_PIN" >"$T/old"
expect 3 hcard --json sam pin change --old-pin-file "$T/wrong" --new-pin-file "$T/new"
jq_is '"error"' HC_ERR_SAM_PIN
jq_is '"tries_left"' 2
grep -q "2 tries left" "$T/err" || fail "the tries are not named"
[ "$(tries_left)" = 2 ] || fail "the SAM does not count 2 tries left"
# a new PIN of a bad format is refused before the SAM: no try spent
echo 12ab >"$T/badnew"
expect 4 hcard --json sam pin change --old-pin-file "$T/wrong" --new-pin-file "$T/badnew"
jq_is '"error"' HC_ERR_PIN_FORMAT
[ "$(tries_left)" = 2 ] || fail "a malformed new PIN reached the SAM"

step "sam pin change: the right old PIN; the new PIN opens the SAM, the old no more; back"
expect 0 hcard --json sam pin change --old-pin-file "$T/old" --new-pin-file "$T/new"
"$PY" -m json.tool "$T/out" >/dev/null || fail "not JSON"
jq_is '"ok"' True
grep -q "$SAM_PIN\|13572468" "$T/out" "$T/err" && fail "a PIN was printed"
[ "$(tries_left)" = 3 ] || fail "the tries counter is not reset"
expect 0 env HCARD_SAM_PIN=13572468 "$hcard" --json status
jq_is '"sam_serial"' "$SAM_SERIAL"
expect 3 env HCARD_SAM_PIN="$SAM_PIN" "$hcard" --json status
jq_is '"error"' HC_ERR_SAM_PIN
expect 0 hcard sam pin change --old-pin-file "$T/new" --new-pin-file "$T/old"
grep -q "SAM PIN changed" "$T/out" || fail "no confirmation"
expect 0 env HCARD_SAM_PIN="$SAM_PIN" "$hcard" status

step "sam pin change on the terminal: asked without echo, the new PIN twice"
"$PY" - "$hcard" "$SAM_PIN" 13572468 <<'PYEOF' || fail "the terminal dialogue failed"
import os, pty, sys, time
hcard, old, new = sys.argv[1:4]

def run(answers):
    pid, fd = pty.fork()
    if pid == 0:
        os.execv(hcard, [hcard, "sam", "pin", "change"])
    seen = b""
    for a in answers:
        while not seen.rstrip().endswith(b":"):
            seen += os.read(fd, 1024)
        time.sleep(0.1)          # the echo is off once the prompt is out and tcsetattr done
        os.write(fd, a.encode() + b"\n")
        seen += b"|"
    while True:
        try:
            chunk = os.read(fd, 1024)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), seen.decode()

code, seen = run([old, new, new])
assert code == 0, (code, seen)
assert old not in seen and new not in seen, seen       # nothing echoed
assert "SAM PIN changed" in seen, seen
code, seen = run([new, old, old + "9"])                  # the two new PINs differ
assert code == 4 and "differ" in seen, (code, seen)
code, seen = run([new, old, old])
assert code == 0, (code, seen)
PYEOF
expect 0 env HCARD_SAM_PIN="$SAM_PIN" "$hcard" status
[ "$(tries_left)" = 3 ] || fail "tries counter not full at the end"

echo "ok: test_flow_cli_sam"
