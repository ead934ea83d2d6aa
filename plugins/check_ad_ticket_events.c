/* SPDX-License-Identifier: GPL-3.0-or-later */
/* check_ad_ticket_events - Kerberos ticket events (4768, 4769, 4770) of
 * accounts from trusted domains in domain controller logs (EVTX, JSON
 * lines), and among them forwarded tickets: delegated TGTs crossing a
 * trust. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "connect.h"
#include "events_directory.h"
#include "events_input.h"
#include "events_realms.h"
#include "events_report.h"
#include "events_tally.h"
#include "jsonl_reader.h"
#include "options.h"
#include "output.h"
#include "range.h"
#include "statefile.h"
#include "strlist.h"
#include "timeout.h"
#include "timeparse.h"

#define PROGNAME "check_ad_ticket_events"
#define SERVICE "AD TICKET EVENTS"
#define DEFAULT_SINCE "15m"
#define DEFAULT_CRITICAL_FORWARDED "0"
/* Incremental reads stop early, to save where they got, when less than
 * this much of the timeout is left (seconds plus a share of -t). */
#define TIME_RESERVE_SECONDS 1.0
#define TIME_RESERVE_SHARE 0.1

enum {
	OPT_EVTX = OPT_PLUGIN,
	OPT_JSONL,
	OPT_SINCE,
	OPT_NOW,
	OPT_EVENT_TZ,
	OPT_REALM,
	OPT_REALMS_FROM_LDAP,
	OPT_LOCAL_DOMAIN,
	OPT_WARNING_FORWARDED,
	OPT_CRITICAL_FORWARDED,
	OPT_STATE_FILE,
};

static const ad_option plugin_options[] = {
	{"evtx", true, OPT_EVTX, "FILE",
	 "Read an exported Windows event log (.evtx); repeatable.  Records that\n"
	 "cannot be parsed are skipped and counted (unreadable)"},
	{"jsonl", true, OPT_JSONL, "FILE",
	 "Read JSON lines (NXLog, Winlogbeat 6, Winlogbeat 7+/ECS); repeatable.\n"
	 "'-' reads standard input; gzip data is read transparently"},
	{"since", true, OPT_SINCE, "DURATION",
	 "Length of the window before --now: 90s, 15m, 2h, 1d, 1w, 1h30m\n"
	 "(default " DEFAULT_SINCE ").  Both ends of the window count"},
	{"now", true, OPT_NOW, "TIME",
	 "End of the window (default: the current time): 2020-07-22T04:04:02Z,\n"
	 "...+02:00, '2020-07-22 04:04:02' (UTC) or @UNIXSECONDS"},
	{"event-tz", true, OPT_EVENT_TZ, "ZONE",
	 "Zone of NXLog EventTime values without offset, used when a line has\n"
	 "no @timestamp: UTC (default), +02:00, -0500"},
	{"realm", true, OPT_REALM, "NAME",
	 "A trusted domain, by DNS or NetBIOS name; repeatable"},
	{"realms-from-ldap", false, OPT_REALMS_FROM_LDAP, NULL,
	 "Read the trusted domains (trustPartner and flatName of every trust)\n"
	 "and the local domain's names from the directory given with -H"},
	{"local-domain", true, OPT_LOCAL_DOMAIN, "NAME",
	 "A name of the local domain (DNS or NetBIOS); never matched; repeatable"},
	{"warning-forwarded", true, OPT_WARNING_FORWARDED, "RANGE",
	 "Warning threshold for forwarded cross-trust tickets (none by default)"},
	{"critical-forwarded", true, OPT_CRITICAL_FORWARDED, "RANGE",
	 "Critical threshold for forwarded cross-trust tickets (default "
	 DEFAULT_CRITICAL_FORWARDED ";\n'~:' switches it off)"},
	{"state-file", true, OPT_STATE_FILE, "FILE",
	 "Incremental mode: remember where each input was read up to, and count\n"
	 "only events not seen by an earlier run (locked, written atomically)"},
	{0},
};

static const char help_description[] =
	"Counts, in a recent time window of domain controller Security logs, the\n"
	"Kerberos ticket events 4768 (TGT issued), 4769 (service ticket issued)\n"
	"and 4770 (service ticket renewed) of accounts from trusted domains, and\n"
	"among them those with the Forwarded ticket option (0x20000000): delegated\n"
	"TGTs crossing a trust.  Reads exported EVTX files and JSON lines from\n"
	"NXLog, Winlogbeat 6 and Winlogbeat 7+ (ECS), plain or gzip.";

static const char help_usage[] =
	"--evtx FILE ... and/or --jsonl FILE ... "
	"--realm NAME ... and/or --realms-from-ldap -H HOST [-S] [-T] "
	"[--ca-file FILE] [-D DN --password-file FILE] [-Y GSSAPI [--keytab FILE]] "
	"[-b BASE] [--local-domain NAME ...] [--since DURATION] [--now TIME] "
	"[--event-tz ZONE] [-w RANGE] [-c RANGE] [--warning-forwarded RANGE] "
	"[--critical-forwarded RANGE] [--state-file FILE] "
	"[--config FILE [--section NAME]] [-t SECONDS[:STATE]] [-v]";

static const char help_notes[] =
	"Thresholds: -w/-c apply to cross_trust, the number of cross-trust ticket\n"
	"events in the window (none by default: tickets for users of a trusted\n"
	"domain are normal business).  Forwarded cross-trust tickets are CRITICAL\n"
	"from the first one (--critical-forwarded 0).\n\n"
	"An event is cross-trust when its TargetDomainName, or the realm part of\n"
	"its TargetUserName (user@REALM), is a trusted name (case-insensitive)\n"
	"and not a local name.  Event time: @timestamp, else NXLog EventTime\n"
	"(see --event-tz), else the EVTX written time; an event without a usable\n"
	"time is counted as malformed.  Perfdata: cross_trust tgt_4768 st_4769\n"
	"renew_4770 forwarded failed (cross-trust events only), scanned (all\n"
	"ticket events in the window), malformed, unreadable, time.  UNKNOWN only\n"
	"when an input cannot be read at all; damage part-way is counted and named.\n\n"
	"Examples:\n"
	" check_ad_ticket_events --jsonl /var/log/dc/security.jsonl.gz \\\n"
	"   --realm PARTNER.EXAMPLE --realm PARTNER --local-domain CORP --since 1h\n"
	" check_ad_ticket_events --evtx /srv/export/dc1-security.evtx \\\n"
	"   --realms-from-ldap -H ldaps://dc1.corp.example \\\n"
	"   -D 'CN=svc-monitor,OU=Service,DC=corp,DC=example' \\\n"
	"   --password-file /etc/nagios/ad.secret \\\n"
	"   --state-file /var/lib/nagios/ticket-events.state";

struct input_arg {
	enum events_input_kind kind;
	char *path;
	bool has_id;          /* the file's identity, when it could be seen */
	dev_t dev;
	ino_t ino;
};

struct settings {
	struct input_arg *inputs;
	size_t ninputs;
	const char *since_text;
	int64_t since;
	bool has_now;
	int64_t now;
	int32_t event_tz;
	strlist realms, local_domains;
	bool realms_from_ldap;
	const char *forwarded_range[2]; /* warning, critical */
	const char *state_file;
	strlist duplicates;             /* inputs left out: the same file again */
	strlist owned;                  /* storage for the strings above */
};

static const char *keep(struct settings *s, const char *arg)
{
	strlist_add(&s->owned, arg);
	return s->owned.items[s->owned.n - 1];
}

static const char *option_of(enum events_input_kind kind)
{
	return kind == EVENTS_INPUT_EVTX ? "--evtx" : "--jsonl";
}

/* The identity (device and inode) of PATH, standard input for "-". */
static bool input_identity(const char *path, dev_t *dev, ino_t *ino)
{
	struct stat sb;

	if ((strcmp(path, JSONL_STDIN) == 0 ? fstat(STDIN_FILENO, &sb) : stat(path, &sb)) < 0)
		return false;
	*dev = sb.st_dev;
	*ino = sb.st_ino;
	return true;
}

/* Adds an input unless it is a file already given, under this name or
 * another (./f, a symlink, a hard link, /dev/stdin for "-"): that one is
 * read once, and -v says so.  An input that cannot be seen now is added as
 * it is; reading it reports the error. */
static int add_input(struct settings *s, enum events_input_kind kind, const char *path,
		     const char **err)
{
	struct input_arg in = { .kind = kind, .path = NULL };

	if (path[0] == '\0') {
		*err = "empty file name";
		return -1;
	}
	if (kind == EVENTS_INPUT_EVTX && strcmp(path, JSONL_STDIN) == 0) {
		*err = "standard input is read as JSON lines only (--jsonl -)";
		return -1;
	}
	in.has_id = input_identity(path, &in.dev, &in.ino);
	for (size_t i = 0; i < s->ninputs; i++) {
		const struct input_arg *o = &s->inputs[i];
		bool same = strcmp(o->path, path) == 0 ||
			    (in.has_id && o->has_id && o->dev == in.dev && o->ino == in.ino);

		if (!same)
			continue;
		if (o->kind != kind) {
			strlist_add_owned(&s->owned, xasprintf(
				"the same file as %s %s: a file is read either as EVTX or as JSON lines",
				option_of(o->kind), o->path));
			*err = s->owned.items[s->owned.n - 1];
			return -1;
		}
		strlist_add_owned(&s->duplicates, strcmp(o->path, path) == 0
			? xasprintf("%s %s is given more than once: read once", option_of(kind), path)
			: xasprintf("%s %s is the same file as %s: read once", option_of(kind), path,
				    o->path));
		return 0;
	}
	in.path = xstrdup(path);
	s->inputs = xrealloc(s->inputs, (s->ninputs + 1) * sizeof(*s->inputs));
	s->inputs[s->ninputs++] = in;
	return 0;
}

static int apply_option(void *ctx, int key, const char *arg, const char **err)
{
	struct settings *s = ctx;

	switch (key) {
	case OPT_EVTX: return add_input(s, EVENTS_INPUT_EVTX, arg, err);
	case OPT_JSONL: return add_input(s, EVENTS_INPUT_JSONL, arg, err);
	case OPT_SINCE:
		if (timeparse_duration(arg, &s->since, err) < 0)
			return -1;
		if (s->since == 0) {
			*err = "the window must be longer than 0 seconds";
			return -1;
		}
		s->since_text = keep(s, arg);
		return 0;
	case OPT_NOW:
		s->has_now = true;
		return timeparse_absolute(arg, &s->now, err);
	case OPT_EVENT_TZ: return timeparse_zone_offset(arg, &s->event_tz, err);
	case OPT_REALM:
	case OPT_LOCAL_DOMAIN:
		if (arg[0] == '\0') {
			*err = "empty domain name";
			return -1;
		}
		strlist_add(key == OPT_REALM ? &s->realms : &s->local_domains, arg);
		return 0;
	case OPT_REALMS_FROM_LDAP: s->realms_from_ldap = (arg == NULL); return 0;
	case OPT_WARNING_FORWARDED: s->forwarded_range[0] = keep(s, arg); return 0;
	case OPT_CRITICAL_FORWARDED: s->forwarded_range[1] = keep(s, arg); return 0;
	case OPT_STATE_FILE: s->state_file = keep(s, arg); return 0;
	default: return -1;
	}
}

static void settings_free(struct settings *s)
{
	for (size_t i = 0; i < s->ninputs; i++)
		free(s->inputs[i].path);
	free(s->inputs);
	strlist_free(&s->realms);
	strlist_free(&s->local_domains);
	strlist_free(&s->duplicates);
	strlist_free(&s->owned);
}

/* List settings of the config file (realm = ["A", "B"];), which the option
 * parser leaves to the plugin; scalars were applied as options already. */
static void apply_config_lists(const ad_config *cfg, const ad_plugin_spec *spec,
			       struct settings *s)
{
	static const struct {
		const char *key;
		int option;
	} lists[] = {
		{"realm", OPT_REALM}, {"local_domain", OPT_LOCAL_DOMAIN},
		{"evtx", OPT_EVTX}, {"jsonl", OPT_JSONL},
	};

	for (size_t i = 0; cfg != NULL && i < sizeof(lists) / sizeof(lists[0]); i++) {
		const config_setting_t *l = ad_config_lookup(cfg, lists[i].key);
		const char *err = "bad value";

		if (l == NULL || !(config_setting_is_array(l) || config_setting_is_list(l)))
			continue;
		for (int k = 0; k < config_setting_length(l); k++) {
			const char *v = config_setting_get_string_elem(l, k);
			if (v != NULL && apply_option(s, lists[i].option, v, &err) == 0)
				continue;
			ad_usage_die(spec, "%s: config setting %s, element %d: %s", ad_config_path(cfg),
				     lists[i].key, k + 1, v ? err : "not a string");
		}
	}
}

static bool out_of_time(const void *ctx)
{
	const unsigned *timeout = ctx;

	return mp_timeout_remaining() < TIME_RESERVE_SECONDS + TIME_RESERVE_SHARE * *timeout;
}

/* Trusted and local names from the options and, if asked, the directory. */
static void load_realms(const struct settings *s, const ad_common_opts *opts,
			struct events_realms *r, strlist *notes, mp_check *chk)
{
	for (size_t i = 0; i < s->local_domains.n; i++)
		events_realms_add_local(r, s->local_domains.items[i]);
	for (size_t i = 0; i < s->realms.n; i++) {
		if (events_realms_is_local(r, s->realms.items[i]))
			mp_check_line(chk, "--realm %s is a name of the local domain: never matched",
				      s->realms.items[i]);
		events_realms_add_trusted(r, s->realms.items[i], NULL);
	}
	if (s->realms_from_ldap) {
		char *base = NULL, *err = NULL;
		ad_ldap *ldap;

		mp_timeout_stage("connecting to %s", opts->hostname);
		ldap = ad_connect(opts, mp_timeout_remaining() + 1, &base, &err);
		if (ldap == NULL)
			mp_die(MP_UNKNOWN, "%s", err);
		mp_timeout_stage("reading the trusts of %s on %s", base, ad_ldap_uri(ldap));
		if (events_realms_from_directory(ldap, base, r, notes, &err) < 0)
			mp_die(MP_UNKNOWN, "%s", err);
		strlist_add_owned(notes, xasprintf("Realms read from %s, base %s", ad_ldap_uri(ldap),
						   base));
		ad_ldap_close(ldap);
		free(base);
	}
}

static void check_usage(const struct settings *s, const ad_common_opts *o,
			const ad_plugin_spec *spec)
{
	if (s->ninputs == 0)
		ad_usage_die(spec, "no input given (--evtx FILE or --jsonl FILE)");
	if (s->realms.n == 0 && !s->realms_from_ldap)
		ad_usage_die(spec, "no trusted realm given (--realm NAME or --realms-from-ldap)");
	if (s->realms_from_ldap && o->hostname == NULL)
		ad_usage_die(spec, "--realms-from-ldap needs a directory server (-H HOST or a URI)");
}

/* Opens (and locks, for the whole run) the state file of incremental mode. */
static ad_state *open_state(const char *path, mp_check *chk)
{
	ad_state_status status = AD_STATE_MISSING;
	char *note = NULL, *err = NULL;
	ad_state *state;

	mp_timeout_stage("waiting for the lock of %s", path);
	state = ad_state_open(path, PROGNAME, &status, &note, &err);
	if (state == NULL)
		mp_die(MP_UNKNOWN, "%s", err);
	if (status == AD_STATE_CORRUPT)
		mp_check_line(chk, "%s", note);
	else if (status == AD_STATE_MISSING)
		mp_check_line(chk, "State file %s created: inputs read whole this time", path);
	free(note);
	return state;
}

static void save_state(ad_state *state, const char *path, mp_check *chk)
{
	char *err = NULL;

	mp_timeout_stage("saving %s", path);
	if (ad_state_save(state, &err) < 0) {
		mp_check_raise(chk, MP_UNKNOWN);
		mp_check_summary_prefix(chk, "%s (the next run counts these events again)", err);
		free(err);
	}
	ad_state_close(state);
}

/* Reads every input into INPUTS (one each, in order) and adds what it
 * counted to TOTAL; an input that cannot be read makes the check UNKNOWN. */
static void read_inputs(const struct settings *s, const ad_common_opts *opts, ad_state *state,
			struct events_input *inputs, struct events_tally *total, mp_check *chk)
{
	const struct events_scan_config scan = {
		.event_tz_offset = s->event_tz,
		.state = state,
		.out_of_time = out_of_time,
		.ctx = &opts->timeout,
		/* with the real clock, an event more than an hour ahead is a
		 * clock far off, not one to wait for (with --now: a replay) */
		.has_future_limit = !s->has_now,
		.future_limit = total->window.to + EVENTS_FAR_FUTURE,
	};

	for (size_t i = 0; i < s->ninputs; i++) {
		struct events_input *in = &inputs[i];

		events_input_init(in, s->inputs[i].kind, s->inputs[i].path, total->realms,
				  total->window);
		mp_timeout_stage("reading %s", in->path);
		if (events_input_scan(in, &scan) < 0) {
			mp_check_raise(chk, MP_UNKNOWN);
			mp_check_summary_prefix(chk, "cannot read %s", in->error);
			continue;
		}
		events_tally_merge(total, &in->tally);
	}
}

static void add_perfdata(mp_check *chk, const struct events_tally *t,
			 const struct events_input *inputs, size_t ninputs,
			 const mp_thresholds *th, const mp_thresholds *th_fwd)
{
	uint64_t malformed = 0, unreadable = 0;

	for (size_t i = 0; i < ninputs; i++) {
		malformed += inputs[i].malformed;
		unreadable += inputs[i].unreadable;
	}
	mp_check_perf_count(chk, "cross_trust", (double)t->n.cross_trust, th);
	mp_check_perf_count(chk, "tgt_4768", (double)t->n.tgt, NULL);
	mp_check_perf_count(chk, "st_4769", (double)t->n.service, NULL);
	mp_check_perf_count(chk, "renew_4770", (double)t->n.renewal, NULL);
	mp_check_perf_count(chk, "forwarded", (double)t->n.forwarded, th_fwd);
	mp_check_perf_count(chk, "failed", (double)t->n.failed, NULL);
	mp_check_perf_count(chk, "scanned", (double)t->n.scanned, NULL);
	mp_check_perf_count(chk, "malformed", (double)malformed, NULL);
	mp_check_perf_count(chk, "unreadable", (double)unreadable, NULL);
	mp_check_perf_seconds(chk, "time", mp_timeout_elapsed());
}

int main(int argc, char **argv)
{
	struct settings set = {.since_text = DEFAULT_SINCE};
	ad_plugin_spec spec = {
		.progname = PROGNAME,
		.description = help_description,
		.usage = help_usage,
		.options = plugin_options,
		.apply = apply_option,
		.ctx = &set,
		.notes = help_notes,
		.ldap_optional = true,
	};
	ad_common_opts opts;
	ad_config *cfg = NULL;
	mp_thresholds th = {0}, th_fwd = {0};
	struct events_realms realms;
	struct events_window window;
	struct events_tally total;
	struct events_input *inputs;
	strlist realm_notes;
	ad_state *state = NULL;
	mp_check *chk;

	mp_set_service(SERVICE);
	strlist_init(&set.realms);
	strlist_init(&set.local_domains);
	strlist_init(&set.duplicates);
	strlist_init(&set.owned);
	timeparse_duration(DEFAULT_SINCE, &set.since, NULL);
	ad_options_parse(&spec, argc, argv, &opts, &cfg);
	apply_config_lists(cfg, &spec, &set);
	check_usage(&set, &opts, &spec);
	mp_thresholds_parse_or_die(&th, opts.warning, opts.critical, "cross_trust");
	mp_thresholds_parse_or_die(&th_fwd, set.forwarded_range[0],
				   set.forwarded_range[1] ? set.forwarded_range[1]
							  : DEFAULT_CRITICAL_FORWARDED,
				   "forwarded");
	mp_timeout_arm(opts.timeout, opts.timeout_state);

	chk = mp_check_new();
	window.to = set.has_now ? set.now : (int64_t)time(NULL);
	window.from = window.to - set.since;
	events_realms_init(&realms);
	strlist_init(&realm_notes);
	load_realms(&set, &opts, &realms, &realm_notes, chk);
	if (set.state_file != NULL)
		state = open_state(set.state_file, chk);

	events_tally_init(&total, &realms, window);
	inputs = xcalloc(set.ninputs, sizeof(*inputs));
	read_inputs(&set, &opts, state, inputs, &total, chk);
	if (state != NULL)
		save_state(state, set.state_file, chk);

	events_report_summary(chk, &total.n, set.since_text, window.to);
	mp_check_raise(chk, mp_thresholds_state(&th, (double)total.n.cross_trust));
	if (mp_thresholds_state(&th_fwd, (double)total.n.forwarded) != MP_OK) {
		mp_check_raise(chk, mp_thresholds_state(&th_fwd, (double)total.n.forwarded));
		events_report_forwarded_alert(chk, total.n.forwarded);
	}
	events_report_top(chk, &total);
	events_report_forwarded(chk, &total);
	for (size_t i = 0; i < set.ninputs; i++)
		events_report_input(chk, &inputs[i], set.state_file != NULL, opts.verbose);
	for (size_t i = 0; opts.verbose > 0 && i < set.duplicates.n; i++)
		mp_check_line(chk, "%s", set.duplicates.items[i]);
	if (opts.verbose > 0)
		events_report_realms(chk, &realms, &realm_notes);
	add_perfdata(chk, &total, inputs, set.ninputs, &th, &th_fwd);

	for (size_t i = 0; i < set.ninputs; i++)
		events_input_free(&inputs[i]);
	free(inputs);
	events_tally_free(&total);
	events_realms_free(&realms);
	strlist_free(&realm_notes);
	ad_config_free(cfg);
	ad_common_opts_free(&opts);
	settings_free(&set);
	mp_check_exit(chk);
}
