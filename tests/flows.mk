# tests of the flows area (store, flows, hcard CLI)
HC_STORE_TEST_LIBS = src/libhcstore.la apdu/libhcapdu.la $(SQLITE_LIBS) $(PQ_LIBS) $(CRYPTO_LIBS) $(CMOCKA_LIBS)

check_PROGRAMS += tests/unit/test_store
TESTS += tests/unit/test_store tests/integration/test_store_pg.sh
tests_unit_test_store_SOURCES = tests/unit/test_store.c
tests_unit_test_store_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_store_LDADD = $(HC_STORE_TEST_LIBS)
