# tests of the pkcs11 area (doc/pkcs11.md, "Tests and benchmark")

# the simulator's PKI application with raw APDUs through pcscd + vpcd (enters with-sim)
TESTS += tests/integration/test_pkcs11_sim_pki.sh
EXTRA_DIST += tests/integration/pkcs11_common.sh tests/integration/test_pkcs11_sim_pki.sh
