# tools: build fragment, included by the top-level Makefile.am
# hcard: the command-line face of libhcard (doc/hcard.1).
bin_PROGRAMS += tools/hcard
noinst_HEADERS += tools/cli.h
dist_man_MANS += doc/hcard.1
tools_hcard_SOURCES = tools/hcard.c tools/cli_util.c tools/cli_store.c tools/cli_card.c \
	tools/cli_money.c tools/cli_issue.c tools/cli_doctor.c \
	tools/cli_sam.c tools/cli_pin.c
tools_hcard_CPPFLAGS = $(AM_CPPFLAGS) -DSYSCONFDIR='"$(sysconfdir)"'
tools_hcard_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS) $(USB_CFLAGS) $(PCSC_CFLAGS)
tools_hcard_LDADD = src/libhcard.la $(JANSSON_LIBS) $(USB_LIBS)
EXTRA_DIST += doc/hcard.conf.sample
