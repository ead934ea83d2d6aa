#!/bin/bash
# check_ad_ticket_events --realms-from-ldap against the slapd fixture, with
# trusted domain objects added under CN=System,DC=corp,DC=example: the
# partners' DNS and NetBIOS names are trusted, the local domain's names
# never match (not even when a TDO names them), connection errors are one
# UNKNOWN line.
source "$TOP_SRCDIR/tests/lib/tap.sh"
source "$TOP_SRCDIR/tests/lib/slapd.sh"
source "$TOP_SRCDIR/tests/integration/ticket_events_lib.sh"
trap slapd_stop_all EXIT
T=$TEST_TMP

if ! slapd_available; then skip "slapd fixture" "slapd not installed"; tap_done; exit; fi
"$TOP_SRCDIR/tests/fixtures/gen-corp-ldif.sh" >"$T/corp.ldif"
tdo() { # tdo CN PARTNER FLAT DIRECTION TYPE ATTRIBUTES
	printf '%s\n' "dn: CN=$1,CN=System,DC=corp,DC=example" "objectClass: top" \
		"objectClass: trustedDomain" "cn: $1" "trustPartner: $2" "flatName: $3" \
		"trustDirection: $4" "trustType: $5" "trustAttributes: $6" \
		"objectCategory: CN=Trusted-Domain,CN=Schema,CN=Configuration,DC=corp,DC=example" ""
}
{
	tdo partner.example partner.example PARTNER 3 2 8      # forest trust, both ways
	tdo other.example other.example OTHERDOM 1 2 4         # external, inbound, quarantined
	tdo mit MIT.REALM.TEST MITREALM 2 3 1                  # MIT realm, outbound
	tdo loop CORP.EXAMPLE CORPX 3 2 8                      # a bogus TDO naming the local domain
} >"$T/trusts.ldif"
slapd_start corp "$T/corp.ldif" "$T/trusts.ldif" --tls || { not_ok "slapd corp starts"; tap_done; exit 1; }
"$TOP_SRCDIR/tests/fixtures/gen-corp-ldif.sh" --suffix DC=lonely,DC=example >"$T/lonely.ldif"
slapd_start lonely "$T/lonely.ldif" --suffix DC=lonely,DC=example --tls || { not_ok "slapd lonely starts"; tap_done; exit 1; }
slapd_start_refused nothing
C=(-H "$SLAPD_CORP_URI" -T --ca-file "$SLAPD_CA" -D "$SLAPD_CORP_BIND_DN" --password-file "$SLAPD_PWFILE")

# events built from a real Winlogbeat 6 4769 line, all inside the window
L=$(wlb6_line 2)
ev() { printf '%s\n' "$L" | ev_json @timestamp=2020-07-22T04:00:00Z "event_data.TargetDomainName=$1" "event_data.TargetUserName=$2" "event_data.TicketOptions=${3:-0x40810000}"; }
{
	ev partner.example alice@partner.example               # trusted (DNS, lower-case)
	ev PARTNER bob@PARTNER.EXAMPLE 0x60810010              # trusted (NetBIOS), forwarded
	ev OTHERDOM carol                                      # trusted (NetBIOS only)
	ev "" dave@Other.Example                               # trusted, realm only in the user name
	ev mit.realm.test erin@MIT.REALM.TEST                  # trusted (MIT realm trust)
	ev CORP.EXAMPLE frank@CORP.EXAMPLE 0x60810010          # local: never, though a TDO names it
	ev corp.example grace@corp.example                     # local, lower-case
	ev CORP heidi                                          # the local NetBIOS name (not readable here)
	ev STRANGER.EXAMPLE ivan@STRANGER.EXAMPLE 0x60810010   # no trust
} >"$T/events.jsonl"
W=(--jsonl "$T/events.jsonl" --now 2020-07-22T04:04:02Z --since 1h)

expect_check "realms from the directory: 5 cross-trust, 1 forwarded" CRITICAL \
	"^AD TICKET EVENTS CRITICAL - 1 forwarded cross-trust ticket .*; 5 cross-trust ticket events \(0 TGT, 5 service, 0 renewed; 0 failed\), 1 forwarded" \
	-- "$P" --realms-from-ldap "${C[@]}" "${W[@]}"
expect_perf scanned 9
expect_output "DNS name counted under the trust" "^1 event: realm partner.example, account alice@partner.example, service HFDC01[$]$"
expect_output "NetBIOS name counted under the trust's DNS name" "^1 event: realm partner.example, account bob@PARTNER.EXAMPLE, service HFDC01[$]$"
expect_output "flatName only" "^1 event: realm other.example, account carol, "
expect_output "realm of the user name" "^1 event: realm other.example, account dave@Other.Example, "
expect_output "MIT realm trust" "^1 event: realm MIT.REALM.TEST, account erin@MIT.REALM.TEST, "
expect_no_output "the local domain never matches" "account (frank|grace|heidi)"
expect_no_output "nor an untrusted one" "account ivan"
expect_output "forwarded one in full" "^2020-07-22T04:00:00Z 4769 service ticket: account bob@PARTNER.EXAMPLE \(TargetDomainName PARTNER, trusted realm partner.example\)"

expect_check "-v: trusts, local names, where they came from" CRITICAL "5 cross-trust" -- "$P" --realms-from-ldap "${C[@]}" "${W[@]}" -v
expect_output "trusted realms listed" "^Trusted realms: CORP.EXAMPLE \(a local name: never matched\), CORPX \(CORP.EXAMPLE\), MIT.REALM.TEST, MITREALM \(MIT.REALM.TEST\), other.example, OTHERDOM \(other.example\), partner.example, PARTNER \(partner.example\)$"
expect_output "local name from the base DN" "^Local domain names \(never matched\): corp.example$"
expect_output "trust described" "^trust partner.example \(NetBIOS PARTNER\): direction bidirectional, type uplevel, attributes FOREST_TRANSITIVE$"
expect_output "NetBIOS name of the domain: not in this directory, said" "^NetBIOS name of DC=corp,DC=example not readable \(.*\): only its DNS name is a local name$"
expect_output "source named" "^Realms read from ldap://127.0.0.1:[0-9]+, base DC=corp,DC=example$"

expect_check "--local-domain CORP adds the NetBIOS name" CRITICAL "5 cross-trust" -- "$P" --realms-from-ldap "${C[@]}" "${W[@]}" --local-domain CORP
expect_check "--local-domain CORPX keeps the bogus TDO's NetBIOS name out" CRITICAL "5 cross-trust" -- "$P" --realms-from-ldap "${C[@]}" "${W[@]}" --local-domain CORPX
printf '%s\n' "$L" | ev_json @timestamp=2020-07-22T04:00:00Z event_data.TargetDomainName=CORPX event_data.TargetUserName=judy >>"$T/events.jsonl"
expect_check "the bogus TDO's flatName matches unless local" CRITICAL "6 cross-trust" -- "$P" --realms-from-ldap "${C[@]}" "${W[@]}"
expect_check "... and not with --local-domain CORPX" CRITICAL "5 cross-trust" -- "$P" --realms-from-ldap "${C[@]}" "${W[@]}" --local-domain corpx
expect_check "--realm adds to the directory's realms" CRITICAL "7 cross-trust" -- "$P" --realms-from-ldap "${C[@]}" "${W[@]}" --realm stranger.example
expect_perf forwarded 2
expect_check "-b below the domain: the domain is its DC= part" CRITICAL "6 cross-trust" -- "$P" --realms-from-ldap "${C[@]}" -b OU=Servers,DC=corp,DC=example "${W[@]}"
expect_check "LDAPS" CRITICAL "6 cross-trust" -- "$P" --realms-from-ldap -H "$SLAPD_CORP_LDAPS_URI" --ca-file "$SLAPD_CA" -D "$SLAPD_CORP_BIND_DN" --password-file "$SLAPD_PWFILE" "${W[@]}"

# a domain without trusts: nothing is cross-trust, the local names still apply
expect_check "no trusts: OK" OK "^AD TICKET EVENTS OK - no cross-trust ticket events in the 1h up to 2020-07-22T04:04:02Z \(10 Kerberos events scanned\)" \
	-- "$P" --realms-from-ldap -H "$SLAPD_LONELY_URI" -T --ca-file "$SLAPD_CA" -D "$SLAPD_LONELY_BIND_DN" --password-file "$SLAPD_PWFILE" "${W[@]}" -v
expect_output "said" "^no trustedDomain object under CN=System,DC=lonely,DC=example$"
expect_output "trusted realms: none" "^Trusted realms: none$"

# errors: one line, UNKNOWN
printf 'wrong-password' >"$T/wrong.pw"; chmod 600 "$T/wrong.pw"
expect_check "wrong password: UNKNOWN with the server's reason" UNKNOWN "^AD TICKET EVENTS UNKNOWN - simple bind as $SLAPD_CORP_BIND_DN to $SLAPD_CORP_URI: Invalid credentials \(49\)" \
	-- "$P" --realms-from-ldap -H "$SLAPD_CORP_URI" -T --ca-file "$SLAPD_CA" -D "$SLAPD_CORP_BIND_DN" --password-file "$T/wrong.pw" "${W[@]}"
n=$(printf '%s\n' "$OUT" | wc -l)
if [ "$n" = 1 ]; then ok "one line"; else not_ok "one line" "$OUT"; fi
expect_secret_absent "the wrong password never appears in output" wrong-password "$OUT"
expect_check "nothing listening: UNKNOWN" UNKNOWN "^AD TICKET EVENTS UNKNOWN - cannot connect to $SLAPD_NOTHING_URI" \
	-- "$P" --realms-from-ldap -H "$SLAPD_NOTHING_URI" -T -D x --password-file "$SLAPD_PWFILE" "${W[@]}"
expect_check "a base outside any domain: UNKNOWN" UNKNOWN "^AD TICKET EVENTS UNKNOWN - search base CN=Users does not end in DC= components" \
	-- "$P" --realms-from-ldap "${C[@]}" -b CN=Users "${W[@]}"
expect_check "-H without --realms-from-ldap: not used, works offline" CRITICAL "1 cross-trust" -- "$P" -H "$SLAPD_NOTHING_URI" --realm partner "${W[@]}"
secret=$(cat "$SLAPD_PWFILE")
all=$("$P" --realms-from-ldap "${C[@]}" "${W[@]}" -vvv 2>&1)
expect_secret_absent "the password never appears in output, even with -vvv" "$secret" "$all"
# the check itself: empty output (a plugin that did not run) is no proof
meta=$(TAP_N=0; expect_secret_absent "x" "$secret" ""; expect_secret_absent "x" "" "$all")
case $meta in "not ok 1 "*"not ok 2 "*) ok "the password check fails on empty output or an empty password";;
	*) not_ok "the password check fails on empty output or an empty password" "$meta";; esac
if printf '%s\n' "$all" | grep -q '^AD TICKET EVENTS CRITICAL - .* 6 cross-trust' && printf '%s\n' "$all" | grep -q '^Realms read from ldap://'; then
	ok "... of a run that bound and read the trusts"; else not_ok "... of a run that bound and read the trusts" "$(printf '%s' "$all" | head -c 1000)"; fi

run_valgrind "realms from the directory" CRITICAL "6 cross-trust" -- --realms-from-ldap "${C[@]}" "${W[@]}" -v

tap_done
