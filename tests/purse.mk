# tests of the purse area (debit application, PSAM, purse API, journal recovery).

# Unit: the simulator's debit application and PSAM driven in-process through sim_dispatch,
# every MAC/TAC/session key recomputed with OpenSSL EVP; the issuer key service.
check_PROGRAMS += tests/unit/test_purse_sim
TESTS += tests/unit/test_purse_sim
tests_unit_test_purse_sim_SOURCES = tests/unit/test_purse_sim.c \
	sim/keyset.c sim/keyset_demo.c sim/keyset_table.c sim/cert.c \
	sim/purse.h sim/purse.c sim/purse_tx.c sim/psam.c src/purse_issuer.c
tests_unit_test_purse_sim_CFLAGS = $(AM_CFLAGS) $(CRYPTO_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_purse_sim_LDADD = sim/libhcsim.la crypto/libhccrypto.la apdu/libhcapdu.la $(CRYPTO_LIBS) $(CMOCKA_LIBS)

# Unit: pure helpers of the library (PIN block, BCD, date/time).
check_PROGRAMS += tests/unit/test_purse_codec
TESTS += tests/unit/test_purse_codec
tests_unit_test_purse_codec_SOURCES = tests/unit/test_purse_codec.c src/purse_codec.c
tests_unit_test_purse_codec_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_purse_codec_LDADD = apdu/libhcapdu.la $(CMOCKA_LIBS)

# Integration: through pcscd + vpcd + hcard-sim (tests/harness/with-sim via run-test).
HC_PURSE_IT_CFLAGS = $(AM_CFLAGS) $(CRYPTO_CFLAGS) $(CMOCKA_CFLAGS)
HC_PURSE_IT_LIBS = src/libhcard.la crypto/libhccrypto.la apdu/libhcapdu.la $(CRYPTO_LIBS) $(CMOCKA_LIBS)
HC_PURSE_IT_UTIL = tests/integration/test_purse_util.c tests/integration/test_purse_util.h

check_PROGRAMS += tests/integration/test_purse_card
TESTS += tests/integration/test_purse_card
tests_integration_test_purse_card_SOURCES = tests/integration/test_purse_card.c $(HC_PURSE_IT_UTIL)
tests_integration_test_purse_card_CFLAGS = $(HC_PURSE_IT_CFLAGS)
tests_integration_test_purse_card_LDADD = $(HC_PURSE_IT_LIBS)

check_PROGRAMS += tests/integration/test_purse_tear
TESTS += tests/integration/test_purse_tear
tests_integration_test_purse_tear_SOURCES = tests/integration/test_purse_tear.c $(HC_PURSE_IT_UTIL)
tests_integration_test_purse_tear_CFLAGS = $(HC_PURSE_IT_CFLAGS)
tests_integration_test_purse_tear_LDADD = $(HC_PURSE_IT_LIBS)

check_PROGRAMS += tests/integration/test_purse_procs
TESTS += tests/integration/test_purse_procs
tests_integration_test_purse_procs_SOURCES = tests/integration/test_purse_procs.c $(HC_PURSE_IT_UTIL)
tests_integration_test_purse_procs_CFLAGS = $(HC_PURSE_IT_CFLAGS)
tests_integration_test_purse_procs_LDADD = $(HC_PURSE_IT_LIBS)

# Benchmark (make bench): APDUs and time per charge (EP, ED), balance query, load.
EXTRA_PROGRAMS += tests/bench/purse_bench
HC_BENCH += tests/bench/purse_bench
tests_bench_purse_bench_SOURCES = tests/bench/purse_bench.c $(HC_PURSE_IT_UTIL)
tests_bench_purse_bench_CFLAGS = $(HC_PURSE_IT_CFLAGS)
tests_bench_purse_bench_LDADD = $(HC_PURSE_IT_LIBS)

# Unit: the cardholder PIN on a reader's PIN pad (hc_purse_verify_pin_pad, charges and loads
# with pin_pad): libhcard over in-process transports to the simulator's card OS (user card,
# SAM/PSAM) run in this process, with a fake reader pad (hc_inproc_set_pinpad).
check_PROGRAMS += tests/unit/test_purse_pinpad
TESTS += tests/unit/test_purse_pinpad
tests_unit_test_purse_pinpad_SOURCES = tests/unit/test_purse_pinpad.c \
	sim/keyset.c sim/keyset_demo.c sim/keyset_table.c sim/cert.c sim/security.c \
	sim/security_sm.c sim/sam.c sim/sam_cmds.c sim/purse.c sim/purse_tx.c sim/psam.c
tests_unit_test_purse_pinpad_CFLAGS = $(AM_CFLAGS) $(CRYPTO_CFLAGS) $(SQLITE_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_purse_pinpad_LDADD = src/libhcard.la sim/libhcsim.la crypto/libhccrypto.la \
	apdu/libhcapdu.la $(CRYPTO_LIBS) $(SQLITE_LIBS) $(CMOCKA_LIBS)

# Integration: the PIN on a PIN-pad reader through pcscd, the simulator's PIN-pad reader driver
# and hcard-sim; the .sh enters `with-sim --pinpad` itself for the C program and the CLI part.
check_PROGRAMS += tests/integration/test_purse_pinpad
TESTS += tests/integration/test_purse_pinpad.sh
tests_integration_test_purse_pinpad_SOURCES = tests/integration/test_purse_pinpad.c $(HC_PURSE_IT_UTIL)
tests_integration_test_purse_pinpad_CFLAGS = $(HC_PURSE_IT_CFLAGS)
tests_integration_test_purse_pinpad_LDADD = $(HC_PURSE_IT_LIBS)

# The SQLite store on a tiny tmpfs filled until writes fail (issue 12 item 1): charges and
# loads refused with the store's error before DEBIT/CREDIT, card balance = journal after every
# attempt (a shell test through the hcard CLI; it enters tests/harness/with-sim itself).
TESTS += tests/integration/test_purse_store_full.sh
EXTRA_DIST += tests/integration/test_purse_store_full.sh

# The CLI's input reads bounded (--conf /dev/urandom, --visit /dev/zero) and the process not
# dumpable while PINs may be in memory (issue 12 item 16); needs no card.
TESTS += tests/integration/test_purse_cli_bounds.sh
EXTRA_DIST += tests/integration/test_purse_cli_bounds.sh

# `hcard load` torn at every card APDU before and after execution, then repeated: the torn
# load is decided first in a load's words and never loaded twice (issue 12 item 3).
TESTS += tests/integration/test_purse_load_torn.sh
EXTRA_DIST += tests/integration/test_purse_load_torn.sh

# `hcard charge --visit` with the SAM pulled at each SAM APDU of the visit record: the charge
# is taken once, the CLI says it is done and how to finish (--retry ENTRY); a plain repeat and
# --retry only write the record (issue 12 item 4).
TESTS += tests/integration/test_purse_visit_torn.sh
EXTRA_DIST += tests/integration/test_purse_visit_torn.sh

# `hcard issue` torn at card APDUs (before/after; every APDU of the last steps, a stride
# before them), then run again with the same input: finished, opening balance once, archive
# written, no duplicate allergy (issue 12 items 2 and 5). STRIDE=1 TAIL=200 tries them all.
TESTS += tests/integration/test_purse_issue_torn.sh
EXTRA_DIST += tests/integration/test_purse_issue_torn.sh
