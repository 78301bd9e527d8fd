# compat: tests of the national reader interface (libwsbrw)
HC_COMPAT_TEST_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) $(PCSC_CFLAGS)

# unit: the hc_err_t -> 101-113 table (pure)
check_PROGRAMS += tests/unit/test_compat_errmap
TESTS += tests/unit/test_compat_errmap
tests_unit_test_compat_errmap_SOURCES = tests/unit/test_compat_errmap.c compat/errmap.c
tests_unit_test_compat_errmap_CFLAGS = $(HC_COMPAT_TEST_CFLAGS)
tests_unit_test_compat_errmap_LDADD = src/libhcard.la $(CMOCKA_LIBS)

# integration: a HIS calling the national functions through pcscd + vpcd + hcard-sim;
# registered once libhcard links the card session (src/session.c)
EXTRA_DIST += tests/integration/test_compat_his.c
