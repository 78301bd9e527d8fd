# libhcard sources of the pki area: the PKI application (pki.md), include/hcard_pki.h
include_HEADERS += include/hcard_pki.h
src_libhcard_la_SOURCES += src/pki.c
# the issuer's certificate builder for the card keys (OpenSSL), used by issuance
src_libhcard_la_SOURCES += src/pki_cert.c
