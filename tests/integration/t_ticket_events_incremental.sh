#!/bin/bash
# check_ad_ticket_events --state-file: every event counted once across runs
# (appended lines, a half-written last line, rotation, truncation, rewrite,
# gzip, EVTX record numbers, events newer than --now, two runs at once, the
# time limit, EVTX records that cannot be read, an EVTX saved record
# overwritten), a corrupt state file, and a state file that cannot be used.
source "$TOP_SRCDIR/tests/lib/tap.sh"
source "$TOP_SRCDIR/tests/integration/ticket_events_lib.sh"
T=$TEST_TMP
WIDE=(--now 2030-01-01T00:00:00Z --since 2000w)
R=(--realm PARTNER.EXAMPLE --realm PARTNER --local-domain SHIRE.COM)

# cross-trust 4769 lines from a real Winlogbeat 6 line, one account each
TEMPLATE=$(wlb6_line 2 | ev_json @timestamp=2020-07-22T03:00:00Z \
	event_data.TargetDomainName=PARTNER.EXAMPLE event_data.TargetUserName=userNUM@PARTNER.EXAMPLE)
line() { printf '%s\n' "${TEMPLATE//userNUM/user$1}"; }
lines() { local i; for ((i = $1; i <= $2; i++)); do line "$i"; done; }

# run DESC STATE CROSS_TRUST ERE args...: one incremental run on $ST
ST=$T/ev.state
run() {
	local d=$1 s=$2 n=$3 e=$4; shift 4
	expect_check "$d" "$s" "$e" -- "$P" "${R[@]}" --state-file "$ST" "$@"
	expect_perf cross_trust "$n"
}

# --- appended lines, a half-written last line ------------------------------------
F=$T/dc.jsonl
lines 1 3 >"$F"
run "first run: the whole file" OK 3 "3 cross-trust" --jsonl "$F" "${WIDE[@]}"
expect_output "first run named" "^State file $ST created: inputs read whole this time$"
run "second run, nothing new" OK 0 "no cross-trust" --jsonl "$F" "${WIDE[@]}"
expect_no_output "no state note any more" "State file"
lines 4 5 >>"$F"
run "two lines appended: counted once" OK 2 "2 cross-trust" --jsonl "$F" "${WIDE[@]}"
expect_output "the new accounts" "account user4@PARTNER.EXAMPLE"
expect_no_output "not the old ones" "account user[123]@"
L6=$(line 6)
printf '%s' "${L6:0:400}" >>"$F"
run "a half-written last line is not consumed" OK 0 "no cross-trust" --jsonl "$F" "${WIDE[@]}"
expect_perf malformed 0
printf '%s\n' "${L6:400}" >>"$F"
run "the completed line is counted once" OK 1 "1 cross-trust" --jsonl "$F" "${WIDE[@]}"
expect_perf malformed 0
expect_output "it is user6" "account user6@"
line 7 | tr -d '\n' >>"$F"
run "a complete object without its newline waits" OK 0 "no cross-trust" --jsonl "$F" "${WIDE[@]}"
printf '\n' >>"$F"
run "... and is counted when the newline comes" OK 1 "1 cross-trust" --jsonl "$F" "${WIDE[@]}"
run "-v says where reading resumed" OK 0 "" --jsonl "$F" "${WIDE[@]}" -v
size=$(wc -c <"$F")
expect_output "resumed at the end" "dc.jsonl \(JSON lines\): 0 lines read \(bytes $size to $size \(resumed\)\)"

# --- rotation -----------------------------------------------------------------------
lines 8 8 >>"$F"           # written before the rotation, not yet read
off=$size
mv "$F" "$F.1"
lines 9 10 >"$F"
run "rotation: the rest of the old file and the new file" OK 3 "3 cross-trust" --jsonl "$F" "${WIDE[@]}"
expect_output "rotation named" "^$F was rotated: read the rest of the old file $F.1 from byte $off, then the new file from its start$"
expect_output "user8 from the old file, with its name" "account user8@PARTNER.EXAMPLE"
run "after the rotation: nothing new" OK 0 "no cross-trust" --jsonl "$F" "${WIDE[@]}"
lines 11 11 >>"$F"
mkdir -p "$T/archive"; mv "$F" "$T/archive/"; rm -f "$F.1"
lines 12 12 >"$F"
run "rotated away out of sight: the new file from its start" OK 1 "1 cross-trust" --jsonl "$F" "${WIDE[@]}"
expect_output "said" "^$F is a new file \(rotated or replaced\): read from its start; the old file was not found to finish it$"

# --- truncation, rewrite in place ------------------------------------------------------
lines 13 15 >>"$F"
run "appended after the rotation" OK 3 "3 cross-trust" --jsonl "$F" "${WIDE[@]}"
ino=$(stat -c %i "$F")
: >"$F"; lines 16 16 >>"$F"
[ "$(stat -c %i "$F")" = "$ino" ] && ok "truncated in place (same inode)" || not_ok "truncated in place (same inode)"
run "truncated and shorter: read from its start" OK 1 "1 cross-trust" --jsonl "$F" "${WIDE[@]}"
expect_output "truncation named" "^$F was truncated or rewritten \(its first bytes changed\): read from its start$"
lines 20 25 >"$F"          # copytruncate, then more than before was written
[ "$(stat -c %i "$F")" = "$ino" ] && ok "rewritten in place (same inode)" || not_ok "rewritten in place (same inode)"
run "rewritten in place and longer: read from its start" OK 6 "6 cross-trust" --jsonl "$F" "${WIDE[@]}"
expect_output "rewrite named" "was truncated or rewritten"
run "then nothing new" OK 0 "no cross-trust" --jsonl "$F" "${WIDE[@]}"

# --- gzip ----------------------------------------------------------------------------------
G=$T/dc.jsonl.gz
lines 30 32 | gzip -c >"$G"
run "gzip: whole the first time" OK 3 "3 cross-trust" --jsonl "$G" "${WIDE[@]}"
run "gzip: nothing new" OK 0 "no cross-trust" --jsonl "$G" "${WIDE[@]}"
lines 33 34 | gzip -c >>"$G"
run "gzip: an appended member" OK 2 "2 cross-trust" --jsonl "$G" "${WIDE[@]}"
expect_output "the new ones" "account user33@"
run "gzip: then nothing" OK 0 "no cross-trust" --jsonl "$G" "${WIDE[@]}"

# --- several inputs, standard input -------------------------------------------------------
run "both files in one run: nothing new in either" OK 0 "no cross-trust" --jsonl "$F" --jsonl "$G" "${WIDE[@]}"
lines 40 40 >>"$F"
run "a second file in the same state file does not disturb the first" OK 1 "1 cross-trust" --jsonl "$G" --jsonl "$F" "${WIDE[@]}"
lines 1 3 >"$T/in.jsonl"
expect_check "standard input is read whole every time" OK "3 cross-trust" -- sh -c "\"\$0\" --jsonl - \"\$@\" <\"$T/in.jsonl\"" "$P" "${R[@]}" --state-file "$ST" "${WIDE[@]}"
expect_check "... again" OK "3 cross-trust" -- sh -c "\"\$0\" --jsonl - \"\$@\" <\"$T/in.jsonl\"" "$P" "${R[@]}" --state-file "$ST" "${WIDE[@]}"
if grep -q '^jsonl:-=' "$ST"; then not_ok "no state kept for standard input"; else ok "no state kept for standard input"; fi
mkfifo "$T/pipe.jsonl"
lines 70 71 >"$T/pipe.jsonl" &
writer=$!
run "a named pipe is read whole, not resumed" OK 2 "2 cross-trust" --jsonl "$T/pipe.jsonl" "${WIDE[@]}"
wait "$writer"
if grep -q '^jsonl:.*pipe' "$ST"; then not_ok "no state kept for a pipe"; else ok "no state kept for a pipe"; fi

# --- events newer than --now wait for a later run --------------------------------------------
FU=$T/future.jsonl
{
	line 50
	printf '%s\n' "${TEMPLATE//userNUM/user51}" | ev_json @timestamp=2020-07-22T05:00:00Z event_data.TicketOptions=0x60810010
	printf '%s\n' "${TEMPLATE//userNUM/user52}" | ev_json @timestamp=2020-07-22T03:30:00Z
} >"$FU"
run "an event after --now stops the read there" OK 1 "1 cross-trust" --jsonl "$FU" --now 2020-07-22T04:00:00Z --since 1d
expect_output "said" "future.jsonl: an event newer than --now at byte [0-9]+ and what follows it are left for the next run$"
run "a later run counts it and what followed" CRITICAL 2 "2 cross-trust" --jsonl "$FU" --now 2020-07-22T06:00:00Z --since 1d
expect_perf forwarded 1
run "then nothing" OK 0 "no cross-trust" --jsonl "$FU" --now 2020-07-22T06:00:00Z --since 1d

# --- with the real clock, an event far in the future is a clock far off -----------------
# (not one to wait for: it would stop every later read until 2099)
CL=$T/clock.jsonl
t1=$(date -u -d '-3 min' +%Y-%m-%dT%H:%M:%SZ); t2=$(date -u -d '-2 min' +%Y-%m-%dT%H:%M:%SZ)
t3=$(date -u -d '+20 min' +%Y-%m-%dT%H:%M:%SZ)
{
	printf '%s\n' "${TEMPLATE//userNUM/user81}" | ev_json "@timestamp=$t1"
	printf '%s\n' "${TEMPLATE//userNUM/user82}" | ev_json @timestamp=2099-01-01T00:00:00Z
	printf '%s\n' "${TEMPLATE//userNUM/user83}" | ev_json "@timestamp=$t2"
} >"$CL"
rm -f "$T/clock.state"
expect_check "real clock: an event dated 2099 does not stop the read" OK "^AD TICKET EVENTS OK - 2 cross-trust" \
	-- "$P" "${R[@]}" --state-file "$T/clock.state" --jsonl "$CL" --since 15m
expect_output "it is named as a clock far ahead" "clock.jsonl: 1 event dated more than 3600 s after now was read without being counted \(a clock far ahead\?\)$"
expect_output "the event after it counted" "account user83@"
printf '%s\n' "${TEMPLATE//userNUM/user84}" | ev_json "@timestamp=$t3" >>"$CL"
expect_check "real clock: an event 20 min ahead (a clock slightly fast) still waits" OK "no cross-trust" \
	-- "$P" "${R[@]}" --state-file "$T/clock.state" --jsonl "$CL" --since 15m
expect_output "left for the next run" "clock.jsonl: an event newer than --now at byte [0-9]+ and what follows it are left for the next run$"

# --- the time limit: stop early, save, go on next run ---------------------------------------
TL=$T/slow.jsonl
lines 60 62 >"$TL"
rm -f "$T/tl.state"
for i in 1 2 3; do
	expect_check "-t 1 leaves no time: one event per run ($i)" OK "1 cross-trust" -- "$P" "${R[@]}" --state-file "$T/tl.state" --jsonl "$TL" "${WIDE[@]}" -t 1
	expect_output "run $i: user6$((i - 1)) and the early stop named" "account user6$((i - 1))@"
	expect_output "run $i: early stop named" "slow.jsonl: read stopped at byte [0-9]+ to finish within the time limit; the rest is read next run$"
done
expect_check "-t 1: then nothing left" OK "no cross-trust" -- "$P" "${R[@]}" --state-file "$T/tl.state" --jsonl "$TL" "${WIDE[@]}" -t 1

# --- two runs at once --------------------------------------------------------------------------
C=$T/concurrent.jsonl
lines 100 101 >"$C"
rm -f "$T/c.state"
"$P" "${R[@]}" --state-file "$T/c.state" --jsonl "$C" "${WIDE[@]}" >/dev/null
lines 102 301 >>"$C"
"$P" "${R[@]}" --state-file "$T/c.state" --jsonl "$C" "${WIDE[@]}" >"$T/c1" &
p1=$!
"$P" "${R[@]}" --state-file "$T/c.state" --jsonl "$C" "${WIDE[@]}" >"$T/c2" &
p2=$!
wait "$p1" "$p2"
n1=$(sed -n '1s/.* cross_trust=\([0-9]*\);.*/\1/p' "$T/c1"); n2=$(sed -n '1s/.* cross_trust=\([0-9]*\);.*/\1/p' "$T/c2")
if [ "$((n1 + n2))" = 200 ] && { [ "$n1" = 0 ] || [ "$n2" = 0 ]; }; then ok "two runs at once: 200 new events counted once ($n1 + $n2)"
else not_ok "two runs at once: 200 new events counted once" "$(cat "$T/c1" "$T/c2")"; fi
run "and after them nothing" OK 0 "no cross-trust" --state-file "$T/c.state" --jsonl "$C" "${WIDE[@]}"

# --- EVTX: record numbers --------------------------------------------------------------------
E=$T/dc1.evtx
cp "$EV_DATA/evtx/mdec_4769_golden_ticket.evtx" "$E"; chmod u+w "$E"
ER=(--realm OFFSEC.LAN)
# records 1-6 written 12:26:04 to 12:27:19, 7-10 at 12:31:20 (8 forwarded)
run "EVTX: records after --now are left (records 1-6 of 10)" OK 6 "6 cross-trust" --evtx "$E" "${ER[@]}" --now 2020-08-02T12:27:19Z --since 1d
expect_output "said" "dc1.evtx: record 7 is newer than --now; it and later records are left for the next run$"
run "EVTX: the later run counts 7-10" CRITICAL 4 "4 cross-trust" --evtx "$E" "${ER[@]}" --now 2020-08-02T12:31:20Z --since 1d
expect_perf forwarded 1
run "EVTX: then nothing" OK 0 "no cross-trust" --evtx "$E" "${ER[@]}" "${WIDE[@]}" -v
expect_output "-v: resumed after record 10, records 1-10 not read again" "dc1.evtx \(EVTX\): 0 records read \(records after 10 up to 10\)"
cp "$EV_DATA/evtx/mdec_4768_asrep_roasting.evtx" "$E"
run "EVTX replaced by a log with lower record numbers: read from its start" OK 1 "1 cross-trust" --evtx "$E" "${ER[@]}" "${WIDE[@]}"
expect_output "said" "dc1.evtx holds only records older than the last run saw \(log cleared or replaced\): read from its start$"
run "EVTX: then nothing" OK 0 "no cross-trust" --evtx "$E" "${ER[@]}" "${WIDE[@]}"
cp "$EV_DATA/evtx/mdec_4769_golden_ticket.evtx" "$E"
# more records than before, but its newest is older than the one seen last
run "EVTX replaced by an older log with more records: read from its start" CRITICAL 10 "10 cross-trust" --evtx "$E" "${ER[@]}" "${WIDE[@]}"
expect_output "said" "dc1.evtx is not the log the last run read \(its record 1 was written at another time: log cleared or replaced\): read from its start$"
# cleared and refilled past the number seen last, with newer records: its
# first record is event 1102 (the audit log was cleared), its Kerberos
# events are records 2, 3, 13 and 17
cp "$EV_DATA/evtx/sbou_4768_4769_samaccount_spoofing.evtx" "$E"
ER2=(--realm OFFSEC.LAN --realm THREEBEESCO.COM)
run "EVTX cleared and refilled beyond record 10: all 4, records 2 and 3 too" OK 4 "4 cross-trust" --evtx "$E" "${ER2[@]}" "${WIDE[@]}"
expect_output "said" "dc1.evtx is not the log the last run read \(its record 10 was written at another time: log cleared or replaced\): read from its start$"
run "EVTX: then nothing" OK 0 "no cross-trust" --evtx "$E" "${ER2[@]}" "${WIDE[@]}"
# the same log exported again (a new file, the same records): resumed
cp "$E" "$E.new"; mv "$E.new" "$E"
run "EVTX exported again as a new file: resumed, nothing new" OK 0 "no cross-trust" --evtx "$E" "${ER2[@]}" "${WIDE[@]}" -v
expect_output "-v: resumed" "dc1.evtx \(EVTX\): 0 records read \(records after 18 up to 18\)"
expect_no_output "no reset said" "not the log|older than"
# a state written before the record's written time was kept (3 fields):
# read whole once in file order, nothing counted again, then as usual
# (values in the state file are written with %20 for a space)
sed -i "s|^\(evtx:$E=[^%]*%20[^%]*%20[0-9]*\)%20[0-9]*\$|\1|" "$ST"
if grep -q "^evtx:$E=18%20[0-9-]*%200$" "$ST"; then ok "state of the older form written"; else not_ok "state of the older form written" "$(cat "$ST")"; fi
run "EVTX state of the older form: nothing counted again" OK 0 "no cross-trust" --evtx "$E" "${ER2[@]}" "${WIDE[@]}" -v
expect_output "-v: read in file order once" "dc1.evtx \(EVTX\): 18 records read \(records after 18 up to 18\)"
if grep -q "^evtx:$E=18%20[0-9-]*%200%20[0-9]*$" "$ST"; then ok "the record's written time added to the state"; else not_ok "the record's written time added to the state" "$(cat "$ST")"; fi
run "... then in identifier order" OK 0 "no cross-trust" --evtx "$E" "${ER2[@]}" "${WIDE[@]}" -v
expect_output "-v: nothing read" "dc1.evtx \(EVTX\): 0 records read \(records after 18 up to 18\)"
cp "$EV_DATA/evtx/mdec_4769_golden_ticket.evtx" "$E"

# the time limit: an EVTX read stops early too, saves, goes on next run
TE=$T/slow.evtx
cp "$EV_DATA/evtx/mdec_4769_golden_ticket.evtx" "$TE"
rm -f "$T/tle.state"
for i in 1 2 3; do
	expect_check "EVTX -t 1 leaves no time: one record per run ($i)" OK "1 cross-trust" -- "$P" "${ER[@]}" --state-file "$T/tle.state" --evtx "$TE" "${WIDE[@]}" -t 1 --critical-forwarded '~:'
	expect_output "run $i: early stop named" "slow.evtx: read stopped after record $i to finish within the time limit; the rest is read next run$"
done
expect_check "EVTX: the rest in one run without the limit" CRITICAL "7 cross-trust" -- "$P" "${ER[@]}" --state-file "$T/tle.state" --evtx "$TE" "${WIDE[@]}"
expect_check "EVTX: then nothing" OK "no cross-trust" -- "$P" "${ER[@]}" --state-file "$T/tle.state" --evtx "$TE" "${WIDE[@]}"
# a wrapped log (its oldest chunk in the middle of the file): the oldest
# records come first, so stopping early loses nothing
W1=$T/wrapped.evtx
cp "$EV_DATA/evtx/omer_bad_chunk_magic.evtx" "$W1"
rm -f "$T/tlw.state"
expect_check "wrapped EVTX, -t 1: the oldest record first" OK "no cross-trust" -- "$P" --realm X --state-file "$T/tlw.state" --evtx "$W1" "${WIDE[@]}" -t 1 -v
expect_output "record 45691 (the oldest, file index 25)" "wrapped.evtx \(EVTX\): 1 records read \(all records, up to 45691\)"
expect_check "wrapped EVTX, -t 1: then the next one" OK "no cross-trust" -- "$P" --realm X --state-file "$T/tlw.state" --evtx "$W1" "${WIDE[@]}" -t 1 -v
expect_output "record 45692" "wrapped.evtx \(EVTX\): 1 records read \(records after 45691 up to 45692\)"
expect_check "wrapped EVTX: the rest" OK "no cross-trust" -- "$P" --realm X --state-file "$T/tlw.state" --evtx "$W1" "${WIDE[@]}" -v
expect_output "265 records, up to the newest" "wrapped.evtx \(EVTX\): 265 records read \(records after 45692 up to 47639\)"
U=$T/unparseable.evtx
cp "$EV_DATA/evtx/mdec_unparseable_records.evtx" "$U"
run "EVTX unreadable records: counted the first time" OK 0 "no cross-trust" --evtx "$U" "${ER[@]}" "${WIDE[@]}"
expect_perf unreadable 55
run "EVTX unreadable records: not again" OK 0 "no cross-trust" --evtx "$U" "${ER[@]}" "${WIDE[@]}"
expect_perf unreadable 0
# damage where the bisections probe: 8 bytes 0xff at the start of a
# record's binary XML (after its 24-byte header) leave the other records
# readable. The first record (at byte 4608) is probed to find the oldest:
# still read in record-number order, so -t stops early; counted once.
damage() { cp "$EV_DATA/evtx/$1" "$2"; chmod u+w "$2"; printf '\377\377\377\377\377\377\377\377' | dd of="$2" bs=1 seek=$(($3 + 24)) conv=notrunc 2>/dev/null; }
D0=$T/damaged_first.evtx
damage mdec_4769_golden_ticket.evtx "$D0" 4608
rm -f "$T/d0.state"
D0RUN=("$P" "${ER[@]}" --state-file "$T/d0.state" --evtx "$D0" "${WIDE[@]}" --critical-forwarded '~:')
expect_check "EVTX, first record unreadable, -t 1: record 2 only" OK "1 cross-trust" -- "${D0RUN[@]}" -t 1
expect_perf unreadable 1
expect_output "early stop named" "damaged_first.evtx: read stopped after record 2 to finish within the time limit; the rest is read next run$"
expect_check "... -t 1 again: record 3 only" OK "1 cross-trust" -- "${D0RUN[@]}" -t 1 -v
expect_perf unreadable 0
expect_output "-v: one record read" "damaged_first.evtx \(EVTX\): 1 records read \(records after 2 up to 3\)"
expect_check "... then the rest" OK "7 cross-trust" -- "${D0RUN[@]}"
expect_perf unreadable 0
expect_no_output "never in file order" "record-number order"
# a wrapped log read past its saved record (overwritten since): read from
# its oldest record in record-number order, the loss said; the record at
# the first midpoint of the search for the oldest (record 45799, at byte
# 583272) is new damage and counted, though the state counted one
# unreadable record before
W2=$T/wrapped_damaged.evtx
damage omer_bad_chunk_magic.evtx "$W2" 583272
rm -f "$T/w2.state"
expect_check "wrapped EVTX, a midpoint unreadable: first run" OK "no cross-trust" -- "$P" --realm X --state-file "$T/w2.state" --evtx "$W2" "${WIDE[@]}"
sed -i "s|^\(evtx:$W2=\).*|\145600%20-%201%20131781306757248721|" "$T/w2.state"
expect_check "... read past the saved record 45600" OK "no cross-trust" -- "$P" --realm X --state-file "$T/w2.state" --evtx "$W2" "${WIDE[@]}" -v
expect_perf unreadable 1
expect_output "the loss said" "^$W2: records 45601 to 45690 were overwritten before this run read them$"
expect_output "-v: all 267 from the oldest" "wrapped_damaged.evtx \(EVTX\): 267 records read \(records after 45600 up to 47639\)"
expect_no_output "not in file order" "record-number order"
expect_check "... then nothing new" OK "no cross-trust" -- "$P" --realm X --state-file "$T/w2.state" --evtx "$W2" "${WIDE[@]}" -v
expect_perf unreadable 0
expect_output "-v: nothing read" "wrapped_damaged.evtx \(EVTX\): 0 records read \(records after 47639 up to 47639\)"
expect_no_output "nothing said" "record-number order|overwritten"
# the same with the time limit: a large log whose saved record was
# overwritten is still worked through a part per run (the saved record
# 45600 written before the oldest one, 45691)
W3=$T/overwritten.evtx
cp "$EV_DATA/evtx/omer_bad_chunk_magic.evtx" "$W3"; chmod u+w "$W3"
rm -f "$T/w3.state"
W3RUN=("$P" --realm X --state-file "$T/w3.state" --evtx "$W3" "${WIDE[@]}")
expect_check "wrapped EVTX: first run" OK "no cross-trust" -- "${W3RUN[@]}"
sed -i "s|^\(evtx:$W3=\).*|\145600%201533657000%200%20131781306000000000|" "$T/w3.state"
expect_check "saved record overwritten, -t 1: the oldest record only" OK "no cross-trust" -- "${W3RUN[@]}" -t 1 -v
expect_output "the loss said" "^$W3: records 45601 to 45690 were overwritten before this run read them$"
expect_output "early stop named" "^$W3: read stopped after record 45691 to finish within the time limit; the rest is read next run$"
expect_output "-v: one record read" "overwritten.evtx \(EVTX\): 1 records read \(records after 45600 up to 45691\)"
expect_no_output "not in file order" "record-number order"
expect_check "... -t 1 again: the next one" OK "no cross-trust" -- "${W3RUN[@]}" -t 1 -v
expect_output "-v: record 45692" "overwritten.evtx \(EVTX\): 1 records read \(records after 45691 up to 45692\)"
expect_no_output "the loss not said again" "overwritten before"
expect_check "... then the rest" OK "no cross-trust" -- "${W3RUN[@]}" -v
expect_output "-v: 265 records, up to the newest" "overwritten.evtx \(EVTX\): 265 records read \(records after 45692 up to 47639\)"
# a wrapped log whose oldest record (45691, first of its chunk) cannot be
# read: Windows writes new records at the end of the newest chunk, before
# it in the file; it is counted once all the same. The log when its newest
# record was 47630: chunk 7 (at byte 462848) zeroed from record 47631 (at
# 3344 in it) on
G=$T/gap.evtx
damage omer_bad_chunk_magic.evtx "$G" 528896
dd if=/dev/zero of="$G" bs=1 seek=$((462848 + 3344)) count=$((8288 - 3344)) conv=notrunc 2>/dev/null
rm -f "$T/g.state"
GRUN=("$P" --realm X --state-file "$T/g.state" --evtx "$G" "${WIDE[@]}" -v)
expect_check "wrapped EVTX, its oldest record unreadable: counted" OK "no cross-trust" -- "${GRUN[@]}"
expect_perf unreadable 1
expect_output "-v: up to 47630" "gap.evtx \(EVTX\): 258 records read \(all records, up to 47630\)"
damage omer_bad_chunk_magic.evtx "$G" 528896
expect_check "... records 47631-47639 written before it: not counted again" OK "no cross-trust" -- "${GRUN[@]}"
expect_perf unreadable 0
expect_output "-v: the new records and it" "gap.evtx \(EVTX\): 10 records read \(records after 47630 up to 47639\)"
expect_check "... nor after" OK "no cross-trust" -- "${GRUN[@]}"
expect_perf unreadable 0

# --- one file under two names: one state, counted once ----------------------------------
D=$T/dup.jsonl
lines 80 82 >"$D"
ln -sf dup.jsonl "$T/dup-link.jsonl"
rm -f "$T/dup.state"
expect_check "the same file twice (a symlink): counted once" OK "3 cross-trust" -- "$P" "${R[@]}" --state-file "$T/dup.state" --jsonl "$D" --jsonl "$T/dup-link.jsonl" "${WIDE[@]}"
n=$(grep -c '^jsonl:' "$T/dup.state")
if [ "$n" = 1 ]; then ok "one state entry"; else not_ok "one state entry" "$(cat "$T/dup.state")"; fi
lines 83 83 >>"$D"
expect_check "... and the line appended once" OK "1 cross-trust" -- "$P" "${R[@]}" --state-file "$T/dup.state" --jsonl "$D" --jsonl "$T/dup-link.jsonl" "${WIDE[@]}"
expect_check "EVTX under two names: counted once" CRITICAL "10 cross-trust" -- "$P" "${ER[@]}" --state-file "$T/dup.state" --evtx "$TE" --evtx "$T/./slow.evtx" "${WIDE[@]}"

# --- the state file itself ----------------------------------------------------------------------
printf 'garbage\n' >"$ST"
# records 1-4 of the EVTX file are in the window, 5-10 after --now
run "corrupt state file: reported, read whole, replaced" OK 4 "4 cross-trust" --evtx "$E" --jsonl "$FU" "${ER[@]}" --now 2020-08-02T12:27:04Z --since 1d
expect_output "corruption named" "^state file $ST was corrupt \(its first line is not the state header of this check\) and is replaced$"
run "replaced state works" OK 0 "no cross-trust" --evtx "$E" --jsonl "$FU" "${ER[@]}" --now 2020-08-02T12:27:04Z --since 1d
expect_no_output "no corruption note" "corrupt"
sed -i 's/^\(jsonl:[^=]*\)=.*/\1=not-numbers/' "$ST"
run "an unusable entry: that input read from its start" OK 0 "no cross-trust" --evtx "$E" --jsonl "$FU" "${ER[@]}" --now 2020-08-02T12:27:04Z --since 1d
expect_output "said" "^the state of $FU was unusable: read from its start$"
expect_check "state file in a missing directory: UNKNOWN" UNKNOWN "^AD TICKET EVENTS UNKNOWN - cannot lock state file $T/no/such/dir/s.state.lock: No such file or directory$" \
	-- "$P" "${R[@]}" --state-file "$T/no/such/dir/s.state" --jsonl "$F" "${WIDE[@]}"
expect_check "missing input in incremental mode: UNKNOWN with the path" UNKNOWN "cannot read $T/nope.jsonl: No such file or directory" \
	-- "$P" "${R[@]}" --state-file "$ST" --jsonl "$T/nope.jsonl" "${WIDE[@]}"

# --- valgrind -------------------------------------------------------------------------------------
lines 200 202 >"$T/vg.jsonl"
rm -f "$T/vg.state"
run_valgrind "incremental first run" OK "3 cross-trust" -- "${R[@]}" --state-file "$T/vg.state" --jsonl "$T/vg.jsonl" --evtx "$E" "${WIDE[@]}"
mv "$T/vg.jsonl" "$T/vg.jsonl.1"; lines 203 203 >"$T/vg.jsonl"
run_valgrind "incremental after a rotation" OK "1 cross-trust" -- "${R[@]}" --state-file "$T/vg.state" --jsonl "$T/vg.jsonl" --evtx "$E" "${WIDE[@]}"
rm -f "$T/vgd.state"
run_valgrind "EVTX with an unreadable first record, record-number order" OK "9 cross-trust" -- "${ER[@]}" --state-file "$T/vgd.state" --evtx "$D0" "${WIDE[@]}" --critical-forwarded '~:'
sed -i "s|^\(evtx:$W2=\).*|\145600%20-%201%20131781306757248721|" "$T/w2.state"
run_valgrind "wrapped EVTX with an unreadable record, saved record overwritten" OK "no cross-trust" -- --realm X --state-file "$T/w2.state" --evtx "$W2" "${WIDE[@]}" -t 1
sed -i "s|^\(evtx:$W2=\).*|\145600%20-%201|" "$T/w2.state"
run_valgrind "wrapped EVTX with an unreadable record, file order" OK "no cross-trust" -- --realm X --state-file "$T/w2.state" --evtx "$W2" "${WIDE[@]}"
damage omer_bad_chunk_magic.evtx "$G" 528896
dd if=/dev/zero of="$G" bs=1 seek=$((462848 + 3344)) count=$((8288 - 3344)) conv=notrunc 2>/dev/null
rm -f "$T/g.state"
"${GRUN[@]}" >/dev/null
damage omer_bad_chunk_magic.evtx "$G" 528896
run_valgrind "wrapped EVTX, unreadable records before the oldest" OK "no cross-trust" -- --realm X --state-file "$T/g.state" --evtx "$G" "${WIDE[@]}"

tap_done
