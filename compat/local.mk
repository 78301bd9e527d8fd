# compat: libwsbrw, the national reader interface (iDOpenPort, iR_/iW_ ...) over libhcard.
# It exports exactly the national names (compat/libwsbrw.sym).
lib_LTLIBRARIES += compat/libwsbrw.la
include_HEADERS += compat/WSB_RWInterface.h
noinst_HEADERS += compat/compat.h
compat_libwsbrw_la_SOURCES = compat/device.c compat/errmap.c compat/text.c compat/health.c \
	compat/entries.c compat/photo.c compat/visit.c compat/algo.c
compat_libwsbrw_la_CFLAGS = $(AM_CFLAGS) $(PCSC_CFLAGS) -pthread
compat_libwsbrw_la_LIBADD = src/libhcard.la
compat_libwsbrw_la_LDFLAGS = -version-info 0:0:0 -no-undefined -pthread \
	-Wl,--version-script=$(top_srcdir)/compat/libwsbrw.sym
EXTRA_compat_libwsbrw_la_DEPENDENCIES = $(top_srcdir)/compat/libwsbrw.sym
EXTRA_DIST += compat/libwsbrw.sym
