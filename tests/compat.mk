# compat: tests of the national reader interface (libwsbrw)
