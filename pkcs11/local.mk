# pkcs11: build fragment, included by the top-level Makefile.am
# hcard-pkcs11.so: a PKCS#11 3.0 module (2.40 compatible) over libhcard. Only the C_*
# functions are exported (symbol version script); the p11-kit module file is installed.
lib_LTLIBRARIES += pkcs11/hcard-pkcs11.la
pkcs11_hcard_pkcs11_la_SOURCES = pkcs11/p11.h pkcs11/p11_v3.h pkcs11/module.c \
	pkcs11/slot.c pkcs11/session.c pkcs11/object.c pkcs11/sign.c pkcs11/verify.c pkcs11/data.c \
	pkcs11/unsupported.c
pkcs11_hcard_pkcs11_la_CFLAGS = $(AM_CFLAGS) $(P11KIT_CFLAGS) $(PCSC_CFLAGS) $(CRYPTO_CFLAGS) \
	-pthread
pkcs11_hcard_pkcs11_la_LIBADD = src/libhcard.la $(PCSC_LIBS) $(CRYPTO_LIBS)
pkcs11_hcard_pkcs11_la_LDFLAGS = -module -avoid-version -shared -no-undefined -pthread \
	-Wl,--version-script=$(top_srcdir)/pkcs11/hcard-pkcs11.map
EXTRA_pkcs11_hcard_pkcs11_la_DEPENDENCIES = $(top_srcdir)/pkcs11/hcard-pkcs11.map
EXTRA_DIST += pkcs11/hcard-pkcs11.map pkcs11/hcard-pkcs11.module.in

# make install: the p11-kit module file naming the installed module
p11kitmodule_DATA = pkcs11/hcard-pkcs11.module
CLEANFILES += pkcs11/hcard-pkcs11.module
pkcs11/hcard-pkcs11.module: $(top_srcdir)/pkcs11/hcard-pkcs11.module.in Makefile
	$(AM_V_GEN)$(MKDIR_P) pkcs11 && sed -e 's|@libdir[@]|$(libdir)|g' \
		$(top_srcdir)/pkcs11/hcard-pkcs11.module.in > $@
