# tests of the pkcs11 area (doc/pkcs11.md, "Tests and benchmark")

# entry points without a card (dlopen of the built module)
check_PROGRAMS += tests/unit/test_p11_module
tests_unit_test_p11_module_SOURCES = tests/unit/test_p11_module.c
tests_unit_test_p11_module_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) $(P11KIT_CFLAGS)
tests_unit_test_p11_module_LDADD = $(CMOCKA_LIBS) -ldl
TESTS += tests/unit/test_p11_module

# issuance and use of the PKI application through libhcard (run under with-sim by run-test)
check_PROGRAMS += tests/integration/test_pkcs11_issue
tests_integration_test_pkcs11_issue_SOURCES = tests/integration/test_pkcs11_issue.c
tests_integration_test_pkcs11_issue_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) $(CRYPTO_CFLAGS)
tests_integration_test_pkcs11_issue_LDADD = src/libhcard.la $(CMOCKA_LIBS) $(CRYPTO_LIBS)
TESTS += tests/integration/test_pkcs11_issue

# concurrency: built here, run by test_pkcs11_threads.sh on a card with PKI keys
check_PROGRAMS += tests/integration/test_pkcs11_threads
tests_integration_test_pkcs11_threads_SOURCES = tests/integration/test_pkcs11_threads.c
tests_integration_test_pkcs11_threads_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) $(P11KIT_CFLAGS) \
	$(CRYPTO_CFLAGS) -pthread
tests_integration_test_pkcs11_threads_LDADD = $(CMOCKA_LIBS) $(CRYPTO_LIBS) -ldl
tests_integration_test_pkcs11_threads_LDFLAGS = -pthread

# consumers of the module through pcscd + vpcd + hcard-sim (each script enters with-sim)
TESTS += tests/integration/test_pkcs11_tool.sh tests/integration/test_pkcs11_scenarios.sh \
	tests/integration/test_pkcs11_threads.sh tests/integration/test_pkcs11_gnutls_openssl.sh \
	tests/integration/test_pkcs11_p11kit.sh
EXTRA_DIST += tests/integration/pkcs11_common.sh tests/integration/p11py.py tests/integration/test_pkcs11_scenarios.py \
	tests/integration/test_pkcs11_tool.sh tests/integration/test_pkcs11_scenarios.sh \
	tests/integration/test_pkcs11_threads.sh tests/integration/test_pkcs11_gnutls_openssl.sh \
	tests/integration/test_pkcs11_p11kit.sh
# conformance return values: session objects, wrong PINs and flags, CKU_SO, C_SeedRandom
TESTS += tests/integration/test_pkcs11_conform.sh
EXTRA_DIST += tests/integration/test_pkcs11_conform.sh tests/integration/test_pkcs11_conform.py

# make bench
EXTRA_PROGRAMS += tests/bench/pkcs11_bench
HC_BENCH += tests/bench/pkcs11_bench
tests_bench_pkcs11_bench_SOURCES = tests/bench/pkcs11_bench.c
tests_bench_pkcs11_bench_CFLAGS = $(AM_CFLAGS) $(P11KIT_CFLAGS)
tests_bench_pkcs11_bench_LDADD = -ldl
TESTS += tests/integration/test_pkcs11_sim_pki.sh
EXTRA_DIST += tests/integration/test_pkcs11_sim_pki.sh

# libhcard's PKI functions against an in-process fake card (fault injection)
check_PROGRAMS += tests/unit/test_p11_pki_io
tests_unit_test_p11_pki_io_SOURCES = tests/unit/test_p11_pki_io.c tests/unit/fake_io.c tests/unit/fake_io.h
tests_unit_test_p11_pki_io_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) $(CRYPTO_CFLAGS)
tests_unit_test_p11_pki_io_LDADD = src/libhcard.la crypto/libhccrypto.la apdu/libhcapdu.la \
	$(CMOCKA_LIBS) $(CRYPTO_LIBS)
TESTS += tests/unit/test_p11_pki_io
