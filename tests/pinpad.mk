# tests of PIN-pad support (doc/pkcs11.md "PIN pads"): apdu/pinpad.c, PKCS#11 protected
# authentication path, through the PIN-pad reader driver of the simulator (with-sim --pinpad)

HC_PINPAD_UNIT_TESTS = tests/unit/test_pinpad
check_PROGRAMS += $(HC_PINPAD_UNIT_TESTS)
TESTS += $(HC_PINPAD_UNIT_TESTS)
tests_unit_test_pinpad_SOURCES = tests/unit/test_pinpad.c
tests_unit_test_pinpad_CFLAGS = $(AM_CFLAGS) $(PCSC_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_pinpad_LDADD = apdu/libhcapdu.la $(PCSC_LIBS) $(CMOCKA_LIBS)

# libhcard's pad verify of the PKI application (in-process card and fake pad)
check_PROGRAMS += tests/unit/test_pki_pinpad
TESTS += tests/unit/test_pki_pinpad
tests_unit_test_pki_pinpad_SOURCES = tests/unit/test_pki_pinpad.c tests/unit/fake_io.c tests/unit/fake_io.h
tests_unit_test_pki_pinpad_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_pki_pinpad_LDADD = src/libhcard.la $(CMOCKA_LIBS)

# hcard-pkcs11 on the simulator's PIN-pad reader and on a plain one (through pcscd)
TESTS += tests/integration/test_pkcs11_pinpad.sh
EXTRA_DIST += tests/integration/test_pkcs11_pinpad.sh tests/integration/test_pkcs11_pinpad.py

# fuzz target of the reader's feature list parser, hc_pinpad_find_feature (corpus replayed in
# make check; a libFuzzer binary with --enable-fuzzing, tests/fuzz/README.md)
if HC_FUZZING
noinst_PROGRAMS += tests/fuzz/fuzz_pinpad_features
else
check_PROGRAMS += tests/fuzz/fuzz_pinpad_features
TESTS += tests/fuzz/fuzz_pinpad_features
endif
tests_fuzz_fuzz_pinpad_features_SOURCES = tests/fuzz/fuzz_pinpad_features.c $(HC_FUZZ_MAIN_SRC) \
	$(HC_APDU_CORE_SOURCES)
tests_fuzz_fuzz_pinpad_features_CFLAGS = $(HC_FUZZ_CC)
tests_fuzz_fuzz_pinpad_features_LDFLAGS = $(HC_FUZZ_LINK)
