# tests of the flows area
