/*
 * hcard-pkcs11.so under concurrency, through pcscd, vpcd and hcard-sim (run by
 * test_pkcs11_threads.sh on a card with PKI keys): sessions in several threads signing and
 * reading at once (signatures verified with OpenSSL EVP), C_WaitForSlotEvent blocking in one
 * thread while C_Finalize runs in another, a forked child that must C_Initialize again.
 */
#include "config.h"

#include <dlfcn.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/rand.h>

#include "pkcs11/p11_v3.h"

#define N_THREADS 4
#define N_ROUNDS 10

static void *module;
static CK_FUNCTION_LIST *p11;
static const char pin[] = "123456";

static int
setup(void **state)
{
	const char *path = getenv("HCARD_PKCS11");
	CK_C_GetFunctionList gfl;

	(void)state;
	if (path == NULL || (module = dlopen(path, RTLD_NOW)) == NULL ||
	    (gfl = (CK_C_GetFunctionList)dlsym(module, "C_GetFunctionList")) == NULL ||
	    gfl(&p11) != CKR_OK) {
		fprintf(stderr, "cannot load HCARD_PKCS11\n");
		return -1;
	}
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	dlclose(module);
	return 0;
}

static CK_RV
init_os_locking(void)
{
	CK_C_INITIALIZE_ARGS args;

	memset(&args, 0, sizeof(args));
	args.flags = CKF_OS_LOCKING_OK;
	return p11->C_Initialize(&args);
}

static CK_SLOT_ID
token_slot(void)
{
	CK_SLOT_ID slots[4];
	CK_ULONG n = 4;

	assert_int_equal(p11->C_GetSlotList(CK_TRUE, slots, &n), CKR_OK);
	assert_int_equal(n, 1);
	return slots[0];
}

static CK_OBJECT_HANDLE
find_one(CK_SESSION_HANDLE s, CK_OBJECT_CLASS cls, CK_BYTE id)
{
	CK_ATTRIBUTE t[2] = { { CKA_CLASS, &cls, sizeof(cls) }, { CKA_ID, &id, 1 } };
	CK_OBJECT_HANDLE h = 0;
	CK_ULONG n = 0;

	if (p11->C_FindObjectsInit(s, t, 2) != CKR_OK)
		return 0;
	if (p11->C_FindObjects(s, &h, 1, &n) != CKR_OK || n != 1)
		h = 0;
	p11->C_FindObjectsFinal(s);
	return h;
}

/* The P-256 public key from CKA_EC_POINT (DER OCTET STRING of 04 || X || Y). */
static EVP_PKEY *
public_key(CK_SESSION_HANDLE s)
{
	CK_BYTE point[80];
	CK_ATTRIBUTE a = { CKA_EC_POINT, point, sizeof(point) };
	OSSL_PARAM_BLD *b = OSSL_PARAM_BLD_new();
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	EVP_PKEY *pk = NULL;
	CK_OBJECT_HANDLE h = find_one(s, CKO_PUBLIC_KEY, 1);

	if (h != 0 && p11->C_GetAttributeValue(s, h, &a, 1) == CKR_OK && a.ulValueLen == 67 &&
	    OSSL_PARAM_BLD_push_utf8_string(b, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) == 1 &&
	    OSSL_PARAM_BLD_push_octet_string(b, OSSL_PKEY_PARAM_PUB_KEY, point + 2, 65) == 1 &&
	    (params = OSSL_PARAM_BLD_to_param(b)) != NULL && EVP_PKEY_fromdata_init(ctx) == 1)
		EVP_PKEY_fromdata(ctx, &pk, EVP_PKEY_PUBLIC_KEY, params);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(b);
	EVP_PKEY_CTX_free(ctx);
	return pk;
}

/* r || s -> DER, then EVP verification of SHA-256(msg). 1 if valid. */
static int
verify(EVP_PKEY *pk, const CK_BYTE *msg, size_t len, const CK_BYTE sig[64])
{
	CK_BYTE der[72];
	size_t n = 0, i;
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	int ok;

	der[n++] = 0x30;
	der[n++] = 0;
	for (i = 0; i < 2; i++) {
		const CK_BYTE *v = sig + 32 * i;
		size_t l = 32, pad;

		while (l > 1 && *v == 0) {
			v++;
			l--;
		}
		pad = (*v & 0x80) ? 1 : 0;
		der[n++] = 0x02;
		der[n++] = (CK_BYTE)(l + pad);
		if (pad)
			der[n++] = 0;
		memcpy(der + n, v, l);
		n += l;
	}
	der[1] = (CK_BYTE)(n - 2);
	ok = md != NULL && EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, pk) == 1 &&
	     EVP_DigestVerify(md, der, n, msg, len) == 1;
	EVP_MD_CTX_free(md);
	return ok;
}

typedef struct worker {
	CK_SLOT_ID slot;
	EVP_PKEY *pk;
	int good, bad;
} worker_t;

static void *
work(void *arg)
{
	worker_t *w = arg;
	CK_SESSION_HANDLE s = 0;
	CK_MECHANISM m = { CKM_ECDSA_SHA256, NULL, 0 };
	CK_BYTE msg[48], sig[64];
	CK_ULONG sig_len;
	CK_OBJECT_HANDLE key;
	int r;

	for (r = 0; r < N_ROUNDS; r++) {
		if (p11->C_OpenSession(w->slot, CKF_SERIAL_SESSION, NULL, NULL, &s) != CKR_OK) {
			w->bad++;
			continue;
		}
		RAND_bytes(msg, sizeof(msg));
		sig_len = sizeof(sig);
		key = find_one(s, CKO_PRIVATE_KEY, 1);
		if (key != 0 && p11->C_SignInit(s, &m, key) == CKR_OK &&
		    p11->C_Sign(s, msg, sizeof(msg), sig, &sig_len) == CKR_OK && sig_len == 64 &&
		    verify(w->pk, msg, sizeof(msg), sig))
			w->good++;
		else
			w->bad++;
		/* the last session of the slot must not be closed, or the login goes with it */
		p11->C_CloseSession(s);
	}
	return NULL;
}

static void
test_threads_sign_concurrently(void **state)
{
	pthread_t th[N_THREADS];
	worker_t w[N_THREADS];
	CK_SESSION_HANDLE keeper = 0;
	CK_SLOT_ID slot;
	EVP_PKEY *pk;
	int i, good = 0;

	(void)state;
	assert_int_equal(init_os_locking(), CKR_OK);
	slot = token_slot();
	/* one session keeps the login (the login belongs to the token) */
	assert_int_equal(p11->C_OpenSession(slot, CKF_SERIAL_SESSION, NULL, NULL, &keeper), CKR_OK);
	assert_int_equal(p11->C_Login(keeper, CKU_USER, (CK_UTF8CHAR_PTR)pin, 6), CKR_OK);
	assert_non_null(pk = public_key(keeper));
	for (i = 0; i < N_THREADS; i++) {
		w[i].slot = slot;
		w[i].pk = pk;
		w[i].good = w[i].bad = 0;
		assert_int_equal(pthread_create(&th[i], NULL, work, &w[i]), 0);
	}
	for (i = 0; i < N_THREADS; i++) {
		pthread_join(th[i], NULL);
		good += w[i].good;
		assert_int_equal(w[i].bad, 0);
	}
	assert_int_equal(good, N_THREADS * N_ROUNDS);
	EVP_PKEY_free(pk);
	assert_int_equal(p11->C_Finalize(NULL), CKR_OK);
}

typedef struct waiter {
	CK_RV rv;
	struct timespec done;
} waiter_t;

static void *
wait_event(void *arg)
{
	waiter_t *w = arg;
	CK_SLOT_ID slot = 0;

	w->rv = p11->C_WaitForSlotEvent(0, &slot, NULL);
	clock_gettime(CLOCK_MONOTONIC, &w->done);
	return NULL;
}

static void
test_finalize_wakes_waiter(void **state)
{
	pthread_t th;
	waiter_t w;
	CK_ULONG n = 0;
	CK_SLOT_ID slot;
	struct timespec t0;
	double dt;

	(void)state;
	assert_int_equal(init_os_locking(), CKR_OK);
	slot = token_slot();
	(void)slot;
	assert_int_equal(p11->C_WaitForSlotEvent(CKF_DONT_BLOCK, &slot, NULL), CKR_NO_EVENT);
	memset(&w, 0, sizeof(w));
	assert_int_equal(pthread_create(&th, NULL, wait_event, &w), 0);
	usleep(300000);   /* the waiter blocks in PC/SC, without the module lock: */
	assert_int_equal(p11->C_GetSlotList(CK_TRUE, NULL, &n), CKR_OK);   /* not blocked */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(p11->C_Finalize(NULL), CKR_OK);
	pthread_join(th, NULL);
	dt = (double)(w.done.tv_sec - t0.tv_sec) + (double)(w.done.tv_nsec - t0.tv_nsec) / 1e9;
	assert_int_equal(w.rv, CKR_CRYPTOKI_NOT_INITIALIZED);
	assert_true(dt < 2.0);
	assert_int_equal(p11->C_GetSlotList(CK_TRUE, NULL, &n), CKR_CRYPTOKI_NOT_INITIALIZED);
}

static void
test_fork_child_initializes_again(void **state)
{
	CK_ULONG n = 0;
	CK_SLOT_ID slot;
	CK_SESSION_HANDLE s = 0;
	pid_t pid;
	int status = -1;

	(void)state;
	assert_int_equal(init_os_locking(), CKR_OK);
	slot = token_slot();
	assert_int_equal(p11->C_OpenSession(slot, CKF_SERIAL_SESSION, NULL, NULL, &s), CKR_OK);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		CK_SESSION_HANDLE cs = 0;
		int bad = 0;

		/* the parent's context is not the child's */
		bad |= p11->C_GetSlotList(CK_TRUE, NULL, &n) != CKR_CRYPTOKI_NOT_INITIALIZED;
		bad |= p11->C_CloseSession(s) != CKR_CRYPTOKI_NOT_INITIALIZED;
		bad |= init_os_locking() != CKR_OK;
		n = 0;
		bad |= p11->C_GetSlotList(CK_TRUE, NULL, &n) != CKR_OK || n != 1;
		bad |= p11->C_OpenSession(slot, CKF_SERIAL_SESSION, NULL, NULL, &cs) != CKR_OK;
		bad |= p11->C_Login(cs, CKU_USER, (CK_UTF8CHAR_PTR)pin, 6) != CKR_OK;
		bad |= p11->C_Finalize(NULL) != CKR_OK;
		_exit(bad ? 1 : 0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	/* the parent's session still works */
	assert_int_equal(p11->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR)pin, 6), CKR_OK);
	assert_int_equal(p11->C_Finalize(NULL), CKR_OK);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_threads_sign_concurrently),
		cmocka_unit_test(test_finalize_wakes_waiter),
		cmocka_unit_test(test_fork_child_initializes_again),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
