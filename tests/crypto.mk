# tests of the crypto area
# Unit tests of crypto/ (pure functions): published vectors and OpenSSL EVP cross-checks.
HC_CRYPTO_TEST_LIBS = crypto/libhccrypto.la apdu/libhcapdu.la $(CRYPTO_LIBS) $(CMOCKA_LIBS)
HC_CRYPTO_TEST_CFLAGS = $(AM_CFLAGS) $(CRYPTO_CFLAGS) $(CMOCKA_CFLAGS)

check_PROGRAMS += tests/unit/test_crypto_sym tests/unit/test_crypto_des tests/unit/test_crypto_ec
TESTS += tests/unit/test_crypto_sym tests/unit/test_crypto_des tests/unit/test_crypto_ec

tests_unit_test_crypto_sym_SOURCES = tests/unit/test_crypto_sym.c
tests_unit_test_crypto_sym_CFLAGS = $(HC_CRYPTO_TEST_CFLAGS)
tests_unit_test_crypto_sym_LDADD = $(HC_CRYPTO_TEST_LIBS)
tests_unit_test_crypto_des_SOURCES = tests/unit/test_crypto_des.c
tests_unit_test_crypto_des_CFLAGS = $(HC_CRYPTO_TEST_CFLAGS)
tests_unit_test_crypto_des_LDADD = $(HC_CRYPTO_TEST_LIBS)
tests_unit_test_crypto_ec_SOURCES = tests/unit/test_crypto_ec.c
tests_unit_test_crypto_ec_CFLAGS = $(HC_CRYPTO_TEST_CFLAGS)
tests_unit_test_crypto_ec_LDADD = $(HC_CRYPTO_TEST_LIBS)

# Integration tests of the simulator's keys, SAM and secure messaging (crypto-sam): C programs
# under tests/integration/ run inside tests/harness/with-sim (LOG_COMPILER of tests/sim.mk).
HC_SEC_TEST_LIBS = crypto/libhccrypto.la apdu/libhcapdu.la $(PCSC_LIBS) $(CRYPTO_LIBS) \
	$(CMOCKA_LIBS)
HC_SEC_TEST_CFLAGS = $(AM_CFLAGS) $(PCSC_CFLAGS) $(CRYPTO_CFLAGS) $(CMOCKA_CFLAGS)
HC_SEC_TEST_COMMON = tests/integration/test_sec_common.c tests/integration/test_sec_common.h

check_PROGRAMS += tests/integration/test_sec_auth tests/integration/test_sec_sam \
	tests/integration/test_sec_sm tests/integration/test_sec_life
TESTS += tests/integration/test_sec_auth tests/integration/test_sec_sam \
	tests/integration/test_sec_sm tests/integration/test_sec_life \
	tests/integration/test_sec_keyset.sh
EXTRA_DIST += tests/integration/test_sec_keyset.sh

tests_integration_test_sec_auth_SOURCES = tests/integration/test_sec_auth.c $(HC_SEC_TEST_COMMON)
tests_integration_test_sec_auth_CFLAGS = $(HC_SEC_TEST_CFLAGS)
tests_integration_test_sec_auth_LDADD = $(HC_SEC_TEST_LIBS)
tests_integration_test_sec_sam_SOURCES = tests/integration/test_sec_sam.c $(HC_SEC_TEST_COMMON)
tests_integration_test_sec_sam_CFLAGS = $(HC_SEC_TEST_CFLAGS)
tests_integration_test_sec_sam_LDADD = $(HC_SEC_TEST_LIBS)
tests_integration_test_sec_sm_SOURCES = tests/integration/test_sec_sm.c $(HC_SEC_TEST_COMMON)
tests_integration_test_sec_sm_CFLAGS = $(HC_SEC_TEST_CFLAGS)
tests_integration_test_sec_sm_LDADD = $(HC_SEC_TEST_LIBS)
tests_integration_test_sec_life_SOURCES = tests/integration/test_sec_life.c $(HC_SEC_TEST_COMMON)
tests_integration_test_sec_life_CFLAGS = $(HC_SEC_TEST_CFLAGS)
tests_integration_test_sec_life_LDADD = $(HC_SEC_TEST_LIBS)

# benchmark (make bench): crypto/ primitives and authentication through pcscd + hcard-sim
EXTRA_PROGRAMS += tests/bench/sec_auth
HC_BENCH += tests/bench/sec_auth
CLEANFILES += tests/bench/sec_auth
tests_bench_sec_auth_SOURCES = tests/bench/sec_auth.c $(HC_SEC_TEST_COMMON)
tests_bench_sec_auth_CFLAGS = $(HC_SEC_TEST_CFLAGS) -DHC_TOP_SRCDIR='"$(abs_top_srcdir)"' \
	-DHC_TOP_BUILDDIR='"$(abs_top_builddir)"'
tests_bench_sec_auth_LDADD = $(HC_SEC_TEST_LIBS)
