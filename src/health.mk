# libhcard sources of the health area: context, terminal, card session, profile tables,
# codecs and the typed health files (DDF1, DF01, DF02).
include_HEADERS += include/hcard.h include/hcard_err.h include/hcard_health.h
noinst_HEADERS += src/session.h src/session_sec.h src/context.h src/conf.h src/codec.h \
	src/profile.h src/health_io.h
src_libhcard_la_SOURCES += src/codec.c src/idnum.c src/profile.c \
	src/config.c src/context.c src/terminal.c src/session.c src/session_auth.c \
	src/health_io.c src/health.c src/health_photo.c
