# libhcard sources of the pki area: the PKI application (pki.md), include/hcard_pki.h
include_HEADERS += include/hcard_pki.h
src_libhcard_la_SOURCES += src/pki.c
