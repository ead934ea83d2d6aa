/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Event readers against every real sample in tests/data/events: counts as
 * in tests/data/events/README.md, and field values of chosen records. The
 * expected values were read independently (python-evtx 0.6.1 for EVTX,
 * Python's json and calendar.timegm for JSON lines), not with this code. */
#include "../tap.h"
#include "ev_testutil.h"

#include "evtx_reader.h"
#include "jsonl_reader.h"

struct evtx_case {
	const char *file;
	unsigned records, unreadable, tgt, svc, renew, forwarded, no_time;
	uint64_t last_record_id; /* 0: no readable record */
	bool corrupted;
	const char *domains; /* '|'-separated, NULL when no ticket event */
};

static const struct evtx_case evtx_cases[] = {
	{ "mdec_4769_tgs_host_enumeration.evtx", 24, 0, 0, 24, 0, 5, 0, 24, false, "OFFSEC.LAN" },
	{ "mdec_4769_kerberoast_low_encryption.evtx", 10, 0, 0, 10, 0, 1, 0, 10, false, "OFFSEC.LAN|" },
	{ "mdec_4769_golden_ticket.evtx", 10, 0, 0, 10, 0, 1, 0, 10, false, "offsec.lan|OFFSEC.LAN" },
	{ "mdec_4768_bruteforce_unknown_users.evtx", 52, 0, 50, 0, 0, 0, 0, 52, false, "OFFSEC.LAN" },
	{ "mdec_4768_kerbrute_enumeration.evtx", 42, 0, 20, 0, 0, 0, 0, 42, false, "OFFSEC.LAN" },
	{ "mdec_4768_asrep_roasting.evtx", 1, 0, 1, 0, 0, 0, 0, 1, false, "offsec.lan" },
	{ "mdec_4768_4769_host_ticket_no_dollar.evtx", 2, 0, 1, 1, 0, 0, 0, 2, false, "OFFSEC|OFFSEC.LAN" },
	{ "mdec_mixed_sam_the_admin.evtx", 40, 0, 1, 1, 0, 0, 0, 40, false, "OFFSEC|OFFSEC.LAN" },
	{ "mdec_no_kerberos_998_records.evtx", 998, 0, 0, 0, 0, 0, 0, 998, false, NULL },
	{ "mdec_unparseable_records.evtx", 55, 55, 0, 0, 0, 0, 0, 0, false, NULL },
	{ "sbou_4768_4769_samaccount_spoofing.evtx", 18, 0, 2, 2, 0, 0, 0, 18, false, "threebeesco.com|THREEBEESCO.COM" },
	{ "sbou_4768_password_spray.evtx", 12, 0, 9, 0, 0, 0, 1, 12, false, "THREEBEESCO.COM" },
	/* libevtx skips the chunk with the bad magic: 267 of 270 records */
	{ "omer_bad_chunk_magic.evtx", 267, 0, 0, 0, 0, 0, 0, 47639, true, NULL },
	{ "omer_issue_201_unparseable.evtx", 1, 1, 0, 0, 0, 0, 0, 0, false, NULL },
};

struct jsonl_case {
	const char *file;
	unsigned lines, tgt, svc, renew, forwarded;
	uint64_t size; /* uncompressed bytes: end_offset after a full scan */
	const char *domains;
};

static const struct jsonl_case jsonl_cases[] = {
	{ "otrf_winlogbeat6_kerberos.jsonl", 6, 2, 3, 1, 0, 11189, "SHIRE.COM|shire" },
	{ "otrf_nxlog_getsession_netsessenum.jsonl.gz", 5047, 0, 5, 1, 1, 11990133, "THESHIRE.LOCAL" },
	{ "otrf_nxlog_dllinjection.jsonl.gz", 12200, 0, 2, 10, 0, 27088782, "MORDOR.LOCAL" },
};

static int scan_evtx(const char *file, const struct evtx_scan_options *opt,
		     struct collected *c, struct event_read_stats *st)
{
	char rel[256], *path, *err = NULL;
	int rc;

	snprintf(rel, sizeof(rel), "evtx/%s", file);
	path = data_path(rel);
	rc = evtx_reader_scan(path, opt, collect_cb, c, st, &err);
	if (rc != 0)
		printf("# %s: %s\n", file, err ? err : "(no message)");
	free(err);
	free(path);
	return rc;
}

static int scan_jsonl(const char *file, const struct jsonl_scan_options *opt,
		      struct collected *c, struct event_read_stats *st)
{
	char rel[256], *path, *err = NULL;
	int rc;

	snprintf(rel, sizeof(rel), "json/%s", file);
	path = data_path(rel);
	rc = jsonl_reader_scan(path, opt, collect_cb, c, st, &err);
	if (rc != 0)
		printf("# %s: %s\n", file, err ? err : "(no message)");
	free(err);
	free(path);
	return rc;
}

static void test_evtx_counts(const struct evtx_case *k)
{
	struct collected c = { 0 };
	struct event_read_stats st;
	unsigned forwarded_seen = 0;

	is_int(scan_evtx(k->file, NULL, &c, &st), 0, "%s: scanned", k->file);
	is_int(st.records, k->records, "%s: records", k->file);
	is_int(st.unreadable, k->unreadable, "%s: unreadable records", k->file);
	is_int(st.tgt_requests, k->tgt, "%s: 4768 count", k->file);
	is_int(st.service_tickets, k->svc, "%s: 4769 count", k->file);
	is_int(st.renewals, k->renew, "%s: 4770 count", k->file);
	is_int(st.forwarded, k->forwarded, "%s: forwarded count", k->file);
	is_int(st.no_time, k->no_time, "%s: events without time", k->file);
	is_int(st.kerberos, c.n, "%s: one callback per event", k->file);
	for (size_t i = 0; i < c.n; i++)
		forwarded_seen += ticket_event_is_forwarded(&c.ev[i]);
	is_int(forwarded_seen, k->forwarded, "%s: forwarded events delivered", k->file);
	is_int(st.records, st.unreadable + st.skipped_resume + st.other_events + st.kerberos,
	       "%s: every record accounted for", k->file);
	is_int(st.has_last_record_id ? st.last_record_id : 0, k->last_record_id,
	       "%s: last record identifier", k->file);
	ok(st.corrupted == k->corrupted, "%s: corrupted flag", k->file);
	ok((st.damage[0] != '\0') == (k->unreadable > 0 || k->corrupted),
	   "%s: damage named exactly when there is damage (\"%s\")", k->file, st.damage);
	if (k->domains)
		ok(domains_are(&c, k->domains), "%s: TargetDomainName spellings %s",
		   k->file, k->domains);
	collected_free(&c);
}

static void test_evtx_unparseable_reason(void)
{
	struct collected c = { 0 };
	struct event_read_stats st;

	scan_evtx("mdec_unparseable_records.evtx", NULL, &c, &st);
	ok(strstr(st.damage, "unsupported type: 0x05") != NULL,
	   "unparseable records: libevtx's reason kept (%s)", st.damage);
	ok(strncmp(st.damage, "record index 0:", 15) == 0,
	   "unparseable records: the first bad record is named");
	ok(strchr(st.damage, '\n') == NULL, "damage reason is one line");
	collected_free(&c);
}

static void test_evtx_golden_ticket(void)
{
	struct collected c = { 0 };
	struct event_read_stats st;
	const struct ticket_event *ev;

	scan_evtx("mdec_4769_golden_ticket.evtx", NULL, &c, &st);
	ev = find_record(&c, 8);
	ok(ev != NULL, "golden ticket: record 8 delivered");
	if (ev == NULL)
		return;
	is_int(ev->event_id, 4769, "record 8: event 4769");
	ok(ev->source == TICKET_SOURCE_EVTX && !ev->recovered, "record 8: from EVTX, live record");
	ok(ev->has_time, "record 8: has a time");
	/* written 2020-08-02 12:31:20.569063 UTC */
	is_int(ev->time, 1596371480, "record 8: written time in Unix seconds");
	is_str(ev->target_user, "gold-non-existing-user@offsec.lan", "record 8: TargetUserName");
	is_str(ev->target_domain, "offsec.lan", "record 8: TargetDomainName");
	is_str(ev->service_name, "krbtgt", "record 8: ServiceName");
	is_str(ev->ip_address, "::ffff:10.23.23.9", "record 8: IpAddress");
	is_str(ev->computer, "rootdc1.offsec.lan", "record 8: computer");
	ok(ev->has_options, "record 8: has TicketOptions");
	is_int(ev->ticket_options, 0x60810010, "record 8: TicketOptions 0x60810010");
	ok(ticket_event_is_forwarded(ev), "record 8: forwarded");
	ok(ev->ticket_options & TICKET_OPT_FORWARDABLE, "record 8: forwardable");
	ok(ev->has_status && ev->status == 0, "record 8: Status 0x00000000");
	is_str(ticket_event_realm_of_user(ev->target_user), "offsec.lan", "record 8: realm of user");
	ok(!ev->truncated && !ev->sanitized, "record 8: no field cut or replaced");
	ev = find_record(&c, 5);
	ok(ev && strcmp(ev->target_user, "ROOTDC1$@OFFSEC.LAN") == 0 &&
	   strcmp(ev->target_domain, "OFFSEC.LAN") == 0 && strcmp(ev->ip_address, "::1") == 0 &&
	   !ticket_event_is_forwarded(ev), "record 5: ROOTDC1$@OFFSEC.LAN from ::1, not forwarded");
	collected_free(&c);
}

static void test_evtx_other_records(void)
{
	struct collected c = { 0 };
	struct event_read_stats st;
	const struct ticket_event *ev;
	static const uint64_t forwarded_ids[] = { 16, 18, 19, 20, 21 };
	int all = 1;

	scan_evtx("mdec_4769_tgs_host_enumeration.evtx", NULL, &c, &st);
	for (size_t i = 0; i < sizeof(forwarded_ids) / sizeof(forwarded_ids[0]); i++) {
		ev = find_record(&c, forwarded_ids[i]);
		all &= ev && ticket_event_is_forwarded(ev) &&
		       strcmp(ev->service_name, "krbtgt") == 0 &&
		       strcmp(ev->target_user, "admmig@OFFSEC.LAN") == 0;
	}
	ok(all, "TGS enumeration: records 16, 18-21 are the forwarded krbtgt tickets");
	ev = find_record(&c, 21);
	ok(ev && ev->time == 1594327265, "TGS enumeration: record 21 at 2020-07-09T20:41:05Z");
	collected_free(&c);

	scan_evtx("mdec_4769_kerberoast_low_encryption.evtx", NULL, &c, &st);
	ev = find_record(&c, 1);
	ok(ev && ev->target_user[0] == '\0' && ev->target_domain[0] == '\0' &&
	   ev->service_name[0] == '\0', "kerberoast record 1: empty user, domain and service");
	ok(ev && ev->has_status && ev->status == 0x25, "kerberoast record 1: Status 0x25");
	ok(ev && strcmp(ticket_event_account_realm(ev), "") == 0,
	   "kerberoast record 1: no account realm");
	ev = find_record(&c, 9);
	ok(ev && ticket_event_is_forwarded(ev) && ev->time == 1596368275 &&
	   strcmp(ev->target_user, "WEC01$@OFFSEC.LAN") == 0,
	   "kerberoast record 9: forwarded TGT for WEC01$ at 2020-08-02T11:37:55Z");
	collected_free(&c);

	scan_evtx("sbou_4768_password_spray.evtx", NULL, &c, &st);
	ev = find_record(&c, 12);
	ok(ev && !ev->has_time, "password spray record 12: written time 0 means no time");
	ok(ev && strcmp(ev->ip_address, "::ffff:172.16.66.1") == 0 && ev->status == 0,
	   "password spray record 12: still delivered with its fields");
	ev = find_record(&c, 2);
	ok(ev && ev->has_time && ev->time == 1595449776, "password spray record 2: 2020-07-22T20:29:36Z");
	ok(ev && ev->event_id == 4768 && strcmp(ev->target_user, "HD01") == 0 &&
	   strcmp(ev->service_name, "krbtgt/THREEBEESCO.COM") == 0 && ev->status == 6 &&
	   ev->ticket_options == TICKET_OPT_RENEWABLE_OK && strcmp(ev->ip_address, "172.16.66.1") == 0,
	   "password spray record 2: HD01, krbtgt/THREEBEESCO.COM, Status 0x6, options 0x10");
	ok(st.has_last_time && st.last_time == 1595449776,
	   "password spray: newest written time ignores the time-0 record");
	collected_free(&c);

	scan_evtx("sbou_4768_4769_samaccount_spoofing.evtx", NULL, &c, &st);
	ev = find_record(&c, 2);
	ok(ev && ev->event_id == 4768 && strcmp(ev->target_user, "lgrove") == 0 &&
	   strcmp(ev->target_domain, "threebeesco.com") == 0 && ev->ticket_options == 0x40810010 &&
	   strcmp(ev->computer, "01566s-win16-ir.threebeesco.com") == 0,
	   "samaccount spoofing record 2: 4768 lgrove@threebeesco.com, options 0x40810010");
	ev = find_record(&c, 17);
	ok(ev && ev->event_id == 4769 && strcmp(ev->service_name, "01566S-WIN16-IR$") == 0 &&
	   ev->ticket_options == 0x40800018, "samaccount spoofing record 17: 4769, options 0x40800018");
	collected_free(&c);
}

static void test_evtx_resume(void)
{
	struct collected c = { 0 };
	struct event_read_stats st;
	struct evtx_scan_options opt = { .resume = true, .after_record_id = 7 };

	scan_evtx("mdec_4769_golden_ticket.evtx", &opt, &c, &st);
	is_int(st.skipped_resume, 7, "resume after 7: records 1-7 skipped");
	is_int(st.kerberos, 3, "resume after 7: records 8-10 delivered");
	ok(c.n == 3 && c.ev[0].record_id == 8 && c.ev[2].record_id == 10,
	   "resume after 7: first delivered is record 8");
	is_int(st.last_record_id, 10, "resume after 7: last record identifier 10");
	ok(!st.resume_reset, "resume after 7: no reset");
	collected_free(&c);

	opt.after_record_id = 10;
	scan_evtx("mdec_4769_golden_ticket.evtx", &opt, &c, &st);
	ok(st.kerberos == 0 && st.skipped_resume == 10 && !st.resume_reset,
	   "resume after the last record: nothing new, no reset");
	collected_free(&c);

	opt.after_record_id = 5000;
	scan_evtx("mdec_4769_golden_ticket.evtx", &opt, &c, &st);
	ok(st.kerberos == 0 && st.resume_reset,
	   "resume after an identifier beyond the log: reset reported (log cleared)");
	collected_free(&c);

	/* The bad-chunk sample is a wrapped log: identifiers are not in file
	 * order, so resuming must compare identifiers, not positions. */
	opt.after_record_id = 47000;
	scan_evtx("omer_bad_chunk_magic.evtx", &opt, &c, &st);
	ok(st.skipped_resume > 0 && st.other_events > 0 &&
	   st.skipped_resume + st.other_events == 267,
	   "wrapped log: %llu skipped, %llu newer than 47000",
	   (unsigned long long)st.skipped_resume, (unsigned long long)st.other_events);
	is_int(st.last_record_id, 47639, "wrapped log: highest identifier found wherever it sits");
	collected_free(&c);
}

static void test_evtx_stop_and_recovered(void)
{
	struct collected c = { .stop_after = 1 };
	struct event_read_stats st;
	struct evtx_scan_options opt = { .include_recovered = true };

	scan_evtx("mdec_4768_bruteforce_unknown_users.evtx", NULL, &c, &st);
	ok(st.stopped && st.kerberos == 1 && c.n == 1, "callback can stop an EVTX scan");
	collected_free(&c);

	scan_evtx("mdec_4768_4769_host_ticket_no_dollar.evtx", NULL, &c, &st);
	is_int(st.recovered_available, 69, "recovered records counted, not scanned, by default");
	is_int(st.records, 2, "recovered records not scanned by default");
	collected_free(&c);

	scan_evtx("mdec_4768_4769_host_ticket_no_dollar.evtx", &opt, &c, &st);
	is_int(st.records, 2 + 69, "include_recovered scans the 69 recovered records too");
	is_int(st.kerberos, 2, "the recovered records hold no ticket event");
	is_int(st.last_record_id, 2, "recovered records leave the resume point alone");
	collected_free(&c);
}

static void test_jsonl_counts(const struct jsonl_case *k, bool prefilter)
{
	struct collected c = { 0 };
	struct event_read_stats st;
	struct jsonl_scan_options opt = { .no_prefilter = !prefilter };
	const char *mode = prefilter ? "" : " (no prefilter)";

	is_int(scan_jsonl(k->file, &opt, &c, &st), 0, "%s%s: scanned", k->file, mode);
	is_int(st.records, k->lines, "%s%s: lines", k->file, mode);
	is_int(st.tgt_requests, k->tgt, "%s%s: 4768 count", k->file, mode);
	is_int(st.service_tickets, k->svc, "%s%s: 4769 count", k->file, mode);
	is_int(st.renewals, k->renew, "%s%s: 4770 count", k->file, mode);
	is_int(st.forwarded, k->forwarded, "%s%s: forwarded count", k->file, mode);
	is_int(st.malformed, 0, "%s%s: no malformed line", k->file, mode);
	is_int(st.kerberos, c.n, "%s%s: one callback per event", k->file, mode);
	is_int(st.end_offset, k->size, "%s%s: end offset is the input size", k->file, mode);
	ok(st.damage[0] == '\0', "%s%s: no damage", k->file, mode);
	is_int(st.records, st.blank + st.malformed + st.prefiltered + st.other_events + st.kerberos,
	       "%s%s: every line accounted for", k->file, mode);
	if (!prefilter)
		is_int(st.other_events, k->lines - st.kerberos,
		       "%s: every other line is a recognised event", k->file);
	ok(domains_are(&c, k->domains), "%s%s: TargetDomainName spellings %s", k->file, mode,
	   k->domains);
	collected_free(&c);
}

static const struct ticket_event *find_offset(const struct collected *c, uint64_t off)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->ev[i].offset == off)
			return &c->ev[i];
	return NULL;
}

static void test_jsonl_winlogbeat6_values(void)
{
	struct collected c = { 0 };
	struct event_read_stats st;
	const struct ticket_event *ev;

	scan_jsonl("otrf_winlogbeat6_kerberos.jsonl", NULL, &c, &st);
	ev = find_offset(&c, 0);
	ok(ev != NULL, "winlogbeat6 line 1 delivered");
	if (ev) {
		ok(ev->source == TICKET_SOURCE_WINLOGBEAT6, "line 1: Winlogbeat 6 shape");
		is_int(ev->event_id, 4770, "line 1: event 4770");
		/* @timestamp 2019-03-19T17:15:10.012Z */
		is_int(ev->time, 1553015710, "line 1: @timestamp, fraction dropped");
		is_str(ev->target_user, "Administrator@SHIRE.COM", "line 1: TargetUserName");
		is_str(ev->target_domain, "SHIRE.COM", "line 1: TargetDomainName");
		is_str(ev->service_name, "krbtgt", "line 1: ServiceName");
		is_str(ev->ip_address, "::1", "line 1: IpAddress");
		is_str(ev->computer, "HFDC01.shire.com", "line 1: computer_name");
		ok(ev->has_options && ev->ticket_options == 0x10002, "line 1: TicketOptions 0x10002");
		ok(!ev->has_status, "line 1: 4770 has no Status");
		ok(ev->has_record_id && ev->record_id == 7766807, "line 1: record_number string");
	}
	ev = find_offset(&c, 7288);
	ok(ev && ev->event_id == 4768 && strcmp(ev->target_domain, "shire") == 0 &&
	   strcmp(ev->target_user, "pgustavo") == 0 && ev->time == 1558212215 &&
	   ev->status == 0 && ev->has_status,
	   "line 5: 4768 pgustavo, NetBIOS spelling 'shire', 2019-05-18T20:43:35Z");
	ok(st.has_last_time && st.last_time == 1558212215, "newest time of the file");
	collected_free(&c);
}

static void test_jsonl_nxlog_values(void)
{
	struct collected c = { 0 };
	struct event_read_stats st;
	const struct ticket_event *ev;
	struct jsonl_scan_options opt = { .start_offset = 8989223 };

	scan_jsonl("otrf_nxlog_getsession_netsessenum.jsonl.gz", NULL, &c, &st);
	ev = find_offset(&c, 8989223);
	ok(ev != NULL, "NXLog forwarded line at uncompressed offset 8989223");
	if (ev) {
		ok(ev->source == TICKET_SOURCE_NXLOG, "forwarded line: NXLog shape");
		is_int(ev->event_id, 4769, "forwarded line: event 4769");
		/* @timestamp 2020-09-22T07:45:38.204Z (EventTime 03:45:36 local) */
		is_int(ev->time, 1600760738, "forwarded line: @timestamp wins over EventTime");
		is_str(ev->target_user, "pgustavo@THESHIRE.LOCAL", "forwarded line: TargetUserName");
		is_str(ev->service_name, "krbtgt", "forwarded line: ServiceName");
		is_str(ev->computer, "MORDORDC.theshire.local", "forwarded line: Hostname");
		is_str(ev->ip_address, "::ffff:172.18.39.5", "forwarded line: IpAddress");
		ok(ev->ticket_options == 0x60810010 && ticket_event_is_forwarded(ev),
		   "forwarded line: TicketOptions 0x60810010");
		ok(ev->record_id == 2028608, "forwarded line: RecordNumber");
	}
	ev = find_offset(&c, 2139915);
	ok(ev && ev->event_id == 4770 && ev->ticket_options == 0x10002 && !ev->has_status &&
	   ev->time == 1600760717, "NXLog 4770 at offset 2139915");
	collected_free(&c);

	/* Resuming inside the gzip stream at a line start. */
	scan_jsonl("otrf_nxlog_getsession_netsessenum.jsonl.gz", &opt, &c, &st);
	is_int(st.records, 1074, "gzip from offset 8989223: the remaining 1074 lines");
	is_int(st.kerberos, 2, "gzip from offset 8989223: two ticket events left");
	ok(c.n > 0 && c.ev[0].offset == 8989223 && ticket_event_is_forwarded(&c.ev[0]),
	   "gzip from offset: the first event is the forwarded one");
	is_int(st.end_offset, 11990133, "gzip from offset: ends at the stream end");
	collected_free(&c);

	scan_jsonl("otrf_nxlog_dllinjection.jsonl.gz", NULL, &c, &st);
	ev = find_offset(&c, 24699691);
	ok(ev && ev->event_id == 4770 && ev->time == 1595390644 && ev->record_id == 9011992 &&
	   strcmp(ev->target_user, "MORDORDC$@MORDOR.LOCAL") == 0 &&
	   strcmp(ev->computer, "MORDORDC.mordor.local") == 0,
	   "dllinjection: first 4770 at offset 24699691, 2020-07-22T04:04:04Z");
	collected_free(&c);
}

int main(void)
{
	char *probe = data_path("evtx/mdec_4769_golden_ticket.evtx");
	int found = access(probe, R_OK) == 0;

	free(probe);
	if (!found) {
		ok(0, "sample data under %s/tests/data/events (set TOP_SRCDIR)", top_srcdir());
		return tap_done();
	}
	for (size_t i = 0; i < sizeof(evtx_cases) / sizeof(evtx_cases[0]); i++)
		test_evtx_counts(&evtx_cases[i]);
	test_evtx_unparseable_reason();
	test_evtx_golden_ticket();
	test_evtx_other_records();
	test_evtx_resume();
	test_evtx_stop_and_recovered();
	for (size_t i = 0; i < sizeof(jsonl_cases) / sizeof(jsonl_cases[0]); i++) {
		test_jsonl_counts(&jsonl_cases[i], true);
		test_jsonl_counts(&jsonl_cases[i], false);
	}
	test_jsonl_winlogbeat6_values();
	test_jsonl_nxlog_values();
	return tap_done();
}
