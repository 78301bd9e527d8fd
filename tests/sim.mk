# tests of the sim area: the harness helper, the card OS through pcscd + vpcd.

# Waits for readers and cards (tests/harness/with-sim); built by `make` for scripts/demo.
noinst_PROGRAMS += tests/harness/hc-wait-readers
tests_harness_hc_wait_readers_SOURCES = tests/harness/hc-wait-readers.c
tests_harness_hc_wait_readers_CFLAGS = $(AM_CFLAGS) $(PCSC_CFLAGS)
tests_harness_hc_wait_readers_LDADD = $(PCSC_LIBS)

# Extension-less tests: those under integration/ run inside the harness (doc/simulator.md).
LOG_COMPILER = $(SHELL) $(top_srcdir)/tests/harness/run-test

# Card tests (doc/simulator.md): C programs under integration/ run inside with-sim.
SIM_TEST_LIBS = sim/libhcsim.la crypto/libhccrypto.la apdu/libhcapdu.la \
	$(CMOCKA_LIBS) $(PCSC_LIBS) $(CRYPTO_LIBS)
SIM_TEST_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS) $(PCSC_CFLAGS)
SIM_TEST_UTIL = tests/integration/test_sim_util.c tests/integration/test_sim_util.h

check_PROGRAMS += tests/integration/test_sim_fs tests/integration/test_sim_slots \
	tests/integration/test_sim_persist
tests_integration_test_sim_fs_SOURCES = tests/integration/test_sim_fs.c $(SIM_TEST_UTIL)
tests_integration_test_sim_fs_CFLAGS = $(SIM_TEST_CFLAGS)
tests_integration_test_sim_fs_LDADD = $(SIM_TEST_LIBS)
tests_integration_test_sim_slots_SOURCES = tests/integration/test_sim_slots.c $(SIM_TEST_UTIL)
tests_integration_test_sim_slots_CFLAGS = $(SIM_TEST_CFLAGS)
tests_integration_test_sim_slots_LDADD = $(SIM_TEST_LIBS)
tests_integration_test_sim_persist_SOURCES = tests/integration/test_sim_persist.c \
	$(SIM_TEST_UTIL)
tests_integration_test_sim_persist_CFLAGS = $(SIM_TEST_CFLAGS)
tests_integration_test_sim_persist_LDADD = $(SIM_TEST_LIBS)

TESTS += tests/integration/test_sim_fs tests/integration/test_sim_slots \
	tests/integration/test_sim_persist \
	tests/integration/test_sim_opensc.sh tests/integration/test_sim_harness.sh \
	tests/integration/test_sim_reconnect.sh
EXTRA_DIST += tests/integration/test_sim_opensc.sh tests/integration/test_sim_harness.sh \
	tests/integration/test_sim_reconnect.sh

# The card OS in process, with test doubles of the keys module (no pcscd).
check_PROGRAMS += tests/unit/test_sim_core
tests_unit_test_sim_core_SOURCES = tests/unit/test_sim_core.c
tests_unit_test_sim_core_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_sim_core_LDADD = sim/libhcsim.la crypto/libhccrypto.la apdu/libhcapdu.la \
	$(CMOCKA_LIBS) $(PCSC_LIBS) $(CRYPTO_LIBS)
TESTS += tests/unit/test_sim_core

# The PIN-pad reader driver (sim/ifd, doc/simulator.md "PIN-pad reader"): its pure parts, and
# the driver through pcscd under with-sim --pinpad (the .sh enters the harness with the option).
check_PROGRAMS += tests/unit/test_ifd_pinblock tests/integration/test_sim_pinpad
tests_unit_test_ifd_pinblock_SOURCES = tests/unit/test_ifd_pinblock.c sim/ifd/pinblock.c \
	apdu/buf.c
tests_unit_test_ifd_pinblock_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_ifd_pinblock_LDADD = $(CMOCKA_LIBS)
tests_integration_test_sim_pinpad_SOURCES = tests/integration/test_sim_pinpad.c \
	$(SIM_TEST_UTIL)
tests_integration_test_sim_pinpad_CFLAGS = $(SIM_TEST_CFLAGS)
tests_integration_test_sim_pinpad_LDADD = $(SIM_TEST_LIBS)
TESTS += tests/unit/test_ifd_pinblock tests/integration/test_sim_pinpad.sh
EXTRA_DIST += tests/integration/test_sim_pinpad.sh

# fuzz target of the PIN-pad reader's structure parser (corpus replayed in make check)
if HC_FUZZING
noinst_PROGRAMS += tests/fuzz/fuzz_ifd_pinblock
else
check_PROGRAMS += tests/fuzz/fuzz_ifd_pinblock
TESTS += tests/fuzz/fuzz_ifd_pinblock
endif
tests_fuzz_fuzz_ifd_pinblock_SOURCES = tests/fuzz/fuzz_ifd_pinblock.c $(HC_FUZZ_MAIN_SRC) \
	sim/ifd/pinblock.c apdu/buf.c
tests_fuzz_fuzz_ifd_pinblock_CFLAGS = $(HC_FUZZ_CC)
tests_fuzz_fuzz_ifd_pinblock_LDFLAGS = $(HC_FUZZ_LINK)
