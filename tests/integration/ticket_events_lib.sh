# tests/integration/ticket_events_lib.sh - helpers of the t_ticket_events*
# scripts: the real samples, JSON lines rewritten from them, valgrind.
# Source after tests/lib/tap.sh.
#
#   EV_DATA       tests/data/events
#   WLB6          the Winlogbeat 6 sample (6 real lines)
#   wlb6_line N   line N (1-6) of it
#   nxlog_line ID the first NXLog line of event ID from the getsession sample
#   ev_json EDIT... <in >out
#                 rewrites JSON lines with perl's core JSON::PP:
#                   PATH=TEXT    set a string (PATH: dot separated keys)
#                   PATH:=JSON   set any JSON value (a number, null, ...)
#                   -PATH        delete
#                   @wlb7        reshape a Winlogbeat 6 line into Winlogbeat 7
#                                / ECS (winlog.event_id as a string,
#                                winlog.event_data, winlog.provider_name, ...)
#   run_valgrind DESC STATE ERE -- args...
#                 expect_check on the plain build under valgrind
#                 (--leak-check=full --error-exitcode=99); skipped without
#                 valgrind or when VALGRIND_BUILDDIR is a sanitizer build,
#                 a failing case when its plugin binary is missing
#   expect_secret_absent DESC SECRET TEXT
#                 ok when TEXT holds a plugin's status line (so is not empty)
#                 and SECRET (not empty) is nowhere in it
#
# A missing plugin binary is a failing case, and ends the script: every
# check after it would fail, or pass on empty output.

EV_DATA=$TOP_SRCDIR/tests/data/events
WLB6=$EV_DATA/json/otrf_winlogbeat6_kerberos.jsonl
P=$PLUGINDIR/check_ad_ticket_events
if [ ! -x "$P" ] || [ ! -f "$P" ]; then
	not_ok "check_ad_ticket_events is built" "no executable $P (PLUGINDIR=$PLUGINDIR)"
	tap_done
	exit 1
fi

wlb6_line() { sed -n "${1}p" "$WLB6"; }
nxlog_line() {
	gzip -dc "$EV_DATA/json/otrf_nxlog_getsession_netsessenum.jsonl.gz" |
		grep -m 1 "\"EventID\":$1,"
}

ev_json() {
	perl -CA -MJSON::PP -e '
		use strict; use warnings;
		my $js = JSON::PP->new->utf8->allow_nonref;
		sub walk {
			my ($o, $path, $create) = @_;
			my @p = split /\./, $path;
			my $k = pop @p;
			for my $part (@p) {
				$o->{$part} = {} if $create && ref $o->{$part} ne "HASH";
				return () unless ref $o->{$part} eq "HASH";
				$o = $o->{$part};
			}
			return ($o, $k);
		}
		sub wlb7 {
			my $o = shift;
			my %w = (event_id => "$o->{event_id}", event_data => $o->{event_data},
				 provider_name => $o->{source_name},
				 computer_name => $o->{computer_name},
				 record_id => $o->{record_number}, channel => $o->{log_name});
			return { "\@timestamp" => $o->{"\@timestamp"}, winlog => \%w,
				 event => { code => "$o->{event_id}", kind => "event" },
				 host => { name => $o->{host}{name} }, message => $o->{message},
				 ecs => { version => "1.0.0" } };
		}
		while (my $line = <STDIN>) {
			chomp $line;
			my $o = $js->decode($line);
			for my $e (@ARGV) {
				if ($e eq "\@wlb7") { $o = wlb7($o); }
				elsif ($e =~ /^-(.+)$/s) { my ($h, $k) = walk($o, $1, 0); delete $h->{$k} if $h; }
				elsif ($e =~ /^([^=]+?):=(.*)$/s) { my ($h, $k) = walk($o, $1, 1); $h->{$k} = $js->decode($2); }
				elsif ($e =~ /^([^=]+?)=(.*)$/s) { my ($h, $k) = walk($o, $1, 1); $h->{$k} = $2; }
				else { die "ev_json: bad edit $e\n"; }
			}
			print $js->encode($o), "\n";
		}' -- "$@"
}

run_valgrind() {
	local desc=$1 state=$2 ere=$3; shift 3
	[ "$1" = "--" ] && shift
	if ! command -v valgrind >/dev/null 2>&1; then skip "valgrind: $desc" "valgrind not installed"; return; fi
	local vp=${VALGRIND_BUILDDIR:-$BUILDDIR}/plugins/check_ad_ticket_events
	if [ ! -x "$vp" ] || [ ! -f "$vp" ]; then
		not_ok "valgrind: $desc" "no plugin binary at $vp (VALGRIND_BUILDDIR=${VALGRIND_BUILDDIR:-})"
		return
	fi
	if [ -n "$(nm "$vp" 2>/dev/null | grep -m 1 __asan_init)" ]; then
		skip "valgrind: $desc" "$vp is a sanitizer build (set VALGRIND_BUILDDIR)"; return
	fi
	expect_check "valgrind: $desc" "$state" "$ere" -- valgrind -q --leak-check=full \
		--errors-for-leak-kinds=definite,indirect,possible --error-exitcode=99 "$vp" "$@"
	if grep -q '==[0-9]*==' "$TEST_TMP/stderr"; then
		not_ok "valgrind: $desc: no report" "$(head -c 2000 "$TEST_TMP/stderr")"
	else
		ok "valgrind: $desc: no report"
	fi
}

expect_secret_absent() {
	local desc=$1 secret=$2 text=$3
	if [ -z "$secret" ]; then
		not_ok "$desc" "the secret to look for is empty"
	elif [ -z "$text" ]; then
		not_ok "$desc" "no output at all: nothing to look in"
	elif ! printf '%s\n' "$text" | grep -Eq '^AD TICKET EVENTS (OK|WARNING|CRITICAL|UNKNOWN)( - |: |$)'; then
		not_ok "$desc" "not a plugin's output:" "$(printf '%s' "$text" | head -c 500)"
	else
		case $text in
		*"$secret"*) not_ok "$desc" "the secret appears in the output";;
		*) ok "$desc";;
		esac
	fi
}
