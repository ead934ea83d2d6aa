#!/bin/bash
# check_ad_unconstrained against a private slapd that looks like Active
# Directory (tests/fixtures/gen-corp-ldif.sh has the table of accounts),
# with AD's 1000-entry page limit and 1500 extra offenders to prove paging.
source "$TOP_SRCDIR/tests/lib/tap.sh"
source "$TOP_SRCDIR/tests/lib/slapd.sh"
trap slapd_stop_all EXIT
P=$PLUGINDIR/check_ad_unconstrained

if ! slapd_available; then skip "slapd fixture" "slapd not installed"; tap_done; exit; fi
"$TOP_SRCDIR/tests/fixtures/gen-corp-ldif.sh" --bulk 1500 >"$TEST_TMP/corp.ldif"
"$TOP_SRCDIR/tests/fixtures/gen-corp-ldif.sh" --empty-delegation >"$TEST_TMP/empty.ldif"
slapd_start corp "$TEST_TMP/corp.ldif" --tls || { not_ok "slapd corp starts"; tap_done; exit 1; }
slapd_start empty "$TEST_TMP/empty.ldif" --tls || { not_ok "slapd empty starts"; tap_done; exit 1; }
PW=$SLAPD_PWFILE
slapd_start_refused nothing
slapd_start_blackhole hole 60
AUTH=(-D "$SLAPD_CORP_BIND_DN" --password-file "$PW")
C=(-H "$SLAPD_CORP_URI" -T --ca-file "$SLAPD_CA" "${AUTH[@]}")
SERVERS="OU=Servers,DC=corp,DC=example"

# --- the whole domain: 1500 bulk + 4 servers + 4 users, paged ---------------
expect_check "whole domain: WARNING with 1508 offenders (paged past 1000)" WARNING \
	"^AD UNCONSTRAINED WARNING - 1508 non-DC accounts trusted for unconstrained delegation \(1504 computers, 4 users\) \|" \
	-- "$P" "${C[@]}"
expect_perf unconstrained 1508
expect_perf computers 1504
expect_perf users 4
expect_perf disabled 1
expect_perf excepted 0
expect_perf protocol_transition 1
expect_perf rbcd 1
expect_output "warning threshold 0 in perfdata" "unconstrained=1508;0;;0; "
expect_output "time perfdata in seconds" " time=[0-9.]+s;;;0;$"
expect_no_output "domain controllers and the RODC are never listed" "DC01|DC02|RODC01"
n=$(printf '%s\n' "$OUT" | wc -c)
if [ "$n" -lt 8192 ]; then ok "output within 8 KiB ($n bytes)"; else not_ok "output within 8 KiB" "$n bytes"; fi
expect_output "the tail is summarised" "^\.\.\. and [0-9]+ more lines not shown \(8 KiB output limit\)$"
shown=$(printf '%s\n' "$OUT" | grep -c '^computer BULK')
more=$(printf '%s\n' "$OUT" | sed -n 's/^\.\.\. and \([0-9]*\) more.*/\1/p')
# 1508 unconstrained + 1 protocol transition + 1 rbcd lines, 2 headers
total=$((shown + more + $(printf '%s\n' "$OUT" | tail -n +2 | grep -vc '^computer BULK\|^\.\.\. and')))
if [ "$total" -eq 1512 ]; then ok "shown + summarised lines = 1512"; else not_ok "shown + summarised lines = 1512" "got $total"; fi

# --- one OU, exact listing ---------------------------------------------------
expect_check "OU=Servers: 4 computers" WARNING "- 4 non-DC accounts .*\(4 computers, 0 users\)" -- "$P" "${C[@]}" -b "$SERVERS"
want="computer FILE01\$ (cn=FILE01,ou=Servers,dc=corp,dc=example) disabled
computer OLD01\$ (cn=OLD01,ou=Servers,dc=corp,dc=example) enabled
computer SQL01\$ (cn=SQL01,ou=Servers,dc=corp,dc=example) enabled
computer WEB01\$ (cn=WEB01,ou=Servers,dc=corp,dc=example) enabled
Resource-based constrained delegation targets:
computer APP01\$ (cn=APP01,ou=Servers,dc=corp,dc=example) enabled"
got=$(printf '%s\n' "$OUT" | tail -n +2)
if [ "$(printf '%s' "$got" | tr 'A-Z' 'a-z')" = "$(printf '%s' "$want" | tr 'A-Z' 'a-z')" ]; then ok "long output lists every offender, sorted, with state"
else not_ok "long output lists every offender, sorted, with state" "got:" "$got" "wanted:" "$want"; fi
expect_check "CN=Users: users only, svc-sql listed for protocol transition" WARNING "\(0 computers, 4 users\)" -- "$P" "${C[@]}" -b "CN=Users,DC=corp,DC=example"
expect_output "CN=Users: hostile name: '|' escaped, '=' and quotes kept" "^user evil\\\\7Csvc=1'\" \("
expect_output "CN=Users: hostile name: newline escaped" "^user svc-nl\\\\0Ainjected \("
expect_output "CN=Users: hostile name: UTF-8 kept" "^user zoë-ünïcode \("
expect_output "protocol transition section" "^Protocol transition \(TRUSTED_TO_AUTH_FOR_DELEGATION\):$"
expect_output "svc-sql listed" "^user svc-sql \(.*\) enabled$"
expect_perf protocol_transition 1

# --- transports ---------------------------------------------------------------
expect_check "LDAPS URI" WARNING "- 4 non-DC" -- "$P" -H "$SLAPD_CORP_LDAPS_URI" --ca-file "$SLAPD_CA" "${AUTH[@]}" -b "$SERVERS"
expect_check "host, port and -S" WARNING "- 4 non-DC" -- "$P" -H 127.0.0.1 -p "$SLAPD_CORP_LDAPS_PORT" -S --ca-file "$SLAPD_CA" "${AUTH[@]}" -b "$SERVERS"
expect_check "--insecure skips verification (explicit)" WARNING "- 4 non-DC" -- "$P" -H "$SLAPD_CORP_LDAPS_URI" --insecure "${AUTH[@]}" -b "$SERVERS"
expect_check "--allow-plaintext permits a simple bind without TLS" WARNING "- 4 non-DC" -- "$P" -H "$SLAPD_CORP_URI" --allow-plaintext "${AUTH[@]}" -b "$SERVERS"
OUT=$(AD_BIND_PASSWORD=$(cat "$PW") "$P" -H "$SLAPD_CORP_URI" -T --ca-file "$SLAPD_CA" -D "$SLAPD_CORP_BIND_DN" -b "$SERVERS"); RC=$?
if [ "$RC" = 1 ]; then ok "password from AD_BIND_PASSWORD"; else not_ok "password from AD_BIND_PASSWORD" "$OUT"; fi

# --- thresholds ---------------------------------------------------------------
expect_check "-w 5 -c 10 with 4: OK" OK "^AD UNCONSTRAINED OK - 4 non-DC" -- "$P" "${C[@]}" -b "$SERVERS" -w 5 -c 10
expect_output "perfdata carries both thresholds" "unconstrained=4;5;10;0; "
expect_check "-c 3 with 4: CRITICAL" CRITICAL "^AD UNCONSTRAINED CRITICAL" -- "$P" "${C[@]}" -b "$SERVERS" -c 3
expect_check "-w ~:3 with 4: WARNING, range printed as given" WARNING "unconstrained=4;~:3;;0;" -- "$P" "${C[@]}" -b "$SERVERS" -w "~:3"
expect_check "-w @4:4 (inside): WARNING" WARNING "WARNING" -- "$P" "${C[@]}" -b "$SERVERS" -w @4:4
expect_check "-c 1507 on the whole domain: CRITICAL" CRITICAL "1508 non-DC" -- "$P" "${C[@]}" -c 1507
expect_check "-c 1508: only WARNING (ends inclusive)" WARNING "1508 non-DC" -- "$P" "${C[@]}" -c 1508
expect_check "protocol transition threshold raises the state" WARNING "^AD UNCONSTRAINED WARNING - 1 account with protocol transition; 4 non-DC" \
	-- "$P" "${C[@]}" -b "CN=Users,DC=corp,DC=example" -w 10 --warning-protocol-transition 0
expect_output "with its threshold in perfdata" "protocol_transition=1;0;;0;"
expect_check "rbcd critical threshold" CRITICAL "1 resource-based delegation target" -- "$P" "${C[@]}" -b "$SERVERS" -w 10 --critical-rbcd 0

# --- OK when nothing is delegated -------------------------------------------
expect_check "domain without offenders: OK" OK "^AD UNCONSTRAINED OK - no non-DC account trusted for unconstrained delegation \|" \
	-- "$P" -H "$SLAPD_EMPTY_URI" -T --ca-file "$SLAPD_CA" "${AUTH[@]}"
expect_perf unconstrained 0

# --- exceptions, --exclude-disabled -------------------------------------------
cat >"$TEST_TMP/ex.conf" <<CONF
defaults = {
  hostname = "$SLAPD_CORP_URI"; starttls = true; ca_file = "$SLAPD_CA";
  bind_dn = "$SLAPD_CORP_BIND_DN"; password_file = "$PW";
};
check_ad_unconstrained = {
  base = "$SERVERS";
  exceptions = (
    { account = "SQL01\$"; reason = "CHG-1234 legacy SQL double hop"; expires = "2099-12-31"; },
    { account = "cn=OLD01, ou=Servers,dc=corp,dc=example"; reason = "CHG-0999"; expires = "2020-01-01"; }
  );
};
other = { base = "CN=Users,DC=corp,DC=example"; warning = "10"; };
CONF
expect_check "config only: exceptions applied" WARNING "^AD UNCONSTRAINED WARNING - 1 exception expired; 3 non-DC accounts" -- "$P" --config "$TEST_TMP/ex.conf"
expect_perf unconstrained 3
expect_perf excepted 1
expect_output "excepted account listed with reason and expiry" "^Excepted \(listed, not counted\):$"
expect_output "excepted line" "^computer SQL01\\$ \(.*\) enabled, excepted until 2099-12-31: CHG-1234 legacy SQL double hop$"
expect_output "expired exception counted again and said" "^computer OLD01\\$ \(.*\) enabled, exception expired on 2020-01-01 \(CHG-0999\)$"
cat >"$TEST_TMP/nodollar.conf" <<CONF
check_ad_unconstrained = { exceptions = ( { account = "sql01"; reason = "CHG-1 without the dollar"; } ); };
CONF
expect_check "exception 'sql01' names the computer SQL01\$ (no \$, any case)" WARNING "^AD UNCONSTRAINED WARNING - 3 non-DC" \
	-- "$P" "${C[@]}" -b "$SERVERS" --config "$TEST_TMP/nodollar.conf"
expect_perf excepted 1
expect_output "SQL01\$ listed as excepted" '^computer SQL01\$ .*: CHG-1 without the dollar$'
expect_check "--exclude-disabled leaves FILE01\$ out" WARNING "- 1 exception expired; 2 non-DC" -- "$P" --config "$TEST_TMP/ex.conf" --exclude-disabled
expect_perf disabled 1
expect_output "listed as not counted" "^Disabled, not counted \(--exclude-disabled\):$"
expect_check "command line wins over the config" OK "^AD UNCONSTRAINED OK" -- "$P" --config "$TEST_TMP/ex.conf" -w 10
expect_check "--section picks another section over defaults" OK "^AD UNCONSTRAINED OK - 4 non-DC" -- "$P" --config "$TEST_TMP/ex.conf" --section other

# --- change detection -----------------------------------------------------------
ST=$TEST_TMP/unconstrained.state
expect_check "state: first run creates the file" WARNING "- 1 exception expired; 3 non-DC" -- "$P" --config "$TEST_TMP/ex.conf" --state-file "$ST"
expect_output "first run says so" "^State file .* created"
expect_check "state: same findings, nothing new" OK "^AD UNCONSTRAINED OK - 1 exception expired; 3 non-DC" -- "$P" --config "$TEST_TMP/ex.conf" --state-file "$ST" -w 10
expect_check "state: SQL01\$ without its exception is new, WARNING below thresholds" WARNING \
	'^AD UNCONSTRAINED WARNING - new since last run: SQL01\$; 4 non-DC' -- "$P" "${C[@]}" -b "$SERVERS" --state-file "$ST" -w 10
expect_output "named in the long output too" '^New since last run: SQL01\$$'
expect_check "state: reported once, then quiet" OK "^AD UNCONSTRAINED OK - 4 non-DC" -- "$P" "${C[@]}" -b "$SERVERS" --state-file "$ST" -w 10
printf 'garbage\n' >"$ST"
expect_check "state: corrupt file is reported, not fatal" OK "^AD UNCONSTRAINED OK" -- "$P" "${C[@]}" -b "$SERVERS" --state-file "$ST" -w 10
expect_output "corruption named" "state file .* was corrupt \(its first line is not the state header of this check\) and is replaced"
expect_check "state: replaced file works again" OK "^AD UNCONSTRAINED OK - 4 non-DC" -- "$P" "${C[@]}" -b "$SERVERS" --state-file "$ST" -w 10
expect_no_output "no corruption note any more" "corrupt|created"
"$P" "${C[@]}" -b "$SERVERS" --state-file "$TEST_TMP/s2" -w 10000 >/dev/null
expect_check "--new-is CRITICAL" CRITICAL "new since last run: .*svc-iis" -- "$P" "${C[@]}" -b "CN=Users,DC=corp,DC=example" --state-file "$TEST_TMP/s2" -w 10000 --new-is CRITICAL
# two runs at once: both finish, one sees the baseline, neither corrupts
rm -f "$TEST_TMP/s3"; "$P" "${C[@]}" -b "$SERVERS" --state-file "$TEST_TMP/s3" -w 10 >/dev/null
"$P" "${C[@]}" -b "CN=Users,DC=corp,DC=example" --state-file "$TEST_TMP/s3" -w 10 >"$TEST_TMP/c1" &
p1=$!
"$P" "${C[@]}" -b "CN=Users,DC=corp,DC=example" --state-file "$TEST_TMP/s3" -w 10 >"$TEST_TMP/c2" &
p2=$!
wait "$p1" "$p2"   # not a bare wait: the servers are children of this shell too
n_new=$(cat "$TEST_TMP/c1" "$TEST_TMP/c2" | grep -c '^AD UNCONSTRAINED WARNING - new since last run')
if [ "$n_new" = 1 ]; then ok "two concurrent runs: the new accounts are reported exactly once"
else not_ok "two concurrent runs: new reported exactly once" "$(cat "$TEST_TMP/c1" "$TEST_TMP/c2")"; fi

# --- JSON output for Zabbix ------------------------------------------------------
OUT=$("$P" "${C[@]}" -b "$SERVERS" --format json); RC=$?
if [ "$RC" = 1 ] && printf '%s' "$OUT" | python3 -c '
import json, sys
o = json.load(sys.stdin)
assert o["service"] == "AD UNCONSTRAINED" and o["state"] == 1 and o["state_name"] == "WARNING", o
assert o["summary"].startswith("4 non-DC accounts"), o["summary"]
p = o["perfdata"]
assert p["unconstrained"] == {"value": 4, "uom": "", "warning": "0", "critical": None, "min": 0, "max": None}, p
assert p["rbcd"]["value"] == 1 and p["time"]["uom"] == "s"
assert any(l.startswith("computer WEB01$") for l in o["long_output"]), o["long_output"]
'; then ok "--format json: one valid object with state, perfdata and long output"
else not_ok "--format json" "rc=$RC" "$OUT"; fi
OUT=$("$P" -H "$SLAPD_NOTHING_URI" --format json); RC=$?
if [ "$RC" = 3 ] && printf '%s' "$OUT" | python3 -c 'import json,sys; o=json.load(sys.stdin); assert o["state"]==3 and "cannot connect" in o["summary"]'; then
	ok "--format json: errors are JSON too"; else not_ok "--format json errors" "$OUT"; fi
OUT=$("$P" --config "$TEST_TMP/missing.conf" --format json); RC=$?
if [ "$RC" = 3 ] && printf '%s' "$OUT" | python3 -c 'import json,sys; o=json.load(sys.stdin); assert "cannot read config file" in o["summary"]'; then
	ok "--format json: config file errors are JSON too"; else not_ok "--format json config errors" "$OUT"; fi
OUT=$("$P" --frobnicate --format=json); RC=$?
if [ "$RC" = 3 ] && printf '%s' "$OUT" | python3 -c 'import json,sys; o=json.load(sys.stdin); assert o["summary"] == "unknown option --frobnicate"'; then
	ok "--format=json: usage errors are JSON too"; else not_ok "--format=json usage errors" "$OUT"; fi

# --- verbosity and secrets -------------------------------------------------------
expect_check "-v names the search" WARNING "4 non-DC" -- "$P" "${C[@]}" -b "$SERVERS" -v
expect_output "searched line" "^Searched OU=Servers,DC=corp,DC=example on ldap://127.0.0.1:[0-9]+ "
dbg=$("$P" "${C[@]}" -b "$SERVERS" -vvv 2>&1 >/dev/null)
case $dbg in *"debug: connecting to $SLAPD_CORP_URI (StartTLS yes"*"debug: bind: simple as $SLAPD_CORP_BIND_DN, password from file"*"debug: filter (|(&(userAccountControl:1.2.840.113556.1.4.803:=524288)"*)
	ok "-vvv: debug messages on stderr";; *) not_ok "-vvv: debug messages on stderr" "$dbg";; esac
secret=$(cat "$PW")
all=$("$P" "${C[@]}" -b "$SERVERS" -vvv 2>&1; "$P" -H "$SLAPD_CORP_URI" -T --ca-file "$SLAPD_CA" -D "$SLAPD_CORP_BIND_DN" --password-file "$TEST_TMP/nope" 2>&1)
if [ -z "$secret" ]; then not_ok "the password never appears in output" "the password file is empty"
elif case $all in *"$secret"*) true;; *) false;; esac; then not_ok "the password never appears in output" "$all"
elif ! { case $all in *"debug: bind: simple as"*) true;; *) false;; esac &&
	  case $all in *"AD UNCONSTRAINED WARNING - 4 non-DC"*) true;; *) false;; esac &&
	  case $all in *"AD UNCONSTRAINED UNKNOWN - cannot open password file $TEST_TMP/nope: No such file"*) true;; *) false;; esac; }; then
	not_ok "the password never appears in output" "the runs did not print what was expected:" "$all"
else ok "the password never appears in output, even with -vvv"; fi

# --- bad input: one line, the right state ----------------------------------------
bad() {   # bad DESC ERE args...
	local d=$1 e=$2; shift 2
	expect_check "bad input: $d" UNKNOWN "^AD UNCONSTRAINED UNKNOWN - $e" -- "$P" "$@"
}
chmod 644 "$TEST_TMP/ex.conf"
printf 'wrong-password\n' >"$TEST_TMP/wrong.pw"; chmod 600 "$TEST_TMP/wrong.pw"
cp "$PW" "$TEST_TMP/world.pw"; chmod 644 "$TEST_TMP/world.pw"
printf 'defaults = {\n  hostname = "x"\n  warning = ;\n};\n' >"$TEST_TMP/syntax.conf"
printf 'defaults = { hostname = "x"; frobnicate = 1; };\n' >"$TEST_TMP/unknown.conf"
printf 'check_ad_unconstrained = { exceptions = ( { account = "A"; } ); };\n' >"$TEST_TMP/noreason.conf"
bad "range start > end" "invalid unconstrained warning threshold '5:1': start is greater than end" "${C[@]}" -w 5:1
bad "range not a number" "invalid unconstrained critical threshold 'abc'" "${C[@]}" -c abc
bad "unknown option" "unknown option --frobnicate" "${C[@]}" --frobnicate
bad "missing value" "option -w needs a value" "${C[@]}" -w
bad "no server" "no directory server given" -D x
bad "unexpected argument" "unexpected argument 'extra'" "${C[@]}" extra
bad "bad URI scheme" "invalid LDAP URI 'http://127.0.0.1/'" -H http://127.0.0.1/
bad "bad host" "invalid host name 'a b'" -H "a b"
bad "port out of range" "--port 70000: port must be a number from 1 to 65535" -H x -p 70000
bad "port with a URI" "give the port and scheme inside the URI" -H "$SLAPD_CORP_URI" -p 389
bad "nothing listening" "cannot connect to ldap://127.0.0.1:$SLAPD_NOTHING_PORT: Can't contact LDAP server" -H "$SLAPD_NOTHING_URI" -T "${AUTH[@]}"
bad "wrong CA (LDAPS)" "TLS handshake with $SLAPD_CORP_LDAPS_URI failed: the server certificate was not accepted \(not signed by the CA in $SLAPD_WRONG_CA" \
	-H "$SLAPD_CORP_LDAPS_URI" --ca-file "$SLAPD_WRONG_CA" "${AUTH[@]}"
bad "wrong CA (StartTLS)" "TLS handshake \(StartTLS\) on $SLAPD_CORP_URI failed" -H "$SLAPD_CORP_URI" -T --ca-file "$SLAPD_WRONG_CA" "${AUTH[@]}"
bad "wrong password: the server's reason" "simple bind as $SLAPD_CORP_BIND_DN to $SLAPD_CORP_URI: Invalid credentials \(49\)" \
	-H "$SLAPD_CORP_URI" -T --ca-file "$SLAPD_CA" -D "$SLAPD_CORP_BIND_DN" --password-file "$TEST_TMP/wrong.pw"
bad "plaintext simple bind refused" "refusing a simple bind on $SLAPD_CORP_URI without TLS" -H "$SLAPD_CORP_URI" "${AUTH[@]}"
bad "world-readable password file" "password file $TEST_TMP/world.pw is accessible by others \(mode 0644\)" \
	-H "$SLAPD_CORP_URI" -T --ca-file "$SLAPD_CA" -D "$SLAPD_CORP_BIND_DN" --password-file "$TEST_TMP/world.pw"
bad "missing password file" "cannot open password file $TEST_TMP/nope" -H "$SLAPD_CORP_URI" -T -D x --password-file "$TEST_TMP/nope"
bad "bind DN without a password" "no password for x: use --password-file" -H "$SLAPD_CORP_URI" -T -D x
bad "missing config file" "cannot read config file $TEST_TMP/missing.conf" --config "$TEST_TMP/missing.conf"
bad "config syntax error" "config file $TEST_TMP/syntax.conf line 3: syntax error" --config "$TEST_TMP/syntax.conf"
bad "unknown config setting" "config file line 1: unknown setting 'frobnicate'" --config "$TEST_TMP/unknown.conf"
bad "exception without reason" "config file $TEST_TMP/noreason.conf line 1: each entry of 'exceptions' needs" -H x --config "$TEST_TMP/noreason.conf"
bad "missing --section" "config file $TEST_TMP/ex.conf has no section 'nosuch'" --config "$TEST_TMP/ex.conf" --section nosuch
bad "--section without --config" "--section needs --config" -H x --section a
bad "base DN that does not exist" "base DN 'OU=Nope,DC=corp,DC=example' does not exist on $SLAPD_CORP_URI \(nearest existing entry: dc=corp,dc=example\)" \
	"${C[@]}" -b "OU=Nope,DC=corp,DC=example"
bad "bad timeout" "--timeout abc: timeout must be a whole number" "${C[@]}" -t abc
bad "zero timeout" "--timeout 0: timeout must be between 1 and 86400" "${C[@]}" -t 0
bad "bad timeout state" "--timeout 5:MAYBE: timeout state must be" "${C[@]}" -t 5:MAYBE
bad "--ssl with --starttls" "--ssl and --starttls exclude each other" -H x -S -T
bad "unsupported SASL mechanism" "--sasl-mech PLAIN: SASL mechanism must be GSSAPI or EXTERNAL" -H x -Y PLAIN
bad "--keytab without GSSAPI" "--keytab needs --sasl-mech GSSAPI" -H x --keytab /etc/krb5.keytab
bad "bad --new-is" "--new-is SOMETIMES: state must be" "${C[@]}" --new-is SOMETIMES
# a lock another run keeps too long: given up a second before -t, the
# findings still reported (not the backstop's timeout line)
flock -o "$TEST_TMP/held.lock" sleep 8 & holder=$!
sleep 0.3
t0=$SECONDS
expect_check "state file locked by another run: UNKNOWN before -t, findings kept" UNKNOWN \
	"^AD UNCONSTRAINED UNKNOWN - cannot lock state file $TEST_TMP/held.lock: another run still holds it after [0-9.]+ s; 4 non-DC accounts" \
	-- "$P" "${C[@]}" -b "$SERVERS" --state-file "$TEST_TMP/held" -w 10 -t 3
if [ $((SECONDS - t0)) -le 3 ]; then ok "gave up on the lock in time ($((SECONDS - t0)) s for -t 3)"; else not_ok "gave up on the lock in time" "$((SECONDS - t0)) s"; fi
kill "$holder" 2>/dev/null; wait "$holder" 2>/dev/null
expect_check "the lock free again: the state file works" OK "^AD UNCONSTRAINED OK - 4 non-DC" \
	-- "$P" "${C[@]}" -b "$SERVERS" --state-file "$TEST_TMP/held" -w 10 -t 3
# a state file that cannot be used: UNKNOWN with the reason first, the
# findings still there (a broken state file must not hide offenders)
expect_check "state file in a missing directory: UNKNOWN, findings kept" UNKNOWN \
	"^AD UNCONSTRAINED UNKNOWN - cannot lock state file /nonexistent/dir/s.lock: No such file or directory; 4 non-DC accounts trusted for unconstrained delegation \\(4 computers" \
	-- "$P" "${C[@]}" -b "$SERVERS" --state-file /nonexistent/dir/s -w 10
expect_perf unconstrained 4
expect_output "offenders still listed" '^computer SQL01\$ '
expect_check "state file failure does not lower CRITICAL" CRITICAL \
	"^AD UNCONSTRAINED CRITICAL - cannot lock state file /nonexistent/dir/s.lock: No such file or directory; 4 non-DC" \
	-- "$P" "${C[@]}" -b "$SERVERS" --state-file /nonexistent/dir/s -c 1
t0=$SECONDS
bad "server that never answers: timeout" "timed out after 2 s while searching for the base DN|timed out after 2 s while connecting to" -H "$SLAPD_HOLE_URI" --allow-plaintext "${AUTH[@]}" -t 2
if [ $((SECONDS - t0)) -le 4 ]; then ok "timeout honoured ($((SECONDS - t0)) s for -t 2)"; else not_ok "timeout honoured" "$((SECONDS - t0)) s"; fi
t0=$SECONDS
bad "no -t: the default timeout is 10 s" "timed out after 10 s while (searching for the base DN|connecting to)" -H "$SLAPD_HOLE_URI" --allow-plaintext "${AUTH[@]}"
if [ $((SECONDS - t0)) -ge 9 ] && [ $((SECONDS - t0)) -le 12 ]; then ok "default timeout honoured ($((SECONDS - t0)) s)"; else not_ok "default timeout honoured" "$((SECONDS - t0)) s"; fi
expect_check "-t 2:CRITICAL gives CRITICAL" CRITICAL "^AD UNCONSTRAINED CRITICAL - timed out after 2 s while" -- "$P" -H "$SLAPD_HOLE_URI" --allow-plaintext "${AUTH[@]}" -t 2:CRITICAL

# --- the command line wins over the config's transport ----------------------------
expect_stderr() {  # expect_stderr DESC REGEX: the last expect_check's stderr matches
	if grep -Eq -- "$2" "$TEST_TMP/stderr"; then ok "$1"; else not_ok "$1" "stderr lacks /$2/" "$(head -c 800 "$TEST_TMP/stderr")"; fi
}
cat >"$TEST_TMP/ldaps.conf" <<CONF
defaults = { hostname = "127.0.0.1"; port = $SLAPD_CORP_LDAPS_PORT; ssl = true; ca_file = "$SLAPD_CA";
  bind_dn = "$SLAPD_CORP_BIND_DN"; password_file = "$PW"; base = "$SERVERS"; warning = "10"; };
CONF
cat >"$TEST_TMP/starttls.conf" <<CONF
defaults = { hostname = "$SLAPD_CORP_URI"; starttls = true; insecure = true; ca_file = "$SLAPD_WRONG_CA";
  bind_dn = "$SLAPD_CORP_BIND_DN"; password_file = "$PW"; base = "$SERVERS"; warning = "10"; };
CONF
expect_check "config LDAPS on its own" OK "^AD UNCONSTRAINED OK - 4 non-DC" -- "$P" --config "$TEST_TMP/ldaps.conf"
expect_check "-H ldap:// URI replaces the config's port and ssl" OK "^AD UNCONSTRAINED OK - 4 non-DC" \
	-- "$P" --config "$TEST_TMP/ldaps.conf" -H "$SLAPD_CORP_URI" -T -vv
expect_stderr "connected as the command line says" "^debug: connecting to $SLAPD_CORP_URI \(StartTLS yes"
expect_check "-T replaces the config's ssl = true" OK "^AD UNCONSTRAINED OK - 4 non-DC" \
	-- "$P" --config "$TEST_TMP/ldaps.conf" -T -p "$SLAPD_CORP_PORT" -vv
expect_stderr "StartTLS on the plain port" "^debug: connecting to ldap://127.0.0.1:$SLAPD_CORP_PORT \(StartTLS yes"
expect_check "-S replaces the config's starttls = true" OK "^AD UNCONSTRAINED OK - 4 non-DC" \
	-- "$P" --config "$TEST_TMP/starttls.conf" -H 127.0.0.1 -S -p "$SLAPD_CORP_LDAPS_PORT" -vv
expect_stderr "LDAPS, no StartTLS" "^debug: connecting to ldaps://127.0.0.1:$SLAPD_CORP_LDAPS_PORT \(StartTLS no"
expect_check "-H ldaps:// URI replaces the config's starttls" OK "^AD UNCONSTRAINED OK - 4 non-DC" \
	-- "$P" --config "$TEST_TMP/starttls.conf" -H "$SLAPD_CORP_LDAPS_URI"
expect_check "config insecure = true: the wrong CA is not checked" OK "^AD UNCONSTRAINED OK - 4 non-DC" \
	-- "$P" --config "$TEST_TMP/starttls.conf"
expect_check "--insecure=false switches the config's insecure off: the wrong CA fails" UNKNOWN \
	"^AD UNCONSTRAINED UNKNOWN - .*certificate" -- "$P" --config "$TEST_TMP/starttls.conf" --insecure=false
expect_check "--insecure=false with the right CA" OK "^AD UNCONSTRAINED OK - 4 non-DC" \
	-- "$P" --config "$TEST_TMP/starttls.conf" --insecure=false --ca-file "$SLAPD_CA"
expect_check "--insecure=maybe is refused" UNKNOWN "^AD UNCONSTRAINED UNKNOWN - --insecure=maybe: must be true or false$" \
	-- "$P" --config "$TEST_TMP/starttls.conf" --insecure=maybe
cat >"$TEST_TMP/uri.conf" <<CONF
defaults = { hostname = "$SLAPD_CORP_LDAPS_URI"; ca_file = "$SLAPD_CA";
  bind_dn = "$SLAPD_CORP_BIND_DN"; password_file = "$PW"; base = "$SERVERS"; warning = "10"; };
CONF
expect_check "-T with -p over a config ldaps:// URI: StartTLS to the same host" OK "^AD UNCONSTRAINED OK - 4 non-DC" \
	-- "$P" --config "$TEST_TMP/uri.conf" -T -p "$SLAPD_CORP_PORT" -vv
expect_stderr "StartTLS on the host of the config's URI" "^debug: connecting to ldap://127.0.0.1:$SLAPD_CORP_PORT \(StartTLS yes"
expect_check "-p over a config ldaps:// URI keeps its scheme" OK "^AD UNCONSTRAINED OK - 4 non-DC" \
	-- "$P" --config "$TEST_TMP/uri.conf" -p "$SLAPD_CORP_LDAPS_PORT" -vv
expect_stderr "LDAPS kept" "^debug: connecting to ldaps://127.0.0.1:$SLAPD_CORP_LDAPS_PORT \(StartTLS no"
expect_check "a bare -H over a config ldaps:// URI keeps LDAPS" OK "^AD UNCONSTRAINED OK - 4 non-DC" \
	-- "$P" --config "$TEST_TMP/uri.conf" -H 127.0.0.1 -p "$SLAPD_CORP_LDAPS_PORT" -vv
expect_stderr "LDAPS to the new host" "^debug: connecting to ldaps://127.0.0.1:$SLAPD_CORP_LDAPS_PORT \(StartTLS no"
expect_check "a bare -H with -T over a config ldaps:// URI: StartTLS" OK "^AD UNCONSTRAINED OK - 4 non-DC" \
	-- "$P" --config "$TEST_TMP/uri.conf" -H 127.0.0.1 -T -p "$SLAPD_CORP_PORT"
cat >"$TEST_TMP/layers.conf" <<CONF
defaults = { hostname = "127.0.0.1"; port = $SLAPD_CORP_LDAPS_PORT; ssl = true; ca_file = "$SLAPD_CA";
  bind_dn = "$SLAPD_CORP_BIND_DN"; password_file = "$PW"; base = "$SERVERS"; warning = "10"; };
check_ad_unconstrained = { starttls = true; port = $SLAPD_CORP_PORT; };
uri = { hostname = "$SLAPD_CORP_URI"; starttls = true; };
clash = { ssl = true; starttls = true; };
CONF
expect_check "the section's starttls sets aside the defaults' ssl" OK "^AD UNCONSTRAINED OK - 4 non-DC" \
	-- "$P" --config "$TEST_TMP/layers.conf" -vv
expect_stderr "StartTLS from the section" "^debug: connecting to ldap://127.0.0.1:$SLAPD_CORP_PORT \(StartTLS yes"
expect_check "the section's URI sets aside the defaults' port and ssl" OK "^AD UNCONSTRAINED OK - 4 non-DC" \
	-- "$P" --config "$TEST_TMP/layers.conf" --section uri
expect_check "ssl and starttls in one section still clash" UNKNOWN "^AD UNCONSTRAINED UNKNOWN - --ssl and --starttls exclude each other" \
	-- "$P" --config "$TEST_TMP/layers.conf" --section clash
# the layering, case by case: where each combination connects (a refused
# port on 127.0.0.1: only the debug line and the error are looked at)
NP=$SLAPD_NOTHING_PORT
printf 'defaults = { hostname = "ldaps://127.0.0.1:%s"; };\n' "$NP" >"$TEST_TMP/lu.conf"
printf 'defaults = { hostname = "ldaps://localhost"; };\n' >"$TEST_TMP/lu0.conf"
printf 'defaults = { ssl = true; hostname = "ldap://127.0.0.1"; };\n' >"$TEST_TMP/lc1.conf"
printf 'defaults = { hostname = "ldaps://127.0.0.1:%s"; port = 3268; };\n' "$NP" >"$TEST_TMP/lc2.conf"
printf 'defaults = { hostname = "127.0.0.1"; port = %s; ssl = true; };\n' "$NP" >"$TEST_TMP/lp.conf"
layer_case() {   # layer_case DESC WANT(ERE on the debug/UNKNOWN lines) CONF ARGS...
	local d=$1 want=$2 conf=$3 got; shift 3
	got=$("$P" --config "$TEST_TMP/$conf.conf" -Y GSSAPI -t 2 -vv "$@" 2>&1 | grep -E "^debug: connecting to|UNKNOWN" | head -2)
	if printf '%s\n' "$got" | grep -Eq -- "$want"; then ok "layers: $d"; else not_ok "layers: $d" "wanted /$want/" "$got"; fi
}
layer_case "--starttls=false then a bare -H over an ldaps:// URI: LDAPS, its port" "^debug: connecting to ldaps://localhost:$NP \(StartTLS no" lu --starttls=false -H localhost
layer_case "a bare -H then --starttls=false: the same" "^debug: connecting to ldaps://localhost:$NP \(StartTLS no" lu -H localhost --starttls=false
layer_case "a bare -H over ldaps:// without a port: LDAPS on 636" "^debug: connecting to ldaps://127.0.0.1:636 \(StartTLS no" lu0 -H 127.0.0.1
layer_case "-S over an ldaps:// URI keeps its port" "^debug: connecting to ldaps://127.0.0.1:$NP \(StartTLS no" lu -S
layer_case "-T over an ldaps:// URI: StartTLS on 389" "^debug: connecting to ldap://127.0.0.1:389 \(StartTLS yes" lu -T
layer_case "a bare -H and -T over an ldaps:// URI: StartTLS on 389" "^debug: connecting to ldap://localhost:389 \(StartTLS yes" lu -H localhost -T
layer_case "-T over ssl = true and its port: StartTLS on 389" "^debug: connecting to ldap://127.0.0.1:389 \(StartTLS yes" lp -T
layer_case "-p over an ldaps:// URI: LDAPS on that port" "^debug: connecting to ldaps://127.0.0.1:1636 \(StartTLS no" lu -p 1636
layer_case "a clash within the config stays an error under -p" "UNKNOWN - give the port and scheme inside the URI" lc1 -p 1389
layer_case "a clash within the config stays an error under -S" "UNKNOWN - give the port and scheme inside the URI" lc2 -S
expect_check "-S and -T together on the command line still clash" UNKNOWN "^AD UNCONSTRAINED UNKNOWN - --ssl and --starttls exclude each other" \
	-- "$P" --config "$TEST_TMP/starttls.conf" -S -T

# --- a server that cuts a paged search short -----------------------------------------
slapd_start capped "$TEST_TMP/corp.ldif" --prtotal 1200 || not_ok "slapd capped starts"
expect_check "a paged search cut short by the server is UNKNOWN, never a smaller count" UNKNOWN \
	"^AD UNCONSTRAINED UNKNOWN - search on $SLAPD_CAPPED_URI hit the server's size limit even though results were paged; the answer would be incomplete$" \
	-- "$P" -H "$SLAPD_CAPPED_URI" --allow-plaintext -D "$SLAPD_CAPPED_BIND_DN" --password-file "$PW"
expect_no_output "no count from a short answer" "unconstrained="
slapd_stop capped

# --- SASL EXTERNAL -------------------------------------------------------------------
# over slapd's unix socket the peer's uid is the identity (mapped to the
# monitor account); no DN, no password
expect_check "-Y EXTERNAL over ldapi://" WARNING "^AD UNCONSTRAINED WARNING - 4 non-DC" \
	-- "$P" -H "$SLAPD_CORP_LDAPI_URI" -Y EXTERNAL -b "$SERVERS" -vv
expect_stderr "bound with SASL EXTERNAL" "^debug: bind: SASL EXTERNAL$"
expect_check "-Y external is case-insensitive" WARNING "^AD UNCONSTRAINED WARNING - 4 non-DC" \
	-- "$P" -H "$SLAPD_CORP_LDAPI_URI" -Y external -b "$SERVERS"
expect_check "-Y EXTERNAL over TCP without a client certificate: refused, named" UNKNOWN \
	"^AD UNCONSTRAINED UNKNOWN - SASL EXTERNAL bind to $SLAPD_CORP_URI" -- "$P" -H "$SLAPD_CORP_URI" -T --ca-file "$SLAPD_CA" -Y EXTERNAL -b "$SERVERS"

# --- a userAccountControl the check cannot read -----------------------------------
# 0x100080000 has TRUSTED_FOR_DELEGATION in its low bits, so the server's
# filter matches, but it is no 32-bit AD value: whether the account is a DC
# cannot be told, so the check says so instead of guessing
cp "$TEST_TMP/empty.ldif" "$TEST_TMP/baduac.ldif"
printf '\ndn: CN=ODD01,CN=Computers,DC=corp,DC=example\nobjectClass: top\nobjectClass: person\nobjectClass: organizationalPerson\nobjectClass: user\nobjectClass: computer\ncn: ODD01\nsn: ODD01\nsAMAccountName: ODD01$\nuserAccountControl: %s\n' $((0x100080000)) >>"$TEST_TMP/baduac.ldif"
slapd_start baduac "$TEST_TMP/baduac.ldif" --tls || not_ok "slapd baduac starts"
expect_check "userAccountControl out of range: UNKNOWN, named" UNKNOWN \
	"^AD UNCONSTRAINED UNKNOWN - cn=ODD01,cn=Computers,dc=corp,dc=example: userAccountControl is missing or not a 32-bit number" \
	-- "$P" -H "$SLAPD_BADUAC_URI" -T --ca-file "$SLAPD_CA" -D "$SLAPD_BADUAC_BIND_DN" --password-file "$PW"
slapd_stop baduac

# --- help and version ---------------------------------------------------------------
OUT=$("$P" --help); RC=$?
if [ "$RC" = 3 ] && printf '%s\n' "$OUT" | grep -q -- "--exclude-disabled" && printf '%s\n' "$OUT" | grep -q "^Usage:"; then ok "--help on stdout, exit 3"; else not_ok "--help" "rc=$RC"; fi
OUT=$("$P" -V); RC=$?
if [ "$RC" = 3 ] && [ "$OUT" = "check_ad_unconstrained 0.1.0 (ad-delegation-plugins)" ]; then ok "--version, exit 3"; else not_ok "--version" "rc=$RC $OUT"; fi
tap_done
