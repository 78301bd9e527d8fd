/*
 * hcard-pkcs11.so without a card: the module's entry points, interfaces, initialisation
 * arguments, calls before C_Initialize and after C_Finalize, handle validation. The module is
 * loaded with dlopen as an application would (path from $HCARD_PKCS11 or the build tree).
 */
#include "config.h"

#include <dlfcn.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pkcs11/p11_v3.h"

static void *module;
static CK_FUNCTION_LIST *f2;

static CK_RV
dummy_create(CK_VOID_PTR_PTR m)
{
	(void)m;
	return CKR_OK;
}

static CK_RV
dummy_mutex(CK_VOID_PTR m)
{
	(void)m;
	return CKR_OK;
}

static int
setup(void **state)
{
	const char *path = getenv("HCARD_PKCS11");
	char buf[4096];
	CK_C_GetFunctionList gfl;

	(void)state;
	if (path == NULL) {
		snprintf(buf, sizeof(buf), "%s/pkcs11/.libs/hcard-pkcs11.so",
		         getenv("top_builddir") != NULL ? getenv("top_builddir") : ".");
		path = buf;
	}
	if ((module = dlopen(path, RTLD_NOW | RTLD_LOCAL)) == NULL) {
		fprintf(stderr, "dlopen %s: %s\n", path, dlerror());
		return -1;
	}
	gfl = (CK_C_GetFunctionList)dlsym(module, "C_GetFunctionList");
	if (gfl == NULL || gfl(&f2) != CKR_OK)
		return -1;
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	if (module != NULL)
		dlclose(module);
	return 0;
}

static void
test_only_c_symbols_exported(void **state)
{
	(void)state;
	assert_non_null(dlsym(module, "C_GetInterfaceList"));
	assert_non_null(dlsym(module, "C_GetInterface"));
	/* internals stay hidden by the version script */
	assert_null(dlsym(module, "p11_enter"));
	assert_null(dlsym(module, "p11_rv"));
}

static void
test_function_list_2_40(void **state)
{
	(void)state;
	assert_int_equal(f2->version.major, 2);
	assert_int_equal(f2->version.minor, 40);
	assert_non_null(f2->C_WaitForSlotEvent);
	assert_int_equal(f2->C_GetFunctionList(NULL), CKR_ARGUMENTS_BAD);
}

static void
test_interfaces(void **state)
{
	CK_C_GetInterfaceList gil = (CK_C_GetInterfaceList)dlsym(module, "C_GetInterfaceList");
	CK_C_GetInterface gi = (CK_C_GetInterface)dlsym(module, "C_GetInterface");
	CK_INTERFACE list[4];
	CK_INTERFACE_PTR iface = NULL;
	CK_ULONG n = 0;
	CK_VERSION v30 = { 3, 0 }, v240 = { 2, 40 }, v99 = { 9, 9 };
	CK_FUNCTION_LIST_3_0 *f3;

	(void)state;
	assert_int_equal(gil(NULL, &n), CKR_OK);
	assert_int_equal(n, 2);
	n = 1;
	assert_int_equal(gil(list, &n), CKR_BUFFER_TOO_SMALL);
	assert_int_equal(n, 2);
	assert_int_equal(gil(list, &n), CKR_OK);
	assert_string_equal((const char *)list[0].pInterfaceName, "PKCS 11");
	/* default: the newest interface, 3.0 */
	assert_int_equal(gi(NULL, NULL, &iface, 0), CKR_OK);
	f3 = iface->pFunctionList;
	assert_int_equal(f3->version.major, 3);
	assert_int_equal(f3->version.minor, 0);
	assert_ptr_equal(f3->C_Sign, f2->C_Sign);
	assert_non_null(f3->C_MessageVerifyFinal);
	assert_int_equal(gi((CK_UTF8CHAR_PTR)"PKCS 11", &v30, &iface, 0), CKR_OK);
	assert_int_equal(gi((CK_UTF8CHAR_PTR)"PKCS 11", &v240, &iface, 0), CKR_OK);
	assert_ptr_equal(iface->pFunctionList, f2);
	assert_int_equal(gi((CK_UTF8CHAR_PTR)"PKCS 11", &v99, &iface, 0), CKR_ARGUMENTS_BAD);
	assert_int_equal(gi((CK_UTF8CHAR_PTR)"Vendor X", NULL, &iface, 0), CKR_ARGUMENTS_BAD);
	/* not fork-safe by that flag: a child must C_Initialize again */
	assert_int_equal(gi(NULL, NULL, &iface, CKF_INTERFACE_FORK_SAFE), CKR_ARGUMENTS_BAD);
	assert_int_equal(gi(NULL, NULL, NULL, 0), CKR_ARGUMENTS_BAD);
}

static void
test_not_initialized(void **state)
{
	CK_INFO info;
	CK_ULONG n = 0;
	CK_SESSION_HANDLE h = 0;
	CK_BYTE buf[8];

	(void)state;
	assert_int_equal(f2->C_GetInfo(&info), CKR_CRYPTOKI_NOT_INITIALIZED);
	assert_int_equal(f2->C_GetSlotList(CK_FALSE, NULL, &n), CKR_CRYPTOKI_NOT_INITIALIZED);
	assert_int_equal(f2->C_OpenSession(0, CKF_SERIAL_SESSION, NULL, NULL, &h),
	                 CKR_CRYPTOKI_NOT_INITIALIZED);
	assert_int_equal(f2->C_Finalize(NULL), CKR_CRYPTOKI_NOT_INITIALIZED);
	/* unsupported functions also say "not initialised" first */
	assert_int_equal(f2->C_Encrypt(1, buf, 1, buf, &n), CKR_CRYPTOKI_NOT_INITIALIZED);
}

static void
test_initialize_arguments(void **state)
{
	CK_C_INITIALIZE_ARGS args;

	(void)state;
	memset(&args, 0, sizeof(args));
	args.pReserved = &args;
	assert_int_equal(f2->C_Initialize(&args), CKR_ARGUMENTS_BAD);
	memset(&args, 0, sizeof(args));
	args.CreateMutex = dummy_create;   /* some mutex functions but not all */
	assert_int_equal(f2->C_Initialize(&args), CKR_ARGUMENTS_BAD);
	args.DestroyMutex = dummy_mutex;
	args.LockMutex = dummy_mutex;
	args.UnlockMutex = dummy_mutex;
	/* application locking only: we lock with the OS, so that is refused */
	assert_int_equal(f2->C_Initialize(&args), CKR_CANT_LOCK);
	args.flags = CKF_OS_LOCKING_OK;
	assert_int_equal(f2->C_Initialize(&args), CKR_OK);
	assert_int_equal(f2->C_Initialize(NULL), CKR_CRYPTOKI_ALREADY_INITIALIZED);
	assert_int_equal(f2->C_Finalize(&args), CKR_ARGUMENTS_BAD);
	assert_int_equal(f2->C_Finalize(NULL), CKR_OK);
	assert_int_equal(f2->C_Finalize(NULL), CKR_CRYPTOKI_NOT_INITIALIZED);
}

static void
test_info_and_bad_handles(void **state)
{
	CK_INFO info;
	CK_SESSION_INFO si;
	CK_SLOT_INFO sli;
	CK_ATTRIBUTE a = { CKA_CLASS, NULL, 0 };
	CK_ULONG n = 0;

	(void)state;
	assert_int_equal(f2->C_Initialize(NULL), CKR_OK);
	assert_int_equal(f2->C_GetInfo(NULL), CKR_ARGUMENTS_BAD);
	assert_int_equal(f2->C_GetInfo(&info), CKR_OK);
	assert_int_equal(info.cryptokiVersion.major, 3);
	assert_memory_equal(info.manufacturerID, "hcard project", 13);
	assert_int_equal(f2->C_GetSlotList(CK_FALSE, NULL, NULL), CKR_ARGUMENTS_BAD);
	assert_int_equal(f2->C_GetSlotInfo(4242, &sli), CKR_SLOT_ID_INVALID);
	assert_int_equal(f2->C_GetSessionInfo(0, &si), CKR_SESSION_HANDLE_INVALID);
	assert_int_equal(f2->C_GetSessionInfo(77, &si), CKR_SESSION_HANDLE_INVALID);
	assert_int_equal(f2->C_GetAttributeValue(77, 1, &a, 1), CKR_SESSION_HANDLE_INVALID);
	assert_int_equal(f2->C_FindObjects(77, NULL, 0, &n), CKR_ARGUMENTS_BAD);
	assert_int_equal(f2->C_Login(77, CKU_USER, (CK_UTF8CHAR_PTR)"123456", 6),
	                 CKR_SESSION_HANDLE_INVALID);
	assert_int_equal(f2->C_WaitForSlotEvent(0, NULL, NULL), CKR_ARGUMENTS_BAD);
	assert_int_equal(f2->C_Finalize(NULL), CKR_OK);
}

/* pcscd not reachable: no slots, no crash, a clean error for a slot id */
static void
test_dead_pcscd(void **state)
{
	CK_ULONG n = 99;
	CK_SLOT_INFO sli;
	CK_SLOT_ID id = 0;

	(void)state;
	setenv("PCSCLITE_CSOCK_NAME", "/nonexistent/pcscd.comm", 1);
	assert_int_equal(f2->C_Initialize(NULL), CKR_OK);
	assert_int_equal(f2->C_GetSlotList(CK_FALSE, NULL, &n), CKR_OK);
	assert_int_equal(n, 0);
	assert_int_equal(f2->C_GetSlotInfo(0, &sli), CKR_SLOT_ID_INVALID);
	assert_int_equal(f2->C_WaitForSlotEvent(CKF_DONT_BLOCK, &id, NULL), CKR_NO_EVENT);
	assert_int_equal(f2->C_Finalize(NULL), CKR_OK);
	unsetenv("PCSCLITE_CSOCK_NAME");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_only_c_symbols_exported),
		cmocka_unit_test(test_function_list_2_40),
		cmocka_unit_test(test_interfaces),
		cmocka_unit_test(test_not_initialized),
		cmocka_unit_test(test_initialize_arguments),
		cmocka_unit_test(test_info_and_bad_handles),
		cmocka_unit_test(test_dead_pcscd),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
