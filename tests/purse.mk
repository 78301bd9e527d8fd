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
