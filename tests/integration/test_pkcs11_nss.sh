#!/bin/sh
# hcard-pkcs11.so through NSS (the library Firefox loads PKCS#11 modules with), driven by NSS's
# own tools (Debian libnss3-tools): a fresh NSS database, the module added with modutil, then
# slots and token, certificates (compared with what pkcs11-tool reads), private keys paired with
# their certificates by CKA_ID, a certificate request signed by NSS with the card's key 01 and
# verified by OpenSSL, a wrong PIN through NSS, card removal and insertion.
# See doc/pkcs11.md ("Tests and benchmark", "Through NSS").
set -u

srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
builddir=${top_builddir:-$srcdir}
HCARD_PKCS11=${HCARD_PKCS11:-$builddir/pkcs11/.libs/hcard-pkcs11.so}
HCARD_SIM=${HCARD_SIM:-$builddir/sim/hcard-sim}
export HCARD_PKCS11 HCARD_SIM
. "$srcdir/tests/integration/pkcs11_common.sh"
MODULE=$HCARD_PKCS11

for tool in certutil modutil; do
	command -v $tool >/dev/null 2>&1 || { echo "$tool not found (apt-get install libnss3-tools, scripts/deps)" >&2; exit 99; }
done

if [ -z "${HCARD_SIM_CONTROL:-}" ]; then
	# outside the harness: as test_pkcs11_tool.sh, a card whose PKI keys the factory issued
	p11_in_sim -- "$0" "$@"
	exit $?
fi

fail=0
t=$HCARD_TEST_TMP
db=sql:$t/nssdb
TOKEN=$P11_NAME
CERT1="$TOKEN:Authentication key"    # NSS nicknames: token label ":" the certificate's CKA_LABEL
CERT2="$TOKEN:Signature key (SM2)"
check() { # name, command...
	name=$1; shift
	if "$@"; then echo "ok - $name"; else echo "not ok - $name"; fail=1; fi
}
# clean NAME RC: NSS ended on its own (an error is fine, certutil's is 255; a signal is not)
clean() { check "$1 (exit $2, no crash)" sh -c "test $2 -lt 128 || test $2 -eq 255"; }
# req_verify DER: OpenSSL 3.0's `req -verify` exits 0 even when the signature is wrong
req_verify() {
	openssl req -inform der -in "$1" -verify -noout 2>&1 | grep -q 'self-signature verify OK'
}
ctl() { "$HCARD_SIM" ctl "$HCARD_SIM_CONTROL" "$@"; }
apdus() { ctl count "${HCARD_CARD_SLOT:-0}" | sed 's/^ok //'; }
# wait_listed YES|NO: until `certutil -L -h all` lists (or no longer lists) the card's
# certificate 01, at most ~4 s (pcscd polls vpcd every 400 ms)
wait_listed() {
	i=0
	while [ $i -lt 20 ]; do
		if certutil -L -d "$db" -h all 2>/dev/null </dev/null | grep -qF "$CERT1"; then
			[ "$1" = YES ] && return 0
		else
			[ "$1" = NO ] && return 0
		fi
		sleep 0.2
		i=$((i + 1))
	done
	return 1
}
# certutil -L -h TOKEN logs in first (the token has CKF_LOGIN_REQUIRED): always give -f
printf '%s\n' "$P11_PIN" >"$t/pin.txt"
printf '%s\n' 000000 >"$t/badpin.txt"

# --- the database and the module ----------------------------------------------------------
mkdir "$t/nssdb" || exit 99
certutil -N --empty-password -d "$db" || exit 99
modutil -add hcard -libfile "$MODULE" -dbdir "$db" -force >"$t/add.txt" 2>&1 </dev/null
check "modutil -add loads the module" grep -q 'Module "hcard" added' "$t/add.txt"

# --- slots: one, the user-card reader, with the card's token; the SAM reader is no slot -----
n0=$(apdus)
modutil -list hcard -dbdir "$db" >"$t/list.txt" 2>&1 </dev/null
rc=$?
n1=$(apdus)
cat "$t/list.txt"
echo "# modutil -list hcard: $((n1 - n0)) APDUs"
clean "modutil -list hcard" $rc
check "one slot" test "$(grep -c '^ *Slot: ' "$t/list.txt")" -eq 1
check "the slot is the user-card reader" grep -q "^ *Slot: HCARD SIM 00 00 *$" "$t/list.txt"
check "no slot for the SAM reader" sh -c "! grep -q 'HCARD SIM 00 01' '$t/list.txt'"
check "token label from the card ($P11_NAME)" grep -q "^ *Token Name: $P11_NAME *$" "$t/list.txt"

# --- certificates: listed, parsed, the same bytes pkcs11-tool reads ------------------------
n0=$(apdus)
certutil -L -d "$db" -h all >"$t/L.txt" 2>"$t/L.err" </dev/null
rc=$?
n1=$(apdus)
cat "$t/L.txt"
echo "# certutil -L -h all (not logged in): $((n1 - n0)) APDUs"
clean "certutil -L -h all" $rc
check "certificate of key 01 listed before login" grep -qF "$CERT1" "$t/L.txt"
check "certificate of key 02 (SM2) listed before login" grep -qF "$CERT2" "$t/L.txt"
certutil -L -d "$db" -h "$TOKEN" -f "$t/pin.txt" >"$t/Lt.txt" 2>&1 </dev/null
# u,u,u: NSS found the private key with the certificate's CKA_ID (a user certificate)
check "after login both are user certificates (key found by CKA_ID)" sh -c \
	"grep -F '$CERT1' '$t/Lt.txt' | grep -q 'u,u,u' && grep -F '$CERT2' '$t/Lt.txt' | grep -q 'u,u,u'"
for id in 01 02; do
	eval nick=\$CERT${id#0}
	rm -f "$t/nss$id.pem" "$t/nss$id.der" "$t/p11$id.der"
	certutil -L -d "$db" -h "$TOKEN" -f "$t/pin.txt" -n "$nick" -a >"$t/nss$id.pem" 2>/dev/null </dev/null
	openssl x509 -in "$t/nss$id.pem" -outform der -out "$t/nss$id.der" 2>/dev/null
	pkcs11-tool --module "$MODULE" --read-object --type cert --id $id -o "$t/p11$id.der" >/dev/null 2>&1
	check "certificate $id exported by NSS = the one pkcs11-tool reads" \
		sh -c "test -s '$t/p11$id.der' && cmp -s '$t/nss$id.der' '$t/p11$id.der'"
done
# NSS (3.87) parses the SM2 certificate, naming what it does not know by OID
certutil -L -d "$db" -h "$TOKEN" -f "$t/pin.txt" -n "$CERT2" >"$t/pp02.txt" 2>&1 </dev/null
check "NSS prints the SM2 certificate: curve 1.2.156.10197.1.301, SM2-with-SM3 1.2.156.10197.1.501" \
	sh -c "grep -q 'Curve: OID.1.2.156.10197.1.301' '$t/pp02.txt' &&
	grep -q 'Signature Algorithm: OID.1.2.156.10197.1.501' '$t/pp02.txt' &&
	grep -q 'serialNumber=$P11_NUMBER' '$t/pp02.txt'"

# --- private keys after login ---------------------------------------------------------------
certutil -K -d "$db" -h "$TOKEN" -f "$t/pin.txt" >"$t/K.txt" 2>&1 </dev/null
rc=$?
cat "$t/K.txt"
check "certutil -K after login succeeds" test $rc -eq 0
check "private key 01 (EC) listed" grep -q '^<[ 0-9]*> ec  *01  *Authentication key$' "$t/K.txt"
check "private key 02 (EC, SM2 curve) listed" grep -q '^<[ 0-9]*> ec  *02  *Signature key (SM2)$' "$t/K.txt"
check "no other key on the token" test "$(grep -c '^<' "$t/K.txt")" -eq 2
certutil -K -d "$db" -h "$TOKEN" </dev/null >"$t/Knopin.txt" 2>&1
check "certutil -K without a PIN lists no key" sh -c "! grep -q '^<' '$t/Knopin.txt'"

# --- a signature made by NSS with key 01: a certificate request, verified by OpenSSL ----------
n0=$(apdus)
rm -f "$t/req01.der"
certutil -R -d "$db" -h "$TOKEN" -f "$t/pin.txt" -k 01 -s "CN=$P11_NAME,serialNumber=$P11_NUMBER" \
	-Z SHA256 -o "$t/req01.der" >"$t/R.txt" 2>&1 </dev/null
rc=$?
n1=$(apdus)
echo "# certutil -R with key 01: $((n1 - n0)) APDUs"
check "certutil -R -k 01 signs a request" test $rc -eq 0 -a -s "$t/req01.der"
openssl req -inform der -in "$t/req01.der" -out "$t/req01.pem" 2>/dev/null
check "OpenSSL verifies the request's signature" req_verify "$t/req01.der"
check "the request is signed ecdsa-with-SHA256" sh -c \
	"openssl req -in '$t/req01.pem' -noout -text | grep -q 'Signature Algorithm: ecdsa-with-SHA256'"
openssl req -in "$t/req01.pem" -noout -pubkey >"$t/req01.pub" 2>/dev/null
openssl x509 -inform der -in "$t/p1101.der" -noout -pubkey >"$t/cert01.pub" 2>/dev/null
check "its public key is the certificate's" sh -c "test -s '$t/req01.pub' && cmp -s '$t/req01.pub' '$t/cert01.pub'"
# the check above can fail: a request whose signature was altered is refused
"$P11_PY" - "$t/req01.der" "$t/bad.der" <<'EOF'
import sys
b = bytearray(open(sys.argv[1], 'rb').read())
b[-5] ^= 0x01   # inside s of the ECDSA signature (the last element of the request)
open(sys.argv[2], 'wb').write(b)
EOF
check "OpenSSL refuses the request with one signature bit flipped" sh -c \
	"openssl req -inform der -in '$t/bad.der' -verify -noout 2>&1 | grep -q 'verify failure'"
# key 02 (SM2): NSS has no SM2, it refuses to sign with the key before the card is asked
n0=$(apdus)
certutil -R -d "$db" -h "$TOKEN" -f "$t/pin.txt" -k 02 -s "CN=sm2" -o "$t/req02.der" \
	>"$t/R2.txt" 2>&1 </dev/null
rc=$?
n1=$(apdus)
cat "$t/R2.txt"
check "certutil -R -k 02 (SM2) refused by NSS: SEC_ERROR_INVALID_KEY" sh -c \
	"test $rc -eq 255 && grep -q 'signing of data failed: SEC_ERROR_INVALID_KEY' '$t/R2.txt'"
echo "# certutil -R with key 02: $((n1 - n0)) APDUs"

# --- TLS client authentication as a browser does it: NSS's tstclnt with key 01 ---------------
# against an OpenSSL server (a fixed port: with-sim gives each run its own network namespace)
# that demands a client certificate chaining to the issuer CA and
# checks the CertificateVerify signature (made on the card through NSS) before it answers
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$t/srv.key" \
	-out "$t/srv.crt" -subj /CN=localhost -days 1 2>/dev/null
openssl s_server -accept 127.0.0.1:44330 -cert "$t/srv.crt" -key "$t/srv.key" -Verify 1 \
	-verify_return_error -CAfile "$HCARD_TEST_CA/p256-ca.crt" -naccept 1 -www \
	>"$t/srv.txt" 2>&1 </dev/null &
spid=$!
i=0
while [ $i -lt 30 ] && ! grep -q ACCEPT "$t/srv.txt"; do sleep 0.1; i=$((i + 1)); done
printf 'GET / HTTP/1.0\r\n\r\n' >"$t/get.txt"
n0=$(apdus)
tstclnt -h 127.0.0.1 -p 44330 -d "$db" -n "$CERT1" -W "$t/pin.txt" -f -o -V tls1.3:tls1.3 \
	<"$t/get.txt" >"$t/tls.txt" 2>&1 &
cpid=$!
# tstclnt stays after the server closed: wait for the end of the page, at most ~6 s
i=0
while [ $i -lt 60 ] && ! grep -q '</HTML>' "$t/tls.txt" && kill -0 $cpid 2>/dev/null; do
	sleep 0.1
	i=$((i + 1))
done
n1=$(apdus)
kill $cpid 2>/dev/null
wait $cpid 2>/dev/null
kill $spid 2>/dev/null
wait $spid 2>/dev/null
echo "# TLS 1.3 client authentication with key 01: $((n1 - n0)) APDUs"
check "TLS 1.3 with client authentication by the card's key 01 (tstclnt)" grep -q '^HTTP/1.0 200 ok' "$t/tls.txt"
check "the server verified the card's certificate chain" \
	grep -q "^depth=0 CN = .*serialNumber = $P11_NUMBER" "$t/srv.txt"
check "the client's CertificateVerify is ECDSA with SHA-256" sh -c \
	"grep -q '^Peer signature type: ECDSA' '$t/tls.txt' && grep -q '^Peer signing digest: SHA256' '$t/tls.txt'"
sed -n '/^Client certificate/,$p' "$t/tls.txt" | sed -n '/BEGIN CERTIFICATE/,/END CERTIFICATE/p' \
	>"$t/tls01.pem"
openssl x509 -in "$t/tls01.pem" -outform der -out "$t/tls01.der" 2>/dev/null
check "the certificate the server got is the card's certificate 01" sh -c \
	"test -s '$t/tls01.der' && cmp -s '$t/tls01.der' '$t/p1101.der'"

# --- S/MIME (CMS) signature as a mail client on NSS makes it: cmsutil -S with key 01 ---------------
# (the issuer CA trusted in the database: NSS checks the signer's certificate for e-mail use)
certutil -A -d "$db" -n "hcard test issuer CA" -t "CT,C,C" -i "$HCARD_TEST_CA/p256-ca.crt" </dev/null
printf 'consent to share the health record, nonce %s\n' "$$" >"$t/mail.txt"
rm -f "$t/mail.p7"
n0=$(apdus)
cmsutil -S -N "$CERT1" -G -d "$db" -f "$t/pin.txt" -i "$t/mail.txt" -o "$t/mail.p7" \
	>"$t/cms.txt" 2>&1 </dev/null
rc=$?
n1=$(apdus)
echo "# cmsutil -S with key 01: $((n1 - n0)) APDUs"
check "cmsutil -S signs with the card's key 01" test $rc -eq 0 -a -s "$t/mail.p7"
openssl cms -verify -inform DER -in "$t/mail.p7" -CAfile "$HCARD_TEST_CA/p256-ca.crt" -purpose any \
	-out "$t/mail.out" >"$t/cmsv.txt" 2>&1
check "OpenSSL verifies the CMS signature against the issuer CA, content intact" sh -c \
	"grep -q 'CMS Verification successful' '$t/cmsv.txt' && cmp -s '$t/mail.txt' '$t/mail.out'"
openssl cms -verify -inform DER -in "$t/mail.p7" -CAfile "$HCARD_TEST_CA/p256-ca.crt" -purpose any \
	-signer "$t/signer.pem" -out /dev/null >/dev/null 2>&1
openssl x509 -in "$t/signer.pem" -outform der -out "$t/signer.der" 2>/dev/null
check "the CMS signer is the card's certificate 01" cmp -s "$t/signer.der" "$t/p1101.der"

# --- wrong PIN through NSS: refused, one try counted; the right PIN resets ------------------
certutil -K -d "$db" -h "$TOKEN" -f "$t/badpin.txt" >"$t/Kbad.txt" 2>&1 </dev/null
rc=$?
cat "$t/Kbad.txt"
check "wrong PIN refused by NSS (SEC_ERROR_BAD_PASSWORD)" sh -c \
	"test $rc -ne 0 && grep -q SEC_ERROR_BAD_PASSWORD '$t/Kbad.txt' && ! grep -q '^<' '$t/Kbad.txt'"
pkcs11-tool --module "$MODULE" --list-token-slots >"$t/low.txt" 2>&1
check "token flags show the PIN count low" grep -qi "user PIN count low" "$t/low.txt"
check "NSS tried the wrong PIN once (not the final try)" sh -c "! grep -qi 'final user PIN try' '$t/low.txt'"
certutil -K -d "$db" -h "$TOKEN" -f "$t/pin.txt" >"$t/Kgood.txt" 2>&1 </dev/null
check "right PIN accepted by NSS" test "$(grep -c '^<' "$t/Kgood.txt")" -eq 2
pkcs11-tool --module "$MODULE" --list-token-slots >"$t/reset.txt" 2>&1
check "right PIN resets the counter" sh -c "grep -q 'token label' '$t/reset.txt' && ! grep -qi 'count low' '$t/reset.txt'"

# --- card removal and insertion -----------------------------------------------------------------
ctl remove "${HCARD_CARD_SLOT:-0}" >/dev/null
check "certificates gone from certutil -L -h all after removal" wait_listed NO
certutil -L -d "$db" -h all >"$t/Lrm.txt" 2>&1 </dev/null
clean "certutil -L -h all without the card" $?
check "no card certificate listed" sh -c "! grep -q '$TOKEN:' '$t/Lrm.txt'"
modutil -list hcard -dbdir "$db" >"$t/listrm.txt" 2>&1 </dev/null
clean "modutil -list without the card" $?
cat "$t/listrm.txt"
check "the slot stays, without a token" sh -c \
	"grep -qi 'slot: HCARD SIM 00 00' '$t/listrm.txt' && ! grep -q '$P11_NAME' '$t/listrm.txt'"
certutil -K -d "$db" -h "$TOKEN" -f "$t/pin.txt" >"$t/Krm.txt" 2>&1 </dev/null
rc=$?
clean "certutil -K -h TOKEN without the card" $rc
check "certutil -K -h TOKEN: no key, an error" sh -c "test $rc -ne 0 && ! grep -q '^<' '$t/Krm.txt'"
# (not -h TOKEN: certutil 3.87 -R crashes in PK11_NeedLogin(NULL) for any -h naming no
# present token, a card in or not; asserted below with the card in, so it is NSS's)
certutil -R -d "$db" -f "$t/pin.txt" -k 01 -s "CN=x" -o "$t/reqrm.der" >"$t/Rrm.txt" 2>&1 </dev/null
rc=$?
cat "$t/Rrm.txt"
clean "certutil -R -k 01 without the card" $rc
check "certutil -R -k 01 without the card: no key found" sh -c \
	"test $rc -eq 255 && grep -q '01 is neither a key-type nor a nickname nor a key-id' '$t/Rrm.txt'"
ctl insert "${HCARD_CARD_SLOT:-0}" >/dev/null
check "certificates listed again after insertion" wait_listed YES
certutil -K -d "$db" -h "$TOKEN" -f "$t/pin.txt" >"$t/Kins.txt" 2>&1 </dev/null
check "both keys after login again" test "$(grep -c '^<' "$t/Kins.txt")" -eq 2
rm -f "$t/req01b.der"
certutil -R -d "$db" -h "$TOKEN" -f "$t/pin.txt" -k 01 -s "CN=again" -o "$t/req01b.der" >/dev/null 2>&1 </dev/null
check "a request signed after re-insertion verifies" req_verify "$t/req01b.der"
# --- one NSS process holding the module across removal and insertion (as Firefox) --------------
printf 'signed by NSS in one process, %s\n' "$$" >"$t/msg1"
openssl dgst -sha256 -binary "$t/msg1" >"$t/msg1.sha256"
openssl x509 -inform der -in "$t/p1102.der" -noout -pubkey >"$t/cert02.pub" 2>/dev/null
p11_sm2_e "$t/cert02.pub" "$t/msg1" "$t/e02.bin"
rm -f "$t/sig1.raw" "$t/sig2.raw".*
P11_PIN=$P11_PIN P11_NUMBER=$P11_NUMBER timeout 60 "$P11_PY" "$srcdir/tests/integration/test_pkcs11_nss.py" \
	"$t/nssdb" "$TOKEN" "$t/msg1.sha256" "$t/sig1.raw" "$t/e02.bin" "$t/sig2.raw"
rc=$?
check "the NSS process ended cleanly (exit $rc)" test $rc -eq 0
p11_rs_to_der "$t/sig1.raw" "$t/sig1.der" 2>/dev/null
check "its PK11_Sign signature after re-insertion verifies with OpenSSL (certificate 01)" \
	openssl dgst -sha256 -verify "$t/cert01.pub" -signature "$t/sig1.der" "$t/msg1"
for i in 1 2; do
	p11_rs_to_der "$t/sig2.raw.$i" "$t/sig2.der.$i" 2>/dev/null
	check "its SM2 signature $i (key 02, e by OpenSSL) verifies with OpenSSL (certificate 02, default ID)" \
		openssl dgst -sm3 -verify "$t/cert02.pub" -sigopt distid:1234567812345678 \
		-signature "$t/sig2.der.$i" "$t/msg1"
done

# NSS's own crash noted above, with the card in (information, not a check of the module)
sh -c 'certutil -R -d "$1" -h "no such token" -f "$2" -k 01 -s CN=x -o "$3"; exit $?' sh \
	"$db" "$t/pin.txt" "$t/reqno.der" >/dev/null 2>&1 </dev/null
echo "# certutil -R -h 'no such token' with the card in: exit $? (139: NSS 3.87 crashes)"

exit $fail
