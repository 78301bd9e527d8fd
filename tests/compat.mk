# compat: tests of the national reader interface (libwsbrw)
HC_COMPAT_TEST_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) $(PCSC_CFLAGS)

# unit: the hc_err_t -> 101-113 table (pure)
check_PROGRAMS += tests/unit/test_compat_errmap
TESTS += tests/unit/test_compat_errmap
tests_unit_test_compat_errmap_SOURCES = tests/unit/test_compat_errmap.c compat/errmap.c
tests_unit_test_compat_errmap_CFLAGS = $(HC_COMPAT_TEST_CFLAGS)
tests_unit_test_compat_errmap_LDADD = src/libhcard.la $(CMOCKA_LIBS)

# unit: the terminal's own SAM calls against an in-process fake SAM (fault injection)
check_PROGRAMS += tests/unit/test_terminal_sam
TESTS += tests/unit/test_terminal_sam
tests_unit_test_terminal_sam_SOURCES = tests/unit/test_terminal_sam.c
tests_unit_test_terminal_sam_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_terminal_sam_LDADD = src/libhcard.la $(CMOCKA_LIBS)

# integration: a HIS calling the national functions through pcscd + vpcd + hcard-sim
check_PROGRAMS += tests/integration/test_compat_his tests/integration/test_compat_visit
TESTS += tests/integration/test_compat_his tests/integration/test_compat_visit \
	tests/unit/test_compat_symbols.sh
EXTRA_DIST += tests/unit/test_compat_symbols.sh
tests_integration_test_compat_his_SOURCES = tests/integration/test_compat_his.c \
	tests/integration/test_compat_util.c tests/integration/test_compat_util.h
tests_integration_test_compat_his_CFLAGS = $(HC_COMPAT_TEST_CFLAGS) -pthread
tests_integration_test_compat_his_LDFLAGS = -pthread
tests_integration_test_compat_his_LDADD = compat/libwsbrw.la src/libhcard.la $(CMOCKA_LIBS)
tests_integration_test_compat_visit_SOURCES = tests/integration/test_compat_visit.c \
	tests/integration/test_compat_util.c tests/integration/test_compat_util.h
tests_integration_test_compat_visit_CFLAGS = $(HC_COMPAT_TEST_CFLAGS)
tests_integration_test_compat_visit_LDADD = compat/libwsbrw.la src/libhcard.la $(CMOCKA_LIBS)

# the SAM functions for the HIS itself (certificate, SM2 signature, PIN change), checked
# with OpenSSL EVP; blocks the SAM's PIN at the end (its own simulator, like every test)
check_PROGRAMS += tests/integration/test_compat_sam
TESTS += tests/integration/test_compat_sam
tests_integration_test_compat_sam_SOURCES = tests/integration/test_compat_sam.c \
	tests/integration/test_compat_util.c tests/integration/test_compat_util.h
tests_integration_test_compat_sam_CFLAGS = $(HC_COMPAT_TEST_CFLAGS) $(CRYPTO_CFLAGS)
tests_integration_test_compat_sam_LDADD = compat/libwsbrw.la src/libhcard.la $(CMOCKA_LIBS) \
	$(CRYPTO_LIBS)

# benchmark (make bench): time and APDUs per national call
EXTRA_PROGRAMS += tests/bench/compat_his
HC_BENCH += tests/bench/compat_his
CLEANFILES += tests/bench/compat_his
tests_bench_compat_his_SOURCES = tests/bench/compat_his.c
tests_bench_compat_his_CFLAGS = $(AM_CFLAGS)
tests_bench_compat_his_LDADD = compat/libwsbrw.la
