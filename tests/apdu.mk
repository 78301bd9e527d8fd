# tests of the apdu area
# Unit tests (pure functions and the in-process transport), fuzz targets (replaying their
# corpus in `make check`, or libFuzzer binaries with --enable-fuzzing).
HC_APDU_TEST_CFLAGS = $(AM_CFLAGS) $(PCSC_CFLAGS) $(CMOCKA_CFLAGS) -DTOP_SRCDIR='"$(abs_top_srcdir)"'
HC_APDU_TEST_LIBS = apdu/libhcapdu.la $(PCSC_LIBS) $(CMOCKA_LIBS)

HC_APDU_UNIT_TESTS = tests/unit/test_buf tests/unit/test_apdu tests/unit/test_sw \
	tests/unit/test_transmit tests/unit/test_tlv tests/unit/test_log
check_PROGRAMS += $(HC_APDU_UNIT_TESTS)
TESTS += $(HC_APDU_UNIT_TESTS)

tests_unit_test_buf_SOURCES = tests/unit/test_buf.c
tests_unit_test_buf_CFLAGS = $(HC_APDU_TEST_CFLAGS)
tests_unit_test_buf_LDADD = $(HC_APDU_TEST_LIBS)
tests_unit_test_apdu_SOURCES = tests/unit/test_apdu.c
tests_unit_test_apdu_CFLAGS = $(HC_APDU_TEST_CFLAGS)
tests_unit_test_apdu_LDADD = $(HC_APDU_TEST_LIBS)
tests_unit_test_sw_SOURCES = tests/unit/test_sw.c
tests_unit_test_sw_CFLAGS = $(HC_APDU_TEST_CFLAGS)
tests_unit_test_sw_LDADD = $(HC_APDU_TEST_LIBS)
tests_unit_test_transmit_SOURCES = tests/unit/test_transmit.c
tests_unit_test_transmit_CFLAGS = $(HC_APDU_TEST_CFLAGS)
tests_unit_test_transmit_LDADD = $(HC_APDU_TEST_LIBS)
tests_unit_test_tlv_SOURCES = tests/unit/test_tlv.c
tests_unit_test_tlv_CFLAGS = $(HC_APDU_TEST_CFLAGS)
tests_unit_test_tlv_LDADD = $(HC_APDU_TEST_LIBS)
tests_unit_test_log_SOURCES = tests/unit/test_log.c
tests_unit_test_log_CFLAGS = $(HC_APDU_TEST_CFLAGS)
tests_unit_test_log_LDADD = $(HC_APDU_TEST_LIBS)

# Fuzz targets compile the apdu sources themselves (no PC/SC), so that with
# --enable-fuzzing (CC=clang) the library code is instrumented too.
HC_FUZZ_TARGETS = tests/fuzz/fuzz_tlv tests/fuzz/fuzz_response tests/fuzz/fuzz_apdu
EXTRA_DIST += tests/fuzz/README.md
if HC_FUZZING
HC_FUZZ_CC = $(AM_CFLAGS) -fsanitize=fuzzer,address,undefined -fno-omit-frame-pointer
HC_FUZZ_LINK = -fsanitize=fuzzer,address,undefined
HC_FUZZ_MAIN_SRC =
noinst_PROGRAMS += $(HC_FUZZ_TARGETS)
EXTRA_DIST += tests/fuzz/replay_main.c
else
HC_FUZZ_CC = $(AM_CFLAGS)
HC_FUZZ_LINK =
HC_FUZZ_MAIN_SRC = tests/fuzz/replay_main.c
check_PROGRAMS += $(HC_FUZZ_TARGETS)
TESTS += $(HC_FUZZ_TARGETS)
endif
tests_fuzz_fuzz_tlv_SOURCES = tests/fuzz/fuzz_tlv.c $(HC_FUZZ_MAIN_SRC) $(HC_APDU_CORE_SOURCES)
tests_fuzz_fuzz_tlv_CFLAGS = $(HC_FUZZ_CC)
tests_fuzz_fuzz_tlv_LDFLAGS = $(HC_FUZZ_LINK)
tests_fuzz_fuzz_response_SOURCES = tests/fuzz/fuzz_response.c $(HC_FUZZ_MAIN_SRC) $(HC_APDU_CORE_SOURCES)
tests_fuzz_fuzz_response_CFLAGS = $(HC_FUZZ_CC)
tests_fuzz_fuzz_response_LDFLAGS = $(HC_FUZZ_LINK)
tests_fuzz_fuzz_apdu_SOURCES = tests/fuzz/fuzz_apdu.c $(HC_FUZZ_MAIN_SRC) $(HC_APDU_CORE_SOURCES)
tests_fuzz_fuzz_apdu_CFLAGS = $(HC_FUZZ_CC)
tests_fuzz_fuzz_apdu_LDFLAGS = $(HC_FUZZ_LINK)

# Card test: the PC/SC transport through pcscd + vpcd + hcard-sim (run under with-sim by the
# LOG_COMPILER of tests/sim.mk).
check_PROGRAMS += tests/integration/test_pcsc
TESTS += tests/integration/test_pcsc
# the same tests with the card behind the simulator's PIN-pad reader driver (another IFD handler)
TESTS += tests/integration/test_pcsc_pinpad.sh
EXTRA_DIST += tests/integration/test_pcsc_pinpad.sh
tests_integration_test_pcsc_SOURCES = tests/integration/test_pcsc.c
tests_integration_test_pcsc_CFLAGS = $(HC_APDU_TEST_CFLAGS)
tests_integration_test_pcsc_LDADD = $(HC_APDU_TEST_LIBS)

# Benchmark (make bench): APDU round trip through pcscd + vpcd + hcard-sim.
EXTRA_PROGRAMS += tests/bench/apdu_rtt
HC_BENCH += tests/bench/apdu_rtt
CLEANFILES += tests/bench/apdu_rtt
tests_bench_apdu_rtt_SOURCES = tests/bench/apdu_rtt.c
tests_bench_apdu_rtt_CFLAGS = $(AM_CFLAGS) $(PCSC_CFLAGS)
tests_bench_apdu_rtt_LDADD = apdu/libhcapdu.la $(PCSC_LIBS)
