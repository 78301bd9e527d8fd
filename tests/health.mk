# tests of the health area
