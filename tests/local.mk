# tests: one fragment per area, owned with the area's code. Programs live in
# tests/unit (pure functions, in-process transport), tests/integration (through pcscd and the
# simulator, run under tests/harness/with-sim), tests/fuzz and tests/bench.
include tests/apdu.mk
include tests/crypto.mk
include tests/sim.mk
include tests/health.mk
include tests/purse.mk
include tests/flows.mk
include tests/pkcs11.mk
include tests/visit.mk
include tests/compat.mk
include tests/pinpad.mk
include tests/nss.mk
