# tests: each area has its own fragment, owned with its code.
include tests/unit/local.mk
include tests/integration/local.mk
include tests/fuzz/local.mk
include tests/bench/local.mk
