# hcard-pkcs11.so through NSS (libnss3-tools' certutil, modutil, tstclnt, and libnss3 itself
# from test_pkcs11_nss.py), the way Firefox loads PKCS#11 modules (doc/pkcs11.md, "Tests and
# benchmark"); the script enters with-sim itself
TESTS += tests/integration/test_pkcs11_nss.sh
EXTRA_DIST += tests/integration/test_pkcs11_nss.sh tests/integration/test_pkcs11_nss.py
