#!/usr/bin/python3
"""PIN-pad login through PyKCS11, hcard-pkcs11.so, pcscd and the simulator's PIN-pad reader.

Run by test_pkcs11_pinpad.sh inside tests/harness/with-sim, twice:
- `pad`: with-sim --pinpad, the card in the PIN-pad reader (sim/ifd: PC/SC part 10
  FEATURE_VERIFY_PIN_DIRECT); the test "types" on the keypad by writing $HCARD_PINPAD_KEYPAD
  (digits, `cancel`, `timeout`; the reader consumes it at each verify).
- `nopad`: plain with-sim (vpcd, no features): no protected path, a NULL PIN is refused.
Expectations come from PKCS#11 (C_Login with a NULL PIN on a CKF_PROTECTED_AUTHENTICATION_PATH
token), purse.md (3 tries, 63Cx) and OpenSSL / cryptography, never from the module.
"""
import hashlib
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import p11py  # noqa: E402
from p11py import PIN, CKM_HC_SM2_RAW, CKU_CONTEXT_SPECIFIC, check, ctl, expect_rv  # noqa: E402
import PyKCS11
from PyKCS11.LowLevel import CKF_RW_SESSION, CKF_SERIAL_SESSION
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

MODE = sys.argv[1] if len(sys.argv) > 1 else "pad"
p11py.prefix = MODE + ": "
MODULE = os.environ["HCARD_PKCS11"]
SIM = os.environ["HCARD_SIM"]
CTL = os.environ["HCARD_SIM_CONTROL"]
CARD_SLOT = os.environ.get("HCARD_CARD_SLOT", "0")
SAM_SLOT = os.environ.get("HCARD_SAM_SLOT", "1")
KEYPAD = os.environ.get("HCARD_PINPAD_KEYPAD", "")
TMP = os.environ["HCARD_TEST_TMP"]
DISTID = "1234567812345678"

def card_apdus():
    """APDUs the simulator received on the user card's slot (the pad's VERIFY included)."""
    return int(ctl("count", CARD_SLOT)[0])


def apdus():
    return card_apdus() + int(ctl("count", SAM_SLOT)[0])


def type_on_pad(text):
    """What the cardholder types, written atomically so the reader never reads half of it."""
    tmp = KEYPAD + ".tmp"
    with open(tmp, "w") as f:
        f.write(text + "\n")
    os.rename(tmp, KEYPAD)


def pad_reader_index():
    """The PIN-pad reader's number for opensc-tool, which also says it has a PIN pad."""
    out = subprocess.run(["opensc-tool", "-l"], capture_output=True, text=True).stdout
    for line in out.splitlines():
        if line.rstrip().endswith("HCARD PINPAD 00 00"):
            return line.split()[0], "PIN pad" in line
    return None, False


def card_pin_state(reader):
    """VERIFY without data from another PC/SC client: 9000 verified, 63Cx not (purse.md)."""
    r = subprocess.run(["opensc-tool", "-r", reader, "-c", "default",
                        "-s", "00 A4 04 00 09 F0 48 43 41 52 44 50 4B 49 00", "-s", "00 20 00 00"],
                       capture_output=True, text=True).stdout
    sws = [l.split("(")[1].split(")")[0] for l in r.splitlines() if l.startswith("Received")]
    return sws[-1] if sws else "?"


def flags(lib, slot):
    return lib.getTokenInfo(slot).flags


def counter_flags(f):
    return f & (PyKCS11.CKF_USER_PIN_COUNT_LOW | PyKCS11.CKF_USER_PIN_FINAL_TRY |
                PyKCS11.CKF_USER_PIN_LOCKED)


def pad_login(s, user=PyKCS11.CKU_USER):
    """C_Login with a NULL PIN (the reader's keypad)."""
    rv = s.lib.C_Login(s.session, user, PyKCS11.ckbytelist())
    if rv != PyKCS11.CKR_OK:
        raise PyKCS11.PyKCS11Error(rv)


def cert_der(s, key_id):
    c = s.findObjects([(PyKCS11.CKA_CLASS, PyKCS11.CKO_CERTIFICATE), (PyKCS11.CKA_ID, (key_id,))])[0]
    return bytes(s.getAttributeValue(c, [PyKCS11.CKA_VALUE])[0])


def pubkey_pem(der, path):
    subprocess.run(["openssl", "x509", "-inform", "der", "-noout", "-pubkey", "-out", path],
                   input=der, check=True)


def sm2_e(pub_pem_path, msg):
    """e = SM3(Z || M) with the default ID (GB/T 32918.2), computed here from the certificate."""
    spki = subprocess.run(["openssl", "pkey", "-pubin", "-in", pub_pem_path, "-outform", "der"],
                          capture_output=True, check=True).stdout
    point = spki[-65:]
    a = bytes.fromhex("FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFC")
    b = bytes.fromhex("28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93")
    gx = bytes.fromhex("32C4AE2C1F1981195F9904466A39C9948FE30BBFF2660BE1715A4589334C74C7")
    gy = bytes.fromhex("BC3736A2F4F6779C59BDCEE36B692153D0A9877CC62A474002DF32E52139F0A0")
    uid = DISTID.encode()
    z = hashlib.new("sm3", (len(uid) * 8).to_bytes(2, "big") + uid + a + b + gx + gy + point[1:]).digest()
    return hashlib.new("sm3", z + msg).digest()


def rs_der(raw):
    return encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))


def run_nopad():
    lib = PyKCS11.PyKCS11Lib()
    lib.load(MODULE)
    slots = lib.getSlotList(tokenPresent=True)
    check("one token", len(slots) == 1)
    slot = slots[0]
    check("a vpcd reader: no CKF_PROTECTED_AUTHENTICATION_PATH",
          not flags(lib, slot) & PyKCS11.CKF_PROTECTED_AUTHENTICATION_PATH)
    s = lib.openSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION)
    before = apdus()
    expect_rv("C_Login with a NULL PIN without a PIN pad", PyKCS11.CKR_ARGUMENTS_BAD, pad_login, s)
    check("the refused NULL PIN sent nothing to the card", apdus() == before)
    check("the counter is untouched", counter_flags(flags(lib, slot)) == 0)
    s.login(PIN)
    check("the PIN from the keyboard logs in",
          s.getSessionInfo().state == PyKCS11.CKS_RW_USER_FUNCTIONS)
    s.logout()
    s.closeSession()


def run_pad():
    lib = PyKCS11.PyKCS11Lib()
    before = apdus()
    lib.load(MODULE)
    slots = lib.getSlotList(tokenPresent=True)
    check("no card I/O in C_Initialize and C_GetSlotList", apdus() == before)
    check("one token, in the PIN-pad reader", len(slots) == 1 and
          lib.getSlotInfo(slots[0]).slotDescription.startswith("HCARD PINPAD"))
    slot = slots[0]
    empty = [x for x in lib.getSlotList(tokenPresent=False) if x != slot]
    check("the empty vpcd reader is a slot without token", len(empty) == 1)
    f = flags(lib, slot)
    check("token flags: CKF_PROTECTED_AUTHENTICATION_PATH", f & PyKCS11.CKF_PROTECTED_AUTHENTICATION_PATH)
    reader, opensc_pad = pad_reader_index()
    check("OpenSC also sees a PIN pad on that reader", reader is not None and opensc_pad)
    check("token flags: counter full", counter_flags(f) == 0)

    s = lib.openSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION)
    check("before login no private key",
          s.findObjects([(PyKCS11.CKA_CLASS, PyKCS11.CKO_PRIVATE_KEY)]) == [])

    # --- C_Login(CKU_USER, NULL_PTR, 0): the reader reads the PIN ---------------------------
    type_on_pad(PIN)
    c0, all0 = card_apdus(), apdus()
    pad_login(s)
    n_card, n_all = card_apdus() - c0, apdus() - all0
    print("# APDUs for a pad login: %d on the user card (%d with the SAM)" % (n_card, n_all), flush=True)
    check("logged in through the PIN pad", s.getSessionInfo().state == PyKCS11.CKS_RW_USER_FUNCTIONS)
    check("the card itself: PIN verified (9000, asked by opensc-tool)",
          card_pin_state(reader) == "SW1=0x90, SW2=0x00")
    check("the reader consumed what was typed", not os.path.exists(KEYPAD))
    check("a pad login costs at most 3 card APDUs (SELECT, status, VERIFY)", 1 <= n_card <= 3)
    keys = s.findObjects([(PyKCS11.CKA_CLASS, PyKCS11.CKO_PRIVATE_KEY)])
    check("after the pad login: two private keys", len(keys) == 2)

    # ECDSA P-256 with key 01, verified with the certificate's key by `cryptography`
    msg = b"signed after a PIN-pad login"
    key1 = s.findObjects([(PyKCS11.CKA_CLASS, PyKCS11.CKO_PRIVATE_KEY), (PyKCS11.CKA_ID, (1,))])[0]
    sig = bytes(s.sign(key1, msg, PyKCS11.Mechanism(PyKCS11.CKM_ECDSA_SHA256)))
    pub1 = x509.load_der_x509_certificate(cert_der(s, 1)).public_key()
    try:
        pub1.verify(rs_der(sig), msg, ec.ECDSA(hashes.SHA256()))
        ok = True
    except Exception as err:  # noqa: BLE001 - any failure is the check failing
        print("#   %s" % err)
        ok = False
    check("ECDSA-SHA256 signature of key 01 verifies with the certificate", len(sig) == 64 and ok)

    # --- key 02 (always authenticate): CKU_CONTEXT_SPECIFIC through the pad ------------------
    pub2 = os.path.join(TMP, "pinpad-pub02.pem")
    pubkey_pem(cert_der(s, 2), pub2)
    e = sm2_e(pub2, msg)
    key2 = s.findObjects([(PyKCS11.CKA_CLASS, PyKCS11.CKO_PRIVATE_KEY), (PyKCS11.CKA_ID, (2,))])[0]
    mech = PyKCS11.Mechanism(CKM_HC_SM2_RAW).to_native()
    out = PyKCS11.ckbytelist([0] * 64)
    check("C_SignInit key 02", s.lib.C_SignInit(s.session, mech, key2) == PyKCS11.CKR_OK)
    type_on_pad("cancel")
    rv = s.lib.C_Login(s.session, CKU_CONTEXT_SPECIFIC, PyKCS11.ckbytelist())
    check("context-specific login cancelled on the pad -> CKR_FUNCTION_CANCELED",
          rv == PyKCS11.CKR_FUNCTION_CANCELED)
    type_on_pad(PIN)
    rv = s.lib.C_Login(s.session, CKU_CONTEXT_SPECIFIC, PyKCS11.ckbytelist())
    check("context-specific login through the pad", rv == PyKCS11.CKR_OK)
    rv = s.lib.C_Sign(s.session, PyKCS11.ckbytelist(e), out)
    check("key 02 signs after it", rv == PyKCS11.CKR_OK and len(out) == 64)
    sigf, msgf = os.path.join(TMP, "pinpad-sig02.der"), os.path.join(TMP, "pinpad-msg")
    with open(sigf, "wb") as fh:
        fh.write(rs_der(bytes(out)))
    with open(msgf, "wb") as fh:
        fh.write(msg)
    r = subprocess.run(["openssl", "dgst", "-sm3", "-verify", pub2, "-sigopt", "distid:" + DISTID,
                        "-signature", sigf, msgf], capture_output=True, text=True)
    check("SM2 signature of key 02 verifies with OpenSSL (distid)", r.returncode == 0)
    try:
        s.logout()
    except PyKCS11.PyKCS11Error:
        pass

    # --- the reader's own ends: nothing reaches the card, the counter stays ------------------
    for typed, rv, what in (("cancel", PyKCS11.CKR_FUNCTION_CANCELED, "cancel key"),
                            ("timeout", PyKCS11.CKR_FUNCTION_CANCELED, "nobody typed"),
                            ("12", PyKCS11.CKR_PIN_LEN_RANGE, "2 digits typed")):
        type_on_pad(typed)
        expect_rv("pad login, %s" % what, rv, pad_login, s)
        check("after %s: not logged in, counter full" % what,
              s.getSessionInfo().state == PyKCS11.CKS_RW_PUBLIC_SESSION and
              counter_flags(flags(lib, slot)) == 0)
    check("the card itself: PIN not verified, 3 tries (63C3, asked by opensc-tool)",
          card_pin_state(reader) == "SW1=0x63, SW2=0xC3")

    # --- a wrong PIN typed: tries left in the token flags (63Cx) ------------------------------
    type_on_pad("654321")
    expect_rv("wrong PIN typed on the pad", PyKCS11.CKR_PIN_INCORRECT, pad_login, s)
    f = flags(lib, slot)
    check("after 1 wrong: COUNT_LOW, not FINAL_TRY",
          f & PyKCS11.CKF_USER_PIN_COUNT_LOW and not f & PyKCS11.CKF_USER_PIN_FINAL_TRY)
    check("the card itself: 2 tries left (63C2)", card_pin_state(reader) == "SW1=0x63, SW2=0xC2")

    # --- a PIN given explicitly still goes from the host (keyboard), as with OpenSC -----------
    t0 = time.monotonic()
    s.login(PIN)
    check("explicit PIN on a pad token logs in without the pad",
          s.getSessionInfo().state == PyKCS11.CKS_RW_USER_FUNCTIONS and time.monotonic() - t0 < 10)
    check("the right PIN resets the counter", counter_flags(flags(lib, slot)) == 0)
    s.logout()
    s.closeSession()

    # --- pkcs11-tool without --pin uses the protected path -----------------------------------
    type_on_pad(PIN)
    r = subprocess.run(["pkcs11-tool", "--module", MODULE, "--login", "--list-objects"],
                       capture_output=True, text=True, timeout=120)
    check("pkcs11-tool --login without --pin: logged in on the pad, two private keys",
          r.returncode == 0 and r.stdout.count("Private Key Object") == 2)
    if r.returncode != 0:
        print("#   " + (r.stdout + r.stderr).replace("\n", "\n#   "))
    check("pkcs11-tool's login consumed the keypad", not os.path.exists(KEYPAD))

    # --- lock-out on the pad; a blocked PIN is not asked for ---------------------------------
    s = lib.openSession(slot, CKF_SERIAL_SESSION)
    for i in (1, 2):
        type_on_pad("999999")
        expect_rv("wrong PIN %d typed" % i, PyKCS11.CKR_PIN_INCORRECT, pad_login, s)
    check("after 2 wrong: FINAL_TRY", flags(lib, slot) & PyKCS11.CKF_USER_PIN_FINAL_TRY)
    type_on_pad("999999")
    try:
        pad_login(s)
        check("wrong PIN 3 refused", False)
    except PyKCS11.PyKCS11Error as err:
        check("wrong PIN 3 refused (%s)" % err,
              err.value in (PyKCS11.CKR_PIN_INCORRECT, PyKCS11.CKR_PIN_LOCKED))
    check("token flags: PIN locked", flags(lib, slot) & PyKCS11.CKF_USER_PIN_LOCKED)
    type_on_pad(PIN)
    expect_rv("pad login on a blocked PIN", PyKCS11.CKR_PIN_LOCKED, pad_login, s)
    check("a blocked PIN is refused before the pad asks (keypad left unread)", os.path.exists(KEYPAD))
    os.unlink(KEYPAD)
    s.closeSession()


if MODE == "pad":
    if not KEYPAD:
        print("not ok - with-sim --pinpad did not export HCARD_PINPAD_KEYPAD")
        sys.exit(99)
    run_pad()
else:
    run_nopad()
sys.exit(1 if p11py.failures else 0)
