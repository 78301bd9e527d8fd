# tests of the health area (libhcard core: codecs, ID numbers, profile, session, health files)
HC_HEALTH_UNIT_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)

check_PROGRAMS += tests/unit/test_codec tests/unit/test_idnum tests/unit/test_profile
TESTS += tests/unit/test_codec tests/unit/test_idnum tests/unit/test_profile

# Pure functions: the sources are compiled into the tests (no card, no PC/SC).
tests_unit_test_codec_SOURCES = tests/unit/test_codec.c src/codec.c src/codec.h
tests_unit_test_codec_CFLAGS = $(HC_HEALTH_UNIT_CFLAGS)
tests_unit_test_codec_LDADD = $(CMOCKA_LIBS)
tests_unit_test_idnum_SOURCES = tests/unit/test_idnum.c src/idnum.c src/codec.c
tests_unit_test_idnum_CFLAGS = $(HC_HEALTH_UNIT_CFLAGS)
tests_unit_test_idnum_LDADD = $(CMOCKA_LIBS)
tests_unit_test_profile_SOURCES = tests/unit/test_profile.c src/profile.c src/profile.h
tests_unit_test_profile_CFLAGS = $(HC_HEALTH_UNIT_CFLAGS)
tests_unit_test_profile_LDADD = $(CMOCKA_LIBS)
check_PROGRAMS += tests/unit/test_conf
TESTS += tests/unit/test_conf
tests_unit_test_conf_SOURCES = tests/unit/test_conf.c src/config.c src/conf.h
tests_unit_test_conf_CFLAGS = $(HC_HEALTH_UNIT_CFLAGS)
tests_unit_test_conf_LDADD = $(CMOCKA_LIBS)

# The session against in-process fakes of the card and the SAM (fault injection).
check_PROGRAMS += tests/unit/test_session
TESTS += tests/unit/test_session
tests_unit_test_session_SOURCES = tests/unit/test_session.c tests/unit/fake_io.c tests/unit/fake_io.h
tests_unit_test_session_CFLAGS = $(HC_HEALTH_UNIT_CFLAGS)
tests_unit_test_session_LDADD = src/libhcard.la $(CMOCKA_LIBS)

# Card tests through pcscd + vpcd + hcard-sim (run inside tests/harness/with-sim).
HC_HEALTH_IT_SOURCES = tests/integration/test_health_util.c tests/integration/test_health_util.h
HC_HEALTH_IT_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
HC_HEALTH_IT_LIBS = src/libhcard.la $(CMOCKA_LIBS)
check_PROGRAMS += tests/integration/test_health_rw
TESTS += tests/integration/test_health_rw
tests_integration_test_health_rw_SOURCES = tests/integration/test_health_rw.c $(HC_HEALTH_IT_SOURCES)
tests_integration_test_health_rw_CFLAGS = $(HC_HEALTH_IT_CFLAGS)
tests_integration_test_health_rw_LDADD = $(HC_HEALTH_IT_LIBS)
check_PROGRAMS += tests/integration/test_health_sam
TESTS += tests/integration/test_health_sam
tests_integration_test_health_sam_SOURCES = tests/integration/test_health_sam.c $(HC_HEALTH_IT_SOURCES)
tests_integration_test_health_sam_CFLAGS = $(HC_HEALTH_IT_CFLAGS)
tests_integration_test_health_sam_LDADD = $(HC_HEALTH_IT_LIBS)

# Benchmark (make bench): APDUs and time of the front-desk read and of the whole card.
EXTRA_PROGRAMS += tests/bench/health_read
HC_BENCH += tests/bench/health_read
CLEANFILES += tests/bench/health_read
tests_bench_health_read_SOURCES = tests/bench/health_read.c
tests_bench_health_read_CFLAGS = $(AM_CFLAGS)
tests_bench_health_read_LDADD = src/libhcard.la
