# tests of the pkcs11 area
