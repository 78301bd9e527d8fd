# tests of the visit area (DF03 visit records, record codec, certificates)
