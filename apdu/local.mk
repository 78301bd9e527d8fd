# apdu: build fragment, included by the top-level Makefile.am
# ISO 7816 / PC/SC layer as a convenience library, linked into libhcard and hcard-sim.
noinst_LTLIBRARIES += apdu/libhcapdu.la
noinst_HEADERS += apdu/apdu.h apdu/buf.h apdu/log.h apdu/pcsc.h apdu/sw.h apdu/tlv.h \
	apdu/transport.h apdu/pinpad.h

# everything but PC/SC: the fuzz targets build from these alone
HC_APDU_CORE_SOURCES = apdu/buf.c apdu/apdu.c apdu/log.c apdu/sw.c apdu/error.c \
	apdu/tlv.c apdu/transport.c apdu/inproc.c apdu/replay.c apdu/pinpad.c

apdu_libhcapdu_la_SOURCES = $(HC_APDU_CORE_SOURCES) apdu/pcsc.c
apdu_libhcapdu_la_CFLAGS = $(AM_CFLAGS) $(PCSC_CFLAGS)
apdu_libhcapdu_la_LIBADD = $(PCSC_LIBS)
