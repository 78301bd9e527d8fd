#!/bin/sh
# hcard-pkcs11.so behind `p11-kit server`, used through p11-kit-client.so (how containers and
# sandboxes reach a token): token info, objects, a data object, a CKM_ECDSA signature
# verified by OpenSSL. p11-kit 0.24's RPC forwards only the mechanisms it knows, so
# CKM_ECDSA_SHA256 and the vendor SM2 mechanisms are not offered through it (a p11-kit limit).
set -u

srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
builddir=${top_builddir:-$srcdir}
HCARD_PKCS11=${HCARD_PKCS11:-$builddir/pkcs11/.libs/hcard-pkcs11.so}
export HCARD_PKCS11
. "$srcdir/tests/integration/pkcs11_common.sh"
CLIENT=/usr/lib/x86_64-linux-gnu/pkcs11/p11-kit-client.so

if [ -z "${HCARD_SIM_CONTROL:-}" ]; then
	ca=$(mktemp -d) || exit 99
	trap 'rm -rf "$ca"' EXIT INT TERM
	p11_make_ca "$ca" || exit 99
	"$srcdir/tests/harness/with-sim" \
		--card-factory-args "--pki-ca $ca --pki-name $P11_NAME --pki-number $P11_NUMBER" \
		-- "${SHELL:-/bin/sh}" "$0" "$@"
	exit $?
fi

fail=0
t=$HCARD_TEST_TMP
check() {
	name=$1; shift
	if "$@"; then echo "ok - $name"; else echo "not ok - $name"; fail=1; fi
}

XDG_RUNTIME_DIR=$t p11-kit server -f --provider "$HCARD_PKCS11" -n "$t/p11.sock" "pkcs11:" \
	>"$t/server.out" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null' EXIT INT TERM
i=0
while [ ! -S "$t/p11.sock" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
P11_KIT_SERVER_ADDRESS=unix:path=$t/p11.sock
export P11_KIT_SERVER_ADDRESS
tool() { pkcs11-tool --module "$CLIENT" "$@"; }

tool --list-token-slots >"$t/slots.txt" 2>&1
check "token through p11-kit" grep -q "token label *: $P11_NAME" "$t/slots.txt"
tool --login --pin "$P11_PIN" --list-objects >"$t/objs.txt" 2>&1
check "both private keys after login" test "$(grep -c '^Private Key Object' "$t/objs.txt")" -eq 2
tool --read-object --type data --label "DDF1/EF05 issuer data" -o "$t/ef05.bin" >/dev/null 2>&1
# card-profile.md §3: tag 01 len 1 first, tag 57 = 11 01 00 (the factory's city code) last
check "public data object DDF1/EF05 read" sh -c \
	"test \"\$(od -An -tx1 -N2 '$t/ef05.bin' | tr -d ' ')\" = 0101 && \
	 test \"\$(tail -c 5 '$t/ef05.bin' | od -An -tx1 | tr -d ' ')\" = 5703110100"
tool --read-object --type cert --id 01 -o "$t/c01.der" >/dev/null 2>&1
openssl x509 -inform der -in "$t/c01.der" -noout -pubkey >"$t/pub01.pem" 2>/dev/null
printf 'signed through p11-kit %s\n' "$$" >"$t/msg"
openssl dgst -sha256 -binary "$t/msg" >"$t/msg.sha256"
tool --login --pin "$P11_PIN" --sign --id 01 --mechanism ECDSA --signature-format openssl \
	-i "$t/msg.sha256" -o "$t/sig.der" >/dev/null 2>&1
check "CKM_ECDSA through p11-kit verifies" \
	openssl dgst -sha256 -verify "$t/pub01.pem" -signature "$t/sig.der" "$t/msg"
exit $fail
