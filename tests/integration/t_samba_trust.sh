#!/bin/bash
# t_samba_trust.sh - check_ad_trust_delegation and check_ad_ticket_events
# against two real Active Directory forests: Samba AD DCs for LAB.EXAMPLE
# (dc1.lab.example, 127.0.0.2) and PARTNER.EXAMPLE (dc2.partner.example,
# 127.0.0.3 in the network namespace "partner") with a bidirectional forest
# trust made by `samba-tool domain trust create` (tests/lib/samba.sh).
#
# The trust as created has trustAttributes 8 (FOREST_TRANSITIVE); the test
# then writes 0x808 (+ ENABLE_TGT_DELEGATION) and 0x80c (+ QUARANTINED_DOMAIN)
# into DC1's trusted domain object with ldbmodify (the only way Samba allows).
# Expected (MS-KILE 3.3.5.7.5):
#   8      current rule: OK, tgt_delegation=0, inbound=1, trusts=1
#          --legacy:     CRITICAL, tgt_delegation=1
#   0x808  CRITICAL, tgt_delegation=1 (default -c 0)
#   0x80c  WARNING "contradictory", tgt_delegation=0 (quarantine wins)
# Bind paths: LDAPS with DC1's CA, StartTLS, GSSAPI with a keytab exported
# by samba-tool; refused: simple bind on plain 389, DC2's CA for DC1.
# --scan-partners lists PWEB01$, the unconstrained computer made in the
# partner forest (partner_unconstrained=1) only while the trust allows TGT
# delegation; --scan-all scans it anyway.  The partner is reached through a
# `partners` config entry (LDAPS + simple bind to DC2) and through DNS SRV
# (DC1 forwards partner.example to DC2) with cross-realm GSSAPI; a partner
# that cannot be reached is named with the reason (UNKNOWN if nothing worse).
# check_ad_ticket_events --realms-from-ldap (DC1) reads partner.example and
# PARTNER from the trust: of three forwarded 4769 events built from a real
# Winlogbeat line (TargetDomainName PARTNER, partner.example, LAB) two are
# cross-trust; with only --realm PARTNER.EXAMPLE the NetBIOS one is missed.
# Expected texts are written out as the plugins print them; AD keeps
# trustPartner as entered ("partner.example").
#
# Without network namespaces (or root) everything is skipped with the reason;
# a plugin that is not built fails its block ("plugin not built").

set -u
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../lib/tap.sh"
. "$HERE/../lib/samba.sh"
samba_enter_private_hosts "$0" "$@" || samba_skip_all "trust delegation against two Samba AD forests"

TD=$PLUGINDIR/check_ad_trust_delegation
TE=$PLUGINDIR/check_ad_ticket_events

T0=$(_samba_now)
# GSSAPI inside TLS as Active Directory allows it (Samba's default refuses it)
SAMBA_DC1_EXTRA_CONF="ldap server require strong auth = allow_sasl_over_tls"
SAMBA_DC2_EXTRA_CONF="ldap server require strong auth = allow_sasl_over_tls"
samba_forests_up; rc=$?
if [ $rc = 2 ]; then
	for d in "check_ad_trust_delegation against a real forest trust" \
		"check_ad_trust_delegation --scan-partners" "check_ad_ticket_events --realms-from-ldap"; do
		skip "$d" "$SAMBA_SKIP_REASON"
	done
	tap_done; exit 0
fi
if [ $rc != 0 ]; then
	not_ok "two forests with a trust (samba_forests_up)"; samba_timings_diag; tap_done; exit 1
fi
ok "two forests up: $SAMBA_DC1_FQDN and $SAMBA_DC2_FQDN (netns $SAMBA_DC2_NETNS), forest trust created"
export KRB5_CONFIG=$SAMBA_KRB5_CONFIG

# the fixture, read with ldbsearch (not through the plugins)
fixture_is() {   # fixture_is DESC GOT WANT
	if [ "$2" = "$3" ]; then ok "fixture: $1"; else not_ok "fixture: $1" "got '$2', wanted '$3'"; fi
}
fixture_is "DC1's TDO for PARTNER.EXAMPLE: trustAttributes 8" "$(samba_trust_attr DC1 PARTNER.EXAMPLE trustAttributes)" 8
fixture_is "trustDirection 3 (bidirectional)" "$(samba_trust_attr DC1 PARTNER.EXAMPLE trustDirection)" 3
fixture_is "trustType 2 (uplevel)" "$(samba_trust_attr DC1 PARTNER.EXAMPLE trustType)" 2
fixture_is "flatName PARTNER" "$(samba_trust_attr DC1 PARTNER.EXAMPLE flatName)" PARTNER

t=$(_samba_now)
if samba_computer_create DC2 PWEB01 && samba_set_unconstrained DC2 'PWEB01$' on; then
	ok "partner forest: computer PWEB01\$ trusted for unconstrained delegation"
else
	not_ok "partner forest: computer PWEB01\$ trusted for unconstrained delegation"
fi
if samba_user_create DC2 palice; then ok "partner forest: plain user palice"; else not_ok "partner forest: plain user palice"; fi
if samba_user_create DC1 svc_monitor; then ok "LAB: user svc_monitor (GSSAPI identity)"; else not_ok "LAB: user svc_monitor"; fi
mkdir -p "$TEST_TMP/krb" && chmod 700 "$TEST_TMP/krb"
KT=$TEST_TMP/krb/svc_monitor.keytab
if samba_tool DC1 domain exportkeytab "$KT" --principal=svc_monitor@LAB.EXAMPLE >/dev/null 2>&1; then
	ok "keytab for svc_monitor@LAB.EXAMPLE exported"
else not_ok "keytab for svc_monitor@LAB.EXAMPLE exported"; fi
samba_timing accounts "$t"

C1=(-H "$SAMBA_DC1_LDAPS_URI" --ca-file "$SAMBA_DC1_CA" -D "$SAMBA_DC1_ADMIN_DN" --password-file "$SAMBA_DC1_PASSFILE")
# AD keeps trustPartner as it was entered: Samba's trust create stores
# "partner.example"; flatName is "PARTNER"
TRUST='trust partner\.example \(PARTNER\) bidirectional, uplevel, attributes'
SUM_OK='^AD TRUST DELEGATION OK - no inbound trust allows TGT delegation \(1 trust, 1 inbound\)'
SUM_CRIT='^AD TRUST DELEGATION CRITICAL - 1 trust allows TGT delegation across the forest boundary: partner\.example'
PWEB01='^  computer PWEB01\$ \(CN=PWEB01,CN=Computers,DC=partner,DC=example\) enabled$'

# ---- check_ad_trust_delegation ---------------------------------------------------
if samba_require_plugin "check_ad_trust_delegation against a real forest trust, --scan-partners" "$TD"; then
	# trustAttributes 8, the state `samba-tool domain trust create` leaves
	expect_check "new forest trust (attributes 8), current rule: OK" OK "$SUM_OK \|" -- "$TD" "${C1[@]}"
	expect_perf trusts 1
	expect_perf inbound 1
	expect_perf tgt_delegation 0
	expect_output "tgt_delegation perfdata carries the default critical 0" "tgt_delegation=0;;0;0;"
	expect_no_output "no partner_unconstrained without a scan" "partner_unconstrained="
	expect_output "trust line: FOREST_TRANSITIVE, TGT delegation blocked (current rule)" \
		"^$TRUST FOREST_TRANSITIVE: TGT delegation blocked: ENABLE_TGT_DELEGATION not set \(the default since 2019\)$"

	expect_check "--legacy (pre-2019 rule): CRITICAL" CRITICAL "$SUM_CRIT \|" -- "$TD" "${C1[@]}" --legacy
	expect_perf tgt_delegation 1
	expect_perf inbound 1
	expect_output "--legacy: trust line says allowed" \
		"^$TRUST FOREST_TRANSITIVE: TGT delegation ALLOWED \(legacy rule\): NO_TGT_DELEGATION not set$"

	expect_check "GSSAPI bind with a keytab (the non-admin svc_monitor, 389): OK" OK "$SUM_OK \|" \
		-- "$TD" -H "$SAMBA_DC1_LDAP_URI" -Y GSSAPI --keytab "$KT"
	expect_perf trusts 1
	expect_perf inbound 1
	expect_perf tgt_delegation 0
	expect_check "StartTLS with the CA: OK" OK "$SUM_OK \|" \
		-- "$TD" -H "$SAMBA_DC1_LDAP_URI" -T --ca-file "$SAMBA_DC1_CA" -D "$SAMBA_DC1_ADMIN_UPN" --password-file "$SAMBA_DC1_PASSFILE"
	expect_check "plain 389 simple bind: the server's refusal" UNKNOWN \
		"^AD TRUST DELEGATION UNKNOWN - simple bind as .* to ldap://dc1\.lab\.example: Strong\(er\) authentication required \(8\)" \
		-- "$TD" -H "$SAMBA_DC1_LDAP_URI" --allow-plaintext -D "$SAMBA_DC1_ADMIN_DN" --password-file "$SAMBA_DC1_PASSFILE"
	expect_check "LDAPS with the partner's CA instead of DC1's: UNKNOWN" UNKNOWN \
		"^AD TRUST DELEGATION UNKNOWN - TLS handshake with ldaps://dc1\.lab\.example failed: the server certificate was not accepted" \
		-- "$TD" -H "$SAMBA_DC1_LDAPS_URI" --ca-file "$SAMBA_DC2_CA" -D "$SAMBA_DC1_ADMIN_DN" --password-file "$SAMBA_DC1_PASSFILE"

	# --scan-partners: partner connections from the config file
	CONF=$TEST_TMP/trust.conf
	cat >"$CONF" <<CONF
defaults = {
  hostname = "$SAMBA_DC1_LDAPS_URI"; ca_file = "$SAMBA_DC1_CA";
  bind_dn = "$SAMBA_DC1_ADMIN_DN"; password_file = "$SAMBA_DC1_PASSFILE";
};
check_ad_trust_delegation = {
  partners = ( { domain = "PARTNER.EXAMPLE"; hostname = "$SAMBA_DC2_LDAPS_URI";
                 ca_file = "$SAMBA_DC2_CA"; bind_dn = "$SAMBA_DC2_ADMIN_DN";
                 password_file = "$SAMBA_DC2_PASSFILE"; } );
};
CONF
	expect_check "--scan-partners with attributes 8: nothing to scan, OK" OK \
		"$SUM_OK; 0 unconstrained accounts in partner domains \|" -- "$TD" --config "$CONF" --scan-partners
	expect_perf partner_unconstrained 0
	expect_no_output "  no partner line (the trust blocks TGT delegation)" "^partner "
	expect_check "--scan-all with attributes 8: the partner is scanned anyway, still OK" OK \
		"$SUM_OK; 1 unconstrained account in partner domains \|" -- "$TD" --config "$CONF" --scan-all
	expect_perf partner_unconstrained 1
	expect_output "  PWEB01\$ listed" "$PWEB01"

	# ENABLE_TGT_DELEGATION
	if samba_set_trust_attributes DC1 PARTNER.EXAMPLE 0x808 &&
	   [ "$(samba_trust_attr DC1 PARTNER.EXAMPLE trustAttributes)" = 2056 ]; then
		ok "fixture: trustAttributes 0x808 written with ldbmodify"
	else not_ok "fixture: trustAttributes 0x808 written with ldbmodify"; fi
	expect_check "0x808 (ENABLE_TGT_DELEGATION): CRITICAL" CRITICAL "$SUM_CRIT \|" -- "$TD" "${C1[@]}"
	expect_perf trusts 1
	expect_perf inbound 1
	expect_perf tgt_delegation 1
	expect_output "0x808: trust line names ENABLE_TGT_DELEGATION, allowed" \
		"^$TRUST FOREST_TRANSITIVE,ENABLE_TGT_DELEGATION: TGT delegation ALLOWED: ENABLE_TGT_DELEGATION set$"
	expect_check "0x808 with -w 0 -c 1: WARNING (thresholds on tgt_delegation)" WARNING "^AD TRUST DELEGATION WARNING" \
		-- "$TD" "${C1[@]}" -w 0 -c 1
	expect_output "thresholds in perfdata" "tgt_delegation=1;0;1;0;"

	expect_check "--scan-partners (partner from the config, LDAPS to DC2): CRITICAL" CRITICAL \
		"$SUM_CRIT; 1 unconstrained account in partner domains \|" -- "$TD" --config "$CONF" --scan-partners
	expect_perf partner_unconstrained 1
	expect_perf tgt_delegation 1
	expect_output "--scan-partners: partner line" \
		'^partner partner\.example: 1 unconstrained \(ldaps://dc2\.partner\.example, base DC=partner,DC=example, [0-9.]+ s\)$'
	expect_output "--scan-partners: PWEB01\$ listed with its DN and state" "$PWEB01"
	expect_no_output "--scan-partners: the partner DC and plain users are not listed" 'DC2\$|palice'

	# no partners entry: the partner's DC from DNS SRV _ldap._tcp.partner.example
	# (DC1 forwards the zone to DC2), reached with cross-realm GSSAPI
	expect_check "--scan-partners via DNS SRV with cross-realm GSSAPI (LAB\\svc_monitor on DC2)" CRITICAL \
		"$SUM_CRIT; 1 unconstrained account in partner domains \|" \
		-- "$TD" -H "$SAMBA_DC1_LDAP_URI" -Y GSSAPI --keytab "$KT" --scan-partners
	expect_perf partner_unconstrained 1
	expect_output "  partner line names the DC found by SRV" '^partner partner\.example: 1 unconstrained \(ldap://dc2\.partner\.example'
	expect_output "  PWEB01\$ listed" "$PWEB01"
	expect_check "--scan-partners via DNS SRV, main connection by ldaps:// URI: the partner over LDAPS too" CRITICAL \
		"$SUM_CRIT; 1 unconstrained account in partner domains \|" \
		-- "$TD" -H "$SAMBA_DC1_LDAPS_URI" --ca-file "$SAMBA_CA_BUNDLE" -Y GSSAPI --keytab "$KT" --scan-partners
	expect_output "  partner reached at ldaps://...:636" '^partner partner\.example: 1 unconstrained \(ldaps://dc2\.partner\.example:636, '
	# a partner that cannot be scanned: named, with the reason
	expect_check "--scan-partners, partner not reachable with the main credentials: named, CRITICAL stays" CRITICAL \
		"^AD TRUST DELEGATION CRITICAL - 1 partner could not be scanned; " -- "$TD" "${C1[@]}" --scan-partners
	expect_perf partner_unconstrained 0
	expect_output "  the partner line gives the reason" '^partner partner\.example: not scanned \([0-9.]+ s\): .+'

	# ENABLE_TGT_DELEGATION together with QUARANTINED_DOMAIN
	if samba_set_trust_attributes DC1 PARTNER.EXAMPLE 0x80c &&
	   [ "$(samba_trust_attr DC1 PARTNER.EXAMPLE trustAttributes)" = 2060 ]; then
		ok "fixture: trustAttributes 0x80c written with ldbmodify"
	else not_ok "fixture: trustAttributes 0x80c written with ldbmodify"; fi
	expect_check "0x80c (ENABLE_TGT_DELEGATION + QUARANTINED_DOMAIN): WARNING, contradictory" WARNING \
		"^AD TRUST DELEGATION WARNING - 1 trust has contradictory attributes \(ENABLE_TGT_DELEGATION with QUARANTINED_DOMAIN\); no inbound trust allows TGT delegation \(1 trust, 1 inbound\) \|" \
		-- "$TD" "${C1[@]}"
	expect_perf tgt_delegation 0
	expect_perf inbound 1
	expect_output "0x80c: trust line: blocked by the quarantine, contradictory" \
		"^$TRUST QUARANTINED_DOMAIN,FOREST_TRANSITIVE,ENABLE_TGT_DELEGATION: TGT delegation blocked: QUARANTINED_DOMAIN \(SID filtering\) set; contradictory: "

	# back to the state samba-tool made; a partner that cannot be scanned
	# and nothing worse: UNKNOWN
	samba_set_trust_attributes DC1 PARTNER.EXAMPLE 8
	expect_check "back to attributes 8: OK again" OK "$SUM_OK \|" -- "$TD" "${C1[@]}"
	expect_check "--scan-all, partner not reachable with the main credentials, nothing worse: UNKNOWN" UNKNOWN \
		"^AD TRUST DELEGATION UNKNOWN - 1 partner could not be scanned" -- "$TD" "${C1[@]}" --scan-all
fi

# ---- check_ad_ticket_events --realms-from-ldap ------------------------------------------
SAMPLE=$TOP_SRCDIR/tests/data/events/json/otrf_winlogbeat6_kerberos.jsonl
EV=$TEST_TMP/cross-trust.jsonl
# event_line DOMAIN USER: line 2 of the real Winlogbeat 6 sample (a 4769 of
# 2019-05-18T20:37:03.375Z) with TargetDomainName/TargetUserName replaced
# and TicketOptions 0x40810000 -> 0x60810000 (Forwarded set)
event_line() {
	sed -n 2p "$SAMPLE" | sed \
		-e "s/\"TargetDomainName\":\"SHIRE.COM\"/\"TargetDomainName\":\"$1\"/" \
		-e "s/\"TargetUserName\":\"HFDC01\\\$@SHIRE.COM\"/\"TargetUserName\":\"$2\"/" \
		-e 's/"TicketOptions":"0x40810000"/"TicketOptions":"0x60810000"/'
}
{ event_line PARTNER bob; event_line partner.example carol@partner.example; event_line LAB alice; } > "$EV"
( umask 077; printf 'not-the-password' > "$TEST_TMP/wrong.pw" )
n=$(grep -c '"TicketOptions":"0x60810000"' "$EV"); d=$(grep -o '"TargetDomainName":"[^"]*"' "$EV" | tr '\n' ' ')
if [ "$n" = 3 ] && [ "$d" = '"TargetDomainName":"PARTNER" "TargetDomainName":"partner.example" "TargetDomainName":"LAB" ' ]; then
	ok "fixture: three forwarded 4769 events (PARTNER, partner.example, LAB) from the real sample"
else not_ok "fixture: three forwarded 4769 events from the real sample" "forwarded: $n, domains: $d"; fi
if samba_require_plugin "check_ad_ticket_events --realms-from-ldap" "$TE"; then
	WINDOW=(--now 2019-05-18T21:00:00Z --since 1h)
	expect_check "--realms-from-ldap (LDAPS to DC1): 2 forwarded cross-trust tickets, CRITICAL" CRITICAL \
		"^AD TICKET EVENTS CRITICAL - 2 forwarded cross-trust tickets \(delegated TGTs crossing a trust\); 2 cross-trust ticket events \(0 TGT, 2 service, 0 renewed; 0 failed\), 2 forwarded, in the 1h up to 2019-05-18T21:00:00Z \(3 Kerberos events scanned\) \|" \
		-- "$TE" --jsonl "$EV" --realms-from-ldap "${C1[@]}" "${WINDOW[@]}"
	expect_perf cross_trust 2
	expect_perf forwarded 2
	expect_perf st_4769 2
	expect_perf scanned 3
	expect_output "the NetBIOS spelling matched the trust read from LDAP" \
		'account bob \(TargetDomainName PARTNER, trusted realm partner\.example\)'
	expect_output "the DNS spelling matched too" \
		'account carol@partner\.example \(TargetDomainName partner\.example, trusted realm partner\.example\)'
	expect_no_output "the LAB (local) event is not cross-trust" 'account alice'
	expect_check "--realms-from-ldap with GSSAPI (keytab): same count" CRITICAL "^AD TICKET EVENTS CRITICAL - 2 forwarded" \
		-- "$TE" --jsonl "$EV" --realms-from-ldap -H "$SAMBA_DC1_LDAP_URI" -Y GSSAPI --keytab "$KT" "${WINDOW[@]}"
	expect_perf cross_trust 2
	# without LDAP, only the DNS name given: the NetBIOS spelling is missed,
	# which is what --realms-from-ldap is for
	expect_check "--realm PARTNER.EXAMPLE only (no LDAP): the NetBIOS spelling is missed" CRITICAL \
		"^AD TICKET EVENTS CRITICAL - 1 forwarded" -- "$TE" --jsonl "$EV" --realm PARTNER.EXAMPLE "${WINDOW[@]}"
	expect_perf cross_trust 1
	expect_check "--realms-from-ldap, wrong password: UNKNOWN with AD's reason" UNKNOWN \
		"^AD TICKET EVENTS UNKNOWN - .*Invalid credentials \(49\).*data 52e.*\[invalid credentials\]" \
		-- "$TE" --jsonl "$EV" --realms-from-ldap -H "$SAMBA_DC1_LDAPS_URI" --ca-file "$SAMBA_DC1_CA" \
		-D "$SAMBA_DC1_ADMIN_DN" --password-file "$TEST_TMP/wrong.pw" "${WINDOW[@]}"
fi

# ---- stop ------------------------------------------------------------------------------------
t=$(_samba_now)
for id in $SAMBA_DCS; do samba_dc_stop "$id"; done
samba_timing stop "$t"
left=$(ps -e -o pid=,comm= | awk '$1 != 1 && $2 != "ps" && $2 != "awk" && $2 != "bash"')
if [ -z "$left" ]; then ok "both DCs stopped, no process left"; else not_ok "both DCs stopped, no process left" "$left"; fi
samba_timing total "$T0"
samba_timings_diag
tap_done
