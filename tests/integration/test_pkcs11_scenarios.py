#!/usr/bin/python3
"""PKCS#11 scenarios through PyKCS11, hcard-pkcs11.so, pcscd, vpcd and hcard-sim.

Run by test_pkcs11_scenarios.sh inside tests/harness/with-sim. Every expectation comes from
the spec (card-profile.md, pki.md, purse.md) or from OpenSSL, never from the module.

HCARD_P11_VIA=p11kit (test_pkcs11_p11kit.sh): the same scenarios through p11-kit-client.so and
`p11-kit server --provider hcard-pkcs11.so`. What p11-kit 0.24 cannot carry is asserted as the
transport's documented answer and the goal reached another way where one exists:
- the server's token filter fixes a connection's slots at C_Initialize (those with a token
  then) and answers C_WaitForSlotEvent with CKR_FUNCTION_NOT_SUPPORTED: card removal and
  insertion are seen by polling C_GetSlotList(CK_TRUE, NULL, &n) (the server asks the
  module's C_GetSlotInfo), and new connections are checked too;
- an empty list cannot be fetched with a buffer: the RPC sends a zero-length buffer as a
  length query and the client answers CKR_BUFFER_TOO_SMALL;
- mechanisms the RPC does not know (CKM_HC_SM2_*) are not listed and C_SignInit with them is
  CKR_MECHANISM_INVALID in the client: key 02 (SM2, always-authenticate) cannot sign.
If a later p11-kit lists the mechanism or forwards slot events, the direct checks run instead.
"""
import os
import ctypes
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import p11py  # noqa: E402
from p11py import PIN, CKM_HC_SM2_RAW, CKU_CONTEXT_SPECIFIC, check, ctl, expect_rv  # noqa: E402
import PyKCS11
from PyKCS11 import LowLevel
from PyKCS11.LowLevel import CKF_RW_SESSION, CKF_SERIAL_SESSION

MODULE = os.environ["HCARD_P11_UNDER_TEST"]
VIA_P11KIT = os.environ.get("HCARD_P11_VIA", "direct") == "p11kit"
TAG = "via p11-kit: " if VIA_P11KIT else ""
p11py.prefix = TAG
SIM = os.environ["HCARD_SIM"]
CTL = os.environ["HCARD_SIM_CONTROL"]

def apdus():
    """APDUs the simulator received on both slots (user card, SAM)."""
    return int(ctl("count", "0")[0]) + int(ctl("count", "1")[0])


def tlv_records(data):
    """card-profile.md §2: a variable file is `tag len value` records."""
    out, i = [], 0
    while i + 2 <= len(data):
        tag, n = data[i], data[i + 1]
        out.append((tag, n, bytes(data[i + 2:i + 2 + n])))
        i += 2 + n
    return out, i


def data_object(s, label):
    found = s.findObjects([(PyKCS11.CKA_CLASS, PyKCS11.CKO_DATA), (PyKCS11.CKA_LABEL, label)])
    return found[0] if found else None


def handle(n):
    h = LowLevel.CK_OBJECT_HANDLE()
    h.assign(n)
    return h


def value(s, obj):
    return bytes(s.getAttributeValue(obj, [PyKCS11.CKA_VALUE])[0])


def no_event(lib):
    try:
        lib.waitForSlotEvent(PyKCS11.CKF_DONT_BLOCK)
    except PyKCS11.PyKCS11Error as err:
        return err.value == PyKCS11.CKR_NO_EVENT
    return False


def wait_token(lib, slot, present):
    """Slot events (blocking) until the token is there (or gone); bounded."""
    for _ in range(10):
        if (slot in lib.getSlotList(tokenPresent=True)) == present:
            return True
        lib.waitForSlotEvent()
    return False


def token_flags(lib, slot):
    return lib.getTokenInfo(slot).flags


def mechanisms(lib, slot):
    return [PyKCS11.CKM[name] for name in lib.getMechanismList(slot)]


def tokens_elsewhere(all_slots=False):
    """Slots a new connection lists now (another process: pkcs11-tool). Through p11-kit each
    connection lists the tokens present at its C_Initialize (the server's token filter)."""
    r = subprocess.run(["pkcs11-tool", "--module", MODULE,
                        "--list-slots" if all_slots else "--list-token-slots"],
                       capture_output=True, text=True)
    if "No slots." in r.stderr:
        return 0
    if r.returncode != 0:
        print("# pkcs11-tool: %s %s" % (r.stdout.strip(), r.stderr.strip()), flush=True)
        return None
    return sum(1 for l in r.stdout.splitlines() if l.startswith("Slot "))


class SlotCounter:
    """A second connection of this process, made with ctypes: p11-kit-client.so gives every
    C_GetFunctionList caller its own state, so PyKCS11's function list cannot be reached, and
    PyKCS11 fetches an empty list with a 0-length buffer (CKR_BUFFER_TOO_SMALL through p11-kit).
    count() is C_GetSlotList(token_present, NULL, &n): the token-present count asks the
    server's C_GetSlotInfo, i.e. the module, now."""

    def __init__(self):
        so = ctypes.CDLL(MODULE)
        self.fl = ctypes.c_void_p()
        if so.C_GetFunctionList(ctypes.byref(self.fl)) != 0:
            raise RuntimeError("C_GetFunctionList")
        # CK_FUNCTION_LIST: CK_VERSION, then C_Initialize, C_Finalize, C_GetInfo,
        # C_GetFunctionList, C_GetSlotList, ...
        init = ctypes.CFUNCTYPE(ctypes.c_ulong, ctypes.c_void_p)(self._fn(0))
        if init(None) != 0:
            raise RuntimeError("C_Initialize")
        self.get_slot_list = ctypes.CFUNCTYPE(ctypes.c_ulong, ctypes.c_ubyte, ctypes.c_void_p,
                                              ctypes.POINTER(ctypes.c_ulong))(self._fn(4))

    def _fn(self, i):
        return ctypes.c_void_p.from_address(self.fl.value + 8 + i * ctypes.sizeof(ctypes.c_void_p)).value

    def count(self, token_present=True):
        n = ctypes.c_ulong(99)
        rv = self.get_slot_list(1 if token_present else 0, None, ctypes.byref(n))
        return (rv, n.value)


def poll_count(n):
    """p11-kit: C_GetSlotList(CK_TRUE) counts until n (instead of slot events); bounded (10 s)."""
    for _ in range(100):
        if counter.count() == (PyKCS11.CKR_OK, n):
            return True
        time.sleep(0.1)
    return False


def wait_sam_atr():
    """Until PC/SC shows the SAM's ATR (3B 6C 00 00 ‖ 8 bytes ‖ 48 43 53 01) in reader 0."""
    for _ in range(50):
        r = subprocess.run(["opensc-tool", "-r", "0", "--atr"], capture_output=True, text=True)
        atr = r.stdout.strip().lower().replace(":", "").replace(" ", "")
        if r.returncode == 0 and atr.endswith("48435301"):
            return True
        time.sleep(0.1)
    return False



lib = PyKCS11.PyKCS11Lib()
before = apdus()
lib.load(MODULE)                      # C_GetFunctionList + C_Initialize
after_init = apdus()
slots = lib.getSlotList(tokenPresent=True)
if not VIA_P11KIT:
    check("no card I/O in C_Initialize and C_GetSlotList", apdus() == before)
else:
    # p11-kit server's token filter calls C_GetTokenInfo on every slot in C_Initialize
    check("C_Initialize reads the token (p11-kit server's filter calls C_GetTokenInfo)",
          after_init > before)
    check("no card I/O in C_GetSlotList", apdus() == after_init)
    counter = SlotCounter()
    check("a second connection (ctypes) counts one token", counter.count() == (PyKCS11.CKR_OK, 1))
check("one token (the SAM reader is no token)", len(slots) == 1)
slot = slots[0]

# --- data objects --------------------------------------------------------------------------
s = lib.openSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION)
pub = s.findObjects([(PyKCS11.CKA_CLASS, PyKCS11.CKO_DATA)])
labels = [s.getAttributeValue(o, [PyKCS11.CKA_LABEL])[0] for o in pub]
check("before login only the issuer data is visible", labels == ["DDF1/EF05 issuer data"])
ef05 = value(s, pub[0])
recs, used = tlv_records(ef05)
# card-profile.md §3: EF05 tags and lengths, tag 57 = the factory's city code 110100
check("EF05 raw value has the issuer tags of §3",
      [(t, n) for t, n, _ in recs] == [(0x01, 1), (0x02, 4), (0x03, 30), (0x04, 11), (0x05, 180),
                                        (0x06, 4), (0x08, 18), (0x09, 3), (0x10, 10), (0x57, 3)])
check("EF05 city code is the factory's", recs[-1][2] == bytes.fromhex("110100"))
app = s.getAttributeValue(pub[0], [PyKCS11.CKA_APPLICATION, PyKCS11.CKA_PRIVATE])
check("CKA_APPLICATION hcard, public", app[0] == "hcard" and app[1] is False)
expect_rv("read a private file before login", PyKCS11.CKR_OBJECT_HANDLE_INVALID,
          lambda: s.getAttributeValue(handle(pub[0].value() + 1), [PyKCS11.CKA_VALUE]))

s.login(PIN)
allobj = s.findObjects([(PyKCS11.CKA_CLASS, PyKCS11.CKO_DATA)])
check("after login 22 data objects (card-profile.md §2 files)", len(allobj) == 22)
ef06 = data_object(s, "DDF1/EF06 cardholder")
recs, used = tlv_records(value(s, ef06))
check("DDF1/EF06 read through the SAM: tags 11-15 of §3",
      [(t, n) for t, n, _ in recs] == [(0x11, 30), (0x12, 1), (0x13, 1), (0x14, 4), (0x15, 18)])

# write DF01/EF07 (social: 34 cn 1, 35 cn 1, 36 ans 3) and read it back from the card
ef = [o for o in allobj if s.getAttributeValue(o, [PyKCS11.CKA_LABEL])[0].startswith("DF01/EF07 ")][0]
mod = s.getAttributeValue(ef, [PyKCS11.CKA_MODIFIABLE])[0]
check("DF01/EF07 modifiable with a type-5 SAM", mod is True)
new = bytes.fromhex("3401 20" "3501 10" "3603") + b"X01"
s.setAttributeValue(ef, [(PyKCS11.CKA_VALUE, new)])
s2 = lib.openSession(slot, CKF_SERIAL_SESSION)
check("DF01/EF07 written and read back from the card", value(s2, ef) == new)
expect_rv("write in a read-only session", PyKCS11.CKR_SESSION_READ_ONLY,
          lambda: s2.setAttributeValue(ef, [(PyKCS11.CKA_VALUE, new)]))
expect_rv("element of the wrong length", PyKCS11.CKR_ATTRIBUTE_VALUE_INVALID,
          lambda: s.setAttributeValue(ef, [(PyKCS11.CKA_VALUE, bytes.fromhex("340212"))]))
check("refused write changed nothing", value(s2, ef) == new)
s2.closeSession()

# append an allergy (DF02/EF07 cyclic 3 x 120: allergen ans 20 || reaction ans 100)
entry = b"penicillin".ljust(20, b"\0") + b"rash".ljust(100, b"\0")
# CKA_TOKEN TRUE: the append is permanent (a session object is refused, test_pkcs11_conform.py)
h = s.createObject([(PyKCS11.CKA_CLASS, PyKCS11.CKO_DATA), (PyKCS11.CKA_TOKEN, PyKCS11.CK_TRUE),
                    (PyKCS11.CKA_LABEL, "DF02/EF07 allergies"), (PyKCS11.CKA_VALUE, entry)])
allergies = value(s, h)
check("allergy appended: record 1 is the new entry", allergies[:120] == entry and len(allergies) == 360)
expect_rv("allergy entry of the wrong size", PyKCS11.CKR_ATTRIBUTE_VALUE_INVALID,
          lambda: s.createObject([(PyKCS11.CKA_CLASS, PyKCS11.CKO_DATA),
                                  (PyKCS11.CKA_TOKEN, PyKCS11.CK_TRUE),
                                  (PyKCS11.CKA_LABEL, "DF02/EF07 allergies"),
                                  (PyKCS11.CKA_VALUE, entry[:100])]))

# issuer data before activation (UK1 DDF1, type-5 SAM): the issue serial, tag 10 ans 10
ef05_obj = data_object(s, "DDF1/EF05 issuer data")
recs, _ = tlv_records(value(s, ef05_obj))
new05 = b"".join(bytes([t, n]) + (b"ISS0000042" if t == 0x10 else v) for t, n, v in recs)
s.setAttributeValue(ef05_obj, [(PyKCS11.CKA_VALUE, new05)])
check("DDF1/EF05 issue serial written", value(s, ef05_obj) == new05)
locked = b"".join(bytes([t, n]) + (bytes.fromhex("999999") if t == 0x57 else v) for t, n, v in tlv_records(new05)[0])
try:
    s.setAttributeValue(ef05_obj, [(PyKCS11.CKA_VALUE, locked)])
    check("the factory's city code (tag 57) cannot be changed", False)
except PyKCS11.PyKCS11Error as err:
    check("the factory's city code (tag 57) cannot be changed (%s)" % err, value(s, ef05_obj) == new05)

# --- always-authenticate key 02 -------------------------------------------------------------
key2 = s.findObjects([(PyKCS11.CKA_CLASS, PyKCS11.CKO_PRIVATE_KEY), (PyKCS11.CKA_ID, (2,))])[0]
check("key 02 has CKA_ALWAYS_AUTHENTICATE", s.getAttributeValue(key2, [PyKCS11.CKA_ALWAYS_AUTHENTICATE])[0] is True)
e = PyKCS11.ckbytelist(bytes(range(32)))
mech = PyKCS11.Mechanism(CKM_HC_SM2_RAW).to_native()
if not VIA_P11KIT or CKM_HC_SM2_RAW in mechanisms(lib, slot):
    sig = PyKCS11.ckbytelist([0] * 64)
    rv = s.lib.C_SignInit(s.session, mech, key2)
    check("SignInit with key 02", rv == PyKCS11.CKR_OK)
    rv = s.lib.C_Sign(s.session, e, sig)
    check("sign with key 02 without a context login -> CKR_USER_NOT_LOGGED_IN", rv == PyKCS11.CKR_USER_NOT_LOGGED_IN)
    for round_ in (1, 2):
        sig = PyKCS11.ckbytelist([0] * 64)
        ok = s.lib.C_SignInit(s.session, mech, key2) == PyKCS11.CKR_OK
        ok = ok and s.lib.C_Login(s.session, CKU_CONTEXT_SPECIFIC, PyKCS11.ckbytelist(PIN)) == PyKCS11.CKR_OK
        ok = ok and s.lib.C_Sign(s.session, e, sig) == PyKCS11.CKR_OK and len(sig) == 64
        check("key 02 signs after a context-specific login (round %d)" % round_, ok)

    # key 01 after a key-02 signature: the card cleared the PIN (pki.md): login needed again
    key1 = s.findObjects([(PyKCS11.CKA_CLASS, PyKCS11.CKO_PRIVATE_KEY), (PyKCS11.CKA_ID, (1,))])[0]
    expect_rv("key 01 after a key-02 signature", PyKCS11.CKR_USER_NOT_LOGGED_IN,
              lambda: s.sign(key1, bytes(32), PyKCS11.Mechanism(PyKCS11.CKM_ECDSA)))
    s.login(PIN)
    check("key 01 signs after a new login",
          len(s.sign(key1, bytes(32), PyKCS11.Mechanism(PyKCS11.CKM_ECDSA))) == 64)
else:
    # p11-kit 0.24 does not list CKM_HC_SM2_RAW and its client refuses to serialise it: key 02
    # (SM2, the only always-authenticate key) cannot sign through it at all
    rv = s.lib.C_SignInit(s.session, mech, key2)
    check("CKM_HC_SM2_RAW not offered by p11-kit 0.24 client: C_SignInit -> CKR_MECHANISM_INVALID",
          rv == PyKCS11.CKR_MECHANISM_INVALID)
    rv = s.lib.C_SignInit(s.session, PyKCS11.Mechanism(PyKCS11.CKM_ECDSA).to_native(), key2)
    check("key 02 with CKM_ECDSA (the one mechanism carried) -> CKR_KEY_TYPE_INCONSISTENT",
          rv == PyKCS11.CKR_KEY_TYPE_INCONSISTENT)
    rv = s.lib.C_Login(s.session, CKU_CONTEXT_SPECIFIC, PyKCS11.ckbytelist(PIN))
    check("CKU_CONTEXT_SPECIFIC reaches the module: no operation -> CKR_OPERATION_NOT_INITIALIZED",
          rv == PyKCS11.CKR_OPERATION_NOT_INITIALIZED)
    key1 = s.findObjects([(PyKCS11.CKA_CLASS, PyKCS11.CKO_PRIVATE_KEY), (PyKCS11.CKA_ID, (1,))])[0]
    check("key 01 signs (CKM_ECDSA)",
          len(s.sign(key1, bytes(32), PyKCS11.Mechanism(PyKCS11.CKM_ECDSA))) == 64)

# --- removal during a session -----------------------------------------------------------------
if not VIA_P11KIT:
    check("no slot event pending (CKF_DONT_BLOCK)", no_event(lib))
    ctl("remove", "0")
    check("C_WaitForSlotEvent (blocking) reports the removal", lib.waitForSlotEvent() == slot)
    expect_rv("call on a session whose card was pulled", PyKCS11.CKR_SESSION_HANDLE_INVALID,
              lambda: s.findObjects([]))
    check("no token while the card is out", lib.getSlotList(tokenPresent=True) == [])
    ctl("insert", "0", os.environ["HCARD_SIM_IMAGE_CARD"])
    check("C_WaitForSlotEvent (blocking) reports the insertion", lib.waitForSlotEvent() == slot)
else:
    expect_rv("C_WaitForSlotEvent(CKF_DONT_BLOCK) not carried by p11-kit 0.24",
              PyKCS11.CKR_FUNCTION_NOT_SUPPORTED, lib.waitForSlotEvent, PyKCS11.CKF_DONT_BLOCK)
    ctl("remove", "0")
    expect_rv("C_WaitForSlotEvent (blocking) not carried by p11-kit 0.24",
              PyKCS11.CKR_FUNCTION_NOT_SUPPORTED, lib.waitForSlotEvent)
    check("the removal seen by polling C_GetSlotList(CK_TRUE)", poll_count(0))
    check("C_GetSlotInfo: no CKF_TOKEN_PRESENT while the card is out",
          not lib.getSlotInfo(slot).flags & PyKCS11.CKF_TOKEN_PRESENT)
    expect_rv("call on a session whose card was pulled", PyKCS11.CKR_SESSION_HANDLE_INVALID,
              lambda: s.findObjects([]))
    expect_rv("C_GetTokenInfo while the card is out", PyKCS11.CKR_TOKEN_NOT_PRESENT,
              lib.getTokenInfo, slot)
    expect_rv("the empty token list fetched with a 0-length buffer (p11-kit 0.24 RPC)",
              PyKCS11.CKR_BUFFER_TOO_SMALL, lib.getSlotList, True)
    check("the slot stays listed without CKF_TOKEN_PRESENT (fixed at C_Initialize)",
          lib.getSlotList(tokenPresent=False) == [slot])
    check("a new connection lists no token", tokens_elsewhere() == 0)
    ctl("insert", "0", os.environ["HCARD_SIM_IMAGE_CARD"])
    check("the insertion seen by polling C_GetSlotList(CK_TRUE)", poll_count(1))
    check("a new connection lists the token", tokens_elsewhere() == 1)
s = lib.openSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION)
keys = s.findObjects([(PyKCS11.CKA_CLASS, PyKCS11.CKO_PRIVATE_KEY)])
check("card back: a new session, not logged in (no private key visible)", keys == [])
check("token serial = the issue serial written above", lib.getTokenInfo(slot).serialNumber.strip() == "ISS0000042")

# --- another application resets the card: login state dropped, session kept -----------------
s.login(PIN)
key1 = s.findObjects([(PyKCS11.CKA_CLASS, PyKCS11.CKO_PRIVATE_KEY), (PyKCS11.CKA_ID, (1,))])[0]
check("signs before the reset", len(s.sign(key1, bytes(32), PyKCS11.Mechanism(PyKCS11.CKM_ECDSA))) == 64)
r = subprocess.run(["opensc-tool", "--reader", "0", "--reset", "warm"], capture_output=True, text=True)
check("another process reset the card (opensc-tool)", r.returncode == 0)
expect_rv("sign after the reset", PyKCS11.CKR_USER_NOT_LOGGED_IN,
          lambda: s.sign(key1, bytes(32), PyKCS11.Mechanism(PyKCS11.CKM_ECDSA)))
check("the session survived, logged out", s.getSessionInfo().state == PyKCS11.CKS_RW_PUBLIC_SESSION)
s.login(PIN)
check("login again after the reset and sign with the same key handle",
      len(s.sign(key1, bytes(32), PyKCS11.Mechanism(PyKCS11.CKM_ECDSA))) == 64)

def card_pin_state():
    """VERIFY without data from another PC/SC client: 9000 verified, 63Cx not (purse.md)."""
    r = subprocess.run(["opensc-tool", "-r", "0", "-c", "default",
                        "-s", "00 A4 04 00 09 F0 48 43 41 52 44 50 4B 49 00", "-s", "00 20 00 00"],
                       capture_output=True, text=True).stdout
    sws = [l.split("(")[1].split(")")[0] for l in r.splitlines() if l.startswith("Received")]
    return sws[-1] if sws else "?"


check("logged in: the card's PIN is verified", card_pin_state() == "SW1=0x90, SW2=0x00")
s.logout()
check("C_Logout clears the card's PIN state (reset)", card_pin_state() == "SW1=0x63, SW2=0xC3")

# --- the card pulled in the middle of a signature (simulator tear before the 2nd APDU) ---------
s.login(PIN)
key1 = s.findObjects([(PyKCS11.CKA_CLASS, PyKCS11.CKO_PRIVATE_KEY), (PyKCS11.CKA_ID, (1,))])[0]
ctl("tear", "0", "2", "before")
expect_rv("signature interrupted by the card pulled", PyKCS11.CKR_DEVICE_REMOVED,
          lambda: s.sign(key1, bytes(32), PyKCS11.Mechanism(PyKCS11.CKM_ECDSA)))
expect_rv("the session went with the card", PyKCS11.CKR_SESSION_HANDLE_INVALID, s.getSessionInfo)
if not VIA_P11KIT:
    ctl("insert", "0", os.environ["HCARD_SIM_IMAGE_CARD"])
    check("the card is back (slot events)", wait_token(lib, slot, True))
else:
    check("the torn card is gone (polled C_GetSlotList(CK_TRUE))", poll_count(0))
    ctl("insert", "0", os.environ["HCARD_SIM_IMAGE_CARD"])
    check("the card is back (polled C_GetSlotList(CK_TRUE))", poll_count(1))
s = lib.openSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION)

# --- PIN counters to lock-out (purse.md: 3 tries) -------------------------------------------------
expect_rv("wrong PIN 1", PyKCS11.CKR_PIN_INCORRECT, s.login, "654321")
f = token_flags(lib, slot)
check("after 1 wrong: COUNT_LOW, not FINAL_TRY",
      f & PyKCS11.CKF_USER_PIN_COUNT_LOW and not f & PyKCS11.CKF_USER_PIN_FINAL_TRY)
expect_rv("wrong PIN 2", PyKCS11.CKR_PIN_INCORRECT, s.login, "654321")
check("after 2 wrong: FINAL_TRY", token_flags(lib, slot) & PyKCS11.CKF_USER_PIN_FINAL_TRY)
try:
    s.login("654321")
    check("wrong PIN 3 refused", False)
except PyKCS11.PyKCS11Error as err:
    check("wrong PIN 3 refused (%s)" % err, err.value in (PyKCS11.CKR_PIN_INCORRECT, PyKCS11.CKR_PIN_LOCKED))
check("token flags: PIN locked", token_flags(lib, slot) & PyKCS11.CKF_USER_PIN_LOCKED)
expect_rv("right PIN on a locked card", PyKCS11.CKR_PIN_LOCKED, s.login, PIN)
expect_rv("PIN too short", PyKCS11.CKR_PIN_LEN_RANGE, s.login, "12")

s.closeSession()

# --- a SAM put in the user-card reader is configuration, not a token (ATR 48 43 53 ..) ---------
import shutil
sam_copy = os.path.join(os.environ["HCARD_TEST_TMP"], "sam-in-slot0.img")
shutil.copyfile(os.environ["HCARD_SIM_IMAGE_SAM"], sam_copy)
ctl("remove", "0")
if not VIA_P11KIT:
    lib.waitForSlotEvent()
    ctl("insert", "0", sam_copy)
    lib.waitForSlotEvent()
    check("a SAM in reader 0 is no token", lib.getSlotList(tokenPresent=True) == [])
    check("reader 0 stays a slot", slot in lib.getSlotList(tokenPresent=False))
    check("no spurious slot events while the SAM sits there", no_event(lib) and no_event(lib))
else:
    check("the card is out (polled C_GetSlotList(CK_TRUE))", poll_count(0))
    ctl("insert", "0", sam_copy)
    check("reader 0 holds the SAM (its ATR, read by opensc-tool)", wait_sam_atr())
    check("a SAM in reader 0 is no token", counter.count() == (PyKCS11.CKR_OK, 0))
    check("reader 0 stays a slot (this connection's, fixed at C_Initialize)",
          lib.getSlotList(tokenPresent=False) == [slot])
    check("a new connection lists no token", tokens_elsewhere() == 0)
    # p11-kit server exports tokens, not readers: a reader without a token is not listed
    check("p11-kit lists no slot without a token to a new connection (reader 0 not exported)",
          tokens_elsewhere(all_slots=True) == 0)
lib = None
sys.exit(1 if p11py.failures else 0)
