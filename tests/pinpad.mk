# tests of PIN-pad support (doc/pkcs11.md "PIN pads"): apdu/pinpad.c, PKCS#11 protected
# authentication path, through the PIN-pad reader driver of the simulator (with-sim --pinpad)
