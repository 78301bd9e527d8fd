# libhcard sources of the store area: journal, blacklist, archive; SQLite and PostgreSQL.
# A convenience library so the store's tests need only it (and apdu's log).
noinst_LTLIBRARIES += src/libhcstore.la
src_libhcstore_la_SOURCES = src/store.h src/store_impl.h src/store.c src/store_list.c \
	src/store_sync.c src/store_sqlite.c src/store_pg.c
# the default state directory (hc_state_dir): $localstatedir/lib/hcard
src_libhcstore_la_CPPFLAGS = $(AM_CPPFLAGS) -DHC_LOCALSTATEDIR=\"$(localstatedir)\"
src_libhcstore_la_CFLAGS = $(AM_CFLAGS) $(SQLITE_CFLAGS) $(PQ_CFLAGS) $(CRYPTO_CFLAGS)
src_libhcstore_la_LIBADD = $(SQLITE_LIBS) $(PQ_LIBS) $(CRYPTO_LIBS)
src_libhcard_la_LIBADD += src/libhcstore.la
