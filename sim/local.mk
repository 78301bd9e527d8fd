# sim: build fragment, included by the top-level Makefile.am
# hcard-sim: card OS + SAM behind vpcd (doc/simulator.md).
bin_PROGRAMS += sim/hcard-sim
noinst_HEADERS += sim/card.h sim/module.h sim/image.h sim/cmds.h sim/profile.h sim/server.h

# The core as a convenience library: file system, dispatch, access conditions, images,
# factory (no vpcd, no main, no modules). Tests link it to build or inspect images.
noinst_LTLIBRARIES += sim/libhcsim.la
sim_libhcsim_la_SOURCES = sim/card.c sim/modules.c sim/dispatch.c sim/fs_cmds.c \
	sim/record_cmds.c sim/life_cmds.c sim/profile.c sim/image.c sim/dump.c
sim_libhcsim_la_CFLAGS = $(AM_CFLAGS) $(CRYPTO_CFLAGS)

sim_hcard_sim_SOURCES = sim/server.c sim/main.c sim/frame.c sim/frame.h
sim_hcard_sim_CFLAGS = $(AM_CFLAGS) $(CRYPTO_CFLAGS)
sim_hcard_sim_LDADD = sim/libhcsim.la crypto/libhccrypto.la apdu/libhcapdu.la $(CRYPTO_LIBS)

# Modules (sim/module.h): each owner adds ONE line below with its sources, e.g.
#   sim_hcard_sim_SOURCES += sim/purse.c sim/purse_tx.c
# (module objects are linked directly, so the core's weak references find them).
sim_hcard_sim_SOURCES += sim/pki.c sim/pki.h sim/pki_issue.c
sim_hcard_sim_SOURCES += sim/security.c sim/security_sm.c sim/security.h sim/sam.c sim/sam_cmds.c sim/sam.h sim/keyset.c sim/keyset_table.c sim/keyset_demo.c sim/keyset.h sim/cert.c sim/cert.h
EXTRA_DIST += sim/demo.keyset
sim_hcard_sim_SOURCES += sim/purse.h sim/purse.c sim/purse_tx.c sim/psam.c

# The PIN-pad reader driver for pcscd (doc/simulator.md "PIN-pad reader"): a shared module
# that is never installed; tests/harness/with-sim --pinpad loads sim/ifd/.libs/libifdhcardsim.so.
# apdu/buf.c is compiled in (bounded reader, hc_wipe); no libpcsclite inside pcscd.
noinst_LTLIBRARIES += sim/ifd/libifdhcardsim.la
noinst_HEADERS += sim/ifd/pinblock.h sim/ifd/keypad.h
sim_ifd_libifdhcardsim_la_SOURCES = sim/ifd/ifd-hcardsim.c sim/ifd/pinblock.c sim/ifd/keypad.c sim/frame.c \
	apdu/buf.c
sim_ifd_libifdhcardsim_la_CFLAGS = $(AM_CFLAGS) $(PCSC_CFLAGS)
sim_ifd_libifdhcardsim_la_LDFLAGS = -module -avoid-version -shared \
	-rpath $(abs_builddir)/sim/ifd -export-symbols-regex '^IFDH'
