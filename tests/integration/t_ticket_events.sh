#!/bin/bash
# check_ad_ticket_events on the real samples of tests/data/events (counts as
# in their README / the shared MANIFEST), on cross-trust events built from
# real lines (window edges, realm spellings, Winlogbeat 7, NXLog EventTime
# zones), on bad input, usage errors, thresholds, and under valgrind.
# Incremental mode: t_ticket_events_incremental.sh; LDAP realms:
# t_ticket_events_ldap.sh.
source "$TOP_SRCDIR/tests/lib/tap.sh"
source "$TOP_SRCDIR/tests/integration/ticket_events_lib.sh"
T=$TEST_TMP
WIDE=(--now 2030-01-01T00:00:00Z --since 2000w)

# --- every real sample, its own domain as the trusted realm -----------------
# sample FILE FQDN NETBIOS scanned tgt st renew forwarded unreadable malformed
# (cross-trust counts: every event whose realm is the sample's domain)
sample() {
	local f=$1 fqdn=$2 nb=$3 sc=$4 tgt=$5 st=$6 rn=$7 fw=$8 ur=$9 mf=${10} opt=--evtx state=OK
	case $f in *.jsonl|*.jsonl.gz) opt=--jsonl;; esac
	[ "$fw" -gt 0 ] && state=CRITICAL
	expect_check "$f: own domain as realm ($fqdn, $nb): $state" "$state" "^AD TICKET EVENTS $state - " \
		-- "$P" "$opt" "$EV_DATA/$f" --realm "$fqdn" --realm "$nb" "${WIDE[@]}"
	local want="cross_trust=$((tgt + st + rn)) tgt_4768=$tgt st_4769=$st renew_4770=$rn forwarded=$fw scanned=$sc unreadable=$ur malformed=$mf"
	local got="" kv
	for kv in $want; do got="$got ${kv%%=*}=$(perf_value "${kv%%=*}")"; done
	if [ "${got# }" = "$want" ]; then ok "$f: $want"; else not_ok "$f: counts" "wanted $want" "got    ${got# }"; fi
	# the local domain named: nothing matches, in any spelling
	expect_check "$f: --local-domain $fqdn/$nb, partner realms: OK" OK "^AD TICKET EVENTS OK - no cross-trust" \
		-- "$P" "$opt" "$EV_DATA/$f" --realm PARTNER.EXAMPLE --realm PARTNER \
		--local-domain "$fqdn" --local-domain "$nb" "${WIDE[@]}"
	got="$(perf_value cross_trust)/$(perf_value scanned)"
	if [ "$got" = "0/$sc" ]; then ok "$f: 0 cross-trust of $sc scanned"; else not_ok "$f: 0 cross-trust of $sc" "got $got"; fi
	# the own names given as realms too, but lower-case as local names: local wins
	local lfq lnb
	lfq=$(printf '%s' "$fqdn" | tr 'A-Z' 'a-z'); lnb=$(printf '%s' "$nb" | tr 'A-Z' 'a-z')
	expect_check "$f: own names as --realm and lower-case as --local-domain: 0" OK "no cross-trust" \
		-- "$P" "$opt" "$EV_DATA/$f" --realm "$fqdn" --realm "$nb" --local-domain "$lfq" --local-domain "$lnb" "${WIDE[@]}"
	expect_perf cross_trust 0
}
#      file                                              fqdn            netbios     sc tgt st rn fw ur mf
sample evtx/mdec_4769_tgs_host_enumeration.evtx          OFFSEC.LAN      OFFSEC      24  0 24  0  5  0  0
# record 1 has an empty TargetUserName and TargetDomainName: scanned, no realm
sample evtx/mdec_4769_kerberoast_low_encryption.evtx     OFFSEC.LAN      OFFSEC      10  0  9  0  1  0  0
sample evtx/mdec_4769_golden_ticket.evtx                 OFFSEC.LAN      OFFSEC      10  0 10  0  1  0  0
sample evtx/mdec_4768_bruteforce_unknown_users.evtx      OFFSEC.LAN      OFFSEC      50 50  0  0  0  0  0
sample evtx/mdec_4768_kerbrute_enumeration.evtx          OFFSEC.LAN      OFFSEC      20 20  0  0  0  0  0
sample evtx/mdec_4768_asrep_roasting.evtx                OFFSEC.LAN      OFFSEC       1  1  0  0  0  0  0
sample evtx/mdec_4768_4769_host_ticket_no_dollar.evtx    OFFSEC.LAN      OFFSEC       2  1  1  0  0  0  0
sample evtx/mdec_mixed_sam_the_admin.evtx                OFFSEC.LAN      OFFSEC       2  1  1  0  0  0  0
sample evtx/mdec_no_kerberos_998_records.evtx            OFFSEC.LAN      OFFSEC       0  0  0  0  0  0  0
sample evtx/mdec_unparseable_records.evtx                OFFSEC.LAN      OFFSEC       0  0  0  0  0 55  0
sample evtx/sbou_4768_4769_samaccount_spoofing.evtx      THREEBEESCO.COM THREEBEESCO  4  2  2  0  0  0  0
# record 12 has written time 0: no usable time, counted as malformed
sample evtx/sbou_4768_password_spray.evtx                THREEBEESCO.COM THREEBEESCO  8  8  0  0  0  0  1
sample evtx/omer_bad_chunk_magic.evtx                    OFFSEC.LAN      OFFSEC       0  0  0  0  0  0  0
sample evtx/omer_issue_201_unparseable.evtx              OFFSEC.LAN      OFFSEC       0  0  0  0  0  1  0
sample json/otrf_winlogbeat6_kerberos.jsonl              SHIRE.COM       SHIRE        6  2  3  1  0  0  0
sample json/otrf_nxlog_getsession_netsessenum.jsonl.gz   THESHIRE.LOCAL  THESHIRE     6  0  5  1  1  0  0
sample json/otrf_nxlog_dllinjection.jsonl.gz             MORDOR.LOCAL    MORDOR      12  0  2 10  0  0  0

# spellings: in host_ticket_no_dollar the 4768 says OFFSEC, the 4769 OFFSEC.LAN
F=$EV_DATA/evtx/mdec_4768_4769_host_ticket_no_dollar.evtx
expect_check "NetBIOS name alone matches only the NetBIOS spelling" OK "^AD TICKET EVENTS OK - 1 cross-trust" -- "$P" --evtx "$F" --realm offsec "${WIDE[@]}"
expect_perf tgt_4768 1
expect_perf st_4769 0
expect_check "FQDN alone matches only the FQDN spelling" OK "^AD TICKET EVENTS OK - 1 cross-trust" -- "$P" --evtx "$F" --realm Offsec.Lan "${WIDE[@]}"
expect_perf tgt_4768 0
expect_perf st_4769 1
expect_check "golden ticket: lower- and upper-case spellings both match OFFSEC.LAN." CRITICAL "10 cross-trust" -- "$P" --evtx "$EV_DATA/evtx/mdec_4769_golden_ticket.evtx" --realm OFFSEC.LAN. "${WIDE[@]}"
expect_check "Winlogbeat 6: 'shire' (NetBIOS, lower-case) and SHIRE.COM" OK "6 cross-trust" -- "$P" --jsonl "$WLB6" --realm Shire.com --realm SHIRE "${WIDE[@]}"
expect_check "Winlogbeat 6: only SHIRE.COM: the NetBIOS-only 4768 (pgustavo, shire) is not matched" OK "5 cross-trust" -- "$P" --jsonl "$WLB6" --realm SHIRE.COM "${WIDE[@]}"
expect_perf tgt_4768 1

# --- long output on a real sample ----------------------------------------------
expect_check "TGS enumeration: CRITICAL on 5 forwarded, named first" CRITICAL \
	"^AD TICKET EVENTS CRITICAL - 5 forwarded cross-trust tickets \(delegated TGTs crossing a trust\); 24 cross-trust ticket events \(0 TGT, 24 service, 0 renewed; 0 failed\), 5 forwarded, in the 2000w up to 2030-01-01T00:00:00Z \(24 Kerberos events scanned\) \|" \
	-- "$P" --evtx "$EV_DATA/evtx/mdec_4769_tgs_host_enumeration.evtx" --realm OFFSEC.LAN "${WIDE[@]}"
expect_output "forwarded perfdata carries the default critical 0" " forwarded=5;;0;0; "
expect_output "cross_trust has no default threshold" " cross_trust=24;;;0; "
expect_output "top tuples header" "^Top cross-trust \(realm, account, service\) tuples:$"
expect_output "busiest tuple first" "^5 events: realm OFFSEC.LAN, account admmig@OFFSEC.LAN, service krbtgt$"
n=$(printf '%s\n' "$OUT" | grep -c '^[0-9]* events\{0,1\}: realm ')
if [ "$n" = 10 ]; then ok "top list has 10 tuples"; else not_ok "top list has 10 tuples" "got $n"; fi
expect_output "the rest counted" "^\(7 more tuples\)$"
expect_output "newest forwarded first, in full" "^Newest forwarded cross-trust tickets:$"
expect_output "record 21 in full" "^2020-07-09T20:41:05Z 4769 service ticket: account admmig@OFFSEC.LAN \(TargetDomainName OFFSEC.LAN, trusted realm OFFSEC.LAN\), service krbtgt, options 0x60810010 \(forwardable, forwarded, renewable, canonicalize, renewable-ok\), status 0x0, from ::ffff:10.23.23.9, DC rootdc1.offsec.lan, record 21 in .*mdec_4769_tgs_host_enumeration.evtx$"
n=$(printf '%s\n' "$OUT" | grep -c '^2020-07-09T20:41:0[45]Z 4769 service ticket: .*forwarded')
if [ "$n" = 5 ]; then ok "all 5 forwarded shown"; else not_ok "all 5 forwarded shown" "got $n"; fi
expect_no_output "no per-input line without -v" "\(EVTX\): "
expect_check "-v: per-input summary and realms" CRITICAL "24 cross-trust" -- "$P" --evtx "$EV_DATA/evtx/mdec_4769_tgs_host_enumeration.evtx" --realm OFFSEC.LAN --local-domain CORP.EXAMPLE "${WIDE[@]}" -v
expect_output "per-input line" "^.*mdec_4769_tgs_host_enumeration.evtx \(EVTX\): 24 records read \(all records\), 24 ticket events in the window, 24 cross-trust, 0 before the window, 0 after --now$"
expect_output "realms listed" "^Trusted realms: OFFSEC.LAN$"
expect_output "local names listed" "^Local domain names \(never matched\): CORP.EXAMPLE$"

# --- EVTX-derived window edges (real record times) --------------------------------
# forwarded krbtgt tickets: records 16, 18, 19, 20 at 20:41:04Z, record 21 at 20:41:05Z
F=$EV_DATA/evtx/mdec_4769_tgs_host_enumeration.evtx
edge() { # edge DESC NOW SINCE FORWARDED
	local state=OK; [ "$4" -gt 0 ] && state=CRITICAL
	expect_check "EVTX window: $1" "$state" "^AD TICKET EVENTS $state" -- "$P" --evtx "$F" --realm OFFSEC.LAN --now "$2" --since "$3"
	expect_perf forwarded "$4"
}
edge "now = record 21's time: counted" 2020-07-09T20:41:05Z 1h 5
edge "now one second earlier: record 21 is after now" 2020-07-09T20:41:04Z 1h 4
edge "start = 20:41:04 exactly (now 20:41:05, 1s): all 5" 2020-07-09T20:41:05Z 1s 5
edge "start = 20:41:05 (now 20:41:06, 1s): only record 21" 2020-07-09T20:41:06Z 1s 1
edge "start one second after 20:41:05: none" 2020-07-09T20:41:07Z 1s 0
edge "a window that ends before: none" 2020-07-09T20:41:03Z 1d 0
expect_output "ends before: everything after --now, nothing scanned" " scanned=0;"

# --- cross-trust events built from real Winlogbeat 6 lines ----------------------
# window [03:04:02, 04:04:02] (--now 2020-07-22T04:04:02Z --since 1h)
W=(--now 2020-07-22T04:04:02Z --since 1h)
L4769=$(wlb6_line 2)   # 4769 HFDC01$@SHIRE.COM, options 0x40810000, status 0x0
L4768=$(wlb6_line 5)   # 4768 pgustavo / shire
L4770=$(wlb6_line 1)   # 4770 Administrator@SHIRE.COM, no status
x() { printf '%s\n' "$1" | ev_json "${@:2}"; }
ed=event_data
{
	# 1: exactly at the window start, forwarded: counted
	x "$L4769" @timestamp=2020-07-22T03:04:02Z $ed.TargetDomainName=PARTNER.EXAMPLE $ed.TargetUserName=alice@PARTNER.EXAMPLE $ed.TicketOptions=0x60810010 $ed.ServiceName=krbtgt
	# 2: one second before the start (fraction dropped): not counted
	x "$L4769" @timestamp=2020-07-22T03:04:01.999Z $ed.TargetDomainName=PARTNER.EXAMPLE $ed.TargetUserName=alice@PARTNER.EXAMPLE $ed.TicketOptions=0x60810010
	# 3: exactly at --now, lower-case: counted
	x "$L4769" @timestamp=2020-07-22T04:04:02.000Z $ed.TargetDomainName=partner.example $ed.TargetUserName=bob@partner.example
	# 4: one second after --now: not counted
	x "$L4769" @timestamp=2020-07-22T04:04:03Z $ed.TargetDomainName=PARTNER.EXAMPLE $ed.TicketOptions=0x60810010
	# 5: NetBIOS spelling in a 4768, failed (Status 0x12), forwarded, offset zone
	x "$L4768" @timestamp=2020-07-22T05:30:00+02:00 $ed.TargetDomainName=PARTNER $ed.TargetUserName=carol $ed.Status=0x12 $ed.TicketOptions=0x60810010
	# 6: empty TargetDomainName, realm only in TargetUserName: counted
	x "$L4770" @timestamp=2020-07-22T03:30:00Z $ed.TargetDomainName= $ed.TargetUserName=dave@Partner.Example
	# 7: the local domain: scanned, not cross-trust
	x "$L4769" @timestamp=2020-07-22T03:30:00Z
	# 8: another, untrusted realm: scanned only
	x "$L4769" @timestamp=2020-07-22T03:31:00Z $ed.TargetDomainName=STRANGER.EXAMPLE $ed.TargetUserName=eve@STRANGER.EXAMPLE $ed.TicketOptions=0x60810010
	# 9: a trusted name as a prefix of another name does not match
	x "$L4769" @timestamp=2020-07-22T03:32:00Z $ed.TargetDomainName=PARTNER.EXAMPLE.EVIL $ed.TargetUserName=mallory@PARTNER.EXAMPLE.EVIL
} >"$T/cross.jsonl"
R=(--realm PARTNER.EXAMPLE --realm PARTNER --local-domain SHIRE.COM --local-domain SHIRE)
expect_check "built cross-trust lines: CRITICAL on 2 forwarded" CRITICAL \
	"^AD TICKET EVENTS CRITICAL - 2 forwarded cross-trust tickets .*; 4 cross-trust ticket events \(1 TGT, 2 service, 1 renewed; 1 failed\), 2 forwarded, in the 1h up to 2020-07-22T04:04:02Z \(7 Kerberos events scanned\)" \
	-- "$P" --jsonl "$T/cross.jsonl" "${R[@]}" "${W[@]}"
for kv in cross_trust=4 tgt_4768=1 st_4769=2 renew_4770=1 forwarded=2 failed=1 scanned=7 malformed=0 unreadable=0; do expect_perf "${kv%=*}" "${kv#*=}"; done
expect_output "forwarded at the window start shown" "^2020-07-22T03:04:02Z 4769 service ticket: account alice@PARTNER.EXAMPLE \(TargetDomainName PARTNER.EXAMPLE, trusted realm PARTNER.EXAMPLE\), service krbtgt, options 0x60810010 .*Winlogbeat 6 .*at byte 0 in .*cross.jsonl$"
expect_output "newest forwarded first: the 4768 at 03:30 (05:30+02:00)" "^Newest forwarded cross-trust tickets:$"
first=$(printf '%s\n' "$OUT" | grep -A1 '^Newest forwarded' | tail -n 1)
case $first in "2020-07-22T03:30:00Z 4768 TGT"*"account carol (TargetDomainName PARTNER, trusted realm PARTNER)"*"status 0x12"*) ok "newest first, NetBIOS realm and failure status in full";;
	*) not_ok "newest first, NetBIOS realm and failure status in full" "$first";; esac
expect_output "realm from TargetUserName counted in the tuples" "^1 event: realm PARTNER.EXAMPLE, account dave@Partner.Example, service krbtgt$"
expect_check "-v: 1 before the window, 1 after --now" CRITICAL "" -- "$P" --jsonl "$T/cross.jsonl" "${R[@]}" "${W[@]}" -v
expect_output "per-input counts" "cross.jsonl \(JSON lines\): 9 lines read \(bytes 0 to [0-9]+\), 7 ticket events in the window, 4 cross-trust, 1 before the window, 1 after --now$"
expect_check "--since 1h1s takes the line one second before" CRITICAL "5 cross-trust" -- "$P" --jsonl "$T/cross.jsonl" "${R[@]}" --now 2020-07-22T04:04:02Z --since 1h1s
expect_check "--now one second later takes line 4 and drops line 1" CRITICAL "4 cross-trust" -- "$P" --jsonl "$T/cross.jsonl" "${R[@]}" --now 2020-07-22T04:04:03Z --since 1h
expect_perf forwarded 2
expect_check "--now in another zone means the same instant" CRITICAL "4 cross-trust" -- "$P" --jsonl "$T/cross.jsonl" "${R[@]}" --now 2020-07-22T06:04:02+02:00 --since 60m
expect_check "--now @unix seconds" CRITICAL "4 cross-trust" -- "$P" --jsonl "$T/cross.jsonl" "${R[@]}" --now @1595390642 --since 3600
expect_check "only the NetBIOS name as realm: the 4768" CRITICAL "1 cross-trust" -- "$P" --jsonl "$T/cross.jsonl" --realm partner "${W[@]}"
expect_check "partner names as local domains: nothing" OK "no cross-trust" -- "$P" --jsonl "$T/cross.jsonl" "${R[@]}" --local-domain partner.example. --local-domain Partner "${W[@]}"
expect_check "default window (15m before the current time) misses 2020" OK "no cross-trust ticket events in the 15m up to" -- "$P" --jsonl "$T/cross.jsonl" "${R[@]}"
expect_perf scanned 0

# --- Winlogbeat 7 / ECS and NXLog shapes, built from real lines ------------------
{
	x "$L4769" @timestamp=2020-07-22T04:00:00Z $ed.TargetDomainName=PARTNER.EXAMPLE $ed.TargetUserName=alice@PARTNER.EXAMPLE $ed.TicketOptions=0x60810010 @wlb7
	x "$L4769" @timestamp=2020-07-22T04:00:01Z $ed.TargetDomainName=PARTNER @wlb7 winlog.event_id:=4769
	x "$L4768" @timestamp=2020-07-22T04:00:02Z $ed.TargetDomainName=partner.example @wlb7 -winlog.event_id
	x "$L4769" @timestamp=2020-07-22T02:00:00Z $ed.TargetDomainName=PARTNER.EXAMPLE @wlb7
} >"$T/wlb7.jsonl"
expect_check "Winlogbeat 7: string id, number id, ECS event.code" CRITICAL "3 cross-trust ticket events \(1 TGT, 2 service" -- "$P" --jsonl "$T/wlb7.jsonl" "${R[@]}" "${W[@]}"
expect_perf forwarded 1
expect_output "named as Winlogbeat 7" "Winlogbeat 7.* at byte 0 in"
N4770=$(nxlog_line 4770)   # EventTime 2020-09-22 03:45:16, @timestamp 07:45:17.882Z
N4769=$(nxlog_line 4769)   # EventTime 2020-09-22 03:45:18, @timestamp 07:45:20.284Z
{
	x "$N4770" -@timestamp TargetDomainName=PARTNER.EXAMPLE TargetUserName=WS9\$@PARTNER.EXAMPLE
	x "$N4769" -@timestamp TargetDomainName=PARTNER TicketOptions=0x60810010
	x "$N4769" TargetDomainName=PARTNER.EXAMPLE
} >"$T/nxlog.jsonl"
NX=(--now 2020-09-22T07:45:18Z --since 2s)
expect_check "NXLog: EventTime read as --event-tz -04:00 (07:45:16Z, 07:45:18Z), @timestamp after now" CRITICAL "2 cross-trust ticket events \(0 TGT, 1 service, 1 renewed" -- "$P" --jsonl "$T/nxlog.jsonl" "${R[@]}" "${NX[@]}" --event-tz -04:00
expect_perf scanned 2
expect_output "NXLog named" "NXLog JSON at byte [0-9]+ in"
expect_check "NXLog: EventTime as UTC by default: before the window" OK "no cross-trust" -- "$P" --jsonl "$T/nxlog.jsonl" "${R[@]}" "${NX[@]}"
expect_check "NXLog: --event-tz -0400 spelling" CRITICAL "2 cross-trust" -- "$P" --jsonl "$T/nxlog.jsonl" "${R[@]}" "${NX[@]}" --event-tz -0400
# nxlog.jsonl 2 (1 forwarded), wlb7.jsonl 4 (1), golden ticket sample 10 (1)
expect_check "several inputs add up (EVTX + JSON lines)" CRITICAL "^AD TICKET EVENTS CRITICAL - 3 forwarded .*; 16 cross-trust" \
	-- "$P" --jsonl "$T/nxlog.jsonl" --jsonl "$T/wlb7.jsonl" --evtx "$EV_DATA/evtx/mdec_4769_golden_ticket.evtx" "${R[@]}" --realm OFFSEC.LAN --now 2020-09-22T07:45:18Z --since 1000d --event-tz -04:00
expect_perf forwarded 3

# --- the same file given twice: read once ----------------------------------------------
# cross.jsonl: 4 cross-trust (2 forwarded); its other names must not add to it
ln -sf cross.jsonl "$T/cross-link.jsonl"
ln -f "$T/cross.jsonl" "$T/cross-hard.jsonl"
expect_check "the same file under four names (./, a symlink, a hard link): counted once" CRITICAL \
	"^AD TICKET EVENTS CRITICAL - 2 forwarded cross-trust tickets .*; 4 cross-trust ticket events" \
	-- "$P" --jsonl "$T/cross.jsonl" --jsonl "$T/./cross.jsonl" --jsonl "$T/cross-link.jsonl" --jsonl "$T/cross-hard.jsonl" "${R[@]}" "${W[@]}"
for kv in cross_trust=4 forwarded=2 scanned=7; do expect_perf "${kv%=*}" "${kv#*=}"; done
expect_no_output "without -v: not mentioned" "same file|more than once"
expect_check "the same path twice: counted once" CRITICAL "4 cross-trust" -- "$P" --jsonl "$T/cross.jsonl" --jsonl "$T/cross.jsonl" "${R[@]}" "${W[@]}" -v
expect_perf scanned 7
expect_output "-v: said" "^--jsonl $T/cross.jsonl is given more than once: read once$"
n=$(printf '%s\n' "$OUT" | grep -c '(JSON lines): ')
if [ "$n" = 1 ]; then ok "-v: one input line"; else not_ok "-v: one input line" "$OUT"; fi
expect_check "-v names the other spellings" CRITICAL "4 cross-trust" -- "$P" --jsonl "$T/cross.jsonl" --jsonl "$T/./cross.jsonl" --jsonl "$T/cross-link.jsonl" "${R[@]}" "${W[@]}" -v
expect_output "./ said" "^--jsonl $T/./cross.jsonl is the same file as $T/cross.jsonl: read once$"
expect_output "symlink said" "^--jsonl $T/cross-link.jsonl is the same file as $T/cross.jsonl: read once$"
G=$EV_DATA/evtx/mdec_4769_golden_ticket.evtx
ln -sf "$G" "$T/golden-link.evtx"
expect_check "EVTX under two names: counted once" CRITICAL "^AD TICKET EVENTS CRITICAL - 1 forwarded .*; 10 cross-trust" -- "$P" --evtx "$G" --evtx "$T/golden-link.evtx" --realm OFFSEC.LAN "${WIDE[@]}"
expect_perf forwarded 1
expect_check "standard input and /dev/stdin: counted once" CRITICAL "4 cross-trust" -- sh -c "\"\$0\" --jsonl - --jsonl /dev/stdin \"\$@\" <\"$T/cross.jsonl\"" "$P" "${R[@]}" "${W[@]}"
expect_perf scanned 7

# --- standard input, gzip -----------------------------------------------------------
expect_check "--jsonl - (plain)" CRITICAL "4 cross-trust" -- sh -c "\"\$0\" --jsonl - \"\$@\" <\"$T/cross.jsonl\"" "$P" "${R[@]}" "${W[@]}"
gzip -c "$T/cross.jsonl" >"$T/cross.jsonl.gz"
expect_check "--jsonl - (gzip)" CRITICAL "4 cross-trust" -- sh -c "\"\$0\" --jsonl - \"\$@\" <\"$T/cross.jsonl.gz\"" "$P" "${R[@]}" "${W[@]}"
cp "$T/cross.jsonl.gz" "$T/cross-gz-without-suffix"
expect_check ".gz recognised by content, not name" CRITICAL "4 cross-trust" -- "$P" --jsonl "$T/cross-gz-without-suffix" "${R[@]}" "${W[@]}"

# --- thresholds ------------------------------------------------------------------------
expect_check "-w 3 -c 5 on 4 cross-trust, forwarded switched off: WARNING" WARNING "^AD TICKET EVENTS WARNING - 4 cross-trust" -- "$P" --jsonl "$T/cross.jsonl" "${R[@]}" "${W[@]}" -w 3 -c 5 --critical-forwarded '~:'
expect_output "thresholds in perfdata" " cross_trust=4;3;5;0; "
expect_output "forwarded threshold printed as given" " forwarded=2;;~:;0; "
expect_check "-c 3: CRITICAL" CRITICAL "^AD TICKET EVENTS CRITICAL - 4 cross-trust" -- "$P" --jsonl "$T/cross.jsonl" "${R[@]}" "${W[@]}" -c 3 --critical-forwarded 10
expect_check "--warning-forwarded 1 --critical-forwarded 2 with 2: WARNING" WARNING "^AD TICKET EVENTS WARNING - 2 forwarded cross-trust tickets" -- "$P" --jsonl "$T/cross.jsonl" "${R[@]}" "${W[@]}" --warning-forwarded 1 --critical-forwarded 2
expect_output "both forwarded thresholds in perfdata" " forwarded=2;1;2;0; "
expect_check "-c 4: ends inclusive, OK" OK "^AD TICKET EVENTS OK - 4 cross-trust" -- "$P" --jsonl "$T/cross.jsonl" "${R[@]}" "${W[@]}" -c 4 --critical-forwarded 2

# --- bad input: counted and named, UNKNOWN only when unreadable at all -------------
: >"$T/empty.jsonl"
expect_check "empty JSON lines file: OK, nothing" OK "no cross-trust ticket events .*\(0 Kerberos events scanned\)" -- "$P" --jsonl "$T/empty.jsonl" --realm X "${WIDE[@]}"
expect_perf malformed 0
expect_check "empty file as EVTX: UNKNOWN with the path" UNKNOWN "^AD TICKET EVENTS UNKNOWN - cannot read .*/empty.jsonl: not an EVTX file" -- "$P" --evtx "$T/empty.jsonl" --realm X "${WIDE[@]}"
expect_check "missing JSON file: UNKNOWN with the path" UNKNOWN "^AD TICKET EVENTS UNKNOWN - cannot read $T/nope.jsonl: No such file or directory" -- "$P" --jsonl "$T/nope.jsonl" --realm X "${WIDE[@]}"
expect_check "missing EVTX file: UNKNOWN with the path" UNKNOWN "^AD TICKET EVENTS UNKNOWN - cannot read $T/nope.evtx: No such file or directory" -- "$P" --evtx "$T/nope.evtx" --realm X "${WIDE[@]}"
expect_check "a directory: UNKNOWN" UNKNOWN "cannot read $T: .*directory" -- "$P" --jsonl "$T" --realm X "${WIDE[@]}"
expect_check "missing file next to a good one: UNKNOWN, the good one still counted" UNKNOWN \
	"^AD TICKET EVENTS UNKNOWN - cannot read $T/nope.jsonl: No such file or directory; 4 cross-trust" -- "$P" --jsonl "$T/nope.jsonl" --jsonl "$T/cross.jsonl" "${R[@]}" "${W[@]}" --critical-forwarded 9
expect_output "named in the long output" "^Cannot read $T/nope.jsonl: No such file or directory$"
expect_perf cross_trust 4
expect_check "... but a forwarded ticket found is still CRITICAL" CRITICAL "^AD TICKET EVENTS CRITICAL - cannot read $T/nope.jsonl" -- "$P" --jsonl "$T/nope.jsonl" --jsonl "$T/cross.jsonl" "${R[@]}" "${W[@]}"

# binary garbage: an EVTX file read as JSON lines
expect_check "binary garbage as JSON lines: OK, lines counted malformed" OK "no cross-trust" -- "$P" --jsonl "$EV_DATA/evtx/mdec_4768_asrep_roasting.evtx" --realm OFFSEC.LAN "${WIDE[@]}"
m=$(perf_value malformed)
if [ "${m:-0}" -gt 0 ]; then ok "garbage: $m malformed lines"; else not_ok "garbage: malformed lines counted" "$LINE1"; fi
expect_output "garbage: input named" "^Input .*mdec_4768_asrep_roasting.evtx: 0 unreadable, $m malformed$"

# truncated gzip: what came before the damage is counted
head -c 300000 "$EV_DATA/json/otrf_nxlog_getsession_netsessenum.jsonl.gz" >"$T/cut.jsonl.gz"
before=$(gzip -dc "$T/cut.jsonl.gz" 2>/dev/null | grep -E '"EventID":(4768|4769|4770),' | grep -c '"TargetDomainName":"THESHIRE.LOCAL"')
expect_check "truncated .gz: not UNKNOWN" OK "" -- "$P" --jsonl "$T/cut.jsonl.gz" --realm THESHIRE.LOCAL "${WIDE[@]}" --critical-forwarded 9
expect_perf cross_trust "$before"
expect_output "truncated .gz: damage named with the file" "^Damaged input $T/cut.jsonl.gz: gzip data truncated \(unexpected end of file\); 0 unreadable, 1 malformed$"
# 1 MiB line and invalid UTF-8 among good lines
{
	x "$L4769" @timestamp=2020-07-22T04:00:00Z $ed.TargetDomainName=PARTNER.EXAMPLE
	perl -e 'print "{\"event_id\":4769,\"x\":\"", "A" x (1024 * 1024), "\"}\n"'
	x "$L4769" @timestamp=2020-07-22T04:00:01Z $ed.TargetDomainName=PARTNER.EXAMPLE $ed.TargetUserName=UTF8MARK | sed 's/UTF8MARK/bad\xff\xfe|x@PARTNER.EXAMPLE/'
	printf '{"event_id":4769,"broken":\n'
	x "$L4769" @timestamp=2020-07-22T04:00:02Z $ed.TargetDomainName=PARTNER.EXAMPLE $ed.TargetUserName=zoë@PARTNER.EXAMPLE
} >"$T/bad.jsonl"
expect_check "1 MiB line, invalid UTF-8, a cut object: the good lines counted" OK "3 cross-trust" -- "$P" --jsonl "$T/bad.jsonl" "${R[@]}" "${W[@]}"
expect_perf malformed 2
expect_output "malformed named with the file" "^Input $T/bad.jsonl: 0 unreadable, 2 malformed$"
expect_output "invalid UTF-8 and '|' escaped as \\XX" "account bad\\\\FF\\\\FE\\\\7Cx@PARTNER.EXAMPLE, service"
expect_output "valid UTF-8 kept" "account zoë@PARTNER.EXAMPLE"
# control characters in fields: \XX escapes as in the other checks' output
# (ad-delegation-plugins(7)), one line per event, never a '?'
{
	x "$L4769" @timestamp=2020-07-22T04:00:00Z $ed.TargetDomainName=PARTNER.EXAMPLE "$ed.TargetUserName=bell"$'\a'"user@PARTNER.EXAMPLE" $ed.TicketOptions=0x60810010
	x "$L4769" @timestamp=2020-07-22T04:00:01Z $ed.TargetDomainName=PARTNER.EXAMPLE "$ed.TargetUserName=two"$'\n'"lines"$'\r'"@PARTNER.EXAMPLE" "$ed.ServiceName=svc"$'\t'"x"$'\x7f'
	x "$L4769" @timestamp=2020-07-22T04:00:02Z $ed.TargetDomainName=PARTNER.EXAMPLE "$ed.TargetUserName=c1"$'\xc2\x85'"ctl@PARTNER.EXAMPLE"
} >"$T/ctl.jsonl"
grep -q 'bell\\u0007user' "$T/ctl.jsonl" && ok "control characters in the JSON as \\u escapes" || not_ok "control characters in the JSON as \\u escapes" "$(head -c 600 "$T/ctl.jsonl")"
expect_check "control characters in names: counted" CRITICAL "^AD TICKET EVENTS CRITICAL - 1 forwarded cross-trust ticket .*; 3 cross-trust" -- "$P" --jsonl "$T/ctl.jsonl" "${R[@]}" "${W[@]}"
expect_output "BEL escaped as \\07 in the tuples" "^1 event: realm PARTNER.EXAMPLE, account bell\\\\07user@PARTNER.EXAMPLE, service HFDC01[$]$"
expect_output "BEL escaped as \\07 in the forwarded event" "^2020-07-22T04:00:00Z 4769 service ticket: account bell\\\\07user@PARTNER.EXAMPLE \(TargetDomainName PARTNER.EXAMPLE, trusted realm PARTNER.EXAMPLE\), service HFDC01[$], options 0x60810010 "
expect_output "newline, CR, tab and DEL escaped" "^1 event: realm PARTNER.EXAMPLE, account two\\\\0Alines\\\\0D@PARTNER.EXAMPLE, service svc\\\\09x\\\\7F$"
expect_output "C1 control character (U+0085) escaped byte by byte" "^1 event: realm PARTNER.EXAMPLE, account c1\\\\C2\\\\85ctl@PARTNER.EXAMPLE, service HFDC01[$]$"
expect_no_output "no '?' for them" "account (bell|two|c1)[?]"
n=$(printf '%s\n' "$OUT" | grep -c '^1 event: ')
if [ "$n" = 3 ]; then ok "each event on one line"; else not_ok "each event on one line" "$OUT"; fi
OUT=$("$P" --jsonl "$T/ctl.jsonl" "${R[@]}" "${W[@]}" --format json 2>&1)
if printf '%s' "$OUT" | perl -MJSON::PP -e 'my $o = decode_json(join "", <STDIN>); exit !(grep { index($_, "account bell\\07user\@PARTNER.EXAMPLE") >= 0 } @{$o->{long_output}})'; then
	ok "--format json: bell\\07user in the long output"; else not_ok "--format json: bell\\07user in the long output" "$OUT"; fi
# EVTX with damage
expect_check "EVTX with a bad chunk header: damage named, not UNKNOWN" OK "no cross-trust" -- "$P" --evtx "$EV_DATA/evtx/omer_bad_chunk_magic.evtx" --realm X "${WIDE[@]}"
expect_output "bad chunk: named" "^Damaged input .*omer_bad_chunk_magic.evtx: file is flagged corrupted: damaged chunks were skipped; 0 unreadable, 0 malformed$"
expect_check "EVTX whose records libevtx cannot parse: counted" OK "no cross-trust" -- "$P" --evtx "$EV_DATA/evtx/mdec_unparseable_records.evtx" --realm X "${WIDE[@]}"
expect_perf unreadable 55
expect_output "unparseable: reason named" "^Damaged input .*mdec_unparseable_records.evtx: record index 0: .*unsupported type: 0x05; 55 unreadable, 0 malformed$"
# a record damaged inside a real file: the other 9 are counted
G=$EV_DATA/evtx/mdec_4769_golden_ticket.evtx
cp "$G" "$T/bad_record.evtx"; chmod u+w "$T/bad_record.evtx"
# 200 zero bytes inside record 9's binary XML (record 9 starts at byte 10592)
dd if=/dev/zero of="$T/bad_record.evtx" bs=1 seek=$((10592 + 60)) count=200 conv=notrunc 2>/dev/null
expect_check "EVTX with a damaged record: 9 of 10 counted" CRITICAL "9 cross-trust" -- "$P" --evtx "$T/bad_record.evtx" --realm OFFSEC.LAN "${WIDE[@]}"
expect_perf unreadable 1
expect_output "damaged record named" "^Damaged input $T/bad_record.evtx: record index 8: .*; 1 unreadable, 0 malformed$"
head -c 12288 "$G" >"$T/cut.evtx"
expect_check "EVTX cut inside its first chunk: damage named, not UNKNOWN" OK "no cross-trust" -- "$P" --evtx "$T/cut.evtx" --realm OFFSEC.LAN "${WIDE[@]}"
expect_output "cut EVTX named" "^Damaged input $T/cut.evtx: "

# --- usage errors: one line, the usage, UNKNOWN ------------------------------------
usage() { # usage DESC ERE args...
	local d=$1 e=$2; shift 2
	expect_check "usage: $d" UNKNOWN "^AD TICKET EVENTS UNKNOWN - $e" -- "$P" "$@"
	local n; n=$(printf '%s\n' "$OUT" | wc -l)
	if [ "$n" = 2 ] && printf '%s\n' "$OUT" | sed -n 2p | grep -q '^Usage: check_ad_ticket_events '; then ok "usage: $d: two lines, the second the usage"
	else not_ok "usage: $d: two lines, the second the usage" "$OUT"; fi
}
usage "no input" "no input given \(--evtx FILE or --jsonl FILE\)$" --realm X
usage "no realm" "no trusted realm given \(--realm NAME or --realms-from-ldap\)$" --jsonl "$WLB6"
usage "--realms-from-ldap without -H" "--realms-from-ldap needs a directory server" --jsonl "$WLB6" --realms-from-ldap
usage "bad duration unit" "--since 15x: " --jsonl "$WLB6" --realm X --since 15x
usage "zero window" "--since 0: the window must be longer than 0 seconds$" --jsonl "$WLB6" --realm X --since 0
usage "negative duration" "--since -5m: " --jsonl "$WLB6" --realm X --since -5m
usage "bad --now" "--now yesterday: " --jsonl "$WLB6" --realm X --now yesterday
usage "bad --now date" "--now 2020-02-30T00:00:00Z: " --jsonl "$WLB6" --realm X --now 2020-02-30T00:00:00Z
usage "bad --event-tz" "--event-tz Mars: " --jsonl "$WLB6" --realm X --event-tz Mars
usage "one file as --evtx and as --jsonl" "--jsonl .*/./otrf_winlogbeat6_kerberos.jsonl: the same file as --evtx .*/otrf_winlogbeat6_kerberos.jsonl: a file is read either as EVTX or as JSON lines$" --evtx "$WLB6" --jsonl "$(dirname "$WLB6")/./$(basename "$WLB6")" --realm X
usage "EVTX from stdin" "--evtx -: standard input is read as JSON lines only" --evtx - --realm X
usage "empty realm" "--realm : empty domain name" --jsonl "$WLB6" --realm ""
usage "unknown option" "unknown option --frobnicate" --jsonl "$WLB6" --realm X --frobnicate
OUT=$("$P" --realm X --format json); RC=$?
if [ "$RC" = 3 ] && printf '%s' "$OUT" | perl -MJSON::PP -e 'my $o = decode_json(join "", <STDIN>); exit !($o->{state} == 3 && $o->{summary} =~ /^no input given/)'; then
	ok "usage error with --format json: one JSON object"; else not_ok "usage error with --format json: one JSON object" "$RC $OUT"; fi
expect_check "bad -w range: UNKNOWN" UNKNOWN "^AD TICKET EVENTS UNKNOWN - invalid cross_trust warning threshold '5:1': start is greater than end$" -- "$P" --jsonl "$WLB6" --realm X -w 5:1
expect_check "bad forwarded range: UNKNOWN" UNKNOWN "^AD TICKET EVENTS UNKNOWN - invalid forwarded critical threshold 'x'" -- "$P" --jsonl "$WLB6" --realm X --critical-forwarded x
OUT=$("$P" --help); RC=$?
if [ "$RC" = 3 ] && printf '%s\n' "$OUT" | grep -q -- '--realms-from-ldap' && ! printf '%s\n' "$OUT" | grep -q '|'; then ok "--help: exit 3, options listed, no '|'"
else not_ok "--help: exit 3, options listed, no '|'" "exit $RC"; fi
OUT=$("$P" -V); RC=$?
case "$RC:$OUT" in "3:check_ad_ticket_events "*) ok "-V: version, exit 3";; *) not_ok "-V" "$RC $OUT";; esac

# --- config file, lists included ------------------------------------------------------
cat >"$T/ev.conf" <<CONF
check_ad_ticket_events = {
  jsonl = [ "$T/cross.jsonl" ];
  evtx = "$EV_DATA/evtx/mdec_4769_golden_ticket.evtx";
  realm = [ "PARTNER.EXAMPLE", "PARTNER", "OFFSEC.LAN" ];
  local_domain = ( "SHIRE.COM", "SHIRE" );
  since = "1000d";
  now = "2020-08-03T00:00:00Z";
  critical_forwarded = "10";
};
CONF
# cross.jsonl: all 9 lines in the window, 6 of them cross-trust (4 forwarded);
# the golden ticket sample: 10 (1 forwarded)
expect_check "config: lists and scalars" OK "^AD TICKET EVENTS OK - 16 cross-trust" -- "$P" --config "$T/ev.conf"
expect_perf forwarded 5
expect_check "config plus command line: the command line's threshold wins" CRITICAL "16 cross-trust" -- "$P" --config "$T/ev.conf" --critical-forwarded 2
expect_check "config plus command line naming a config input again: counted once" OK "16 cross-trust" -- "$P" --config "$T/ev.conf" --jsonl "$T/./cross.jsonl"
expect_perf forwarded 5
printf 'check_ad_ticket_events = { jsonl = [ 5 ]; realm = "X"; };\n' >"$T/bad.conf"
expect_check "config: a list element that is not a string" UNKNOWN "^AD TICKET EVENTS UNKNOWN - .*bad.conf: config setting jsonl, element 1: not a string" -- "$P" --config "$T/bad.conf"

# --- speed and memory: stay flat ---------------------------------------------------------
for i in 1 2 3 4 5 6 7 8 9 10; do cat "$EV_DATA/json/otrf_nxlog_dllinjection.jsonl.gz"; done >"$T/big.jsonl.gz"
expect_check "10 concatenated gzip copies (122000 lines, 270 MB)" OK "120 cross-trust ticket events \(0 TGT, 20 service, 100 renewed" -- "$P" --jsonl "$T/big.jsonl.gz" --realm MORDOR.LOCAL "${WIDE[@]}" -t 60
rm -f "$T/big.jsonl.gz"

# --- valgrind on the plain build ---------------------------------------------------------
run_valgrind "built cross-trust lines, EVTX, damaged gzip" CRITICAL "6 cross-trust" -- --jsonl "$T/wlb7.jsonl" --evtx "$EV_DATA/evtx/mdec_4768_4769_host_ticket_no_dollar.evtx" --jsonl "$T/cut.jsonl.gz" "${R[@]}" --realm OFFSEC --realm OFFSEC.LAN "${WIDE[@]}" -v
run_valgrind "damaged inputs and a missing file" UNKNOWN "cannot read" -- --jsonl "$T/bad.jsonl" --evtx "$T/bad_record.evtx" --evtx "$EV_DATA/evtx/mdec_unparseable_records.evtx" --jsonl "$T/nope.jsonl" "${R[@]}" "${W[@]}"
run_valgrind "usage error" UNKNOWN "no input given" -- --realm X

tap_done
