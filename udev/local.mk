# udev: build fragment, included by the top-level Makefile.am
# Reader rules: USB CCID readers (interface class 0x0B) open to group pcscd.
dist_udevrules_DATA = udev/60-hcard-ccid.rules
