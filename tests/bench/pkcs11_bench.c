/*
 * Benchmark of hcard-pkcs11.so through pcscd, vpcd and hcard-sim (run by `make bench` inside
 * tests/harness/with-sim): time and APDUs (counted by the simulator, user card and SAM) from
 * C_Initialize to the list of all objects, without and with login; reading every data
 * object; signatures per second with key 01 (ECDSA P-256) and key 02 (SM2, with the
 * context-specific VERIFY each signature needs). Reports numbers, never passes or fails on them.
 */
#include "config.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "pkcs11/p11_v3.h"

#define RUNS 20
#define SIGNATURES 100

static CK_FUNCTION_LIST *p11;
static const char pin[] = "123456";

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One command on the simulator's control socket; the number after "ok", or -1. */
static long
ctl(const char *cmd)
{
	struct sockaddr_un sa;
	char buf[256];
	const char *path = getenv("HCARD_SIM_CONTROL");
	ssize_t n;
	long v = -1;
	int fd;

	if (path == NULL || (fd = socket(AF_UNIX, SOCK_STREAM, 0)) < 0)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
	    write(fd, cmd, strlen(cmd)) == (ssize_t)strlen(cmd) && write(fd, "\n", 1) == 1 &&
	    (n = read(fd, buf, sizeof(buf) - 1)) > 0) {
		buf[n] = '\0';
		if (strncmp(buf, "ok", 2) == 0)
			v = strtol(buf + 2, NULL, 10);
	}
	close(fd);
	return v;
}

static long
apdus(void)
{
	return ctl("count 0") + ctl("count 1");
}

/* Waits (bounded, 5 s) until the module sees want (0/1) tokens. */
static int
wait_token(CK_ULONG want)
{
	CK_SLOT_ID slot[2];
	CK_ULONG n;
	int i, rc = -1;

	if (p11->C_Initialize(NULL) != CKR_OK)
		return -1;
	for (i = 0; i < 50 && rc != 0; i++) {
		n = 2;
		if (p11->C_GetSlotList(CK_TRUE, slot, &n) == CKR_OK && n == want)
			rc = 0;
		else
			usleep(100000);
	}
	p11->C_Finalize(NULL);
	return rc;
}

/* A card with PKI keys and certificates, made by the factory with a fresh OpenSSL CA. */
static int
pki_card(void)
{
	const char *tmp = getenv("HCARD_TEST_TMP"), *sim = getenv("HCARD_SIM");
	char cmd[2048];

	if (tmp == NULL || sim == NULL)
		return -1;
	snprintf(cmd, sizeof(cmd),
	         "set -e; d=%s/benchca; mkdir -p $d; cd $d;"
	         "openssl ecparam -name prime256v1 -genkey -noout -out p256-ca.key 2>/dev/null;"
	         "openssl req -x509 -new -key p256-ca.key -sha256 -days 30 -subj /CN=bench-p256"
	         " -out p256-ca.crt;"
	         "openssl genpkey -algorithm SM2 -out sm2-ca.key 2>/dev/null;"
	         "openssl req -x509 -new -key sm2-ca.key -sm3 -sigopt distid:1234567812345678"
	         " -days 30 -subj /CN=bench-sm2 -out sm2-ca.crt;"
	         "%s factory --type user --out %s/pki.img --pki-ca $d", tmp, sim, tmp);
	if (system(cmd) != 0)
		return -1;
	/* swap the cards the way a person does: out, (pcscd notices), in */
	snprintf(cmd, sizeof(cmd), "insert 0 %s/pki.img", tmp);
	if (ctl("remove 0") < 0 || wait_token(0) != 0 || ctl(cmd) < 0 || wait_token(1) != 0)
		return -1;
	return 0;
}

/* C_Initialize .. list of all objects .. C_Finalize; returns the number of objects. */
static CK_ULONG
list_all(int login, int read_values)
{
	CK_SLOT_ID slot;
	CK_SESSION_HANDLE s;
	CK_OBJECT_HANDLE h[64];
	CK_ULONG n = 1, found = 0, i;
	CK_BYTE buf[4096];

	if (p11->C_Initialize(NULL) != CKR_OK || p11->C_GetSlotList(CK_TRUE, &slot, &n) != CKR_OK ||
	    n != 1 || p11->C_OpenSession(slot, CKF_SERIAL_SESSION, NULL, NULL, &s) != CKR_OK)
		goto out;
	if (login && p11->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR)pin, 6) != CKR_OK)
		goto out;
	if (p11->C_FindObjectsInit(s, NULL, 0) != CKR_OK ||
	    p11->C_FindObjects(s, h, 64, &found) != CKR_OK)
		goto out;
	p11->C_FindObjectsFinal(s);
	for (i = 0; read_values && i < found; i++) {
		CK_OBJECT_CLASS cls;
		CK_ATTRIBUTE a = { CKA_CLASS, &cls, sizeof(cls) };
		CK_ATTRIBUTE v = { CKA_VALUE, buf, sizeof(buf) };

		if (p11->C_GetAttributeValue(s, h[i], &a, 1) == CKR_OK && cls == CKO_DATA)
			p11->C_GetAttributeValue(s, h[i], &v, 1);
	}
out:
	p11->C_Finalize(NULL);
	return found;
}

static void
bench_list(const char *what, int login, int read_values, int runs)
{
	double t0, total = 0, best = 1e9, dt;
	long a0, a = 0;
	CK_ULONG objs = 0;
	int r;

	for (r = 0; r < runs; r++) {
		a0 = apdus();
		t0 = now();
		objs = list_all(login, read_values);
		dt = now() - t0;
		a = apdus() - a0;
		total += dt;
		if (dt < best)
			best = dt;
	}
	printf("%-46s %3lu objects  %7.2f ms mean  %7.2f ms best  %4ld APDUs (card+SAM), %d runs\n",
	       what, (unsigned long)objs, 1000 * total / runs, 1000 * best, a, runs);
}

static void
bench_sign(const char *what, CK_MECHANISM_TYPE mech, CK_BYTE id, int context_login)
{
	CK_SLOT_ID slot;
	CK_SESSION_HANDLE s;
	CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
	CK_ATTRIBUTE t[2] = { { CKA_CLASS, &cls, sizeof(cls) }, { CKA_ID, &id, 1 } };
	CK_MECHANISM m = { mech, NULL, 0 };
	CK_OBJECT_HANDLE key = 0;
	CK_BYTE data[32] = { 1 }, sig[64];
	CK_ULONG n = 1, sig_len;
	double t0, dt;
	long a0, a;
	int i, ok = 0;

	if (p11->C_Initialize(NULL) != CKR_OK || p11->C_GetSlotList(CK_TRUE, &slot, &n) != CKR_OK ||
	    p11->C_OpenSession(slot, CKF_SERIAL_SESSION, NULL, NULL, &s) != CKR_OK ||
	    p11->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR)pin, 6) != CKR_OK ||
	    p11->C_FindObjectsInit(s, t, 2) != CKR_OK || p11->C_FindObjects(s, &key, 1, &n) != CKR_OK)
		goto out;
	p11->C_FindObjectsFinal(s);
	a0 = apdus();
	t0 = now();
	for (i = 0; i < SIGNATURES; i++) {
		sig_len = sizeof(sig);
		data[1] = (CK_BYTE)i;
		if (p11->C_SignInit(s, &m, key) != CKR_OK ||
		    (context_login && p11->C_Login(s, CKU_CONTEXT_SPECIFIC, (CK_UTF8CHAR_PTR)pin, 6) != CKR_OK) ||
		    p11->C_Sign(s, data, sizeof(data), sig, &sig_len) != CKR_OK)
			break;
		ok++;
	}
	dt = now() - t0;
	a = apdus() - a0;
	printf("%-46s %4d signatures  %8.1f /s  %5.2f APDUs each\n", what, ok, ok / dt,
	       ok > 0 ? (double)a / ok : 0.0);
out:
	p11->C_Finalize(NULL);
}

int
main(void)
{
	const char *path = getenv("HCARD_PKCS11");
	char buf[4096];
	void *mod;
	CK_C_GetFunctionList gfl;

	if (path == NULL) {
		snprintf(buf, sizeof(buf), "%s/pkcs11/.libs/hcard-pkcs11.so",
		         getenv("top_builddir") != NULL ? getenv("top_builddir") : ".");
		path = buf;
	}
	if (getenv("HCARD_SAM_PIN") == NULL)
		setenv("HCARD_SAM_PIN", "12345678", 1);   /* the simulator SAM's factory PIN */
	if ((mod = dlopen(path, RTLD_NOW)) == NULL ||
	    (gfl = (CK_C_GetFunctionList)dlsym(mod, "C_GetFunctionList")) == NULL || gfl(&p11) != CKR_OK) {
		fprintf(stderr, "pkcs11_bench: cannot load %s\n", path);
		return 1;
	}
	if (pki_card() != 0) {
		fprintf(stderr, "pkcs11_bench: cannot make the PKI card\n");
		return 1;
	}
	printf("pkcs11_bench: hcard-pkcs11 through pcscd + vpcd + hcard-sim\n");
	bench_list("C_Initialize .. all objects, no login", 0, 0, RUNS);
	bench_list("C_Initialize .. all objects, with login", 1, 0, RUNS);
	bench_sign("CKM_ECDSA_SHA256, key 01", CKM_ECDSA_SHA256, 1, 0);
	bench_sign("CKM_HC_SM2_SM3, key 02 (+ VERIFY each)", CKM_VENDOR_DEFINED | 0x48430002UL, 2, 1);
	bench_list("C_Initialize .. all objects + 22 data values", 1, 1, RUNS);
	dlclose(mod);
	return 0;
}
