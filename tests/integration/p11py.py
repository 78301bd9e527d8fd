"""Helpers of the PyKCS11 scenario scripts (test_pkcs11_scenarios.py, test_pkcs11_pinpad.py):
TAP-like checks with a failure count, expected PKCS#11 return values, the simulator's control
socket. Run with /usr/bin/python3 (python3-pykcs11) inside tests/harness/with-sim."""
import os
import subprocess

import PyKCS11

PIN = "123456"                                         # factory cardholder PIN (card-profile.md §6)
CKM_HC_SM2_RAW = PyKCS11.CKM_VENDOR_DEFINED | 0x48430001   # pki.md
CKU_CONTEXT_SPECIFIC = 2

prefix = ""          # put before every check name (e.g. "via p11-kit: ", "pad: ")
failures = 0


def check(name, cond):
    """Prints ok / not ok; counts failures; returns cond."""
    global failures
    print(("ok - " if cond else "not ok - ") + prefix + name, flush=True)
    if not cond:
        failures += 1
    return cond


def expect_rv(name, rv, fn, *args):
    """fn must raise PyKCS11Error with rv."""
    try:
        fn(*args)
    except PyKCS11.PyKCS11Error as e:
        if not check("%s -> %s" % (name, PyKCS11.CKR[rv]), e.value == rv):
            print("#   got %s" % e, flush=True)
        return
    check("%s -> %s (no error raised)" % (name, PyKCS11.CKR[rv]), False)


def ctl(*words):
    """One command on the simulator's control socket; the words after "ok"."""
    out = subprocess.run([os.environ["HCARD_SIM"], "ctl", os.environ["HCARD_SIM_CONTROL"]]
                         + list(words), capture_output=True, text=True)
    if not out.stdout.startswith("ok"):
        raise RuntimeError("control %s: %s %s" % (words, out.stdout, out.stderr))
    return out.stdout.split()[1:]
