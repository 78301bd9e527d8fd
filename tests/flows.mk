# tests of the flows area (store, flows, hcard CLI)
HC_STORE_TEST_LIBS = src/libhcstore.la apdu/libhcapdu.la $(SQLITE_LIBS) $(PQ_LIBS) $(CRYPTO_LIBS) $(CMOCKA_LIBS)

check_PROGRAMS += tests/unit/test_store
TESTS += tests/unit/test_store tests/integration/test_store_pg.sh
tests_unit_test_store_SOURCES = tests/unit/test_store.c
tests_unit_test_store_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_store_CPPFLAGS = $(AM_CPPFLAGS) -DHC_LOCALSTATEDIR=\"$(localstatedir)\"
tests_unit_test_store_LDADD = $(HC_STORE_TEST_LIBS)

# benchmarks (make bench): blacklist lookups in a 10-million-entry SQLite store
EXTRA_PROGRAMS += tests/bench/flows_blacklist
HC_BENCH += tests/bench/flows_blacklist
CLEANFILES += tests/bench/flows_blacklist
tests_bench_flows_blacklist_SOURCES = tests/bench/flows_blacklist.c
tests_bench_flows_blacklist_CFLAGS = $(AM_CFLAGS) $(SQLITE_CFLAGS)
tests_bench_flows_blacklist_LDADD = src/libhcstore.la apdu/libhcapdu.la $(SQLITE_LIBS) $(PQ_LIBS) $(CRYPTO_LIBS)

check_PROGRAMS += tests/unit/test_flow_profile
TESTS += tests/unit/test_flow_profile
# pure functions: the flows' profile code with the card profile tables and codecs it walks
tests_unit_test_flow_profile_SOURCES = tests/unit/test_flow_profile.c src/codec.c src/idnum.c \
	src/profile.c
tests_unit_test_flow_profile_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_flow_profile_LDADD = src/libhcflows.la src/libhcstore.la apdu/libhcapdu.la \
	$(JANSSON_LIBS) $(SQLITE_LIBS) $(PQ_LIBS) $(CRYPTO_LIBS) $(CMOCKA_LIBS)

# card flows through the hcard CLI, pcscd, vpcd and hcard-sim (each script enters
# tests/harness/with-sim itself; test_flow_sync.sh also tests/harness/with-postgres)
TESTS += tests/integration/test_flow_cli.sh tests/integration/test_flow_batch.sh \
	tests/integration/test_flow_torn.sh tests/integration/test_flow_sync.sh \
	tests/integration/test_flow_pki.sh
# hcard sam info / cert / pin change against raw APDUs of opensc-tool to the same SAM
TESTS += tests/integration/test_flow_cli_sam.sh
# one store for every command ($HCARD_STATE_DIR, else $localstatedir/lib/hcard), lost report by
# the card number alone, bad ID numbers refused, store modes under umask 000 (issue 12 9/12/13)
TESTS += tests/integration/test_flow_store_path.sh
# the cardholder PIN never on the command line: no-echo prompt on a pty, --pin-file, HCARD_PIN
TESTS += tests/integration/test_flow_cli_pin.sh

# the flows' C API (run under with-sim by tests/harness/run-test)
check_PROGRAMS += tests/integration/test_flow_archive
TESTS += tests/integration/test_flow_archive
tests_integration_test_flow_archive_SOURCES = tests/integration/test_flow_archive.c
tests_integration_test_flow_archive_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_integration_test_flow_archive_LDADD = src/libhcard.la $(CMOCKA_LIBS)

# the issuer's certificate builder of the PKI keys (hc_pki_make_certificate), checked with OpenSSL
check_PROGRAMS += tests/unit/test_pki_cert
TESTS += tests/unit/test_pki_cert
tests_unit_test_pki_cert_SOURCES = tests/unit/test_pki_cert.c
tests_unit_test_pki_cert_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) $(CRYPTO_CFLAGS)
tests_unit_test_pki_cert_LDADD = src/libhcard.la $(CMOCKA_LIBS) $(CRYPTO_LIBS)

# hcard.conf keys of bank and issuing stations (issuer_keys, operator, pki_*_ca_*): used from
# the file, overridden by options and environment (enters tests/harness/with-sim itself)
TESTS += tests/integration/test_flow_conf.sh
