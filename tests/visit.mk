# tests of the visit area (DF03 visit records, record codec, certificates)
HC_VISIT_TEST_CFLAGS = $(AM_CFLAGS) $(CRYPTO_CFLAGS) $(CMOCKA_CFLAGS)
HC_VISIT_TEST_LIBS = src/libhcard.la crypto/libhccrypto.la apdu/libhcapdu.la $(CRYPTO_LIBS) $(CMOCKA_LIBS)

# unit: generated table, codec, certificates and signatures (pure functions)
check_PROGRAMS += tests/unit/test_visit_table tests/unit/test_visit_codec tests/unit/test_visit_cert
TESTS += tests/unit/test_visit_table tests/unit/test_visit_codec tests/unit/test_visit_cert \
	tests/unit/test_visit_table_csv.sh
EXTRA_DIST += tests/unit/test_visit_table_csv.sh scripts/gen-visit-table
tests_unit_test_visit_table_SOURCES = tests/unit/test_visit_table.c
tests_unit_test_visit_table_CFLAGS = $(HC_VISIT_TEST_CFLAGS)
tests_unit_test_visit_table_LDADD = $(HC_VISIT_TEST_LIBS)
tests_unit_test_visit_codec_SOURCES = tests/unit/test_visit_codec.c
tests_unit_test_visit_codec_CFLAGS = $(HC_VISIT_TEST_CFLAGS)
tests_unit_test_visit_codec_LDADD = $(HC_VISIT_TEST_LIBS)
tests_unit_test_visit_cert_SOURCES = tests/unit/test_visit_cert.c
tests_unit_test_visit_cert_CFLAGS = $(HC_VISIT_TEST_CFLAGS)
tests_unit_test_visit_cert_LDADD = $(HC_VISIT_TEST_LIBS)

# integration: through pcscd + vpcd + hcard-sim (run under tests/harness/with-sim)
check_PROGRAMS += tests/integration/test_visit_card
TESTS += tests/integration/test_visit_card
tests_integration_test_visit_card_SOURCES = tests/integration/test_visit_card.c \
	tests/integration/test_visit_util.c tests/integration/test_visit_util.h
tests_integration_test_visit_card_CFLAGS = $(HC_VISIT_TEST_CFLAGS)
tests_integration_test_visit_card_LDADD = $(HC_VISIT_TEST_LIBS)

# benchmark (make bench): visit record write/read through pcscd + hcard-sim
EXTRA_PROGRAMS += tests/bench/visit_rw
HC_BENCH += tests/bench/visit_rw
CLEANFILES += tests/bench/visit_rw
tests_bench_visit_rw_SOURCES = tests/bench/visit_rw.c
tests_bench_visit_rw_CFLAGS = $(AM_CFLAGS)
tests_bench_visit_rw_LDADD = src/libhcard.la

# fuzz target: record and certificate bytes from the card (corpus replayed in make check)
HC_VISIT_FUZZ_SOURCES = src/visit_items.c src/visit_table.c src/record_codec.c \
	src/record_codec_text.c src/cert.c src/codec.c
if HC_FUZZING
noinst_PROGRAMS += tests/fuzz/fuzz_visit
else
check_PROGRAMS += tests/fuzz/fuzz_visit
TESTS += tests/fuzz/fuzz_visit
endif
tests_fuzz_fuzz_visit_SOURCES = tests/fuzz/fuzz_visit.c $(HC_FUZZ_MAIN_SRC) $(HC_VISIT_FUZZ_SOURCES) \
	$(HC_APDU_CORE_SOURCES)
tests_fuzz_fuzz_visit_CFLAGS = $(HC_FUZZ_CC) $(CRYPTO_CFLAGS)
tests_fuzz_fuzz_visit_LDFLAGS = $(HC_FUZZ_LINK)
tests_fuzz_fuzz_visit_LDADD = crypto/libhccrypto.la $(CRYPTO_LIBS)
