# tests of the sim area
