# tests of the apdu area
