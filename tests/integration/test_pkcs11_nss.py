"""One long-lived NSS process holding hcard-pkcs11.so, as Firefox does (run by test_pkcs11_nss.sh).

libnss3 through ctypes: NSS_Initialize on the test's database (the module already added), a
thread in SECMOD_WaitForAnyTokenEvent (Firefox's SmartCardMonitoringThread), the card pulled
and put back with hcard-sim's control socket, the events and what NSS then sees (token present,
certificates), a login and a CKM_ECDSA signature with key 01 by PK11_Sign after the re-insertion
(written raw to OUT, verified by the shell with OpenSSL), then SECMOD_CancelWait (NSS calls
C_Finalize under the waiting thread, then initialises the module again) and NSS_Shutdown.

Key 02 (SM2, CKA_ALWAYS_AUTHENTICATE): PK11_SignWithMechanism with the vendor mechanism
CKM_HC_SM2_RAW over e (E02, computed by the shell with OpenSSL), twice, written raw to OUT02.1 and .2; NSS
must log in CKU_CONTEXT_SPECIFIC between C_SignInit and C_Sign (it asks the password again).

usage: test_pkcs11_nss.py DBDIR TOKEN HASHFILE OUT E02 OUT02
env: HCARD_SIM, HCARD_SIM_CONTROL, HCARD_CARD_SLOT, P11_PIN, P11_NUMBER
Prints TAP-like lines; exit 1 when a check failed.
"""
import ctypes as C
import os
import subprocess
import sys
import threading
import time

DBDIR, TOKEN, HASHFILE, OUT, E02, OUT02 = sys.argv[1:7]
CKM_HC_SM2_RAW = 0xc8430001
PIN = os.environ["P11_PIN"].encode()
nss = C.CDLL("libnss3.so")
nspr = C.CDLL("libnspr4.so")
failed = False


def check(name, cond):
    global failed
    print(("ok - " if cond else "not ok - ") + "NSS in one process: " + name, flush=True)
    if not cond:
        failed = True


class SECItem(C.Structure):
    _fields_ = [("type", C.c_int), ("data", C.POINTER(C.c_ubyte)), ("len", C.c_uint)]


class PRCList(C.Structure):
    pass


PRCList._fields_ = [("next", C.POINTER(PRCList)), ("prev", C.POINTER(PRCList))]


class CertListNode(C.Structure):
    _fields_ = [("links", PRCList), ("cert", C.c_void_p), ("appData", C.c_void_p)]


class CertCertificateHead(C.Structure):   # the first members of CERTCertificate (cert.h)
    _fields_ = [("arena", C.c_void_p), ("subjectName", C.c_char_p), ("issuerName", C.c_char_p)]


P = C.c_void_p
for name, res, args in [
        ("NSS_Initialize", C.c_int, [C.c_char_p, C.c_char_p, C.c_char_p, C.c_char_p, C.c_uint]),
        ("NSS_Shutdown", C.c_int, []),
        ("SECMOD_FindModule", P, [C.c_char_p]),
        ("SECMOD_DestroyModule", None, [P]),
        ("SECMOD_WaitForAnyTokenEvent", P, [P, C.c_ulong, C.c_uint]),
        ("SECMOD_CancelWait", C.c_int, [P]),
        ("PK11_FindSlotByName", P, [C.c_char_p]),
        ("PK11_IsPresent", C.c_int, [P]),
        ("PK11_IsLoggedIn", C.c_int, [P, P]),
        ("PK11_GetSlotName", C.c_char_p, [P]),
        ("PK11_FreeSlot", None, [P]),
        ("PK11_ListCertsInSlot", P, [P]),
        ("CERT_DestroyCertList", None, [P]),
        ("PK11_SetPasswordFunc", None, [P]),
        ("PK11_Authenticate", C.c_int, [P, C.c_int, P]),
        ("PK11_FindCertFromNickname", P, [C.c_char_p, P]),
        ("CERT_DestroyCertificate", None, [P]),
        ("PK11_FindKeyByAnyCert", P, [P, P]),
        ("SECKEY_DestroyPrivateKey", None, [P]),
        ("PK11_SignatureLen", C.c_int, [P]),
        ("PK11_Sign", C.c_int, [P, C.POINTER(SECItem), C.POINTER(SECItem)]),
        ("PK11_SignWithMechanism", C.c_int,
         [P, C.c_ulong, P, C.POINTER(SECItem), C.POINTER(SECItem)]),
        ("PORT_Strdup", P, [C.c_char_p])]:
    f = getattr(nss, name)
    f.restype, f.argtypes = res, args
nspr.PR_SecondsToInterval.restype = C.c_uint
nspr.PR_SecondsToInterval.argtypes = [C.c_uint]
nspr.PR_GetError.restype = C.c_int

PWFUNC = C.CFUNCTYPE(P, P, C.c_int, P)


asked = [0]


@PWFUNC
def password(slot, retry, arg):
    # NSS frees the answer with PORT_Free: allocate it with PORT_Strdup; no second try
    asked[0] += 1
    return None if retry else nss.PORT_Strdup(PIN)


def sign(key, data, mech=None):
    """(rv, signature bytes) of PK11_Sign, or PK11_SignWithMechanism when mech is given"""
    buf = (C.c_ubyte * 128)()
    sig = SECItem(0, C.cast(buf, C.POINTER(C.c_ubyte)), 64)
    dbuf = (C.c_ubyte * len(data)).from_buffer_copy(data)
    item = SECItem(0, C.cast(dbuf, C.POINTER(C.c_ubyte)), len(data))
    if mech is None:
        rv = nss.PK11_Sign(key, C.byref(sig), C.byref(item))
    else:
        rv = nss.PK11_SignWithMechanism(key, mech, None, C.byref(sig), C.byref(item))
    return rv, bytes(buf[:sig.len])


def ctl(*args):
    out = subprocess.run([os.environ["HCARD_SIM"], "ctl", os.environ["HCARD_SIM_CONTROL"]] +
                         list(args), capture_output=True, text=True)
    return out.stdout.strip()


def certs_in(slot):
    """subjects of the certificates NSS lists in the slot"""
    lst = nss.PK11_ListCertsInSlot(slot)
    if not lst:
        return []
    head = C.cast(lst, C.POINTER(PRCList))
    node, subjects, n = head.contents.next, [], 0
    while C.addressof(node.contents) != C.addressof(head.contents) and n < 16:
        cert = C.cast(node, C.POINTER(CertListNode)).contents.cert
        subjects.append(C.cast(cert, C.POINTER(CertCertificateHead)).contents.subjectName)
        node = node.contents.next
        n += 1
    nss.CERT_DestroyCertList(lst)
    return subjects


events = []
stop = threading.Event()


def monitor(mod):
    # Firefox's SmartCardMonitoringThread: wait, note the slot's state, until told to stop
    while not stop.is_set():
        slot = nss.SECMOD_WaitForAnyTokenEvent(mod, 0, nspr.PR_SecondsToInterval(1))
        if not slot:
            events.append(("none", nspr.PR_GetError()))
            break
        events.append((nss.PK11_GetSlotName(slot).decode(), bool(nss.PK11_IsPresent(slot))))
        nss.PK11_FreeSlot(slot)


def wait_for(cond, seconds):
    end = time.time() + seconds
    while time.time() < end:
        if cond():
            return True
        time.sleep(0.05)
    return cond()


if nss.NSS_Initialize(("sql:" + DBDIR).encode(), b"", b"", b"secmod.db", 0) != 0:
    print("NSS_Initialize failed: %d" % nspr.PR_GetError(), file=sys.stderr)
    sys.exit(99)
nss.PK11_SetPasswordFunc(C.cast(password, P))
mod = nss.SECMOD_FindModule(b"hcard")
slot = nss.PK11_FindSlotByName(TOKEN.encode())
check("module and token found", bool(mod) and bool(slot))
if not mod or not slot:
    sys.exit(1)
# NSS lists the certificates of a token with CKF_LOGIN_REQUIRED (not "friendly") per slot only
# once logged in, whatever CKA_PRIVATE says (certutil -L -h all goes another way: see the .sh)
check("token present, not logged in", nss.PK11_IsPresent(slot) == 1 and
      nss.PK11_IsLoggedIn(slot, None) == 0)
check("PK11_Authenticate with the PIN", nss.PK11_Authenticate(slot, 1, None) == 0)
check("logged in: the two certificates of the token listed",
      [s for s in certs_in(slot) if ("serialNumber=" + os.environ["P11_NUMBER"]).encode() in s] != []
      and len(certs_in(slot)) == 2)
th = threading.Thread(target=monitor, args=(mod,), daemon=True)
th.start()
time.sleep(0.3)

cardslot = os.environ.get("HCARD_CARD_SLOT", "0")
ctl("remove", cardslot)
check("removal: an event for HCARD SIM 00 00, token absent",
      wait_for(lambda: ("HCARD SIM 00 00", False) in events, 5))
check("removal: PK11_IsPresent false, no certificate listed",
      nss.PK11_IsPresent(slot) == 0 and certs_in(slot) == [])
check("removal: PK11_FindSlotByName(token) finds nothing",
      not nss.PK11_FindSlotByName(TOKEN.encode()))
time.sleep(0.7)   # a pulled card stays out at least 600 ms (doc/simulator.md)
ctl("insert", cardslot)
check("insertion: an event for HCARD SIM 00 00, token present",
      wait_for(lambda: ("HCARD SIM 00 00", True) in events, 5))
check("insertion: a new card, not logged in", nss.PK11_IsLoggedIn(slot, None) == 0)

# login and a signature with key 01 in the same process, after the re-insertion
slot2 = nss.PK11_FindSlotByName(TOKEN.encode())
check("insertion: the token is found by name", bool(slot2))
check("PK11_Authenticate again", bool(slot2) and nss.PK11_Authenticate(slot2, 1, None) == 0)
check("insertion: the token's two certificates listed again", len(certs_in(slot)) == 2)
cert = nss.PK11_FindCertFromNickname((TOKEN + ":Authentication key").encode(), None)
key = nss.PK11_FindKeyByAnyCert(cert, None) if cert else None
check("the private key of certificate 01 found (CKA_ID)", bool(key))
if key:
    n = nss.PK11_SignatureLen(key)
    rv, sig = sign(key, open(HASHFILE, "rb").read())
    check("PK11_Sign (CKM_ECDSA) returns a 64-byte signature", rv == 0 and n == 64 and len(sig) == 64)
    with open(OUT, "wb") as f:
        f.write(sig)
    nss.SECKEY_DestroyPrivateKey(key)
# key 02: NSS knows no SM2 (PK11_SignatureLen finds no curve order), the vendor mechanism is
# asked for by number; the signature key needs the PIN again for each signature
cert2 = nss.PK11_FindCertFromNickname((TOKEN + ":Signature key (SM2)").encode(), None)
key2 = nss.PK11_FindKeyByAnyCert(cert2, None) if cert2 else None
check("the private key of certificate 02 found (CKA_ID)", bool(key2))
if key2:
    e = open(E02, "rb").read()
    for i in (1, 2):
        before = asked[0]
        rv, sig = sign(key2, e, CKM_HC_SM2_RAW)
        check("SM2 signature %d by PK11_SignWithMechanism(CKM_HC_SM2_RAW): 64 bytes, the PIN "
              "asked again for the context login (CKA_ALWAYS_AUTHENTICATE)" % i,
              rv == 0 and len(sig) == 64 and asked[0] == before + 1)
        with open("%s.%d" % (OUT02, i), "wb") as f:
            f.write(sig)
    nss.SECKEY_DestroyPrivateKey(key2)
if cert2:
    nss.CERT_DestroyCertificate(cert2)
if cert:
    nss.CERT_DestroyCertificate(cert)
if slot2:
    nss.PK11_FreeSlot(slot2)

# Firefox's shutdown of the monitoring thread: SECMOD_CancelWait, then join
stop.set()
t0 = time.time()
rv = nss.SECMOD_CancelWait(mod)
th.join(5)
check("SECMOD_CancelWait ends the waiting thread (%.2f s)" % (time.time() - t0),
      rv == 0 and not th.is_alive())
# C_Finalize dropped the login and the sessions: NSS finds the token again through the module
# it initialised once more, and logs in anew
time.sleep(1.1)   # PK11_IsLoggedIn trusts its last C_GetSessionInfo for a second
check("after the cancel: token present, login dropped",
      nss.PK11_IsPresent(slot) == 1 and nss.PK11_IsLoggedIn(slot, None) == 0)
check("after the cancel: PK11_Authenticate, the two certificates listed",
      nss.PK11_Authenticate(slot, 1, None) == 0 and len(certs_in(slot)) == 2)
nss.PK11_FreeSlot(slot)
nss.SECMOD_DestroyModule(mod)
check("NSS_Shutdown", nss.NSS_Shutdown() == 0)
print("# events seen by the waiting thread: %s" % events)
sys.exit(1 if failed else 0)
