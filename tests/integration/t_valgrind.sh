#!/bin/bash
# The LDAP checks under valgrind (plain build, no sanitizers): no invalid
# access, no uninitialised use, no definite or indirect leak, on the main
# paths (success with paging, exceptions, state file, partner scan threads,
# and error exits).
source "$TOP_SRCDIR/tests/lib/tap.sh"
source "$TOP_SRCDIR/tests/lib/slapd.sh"
trap slapd_stop_all EXIT
VB=${VALGRIND_BUILDDIR:-$BUILDDIR}/plugins
if ! command -v valgrind >/dev/null; then skip "valgrind" "valgrind not installed"; tap_done; exit; fi
if ! slapd_available; then skip "valgrind" "slapd not installed"; tap_done; exit; fi
gen=$TOP_SRCDIR/tests/fixtures/gen-corp-ldif.sh
"$gen" --bulk 1200 >"$TEST_TMP/corp.ldif"
printf 'dn: CN=p1.example,CN=System,DC=corp,DC=example\nobjectClass: trustedDomain\ncn: p1.example\ntrustPartner: p1.example\nflatName: P1\ntrustDirection: 3\ntrustType: 2\ntrustAttributes: 2056\n\n' >>"$TEST_TMP/corp.ldif"
"$gen" --suffix DC=p1,DC=example --accounts 'P1WEB$' >"$TEST_TMP/p1.ldif"
slapd_start corp "$TEST_TMP/corp.ldif" --tls || { not_ok "slapd starts"; tap_done; exit 1; }
slapd_start p1 "$TEST_TMP/p1.ldif" --suffix DC=p1,DC=example || { not_ok "slapd p1 starts"; tap_done; exit 1; }
C=(-H "$SLAPD_CORP_URI" -T --ca-file "$SLAPD_CA" -D "$SLAPD_CORP_BIND_DN" --password-file "$SLAPD_PWFILE")
cat >"$TEST_TMP/t.conf" <<CONF
check_ad_unconstrained = { exceptions = ( { account = "WEB01\$"; reason = "r"; } ); };
check_ad_trust_delegation = { partners = ( { domain = "p1.example"; hostname = "$SLAPD_P1_URI";
  starttls = false; allow_plaintext = true; bind_dn = "$SLAPD_P1_BIND_DN"; } ); };
CONF

vg() {   # vg DESC EXPECTED_EXIT BINARY ARGS...: clean under valgrind, that exit code
	vg_out "$1" "$2" "" "${@:3}"
}
vg_out() {   # vg_out DESC EXPECTED_EXIT ERE BINARY ARGS...: and the first output line matches ERE
	local d=$1 want=$2 ere=$3 bin=$4; shift 4
	local log=$TEST_TMP/vg.$RANDOM.log
	if [ ! -f "$VB/$bin" ] || [ ! -x "$VB/$bin" ]; then
		not_ok "valgrind clean: $d" "$VB/$bin is not built"
		return
	fi
	valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect \
		--show-leak-kinds=definite,indirect \
		--log-file="$log" "$VB/$bin" "$@" >"$log.out" 2>&1
	local rc=$? line1
	line1=$(head -n 1 "$log.out")
	if [ "$rc" = "$want" ] && [ ! -s "$log" ] && { [ -z "$ere" ] || printf '%s\n' "$line1" | grep -Eq -- "$ere"; }; then
		ok "valgrind clean: $d"
	else not_ok "valgrind clean: $d" "exit $rc (wanted $want)" ${ere:+"first line (wanted /$ere/): $line1"} "$(head -40 "$log")"; fi
}
( umask 077; printf 'not-the-password' >"$TEST_TMP/wrong.pw" )
vg "unconstrained, 1200+ entries paged, exceptions, state file" 1 check_ad_unconstrained "${C[@]}" --config "$TEST_TMP/t.conf" --state-file "$TEST_TMP/s1"
vg "unconstrained, second run with state" 1 check_ad_unconstrained "${C[@]}" --config "$TEST_TMP/t.conf" --state-file "$TEST_TMP/s1"
vg "unconstrained over LDAPS" 1 check_ad_unconstrained -H "$SLAPD_CORP_LDAPS_URI" --ca-file "$SLAPD_CA" -D "$SLAPD_CORP_BIND_DN" --password-file "$SLAPD_PWFILE" -b OU=Servers,DC=corp,DC=example
vg_out "unconstrained, wrong password" 3 "^AD UNCONSTRAINED UNKNOWN - .*Invalid credentials \(49\)" \
	check_ad_unconstrained -H "$SLAPD_CORP_URI" -T --ca-file "$SLAPD_CA" -D "$SLAPD_CORP_BIND_DN" --password-file "$TEST_TMP/wrong.pw"
vg_out "unconstrained, password file missing" 3 "^AD UNCONSTRAINED UNKNOWN - cannot open password file /nonexistent" \
	check_ad_unconstrained -H "$SLAPD_CORP_URI" -T --ca-file "$SLAPD_CA" -D "$SLAPD_CORP_BIND_DN" --password-file /nonexistent
vg "unconstrained, missing base" 3 check_ad_unconstrained "${C[@]}" -b OU=Nope,DC=corp,DC=example
vg "unconstrained, bad option" 3 check_ad_unconstrained --frobnicate
vg "trust delegation with partner scan (threads)" 2 check_ad_trust_delegation "${C[@]}" --config "$TEST_TMP/t.conf" --scan-partners --state-file "$TEST_TMP/s2"
vg "trust delegation, wrong CA" 3 check_ad_trust_delegation -H "$SLAPD_CORP_URI" -T --ca-file "$SLAPD_WRONG_CA" -D x --password-file "$SLAPD_PWFILE"
vg "ticket events on a real EVTX and a .gz" 0 check_ad_ticket_events --realm NOSUCH.EXAMPLE --since 1w --now 2030-01-01T00:00:00Z \
	--evtx "$TOP_SRCDIR/tests/data/events/evtx/mdec_4769_golden_ticket.evtx" --jsonl "$TOP_SRCDIR/tests/data/events/json/otrf_nxlog_dllinjection.jsonl.gz" -w 0
tap_done
