# libhcard: one installed library; each area lists its sources in its own fragment.
lib_LTLIBRARIES += src/libhcard.la
src_libhcard_la_SOURCES =
src_libhcard_la_CPPFLAGS = $(AM_CPPFLAGS) -DHC_SYSCONFDIR=\"$(sysconfdir)\" -DHC_LOCALSTATEDIR=\"$(localstatedir)\"
src_libhcard_la_CFLAGS = $(AM_CFLAGS) $(PCSC_CFLAGS) $(CRYPTO_CFLAGS) $(SQLITE_CFLAGS) $(PQ_CFLAGS)
src_libhcard_la_LIBADD = apdu/libhcapdu.la crypto/libhccrypto.la $(PCSC_LIBS) $(CRYPTO_LIBS) $(SQLITE_LIBS) $(PQ_LIBS)
src_libhcard_la_LDFLAGS = -version-info 0:0:0 -no-undefined \
	-Wl,--version-script=$(top_srcdir)/src/libhcard.sym
EXTRA_src_libhcard_la_DEPENDENCIES = $(top_srcdir)/src/libhcard.sym
EXTRA_DIST += src/libhcard.sym
include src/health.mk
include src/visit.mk
include src/purse.mk
include src/store.mk
include src/flows.mk
include src/pki.mk
src_libhcard_la_SOURCES += src/terminal_sam.c
