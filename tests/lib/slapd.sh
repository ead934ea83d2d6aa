# tests/lib/slapd.sh - private OpenLDAP slapd servers that look like Active
# Directory, for the shell tests. Source it after tests/lib/tap.sh:
#
#   source "$TOP_SRCDIR/tests/lib/tap.sh"
#   source "$TOP_SRCDIR/tests/lib/slapd.sh"
#   trap slapd_stop_all EXIT
#   slapd_available || { skip "..." "no slapd"; tap_done; exit; }
#   "$TOP_SRCDIR/tests/fixtures/gen-corp-ldif.sh" >"$TEST_TMP/corp.ldif"
#   slapd_start corp "$TEST_TMP/corp.ldif" --tls || ...
#   ldapsearch -x -H "$SLAPD_CORP_URI" -D "$SLAPD_CORP_BIND_DN" -y "$SLAPD_PWFILE" ...
#
# Everything lives under $TEST_TMP/slapd-NAME (config, database, slapd.log);
# servers listen on 127.0.0.1 only; /etc/ldap is only read (schema files).
# Safe under `set -u` (and `set -e -o pipefail`); functions return non-zero
# on failure (and print "# " diagnostics on stdout), they never exit the
# caller. slapd runs in the foreground with `-d stats` (connections, binds,
# searches and their result codes) into $SLAPD_N_DIR/slapd.log. If the test
# shell dies without running its trap, a watchdog (a small background loop
# per server, stdout/stderr on /dev/null) stops the server within ~2 s.
#
# Functions
#   slapd_available            0 if slapd, slapadd, ldapsearch (and openssl)
#                              are installed
#   slapd_start NAME LDIF... [--suffix DN] [--tls] [--sizelimit N] [--prtotal N]
#                            [--rootdse FILE]
#       NAME: [A-Za-z0-9_]+, used upper-cased in variable names (corp ->
#       SLAPD_CORP_URI). LDIF files are loaded in the given order with
#       `slapadd -q` (parents before children: put the generated domain first,
#       extra LDIF such as trust objects under CN=System after it).
#       --suffix DN    database suffix (default DC=corp,DC=example); must match
#                      the LDIF (gen-corp-ldif.sh --suffix)
#       --tls          also listen on ldaps:// (second port) and allow StartTLS
#                      on the plain port; certificate from slapd_tls_init
#       --sizelimit N  the MaxPageSize emulation (default 1000)
#       --prtotal N    at most N entries for a whole paged search (default
#                      unlimited): a server that cuts the answer short
#       --rootdse FILE use this LDIF as rootDSE instead of the generated one
#                      (defaultNamingContext, rootDomainNamingContext,
#                      configurationNamingContext, schemaNamingContext,
#                      dNSHostName dc01.<dns domain>)
#       Picks free ports itself (retries on collisions), waits (at most
#       SLAPD_START_TIMEOUT seconds, default 10) until the rootDSE answers.
#   slapd_stop NAME            stop it (TERM, then KILL after 5 s); the
#                              directory and log stay for inspection
#   slapd_stop_all             stop every server and listener started here
#                              (use in an EXIT trap)
#   slapd_log NAME [LINES]     last LINES (default 30) of its log as "# " lines
#   slapd_start_refused NAME   no process: SLAPD_NAME_URI/_LDAPS_URI/_PORT
#                              point at a 127.0.0.1 port nothing listens on
#                              (connection refused)
#   slapd_start_blackhole NAME [SECONDS]
#                              a listener that accepts TCP connections and
#                              never answers (for timeout tests); it exits by
#                              itself after SECONDS (default 120) or at
#                              slapd_stop / slapd_stop_all. Sets the same
#                              variables (ldap:// and ldaps:// URIs both point
#                              at the one port) and SLAPD_NAME_PID.
#   slapd_start_slow NAME TARGET-PORT DELAY [SECONDS]
#                              a proxy to a running slapd (its port) that
#                              holds each of the server's answers DELAY
#                              seconds: a partner that answers, slowly.
#                              Sets the same variables as the blackhole.
#   slapd_tls_init             create (once per $TEST_TMP) the test CA, the
#                              server certificate (CN=localhost, SANs
#                              DNS:localhost, IP:127.0.0.1 and DNS:<this
#                              host's name>, because libldap checks a
#                              connection to "localhost" against the local
#                              host name) and an
#                              unrelated "wrong" CA; sets SLAPD_CA,
#                              SLAPD_WRONG_CA, SLAPD_TLS_DIR
#
# Variables set by slapd_start (N = upper-cased NAME), all exported:
#   SLAPD_N_URI        ldap://127.0.0.1:PORT
#   SLAPD_N_PORT       PORT
#   SLAPD_N_LDAPS_URI  ldaps://127.0.0.1:LDAPS_PORT   (only with --tls, else "")
#   SLAPD_N_LDAPS_PORT LDAPS_PORT                     (only with --tls, else "")
#   SLAPD_N_LDAPI_URI  ldapi://<socket in SLAPD_N_DIR>: SASL EXTERNAL binds
#                      there as SLAPD_N_BIND_DN (the peer's uid is mapped)
#   SLAPD_N_SUFFIX     the suffix, e.g. DC=corp,DC=example
#   SLAPD_N_BIND_DN    CN=monitor,CN=Users,<suffix>  (ordinary user, limits apply)
#   SLAPD_N_PWFILE     = SLAPD_PWFILE
#   SLAPD_N_ROOT_DN    CN=admin,<suffix>  (rootdn: no limits, may write)
#   SLAPD_N_DIR        $TEST_TMP/slapd-NAME (slapd.conf, db/, slapd.log)
#   SLAPD_N_PID        slapd's PID
# Global ones (set when this file is sourced):
#   SLAPD_MONITOR_PASSWORD  monitor's password (gen-corp-ldif.sh reads it)
#   SLAPD_PWFILE            file holding it, mode 0600, no trailing newline
#   SLAPD_ROOT_PWFILE       file holding the rootdn password, mode 0600
#   SLAPD_CA, SLAPD_WRONG_CA  PEM files, after slapd_tls_init or --tls
#   SLAPD_GEN               path of tests/fixtures/gen-corp-ldif.sh
#
# Clients: libldap reads /etc/ldap/ldap.conf and ~/.ldaprc; point TLS at the
# test CA with LDAPTLS_CACERT="$SLAPD_CA" (or LDAPTLS_CACERT="$SLAPD_WRONG_CA"
# for the failure case). The server certificate is valid for 127.0.0.1 and
# localhost.
#
# Where this server differs from AD (tests may notice):
# - DNs come back in slapd's form: lower-case attribute types and hex
#   escapes, e.g. cn=WEB01,ou=Servers,dc=corp,dc=example and
#   cn=evil|svc\3D1'\22,cn=Users,dc=corp,dc=example. Compare DNs without
#   regard to case, or match on sAMAccountName.
# - Anonymous search of the tree: noSuchObject (32), AD says
#   operationsError (1). A bad password: invalidCredentials (49) without AD's
#   "data 52e" diagnostic text.
# - Simple binds on plain LDAP are allowed (Samba refuses them by default).
# - (objectCategory=computer) shorthand does not work; use objectClass.
# - The rootDSE also carries objectClass: OpenLDAProotDSE.

: "${TOP_SRCDIR:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
if [ -z "${TEST_TMP:-}" ]; then TEST_TMP=$(mktemp -d /tmp/adtest.XXXXXX); fi
mkdir -p "$TEST_TMP"

: "${SLAPD_BIN:=/usr/sbin/slapd}"
: "${SLAPADD_BIN:=/usr/sbin/slapadd}"
: "${SLAPD_SCHEMADIR:=/etc/ldap/schema}"
: "${SLAPD_MODULEDIR:=/usr/lib/ldap}"
: "${SLAPD_START_TIMEOUT:=10}"
SLAPD_FIXTUREDIR=$TOP_SRCDIR/tests/fixtures/slapd
SLAPD_GEN=$TOP_SRCDIR/tests/fixtures/gen-corp-ldif.sh
: "${SLAPD_MONITOR_PASSWORD:=Monitor-Test-Pw1}"
SLAPD_ROOT_PASSWORD=Root-Test-Pw1
SLAPD_PWFILE=$TEST_TMP/slapd-monitor.pw
SLAPD_ROOT_PWFILE=$TEST_TMP/slapd-root.pw
export SLAPD_MONITOR_PASSWORD SLAPD_PWFILE SLAPD_ROOT_PWFILE SLAPD_GEN
(umask 077; printf '%s' "$SLAPD_MONITOR_PASSWORD" >"$SLAPD_PWFILE"
 printf '%s' "$SLAPD_ROOT_PASSWORD" >"$SLAPD_ROOT_PWFILE")
chmod 600 "$SLAPD_PWFILE" "$SLAPD_ROOT_PWFILE"

SLAPD_INSTANCES=${SLAPD_INSTANCES:-}

_slapd_diag() { printf '%s\n' "$@" | sed 's/^/# /'; }

slapd_available() {
	[ -x "$SLAPD_BIN" ] && [ -x "$SLAPADD_BIN" ] &&
		command -v ldapsearch >/dev/null 2>&1 && command -v openssl >/dev/null 2>&1 &&
		[ -r "$SLAPD_SCHEMADIR/core.schema" ] && [ -r "$SLAPD_SCHEMADIR/cosine.schema" ]
}

# _slapd_port_free PORT: nothing accepts connections on 127.0.0.1:PORT
_slapd_port_free() {
	! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}
# _slapd_pick_port: print a random port in 20000-32767 (below Linux's
# ephemeral range) that nobody listens on at the moment
_slapd_pick_port() {
	local p i
	for i in 1 2 3 4 5 6 7 8 9 10; do
		p=$((20000 + RANDOM % 12768))
		if _slapd_port_free "$p"; then echo "$p"; return 0; fi
	done
	return 1
}

_slapd_var() {   # _slapd_var NAME SUFFIX VALUE: export SLAPD_<NAME>_<SUFFIX>=VALUE
	local n
	n=$(printf '%s' "$1" | tr 'a-z' 'A-Z')
	printf -v "SLAPD_${n}_$2" '%s' "$3"
	export "SLAPD_${n}_$2"
}
_slapd_get() {   # _slapd_get NAME SUFFIX: print SLAPD_<NAME>_<SUFFIX>
	local n v
	n=$(printf '%s' "$1" | tr 'a-z' 'A-Z')
	v="SLAPD_${n}_$2"
	printf '%s' "${!v:-}"
}
_slapd_sed_escape() { printf '%s' "$1" | sed -e 's/[\\&|]/\\&/g'; }

slapd_tls_init() {
	local d=$TEST_TMP/slapd-tls tmp ext san h
	if [ ! -s "$d/wrong-ca.pem" ]; then
		tmp=$(mktemp -d "$TEST_TMP/slapd-tls.XXXXXX") || return 1
		ext=$tmp/server.ext
		# libldap checks a connection to "localhost" against this machine's
		# host name instead (tls2.c), so the name goes in too
		san='DNS:localhost,IP:127.0.0.1'
		for h in "$(uname -n 2>/dev/null)" "$(hostname -f 2>/dev/null)"; do
			case $h in ''|localhost|*[!A-Za-z0-9.-]*) ;; *) case ,$san, in *",DNS:$h,"*) ;; *) san="$san,DNS:$h";; esac;; esac
		done
		printf '%s\n' 'basicConstraints=critical,CA:FALSE' \
			'keyUsage=critical,digitalSignature' 'extendedKeyUsage=serverAuth' \
			"subjectAltName=$san" >"$ext"
		if ! (
			set -e
			cd "$tmp"
			umask 077
			openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
				-keyout ca.key -out ca.pem -days 7 -subj '/O=ad-delegation-plugins tests/CN=Test CA' \
				-addext 'basicConstraints=critical,CA:TRUE' -addext 'keyUsage=critical,keyCertSign,cRLSign'
			openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
				-keyout server.key -out server.csr -subj '/O=ad-delegation-plugins tests/CN=localhost'
			openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -set_serial "0x$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')" \
				-days 7 -extfile server.ext -out server.pem
			openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
				-keyout wrong-ca.key -out wrong-ca.pem -days 7 -subj '/O=somebody else/CN=Unrelated Test CA' \
				-addext 'basicConstraints=critical,CA:TRUE' -addext 'keyUsage=critical,keyCertSign,cRLSign'
			chmod 644 ca.pem server.pem wrong-ca.pem
		) >"$tmp/openssl.log" 2>&1; then
			_slapd_diag "slapd_tls_init: openssl failed:" "$(tail -n 20 "$tmp/openssl.log")"
			return 1
		fi
		# publish atomically; another test may have won the race
		mv -T "$tmp" "$d" 2>/dev/null || rm -rf "$tmp"
	fi
	SLAPD_TLS_DIR=$d SLAPD_CA=$d/ca.pem SLAPD_WRONG_CA=$d/wrong-ca.pem
	export SLAPD_TLS_DIR SLAPD_CA SLAPD_WRONG_CA
}

slapd_log() {
	local d
	d=$(_slapd_get "$1" DIR)
	[ -n "$d" ] && [ -f "$d/slapd.log" ] || { _slapd_diag "no log for slapd $1"; return 0; }
	_slapd_diag "--- last lines of $d/slapd.log" "$(tail -n "${2:-30}" "$d/slapd.log")"
}

_slapd_ready() {   # _slapd_ready URI: the rootDSE answers (anonymous, no ldap.conf)
	# bounded: after a port collision the port may belong to something that
	# accepts and never answers
	LDAPNOINIT=1 timeout -k 1 1 ldapsearch -x -H "$1" -b '' -s base -o nettimeout=1 -LLL 1.1 >/dev/null 2>&1
}

_slapd_alive() {   # _slapd_alive PID: running and not a zombie
	local st
	kill -0 "$1" 2>/dev/null || return 1
	if [ -r "/proc/$1/stat" ]; then
		st=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
		st=${st##*) }
		[ "${st%% *}" != Z ] || return 1
	fi
	return 0
}

_slapd_watchdog() {   # _slapd_watchdog PID NAME: kill PID when this shell goes away
	local parent=$$ pid=$1
	(
		trap '' HUP INT
		while _slapd_alive "$parent" && _slapd_alive "$pid"; do sleep 1; done
		kill "$pid" 2>/dev/null
	) </dev/null >/dev/null 2>&1 &
	_slapd_var "$2" WATCHDOG "$!"
}

_slapd_ldapi_uri() {   # ldapi:// URI of the socket in DIR (path %-encoded)
	printf 'ldapi://%s' "$(printf '%s' "$1/ldapi" | sed -e 's|%|%25|g' -e 's|/|%2F|g')"
}

slapd_start() {
	if [ $# -lt 2 ]; then
		_slapd_diag "usage: slapd_start NAME LDIF... [--suffix DN] [--tls] [--sizelimit N] [--prtotal N] [--rootdse FILE]"
		return 2
	fi
	local name=$1; shift
	local suffix='DC=corp,DC=example' tls=0 sizelimit=1000 prtotal=unlimited rootdse='' ldifs=() f
	case $name in ''|*[!A-Za-z0-9_]*) _slapd_diag "slapd_start: bad NAME '$name'"; return 2;; esac
	while [ $# -gt 0 ]; do
		case $1 in
		--suffix) suffix=${2:-}; shift 2 || return 2;;
		--tls) tls=1; shift;;
		--sizelimit) sizelimit=${2:-}; shift 2 || return 2;;
		--prtotal) prtotal=${2:-}; shift 2 || return 2;;
		--rootdse) rootdse=${2:-}; shift 2 || return 2;;
		--*) _slapd_diag "slapd_start: unknown option $1"; return 2;;
		*) ldifs+=("$1"); shift;;
		esac
	done
	case $sizelimit in ''|*[!0-9]*) _slapd_diag "slapd_start: bad --sizelimit"; return 2;; esac
	if [ -n "$(_slapd_get "$name" PID)" ] && kill -0 "$(_slapd_get "$name" PID)" 2>/dev/null; then
		_slapd_diag "slapd_start: $name is already running"; return 1
	fi
	slapd_available || { _slapd_diag "slapd_start: slapd/slapadd/ldapsearch/openssl missing"; return 1; }

	local dir=$TEST_TMP/slapd-$name
	rm -rf "$dir"
	mkdir -p "$dir/db" || return 1
	_slapd_var "$name" DIR "$dir"

	# modules.conf: back_mdb may be built in or a module
	if [ -e "$SLAPD_MODULEDIR/back_mdb.la" ] || [ -e "$SLAPD_MODULEDIR/back_mdb.so" ]; then
		printf 'modulepath %s\nmoduleload back_mdb\n' "$SLAPD_MODULEDIR" >"$dir/modules.conf"
	else
		: >"$dir/modules.conf"
	fi
	: >"$dir/tls.conf"
	if [ "$tls" = 1 ]; then
		slapd_tls_init || return 1
		printf '%s\n' "TLSCACertificateFile $SLAPD_TLS_DIR/ca.pem" \
			"TLSCertificateFile $SLAPD_TLS_DIR/server.pem" \
			"TLSCertificateKeyFile $SLAPD_TLS_DIR/server.key" >"$dir/tls.conf"
	fi
	local dns
	dns=$(printf '%s' "$suffix" | tr ',' '\n' | sed -n 's/^ *[Dd][Cc]=//p' | paste -sd. - | tr 'A-Z' 'a-z')
	if [ -n "$rootdse" ]; then
		cp "$rootdse" "$dir/rootdse.ldif" || return 1
	else
		printf '%s\n' 'dn:' "defaultNamingContext: $suffix" "rootDomainNamingContext: $suffix" \
			"configurationNamingContext: CN=Configuration,$suffix" \
			"schemaNamingContext: CN=Schema,CN=Configuration,$suffix" \
			"dNSHostName: dc01.${dns:-localhost}" >"$dir/rootdse.ldif"
	fi
	local rootdn="CN=admin,$suffix"
	sed -e "s|@SCHEMADIR@|$(_slapd_sed_escape "$SLAPD_SCHEMADIR")|g" \
		-e "s|@FIXTUREDIR@|$(_slapd_sed_escape "$SLAPD_FIXTUREDIR")|g" \
		-e "s|@DIR@|$(_slapd_sed_escape "$dir")|g" \
		-e "s|@SUFFIX@|$(_slapd_sed_escape "$suffix")|g" \
		-e "s|@ROOTDN@|$(_slapd_sed_escape "$rootdn")|g" \
		-e "s|@ROOTPW@|$(_slapd_sed_escape "$SLAPD_ROOT_PASSWORD")|g" \
		-e "s|@SIZELIMIT@|$sizelimit|g" \
		-e "s|@PRTOTAL@|$prtotal|g" \
		"$SLAPD_FIXTUREDIR/slapd.conf.in" >"$dir/slapd.conf" || return 1

	for f in "${ldifs[@]}"; do
		if ! "$SLAPADD_BIN" -q -f "$dir/slapd.conf" -l "$f" >>"$dir/slapadd.log" 2>&1; then
			_slapd_diag "slapd_start $name: slapadd -l $f failed:" "$(tail -n 20 "$dir/slapadd.log")"
			return 1
		fi
	done

	local attempt port lport urls pid deadline ok
	for attempt in 1 2 3 4 5 6 7 8; do
		port=$(_slapd_pick_port) || { _slapd_diag "slapd_start $name: no free port"; return 1; }
		# a private unix socket too, for SASL EXTERNAL
		urls="ldap://127.0.0.1:$port/ $(_slapd_ldapi_uri "$dir")"
		lport=
		if [ "$tls" = 1 ]; then
			lport=$(_slapd_pick_port) || return 1
			[ "$lport" != "$port" ] || continue
			urls="$urls ldaps://127.0.0.1:$lport/"
		fi
		: >"$dir/slapd.log"
		"$SLAPD_BIN" -h "$urls" -f "$dir/slapd.conf" -d stats </dev/null >>"$dir/slapd.log" 2>&1 &
		pid=$!
		deadline=$((SECONDS + SLAPD_START_TIMEOUT))
		ok=0
		while [ "$SECONDS" -le "$deadline" ]; do
			if ! kill -0 "$pid" 2>/dev/null; then break; fi
			if _slapd_ready "ldap://127.0.0.1:$port"; then ok=1; break; fi
			sleep 0.05
		done
		if [ "$ok" = 1 ]; then break; fi
		if kill -0 "$pid" 2>/dev/null; then
			kill -9 "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true
			_slapd_diag "slapd_start $name: no answer within ${SLAPD_START_TIMEOUT}s"
			slapd_log "$name"
			return 1
		fi
		wait "$pid" 2>/dev/null || true
		if grep -q 'Address already in use' "$dir/slapd.log"; then
			cp "$dir/slapd.log" "$dir/slapd.log.port-collision.$attempt"
			continue
		fi
		_slapd_diag "slapd_start $name: slapd exited:" "$(tail -n 20 "$dir/slapd.log")"
		return 1
	done
	if [ "$ok" != 1 ]; then _slapd_diag "slapd_start $name: gave up after port collisions"; return 1; fi

	_slapd_var "$name" PID "$pid"
	_slapd_var "$name" PORT "$port"
	_slapd_var "$name" URI "ldap://127.0.0.1:$port"
	_slapd_var "$name" LDAPS_PORT "$lport"
	_slapd_var "$name" LDAPS_URI "${lport:+ldaps://127.0.0.1:$lport}"
	_slapd_var "$name" LDAPI_URI "$(_slapd_ldapi_uri "$dir")"
	_slapd_var "$name" SUFFIX "$suffix"
	_slapd_var "$name" BIND_DN "CN=monitor,CN=Users,$suffix"
	_slapd_var "$name" PWFILE "$SLAPD_PWFILE"
	_slapd_var "$name" ROOT_DN "$rootdn"
	_slapd_watchdog "$pid" "$name"
	case " $SLAPD_INSTANCES " in *" $name "*) ;; *) SLAPD_INSTANCES="$SLAPD_INSTANCES $name";; esac
	return 0
}

slapd_stop() {
	local name=${1:?slapd_stop NAME} pid wd i
	pid=$(_slapd_get "$name" PID)
	wd=$(_slapd_get "$name" WATCHDOG)
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
		kill -TERM "$pid" 2>/dev/null || true
		for ((i = 0; i < 100; i++)); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.05
		done
		kill -0 "$pid" 2>/dev/null && { kill -KILL "$pid" 2>/dev/null || true; }
	fi
	[ -n "$pid" ] && { wait "$pid" 2>/dev/null || true; }
	if [ -n "$wd" ]; then
		kill "$wd" 2>/dev/null || true
		wait "$wd" 2>/dev/null || true
	fi
	_slapd_var "$name" PID ""
	_slapd_var "$name" WATCHDOG ""
	SLAPD_INSTANCES=$(printf '%s\n' $SLAPD_INSTANCES | { grep -vx -- "$name" || true; } | tr '\n' ' ')
	return 0
}

slapd_stop_all() {
	local n
	for n in $SLAPD_INSTANCES; do slapd_stop "$n"; done
	SLAPD_INSTANCES=
	return 0
}

slapd_start_refused() {
	local name=${1:?slapd_start_refused NAME} port
	case $name in *[!A-Za-z0-9_]*) _slapd_diag "bad NAME '$name'"; return 2;; esac
	port=$(_slapd_pick_port) || return 1
	_slapd_var "$name" PORT "$port"
	_slapd_var "$name" URI "ldap://127.0.0.1:$port"
	_slapd_var "$name" LDAPS_PORT "$port"
	_slapd_var "$name" LDAPS_URI "ldaps://127.0.0.1:$port"
	_slapd_var "$name" PID ""
}

# _slapd_listener NAME SECONDS KIND PERL-LOOP [ARGS...]: starts a perl
# listener on 127.0.0.1 whose accept loop is PERL-LOOP (with $s the listening
# socket and @ARGV the ARGS), waits for its port and sets the variables.
_slapd_listener() {
	local name=$1 secs=$2 kind=$3 loop=$4 dir pid i port=
	shift 4
	case $name in *[!A-Za-z0-9_]*) _slapd_diag "bad NAME '$name'"; return 2;; esac
	dir=$TEST_TMP/slapd-$name
	rm -rf "$dir"; mkdir -p "$dir" || return 1
	_slapd_var "$name" DIR "$dir"
	# exits after SECONDS or on TERM, with its children
	perl -MIO::Socket::INET -MIO::Select -e '
		my $pf = shift @ARGV; my $secs = shift @ARGV;
		$SIG{ALRM} = $SIG{TERM} = sub { kill "TERM", -$$; exit 0 };
		setpgrp(0, 0);
		$SIG{CHLD} = "IGNORE";
		my $s = IO::Socket::INET->new(LocalAddr => "127.0.0.1", LocalPort => 0,
			Listen => 64, ReuseAddr => 1, Proto => "tcp") or die "listen: $!\n";
		open(my $f, ">", "$pf.tmp") or die "$pf: $!\n";
		print $f $s->sockport, "\n"; close $f; rename "$pf.tmp", $pf;
		alarm $secs;
	'"$loop" "$dir/port" "$secs" "$@" </dev/null >"$dir/$kind.log" 2>&1 &
	pid=$!
	for ((i = 0; i < 100; i++)); do
		[ -s "$dir/port" ] && { port=$(cat "$dir/port"); break; }
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	if [ -z "$port" ]; then
		kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true
		_slapd_diag "$kind $name: listener did not start" "$(cat "$dir/$kind.log")"
		return 1
	fi
	_slapd_var "$name" PID "$pid"
	_slapd_var "$name" PORT "$port"
	_slapd_var "$name" URI "ldap://127.0.0.1:$port"
	_slapd_var "$name" LDAPS_PORT "$port"
	_slapd_var "$name" LDAPS_URI "ldaps://127.0.0.1:$port"
	_slapd_watchdog "$pid" "$name"
	case " $SLAPD_INSTANCES " in *" $name "*) ;; *) SLAPD_INSTANCES="$SLAPD_INSTANCES $name";; esac
	return 0
}

slapd_start_blackhole() {
	local name=${1:?slapd_start_blackhole NAME [SECONDS]} secs=${2:-120}
	# accepts and holds every connection, never reads or writes
	_slapd_listener "$name" "$secs" blackhole '
		my @held;
		while (1) { my $c = $s->accept; push @held, $c if $c; }'
}

slapd_start_slow() {
	local name=${1:?slapd_start_slow NAME TARGET-PORT DELAY [SECONDS]} target=${2:?target port} delay=${3:?delay} secs=${4:-120}
	# a proxy to 127.0.0.1:TARGET-PORT that holds each answer of the server
	# DELAY seconds before passing it on (the server is slow, not silent)
	_slapd_listener "$name" "$secs" slow '
		my ($target, $delay) = @ARGV;
		while (1) {
			my $c = $s->accept or next;
			if (fork() == 0) {
				my $u = IO::Socket::INET->new(PeerAddr => "127.0.0.1", PeerPort => $target,
					Proto => "tcp") or exit 1;
				my $sel = IO::Select->new($c, $u);
				while (1) {
					for my $h ($sel->can_read) {
						my $n = sysread($h, my $buf, 65536);
						exit 0 unless $n;
						if ($h == $u) { select(undef, undef, undef, $delay); syswrite($c, $buf); }
						else { syswrite($u, $buf); }
					}
				}
			}
			close $c;
		}' "$target" "$delay"
}
