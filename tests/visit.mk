# tests of the visit area (DF03 visit records, record codec, certificates)
HC_VISIT_TEST_CFLAGS = $(AM_CFLAGS) $(CRYPTO_CFLAGS) $(CMOCKA_CFLAGS)
HC_VISIT_TEST_LIBS = src/libhcard.la crypto/libhccrypto.la apdu/libhcapdu.la $(CRYPTO_LIBS) $(CMOCKA_LIBS)

# unit: generated table, codec, certificates and signatures (pure functions)
check_PROGRAMS += tests/unit/test_visit_table tests/unit/test_visit_codec tests/unit/test_visit_cert
TESTS += tests/unit/test_visit_table tests/unit/test_visit_codec tests/unit/test_visit_cert \
	tests/unit/test_visit_table.sh
EXTRA_DIST += tests/unit/test_visit_table.sh scripts/gen-visit-table
tests_unit_test_visit_table_SOURCES = tests/unit/test_visit_table.c
tests_unit_test_visit_table_CFLAGS = $(HC_VISIT_TEST_CFLAGS)
tests_unit_test_visit_table_LDADD = $(HC_VISIT_TEST_LIBS)
tests_unit_test_visit_codec_SOURCES = tests/unit/test_visit_codec.c
tests_unit_test_visit_codec_CFLAGS = $(HC_VISIT_TEST_CFLAGS)
tests_unit_test_visit_codec_LDADD = $(HC_VISIT_TEST_LIBS)
tests_unit_test_visit_cert_SOURCES = tests/unit/test_visit_cert.c
tests_unit_test_visit_cert_CFLAGS = $(HC_VISIT_TEST_CFLAGS)
tests_unit_test_visit_cert_LDADD = $(HC_VISIT_TEST_LIBS)
