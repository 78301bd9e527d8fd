#!/bin/sh
# hcard-pkcs11.so behind `p11-kit server`, used through p11-kit-client.so (how containers and
# sandboxes reach a token): the real suites once more through that transport, in one harness
# run: test_pkcs11_tool.sh, test_pkcs11_gnutls_openssl.sh and test_pkcs11_scenarios.py with
# HCARD_P11_VIA=p11kit. The card image issued at the start is put back before each suite (the
# suites change PINs, write files and lock the PIN). What p11-kit 0.24 cannot carry (the
# mechanisms its RPC does not know, slot events, PKCS#11 3.0 interfaces) is asserted as refused
# by the suites and here; doc/pkcs11.md, "Tests and benchmark", lists it.
set -u

srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
builddir=${top_builddir:-$srcdir}
HCARD_PKCS11=${HCARD_PKCS11:-$builddir/pkcs11/.libs/hcard-pkcs11.so}
export HCARD_PKCS11
. "$srcdir/tests/integration/pkcs11_common.sh"

if [ -z "${HCARD_SIM_CONTROL:-}" ]; then
	p11_in_sim -- "$0" "$@"
	exit $?
fi

fail=0
t=$HCARD_TEST_TMP
check() {
	name=$1; shift
	if "$@"; then echo "ok - via p11-kit: $name"; else echo "not ok - via p11-kit: $name"; fail=1; fi
}
start=$(date +%s.%N)
cp "$HCARD_SIM_IMAGE_CARD" "$t/card-issued.img" || exit 99

XDG_RUNTIME_DIR=$t p11-kit server -f --provider "$HCARD_PKCS11" -n "$t/p11.sock" "pkcs11:" \
	>"$t/server.out" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null' EXIT INT TERM
i=0
while [ ! -S "$t/p11.sock" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
check "p11-kit server listens on $t/p11.sock" test -S "$t/p11.sock"
P11_KIT_SERVER_ADDRESS=unix:path=$t/p11.sock
export P11_KIT_SERVER_ADDRESS

# --- the transport itself ----------------------------------------------------------------------
"$P11_PY" - "$P11KIT_CLIENT" "$HCARD_PKCS11" >"$t/iface.txt" 2>&1 <<'PY'
import ctypes
import sys
import PyKCS11
client, module = ctypes.CDLL(sys.argv[1]), ctypes.CDLL(sys.argv[2])
print("module-3.0", hasattr(module, "C_GetInterfaceList"))
print("client-3.0", hasattr(client, "C_GetInterfaceList"))
lib = PyKCS11.PyKCS11Lib()
lib.load(sys.argv[1])
print("client-version %d.%d" % lib.getInfo().cryptokiVersion)
PY
cat "$t/iface.txt"
# hcard-pkcs11.so is a 3.0 module; p11-kit 0.24's client is a 2.40 one: an application
# reaching the card through it gets C_GetFunctionList only, and the 2.40 functions
if grep -qx "client-3.0 True" "$t/iface.txt"; then
	check "the client exports C_GetInterfaceList (p11-kit newer than 0.24)" \
		grep -qx "client-version 3.*" "$t/iface.txt"
else
	check "the module is 3.0 (C_GetInterfaceList) but p11-kit 0.24's client is 2.40 (C_GetInfo)" \
		sh -c "grep -qx 'module-3.0 True' '$t/iface.txt' && grep -qx 'client-version 2.40' '$t/iface.txt'"
fi

# restore: the card issued at the start back in reader 0 (at the same image path, which the
# scenarios insert again), then wait until a new connection lists its token (bounded)
restore() {
	"$HCARD_SIM" ctl "$HCARD_SIM_CONTROL" remove 0 >/dev/null || return 1
	i=0
	until pkcs11-tool --module "$P11KIT_CLIENT" --list-token-slots 2>&1 | grep -q '^No slots'; do
		i=$((i + 1)); [ $i -lt 50 ] || return 1; sleep 0.1
	done
	sleep 0.3     # a pulled card stays out 600 ms at least (doc/simulator.md)
	cp "$t/card-issued.img" "$HCARD_SIM_IMAGE_CARD" || return 1
	"$HCARD_SIM" ctl "$HCARD_SIM_CONTROL" insert 0 "$HCARD_SIM_IMAGE_CARD" >/dev/null || return 1
	i=0
	until pkcs11-tool --module "$P11KIT_CLIENT" --list-token-slots 2>&1 | grep -q "token label *: $P11_NAME"; do
		i=$((i + 1)); [ $i -lt 50 ] || return 1; sleep 0.1
	done
}

# suite NAME COMMAND...: one suite with HCARD_P11_VIA=p11kit on the card as issued
suite() {
	name=$1; shift
	if [ "$name" != first ]; then
		check "card image restored before $name" restore
	fi
	HCARD_P11_VIA=p11kit "$@"
	rc=$?
	check "suite $(basename "$2") passes through p11-kit (exit $rc)" test $rc -eq 0
}
suite first "${SHELL:-/bin/sh}" "$srcdir/tests/integration/test_pkcs11_tool.sh"
suite gnutls "${SHELL:-/bin/sh}" "$srcdir/tests/integration/test_pkcs11_gnutls_openssl.sh"
suite scenarios "${SHELL:-/bin/sh}" "$srcdir/tests/integration/test_pkcs11_scenarios.sh"

kill $server 2>/dev/null
wait $server 2>/dev/null
trap - EXIT INT TERM
check "p11-kit server logged no error" sh -c "! grep -qi 'error\|critical\|assert' '$t/server.out'"
echo "# p11-kit pass: $(awk "BEGIN { printf \"%.1f\", $(date +%s.%N) - $start }") s"
exit $fail
