# tests of the sim area: the harness helper, the card OS through pcscd + vpcd.

# Waits for readers and cards (tests/harness/with-sim); built by `make` for scripts/demo.
noinst_PROGRAMS += tests/harness/hc-wait-readers
tests_harness_hc_wait_readers_SOURCES = tests/harness/hc-wait-readers.c
tests_harness_hc_wait_readers_CFLAGS = $(AM_CFLAGS) $(PCSC_CFLAGS)
tests_harness_hc_wait_readers_LDADD = $(PCSC_LIBS)

# Extension-less tests: those under integration/ run inside the harness (doc/simulator.md).
LOG_COMPILER = $(SHELL) $(top_srcdir)/tests/harness/run-test
