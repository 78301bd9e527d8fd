# tests of the crypto area
# Unit tests of crypto/ (pure functions): published vectors and OpenSSL EVP cross-checks.
HC_CRYPTO_TEST_LIBS = crypto/libhccrypto.la apdu/libhcapdu.la $(CRYPTO_LIBS) $(CMOCKA_LIBS)
HC_CRYPTO_TEST_CFLAGS = $(AM_CFLAGS) $(CRYPTO_CFLAGS) $(CMOCKA_CFLAGS)

check_PROGRAMS += tests/unit/test_crypto_sym tests/unit/test_crypto_des tests/unit/test_crypto_ec
TESTS += tests/unit/test_crypto_sym tests/unit/test_crypto_des tests/unit/test_crypto_ec

tests_unit_test_crypto_sym_SOURCES = tests/unit/test_crypto_sym.c
tests_unit_test_crypto_sym_CFLAGS = $(HC_CRYPTO_TEST_CFLAGS)
tests_unit_test_crypto_sym_LDADD = $(HC_CRYPTO_TEST_LIBS)
tests_unit_test_crypto_des_SOURCES = tests/unit/test_crypto_des.c
tests_unit_test_crypto_des_CFLAGS = $(HC_CRYPTO_TEST_CFLAGS)
tests_unit_test_crypto_des_LDADD = $(HC_CRYPTO_TEST_LIBS)
tests_unit_test_crypto_ec_SOURCES = tests/unit/test_crypto_ec.c
tests_unit_test_crypto_ec_CFLAGS = $(HC_CRYPTO_TEST_CFLAGS)
tests_unit_test_crypto_ec_LDADD = $(HC_CRYPTO_TEST_LIBS)
