# Helpers of the PKCS#11 tests (sourced). Everything checked here is computed independently
# of hcard: OpenSSL's CLI and Python with the published SM2 curve constants (GB/T 32918.5).

P11_PIN=123456                       # factory cardholder PIN (card-profile.md §6)
P11_NAME=张三
P11_NUMBER=11010519491231002X
P11_SM2_RAW=0xc8430001               # CKM_VENDOR_DEFINED | 0x48430001 (pki.md)
P11_SM2_SM3=0xc8430002               # CKM_VENDOR_DEFINED | 0x48430002
P11_PY=/usr/bin/python3
# the simulator SAM's factory PIN, read by libhcard (hcard.conf sam_pin_file in deployments)
HCARD_SAM_PIN=${HCARD_SAM_PIN:-12345678}
export HCARD_SAM_PIN

# The module under test. direct: hcard-pkcs11.so ($HCARD_PKCS11, set before sourcing this).
# p11kit: p11-kit-client.so talking to `p11-kit server --provider hcard-pkcs11.so` at
# $P11_KIT_SERVER_ADDRESS (test_pkcs11_p11kit.sh runs the suites that way). Check names get
# the prefix "via p11-kit: " then, so the two runs can be told apart in the logs.
P11KIT_CLIENT=/usr/lib/x86_64-linux-gnu/pkcs11/p11-kit-client.so
HCARD_P11_VIA=${HCARD_P11_VIA:-direct}
case $HCARD_P11_VIA in
direct)
	HCARD_P11_UNDER_TEST=${HCARD_PKCS11:-}
	P11_TAG= ;;
p11kit)
	if [ -z "${P11_KIT_SERVER_ADDRESS:-}" ]; then
		echo "HCARD_P11_VIA=p11kit needs P11_KIT_SERVER_ADDRESS (test_pkcs11_p11kit.sh)" >&2
		exit 99
	fi
	HCARD_P11_UNDER_TEST=$P11KIT_CLIENT
	P11_TAG="via p11-kit: " ;;
*)
	echo "HCARD_P11_VIA=$HCARD_P11_VIA: want direct or p11kit" >&2
	exit 99 ;;
esac
export HCARD_P11_VIA HCARD_P11_UNDER_TEST

# p11_mech_list: the mechanisms C_GetMechanismList of the first token lists through the module
# under test, one "0x%x" a line. The p11kit runs branch on it: a mechanism the transport lists
# must sign and verify, one it does not list must be refused with CKR_MECHANISM_INVALID.
p11_mech_list() {
	"$P11_PY" - "$HCARD_P11_UNDER_TEST" <<'PY'
import sys
import PyKCS11
lib = PyKCS11.PyKCS11Lib()
lib.load(sys.argv[1])
slot = lib.getSlotList(tokenPresent=True)[0]
for name in lib.getMechanismList(slot):
    print("0x%x" % PyKCS11.CKM[name])
PY
}

# p11_make_ca DIR: the issuer CAs the simulator's factory signs the card certificates with.
p11_make_ca() {
	openssl ecparam -name prime256v1 -genkey -noout -out "$1/p256-ca.key" 2>/dev/null &&
	openssl req -x509 -new -key "$1/p256-ca.key" -sha256 -days 3650 \
		-subj "/CN=hcard test issuer CA (P-256)/O=hcard" -out "$1/p256-ca.crt" 2>/dev/null &&
	openssl genpkey -algorithm SM2 -out "$1/sm2-ca.key" 2>/dev/null &&
	openssl req -x509 -new -key "$1/sm2-ca.key" -sm3 -sigopt distid:1234567812345678 \
		-days 3650 -subj "/CN=hcard test issuer CA (SM2)/O=hcard" -out "$1/sm2-ca.crt" 2>/dev/null
}

# p11_rs_to_der RAW DER: r || s (64 bytes) -> DER SEQUENCE of two INTEGERs.
p11_rs_to_der() {
	"$P11_PY" - "$1" "$2" <<'EOF'
import sys
raw = open(sys.argv[1], 'rb').read()
if len(raw) != 64:
    sys.exit("signature is %d bytes, want 64" % len(raw))
def integer(b):
    b = b.lstrip(b'\x00') or b'\x00'
    if b[0] & 0x80:
        b = b'\x00' + b
    return bytes([2, len(b)]) + b
body = integer(raw[:32]) + integer(raw[32:])
open(sys.argv[2], 'wb').write(bytes([0x30, len(body)]) + body)
EOF
}

# p11_sm2_e PUBPEM MSG OUT: e = SM3(Z || M), Z with the default ID (GB/T 32918.2).
p11_sm2_e() {
	openssl pkey -pubin -in "$1" -outform der -out "$3.spki" 2>/dev/null || return 1
	"$P11_PY" - "$3.spki" "$2" "$3" <<'EOF'
import hashlib, sys
spki = open(sys.argv[1], 'rb').read()
point = spki[-65:]
assert point[0] == 4
# GB/T 32918.5 curve parameters
a = bytes.fromhex('FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFC')
b = bytes.fromhex('28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93')
gx = bytes.fromhex('32C4AE2C1F1981195F9904466A39C9948FE30BBFF2660BE1715A4589334C74C7')
gy = bytes.fromhex('BC3736A2F4F6779C59BDCEE36B692153D0A9877CC62A474002DF32E52139F0A0')
uid = b'1234567812345678'
z = hashlib.new('sm3', (len(uid) * 8).to_bytes(2, 'big') + uid + a + b + gx + gy + point[1:]).digest()
msg = open(sys.argv[2], 'rb').read()
open(sys.argv[3], 'wb').write(hashlib.new('sm3', z + msg).digest())
EOF
}

# p11_in_sim [WITH-SIM OPTIONS] -- SCRIPT ARGS...: makes an issuer CA (p11_make_ca) in a
# temporary directory and runs SCRIPT inside tests/harness/with-sim with a user card whose PKI
# keys and certificates the factory issued with that CA (name P11_NAME, number P11_NUMBER);
# HCARD_TEST_CA names the CA directory inside. Returns the script's status (99: setup failed).
# Each PKCS#11 test enters the harness this way when HCARD_SIM_CONTROL is not set.
p11_in_sim() {
	p11_opts=""
	while [ $# -gt 0 ] && [ "$1" != "--" ]; do
		p11_opts="$p11_opts $1"
		shift
	done
	[ "${1:-}" = "--" ] && shift
	p11_ca=$(mktemp -d) || return 99
	trap 'rm -rf "$p11_ca"' EXIT INT TERM
	p11_make_ca "$p11_ca" || return 99
	# shellcheck disable=SC2086 # p11_opts: with-sim options without spaces inside
	HCARD_TEST_CA=$p11_ca "$srcdir/tests/harness/with-sim" $p11_opts \
		--card-factory-args "--pki-ca $p11_ca --pki-name $P11_NAME --pki-number $P11_NUMBER" \
		-- "${SHELL:-/bin/sh}" "$@"
}
