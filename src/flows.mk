# libhcard sources of the flows area: register, charge, lost/found/replace, block, issue.
# A convenience library (its own flags: jansson) linked into libhcard.
include_HEADERS += include/hcard_flows.h
noinst_HEADERS += src/flow.h
noinst_LTLIBRARIES += src/libhcflows.la
src_libhcflows_la_SOURCES = src/flow_profile.c src/flow_profile_csv.c src/flow_report.c \
	src/flow_common.c src/flow_lock.c src/flow_register.c src/flow_charge.c src/flow_issue.c \
	src/flow_archive.c
src_libhcflows_la_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS) $(PCSC_CFLAGS)
src_libhcflows_la_LIBADD = $(JANSSON_LIBS)
src_libhcard_la_LIBADD += src/libhcflows.la
