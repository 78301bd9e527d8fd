#!/bin/sh
# The cardholder PIN never on hcard's command line, through the CLI, libhcard, pcscd, vpcd and
# hcard-sim (an issued card, reader without a PIN pad): typed at the no-echo prompt on a pty
# (the PIN not in what the terminal shows, the echo off while asked and on again afterwards,
# also after a Ctrl-C at the prompt), --pin-file (a file others may read refused), HCARD_PIN,
# the deprecated --pin / --new-pin / --sam-pin still working with a warning and their value
# wiped from /proc/PID/cmdline, pin change through files and through the prompt. The card
# itself judges every PIN: right ones open the ED, wrong ones count down its tries.
set -eu
: "${top_srcdir:?}" "${top_builddir:?}"
[ -n "${HCARD_SIM_CONTROL:-}" ] || exec "$top_srcdir/tests/harness/with-sim" -- "$SHELL" "$0" "$@"

. "$top_srcdir/tests/integration/test_flow_lib.sh"
unset HCARD_PIN HCARD_NEW_PIN 2>/dev/null || true
PIN=123456          # the profile's initial PIN
NEW=24681357
umask 077

# nopin: no PIN in what the last command printed (stdout, stderr, JSON)
nopin() {
	! grep -q "$PIN\|$NEW" "$T/out" "$T/err" || fail "a PIN was printed"
}

# pty SCRIPT: runs the Python SCRIPT with helpers to drive hcard on a fresh pseudo-terminal
# that is its controlling terminal (the test keeps the slave side open to read its termios)
pty() {
	cat >"$T/pty.py" <<'PYEOF'
import fcntl, os, select, subprocess, sys, termios, time
hcard, PIN, NEW = sys.argv[1:4]

def spawn(args, env=None):
    m, s = os.openpty()
    def ctty():
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)      # the pty becomes the controlling terminal
    p = subprocess.Popen([hcard] + args, stdin=s, stdout=s, stderr=s, start_new_session=True,
                         preexec_fn=ctty, env=dict(os.environ, **(env or {})), close_fds=True)
    return {"p": p, "m": m, "s": s, "seen": b""}

def echo_on(t):
    return bool(termios.tcgetattr(t["s"])[3] & termios.ECHO)

def pump(t, timeout):
    r, _, _ = select.select([t["m"]], [], [], timeout)
    if r:
        t["seen"] += os.read(t["m"], 4096)
    return bool(r)

def at_prompt(t, prompt):
    """waits until prompt is shown and the echo is off (the PIN may be typed then)"""
    end = time.time() + 20
    while prompt.encode() not in t["seen"] or echo_on(t):
        assert time.time() < end, ("no prompt", prompt, t["seen"])
        pump(t, 0.05)
    t["seen"] = t["seen"].replace(prompt.encode(), b"<" + prompt.encode() + b">", 1)

def finish(t):
    code = t["p"].wait(timeout=60)
    while pump(t, 0.2):
        pass
    return code, t["seen"].decode(errors="replace")

def close(t):
    os.close(t["s"])
    os.close(t["m"])
PYEOF
	cat >>"$T/pty.py"
	"$PY" "$T/pty.py" "$hcard" "$PIN" "$NEW" || fail "pty dialogue: see above"
}

step "issue 张三's card (PIN $PIN)"
expect 0 hcard --json issue "$data/zhangsan.json"

step "--pin-file: the first line of a file only its owner may read"
printf '%s\nsecond line\n' "$PIN" >"$T/pin"
printf '%s\n' "$NEW" >"$T/new"
printf '000000\n' >"$T/wrong"
: >"$T/empty"
[ "$(stat -c %a "$T/pin")" = 600 ] || fail "umask 077 did not give 0600"
expect 0 hcard --json pin verify --pin-file "$T/pin"
jq_is '"ok"' True
nopin
expect 0 hcard --json load 50.00 --ed --pin-file "$T/pin"
jq_is '"balance"' 50.00
nopin
expect 0 hcard --json balance --ed --pin-file "$T/pin"
jq_is '"balance_fen"' 5000
expect 5 hcard --json pin verify --pin-file "$T/wrong"
jq_is '"error"' HC_ERR_PIN_WRONG
jq_is '"tries_left"' 2
nopin
expect 0 hcard pin verify --pin-file "$T/pin"         # the tries are full again
# a file group or others may read is refused before anything reaches the card
cp "$T/pin" "$T/pin644"
chmod 644 "$T/pin644"
expect 3 hcard --json pin verify --pin-file "$T/pin644"
jq_is '"error"' HC_ERR_CONFIG
grep -q "accessible by other users.*chmod 600 $T/pin644" "$T/err" || fail "the refusal does not say why"
nopin
chmod 640 "$T/pin644"
expect 3 hcard charge 1.00 --ed --pin-file "$T/pin644"
expect 3 env LANG=zh_CN.UTF-8 "$hcard" pin verify --pin-file "$T/pin644"
grep -q "必须仅属主可读" "$T/err" || fail "no Chinese refusal"
expect 1 hcard pin verify --pin-file "$T/nonexistent"
grep -q "cannot read the PIN file" "$T/err" || fail "no message for a missing file"
expect 1 hcard pin verify --pin-file "$T/empty"
expect 1 hcard pin verify --pin-file "$T/pin" --pin-pad
expect 0 hcard --json balance --ed --pin-file "$T/pin"
jq_is '"balance_fen"' 5000                             # nothing was charged by the refusals

step "HCARD_PIN (tests and kiosks): the ED opens; a wrong one is the card's refusal"
expect 0 env HCARD_PIN="$PIN" "$hcard" --json charge 2.50 --ed
jq_is '"balance"' 47.50
nopin
expect 0 env HCARD_PIN="$PIN" "$hcard" --json pin verify
nopin
expect 5 env HCARD_PIN=000000 "$hcard" --json balance --ed
jq_is '"tries_left"' 2
expect 0 env HCARD_PIN="$PIN" "$hcard" pin verify
# --pin-file wins over HCARD_PIN
expect 0 env HCARD_PIN=000000 "$hcard" pin verify --pin-file "$T/pin"

step "no terminal, no file, no HCARD_PIN: pin verify says what to give"
expect 1 setsid -w "$hcard" pin verify
grep -q "no terminal to ask the PIN on: give --pin-file FILE" "$T/err" || fail "no hint"
expect 1 setsid -w "$hcard" pin change --pin-file "$T/pin"
grep -q "give --new-pin-file FILE" "$T/err" || fail "no hint for the new PIN"

step "deprecated --pin / --new-pin / --sam-pin: still work, with a warning"
expect 0 hcard --json pin verify --pin "$PIN"
grep -q "warning: --pin puts the PIN on the command line.*use --pin-file FILE" "$T/err" ||
	fail "no deprecation warning"
nopin
expect 0 hcard --lang zh balance --ed --pin "$PIN"
grep -q "警告：--pin 把密码放在命令行上" "$T/err" || fail "no Chinese warning"
expect 5 hcard pin verify --pin 000000
grep -q "warning: --pin" "$T/err" || fail "no warning on a wrong PIN"
expect 0 hcard --sam-pin "$HCARD_SAM_PIN" --json status
grep -q "warning: --sam-pin puts the PIN on the command line.*HCARD_SAM_PIN" "$T/err" ||
	fail "no --sam-pin warning"
! grep -q "$HCARD_SAM_PIN" "$T/out" "$T/err" || fail "the SAM PIN was printed"
expect 3 hcard --sam-pin 87654321 --json status     # the option is really used
jq_is '"error"' HC_ERR_SAM_PIN
expect 0 hcard pin verify --pin-file "$T/pin"
expect 0 sh -c '"$1" pin verify --pin - <"$2"' sh "$hcard" "$T/pin"
! grep -q "warning" "$T/err" || fail "--pin - (standard input) is not deprecated"

step "pin change through files, then back through --new-pin (deprecated)"
expect 0 hcard --json pin change --pin-file "$T/pin" --new-pin-file "$T/new"
jq_is '"ok"' True
nopin
expect 5 hcard pin verify --pin-file "$T/pin"
expect 0 hcard pin verify --pin-file "$T/new"
expect 0 env HCARD_PIN="$NEW" HCARD_NEW_PIN="$PIN" "$hcard" --json pin change
nopin
expect 0 hcard pin verify --pin-file "$T/pin"
expect 0 hcard pin change --pin-file "$T/pin" --new-pin "$NEW"
grep -q "warning: --new-pin puts the PIN on the command line.*--new-pin-file FILE" "$T/err" ||
	fail "no --new-pin warning"
expect 0 hcard pin verify --pin-file "$T/new"
expect 0 hcard pin change --pin-file "$T/new" --new-pin-file "$T/pin"
expect 0 hcard pin verify --pin-file "$T/pin"

step "the prompt on a terminal: no echo, the PIN not shown; pin change asks the new PIN twice"
pty <<'PYEOF'
t = spawn(["pin", "verify"])
at_prompt(t, "Cardholder PIN: ")
os.write(t["m"], PIN.encode() + b"\n")
code, seen = finish(t)
assert code == 0 and "PIN correct." in seen, (code, seen)
assert PIN not in seen, seen                      # not echoed
assert echo_on(t), "echo left off"
close(t)

t = spawn(["--json", "balance", "--ed"])          # the ED asks too (no pad on this reader)
at_prompt(t, "Cardholder PIN: ")
os.write(t["m"], PIN.encode() + b"\n")
code, seen = finish(t)
assert code == 0 and '"balance_fen": 4750' in seen and PIN not in seen, (code, seen)
close(t)

t = spawn(["pin", "verify"])                      # a wrong PIN: the card's refusal
at_prompt(t, "Cardholder PIN: ")
os.write(t["m"], b"000000\n")
code, seen = finish(t)
assert code == 5 and "2 tries left" in seen and "000000" not in seen, (code, seen)
close(t)

t = spawn(["--lang", "zh", "pin", "change"])      # old, new, new again; Chinese prompts
for prompt, answer in (("当前持卡人密码：", PIN), ("新持卡人密码：", NEW), ("再次输入新持卡人密码：", NEW)):
    at_prompt(t, prompt)
    os.write(t["m"], answer.encode() + b"\n")
code, seen = finish(t)
assert code == 0 and "密码已修改" in seen and PIN not in seen and NEW not in seen, (code, seen)
close(t)

t = spawn(["pin", "change"])                      # the two new PINs differ: nothing sent
for prompt, answer in (("Current cardholder PIN: ", NEW), ("New cardholder PIN: ", PIN),
                       ("New cardholder PIN again: ", PIN + "9")):
    at_prompt(t, prompt)
    os.write(t["m"], answer.encode() + b"\n")
code, seen = finish(t)
assert code == 4 and "differ" in seen, (code, seen)
close(t)

t = spawn(["pin", "change", "--pin-file", sys.argv[0].rsplit("/", 1)[0] + "/new"])
for prompt, answer in (("New cardholder PIN: ", PIN), ("New cardholder PIN again: ", PIN)):
    at_prompt(t, prompt)
    os.write(t["m"], answer.encode() + b"\n")
code, seen = finish(t)
assert code == 0 and "PIN changed." in seen, (code, seen)
close(t)
PYEOF
expect 0 hcard pin verify --pin-file "$T/pin"
expect 5 hcard pin verify --pin-file "$T/new"
expect 0 hcard pin verify --pin-file "$T/pin"

step "Ctrl-C at the prompt: hcard dies of SIGINT, the terminal's echo is on again"
pty <<'PYEOF'
import signal
for sig in (b"\x03", signal.SIGTERM):
    t = spawn(["pin", "verify"])
    at_prompt(t, "Cardholder PIN: ")
    assert not echo_on(t)                         # the prompt did turn it off
    os.write(t["m"], b"12")                       # half a PIN typed
    if isinstance(sig, bytes):
        os.write(t["m"], sig)                     # the terminal's interrupt key
    else:
        t["p"].send_signal(sig)
    code, seen = finish(t)
    want = -signal.SIGINT if isinstance(sig, bytes) else -sig
    assert code == want, (code, want, seen)
    assert echo_on(t), ("echo still off after", sig)
    assert termios.tcgetattr(t["s"])[3] & termios.ICANON
    close(t)
PYEOF

step "/proc/PID/cmdline and environ of hcard waiting at the prompt hold no PIN"
pty <<'PYEOF'
def proc(pid, name):
    with open("/proc/%d/%s" % (pid, name), "rb") as f:
        return f.read()

def check(args, env, prompt):
    t = spawn(args, env)
    at_prompt(t, prompt)
    cmd, environ = proc(t["p"].pid, "cmdline"), proc(t["p"].pid, "environ")
    assert b"pin\0change" in cmd, cmd              # it is hcard itself, not a wrapper
    assert PIN.encode() not in cmd, (args, env, cmd)
    # (the harness's environment may hold the digits elsewhere: look at whole values)
    values = [e.split(b"=", 1)[-1] for e in environ.split(b"\0")]
    assert PIN.encode() not in values, (args, env, [e for e in environ.split(b"\0") if PIN.encode() in e])
    os.write(t["m"], b"\x03")
    finish(t)
    close(t)

# the old PIN from a file, HCARD_PIN, and even the deprecated --pin (its argv copy wiped)
check(["pin", "change", "--pin-file", sys.argv[0].rsplit("/", 1)[0] + "/pin"], None,
      "New cardholder PIN: ")
check(["pin", "change"], {"HCARD_PIN": PIN}, "New cardholder PIN: ")
check(["pin", "change", "--pin", PIN], None, "New cardholder PIN: ")
check(["pin", "change"], None, "Current cardholder PIN: ")
PYEOF
expect 0 hcard pin verify --pin-file "$T/pin"      # nothing changed, tries full

echo "ok: test_flow_cli_pin"
