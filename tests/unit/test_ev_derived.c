/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Event readers on inputs built from the real samples: cross-trust events
 * (TargetDomainName rewritten, Forwarded set, times at the window edges),
 * Winlogbeat 7 and NXLog variants, incremental offsets with a half-written
 * last line, and every kind of bad input: empty, binary garbage, truncated
 * or corrupt gzip, over-long lines, invalid UTF-8, missing files, damaged
 * EVTX. All inputs are written to a temporary directory. */
#include "../tap.h"
#include "ev_testutil.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <json-c/json.h>
#include <zlib.h>

#include "evtx_reader.h"
#include "jsonl_reader.h"
#include "timeparse.h"

#define WLB6_FILE "json/otrf_winlogbeat6_kerberos.jsonl"
#define WLB6_LINES 6
#define NOW 1595390642 /* 2020-07-22T04:04:02Z */
#define WINDOW 3600
#define GETSESSION_FILE "json/otrf_nxlog_getsession_netsessenum.jsonl.gz"
#define DLLINJECTION_FILE "json/otrf_nxlog_dllinjection.jsonl.gz"
#define DLL_4770_OFFSET 24699691 /* first 4770 line in the stream */
#define GOLDEN_FILE "evtx/mdec_4769_golden_ticket.evtx"
#define GOLDEN_RECORD9_AT 10592 /* file offset of record 9 (python) */
#define EVTX_HEADER_AND_PART 12288

struct fixture {
	struct tmpdir tmp;
	char *wlb6[WLB6_LINES]; /* the real lines, without '\n' */
	char *nxlog_4770;       /* a real NXLog 4770 line */
};

/* s with the first occurrence of from replaced by to (malloc'ed). A
 * missing from is a broken test: a failing case, and a copy returned. */
static char *replace(const char *s, const char *from, const char *to)
{
	const char *at = strstr(s, from);
	size_t n = strlen(s) + strlen(to) + 1;
	char *out = malloc(n);

	if (out == NULL)
		return NULL;
	if (at == NULL) {
		ok(0, "fixture: '%s' is in the sample line to be rewritten", from);
		snprintf(out, n, "%s", s);
		return out;
	}
	snprintf(out, n, "%.*s%s%s", (int)(at - s), s, to, at + strlen(from));
	return out;
}

/* replace() that frees its input, for chains. */
static char *rewrite(char *s, const char *from, const char *to)
{
	char *out = replace(s, from, to);
	free(s);
	return out;
}

static int load_fixture(struct fixture *fx)
{
	char *path = data_path(WLB6_FILE), *all, *p;
	size_t len;
	gzFile gz;
	char *buf;

	memset(fx, 0, sizeof(*fx));
	if (tmp_init(&fx->tmp) < 0)
		return -1;
	all = read_bytes(path, &len);
	free(path);
	if (all == NULL)
		return -1;
	p = all;
	for (int i = 0; i < WLB6_LINES; i++) {
		char *nl = strchr(p, '\n');
		if (nl == NULL)
			return -1;
		*nl = '\0';
		fx->wlb6[i] = strdup(p);
		p = nl + 1;
	}
	free(all);
	/* The NXLog line is taken with zlib itself, not with the reader. */
	path = data_path(DLLINJECTION_FILE);
	gz = gzopen(path, "rb");
	free(path);
	buf = malloc(65536);
	if (gz == NULL || buf == NULL || gzseek(gz, DLL_4770_OFFSET, SEEK_SET) < 0 ||
	    gzgets(gz, buf, 65536) == NULL) {
		free(buf);
		if (gz)
			gzclose(gz);
		return -1;
	}
	gzclose(gz);
	buf[strcspn(buf, "\n")] = '\0';
	fx->nxlog_4770 = buf;
	return 0;
}

static void free_fixture(struct fixture *fx)
{
	for (int i = 0; i < WLB6_LINES; i++)
		free(fx->wlb6[i]);
	free(fx->nxlog_4770);
	tmp_cleanup(&fx->tmp);
}

/* Writes lines (each followed by '\n') to a new temporary file. */
static const char *write_lines(struct fixture *fx, const char *name,
			       char *const *lines, size_t n)
{
	const char *path = tmp_file(&fx->tmp, name);
	FILE *f = path ? fopen(path, "wb") : NULL;

	if (f == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%s\n", lines[i]);
	fclose(f);
	return path;
}

static int scan(const char *path, const struct jsonl_scan_options *opt,
		struct collected *c, struct event_read_stats *st)
{
	char *err = NULL;
	int rc = jsonl_reader_scan(path, opt, collect_cb, c, st, &err);

	if (rc != 0)
		printf("# %s: %s\n", path, err ? err : "(no message)");
	free(err);
	return rc;
}

/* ---- cross-trust events built from a real Winlogbeat 6 4769 line ---- */

static char *cross_trust_line(const struct fixture *fx, const char *domain,
			      const char *user, const char *options,
			      const char *timestamp)
{
	char kv[256];
	char *s = strdup(fx->wlb6[1]); /* 4769 HFDC01$@SHIRE.COM */

	snprintf(kv, sizeof(kv), "\"TargetDomainName\":\"%s\"", domain);
	s = rewrite(s, "\"TargetDomainName\":\"SHIRE.COM\"", kv);
	snprintf(kv, sizeof(kv), "\"TargetUserName\":\"%s\"", user);
	s = rewrite(s, "\"TargetUserName\":\"HFDC01$@SHIRE.COM\"", kv);
	snprintf(kv, sizeof(kv), "\"TicketOptions\":\"%s\"", options);
	s = rewrite(s, "\"TicketOptions\":\"0x40810000\"", kv);
	snprintf(kv, sizeof(kv), "\"@timestamp\":\"%s\"", timestamp);
	return rewrite(s, "\"@timestamp\":\"2019-05-18T20:37:03.375Z\"", kv);
}

struct trust_count {
	int in_window, cross_trust, forwarded;
};

/* What the plugin will do: events in (now - window, now] whose account
 * realm is a trusted domain (FQDN or NetBIOS name), and of those the
 * forwarded ones. */
static int trust_cb(const struct ticket_event *ev, void *ctx)
{
	struct trust_count *tc = ctx;
	const char *realm = ticket_event_account_realm(ev);

	if (!ticket_event_in_window(ev, NOW - WINDOW, NOW))
		return 0;
	tc->in_window++;
	if (ticket_event_realm_equal(realm, "PARTNER.EXAMPLE") ||
	    ticket_event_realm_equal(realm, "PARTNER")) {
		tc->cross_trust++;
		tc->forwarded += ticket_event_is_forwarded(ev);
	}
	return 0;
}

static void test_cross_trust_window(struct fixture *fx)
{
	char *lines[7];
	struct trust_count tc = { 0 };
	struct event_read_stats st;
	const char *path;

	/* exactly now - window: outside (the window is (now-window, now]) */
	lines[0] = cross_trust_line(fx, "PARTNER.EXAMPLE", "alice@PARTNER.EXAMPLE",
				    "0x60810010", "2020-07-22T03:04:02Z");
	lines[1] = cross_trust_line(fx, "PARTNER.EXAMPLE", "alice@PARTNER.EXAMPLE",
				    "0x60810010", "2020-07-22T03:04:03.000Z");
	lines[2] = cross_trust_line(fx, "PARTNER.EXAMPLE", "alice@PARTNER.EXAMPLE",
				    "0x40810000", "2020-07-22T04:04:02Z");
	lines[3] = cross_trust_line(fx, "PARTNER.EXAMPLE", "alice@PARTNER.EXAMPLE",
				    "0x60810010", "2020-07-22T04:04:03Z");
	lines[4] = cross_trust_line(fx, "PARTNER", "bob@PARTNER.EXAMPLE",
				    "0x60810010", "2020-07-22T06:04:02+02:00");
	lines[5] = cross_trust_line(fx, "SHIRE.COM", "HFDC01$@SHIRE.COM",
				    "0x60810010", "2020-07-22T03:30:00Z");
	lines[6] = cross_trust_line(fx, "partner.example", "carol@partner.example",
				    "0x60810010", "2020-07-22T03:30:00.999Z");
	path = write_lines(fx, "cross_trust.jsonl", lines, 7);
	is_int(jsonl_reader_scan(path, NULL, trust_cb, &tc, &st, NULL), 0, "cross-trust file read");
	is_int(st.kerberos, 7, "cross-trust: all 7 events delivered");
	is_int(st.forwarded, 6, "cross-trust: 6 carry Forwarded 0x20000000");
	is_int(tc.in_window, 5, "window (now-1h, now]: start edge out, now in, now+1 out");
	is_int(tc.cross_trust, 4, "cross-trust: FQDN, NetBIOS and lower-case spellings match");
	is_int(tc.forwarded, 3, "cross-trust and forwarded within the window");
	ok(st.has_last_time && st.last_time == NOW + 1, "newest time is now+1");
	for (int i = 0; i < 7; i++)
		free(lines[i]);
}

/* ---- NXLog variants of a real 4770 line ---- */

static void test_nxlog_variants(struct fixture *fx)
{
	char *lines[6];
	struct collected c = { 0 };
	struct event_read_stats st;
	struct jsonl_scan_options opt = { 0 };
	const char *path;
	const char *ts = "\"@timestamp\":\"2020-07-22T04:04:04.060Z\",";

	/* 0: no @timestamp: EventTime "2020-07-22 00:04:02" in the given zone */
	lines[0] = replace(fx->nxlog_4770, ts, "");
	/* 1: account of another realm, TargetDomainName empty */
	lines[1] = rewrite(replace(fx->nxlog_4770, "\"TargetDomainName\":\"MORDOR.LOCAL\"",
				   "\"TargetDomainName\":\"\""),
			   "\"TargetUserName\":\"MORDORDC$@MORDOR.LOCAL\"",
			   "\"TargetUserName\":\"bob@PARTNER.EXAMPLE\"");
	/* 2: neither @timestamp nor EventTime: unusable */
	lines[2] = rewrite(replace(fx->nxlog_4770, ts, ""),
			   "\"EventTime\":\"2020-07-22 00:04:02\",", "");
	/* 3: same id from another provider */
	lines[3] = replace(fx->nxlog_4770, "\"SourceName\":\"Microsoft-Windows-Security-Auditing\"",
			   "\"SourceName\":\"Microsoft-Windows-Sysmon\"");
	/* 4: EventTime carrying its own offset wins over --event-tz */
	lines[4] = rewrite(replace(fx->nxlog_4770, ts, ""), "\"EventTime\":\"2020-07-22 00:04:02\"",
			   "\"EventTime\":\"2020-07-22T00:04:02.000000-04:00\"");
	/* 5: an unparsable @timestamp falls back to EventTime */
	lines[5] = replace(fx->nxlog_4770, ts, "\"@timestamp\":\"yesterday\",");
	path = write_lines(fx, "nxlog_variants.jsonl", lines, 6);

	opt.event_tz_offset = -4 * 3600;
	scan(path, &opt, &c, &st);
	is_int(st.kerberos, 4, "NXLog variants: 4 delivered");
	is_int(st.malformed, 1, "NXLog variants: the line without any time is malformed");
	is_int(st.no_time, 1, "NXLog variants: and counted as without time");
	is_int(st.other_events, 1, "NXLog variants: another provider is 'other'");
	ok(c.n == 4 && c.ev[0].time == NOW, "EventTime 00:04:02 at UTC-4 is 04:04:02Z");
	ok(c.n == 4 && c.ev[1].time == NOW + 2, "@timestamp used when present");
	ok(c.n == 4 && strcmp(ticket_event_account_realm(&c.ev[1]), "PARTNER.EXAMPLE") == 0,
	   "empty TargetDomainName: realm from TargetUserName");
	ok(c.n == 4 && c.ev[2].time == NOW, "EventTime with its own offset");
	ok(c.n == 4 && c.ev[3].time == NOW, "unparsable @timestamp: EventTime used");
	collected_free(&c);

	opt.event_tz_offset = 0;
	scan(path, &opt, &c, &st);
	ok(c.n == 4 && c.ev[0].time == NOW - 4 * 3600, "default zone for EventTime is UTC");
	ok(c.n == 4 && c.ev[2].time == NOW, "own offset unaffected by the default");
	collected_free(&c);
	for (int i = 0; i < 6; i++)
		free(lines[i]);
}

/* ---- Winlogbeat 7 / ECS lines built from a real Winlogbeat 6 line ---- */

static char *winlogbeat7_line(const struct fixture *fx, json_object *event_id,
			      const char *provider, bool computer, bool ecs_code)
{
	json_object *old = json_tokener_parse(fx->wlb6[1]);
	json_object *line = json_object_new_object();
	json_object *winlog = json_object_new_object();
	json_object *host = json_object_new_object();
	json_object *data = NULL, *ts = NULL;
	char *out;

	json_object_object_get_ex(old, "event_data", &data);
	json_object_object_get_ex(old, "@timestamp", &ts);
	json_object_object_add(line, "@timestamp", json_object_get(ts));
	if (event_id && !ecs_code)
		json_object_object_add(winlog, "event_id", event_id);
	if (ecs_code) {
		json_object *event = json_object_new_object();
		json_object_object_add(event, "code", event_id);
		json_object_object_add(line, "event", event);
	}
	json_object_object_add(winlog, "event_data", json_object_get(data));
	json_object_object_add(winlog, "provider_name", json_object_new_string(provider));
	if (computer)
		json_object_object_add(winlog, "computer_name",
				       json_object_new_string("HFDC01.shire.com"));
	json_object_object_add(winlog, "record_id", json_object_new_int64(12282492));
	json_object_object_add(line, "winlog", winlog);
	json_object_object_add(host, "name", json_object_new_string("WECserver"));
	json_object_object_add(line, "host", host);
	out = strdup(json_object_to_json_string_ext(line, JSON_C_TO_STRING_PLAIN));
	json_object_put(line);
	json_object_put(old);
	return out;
}

static void test_winlogbeat7(struct fixture *fx)
{
	const char *sec = TICKET_EVENT_PROVIDER;
	char *lines[8];
	struct collected c = { 0 };
	struct event_read_stats st;
	struct jsonl_scan_options strict = { .no_prefilter = true };
	const char *path;

	lines[0] = winlogbeat7_line(fx, json_object_new_string("4769"), sec, true, false);
	lines[1] = winlogbeat7_line(fx, json_object_new_int(4769), sec, false, false);
	lines[2] = winlogbeat7_line(fx, json_object_new_string("4769"), sec, true, true);
	lines[3] = winlogbeat7_line(fx, json_object_new_int(4769), "Microsoft-Windows-Sysmon", true, false);
	lines[4] = winlogbeat7_line(fx, json_object_new_string("47a69"), sec, true, false);
	lines[5] = winlogbeat7_line(fx, json_object_new_int(70000), sec, true, false);
	lines[6] = winlogbeat7_line(fx, json_object_new_int(-4769), sec, true, false);
	lines[7] = winlogbeat7_line(fx, json_object_new_int(4624), sec, true, false);
	path = write_lines(fx, "winlogbeat7.jsonl", lines, 8);
	scan(path, NULL, &c, &st);
	ok(st.kerberos == 3 && st.prefiltered == 3,
	   "Winlogbeat 7, prefilter: lines without 4768/4769/4770 not parsed");
	collected_free(&c);
	scan(path, &strict, &c, &st);
	is_int(st.kerberos, 3, "Winlogbeat 7: string id, number id and ECS event.code delivered");
	is_int(st.other_events, 2, "Winlogbeat 7: Sysmon provider and event 4624 are other");
	is_int(st.malformed, 3, "Winlogbeat 7: ids '47a69', 70000 and -4769 are malformed");
	ok(c.n == 3 && c.ev[0].source == TICKET_SOURCE_WINLOGBEAT7 && c.ev[0].event_id == 4769 &&
	   c.ev[0].time == 1558211823 && strcmp(c.ev[0].target_user, "HFDC01$@SHIRE.COM") == 0 &&
	   c.ev[0].ticket_options == 0x40810000 && c.ev[0].record_id == 12282492,
	   "Winlogbeat 7: fields from winlog.event_data, @timestamp, record_id");
	ok(c.n == 3 && strcmp(c.ev[0].computer, "HFDC01.shire.com") == 0,
	   "Winlogbeat 7: computer from winlog.computer_name");
	ok(c.n == 3 && strcmp(c.ev[1].computer, "WECserver") == 0,
	   "Winlogbeat 7: host.name when winlog.computer_name is missing");
	collected_free(&c);
	for (int i = 0; i < 8; i++)
		free(lines[i]);
}

/* ---- malformed lines ---- */

static void test_malformed_lines(struct fixture *fx)
{
	char *lines[12];
	struct collected c = { 0 };
	struct event_read_stats st;
	struct jsonl_scan_options strict = { .no_prefilter = true };
	const char *path;

	lines[0] = replace(fx->wlb6[2], "\"@timestamp\":\"2019-05-18T20:20:09.342Z\",", "");
	lines[1] = strdup("[4769]");
	lines[2] = strdup("{\"EventID\":4769");
	lines[3] = strdup("{\"a\":1} {\"EventID\":4769}");
	lines[4] = strdup("{\"EventID\":4769,\"foo\":}");
	lines[5] = strdup("{\"x\":4769}");
	lines[6] = strdup("   \r");
	lines[7] = strdup("");
	lines[8] = strdup("{\"x\":1}");
	lines[9] = strdup("{\"event_id\":4769,\"event_data\":\"not an object\",\"@timestamp\":\"2020-07-22T04:04:02Z\"}");
	lines[10] = strdup("{\"event_id\":4769,\"event_data\":{},\"@timestamp\":\"not a time\"}");
	lines[11] = strdup(fx->wlb6[0]);
	path = write_lines(fx, "malformed.jsonl", lines, 12);

	scan(path, NULL, &c, &st);
	is_int(st.records, 12, "malformed: 12 lines read");
	is_int(st.kerberos, 1, "malformed: only the intact real line delivered");
	is_int(st.blank, 2, "malformed: blank and CR-only lines are blank");
	is_int(st.prefiltered, 1, "malformed: an object without 4768/4769/4770 is not parsed");
	is_int(st.malformed, 8, "malformed: 8 unusable lines");
	is_int(st.no_time, 2, "malformed: 2 ticket events without a usable time");
	collected_free(&c);

	scan(path, &strict, &c, &st);
	is_int(st.malformed, 9, "no prefilter: the unknown-shape object is malformed too");
	is_int(st.prefiltered, 0, "no prefilter: nothing skipped unparsed");
	collected_free(&c);
	for (int i = 0; i < 12; i++)
		free(lines[i]);
}

/* ---- bad input ---- */

static void test_missing_and_empty(struct fixture *fx)
{
	struct event_read_stats st;
	char *err = NULL;
	const char *empty = tmp_file(&fx->tmp, "empty.jsonl");
	char *wlb6 = data_path(WLB6_FILE);

	write_bytes(empty, "wb", "", 0);
	is_int(jsonl_reader_scan(empty, NULL, NULL, NULL, &st, &err), 0, "empty JSONL file read");
	ok(st.records == 0 && st.end_offset == 0 && st.damage[0] == '\0' && err == NULL,
	   "empty JSONL file: nothing, no damage");

	is_int(jsonl_reader_scan("/nonexistent/x.jsonl", NULL, NULL, NULL, &st, &err), -1,
	       "missing JSONL file fails");
	ok(err && strstr(err, "No such file or directory") && strstr(err, "/nonexistent/x.jsonl"),
	   "missing JSONL file: message names file and cause (%s)", err ? err : "");
	free(err);
	is_int(jsonl_reader_scan(fx->tmp.dir, NULL, NULL, NULL, &st, &err), -1, "directory fails");
	ok(err && strstr(err, "is a directory"), "directory: message says so");
	free(err);
	is_int(jsonl_reader_scan("", NULL, NULL, NULL, &st, &err), -1, "empty name fails");
	free(err);

	is_int(evtx_reader_scan(empty, NULL, NULL, NULL, &st, &err), -1, "empty EVTX file fails");
	ok(err && strstr(err, "not an EVTX file"), "empty EVTX: message (%s)", err ? err : "");
	free(err);
	is_int(evtx_reader_scan(wlb6, NULL, NULL, NULL, &st, &err), -1, "JSON given as EVTX fails");
	ok(err && strstr(err, "not an EVTX file"), "JSON as EVTX: message (%s)", err ? err : "");
	free(err);
	is_int(evtx_reader_scan("/nonexistent/x.evtx", NULL, NULL, NULL, &st, &err), -1,
	       "missing EVTX file fails");
	ok(err && strstr(err, "No such file or directory"), "missing EVTX: message (%s)",
	   err ? err : "");
	free(err);
	is_int(evtx_reader_scan(fx->tmp.dir, NULL, NULL, NULL, &st, &err), -1,
	       "directory as EVTX fails");
	free(err);
	free(wlb6);
}

static void test_garbage(struct fixture *fx)
{
	enum { GARBAGE_LEN = 256 * 1024 };
	unsigned char *g = malloc(GARBAGE_LEN);
	const char *path = tmp_file(&fx->tmp, "garbage.bin");
	const char *nul = tmp_file(&fx->tmp, "nul.jsonl");
	static const char nul_line[] = "{\"event_id\":4769,\0\"event_data\":{}}\n";
	struct event_read_stats st;
	uint32_t x = 12345;

	/* a fixed pseudo-random sequence, so failures can be replayed */
	for (size_t i = 0; i < GARBAGE_LEN; i++) {
		x = x * 1103515245u + 12345u;
		g[i] = (unsigned char)(x >> 16);
	}
	write_bytes(path, "wb", g, GARBAGE_LEN);
	is_int(jsonl_reader_scan(path, NULL, NULL, NULL, &st, NULL), 0, "binary garbage read");
	ok(st.kerberos == 0 && st.records > 0 && st.malformed + st.too_long > 0,
	   "binary garbage: %llu lines, all unusable", (unsigned long long)st.records);
	is_int(st.records, st.blank + st.malformed + st.prefiltered + st.other_events,
	       "binary garbage: every line accounted for");
	is_int(evtx_reader_scan(path, NULL, NULL, NULL, &st, NULL), -1,
	       "binary garbage is not EVTX");

	write_bytes(nul, "wb", nul_line, sizeof(nul_line) - 1);
	jsonl_reader_scan(nul, NULL, NULL, NULL, &st, NULL);
	ok(st.records == 1 && st.malformed == 1, "a NUL byte inside a line makes it malformed");
	free(g);
}

static void test_long_lines(struct fixture *fx)
{
	size_t big = JSONL_MAX_LINE_DEFAULT + 100;
	char *huge = malloc(big + 1);
	char *lines[3];
	char padded[2100];
	struct collected c = { 0 };
	struct event_read_stats st;
	struct jsonl_scan_options opt = { .max_line = 2000 };
	const char *path;
	size_t len0 = strlen(fx->wlb6[0]);

	/* {"EventID":4769,"pad":"xxxx...x"} of 1 MiB + 100 bytes */
	memset(huge, 'x', big);
	memcpy(huge, "{\"EventID\":4769,\"pad\":\"", 23);
	memcpy(huge + big - 2, "\"}", 2);
	huge[big] = '\0';
	lines[0] = fx->wlb6[0];
	lines[1] = huge;
	lines[2] = fx->wlb6[1];
	path = write_lines(fx, "long.jsonl", lines, 3);
	scan(path, NULL, &c, &st);
	is_int(st.records, 3, "1 MiB+ line: 3 lines");
	is_int(st.too_long, 1, "1 MiB+ line: counted too long");
	is_int(st.malformed, 1, "1 MiB+ line: and malformed");
	is_int(st.kerberos, 2, "1 MiB+ line: the lines around it delivered");
	ok(c.n == 2 && c.ev[1].offset == len0 + 1 + big + 1,
	   "1 MiB+ line: offsets after it stay exact");
	collected_free(&c);

	/* A line of exactly max_line bytes is accepted, one more is not. */
	snprintf(padded, sizeof(padded), "%.*s%*s}", (int)len0 - 1, fx->wlb6[0],
		 (int)(2000 - len0), "");
	lines[0] = padded;
	path = write_lines(fx, "limit.jsonl", lines, 1);
	scan(path, &opt, &c, &st);
	ok(strlen(padded) == 2000 && st.kerberos == 1 && st.too_long == 0,
	   "line of exactly max_line bytes accepted");
	collected_free(&c);
	opt.max_line = 1999;
	scan(path, &opt, &c, &st);
	ok(st.kerberos == 0 && st.too_long == 1, "line of max_line + 1 bytes refused");
	collected_free(&c);
	free(huge);
}

static void test_invalid_utf8(struct fixture *fx)
{
	char *line = replace(fx->wlb6[1], "\"TargetUserName\":\"HFDC01$@SHIRE.COM\"",
			     "\"TargetUserName\":\"bad\xff\xfe\\u0001user\\u0000@PARTNER\"");
	struct collected c = { 0 };
	struct event_read_stats st;
	const char *path = write_lines(fx, "utf8.jsonl", &line, 1);

	scan(path, NULL, &c, &st);
	is_int(st.kerberos, 1, "invalid UTF-8 in a name: the event is still delivered");
	ok(c.n == 1 && strcmp(c.ev[0].target_user, "bad\\FF\\FE\\01user\\00@PARTNER") == 0,
	   "invalid bytes, control and NUL characters escaped as \\XX (%s)",
	   c.n ? c.ev[0].target_user : "");
	ok(c.n == 1 && c.ev[0].sanitized, "sanitized flag set");
	ok(c.n == 1 && strcmp(ticket_event_realm_of_user(c.ev[0].target_user), "PARTNER") == 0,
	   "the realm survives");
	collected_free(&c);
	free(line);
}

/* ---- gzip damage ---- */

static void test_gzip_damage(struct fixture *fx)
{
	char *src = data_path(GETSESSION_FILE);
	size_t len;
	char *gz = read_bytes(src, &len);
	const char *cut = tmp_file(&fx->tmp, "cut.jsonl.gz");
	const char *bad = tmp_file(&fx->tmp, "corrupt.jsonl.gz");
	const char *header = tmp_file(&fx->tmp, "header.jsonl.gz");
	struct collected c = { 0 };
	struct event_read_stats st;
	struct jsonl_scan_options inc = { .incremental = true };

	free(src);
	if (gz == NULL) {
		ok(0, "read %s", GETSESSION_FILE);
		return;
	}
	/* The first 300000 compressed bytes decode to 9248916 bytes: 4004
	 * complete lines ending at 9242098, 5 of them ticket events, and 6818
	 * bytes of a cut line (Python's zlib.decompressobj). */
	write_bytes(cut, "wb", gz, 300000);
	is_int(scan(cut, NULL, &c, &st), 0, "truncated gzip: read, not an error");
	ok(strstr(st.damage, "truncated") != NULL, "truncated gzip: damage named (%s)", st.damage);
	is_int(st.records, 4005, "truncated gzip: 4004 lines and the cut one");
	is_int(st.malformed, 1, "truncated gzip: the cut line is malformed");
	is_int(st.kerberos, 5, "truncated gzip: events before the damage delivered");
	is_int(st.end_offset, 9248916, "truncated gzip: everything decodable consumed");
	collected_free(&c);
	scan(cut, &inc, &c, &st);
	ok(st.records == 4004 && st.malformed == 0 && st.end_offset == 9242098,
	   "truncated gzip, incremental: stops after the last complete line");
	collected_free(&c);

	/* 256 zero bytes in the middle of the deflate data */
	memset(gz + 200000, 0, 256);
	write_bytes(bad, "wb", gz, len);
	is_int(scan(bad, NULL, &c, &st), 0, "corrupt gzip: read, not an error");
	ok(st.damage[0] != '\0' && st.records < 5047,
	   "corrupt gzip: damage named (%s), %llu lines before it", st.damage,
	   (unsigned long long)st.records);
	collected_free(&c);

	write_bytes(header, "wb", "\x1f\x8b\x08\x00\x00", 5);
	is_int(scan(header, NULL, &c, &st), 0, "gzip cut inside its header: read");
	ok(st.records == 0 && strstr(st.damage, "truncated"), "gzip cut inside its header: damage");
	collected_free(&c);
	free(gz);
}

static void write_gzip_member(const char *path, const char *mode, char *const *lines,
			      size_t n)
{
	gzFile g = gzopen(path, mode);

	if (g == NULL)
		return;
	for (size_t i = 0; i < n; i++) {
		gzputs(g, lines[i]);
		gzputs(g, "\n");
	}
	gzclose(g);
}

static void test_gzip_members(struct fixture *fx)
{
	const char *two = tmp_file(&fx->tmp, "two_members.jsonl.gz");
	const char *tail = tmp_file(&fx->tmp, "trailing.jsonl.gz");
	struct collected c = { 0 };
	struct event_read_stats st;

	write_gzip_member(two, "wb", fx->wlb6, 3);
	write_gzip_member(two, "ab", fx->wlb6 + 3, 3); /* a second member */
	scan(two, NULL, &c, &st);
	ok(st.kerberos == 6 && st.damage[0] == '\0' && st.end_offset == 11189,
	   "concatenated gzip members read as one stream");
	collected_free(&c);

	write_gzip_member(tail, "wb", fx->wlb6, 6);
	write_bytes(tail, "ab", "garbage after the stream", 24);
	scan(tail, NULL, &c, &st);
	ok(st.kerberos == 6, "data after a gzip stream: every line before it delivered");
	ok(strstr(st.damage, "after the end of the gzip stream") != NULL,
	   "data after a gzip stream: damage named (%s)", st.damage);
	collected_free(&c);
}

/* ---- incremental reading ---- */

static void test_incremental(struct fixture *fx)
{
	const char *path = tmp_file(&fx->tmp, "growing.jsonl");
	const char *crlf = tmp_file(&fx->tmp, "crlf.jsonl");
	size_t l0 = strlen(fx->wlb6[0]), l1 = strlen(fx->wlb6[1]), l2 = strlen(fx->wlb6[2]);
	size_t half = l2 / 2;
	struct collected c = { 0 };
	struct event_read_stats st;
	struct jsonl_scan_options inc = { .incremental = true };
	uint64_t resume;
	FILE *f;

	/* two complete lines and half of a third, as a shipper writes it */
	f = fopen(path, "wb");
	fprintf(f, "%s\n%s\n%.*s", fx->wlb6[0], fx->wlb6[1], (int)half, fx->wlb6[2]);
	fclose(f);
	scan(path, &inc, &c, &st);
	ok(st.records == 2 && st.kerberos == 2 && st.malformed == 0,
	   "incremental: the half-written last line is not consumed");
	is_int(st.end_offset, l0 + 1 + l1 + 1, "incremental: end offset after the last complete line");
	resume = st.end_offset;
	collected_free(&c);

	scan(path, NULL, &c, &st);
	ok(st.records == 3 && st.kerberos == 2 && st.malformed == 1 &&
	   st.end_offset == l0 + l1 + 2 + half,
	   "not incremental: the half line is read and is malformed");
	collected_free(&c);

	/* the rest of the line arrives */
	f = fopen(path, "ab");
	fprintf(f, "%s\n", fx->wlb6[2] + half);
	fclose(f);
	inc.start_offset = resume;
	scan(path, &inc, &c, &st);
	ok(st.records == 1 && st.kerberos == 1 && c.n == 1 && c.ev[0].offset == resume &&
	   c.ev[0].event_id == 4768, "incremental: the completed line read from the saved offset");
	is_int(st.end_offset, l0 + l1 + l2 + 3, "incremental: end offset at the end of the file");
	resume = st.end_offset;
	collected_free(&c);

	/* a complete JSON line without '\n' is still not consumed */
	f = fopen(path, "ab");
	fprintf(f, "%s", fx->wlb6[3]);
	fclose(f);
	inc.start_offset = resume;
	scan(path, &inc, &c, &st);
	ok(st.records == 0 && st.end_offset == resume,
	   "incremental: a final line without newline waits for its newline");
	collected_free(&c);
	scan(path, NULL, &c, &st);
	ok(st.kerberos == 4 && st.end_offset == l0 + l1 + l2 + 3 + strlen(fx->wlb6[3]),
	   "not incremental: a final line without newline is read");
	collected_free(&c);

	/* offsets at and beyond the end */
	inc.start_offset = l0 + l1 + l2 + 3 + strlen(fx->wlb6[3]);
	scan(path, &inc, &c, &st);
	ok(st.records == 0 && !st.offset_past_end && st.end_offset == inc.start_offset,
	   "offset at the end: nothing new");
	inc.start_offset += 10;
	scan(path, &inc, &c, &st);
	ok(st.records == 0 && st.offset_past_end && st.end_offset == inc.start_offset,
	   "offset beyond the end: reported (file truncated or replaced)");
	collected_free(&c);

	/* CRLF line ends */
	f = fopen(crlf, "wb");
	for (int i = 0; i < WLB6_LINES; i++)
		fprintf(f, "%s\r\n", fx->wlb6[i]);
	fclose(f);
	scan(crlf, NULL, &c, &st);
	ok(st.kerberos == 6 && st.malformed == 0, "CRLF line ends");
	collected_free(&c);
}

static void test_gzip_offset_and_stop(void)
{
	char *gzpath = data_path(GETSESSION_FILE);
	char *wlb6 = data_path(WLB6_FILE);
	struct collected c = { 0 };
	struct event_read_stats st;
	struct jsonl_scan_options opt = { .start_offset = 99999999 };

	scan(gzpath, &opt, &c, &st);
	ok(st.records == 0 && st.offset_past_end, "gzip offset beyond the stream: reported");
	collected_free(&c);

	c.stop_after = 1;
	scan(wlb6, NULL, &c, &st);
	ok(st.stopped && st.kerberos == 1 && st.end_offset == 1349,
	   "callback stop: end offset just after the delivered line");
	opt.start_offset = st.end_offset;
	collected_free(&c);
	scan(wlb6, &opt, &c, &st);
	ok(!st.stopped && st.kerberos == 5 && st.end_offset == 11189,
	   "continuing from there gives the other 5");
	collected_free(&c);
	free(gzpath);
	free(wlb6);
}

/* Makes path the standard input. When standard input was closed (CI runs
 * without one), open() already returns descriptor 0. */
static void redirect_stdin(const char *path)
{
	int fd = open(path, O_RDONLY);

	if (fd > STDIN_FILENO) {
		dup2(fd, STDIN_FILENO);
		close(fd);
	}
}

static void test_stdin(struct fixture *fx)
{
	char *gzpath = data_path(GETSESSION_FILE);
	const char *plain = write_lines(fx, "stdin.jsonl", fx->wlb6, WLB6_LINES);
	struct collected c = { 0 };
	struct event_read_stats st;
	int saved = dup(STDIN_FILENO);

	redirect_stdin(plain);
	scan(JSONL_STDIN, NULL, &c, &st);
	ok(st.kerberos == 6 && st.end_offset == 11189, "standard input, plain");
	collected_free(&c);

	redirect_stdin(gzpath);
	scan(JSONL_STDIN, NULL, &c, &st);
	ok(st.kerberos == 6 && st.forwarded == 1, "standard input, gzip");
	collected_free(&c);

	/* put back whatever standard input was, even nothing */
	if (saved >= 0) {
		dup2(saved, STDIN_FILENO);
		close(saved);
	} else {
		close(STDIN_FILENO);
	}
	free(gzpath);
}

/* ---- damaged EVTX built from a real one ---- */

static void test_evtx_damage(struct fixture *fx)
{
	char *src = data_path(GOLDEN_FILE);
	size_t len;
	char *evtx = read_bytes(src, &len);
	const char *rec = tmp_file(&fx->tmp, "bad_record.evtx");
	const char *cut = tmp_file(&fx->tmp, "cut.evtx");
	const char *magic = tmp_file(&fx->tmp, "bad_magic.evtx");
	struct collected c = { 0 };
	struct event_read_stats st;

	free(src);
	if (evtx == NULL) {
		ok(0, "read %s", GOLDEN_FILE);
		return;
	}
	/* 200 zero bytes inside record 9's binary XML */
	memcpy(evtx + GOLDEN_RECORD9_AT + 60, (char[200]){ 0 }, 200);
	write_bytes(rec, "wb", evtx, len);
	is_int(evtx_reader_scan(rec, NULL, collect_cb, &c, &st, NULL), 0, "EVTX with a bad record read");
	ok(st.records == 10 && st.unreadable == 1 && st.kerberos == 9 && find_record(&c, 9) == NULL,
	   "bad record: skipped and counted, the other 9 delivered");
	ok(strncmp(st.damage, "record index 8:", 15) == 0, "bad record: named (%s)", st.damage);
	ok(st.corrupted, "bad record: chunk checksum noticed");
	collected_free(&c);

	/* cut inside the first chunk: libevtx drops the incomplete chunk */
	write_bytes(cut, "wb", evtx, EVTX_HEADER_AND_PART);
	is_int(evtx_reader_scan(cut, NULL, collect_cb, &c, &st, NULL), 0, "truncated EVTX read");
	ok(st.records == 0 && st.corrupted && st.damage[0] != '\0',
	   "truncated EVTX: incomplete chunk skipped, damage named (%s)", st.damage);
	collected_free(&c);

	memcpy(evtx + 4096, "XXXXXXXX", 8); /* chunk magic "ElfChnk\0" */
	write_bytes(magic, "wb", evtx, len);
	evtx_reader_scan(magic, NULL, collect_cb, &c, &st, NULL);
	ok(st.records == 0 && st.corrupted && strstr(st.damage, "corrupted"),
	   "bad chunk magic: chunk skipped, damage named");
	collected_free(&c);
	free(evtx);
}

int main(void)
{
	struct fixture fx;

	if (load_fixture(&fx) < 0) {
		ok(0, "fixture: read the Winlogbeat and NXLog samples under %s", top_srcdir());
		return tap_done();
	}
	test_cross_trust_window(&fx);
	test_nxlog_variants(&fx);
	test_winlogbeat7(&fx);
	test_malformed_lines(&fx);
	test_missing_and_empty(&fx);
	test_garbage(&fx);
	test_long_lines(&fx);
	test_invalid_utf8(&fx);
	test_gzip_damage(&fx);
	test_gzip_members(&fx);
	test_incremental(&fx);
	test_gzip_offset_and_stop();
	test_stdin(&fx);
	test_evtx_damage(&fx);
	free_fixture(&fx);
	return tap_done();
}
