# libhcard sources of the health area: context, terminal, card session, profile tables,
# codecs and the typed health files (DDF1, DF01, DF02).
include_HEADERS += include/hcard.h include/hcard_err.h include/hcard_health.h
noinst_HEADERS += src/session.h src/codec.h src/profile.h
src_libhcard_la_SOURCES += src/codec.c src/idnum.c src/profile.c
