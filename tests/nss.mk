# hcard-pkcs11.so through NSS's tools (certutil, modutil from libnss3-tools), the way Firefox
# loads PKCS#11 modules (doc/pkcs11.md, "Tests and benchmark"); enters with-sim itself
TESTS += tests/integration/test_pkcs11_nss.sh
EXTRA_DIST += tests/integration/test_pkcs11_nss.sh
