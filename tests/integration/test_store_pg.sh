#!/bin/sh
# The store's unit tests against a real PostgreSQL (throwaway cluster from with-postgres),
# including sync of an SQLite terminal store into it.
set -eu
: "${top_srcdir:?}" "${top_builddir:?}"
exec "$top_srcdir/tests/harness/with-postgres" env HCARD_TEST_PG=1 \
	"$top_builddir/tests/unit/test_store"
