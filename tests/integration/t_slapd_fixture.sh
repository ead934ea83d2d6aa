#!/bin/bash
# t_slapd_fixture.sh - proves the AD-like slapd fixture (tests/lib/slapd.sh,
# tests/fixtures/gen-corp-ldif.sh, tests/fixtures/slapd/) with ldapsearch
# alone, so plugin tests can rely on it.
#   TOP_SRCDIR=/path/to/source bash tests/integration/t_slapd_fixture.sh
set -u
: "${TOP_SRCDIR:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
source "$TOP_SRCDIR/tests/lib/tap.sh"
source "$TOP_SRCDIR/tests/lib/slapd.sh"
trap slapd_stop_all EXIT

if ! slapd_available; then
	skip "slapd fixture" "slapd, slapadd, ldapsearch or openssl not installed"
	tap_done; exit
fi
# no /etc/ldap/ldap.conf or ~/.ldaprc: only what each command says
export LDAPCONF=/dev/null LDAPRC=/dev/null
unset LDAPTLS_CACERT LDAPTLS_REQCERT LDAPBINDDN LDAPBASE LDAPURI 2>/dev/null

GEN=$SLAPD_GEN
T=$TEST_TMP/t_slapd_fixture
mkdir -p "$T"
OFFENDER_FILTER='(&(userAccountControl:1.2.840.113556.1.4.803:=524288)(!(userAccountControl:1.2.840.113556.1.4.803:=8192))(!(userAccountControl:1.2.840.113556.1.4.803:=67108864)))'

# ldapsearch as the monitor user of server $1 (upper-case name), rest = args
lds() {
	local n=$1 uri bdn; shift
	uri="SLAPD_${n}_URI"; bdn="SLAPD_${n}_BIND_DN"
	ldapsearch -x -LLL -o ldif-wrap=no -o nettimeout=5 -H "${!uri}" \
		-D "${!bdn}" -y "$SLAPD_PWFILE" "$@"
}
# decode an LDIF stream: "attr:: base64" -> "attr: value" (LF shown as \n)
ldif_decode() {
	local line a v
	while IFS= read -r line; do
		case $line in
		*::\ *)
			a=${line%%:: *}; v=${line#*:: }
			printf '%s: %s\n' "$a" "$(printf '%s' "$v" | base64 -d | sed -z 's/\n$//; s/\n/\\n/g')";;
		*) printf '%s\n' "$line";;
		esac
	done
}
# values of attribute $1 in a decoded LDIF stream on stdin, sorted
values() { sed -n "s/^$1: //p" | LC_ALL=C sort; }
same() {   # same DESC EXPECTED ACTUAL
	if [ "$2" = "$3" ]; then ok "$1"; else
		not_ok "$1" "expected:" "$2" "got:" "$3"; fi
}
ms() { date +%s%3N; }

# ------------------------------------------------------------ generator
t0=$(ms)
"$GEN" >"$T/corp.ldif" 2>"$T/gen.err"; rc=$?
"$GEN" --bulk 1500 >"$T/bulk.ldif" 2>>"$T/gen.err" || rc=$?
"$GEN" --empty-delegation >"$T/empty.ldif" 2>>"$T/gen.err" || rc=$?
"$GEN" --suffix DC=partner,DC=example --accounts 'PWEB01$,svc-partner' \
	>"$T/partner.ldif" 2>>"$T/gen.err" || rc=$?
t1=$(ms)
same "generator runs without error" 0 "$rc"
tap_diag "generating 4 LDIF files (one with 1500 bulk computers): $((t1 - t0)) ms"
same "default domain has 24 entries" 24 "$(grep -c '^dn:' "$T/corp.ldif")"
same "--bulk 1500 adds 1500 entries" 1524 "$(grep -c '^dn:' "$T/bulk.ldif")"
"$GEN" --bogus >/dev/null 2>&1; same "generator rejects unknown options (exit 2)" 2 "$?"

# ------------------------------------------------------------ servers
t0=$(ms)
check "start corp (TLS)" slapd_start corp "$T/corp.ldif" --tls
t1=$(ms)
check "start bulk" slapd_start bulk "$T/bulk.ldif"
t2=$(ms)
check "start empty" slapd_start empty "$T/empty.ldif"
# a second LDIF file after the domain: a trust object under CN=System
cat >"$T/partner-tdo.ldif" <<'EOF'
dn: CN=corp.example,CN=System,DC=partner,DC=example
objectClass: top
objectClass: trustedDomain
cn: corp.example
trustPartner: corp.example
flatName: CORP
trustDirection: 3
trustType: 2
trustAttributes: 2056
securityIdentifier:: AQQAAAAAAAUVAAAA3PTcO4M9K0aCi6Yo
whenChanged: 20240102030405.0Z

EOF
check "start partner (two LDIF files)" slapd_start partner "$T/partner.ldif" "$T/partner-tdo.ldif" --suffix DC=partner,DC=example
t3=$(ms)
tap_diag "start corp with TLS (incl. certificates): $((t1 - t0)) ms; bulk 1500: $((t2 - t1)) ms; empty+partner: $((t3 - t2)) ms"
if [ -z "${SLAPD_CORP_PID:-}" ] || [ -z "${SLAPD_BULK_PID:-}" ]; then
	slapd_log corp; tap_done; exit
fi

case $SLAPD_CORP_URI in ldap://127.0.0.1:[0-9]*) ok "SLAPD_CORP_URI is ldap://127.0.0.1:PORT";;
	*) not_ok "SLAPD_CORP_URI is ldap://127.0.0.1:PORT" "$SLAPD_CORP_URI";; esac
same "SLAPD_CORP_URI matches SLAPD_CORP_PORT" "ldap://127.0.0.1:$SLAPD_CORP_PORT" "$SLAPD_CORP_URI"
same "password file is mode 600" 600 "$(stat -c %a "$SLAPD_PWFILE")"
same "bind DN" "CN=monitor,CN=Users,DC=corp,DC=example" "$SLAPD_CORP_BIND_DN"

# ------------------------------------------------------------ rootDSE, anonymous
out=$(ldapsearch -x -LLL -H "$SLAPD_CORP_URI" -b '' -s base 2>&1)
same "anonymous rootDSE carries defaultNamingContext (without asking for it)" \
	"DC=corp,DC=example" "$(printf '%s\n' "$out" | sed -n 's/^defaultNamingContext: //p')"
out=$(ldapsearch -x -LLL -H "$SLAPD_CORP_URI" -b 'DC=corp,DC=example' '(objectClass=*)' dn 2>&1); rc=$?
if ! printf '%s\n' "$out" | grep -q '^dn:' && [ "$rc" -ne 0 ]; then
	ok "anonymous tree search returns nothing (rc $rc)"
else not_ok "anonymous tree search returns nothing" "rc $rc" "$out"; fi

# ------------------------------------------------------------ bind errors
out=$(printf 'wrong-password' >"$T/bad.pw"; ldapsearch -x -LLL -H "$SLAPD_CORP_URI" \
	-D "$SLAPD_CORP_BIND_DN" -y "$T/bad.pw" -b '' -s base 2>&1); rc=$?
same "wrong password: invalidCredentials (49)" 49 "$rc"
out=$(ldapsearch -x -LLL -H "$SLAPD_CORP_URI" -D "CN=nobody,CN=Users,DC=corp,DC=example" \
	-y "$SLAPD_PWFILE" -b '' -s base 2>&1); rc=$?
same "unknown bind DN: invalidCredentials (49)" 49 "$rc"

# ------------------------------------------------------------ content
lds CORP -b DC=corp,DC=example '(objectClass=user)' sAMAccountName userAccountControl \
	>"$T/users.ldif" 2>"$T/err"; rc=$?
same "monitor reads all accounts" 0 "$rc"
ldif_decode <"$T/users.ldif" | awk '
	/^sAMAccountName: / { sam = substr($0, 17) }
	/^userAccountControl: / { uac = substr($0, 21) }
	/^$/ { if (sam != "") print sam "=" uac; sam = "" }
	END { if (sam != "") print sam "=" uac }' | LC_ALL=C sort >"$T/uac.got"
LC_ALL=C sort >"$T/uac.want" <<'EOF'
DC01$=532480
DC02$=532480
RODC01$=84414464
WEB01$=528384
SQL01$=528384
FILE01$=528386
OLD01$=528384
APP01$=4096
KIOSK01$=4096
svc-iis=524800
svc-sql=16777728
alice=512
bob=514
monitor=512
evil|svc=1'"=524800
svc-nl\ninjected=524800
zoë-ünïcode=524800
EOF
same "every account has the documented userAccountControl" "$(cat "$T/uac.want")" "$(cat "$T/uac.got")"

got=$(lds CORP -b DC=corp,DC=example "$OFFENDER_FILTER" sAMAccountName | ldif_decode | values sAMAccountName)
want=$(printf '%s\n' 'FILE01$' 'OLD01$' 'SQL01$' 'WEB01$' 'evil|svc=1'"'"'"' 'svc-iis' 'svc-nl\ninjected' 'zoë-ünïcode' | LC_ALL=C sort)
same "DOMAIN.md bitwise filter: exactly the 8 non-DC unconstrained accounts" "$want" "$got"

got=$(lds CORP -b DC=corp,DC=example '(objectClass=computer)' dn | grep -c '^dn')
same "9 computers" 9 "$got"
got=$(lds CORP -b DC=corp,DC=example '(&(objectClass=user)(!(objectClass=computer)))' dn | grep -c '^dn')
same "8 users that are not computers" 8 "$got"
got=$(lds CORP -b DC=corp,DC=example '(sAMAccountName=WEB01$)' objectClass | values objectClass | tr '\n' ' ')
same "computer objectClass chain like AD" "computer organizationalPerson person top user " "$got"
got=$(lds CORP -b 'OU=Domain Controllers,DC=corp,DC=example' -s one '(userAccountControl:1.2.840.113556.1.4.803:=8192)' sAMAccountName | values sAMAccountName | tr '\n' ' ')
same "SERVER_TRUST accounts: DC01\$ DC02\$" 'DC01$ DC02$ ' "$got"

got=$(lds CORP -b DC=corp,DC=example '(msDS-AllowedToActOnBehalfOfOtherIdentity=*)' sAMAccountName msDS-AllowedToActOnBehalfOfOtherIdentity)
same "RBCD: only APP01\$ has msDS-AllowedToActOnBehalfOfOtherIdentity" 'APP01$' "$(printf '%s\n' "$got" | values sAMAccountName)"
same "RBCD value is an 80-byte binary security descriptor" 80 \
	"$(printf '%s\n' "$got" | sed -n 's/^msDS-AllowedToActOnBehalfOfOtherIdentity:: //p' | base64 -d | wc -c)"
got=$(lds CORP -b DC=corp,DC=example '(msDS-AllowedToDelegateTo=*)' sAMAccountName msDS-AllowedToDelegateTo)
same "constrained delegation: only svc-sql" 'svc-sql' "$(printf '%s\n' "$got" | values sAMAccountName)"
same "svc-sql delegates to 2 SPNs" 2 "$(printf '%s\n' "$got" | grep -c '^msDS-AllowedToDelegateTo: MSSQLSvc/')"
got=$(lds CORP -b DC=corp,DC=example '(userAccountControl:1.2.840.113556.1.4.803:=16777216)' sAMAccountName | values sAMAccountName | tr '\n' ' ')
same "protocol transition (0x1000000): RODC01\$ svc-sql" 'RODC01$ svc-sql ' "$got"
got=$(lds CORP -b DC=corp,DC=example '(&(objectClass=user)(userAccountControl:1.2.840.113556.1.4.803:=2))' sAMAccountName | values sAMAccountName | tr '\n' ' ')
same "disabled: FILE01\$ bob" 'FILE01$ bob ' "$got"

got=$(lds CORP -b "CN=evil|svc\\=1'\\\",CN=Users,DC=corp,DC=example" -s base sAMAccountName | values sAMAccountName)
same "hostile RDN (escaped | = ' \") is a real entry" "evil|svc=1'\"" "$got"
got=$(lds CORP -b DC=corp,DC=example "(sAMAccountName=evil|svc=1'\\22)" dn | grep -c '^dn')
same "hostile sAMAccountName matches an escaped equality filter" 1 "$got"
got=$(lds CORP -b DC=corp,DC=example '(cn=zoë-ünïcode)' sAMAccountName | ldif_decode | values sAMAccountName)
same "UTF-8 name round-trips" 'zoë-ünïcode' "$got"
got=$(lds CORP -b 'CN=System,DC=corp,DC=example' -s one '(objectClass=*)' dn | grep -c '^dn')
same "CN=System is empty" 0 "$got"

# ------------------------------------------------------------ empty-delegation
got=$(lds EMPTY -b DC=corp,DC=example "$OFFENDER_FILTER" dn | grep -c '^dn')
same "--empty-delegation: no offender" 0 "$got"
got=$(lds EMPTY -b DC=corp,DC=example '(userAccountControl:1.2.840.113556.1.4.803:=524288)' sAMAccountName | values sAMAccountName | tr '\n' ' ')
same "--empty-delegation: only DCs and RODC keep 0x80000" 'DC01$ DC02$ RODC01$ ' "$got"

# ------------------------------------------------------------ paging (MaxPageSize)
t0=$(ms)
lds BULK -b DC=corp,DC=example "$OFFENDER_FILTER" dn >"$T/unpaged" 2>"$T/unpaged.err"; rc=$?
same "unpaged search of 1508 entries as monitor: sizeLimitExceeded (4)" 4 "$rc"
same "... after 1000 entries" 1000 "$(grep -c '^dn:' "$T/unpaged")"
lds BULK -E pr=1000/noprompt -b DC=corp,DC=example "$OFFENDER_FILTER" dn >"$T/paged" 2>"$T/paged.err"; rc=$?
same "paged search (pr=1000): success" 0 "$rc"
same "... returns all 1508 offenders" 1508 "$(grep -c '^dn:' "$T/paged")"
ldapsearch -x -LLL -o ldif-wrap=no -H "$SLAPD_BULK_URI" -D "$SLAPD_BULK_ROOT_DN" -y "$SLAPD_ROOT_PWFILE" \
	-b DC=corp,DC=example "$OFFENDER_FILTER" dn >"$T/root" 2>&1; rc=$?
same "rootdn is exempt from the limit" "0 1508" "$rc $(grep -c '^dn:' "$T/root")"
t1=$(ms)
tap_diag "three searches over 1500 bulk entries: $((t1 - t0)) ms"

# ------------------------------------------------------------ TLS
if [ -n "${SLAPD_CORP_LDAPS_URI:-}" ] && [ -s "${SLAPD_CA:-/nonexistent}" ] && [ -s "${SLAPD_WRONG_CA:-/nonexistent}" ]; then
	ok "TLS variables set (SLAPD_CORP_LDAPS_URI, SLAPD_CA, SLAPD_WRONG_CA)"
else not_ok "TLS variables set" "LDAPS=${SLAPD_CORP_LDAPS_URI:-} CA=${SLAPD_CA:-} WRONG=${SLAPD_WRONG_CA:-}"; fi
san=$(openssl x509 -in "$SLAPD_TLS_DIR/server.pem" -noout -ext subjectAltName 2>&1)
case $san in *DNS:localhost*'IP Address:127.0.0.1'*) ok "server certificate SANs: DNS:localhost, IP:127.0.0.1";;
	*) not_ok "server certificate SANs" "$san";; esac
tls_try() {   # tls_try CAFILE URI [-ZZ]
	local ca=$1 uri=$2; shift 2
	LDAPTLS_CACERT=$ca ldapsearch -x -LLL -o nettimeout=5 "$@" -H "$uri" \
		-D "$SLAPD_CORP_BIND_DN" -y "$SLAPD_PWFILE" -b DC=corp,DC=example -s base dn >"$T/tls.out" 2>&1
}
tls_try "$SLAPD_CA" "$SLAPD_CORP_LDAPS_URI"; same "LDAPS with the good CA" 0 "$?"
tls_try "$SLAPD_CA" "ldaps://localhost:$SLAPD_CORP_LDAPS_PORT"; same "LDAPS by name localhost" 0 "$?"
tls_try "$SLAPD_WRONG_CA" "$SLAPD_CORP_LDAPS_URI"; rc=$?
if [ "$rc" -ne 0 ]; then ok "LDAPS with the wrong CA fails (rc $rc)"; else not_ok "LDAPS with the wrong CA fails"; fi
tls_try "$SLAPD_CA" "$SLAPD_CORP_URI" -ZZ; same "StartTLS with the good CA" 0 "$?"
tls_try "$SLAPD_WRONG_CA" "$SLAPD_CORP_URI" -ZZ; rc=$?
if [ "$rc" -ne 0 ]; then ok "StartTLS with the wrong CA fails (rc $rc)"; else not_ok "StartTLS with the wrong CA fails"; fi
tls_try "$SLAPD_CA" "$SLAPD_BULK_URI" -ZZ; rc=$?
if [ "$rc" -ne 0 ]; then ok "StartTLS refused by a server started without --tls (rc $rc)"; else not_ok "StartTLS on a non-TLS server fails"; fi

# ------------------------------------------------------------ partner domain
got=$(ldapsearch -x -LLL -H "$SLAPD_PARTNER_URI" -b '' -s base defaultNamingContext | sed -n 's/^defaultNamingContext: //p')
same "partner rootDSE: defaultNamingContext" "DC=partner,DC=example" "$got"
same "partner bind DN" "CN=monitor,CN=Users,DC=partner,DC=example" "$SLAPD_PARTNER_BIND_DN"
got=$(lds PARTNER -b DC=partner,DC=example "$OFFENDER_FILTER" sAMAccountName | values sAMAccountName | tr '\n' ' ')
same "partner offenders: exactly the --accounts list" 'PWEB01$ svc-partner ' "$got"
got=$(lds PARTNER -b CN=System,DC=partner,DC=example '(&(objectClass=trustedDomain)(trustAttributes:1.2.840.113556.1.4.803:=2048)(trustDirection>=2))' trustPartner flatName | values flatName)
same "trust object from the second LDIF: bitwise and ordering filters on trust attributes" CORP "$got"

# ------------------------------------------------------------ refused, blackhole
slapd_start_refused dead
t0=$(ms)
ldapsearch -x -LLL -o nettimeout=5 -H "$SLAPD_DEAD_URI" -b '' -s base >/dev/null 2>&1; rc=$?
t1=$(ms)
if [ "$rc" -ne 0 ] && [ $((t1 - t0)) -lt 2000 ]; then ok "nothing listening: fails fast (rc $rc, $((t1 - t0)) ms)"
else not_ok "nothing listening: fails fast" "rc $rc after $((t1 - t0)) ms"; fi

if check "blackhole listener starts" slapd_start_blackhole hole 30; then
	if (exec 3<>"/dev/tcp/127.0.0.1/$SLAPD_HOLE_PORT") 2>/dev/null; then ok "blackhole accepts TCP"
	else not_ok "blackhole accepts TCP"; fi
	t0=$(ms)
	timeout 0.7 ldapsearch -x -LLL -o nettimeout=5 -H "$SLAPD_HOLE_URI" -b '' -s base >/dev/null 2>&1; rc=$?
	t1=$(ms)
	same "blackhole never answers (ldapsearch killed by timeout)" 124 "$rc"
	tap_diag "blackhole wait: $((t1 - t0)) ms"
	hole_pid=$SLAPD_HOLE_PID
	slapd_stop hole
	if kill -0 "$hole_pid" 2>/dev/null; then not_ok "slapd_stop ends the blackhole"; else ok "slapd_stop ends the blackhole"; fi
fi

# ------------------------------------------------------------ stop
pid=$SLAPD_EMPTY_PID port=$SLAPD_EMPTY_PORT
t0=$(ms)
slapd_stop empty
t1=$(ms)
if ! kill -0 "$pid" 2>/dev/null && ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
	ok "slapd_stop: process gone, port closed ($((t1 - t0)) ms)"
else not_ok "slapd_stop: process gone, port closed"; fi
same "slapd_stop clears the PID variable" "" "${SLAPD_EMPTY_PID:-}"
check "slapd log kept in SLAPD_EMPTY_DIR" test -s "$SLAPD_EMPTY_DIR/slapd.log"

tap_done
