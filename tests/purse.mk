# tests of the purse area
