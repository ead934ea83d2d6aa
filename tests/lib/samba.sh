# tests/lib/samba.sh - real Samba AD domain controllers for the test scripts,
# on loopback addresses only, inside private Linux namespaces.
#
# Source it after tests/lib/tap.sh, then re-enter the script in private
# namespaces before doing anything else:
#
#   . "$TOP_SRCDIR/tests/lib/tap.sh"
#   . "$TOP_SRCDIR/tests/lib/samba.sh"
#   samba_enter_private_hosts "$0" "$@" || samba_skip_all "Samba AD tests"
#   samba_lab_up || ...         # DC1 only (LAB.EXAMPLE), or
#   samba_forests_up || ...     # DC1 + DC2 (PARTNER.EXAMPLE) + forest trust
#                               # (returns 2 + $SAMBA_SKIP_REASON: no netns)
#
# How it works:
# - samba_enter_private_hosts re-executes the calling script as PID 1 of new
#   mount, network and PID namespaces (`unshare --mount --net --pid --fork`).
#   Nothing on the machine changes: inside, /run, /etc/hosts,
#   /etc/resolv.conf, /etc/krb5.conf, /etc/samba, /var/lib/samba,
#   /var/cache/samba and /var/log/samba are bind mounts of files/directories
#   of a temp dir, so even a Samba default path lands in the temp dir.  The
#   network namespace has only `lo` (no route anywhere else), IPv6 off.  When
#   the script (PID 1) exits, the kernel kills whatever is left inside.
# - Harness files live at the fixed in-namespace path $SAMBA_TMP
#   (/run/samba-harness = $SAMBA_NS_PHYS/run/samba-harness, SAMBA_NS_PHYS
#   being a mktemp dir under $TEST_TMP), so a provisioned DC can be cached as
#   a template and copied later with identical paths.
# - A DC lives either in the script's network namespace (DC1: 127.0.0.2 on
#   lo) or in a network namespace made with `ip netns add` (DC2: 127.0.0.3 on
#   that namespace's lo), joined to the script's one by a veth pair carrying
#   127.0.0.0/8 traffic (route_localnet=1 on both veth ends, lo's 127.0.0.1/8
#   narrowed to /32s).  No address outside 127.0.0.0/8 is ever configured.
# - Each samba runs in its own mount namespace where /run/samba is its
#   DIR/run (smbd reaches winbindd only at the compiled-in /run/samba/winbindd).
#   samba_in ID CMD runs CMD inside a running DC's namespaces (nsenter).
#
# Return codes: 0 ok, 1 failure (message on stderr), 2 not possible on this
# machine (reason in $SAMBA_SKIP_REASON): skip.
#
# Per-DC variables, ID being DC1, DC2, ... (all exported):
#   SAMBA_<ID>_REALM   LAB.EXAMPLE        SAMBA_<ID>_DOMAIN  LAB (NetBIOS)
#   SAMBA_<ID>_HOST    dc1                SAMBA_<ID>_FQDN    dc1.lab.example
#   SAMBA_<ID>_ADDR    127.0.0.2          SAMBA_<ID>_BASEDN  DC=lab,DC=example
#   SAMBA_<ID>_NETNS   "" or netns name   SAMBA_<ID>_DIR     private prefix
#   SAMBA_<ID>_CONF    DIR/etc/smb.conf   SAMBA_<ID>_SAMLDB  DIR/private/sam.ldb
#   SAMBA_<ID>_CA      DIR/private/tls/ca.pem (the DC's CA, after the 1st start)
#   SAMBA_<ID>_LDAP_URI  ldap://FQDN      SAMBA_<ID>_LDAPS_URI ldaps://FQDN
#   SAMBA_<ID>_ADMIN_DN  CN=Administrator,CN=Users,BASEDN
#   SAMBA_<ID>_ADMIN_UPN Administrator@REALM
#   SAMBA_<ID>_PASSFILE  Administrator's password, mode 0600, no newline
#                        (for `ldapsearch -y FILE` and samba's PASSWD_FILE)
#   SAMBA_<ID>_LOGDIR  DIR/log (log.samba, log.smbd, log.winbindd, samba.out)
#   SAMBA_<ID>_PID     samba's PID while running
#   SAMBA_<ID>_FORWARDER  DNS forwarder written at each start ("" = none)
#   SAMBA_<ID>_EXTRA_CONF extra smb.conf [global] lines applied at each start,
#                      e.g. "ldap server require strong auth = allow_sasl_over_tls"
#                      (set before samba_dc_start, or then samba_dc_restart)
#   SAMBA_<ID>_TEMPLATE the template directory used ("" = none)
# Globals: SAMBA_TMP, SAMBA_KRB5_CONFIG (private krb5.conf, all realms),
#   SAMBA_CA_BUNDLE (all DCs' CAs), SAMBA_DCS (defined IDs), SAMBA_TIMINGS
#   (lines "label seconds"; samba_timings_diag prints them as TAP comments),
#   SAMBA_WAIT_TIMEOUT (60), SAMBA_TEMPLATE_DIR (cache of provisioned DCs,
#   default $TEST_ROOT/samba-templates, shared by the scripts of one
#   tests/run-all.sh run, else $TEST_TMP/samba-templates; about 42 MB per
#   DC; "" disables it),
#   SAMBA_KEEP=1 keeps the temp dir (path printed) for debugging.

case :$PATH: in *:/usr/sbin:*) ;; *) PATH=$PATH:/usr/sbin:/sbin;; esac
SAMBA_LIB=${BASH_SOURCE[0]}
case $SAMBA_LIB in /*) ;; *) SAMBA_LIB=$(cd "$(dirname "$SAMBA_LIB")" && pwd)/$(basename "$SAMBA_LIB");; esac
SAMBA_TMP=/run/samba-harness
SAMBA_KRB5_CONFIG=$SAMBA_TMP/krb5.conf
SAMBA_CA_BUNDLE=$SAMBA_TMP/ca-bundle.pem
SAMBA_SKIP_REASON=${SAMBA_SKIP_REASON:-}
: "${SAMBA_DCS:=}"
: "${SAMBA_TIMINGS:=}"
: "${SAMBA_WAIT_TIMEOUT:=60}"
: "${SAMBA_TEMPLATE_DIR=${TEST_ROOT:-${TEST_TMP:-/tmp}}/samba-templates}"
_SAMBA_NETNS_LIST=
_SAMBA_HOST_SRC=

_samba_err() { echo "samba.sh: $*" >&2; }
_samba_now() { echo "${EPOCHREALTIME/,/.}"; }
# _samba_sv ID KEY VALUE / _samba_gv ID KEY: set/get SAMBA_<ID>_<KEY>
_samba_sv() { printf -v "SAMBA_$1_$2" '%s' "$3"; export "SAMBA_$1_$2"; }
_samba_gv() { local n="SAMBA_$1_$2"; printf '%s' "${!n:-}"; }

# samba_timing LABEL START: record "LABEL seconds" since START (from
# _samba_now) in SAMBA_TIMINGS; samba_timings_diag prints them as "# label N.N s".
samba_timing() {
	local el; el=$(awk -v a="$2" -v b="$(_samba_now)" 'BEGIN { printf "%.1f", b - a }')
	SAMBA_TIMINGS+="$1 $el"$'\n'
}
samba_timings_diag() {
	printf '%s' "$SAMBA_TIMINGS" | while read -r l s; do [ -n "$l" ] && echo "# $l $s s"; done
}

# samba_available: the Samba AD DC tools are installed (else 1 + reason).
samba_available() {
	local c
	for c in samba samba-tool ldbsearch ldbmodify ldapsearch ip unshare; do
		command -v "$c" >/dev/null 2>&1 || { SAMBA_SKIP_REASON="$c not installed"; return 1; }
	done
	[ -d /usr/share/samba/setup ] || { SAMBA_SKIP_REASON="samba-ad-provision not installed"; return 1; }
	return 0
}

# samba_enter_private_hosts SCRIPT [ARGS...]
#   Call first thing, as `samba_enter_private_hosts "$0" "$@"`.  Outside the
#   namespaces it re-executes `bash SCRIPT ARGS...` as PID 1 of new mount,
#   network and PID namespaces (does not return).  Inside it sets everything
#   up (cleanup trap included) and returns 0.  Returns 1 with
#   $SAMBA_SKIP_REASON when that is impossible here (not root, namespaces
#   forbidden, Samba missing): the caller should skip.
samba_enter_private_hosts() {
	local script=$1; shift
	if [ -n "${SAMBA_NS_TOKEN:-}" ] && [ "$$" = 1 ]; then   # inside, as PID 1
		if [ -z "${SAMBA_NS_SETUP_ERROR:-}" ] &&
		   [ "$(cat "$SAMBA_TMP/.token" 2>/dev/null)" = "$SAMBA_NS_TOKEN" ]; then
			trap samba_cleanup EXIT
			trap 'exit 143' TERM
			trap 'exit 130' INT
			return 0
		fi
		SAMBA_SKIP_REASON="private namespace setup failed: ${SAMBA_NS_SETUP_ERROR:-no token}"
		samba_cleanup; return 1
	fi
	samba_available || return 1
	[ "$(id -u)" = 0 ] || { SAMBA_SKIP_REASON="needs root (network/mount namespaces)"; return 1; }
	local err
	if ! err=$(unshare --mount --net --pid --fork --mount-proc --propagation private \
		sh -c 'ip link set lo up && mount -t tmpfs samba-probe /run' 2>&1); then
		SAMBA_SKIP_REASON="namespaces not permitted here: $(printf '%s' "$err" | head -n 1)"
		return 1
	fi
	export TEST_TMP TOP_SRCDIR PLUGINDIR
	local phys tok
	phys=$(mktemp -d "${TEST_TMP:-/tmp}/samba.XXXXXX") || return 1
	tok=$(od -An -N8 -tx8 /dev/urandom | tr -d ' ')
	exec unshare --mount --net --pid --fork --kill-child=SIGTERM --mount-proc \
		--propagation private env SAMBA_NS_PHYS="$phys" SAMBA_NS_TOKEN="$tok" \
		bash -c '. "$1" && shift && _samba_ns_setup; exec bash "$@"' \
		samba-ns "$SAMBA_LIB" "$script" "$@"
}

# _samba_ns_setup: runs once as PID 1 inside the new namespaces, before the
# test script is exec'ed.  On failure sets SAMBA_NS_SETUP_ERROR (the script
# then skips).
_samba_ns_setup() {
	local p=$SAMBA_NS_PHYS d f t
	export SAMBA_NS_MOUNTS=   # what we mounted, newline-separated, for cleanup
	_fail() { export SAMBA_NS_SETUP_ERROR="$*"; return 1; }
	_mnt() { mount --bind "$1" "$2" && SAMBA_NS_MOUNTS="$2"$'\n'"$SAMBA_NS_MOUNTS"; }
	mkdir -p "$p/run" || _fail "mkdir $p" || return 1
	# resolv.conf/hosts may be symlinks (e.g. into /run): bind onto the target
	local resolv hosts
	resolv=$(readlink -m /etc/resolv.conf); hosts=$(readlink -m /etc/hosts)
	_mnt "$p/run" /run || _fail "cannot bind-mount /run" || return 1
	mkdir -p "$SAMBA_TMP/overlay" /run/netns /run/lock
	printf '%s' "$SAMBA_NS_TOKEN" > "$SAMBA_TMP/.token"
	# Samba's default paths go to the temp dir too (empty default smb.conf)
	for d in /etc/samba /var/lib/samba /var/cache/samba /var/log/samba; do
		[ -d "$d" ] || continue
		mkdir -p "$SAMBA_TMP/overlay$d"
		_mnt "$SAMBA_TMP/overlay$d" "$d" || _fail "cannot bind-mount $d" || return 1
	done
	# written in the overlay source, never through the /etc path
	[ -d "$SAMBA_TMP/overlay/etc/samba" ] && : > "$SAMBA_TMP/overlay/etc/samba/smb.conf"
	printf '127.0.0.1\tlocalhost %s\n' "$(hostname)" > "$SAMBA_TMP/hosts"
	printf '# samba harness: no DNS server yet\noptions attempts:1 timeout:2\n' > "$SAMBA_TMP/resolv.conf"
	printf '[libdefaults]\n\tdns_lookup_kdc = false\n' > "$SAMBA_KRB5_CONFIG"
	: > "$SAMBA_CA_BUNDLE"
	for f in "$hosts:hosts" "$resolv:resolv.conf" "/etc/krb5.conf:krb5.conf"; do
		t=${f%%:*}
		[ "$t" = /etc/krb5.conf ] && [ ! -e "$t" ] && continue
		if [ ! -e "$t" ]; then   # only a dangling symlink into our private /run
			case $t in /run/*) mkdir -p "$(dirname "$t")" && : > "$t" || continue;;
			*) _fail "$t does not exist"; return 1;; esac
		fi
		_mnt "$SAMBA_TMP/${f#*:}" "$t" || _fail "cannot bind-mount $t" || return 1
	done
	ip link set lo up || _fail "cannot bring lo up" || return 1
	for d in all default lo; do
		sysctl -qw "net.ipv6.conf.$d.disable_ipv6=1" 2>/dev/null
	done
	return 0
}

# samba_require_plugin DESC PATH: 0 when PATH is a built plugin (prints
# nothing); else one failing case "DESC" naming the missing binary, and 1.
# A plugin that is not built is a failure, never a skip: the Samba tests
# exist to run the plugins.  Safe before samba_enter_private_hosts (it prints
# nothing when the plugin is there).
samba_require_plugin() {
	[ -f "$2" ] && [ -x "$2" ] && return 0
	not_ok "$1" "plugin not built: $2 is missing (build with scripts/build; PLUGINDIR=$PLUGINDIR)"
	return 1
}

# samba_skip_all WHAT: print one skipped test with $SAMBA_SKIP_REASON, end
# the TAP stream and exit 0 (for the `samba_enter_private_hosts ... ||` idiom).
samba_skip_all() {
	skip "${1:-Samba AD tests}" "${SAMBA_SKIP_REASON:-Samba AD DC not available}"
	tap_done; exit 0
}

# samba_cleanup: stop every DC by PID, delete the network namespaces,
# unmount, remove the temp dir (unless SAMBA_KEEP=1).  Installed as the EXIT
# trap by samba_enter_private_hosts; call it from your own EXIT trap if you
# replace that trap.
samba_cleanup() {
	local id ns d
	for id in $SAMBA_DCS; do samba_dc_stop "$id" 2>/dev/null; done
	for ns in $_SAMBA_NETNS_LIST; do ip netns del "$ns" 2>/dev/null; done
	_SAMBA_NETNS_LIST=
	[ -n "${SAMBA_NS_PHYS:-}" ] || return 0
	if [ "${SAMBA_KEEP:-0}" = 1 ]; then
		echo "# samba harness: kept $SAMBA_NS_PHYS/run/samba-harness"; return 0
	fi
	# detach the mounts we made (this private namespace only, newest first),
	# then remove the files
	cd / || return 0
	printf '%s' "${SAMBA_NS_MOUNTS:-}" | while IFS= read -r d; do
		[ -n "$d" ] && umount -l "$d" 2>/dev/null
	done
	rm -rf "$SAMBA_NS_PHYS"
}

# samba_in ID CMD [ARGS...]: run CMD in DC ID's namespaces: those of its
# running samba (network + mount: /run/samba is the DC's own, so e.g. wbinfo
# reaches its winbindd), else its network namespace (if any).  Kerberos variables of
# the caller are removed so Samba tools use their own credentials.
samba_in() {
	local ns pid; ns=$(_samba_gv "$1" NETNS); pid=$(_samba_gv "$1" PID); shift
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
		env -u KRB5CCNAME -u KRB5_CLIENT_KTNAME -u KRB5_KTNAME nsenter --target "$pid" --mount --net -- "$@"
	elif [ -n "$ns" ]; then
		env -u KRB5CCNAME -u KRB5_CLIENT_KTNAME -u KRB5_KTNAME ip netns exec "$ns" "$@"
	else
		env -u KRB5CCNAME -u KRB5_CLIENT_KTNAME -u KRB5_KTNAME "$@"
	fi
}

# samba_netns_create NAME ADDR: a network namespace NAME whose lo carries
# ADDR (127.x.y.z), linked to the script's namespace by a veth pair that
# carries only 127.0.0.0/8 traffic: here a /32 route to ADDR, there a route
# for 127.0.0.0/8 (minus its own /32s).  Returns 2 if impossible.
samba_netns_create() {
	local ns=$1 addr=$2 vh vn err
	_samba_is_loopback "$addr" || { _samba_err "$addr is not in 127.0.0.0/8"; return 1; }
	vh="vh-${ns:0:12}"; vn="vn-${ns:0:12}"
	_samba_host_src || return 1
	if ! err=$( {
		ip netns add "$ns" &&
		ip link add "$vh" type veth peer name "$vn" netns "$ns" &&
		sysctl -qw "net.ipv4.conf.$vh.route_localnet=1" "net.ipv4.conf.$vh.rp_filter=0" &&
		ip link set "$vh" up &&
		ip route add "$addr/32" dev "$vh" src "$_SAMBA_HOST_SRC" &&
		ip netns exec "$ns" sh -ec "
			ip link set lo up
			for d in all default lo $vn; do sysctl -qw net.ipv6.conf.\$d.disable_ipv6=1 2>/dev/null || :; done
			ip addr del 127.0.0.1/8 dev lo; ip addr add 127.0.0.1/32 dev lo
			ip addr add $addr/32 dev lo
			sysctl -qw net.ipv4.conf.$vn.route_localnet=1 net.ipv4.conf.$vn.rp_filter=0
			ip link set $vn up
			ip route add 127.0.0.0/8 dev $vn src $addr"
		} 2>&1 ); then
		ip netns del "$ns" 2>/dev/null
		SAMBA_SKIP_REASON="network namespace $ns not possible here: $(printf '%s' "$err" | tail -n 1)"
		return 2
	fi
	_SAMBA_NETNS_LIST+=" $ns"
	return 0
}

_samba_is_loopback() { case $1 in 127.*.*.*) return 0;; *) return 1;; esac; }

# _samba_host_src: the script namespace's source address towards other
# namespaces: the first DC address on lo here (127.0.0.2 if none yet).  The
# 127.0.0.1/8 of lo is narrowed to /32 so that other 127.x go to the veths.
_samba_host_src() {
	[ -n "$_SAMBA_HOST_SRC" ] && return 0
	local id a=
	for id in $SAMBA_DCS; do
		[ -z "$(_samba_gv "$id" NETNS)" ] && { a=$(_samba_gv "$id" ADDR); break; }
	done
	[ -n "$a" ] || a=127.0.0.2
	if ip -4 addr show dev lo | grep -q 'inet 127.0.0.1/8'; then
		ip addr del 127.0.0.1/8 dev lo && ip addr add 127.0.0.1/32 dev lo || return 1
	fi
	_samba_lo_add "$a" || return 1
	_SAMBA_HOST_SRC=$a
}
_samba_lo_add() {
	ip -4 addr show dev lo | grep -q "inet $1/" || ip addr add "$1/32" dev lo
}

# samba_dc_define ID REALM DOMAIN HOST ADDR [NETNS]
#   Declare DC ID (sets the SAMBA_<ID>_* variables), give it its loopback
#   address (in netns NETNS, created here, when given), add "ADDR FQDN HOST"
#   to the private /etc/hosts, the realm to the private krb5.conf.  The first
#   DC without NETNS becomes the private resolv.conf's name server.
samba_dc_define() {
	local id=$1 realm=${2^^} domain=${3^^} host=${4,,} addr=$5 ns=${6:-} rc
	_samba_is_loopback "$addr" || { _samba_err "$addr is not in 127.0.0.0/8"; return 1; }
	case " $SAMBA_DCS " in *" $id "*) _samba_err "$id already defined"; return 1;; esac
	local dir=$SAMBA_TMP/$id fqdn="$host.${realm,,}" basedn
	basedn=$(printf '%s' "${realm,,}" | sed 's/^/DC=/; s/\./,DC=/g')
	_samba_sv "$id" REALM "$realm"; _samba_sv "$id" DOMAIN "$domain"
	_samba_sv "$id" HOST "$host";   _samba_sv "$id" FQDN "$fqdn"
	_samba_sv "$id" ADDR "$addr";   _samba_sv "$id" NETNS "$ns"
	_samba_sv "$id" BASEDN "$basedn"; _samba_sv "$id" DIR "$dir"
	_samba_sv "$id" CONF "$dir/etc/smb.conf"
	_samba_sv "$id" SAMLDB "$dir/private/sam.ldb"
	_samba_sv "$id" CA "$dir/private/tls/ca.pem"
	_samba_sv "$id" LDAP_URI "ldap://$fqdn"; _samba_sv "$id" LDAPS_URI "ldaps://$fqdn"
	_samba_sv "$id" ADMIN_DN "CN=Administrator,CN=Users,$basedn"
	_samba_sv "$id" ADMIN_UPN "Administrator@$realm"
	_samba_sv "$id" PASSFILE "$dir/admin.pass"
	_samba_sv "$id" LOGDIR "$dir/log"
	_samba_sv "$id" PID ""
	local fw; fw=$(_samba_gv "$id" FORWARDER); _samba_sv "$id" FORWARDER "$fw"
	if [ -n "$ns" ]; then
		samba_netns_create "$ns" "$addr"; rc=$?; [ $rc = 0 ] || return $rc
	else
		_samba_lo_add "$addr" || return 1
	fi
	SAMBA_DCS+="${SAMBA_DCS:+ }$id"; export SAMBA_DCS
	printf '%s\t%s %s\n' "$addr" "$fqdn" "$host" >> "$SAMBA_TMP/hosts"
	if [ -z "$ns" ] && ! grep -q '^nameserver' "$SAMBA_TMP/resolv.conf"; then
		printf 'nameserver %s\noptions attempts:1 timeout:2\n' "$addr" > "$SAMBA_TMP/resolv.conf"
	fi
	_samba_write_krb5_conf
}

# The private krb5.conf (KRB5_CONFIG, also bind-mounted on /etc/krb5.conf):
# every defined realm with its DC's address, no DNS lookups, no rdns.
_samba_write_krb5_conf() {
	local id first= out
	out="[libdefaults]"$'\n'
	for id in $SAMBA_DCS; do first=$(_samba_gv "$id" REALM); break; done
	out+="	default_realm = $first
	dns_lookup_kdc = false
	dns_lookup_realm = false
	rdns = false
	dns_canonicalize_hostname = false
	forwardable = true
[realms]
"
	for id in $SAMBA_DCS; do
		out+="	$(_samba_gv "$id" REALM) = {
		kdc = $(_samba_gv "$id" ADDR)
		admin_server = $(_samba_gv "$id" ADDR)
	}
"
	done
	out+="[domain_realm]"$'\n'
	for id in $SAMBA_DCS; do
		out+="	.$(_samba_gv "$id" REALM | tr 'A-Z' 'a-z') = $(_samba_gv "$id" REALM)
	$(_samba_gv "$id" REALM | tr 'A-Z' 'a-z') = $(_samba_gv "$id" REALM)
"
	done
	printf '%s' "$out" > "$SAMBA_KRB5_CONFIG"   # in place: keeps the bind mount
}

# samba_dc_provision ID: provision DC ID into its private prefix (copies a
# cached template of the same DC when there is one).  Writes the admin
# password (generated by samba-tool) to SAMBA_<ID>_PASSFILE, mode 0600.
samba_dc_provision() {
	local id=$1 dir conf tpl key log t0
	t0=$(_samba_now)
	dir=$(_samba_gv "$id" DIR); conf=$(_samba_gv "$id" CONF)
	key="h1-$id-$(_samba_gv "$id" REALM)-$(_samba_gv "$id" DOMAIN)-$(_samba_gv "$id" HOST)-$(_samba_gv "$id" ADDR)-$(samba --version | tr -cd 'A-Za-z0-9.')"
	tpl=${SAMBA_TEMPLATE_DIR:+$SAMBA_TEMPLATE_DIR/$key}
	_samba_sv "$id" TEMPLATE "$tpl"
	rm -rf "$dir"
	if [ -n "$tpl" ] && [ -f "$tpl/.complete" ]; then
		cp -a "$tpl" "$dir" || return 1
		samba_timing "copy-$id" "$t0"
		return 0
	fi
	mkdir -p "$dir/etc" "$dir/log" || return 1
	log=$dir/log/provision.log
	if ! samba_in "$id" samba-tool domain provision -s /dev/null \
		--targetdir="$dir" --realm="$(_samba_gv "$id" REALM)" \
		--domain="$(_samba_gv "$id" DOMAIN)" --host-name="$(_samba_gv "$id" HOST)" \
		--host-ip="$(_samba_gv "$id" ADDR)" --server-role=dc \
		--dns-backend=SAMBA_INTERNAL \
		--option="interfaces=$(_samba_gv "$id" ADDR)" \
		--option="bind interfaces only=yes" > "$log.tmp" 2>&1; then
		_samba_err "provision of $id failed:"; grep -v 'Admin password' "$log.tmp" | tail -n 20 >&2
		rm -f "$log.tmp"; return 1
	fi
	( umask 077; sed -n 's/.*Admin password: *//p' "$log.tmp" | head -n 1 | tr -d '\n' > "$dir/admin.pass" )
	grep -v 'Admin password' "$log.tmp" > "$log"; rm -f "$log.tmp"
	[ -s "$dir/admin.pass" ] || { _samba_err "no admin password in provision output"; return 1; }
	# our settings go last in [global]: include harness.conf before the first share
	sed -i '/^[[:space:]]*dns forwarder[[:space:]]*=/d' "$conf"
	awk -v inc="	include = $dir/etc/harness.conf" '
		/^\[/ { n++; if (n == 2) print inc }
		{ print }
		END { if (n < 2) print inc }' "$conf" > "$conf.new" && mv "$conf.new" "$conf"
	samba_timing "provision-$id" "$t0"
	if [ -n "$tpl" ] && mkdir -p "$SAMBA_TEMPLATE_DIR" 2>/dev/null; then
		local tmp="$tpl.tmp.$$.$RANDOM"
		if cp -a "$dir" "$tmp" && touch "$tmp/.complete" && mv -T "$tmp" "$tpl" 2>/dev/null; then :; else rm -rf "$tmp"; fi
	fi
	return 0
}

# _samba_write_harness_conf ID: the [global] settings appended to smb.conf at
# each start: private run/log dirs, DNS forwarder, extra lines.
_samba_write_harness_conf() {
	local id=$1 dir fw
	dir=$(_samba_gv "$id" DIR); fw=$(_samba_gv "$id" FORWARDER)
	mkdir -p "$dir/run" "$dir/log"
	{
		echo "# written by tests/lib/samba.sh at each start"
		echo "interfaces = $(_samba_gv "$id" ADDR)"
		echo "bind interfaces only = yes"
		echo "dns forwarder = $fw"
		echo "pid directory = $dir/run"
		echo "ncalrpc dir = $dir/run/ncalrpc"
		echo "ntp signd socket directory = $dir/run/ntp_signd"
		echo "log file = $dir/log/log.%m"
		echo "max log size = 0"
		echo "disable netbios = yes"
		printf '%s\n' "$(_samba_gv "$id" EXTRA_CONF)"
	} > "$dir/etc/harness.conf"
}

# samba_dc_start ID: start samba for DC ID in the background (in its netns):
#   samba -F --no-process-group -M single -s CONF -l LOGDIR
# Records the PID in SAMBA_<ID>_PID.  Do not call it in a subshell.
samba_dc_start() {
	local id=$1 dir logdir pid
	dir=$(_samba_gv "$id" DIR); logdir=$(_samba_gv "$id" LOGDIR)
	[ -f "$(_samba_gv "$id" CONF)" ] || { _samba_err "$id is not provisioned"; return 1; }
	_samba_write_harness_conf "$id"
	_samba_sv "$id" START "$(_samba_now)"
	# started directly (not through a shell function) so that $! is samba's
	# own PID: `ip netns exec`, unshare, sh and env all exec the next one.
	# Each DC gets its own mount namespace where /run/samba is DIR/run:
	# libwbclient (smbd -> winbindd) ignores "winbindd socket directory" and
	# always uses the compiled-in /run/samba/winbindd.
	local ns; ns=$(_samba_gv "$id" NETNS)
	mkdir -p /run/samba
	set -- unshare --mount --propagation private sh -c 'mount --bind "$0" /run/samba && exec "$@"' \
		"$dir/run" env -u KRB5CCNAME -u KRB5_CLIENT_KTNAME -u KRB5_KTNAME \
		samba -F --no-process-group -M single -s "$(_samba_gv "$id" CONF)" -l "$logdir"
	if [ -n "$ns" ]; then
		ip netns exec "$ns" "$@" </dev/null >>"$logdir/samba.out" 2>&1 &
	else
		"$@" </dev/null >>"$logdir/samba.out" 2>&1 &
	fi
	pid=$!
	_samba_sv "$id" PID "$pid"
	echo "$pid" > "$dir/harness.pid"
}

# samba_dc_wait ID [SECONDS]: wait (default $SAMBA_WAIT_TIMEOUT = 60 s) until
# the DC answers LDAP (rootDSE) and accepts TCP on 88 (KDC), 53 (DNS) and
# 445 (smbd).  Fails at once if samba died (tail of its log on stderr).
samba_dc_wait() {
	local id=$1 max=${2:-$SAMBA_WAIT_TIMEOUT} addr pid end port ok
	addr=$(_samba_gv "$id" ADDR); pid=$(_samba_gv "$id" PID)
	end=$(( ${EPOCHSECONDS} + max ))
	while :; do
		if [ -z "$pid" ] || ! kill -0 "$pid" 2>/dev/null; then
			_samba_err "samba for $id is not running"; tail -n 15 "$(_samba_gv "$id" LOGDIR)/log.samba" "$(_samba_gv "$id" LOGDIR)/samba.out" >&2 2>/dev/null
			return 1
		fi
		ok=1
		ldapsearch -LLL -x -o nettimeout=2 -H "ldap://$addr" -s base -b "" dnsHostName >/dev/null 2>&1 || ok=0
		if [ $ok = 1 ]; then
			for port in 88 53 445; do
				timeout 2 bash -c "exec 3<>/dev/tcp/$addr/$port" 2>/dev/null || { ok=0; break; }
			done
		fi
		[ $ok = 1 ] && break
		[ "$EPOCHSECONDS" -ge "$end" ] && { _samba_err "$id did not answer within $max s"; return 1; }
		sleep 0.2
	done
	samba_timing "start-$id" "$(_samba_gv "$id" START)"
	_samba_ca_bundle
	_samba_template_add_tls "$id"
	return 0
}

# _samba_template_add_tls ID: samba generates its TLS key and certificates at
# the first start (about 2 s): keep them in the template for the next copy.
_samba_template_add_tls() {
	local dir tpl tmp
	dir=$(_samba_gv "$1" DIR); tpl=$(_samba_gv "$1" TEMPLATE)
	[ -n "$tpl" ] && [ -f "$tpl/.complete" ] && [ ! -f "$tpl/private/tls/ca.pem" ] || return 0
	[ -f "$dir/private/tls/ca.pem" ] || return 0
	tmp="$tpl/private/tls.tmp.$$.$RANDOM"
	if cp -a "$dir/private/tls" "$tmp" && mv -T "$tmp" "$tpl/private/tls" 2>/dev/null; then :; else rm -rf "$tmp"; fi
}

_samba_ca_bundle() {
	local id ca
	: > "$SAMBA_CA_BUNDLE"
	for id in $SAMBA_DCS; do
		ca=$(_samba_gv "$id" CA); [ -f "$ca" ] && cat "$ca" >> "$SAMBA_CA_BUNDLE"
	done
}

# samba_dc_stop ID: stop DC ID by its PID (TERM, after 10 s KILL), then its
# remaining child processes (smbd, winbindd, ...) by their PIDs.
samba_dc_stop() {
	local id=$1 pid kids i k= p
	pid=$(_samba_gv "$id" PID); [ -n "$pid" ] || return 0
	kids=$(_samba_descendants "$pid")
	kill -TERM "$pid" 2>/dev/null
	for i in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	for i in $(seq 1 20); do
		k=; for p in $kids; do kill -0 "$p" 2>/dev/null && k+=" $p"; done
		[ -z "$k" ] && break; sleep 0.1
	done
	for p in $k; do kill -KILL "$p" 2>/dev/null; done
	_samba_sv "$id" PID ""
	return 0
}

# _samba_descendants PID: PIDs of all descendants of PID (from /proc).
_samba_descendants() {
	local all line s c
	all=$(for s in /proc/[0-9]*/stat; do
		read -r line < "$s" 2>/dev/null || continue
		line=${line##*) }; set -- $line; echo "${s//[^0-9]/} $2"
	done 2>/dev/null)
	local queue=$1 out= cur
	while [ -n "$queue" ]; do
		set -- $queue; cur=$1; shift; queue="$*"
		for c in $(printf '%s\n' "$all" | awk -v p="$cur" '$2 == p { print $1 }'); do
			out+=" $c"; queue+=" $c"
		done
	done
	echo "$out"
}

# samba_dc_restart ID: stop, start (rewrites harness.conf: apply changes to
# SAMBA_<ID>_FORWARDER / SAMBA_<ID>_EXTRA_CONF this way) and wait.
samba_dc_restart() { samba_dc_stop "$1" && samba_dc_start "$1" && samba_dc_wait "$1"; }

# samba_dc_up ID REALM DOMAIN HOST ADDR [NETNS]: define, provision, start, wait.
samba_dc_up() {
	samba_dc_define "$@" || return $?
	samba_dc_boot "$1"
}

# samba_dc_boot ID: provision, start and wait for an already defined DC.
samba_dc_boot() { samba_dc_provision "$1" && samba_dc_start "$1" && samba_dc_wait "$1"; }

# samba_lab_up: the standard single forest: DC1 = dc1.lab.example, realm
# LAB.EXAMPLE, NetBIOS LAB, 127.0.0.2 in the script's namespace.
samba_lab_up() {
	local t0; t0=$(_samba_now)
	samba_dc_up DC1 LAB.EXAMPLE LAB dc1 127.0.0.2 || return $?
	samba_timing "lab-total" "$t0"
}

# samba_forests_up [--no-trust]: DC1 as in samba_lab_up plus DC2 =
# dc2.partner.example, realm PARTNER.EXAMPLE, NetBIOS PARTNER, 127.0.0.3 in
# network namespace "partner"; DC1 forwards DNS to DC2 (DC2 forwards
# nowhere); both provisioned in parallel; then a bidirectional forest trust
# created from DC1 (samba_trust_create DC1 DC2) unless --no-trust.
# Returns 2 (with $SAMBA_SKIP_REASON) when the netns cannot be made: DC1 is
# then defined but not started (`samba_dc_boot DC1` gives a lab-only setup).
samba_forests_up() {
	local t0 rc p1 p2; t0=$(_samba_now)
	SAMBA_DC1_FORWARDER=127.0.0.3
	samba_dc_define DC1 LAB.EXAMPLE LAB dc1 127.0.0.2 || return $?
	samba_dc_define DC2 PARTNER.EXAMPLE PARTNER dc2 127.0.0.3 partner; rc=$?
	[ $rc = 2 ] && SAMBA_DC1_FORWARDER=
	[ $rc = 0 ] || return $rc
	samba_dc_provision DC1 > "$SAMBA_TMP/prov-DC1.out" 2>&1 & p1=$!
	samba_dc_provision DC2 > "$SAMBA_TMP/prov-DC2.out" 2>&1 & p2=$!
	rc=0
	wait $p1 || rc=1; wait $p2 || rc=1
	cat "$SAMBA_TMP/prov-DC1.out" "$SAMBA_TMP/prov-DC2.out" >&2
	[ $rc = 0 ] || return 1
	samba_timing "provision-both" "$t0"
	samba_dc_start DC2 && samba_dc_start DC1 || return 1
	samba_dc_wait DC2 && samba_dc_wait DC1 || return 1
	samba_timing "two-dcs-up" "$t0"
	if [ "${1:-}" != --no-trust ]; then
		samba_trust_create DC1 DC2 || return 1
	fi
	samba_timing "forests-total" "$t0"
}

# samba_tool ID ARGS...: samba-tool ARGS... -s CONF of DC ID, run in its
# netns; without -H samba-tool works on the DC's sam.ldb directly.
samba_tool() {
	local id=$1; shift
	samba_in "$id" samba-tool "$@" -s "$(_samba_gv "$id" CONF)"
}

# samba_ldbsearch ID ARGS... / samba_ldbmodify ID [LDIF-FILE]: ldbsearch /
# ldbmodify (LDIF on stdin or in the file) straight on DC ID's sam.ldb, as
# system; the running DC serves the change over LDAP at once.
samba_ldbsearch() {
	local id=$1; shift
	ldbsearch -H "$(_samba_gv "$id" SAMLDB)" --configfile="$(_samba_gv "$id" CONF)" "$@"
}
samba_ldbmodify() {
	local id=$1; shift
	ldbmodify -H "$(_samba_gv "$id" SAMLDB)" --configfile="$(_samba_gv "$id" CONF)" "$@"
}

# samba_account_dn ID SAMACCOUNTNAME: the DN of an account ("" if none).
samba_account_dn() {
	samba_ldbsearch "$1" -b "$(_samba_gv "$1" BASEDN)" "(sAMAccountName=$2)" dn 2>/dev/null |
		sed -n 's/^dn: //p' | head -n 1
}

# samba_uac ID SAMACCOUNTNAME: print userAccountControl (decimal).
samba_uac() {
	samba_ldbsearch "$1" -b "$(_samba_gv "$1" BASEDN)" "(sAMAccountName=$2)" userAccountControl 2>/dev/null |
		sed -n 's/^userAccountControl: //p' | head -n 1
}

# samba_uac_modify ID SAMACCOUNTNAME SETBITS [CLEARBITS]: change
# userAccountControl bits with ldbmodify (bits decimal or 0x hex).
samba_uac_modify() {
	local id=$1 acct=$2 set=$(( ${3:-0} )) clr=$(( ${4:-0} )) dn uac
	dn=$(samba_account_dn "$id" "$acct"); uac=$(samba_uac "$id" "$acct")
	[ -n "$dn" ] && [ -n "$uac" ] || { _samba_err "$id: no account $acct"; return 1; }
	printf 'dn: %s\nchangetype: modify\nreplace: userAccountControl\nuserAccountControl: %d\n' \
		"$dn" $(( (uac | set) & ~clr )) | samba_ldbmodify "$id" >/dev/null
}

# samba_user_create ID NAME [samba-tool user create options...]: a user with
# a random password.
samba_user_create() {
	local id=$1 name=$2; shift 2
	samba_tool "$id" user create "$name" --random-password "$@" >/dev/null
}

# samba_computer_create ID NAME [options]: computer account NAME$ (samba-tool
# creates it disabled; it is enabled here: userAccountControl 0x1000).
samba_computer_create() {
	local id=$1 name=$2; shift 2
	samba_tool "$id" computer create "$name" "$@" >/dev/null &&
	samba_uac_modify "$id" "$name\$" 0 2
}

# samba_account_disable / samba_account_enable ID SAMACCOUNTNAME (computers: NAME$)
samba_account_disable() { samba_uac_modify "$1" "$2" 2 0; }
samba_account_enable()  { samba_uac_modify "$1" "$2" 0 2; }

# samba_set_unconstrained ID ACCOUNT [on|off]: TRUSTED_FOR_DELEGATION (0x80000)
#   via `samba-tool delegation for-any-service`.
samba_set_unconstrained() { samba_tool "$1" delegation for-any-service "$2" "${3:-on}" >/dev/null; }
# samba_set_protocol_transition ID ACCOUNT [on|off]: TRUSTED_TO_AUTH_FOR_DELEGATION
#   (0x1000000) via `samba-tool delegation for-any-protocol`.
samba_set_protocol_transition() { samba_tool "$1" delegation for-any-protocol "$2" "${3:-on}" >/dev/null; }
# samba_add_constrained ID ACCOUNT SPN: add SPN to msDS-AllowedToDelegateTo.
samba_add_constrained() { samba_tool "$1" delegation add-service "$2" "$3" >/dev/null; }
# samba_add_rbcd ID ACCOUNT PRINCIPAL: let PRINCIPAL delegate to ACCOUNT
#   (msDS-AllowedToActOnBehalfOfOtherIdentity) via `delegation add-principal`.
samba_add_rbcd() { samba_tool "$1" delegation add-principal "$2" "$3" >/dev/null; }

# samba_krb5_env ID [PRINCIPAL]: export KRB5_CONFIG, KRB5_CLIENT_KTNAME and
# KRB5CCNAME (FILE: in the temp dir) for PRINCIPAL (default Administrator;
# "@REALM" added when missing), exporting its keytab from DC ID's sam.ldb
# first.  Then `ldapsearch -Y GSSAPI -H "$SAMBA_DC1_LDAP_URI"` works, no kinit.
samba_krb5_env() {
	local id=$1 princ=${2:-Administrator} safe kt
	case $princ in *@*) ;; *) princ="$princ@$(_samba_gv "$id" REALM)";; esac
	safe=$(printf '%s' "$princ" | tr -c 'A-Za-z0-9.@_-' '_')
	mkdir -p "$SAMBA_TMP/krb5" && chmod 700 "$SAMBA_TMP/krb5"
	kt=$SAMBA_TMP/krb5/$safe.keytab
	if [ ! -s "$kt" ]; then
		local out
		out=$(samba_tool "$id" domain exportkeytab "$kt" --principal="$princ" 2>&1) ||
			{ _samba_err "exportkeytab $princ failed: $out"; return 1; }
	fi
	export KRB5_CONFIG=$SAMBA_KRB5_CONFIG
	export KRB5_CLIENT_KTNAME=$kt
	export KRB5CCNAME=FILE:$SAMBA_TMP/krb5/$safe.ccache
}

# samba_krb5_unset: remove the variables set by samba_krb5_env.
samba_krb5_unset() { unset KRB5_CONFIG KRB5_CLIENT_KTNAME KRB5CCNAME; }

# samba_ldapsearch ID [ldapsearch args...]: LDAPS simple bind as
# Administrator (password from the file), CA verified, no referrals chased.
samba_ldapsearch() {
	local id=$1; shift
	LDAPTLS_CACERT=$(_samba_gv "$id" CA) LDAPTLS_REQCERT=demand ldapsearch -LLL -o ldif-wrap=no \
		-H "$(_samba_gv "$id" LDAPS_URI)" -x -D "$(_samba_gv "$id" ADMIN_DN)" \
		-y "$(_samba_gv "$id" PASSFILE)" "$@"
}

# samba_trust_create LOCAL REMOTE [TYPE [DIRECTION [extra samba-tool args]]]:
#   `samba-tool domain trust create REMOTE_REALM --type=TYPE (forest)
#   --direction=DIRECTION (both)` run against LOCAL (ncalrpc as system), as
#   REMOTE's Administrator with the password read from PASSWD_FILE.
#   LOCAL must resolve REMOTE's names: its FORWARDER must point at REMOTE.
#   The output is kept in $SAMBA_TMP/trust-LOCAL-REMOTE.out.  When a
#   re-created trust fails validation with WERR_ACCOUNT_DISABLED (Samba keeps
#   stale state until restart), REMOTE is restarted and the trust validated.
samba_trust_create() {
	local l=$1 r=$2 type=${3:-forest} dir=${4:-both} t0 out
	shift $(( $# < 4 ? $# : 4 ))
	t0=$(_samba_now)
	if ! out=$(PASSWD_FILE=$(_samba_gv "$r" PASSFILE) samba_tool "$l" domain trust create \
		"$(_samba_gv "$r" REALM)" --type="$type" --direction="$dir" \
		-U "$(_samba_gv "$r" DOMAIN)\\Administrator" --ipaddress="$(_samba_gv "$r" ADDR)" "$@" 2>&1); then
		printf '%s\n' "$out" > "$SAMBA_TMP/trust-$l-$r.out"
		# a re-created trust validates only after the remote DC restarts
		case $out in *"TDO created"*WERR_ACCOUNT_DISABLED*)
			if samba_dc_restart "$r" && out=$(samba_trust_validate "$l" "$r" 2>&1); then
				printf '%s\n(validated again after restarting %s)\n' "$out" "$r" >> "$SAMBA_TMP/trust-$l-$r.out"
				samba_timing "trust-create-$l-$r" "$t0"
				return 0
			fi;;
		esac
		_samba_err "trust create $l -> $r failed:"; printf '%s\n' "$out" | tail -n 15 >&2
		return 1
	fi
	printf '%s\n' "$out" > "$SAMBA_TMP/trust-$l-$r.out"
	samba_timing "trust-create-$l-$r" "$t0"
}

# samba_trust_validate LOCAL REMOTE [both]: `samba-tool domain trust validate`
#   on LOCAL (with "both": also from REMOTE's side, REMOTE admin credentials).
samba_trust_validate() {
	local l=$1 r=$2 loc=${3:-local}
	PASSWD_FILE=$(_samba_gv "$r" PASSFILE) samba_tool "$l" domain trust validate \
		"$(_samba_gv "$r" REALM)" --validate-location="$loc" \
		-U "$(_samba_gv "$r" DOMAIN)\\Administrator" --ipaddress="$(_samba_gv "$r" ADDR)"
}

# samba_trust_delete LOCAL REMOTE: delete the trust on both sides.
samba_trust_delete() {
	PASSWD_FILE=$(_samba_gv "$2" PASSFILE) samba_tool "$1" domain trust delete \
		"$(_samba_gv "$2" REALM)" --delete-location=both \
		-U "$(_samba_gv "$2" DOMAIN)\\Administrator" --ipaddress="$(_samba_gv "$2" ADDR)"
}

# samba_trust_dn ID PARTNER: DN of DC ID's trusted domain object for PARTNER
#   (its DNS name or NetBIOS name), under CN=System.
samba_trust_dn() {
	samba_ldbsearch "$1" -b "CN=System,$(_samba_gv "$1" BASEDN)" -s one \
		"(&(objectClass=trustedDomain)(|(trustPartner=$2)(flatName=$2)))" dn 2>/dev/null |
		sed -n 's/^dn: //p' | head -n 1
}

# samba_trust_attr ID PARTNER ATTRIBUTE: print an attribute of that TDO.
samba_trust_attr() {
	samba_ldbsearch "$1" -b "CN=System,$(_samba_gv "$1" BASEDN)" -s one \
		"(&(objectClass=trustedDomain)(|(trustPartner=$2)(flatName=$2)))" "$3" 2>/dev/null |
		sed -n "s/^$3: //p" | head -n 1
}

# samba_set_trust_attributes ID PARTNER VALUE: replace trustAttributes of DC
#   ID's TDO for PARTNER with VALUE (decimal or 0x hex) by ldbmodify on the
#   sam.ldb (LDAP and Samba's LSA cannot set 0x200/0x800).  Also
#   samba_set_trust_attr ID PARTNER ATTRIBUTE VALUE for any other attribute.
samba_set_trust_attributes() { samba_set_trust_attr "$1" "$2" trustAttributes "$(( $3 ))"; }
samba_set_trust_attr() {
	local dn; dn=$(samba_trust_dn "$1" "$2")
	[ -n "$dn" ] || { _samba_err "$1: no trusted domain object for $2"; return 1; }
	printf 'dn: %s\nchangetype: modify\nreplace: %s\n%s: %s\n' "$dn" "$3" "$3" "$4" |
		samba_ldbmodify "$1" >/dev/null
}
