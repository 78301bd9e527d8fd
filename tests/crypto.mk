# tests of the crypto area
