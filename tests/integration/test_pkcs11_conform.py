#!/usr/bin/python3
"""PKCS#11 return values (PKCS#11 3.0 base specification; doc/pkcs11.md "Return values of
login and random", "Data objects"), through PyKCS11, hcard-pkcs11.so, pcscd, vpcd and
hcard-sim. Run by test_pkcs11_conform.sh inside tests/harness/with-sim.

- C_CreateObject of a data object without CKA_TOKEN TRUE (a session object, the default) is
  CKR_TEMPLATE_INCONSISTENT and sends nothing to the card (APDU counters of the simulator,
  the card image file unchanged); with CKA_TOKEN TRUE the entry is appended (control).
- C_Login: a wrong PIN of 4..12 digits is CKR_PIN_INCORRECT and spends a try
  (CKF_USER_PIN_COUNT_LOW, then FINAL_TRY, then LOCKED and CKR_PIN_LOCKED); a non-digit PIN
  of a valid length is CKR_PIN_INCORRECT and spends none; CKR_PIN_LEN_RANGE only outside
  ulMinPinLen..ulMaxPinLen.
- C_Login(CKU_SO): CKR_PIN_INCORRECT (no SO PIN), after the SO session-state rules; never
  CKR_USER_TYPE_INVALID.
- C_SeedRandom: CKR_SESSION_HANDLE_INVALID for a closed session, else
  CKR_RANDOM_SEED_NOT_SUPPORTED.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import p11py  # noqa: E402
from p11py import PIN, check, ctl, expect_rv  # noqa: E402
import PyKCS11
from PyKCS11.LowLevel import CKF_RW_SESSION, CKF_SERIAL_SESSION

MODULE = os.environ["HCARD_P11_UNDER_TEST"]
IMAGE = os.environ["HCARD_SIM_IMAGE_CARD"]
ALLERGIES = "DF02/EF07 allergies"

lib = PyKCS11.PyKCS11Lib()
lib.load(MODULE)
slot = lib.getSlotList(tokenPresent=True)[0]


def apdus():
    return int(ctl("count", "0")[0]) + int(ctl("count", "1")[0])


def image():
    with open(IMAGE, "rb") as f:
        return f.read()


def flags():
    return lib.getTokenInfo(slot).flags


def low(f):
    return bool(f & PyKCS11.CKF_USER_PIN_COUNT_LOW)


def final(f):
    return bool(f & PyKCS11.CKF_USER_PIN_FINAL_TRY)


def locked(f):
    return bool(f & PyKCS11.CKF_USER_PIN_LOCKED)


info = lib.getTokenInfo(slot)
check("ulMinPinLen 4, ulMaxPinLen 12", (info.ulMinPinLen, info.ulMaxPinLen) == (4, 12))
check("no SO PIN flags", info.flags & (PyKCS11.CKF_SO_PIN_COUNT_LOW | PyKCS11.CKF_SO_PIN_FINAL_TRY |
                                       PyKCS11.CKF_SO_PIN_LOCKED | PyKCS11.CKF_SO_PIN_TO_BE_CHANGED) == 0)

# --- C_CreateObject: session objects never touch the card ------------------------------------
s = lib.openSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION)
s.login(PIN)
ef07 = s.findObjects([(PyKCS11.CKA_CLASS, PyKCS11.CKO_DATA), (PyKCS11.CKA_LABEL, ALLERGIES)])[0]
before = bytes(s.getAttributeValue(ef07, [PyKCS11.CKA_VALUE])[0])
entry = b"sulfonamide".ljust(20, b"\0") + b"hives".ljust(100, b"\0")
base = [(PyKCS11.CKA_CLASS, PyKCS11.CKO_DATA), (PyKCS11.CKA_LABEL, ALLERGIES),
        (PyKCS11.CKA_VALUE, entry)]
img0, n0 = image(), apdus()
expect_rv("data object without CKA_TOKEN (session object)", PyKCS11.CKR_TEMPLATE_INCONSISTENT,
          s.createObject, base)
expect_rv("data object with CKA_TOKEN FALSE", PyKCS11.CKR_TEMPLATE_INCONSISTENT,
          s.createObject, base + [(PyKCS11.CKA_TOKEN, PyKCS11.CK_FALSE)])
check("no APDU sent for them", apdus() == n0)
check("the card image is unchanged", image() == img0)
s2 = lib.openSession(slot, CKF_SERIAL_SESSION)
ef07b = s2.findObjects([(PyKCS11.CKA_CLASS, PyKCS11.CKO_DATA), (PyKCS11.CKA_LABEL, ALLERGIES)])[0]
check("the allergies are unchanged", bytes(s2.getAttributeValue(ef07b, [PyKCS11.CKA_VALUE])[0]) == before)
s2.closeSession()
h = s.createObject(base + [(PyKCS11.CKA_TOKEN, PyKCS11.CK_TRUE)])
after = bytes(s.getAttributeValue(h, [PyKCS11.CKA_VALUE])[0])
check("CKA_TOKEN TRUE: the entry is appended (record 1, the oldest pushed out)",
      after[:120] == entry and after[120:] == before[:len(before) - 120])
check("CKA_TOKEN TRUE: the card image changed", image() != img0)

# --- C_Login(CKU_SO): a valid user type, no SO PIN ----------------------------------------------
expect_rv("SO login while the user is logged in", PyKCS11.CKR_USER_ANOTHER_ALREADY_LOGGED_IN,
          s.login, "12345678", PyKCS11.CKU_SO)
s.logout()
ro = lib.openSession(slot, CKF_SERIAL_SESSION)
expect_rv("SO login with a read-only session open", PyKCS11.CKR_SESSION_READ_ONLY_EXISTS,
          s.login, "12345678", PyKCS11.CKU_SO)
ro.closeSession()
n0 = apdus()
expect_rv("SO login (no SO PIN exists)", PyKCS11.CKR_PIN_INCORRECT, s.login, "12345678",
          PyKCS11.CKU_SO)
expect_rv("SO login with the user's PIN", PyKCS11.CKR_PIN_INCORRECT, s.login, PIN, PyKCS11.CKU_SO)
check("SO login sent nothing to the card", apdus() == n0)
check("no SO flags after it", flags() & PyKCS11.CKF_SO_PIN_COUNT_LOW == 0)
check("the session stays public", s.getSessionInfo().state == PyKCS11.CKS_RW_PUBLIC_SESSION)

# --- C_SeedRandom ------------------------------------------------------------------------------
expect_rv("C_SeedRandom on an open session", PyKCS11.CKR_RANDOM_SEED_NOT_SUPPORTED,
          s.seedRandom, [1, 2, 3, 4])
dead = lib.openSession(slot, CKF_SERIAL_SESSION)
dead.closeSession()
expect_rv("C_SeedRandom on a closed session", PyKCS11.CKR_SESSION_HANDLE_INVALID,
          dead.seedRandom, [1, 2, 3, 4])

# --- C_Login(CKU_USER): wrong PINs and the counter flags ----------------------------------------
check("no PIN flags to begin with", not low(flags()) and not final(flags()))
n0 = apdus()
expect_rv("non-digit PIN of a valid length", PyKCS11.CKR_PIN_INCORRECT, s.login, "abcdef")
expect_rv("PIN with a letter", PyKCS11.CKR_PIN_INCORRECT, s.login, "12345a")
check("non-digit PINs reach no card and spend no try", apdus() == n0 and not low(flags()))
expect_rv("PIN of 3 digits", PyKCS11.CKR_PIN_LEN_RANGE, s.login, "123")
expect_rv("PIN of 13 digits", PyKCS11.CKR_PIN_LEN_RANGE, s.login, "1234567890123")
check("lengths out of range spend no try", not low(flags()))
expect_rv("wrong PIN of 12 digits", PyKCS11.CKR_PIN_INCORRECT, s.login, "000000000000")
f = flags()
check("after 1 wrong: COUNT_LOW, not FINAL_TRY", low(f) and not final(f) and not locked(f))
s.login(PIN)
check("the right PIN clears COUNT_LOW", not low(flags()))
s.logout()
expect_rv("wrong PIN of 4 digits", PyKCS11.CKR_PIN_INCORRECT, s.login, "0000")
check("COUNT_LOW again", low(flags()) and not final(flags()))
expect_rv("wrong PIN 2", PyKCS11.CKR_PIN_INCORRECT, s.login, "654321")
f = flags()
check("after 2 wrong: FINAL_TRY", low(f) and final(f) and not locked(f))
try:
    s.login("654320")
    check("wrong PIN 3 refused", False)
except PyKCS11.PyKCS11Error as err:
    check("wrong PIN 3 refused (%s)" % err,
          err.value in (PyKCS11.CKR_PIN_INCORRECT, PyKCS11.CKR_PIN_LOCKED))
check("after 3 wrong: LOCKED", locked(flags()))
expect_rv("the right PIN on a locked token", PyKCS11.CKR_PIN_LOCKED, s.login, PIN)
s.closeSession()

sys.exit(1 if p11py.failures else 0)
