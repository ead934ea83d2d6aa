#!/bin/bash
# check_ad_trust_delegation against private slapd servers: the whole truth
# table of trust attributes and directions, exceptions, contradictory
# attributes, the partner scan (concurrent, one partner unreachable) and
# change detection.
source "$TOP_SRCDIR/tests/lib/tap.sh"
source "$TOP_SRCDIR/tests/lib/slapd.sh"
trap slapd_stop_all EXIT
P=$PLUGINDIR/check_ad_trust_delegation
if ! slapd_available; then skip "slapd fixture" "slapd not installed"; tap_done; exit; fi

# tdo NAME FLAT DIRECTION TYPE ATTRS(decimal): one trustedDomain entry
tdo() {
	printf 'dn: CN=%s,CN=System,DC=corp,DC=example\nobjectClass: top\nobjectClass: trustedDomain\ncn: %s\ntrustPartner: %s\nflatName: %s\ntrustDirection: %s\ntrustType: %s\ntrustAttributes: %s\n\n' \
		"$1" "$1" "$1" "$2" "$3" "$4" "$5"
}

# The expected verdicts, written out by hand from MS-KILE 3.3.5.7.5 and
# DOMAIN.md (not computed by the code under test).  Bits: Q 0x4 quarantined,
# F 0x8 forest, W 0x20 within forest, N 0x200 NO_TGT_DELEGATION,
# E 0x800 ENABLE_TGT_DELEGATION.  Columns: attributes, verdict for an
# inbound/bidirectional trust under the current rule, under --legacy,
# contradictory (E with Q).
TABLE="
0x000 blocked allowed 0
0x004 blocked allowed 0
0x008 blocked allowed 0
0x00c blocked allowed 0
0x020 within  within  0
0x024 within  within  0
0x028 within  within  0
0x02c within  within  0
0x200 blocked blocked 0
0x204 blocked blocked 0
0x208 blocked blocked 0
0x20c blocked blocked 0
0x220 within  within  0
0x224 within  within  0
0x228 within  within  0
0x22c within  within  0
0x800 allowed allowed 0
0x804 blocked allowed 1
0x808 allowed allowed 0
0x80c blocked allowed 1
0x820 within  within  0
0x824 within  within  1
0x828 within  within  0
0x82c within  within  1
0xa00 blocked blocked 0
0xa04 blocked blocked 1
0xa08 blocked blocked 0
0xa0c blocked blocked 1
0xa20 within  within  0
0xa24 within  within  1
0xa28 within  within  0
0xa2c within  within  1
"
gen="$TOP_SRCDIR/tests/fixtures/gen-corp-ldif.sh"
# one server per direction: 32 trusts each, so every line fits in 8 KiB
for dir in 0 1 2 3; do
	"$gen" --empty-delegation >"$TEST_TMP/table$dir.ldif"
	n=0
	while read -r attrs cur leg contra; do
		[ -n "$attrs" ] || continue
		type=$(( (n % 3) + 1 )); n=$((n + 1))
		tdo "d$dir-a${attrs#0x}.example" "D${dir}A${attrs#0x}" "$dir" "$type" "$((attrs))" >>"$TEST_TMP/table$dir.ldif"
	done <<<"$TABLE"
	slapd_start "table$dir" "$TEST_TMP/table$dir.ldif" --tls || { not_ok "slapd with trust direction $dir starts"; tap_done; exit 1; }
done
AUTH=(-D "$SLAPD_TABLE0_BIND_DN" --password-file "$SLAPD_PWFILE")
table_run() {   # table_run [options]: all four servers, outputs joined in $ALL
	local d
	ALL=""
	for d in 0 1 2 3; do
		local uri=SLAPD_TABLE${d}_URI
		ALL+=$("$P" -H "${!uri}" -T --ca-file "$SLAPD_CA" "${AUTH[@]}" "$@")$'\n'
	done
}
T=(-H "$SLAPD_TABLE1_URI" -T --ca-file "$SLAPD_CA" "${AUTH[@]}")
T3=(-H "$SLAPD_TABLE3_URI" -T --ca-file "$SLAPD_CA" "${AUTH[@]}")

verdict_word() {   # the word the plugin uses for a verdict
	case $1 in allowed) echo "TGT delegation ALLOWED";; blocked) echo "TGT delegation blocked";;
	within) echo "within the forest: not a security boundary";; none) echo "not relevant";; esac
}
check_table() {    # check_table MODE(cur|leg) OUTPUT
	local mode=$1 out=$2 bad=0 attrs cur leg contra dir want line
	while read -r attrs cur leg contra; do
		[ -n "$attrs" ] || continue
		for dir in 0 1 2 3; do
			if [ "$dir" = 0 ] || [ "$dir" = 2 ]; then want=none
			elif [ "$mode" = cur ]; then want=$cur; else want=$leg; fi
			line=$(printf '%s\n' "$out" | grep "^trust d$dir-a${attrs#0x}\.example ")
			if ! printf '%s' "$line" | grep -q ": $(verdict_word "$want")"; then
				bad=$((bad + 1)); tap_diag "direction $dir attributes $attrs: wanted $want: $line"
			fi
			if [ "$contra" = 1 ] && ! printf '%s' "$line" | grep -q "contradictory: ENABLE_TGT_DELEGATION together with QUARANTINED_DOMAIN"; then
				bad=$((bad + 1)); tap_diag "direction $dir attributes $attrs: contradiction not named"
			fi
			if [ "$contra" = 0 ] && printf '%s' "$line" | grep -q "contradictory"; then
				bad=$((bad + 1)); tap_diag "direction $dir attributes $attrs: contradiction named wrongly"
			fi
		done
	done <<<"$TABLE"
	[ "$bad" -eq 0 ]
}

# Per inbound direction 32 trusts: 16 not within the forest (inbound);
# current rule: 0x800 and 0x808 allow; legacy: 8 allow.  Outbound and
# disabled: nothing counts.  Every verdict is checked across the 4 servers.
expect_check "inbound trusts, current rule: 2 allow, CRITICAL" CRITICAL \
	"^AD TRUST DELEGATION CRITICAL - 8 trusts have contradictory attributes .*; 2 trusts allow TGT delegation across the forest boundary: d1-a800.example, d1-a808.example \|" -- "$P" "${T[@]}"
expect_perf trusts 32
expect_perf inbound 16
expect_perf tgt_delegation 2
expect_output "default critical threshold 0 in perfdata" "tgt_delegation=2;;0;0; "
second=$(printf '%s\n' "$OUT" | sed -n 2p)
case $second in "trust d1-a800.example "*) ok "the most important trust is the first long line";; *) not_ok "most important first" "$second";; esac
table_run
if check_table cur "$ALL"; then ok "every trust's verdict, current rule (128 trusts)"; else not_ok "every trust's verdict, current rule"; fi
expect_check "bidirectional trusts, --legacy: 8 allow" CRITICAL "; 8 trusts allow TGT delegation across the forest boundary: .* and 3 more \|" -- "$P" "${T3[@]}" --legacy
expect_perf tgt_delegation 8
table_run --legacy
if check_table leg "$ALL"; then ok "every trust's verdict, legacy rule (128 trusts)"; else not_ok "every trust's verdict, legacy rule"; fi
for d in 0 2; do
	uri=SLAPD_TABLE${d}_URI
	expect_check "direction $d: nothing counts, even with --legacy" WARNING "WARNING - 8 trusts have contradictory attributes .*; no inbound trust allows TGT delegation \(32 trusts, 0 inbound\)" \
		-- "$P" -H "${!uri}" -T --ca-file "$SLAPD_CA" "${AUTH[@]}" --legacy
done
OUT=$ALL
expect_output "types decoded" "^trust d1-a808.example \(D1A808\) inbound, (downlevel|uplevel|MIT Kerberos realm), attributes FOREST_TRANSITIVE,ENABLE_TGT_DELEGATION: TGT delegation ALLOWED"
expect_output "outbound named as not relevant" "^trust d2-a808.example \(D2A808\) outbound, .*: not relevant: outbound only"
expect_output "disabled named as not relevant" "^trust d0-a808.example \(D0A808\) disabled, .*: not relevant: trust disabled"
table_run
OUT=$ALL
expect_output "reason for a block: NO_TGT_DELEGATION" "^trust d3-aa08.example .*: TGT delegation blocked: NO_TGT_DELEGATION set"
expect_output "reason for a block: quarantine" "^trust d3-a80c.example .*: TGT delegation blocked: QUARANTINED_DOMAIN \(SID filtering\) set"
expect_check "-c 100 -w 1 on inbound trusts" WARNING "WARNING" -- "$P" "${T[@]}" -c 100 -w 1
expect_output "thresholds in perfdata" "tgt_delegation=2;1;100;0; "

# --- single-trust domains: the cases users meet -------------------------------
one() {   # one NAME LDIF-ENTRY...: a domain with these trusts
	local name=$1 e; shift
	"$gen" --empty-delegation >"$TEST_TMP/$name.ldif"
	for e in "$@"; do printf '%s\n\n' "$e" >>"$TEST_TMP/$name.ldif"; done
	slapd_start "$name" "$TEST_TMP/$name.ldif" --tls
}
timed_check() {   # timed_check ARGS of expect_check: and the seconds it took in $EL
	local t0
	t0=$(date +%s.%N)
	expect_check "$@"
	EL=$(awk "BEGIN{print $(date +%s.%N) - $t0}")
}
one forest "$(tdo partner.example PARTNER 3 2 8)"
expect_check "plain bidirectional forest trust (attributes 8): OK, no false positive" OK \
	"^AD TRUST DELEGATION OK - no inbound trust allows TGT delegation \(1 trust, 1 inbound\) \|" \
	-- "$P" -H "$SLAPD_FOREST_URI" -T --ca-file "$SLAPD_CA" -D "$SLAPD_FOREST_BIND_DN" --password-file "$SLAPD_PWFILE"
expect_output "its line" "^trust partner.example \(PARTNER\) bidirectional, uplevel, attributes FOREST_TRANSITIVE: TGT delegation blocked: ENABLE_TGT_DELEGATION not set \(the default since 2019\)$"
expect_check "the same with --legacy: CRITICAL" CRITICAL "1 trust allows TGT delegation across the forest boundary: partner.example" \
	-- "$P" -H "$SLAPD_FOREST_URI" -T --ca-file "$SLAPD_CA" -D "$SLAPD_FOREST_BIND_DN" --password-file "$SLAPD_PWFILE" --legacy
one contra "$(tdo partner.example PARTNER 3 2 $((0x80c)))"
expect_check "ENABLE_TGT_DELEGATION with QUARANTINED_DOMAIN: WARNING, named" WARNING \
	"^AD TRUST DELEGATION WARNING - 1 trust has contradictory attributes \(ENABLE_TGT_DELEGATION with QUARANTINED_DOMAIN\); no inbound trust allows" \
	-- "$P" -H "$SLAPD_CONTRA_URI" -T --ca-file "$SLAPD_CA" -D "$SLAPD_CONTRA_BIND_DN" --password-file "$SLAPD_PWFILE"
expect_perf tgt_delegation 0
one none
expect_check "no trusts at all: OK" OK "^AD TRUST DELEGATION OK - no inbound trust allows TGT delegation \(0 trusts, 0 inbound\)" \
	-- "$P" -H "$SLAPD_NONE_URI" -T --ca-file "$SLAPD_CA" -D "$SLAPD_NONE_BIND_DN" --password-file "$SLAPD_PWFILE"
expect_perf trusts 0
# values the bind account cannot read (or that are missing) are never taken
# as "no risk": trust lines say so, the check is UNKNOWN
noattrs=$(printf 'dn: CN=na.example,CN=System,DC=corp,DC=example\nobjectClass: top\nobjectClass: trustedDomain\ncn: na.example\ntrustPartner: na.example\nflatName: NA\ntrustDirection: 3\ntrustType: 2\n')
nodir=$(printf 'dn: CN=nd.example,CN=System,DC=corp,DC=example\nobjectClass: top\nobjectClass: trustedDomain\ncn: nd.example\ntrustPartner: nd.example\nflatName: ND\ntrustType: 2\ntrustAttributes: 2056\n')
one unreadable "$noattrs" "$nodir" "$(tdo out.example OUT 2 2 8)" "$(tdo bad.example BAD 7 2 8)" "$(tdo crit.example CRIT 3 2 $((0x808)))"
expect_check "trustAttributes or trustDirection missing: UNKNOWN below thresholds, never OK" UNKNOWN \
	"^AD TRUST DELEGATION UNKNOWN - 3 trusts could not be evaluated; 1 trust allows TGT delegation across the forest boundary: crit.example \|" \
	-- "$P" -H "$SLAPD_UNREADABLE_URI" -T --ca-file "$SLAPD_CA" -D "$SLAPD_UNREADABLE_BIND_DN" --password-file "$SLAPD_PWFILE" -c 5
expect_perf trusts 5
expect_perf inbound 1
expect_output "missing trustAttributes named" "^trust na.example \(NA\) bidirectional, uplevel, attributes none: cannot be evaluated: trustAttributes absent, unreadable or not a 32-bit value$"
expect_output "missing trustDirection named" "^trust nd.example \(ND\) .*: cannot be evaluated: trustDirection absent or unreadable$"
expect_output "direction out of range named" "^trust bad.example \(BAD\) .*: cannot be evaluated: trustDirection is not 0-3$"
expect_output "outbound still not relevant" "^trust out.example \(OUT\) outbound, .*: not relevant: outbound only"
expect_check "the CRITICAL trust is not hidden by the unreadable ones" CRITICAL \
	"^AD TRUST DELEGATION CRITICAL - 3 trusts could not be evaluated; 1 trust allows TGT delegation across the forest boundary: crit.example \|" \
	-- "$P" -H "$SLAPD_UNREADABLE_URI" -T --ca-file "$SLAPD_CA" -D "$SLAPD_UNREADABLE_BIND_DN" --password-file "$SLAPD_PWFILE"

# a trust that cannot be evaluated keeps its place in the state file: when
# it can be read again it is not "new since last run"
one readable "$(tdo na.example NA 3 2 $((0x808)))"
RD=(-H "$SLAPD_READABLE_URI" -T --ca-file "$SLAPD_CA" -D "$SLAPD_READABLE_BIND_DN" --password-file "$SLAPD_PWFILE" -c 5)
UR=(-H "$SLAPD_UNREADABLE_URI" -T --ca-file "$SLAPD_CA" -D "$SLAPD_UNREADABLE_BIND_DN" --password-file "$SLAPD_PWFILE" -c 5)
"$P" "${RD[@]}" --state-file "$TEST_TMP/unsure.state" >/dev/null
expect_check "na.example unreadable for a run: not forgotten, crit.example new" WARNING \
	"^AD TRUST DELEGATION WARNING - new since last run: crit.example; 3 trusts could not be evaluated" -- "$P" "${UR[@]}" --state-file "$TEST_TMP/unsure.state"
expect_check "na.example readable again: not new" OK "^AD TRUST DELEGATION OK - 1 trust allows" -- "$P" "${RD[@]}" --state-file "$TEST_TMP/unsure.state"
expect_no_output "nothing new" "New since last run"
# a trustAttributes wider than 32 bits is no value the rule applies to
one wide "$(tdo wide.example WIDE 3 2 $((0x100000808)))"
expect_check "trustAttributes wider than 32 bits: cannot be evaluated" UNKNOWN \
	"^AD TRUST DELEGATION UNKNOWN - 1 trust could not be evaluated; no inbound trust allows" \
	-- "$P" -H "$SLAPD_WIDE_URI" -T --ca-file "$SLAPD_CA" -D "$SLAPD_WIDE_BIND_DN" --password-file "$SLAPD_PWFILE"

# --- partner scan -----------------------------------------------------------------
# corp trusts: p1 (bidirectional, 0x808), p2 (inbound, 0x800), p3 (0x808,
# unreachable), p4 (plain forest 0x8: blocked, scanned only with --scan-all),
# p5 (outbound 0x808: never scanned)
one scan "$(tdo p1.example P1 3 2 $((0x808)))" "$(tdo p2.example P2 1 2 $((0x800)))" "$(tdo p3.example P3 3 2 $((0x808)))" "$(tdo p4.example P4 3 2 8)" "$(tdo p5.example P5 2 2 $((0x808)))"
"$gen" --suffix DC=p1,DC=example --accounts 'P1WEB$,p1-svc' >"$TEST_TMP/p1.ldif"
"$gen" --suffix DC=p2,DC=example --accounts 'P2APP$' >"$TEST_TMP/p2.ldif"
"$gen" --suffix DC=p4,DC=example --accounts 'P4OLD$' >"$TEST_TMP/p4.ldif"
slapd_start p1 "$TEST_TMP/p1.ldif" --suffix DC=p1,DC=example --tls
slapd_start p2 "$TEST_TMP/p2.ldif" --suffix DC=p2,DC=example --tls
slapd_start p4 "$TEST_TMP/p4.ldif" --suffix DC=p4,DC=example --tls
slapd_start_refused p3
cat >"$TEST_TMP/scan.conf" <<CONF
defaults = { hostname = "$SLAPD_SCAN_URI"; starttls = true; ca_file = "$SLAPD_CA";
  bind_dn = "$SLAPD_SCAN_BIND_DN"; password_file = "$SLAPD_PWFILE"; };
check_ad_trust_delegation = {
  partners = (
    { domain = "p1.example"; hostname = "$SLAPD_P1_URI"; bind_dn = "$SLAPD_P1_BIND_DN"; },
    { domain = "P2"; hostname = "$SLAPD_P2_LDAPS_URI"; starttls = false; bind_dn = "$SLAPD_P2_BIND_DN"; },
    { domain = "p3.example"; hostname = "$SLAPD_P3_URI"; },
    { domain = "p4.example"; hostname = "$SLAPD_P4_URI"; bind_dn = "$SLAPD_P4_BIND_DN"; }
  );
};
CONF
expect_check "--scan-partners: 3 allowing trusts, one partner unreachable" CRITICAL \
	"^AD TRUST DELEGATION CRITICAL - 1 partner could not be scanned; 3 trusts allow TGT delegation across the forest boundary: p1.example, p2.example, p3.example; 3 unconstrained accounts in partner domains \|" \
	-- "$P" --config "$TEST_TMP/scan.conf" --scan-partners
expect_perf partner_unconstrained 3
expect_perf tgt_delegation 3
expect_output "p1 listed with its accounts" "^partner p1.example: 2 unconstrained \($SLAPD_P1_URI, base DC=p1,DC=example, [0-9.]+ s\)$"
expect_output "p1 computer" "^  computer P1WEB\\$ \(.*dc=p1,dc=example\) enabled$"
expect_output "p1 user" "^  user p1-svc \(.*dc=p1,dc=example\) enabled$"
expect_output "p2 over LDAPS, matched by NetBIOS name in the config" "^partner p2.example: 1 unconstrained \($SLAPD_P2_LDAPS_URI"
expect_output "p3 unreachable, with the reason" "^partner p3.example: not scanned \([0-9.]+ s\): cannot connect to $SLAPD_P3_URI: Can't contact LDAP server"
expect_no_output "p4 (blocked) is not scanned" "^partner p4"
expect_no_output "p5 (outbound) is not scanned" "^partner p5"
expect_no_output "partner DCs are never listed" "DC01|DC02|RODC01"
expect_check "--scan-all scans the blocked forest trust too" CRITICAL "; 4 unconstrained accounts in partner domains" -- "$P" --config "$TEST_TMP/scan.conf" --scan-all
expect_output "p4 scanned" "^  computer P4OLD\\$"
expect_no_output "p5 (outbound) still not scanned" "^partner p5"
expect_check "without --scan-partners no partner perfdata" CRITICAL "allow TGT delegation" -- "$P" --config "$TEST_TMP/scan.conf"
expect_no_output "no partner_unconstrained label" "partner_unconstrained"
# a partner without an entry is found by DNS only: the main simple-bind
# password is not sent there; an entry with just the domain is the opt-in
# (here DNS has no such record, so the lookup is what fails)
cat >"$TEST_TMP/dnsonly.conf" <<CONF
defaults = { hostname = "$SLAPD_SCAN_URI"; starttls = true; ca_file = "$SLAPD_CA";
  bind_dn = "$SLAPD_SCAN_BIND_DN"; password_file = "$SLAPD_PWFILE"; };
CONF
expect_check "no partners entry, simple bind: partners not scanned, password kept" CRITICAL \
	"^AD TRUST DELEGATION CRITICAL - 3 partners could not be scanned; 3 trusts allow" -- "$P" --config "$TEST_TMP/dnsonly.conf" --scan-partners
expect_output "the reason" "^partner p3.example: not scanned \([0-9.]+ s\): no partners entry in the config file: the main connection's password is not sent to a server found by DNS \(add an entry, or use -Y GSSAPI\)$"
cat >>"$TEST_TMP/dnsonly.conf" <<CONF
check_ad_trust_delegation = { partners = ( { domain = "p3.example"; } ); };
CONF
expect_check "an entry with only the domain: DNS SRV is tried with the main credentials" CRITICAL \
	"^AD TRUST DELEGATION CRITICAL - 3 partners could not be scanned; 3 trusts allow" -- "$P" --config "$TEST_TMP/dnsonly.conf" --scan-partners
expect_output "p3 looked up in DNS" "^partner p3.example: not scanned \([0-9.]+ s\): (no DNS SRV record _ldap._tcp.p3.example \(its partners entry names no hostname\)|no answer within [0-9.]+ s while looking up the DNS SRV record _ldap._tcp.p3.example)$"
expect_output "p1 still refused" "^partner p1.example: not scanned \([0-9.]+ s\): no partners entry in the config file"
# a partner that accepts TCP and never answers, twice: concurrent scans end
# near the slowest partner, not the sum (sequential would exceed -t)
slapd_start_blackhole h1 60
slapd_start_blackhole h2 60
one slow "$(tdo h1.example H1 3 2 $((0x808)))" "$(tdo h2.example H2 3 2 $((0x808)))"
cat >"$TEST_TMP/slow.conf" <<CONF
defaults = { hostname = "$SLAPD_SLOW_URI"; starttls = true; ca_file = "$SLAPD_CA";
  bind_dn = "$SLAPD_SLOW_BIND_DN"; password_file = "$SLAPD_PWFILE"; };
check_ad_trust_delegation = { partners = (
  { domain = "h1.example"; hostname = "$SLAPD_H1_URI"; starttls = false; allow_plaintext = true; },
  { domain = "h2.example"; hostname = "$SLAPD_H2_URI"; starttls = false; allow_plaintext = true; } ); };
CONF
timed_check "two silent partners: both reported, the check still answers" CRITICAL "^AD TRUST DELEGATION CRITICAL - 2 partners could not be scanned" \
	-- "$P" --config "$TEST_TMP/slow.conf" --scan-partners -t 6
el=$EL
tap_diag "two silent partners with -t 6 took $el s (each partner gets about 5 s; in sequence they would take 10)"
if awk "BEGIN{exit !($el < 7.5)}"; then ok "partners scanned concurrently (total $el s < sum of both)"; else not_ok "partners scanned concurrently" "took $el s"; fi
expect_output "h1 named" "^partner h1.example: not scanned"
expect_output "h2 named" "^partner h2.example: not scanned"
# a partner that answers, but slowly (each answer held 2 s: bind, RootDSE and
# search take 6 s): the scan gives up at its deadline, the trust's CRITICAL
# is reported with the partner named, never the backstop's UNKNOWN
slapd_start_slow s1 "$SLAPD_P1_PORT" 2 60
one slowanswer "$(tdo s1.example S1 3 2 $((0x808)))"
cat >"$TEST_TMP/slowanswer.conf" <<CONF
defaults = { hostname = "$SLAPD_SLOWANSWER_URI"; starttls = true; ca_file = "$SLAPD_CA";
  bind_dn = "$SLAPD_SLOWANSWER_BIND_DN"; password_file = "$SLAPD_PWFILE"; };
check_ad_trust_delegation = { partners = (
  { domain = "s1.example"; hostname = "$SLAPD_S1_URI"; starttls = false; allow_plaintext = true;
    bind_dn = "$SLAPD_P1_BIND_DN"; } ); };
CONF
timed_check "a slow partner: the trust is still CRITICAL, the partner not scanned" CRITICAL \
	"^AD TRUST DELEGATION CRITICAL - 1 partner could not be scanned; 1 trust allows TGT delegation across the forest boundary: s1.example; 0 unconstrained accounts in partner domains \|" \
	-- "$P" --config "$TEST_TMP/slowanswer.conf" --scan-partners -t 6
el=$EL
expect_output "where the slow partner was when time ran out" \
	"^partner s1.example: not scanned \(5\.[0-9] s\): no answer within 5\.[0-9] s while (connecting and binding to|searching) $SLAPD_S1_URI"
expect_no_output "no timeout line" "timed out"
# the alarm is armed after start-up: the result came first when the time is
# below 6 s plus start-up (the state and the missing timeout line above are
# the proof; this is the order of magnitude)
if awk "BEGIN{exit !($el < 6.5)}"; then ok "the check ended by its -t 6 ($el s)"; else not_ok "the check ended by its -t 6" "took $el s"; fi
# the scan left running at the deadline is abandoned cleanly: no invalid
# access or leak under valgrind (plain build)
VB=${VALGRIND_BUILDDIR:-$BUILDDIR}/plugins/check_ad_trust_delegation
if ldd "$VB" 2>/dev/null | grep -q libasan; then
	skip "valgrind clean: a partner abandoned at the deadline" "VALGRIND_BUILDDIR is a sanitizer build"
elif command -v valgrind >/dev/null; then
	valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect \
		--log-file="$TEST_TMP/vg-slow.log" "$VB" --config "$TEST_TMP/slowanswer.conf" --scan-partners -t 6 >"$TEST_TMP/vg-slow.out" 2>&1
	rc=$?
	if [ "$rc" = 2 ] && [ ! -s "$TEST_TMP/vg-slow.log" ] && grep -q "^partner s1.example: not scanned" "$TEST_TMP/vg-slow.out"; then
		ok "valgrind clean: a partner abandoned at the deadline"
	else not_ok "valgrind clean: a partner abandoned at the deadline" "exit $rc" "$(head -30 "$TEST_TMP/vg-slow.log" "$TEST_TMP/vg-slow.out")"; fi
else not_ok "valgrind clean: a partner abandoned at the deadline" "valgrind is not installed (scripts/install-deps installs it)"; fi
# the same partner with time enough: scanned through the proxy
expect_check "the slow partner with -t 15 is scanned" CRITICAL \
	"^AD TRUST DELEGATION CRITICAL - 1 trust allows TGT delegation across the forest boundary: s1.example; 2 unconstrained accounts in partner domains \|" \
	-- "$P" --config "$TEST_TMP/slowanswer.conf" --scan-partners -t 15

# two slow partners that both answer (each about 6 s: three answers held 2 s):
# scanned together they take about as long as one, not the sum
slapd_start_slow s2 "$SLAPD_P2_PORT" 2 60
one slowpair "$(tdo s1.example S1 3 2 $((0x808)))" "$(tdo s2.example S2 1 2 $((0x800)))"
cat >"$TEST_TMP/slowpair.conf" <<CONF
defaults = { hostname = "$SLAPD_SLOWPAIR_URI"; starttls = true; ca_file = "$SLAPD_CA";
  bind_dn = "$SLAPD_SLOWPAIR_BIND_DN"; password_file = "$SLAPD_PWFILE"; };
check_ad_trust_delegation = { partners = (
  { domain = "s1.example"; hostname = "$SLAPD_S1_URI"; starttls = false; allow_plaintext = true; bind_dn = "$SLAPD_P1_BIND_DN"; },
  { domain = "s2.example"; hostname = "$SLAPD_S2_URI"; starttls = false; allow_plaintext = true; bind_dn = "$SLAPD_P2_BIND_DN"; } ); };
CONF
timed_check "two slow partners, both scanned" CRITICAL \
	"^AD TRUST DELEGATION CRITICAL - 2 trusts allow TGT delegation across the forest boundary: s1.example, s2.example; 3 unconstrained accounts in partner domains \|" \
	-- "$P" --config "$TEST_TMP/slowpair.conf" --scan-partners -t 20
el=$EL
s1=$(printf '%s\n' "$OUT" | sed -n 's/^partner s1.example: .* \([0-9.]*\) s)$/\1/p')
s2=$(printf '%s\n' "$OUT" | sed -n 's/^partner s2.example: .* \([0-9.]*\) s)$/\1/p')
tap_diag "two slow partners: s1 $s1 s, s2 $s2 s, whole check $el s (ratio to the sum: $(awk "BEGIN{printf \"%.2f\", $el / ($s1 + $s2)}"))"
if [ -n "$s1" ] && [ -n "$s2" ] && awk "BEGIN{exit !($el < 0.75 * ($s1 + $s2))}"; then
	ok "slow partners scanned concurrently (whole check $el s, partners $s1 s + $s2 s)"
else not_ok "slow partners scanned concurrently" "whole check $el s, partners '$s1' s + '$s2' s"; fi

# --- exceptions -----------------------------------------------------------------------
cat >"$TEST_TMP/ex.conf" <<CONF
defaults = { hostname = "$SLAPD_SCAN_URI"; starttls = true; ca_file = "$SLAPD_CA";
  bind_dn = "$SLAPD_SCAN_BIND_DN"; password_file = "$SLAPD_PWFILE"; };
check_ad_trust_delegation = { exceptions = (
  { trust = "P1"; reason = "CHG-7 migration until March"; expires = "2099-03-31"; },
  { trust = "p2.example"; reason = "CHG-3"; expires = "2021-06-30"; },
  { trust = "p3.example"; reason = "lab forest"; } ); };
CONF
expect_check "exceptions: p1 (by NetBIOS name) and p3 excepted, p2 expired" CRITICAL \
	"^AD TRUST DELEGATION CRITICAL - 1 trust exception expired; 1 trust allows TGT delegation across the forest boundary: p2.example \|" -- "$P" --config "$TEST_TMP/ex.conf"
expect_perf tgt_delegation 1
expect_output "excepted with expiry and reason" "^trust p1.example \(P1\) .*: TGT delegation ALLOWED: ENABLE_TGT_DELEGATION set; excepted until 2099-03-31: CHG-7 migration until March$"
expect_output "excepted without expiry" "^trust p3.example \(P3\) .*; excepted: lab forest$"
expect_output "expired named" "^trust p2.example \(P2\) .*; exception expired on 2021-06-30 \(CHG-3\)$"

# --- change detection -------------------------------------------------------------
ST=$TEST_TMP/trust.state
expect_check "state: first run, baseline" OK "^AD TRUST DELEGATION OK - 1 trust exception expired" -- "$P" --config "$TEST_TMP/ex.conf" --state-file "$ST" -c 5
expect_check "state: unchanged, quiet" OK "^AD TRUST DELEGATION OK - 1 trust exception expired; 1 trust allows" -- "$P" --config "$TEST_TMP/ex.conf" --state-file "$ST" -c 5
expect_check "state: without exceptions p1 and p3 are new: WARNING below thresholds" WARNING \
	"^AD TRUST DELEGATION WARNING - new since last run: p1.example, p3.example; 3 trusts allow" -- "$P" --config "$TEST_TMP/scan.conf" --state-file "$ST" -c 5
expect_check "state: reported once" OK "^AD TRUST DELEGATION OK - 3 trusts allow" -- "$P" --config "$TEST_TMP/scan.conf" --state-file "$ST" -c 5
head -c 20 /dev/urandom >"$ST"
expect_check "state: corrupt file reported, replaced, not fatal" OK "^AD TRUST DELEGATION OK" -- "$P" --config "$TEST_TMP/scan.conf" --state-file "$ST" -c 5
expect_output "corruption named" "state file $ST was corrupt"
# two runs at once, from a state that knows only p2: the lock lets exactly
# one of them report p1 and p3 as new, the other sees them already recorded
rm -f "$ST"; "$P" --config "$TEST_TMP/ex.conf" --state-file "$ST" -c 5 >/dev/null
"$P" --config "$TEST_TMP/scan.conf" --state-file "$ST" -c 5 >"$TEST_TMP/r1" & p1=$!
"$P" --config "$TEST_TMP/scan.conf" --state-file "$ST" -c 5 >"$TEST_TMP/r2" & p2=$!
wait "$p1" "$p2"
n_new=$(cat "$TEST_TMP/r1" "$TEST_TMP/r2" | grep -c "^AD TRUST DELEGATION WARNING - new since last run: p1.example, p3.example; 3 trusts allow")
n_quiet=$(cat "$TEST_TMP/r1" "$TEST_TMP/r2" | grep -c "^AD TRUST DELEGATION OK - 3 trusts allow")
if [ "$n_new" = 1 ] && [ "$n_quiet" = 1 ] && ! grep -q corrupt "$TEST_TMP/r1" "$TEST_TMP/r2"; then
	ok "two runs at once: exactly one reports p1 and p3 as new, no corruption"
else not_ok "two runs at once" "$(cat "$TEST_TMP/r1" "$TEST_TMP/r2")"; fi
expect_check "after both: nothing new" OK "^AD TRUST DELEGATION OK - 3 trusts allow" -- "$P" --config "$TEST_TMP/scan.conf" --state-file "$ST" -c 5
rm -f "$ST"; "$P" --config "$TEST_TMP/ex.conf" --state-file "$ST" -c 5 >/dev/null
expect_check "--new-is CRITICAL: a new trust is CRITICAL below thresholds" CRITICAL \
	"^AD TRUST DELEGATION CRITICAL - new since last run: p1.example, p3.example; 3 trusts allow" \
	-- "$P" --config "$TEST_TMP/scan.conf" --state-file "$ST" -c 5 --new-is CRITICAL
expect_output "each new trust named in the long output" "^New since last run: p3.example$"
expect_check "--new-is CRITICAL: then quiet" OK "^AD TRUST DELEGATION OK - 3 trusts allow" \
	-- "$P" --config "$TEST_TMP/scan.conf" --state-file "$ST" -c 5 --new-is CRITICAL
# a state file that cannot be used: UNKNOWN first, the trusts still reported
expect_check "state file in a missing directory: the CRITICAL trusts stay CRITICAL" CRITICAL \
	"^AD TRUST DELEGATION CRITICAL - cannot lock state file /nonexistent/dir/t.lock: No such file or directory; 3 trusts allow TGT delegation across the forest boundary: p1.example, p2.example, p3.example \|" \
	-- "$P" --config "$TEST_TMP/scan.conf" --state-file /nonexistent/dir/t
expect_check "state file in a missing directory below thresholds: UNKNOWN, trusts kept" UNKNOWN \
	"^AD TRUST DELEGATION UNKNOWN - cannot lock state file /nonexistent/dir/t.lock: No such file or directory; 3 trusts allow" \
	-- "$P" --config "$TEST_TMP/scan.conf" --state-file /nonexistent/dir/t -c 5
expect_output "trust lines kept" "^trust p1.example \(P1\) .*TGT delegation ALLOWED"

# --- bad input ------------------------------------------------------------------------
bad() { local d=$1 e=$2; shift 2; expect_check "bad input: $d" UNKNOWN "^AD TRUST DELEGATION UNKNOWN - $e" -- "$P" "$@"; }
printf 'check_ad_trust_delegation = { partners = ( { hostname = "x"; } ); };\n' >"$TEST_TMP/b1.conf"
printf 'check_ad_trust_delegation = { partners = ( { domain = "x"; port = 99999; } ); };\n' >"$TEST_TMP/b2.conf"
printf 'check_ad_trust_delegation = { partners = ( { domain = "x"; timeout = 5; } ); };\n' >"$TEST_TMP/b3.conf"
printf 'check_ad_trust_delegation = { exceptions = ( { account = "x"; reason = "r"; } ); };\n' >"$TEST_TMP/b4.conf"
bad "partner without domain" "config file $TEST_TMP/b1.conf line 1: each entry of 'partners' needs domain" -H x --config "$TEST_TMP/b1.conf"
bad "partner with a bad port" "config file $TEST_TMP/b2.conf line 1: partner x: port: port must be" -H x --config "$TEST_TMP/b2.conf"
bad "partner with a non-connection setting" ".*line 1: partner x: timeout: not a connection setting" -H x --config "$TEST_TMP/b3.conf"
bad "trust exception naming an account" ".*line 1: each entry of 'exceptions' needs trust" -H x --config "$TEST_TMP/b4.conf"
bad "bad threshold" "invalid tgt_delegation critical threshold '1:0'" "${T[@]}" -c 1:0
bad "unknown option" "unknown option --scan-everything" "${T[@]}" --scan-everything
bad "base without CN=System" "base DN 'CN=System,OU=Servers,DC=corp,DC=example' does not exist" "${T[@]}" -b OU=Servers,DC=corp,DC=example
OUT=$("$P" --help); RC=$?
if [ "$RC" = 3 ] && printf '%s\n' "$OUT" | grep -q -- "--scan-partners" && ! printf '%s\n' "$OUT" | grep -q '|'; then ok "--help: exit 3, documents --scan-partners, no '|'"; else not_ok "--help" "rc=$RC"; fi
tap_done
