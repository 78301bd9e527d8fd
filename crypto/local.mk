# crypto: build fragment, included by the top-level Makefile.am
# libhccrypto: OpenSSL 3 wrappers shared by libhcard and hcard-sim (crypto/crypto.h).
# Logs through apdu/log.h: link apdu/libhcapdu.la beside it.
noinst_LTLIBRARIES += crypto/libhccrypto.la
crypto_libhccrypto_la_SOURCES = crypto/crypto.h crypto/evp_cipher.h \
	crypto/sym.c crypto/des.c crypto/ec.c crypto/x509.h crypto/x509.c
crypto_libhccrypto_la_CFLAGS = $(AM_CFLAGS) $(CRYPTO_CFLAGS)
crypto_libhccrypto_la_LIBADD = $(CRYPTO_LIBS)
