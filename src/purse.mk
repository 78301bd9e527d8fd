# libhcard sources of the purse area: the debit application (purse.md), its journalled
# purchases and recovery, the issuer key service.
include_HEADERS += include/hcard_purse.h
noinst_HEADERS += src/purse_int.h
src_libhcard_la_SOURCES += src/purse.c src/purse_codec.c src/purse_charge.c src/purse_issuer.c src/purse_load.c \
	src/purse_pinpad.c
