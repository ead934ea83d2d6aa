/* SPDX-License-Identifier: GPL-3.0-or-later */
/* One input of check_ad_ticket_events read whole or incrementally, on
 * files built from the real Winlogbeat 6 sample and on real EVTX samples:
 * what the state remembers, resuming, a half-written line, rotation with
 * and without the old file, truncation, an offset past the end, the stop
 * callback, events after --now, EVTX record numbers and unreadable
 * records, EVTX in identifier order (only new records read, the stop
 * callback, a wrapped log, a log cleared and refilled past the saved
 * number, a state of an older version). */
#include "../tap.h"
#include "ev_testutil.h"

#include <sys/stat.h>

#include "events_input.h"
#include "statefile.h"

#define WLB6_FILE "json/otrf_winlogbeat6_kerberos.jsonl"
#define WLB6_SIZE 11189
#define WIDE_FROM 0
#define WIDE_TO 1893456000 /* 2030-01-01 */

struct fixture {
	struct tmpdir tmp;
	char *wlb6;       /* the whole sample */
	size_t len;
	size_t line_end[6];
	struct events_realms realms;
	struct events_window wide;
	const char *state_path;
};

static int stop_calls;
static bool stop_after_two(const void *ctx)
{
	(void)ctx;
	return ++stop_calls >= 2;
}

/* Reads one input with a state file (NULL: whole); returns the count of
 * cross-trust events, the input in *IN (caller frees). */
static long scan_once(struct fixture *fx, enum events_input_kind kind, const char *path,
		      bool incremental, struct events_window w,
		      bool (*out_of_time)(const void *), struct events_input *in)
{
	struct events_scan_config cfg = { .out_of_time = out_of_time };
	ad_state_status status;
	char *note = NULL, *err = NULL;
	ad_state *st = NULL;
	int rc;

	if (incremental) {
		st = ad_state_open(fx->state_path, "check_ad_ticket_events", &status, &note, &err);
		if (st == NULL) {
			printf("# state: %s\n", err);
			free(err);
			return -1;
		}
	}
	cfg.state = st;
	events_input_init(in, kind, path, &fx->realms, w);
	rc = events_input_scan(in, &cfg);
	if (st != NULL) {
		if (ad_state_save(st, &err) < 0) {
			printf("# save: %s\n", err);
			free(err);
		}
		ad_state_close(st);
	}
	free(note);
	return rc < 0 ? -1 : (long)in->tally.n.cross_trust;
}

static long count(struct fixture *fx, const char *path, bool incremental)
{
	struct events_input in;
	long n = scan_once(fx, EVENTS_INPUT_JSONL, path, incremental, fx->wide, NULL, &in);

	events_input_free(&in);
	return n;
}

static void write_part(const char *path, const char *mode, const char *data, size_t len)
{
	if (write_bytes(path, mode, data, len) < 0)
		printf("# cannot write %s\n", path);
}

static void test_whole_and_resume(struct fixture *fx)
{
	const char *f = tmp_file(&fx->tmp, "a.jsonl");
	struct events_input in;
	size_t two = fx->line_end[1], half = two + (fx->line_end[2] - two) / 2;

	write_part(f, "wb", fx->wlb6, two);
	is_int(count(fx, f, false), 2, "whole: two lines");
	is_int(count(fx, f, false), 2, "whole again: the same two");
	is_int(count(fx, f, true), 2, "incremental first run: two");
	is_int(count(fx, f, true), 0, "incremental second run: none");
	write_part(f, "ab", fx->wlb6 + two, half - two);
	is_int(count(fx, f, true), 0, "half a line appended: not consumed");
	write_part(f, "ab", fx->wlb6 + half, fx->len - half);
	ok(scan_once(fx, EVENTS_INPUT_JSONL, f, true, fx->wide, NULL, &in) == 4 && in.resumed &&
	   in.start == two && in.end == WLB6_SIZE && in.malformed == 0,
	   "the rest: 4 events, resumed at the end of line 2, now at the end");
	events_input_free(&in);
}

static void test_state_value(struct fixture *fx)
{
	const char *f = tmp_file(&fx->tmp, "v.jsonl");
	ad_state_status status;
	char *note = NULL, *err = NULL, *key;
	const char *v;
	struct stat sb;
	unsigned long long dev, ino, size, off;
	size_t head;
	ad_state *st;

	write_part(f, "wb", fx->wlb6, fx->len);
	count(fx, f, true);
	stat(f, &sb);
	st = ad_state_open(fx->state_path, "check_ad_ticket_events", &status, &note, &err);
	key = malloc(strlen(f) + 8);
	sprintf(key, "jsonl:%s", f);
	v = st ? ad_state_get(st, key) : NULL;
	ok(v && sscanf(v, "%llu %llu %llu %llu %zu", &dev, &ino, &size, &off, &head) == 5 &&
	   dev == (unsigned long long)sb.st_dev && ino == (unsigned long long)sb.st_ino &&
	   size == WLB6_SIZE && off == WLB6_SIZE && head == EVENTS_HEAD_BYTES,
	   "state: device, inode, size, offset, head length (%s)", v ? v : "none");
	free(key);
	ad_state_close(st);
	free(note);
}

static void test_rotation_and_truncation(struct fixture *fx)
{
	const char *f = tmp_file(&fx->tmp, "r.jsonl");
	const char *old = tmp_file(&fx->tmp, "r.jsonl.1");
	struct events_input in;
	size_t l3 = fx->line_end[2];

	write_part(f, "wb", fx->wlb6, l3);
	is_int(count(fx, f, true), 3, "rotation: first run, three");
	write_part(f, "ab", fx->wlb6 + l3, fx->line_end[3] - l3); /* line 4, unread */
	rename(f, old);
	write_part(f, "wb", fx->wlb6 + fx->line_end[3], fx->len - fx->line_end[3]);
	ok(scan_once(fx, EVENTS_INPUT_JSONL, f, true, fx->wide, NULL, &in) == 3 &&
	   in.rotated_from && strcmp(in.rotated_from, old) == 0 && in.notes.n == 1 && !in.resumed,
	   "rotated: line 4 from the old file, lines 5-6 from the new one");
	events_input_free(&in);
	is_int(count(fx, f, true), 0, "rotated: then nothing");

	/* truncated in place, shorter than the offset */
	write_part(f, "wb", fx->wlb6, fx->line_end[0]);
	ok(scan_once(fx, EVENTS_INPUT_JSONL, f, true, fx->wide, NULL, &in) == 1 && in.notes.n == 1 &&
	   strstr(in.notes.items[0], "truncated or rewritten"), "truncated: read from the start");
	events_input_free(&in);
	is_int(count(fx, f, true), 0, "truncated: then nothing");
}

static void test_stop_and_future(struct fixture *fx)
{
	const char *f = tmp_file(&fx->tmp, "s.jsonl");
	struct events_window w = { WIDE_FROM, 1558211000 }; /* 2019-05-18T20:23:20Z */
	struct events_input in;

	write_part(f, "wb", fx->wlb6, fx->len);
	stop_calls = 0;
	ok(scan_once(fx, EVENTS_INPUT_JSONL, f, true, fx->wide, stop_after_two, &in) == 2 &&
	   in.stopped_early && in.end == fx->line_end[1], "out of time after two events: stopped there");
	events_input_free(&in);
	is_int(count(fx, f, true), 4, "the next run reads the other four");

	/* in the window: lines 1 (2019-03-19), 3 and 4 (20:20:09); after it:
	 * line 2 (20:37:03), 5 and 6 (20:43:35) */
	unlink(fx->state_path);
	ok(scan_once(fx, EVENTS_INPUT_JSONL, f, true, w, NULL, &in) == 1 &&
	   in.end == fx->line_end[0] && in.tally.n.after_window == 0,
	   "incremental: stops before the first event after --now");
	events_input_free(&in);
	ok(scan_once(fx, EVENTS_INPUT_JSONL, f, false, w, NULL, &in) == 3 && in.tally.n.after_window == 3,
	   "whole: events after --now counted as such, the others in the window");
	events_input_free(&in);
}

static void test_evtx(struct fixture *fx)
{
	char *golden = data_path("evtx/mdec_4769_golden_ticket.evtx");
	char *bad = data_path("evtx/mdec_unparseable_records.evtx");
	struct events_window w = { WIDE_FROM, 1596371239 }; /* 2020-08-02T12:27:19Z */
	struct events_input in;

	unlink(fx->state_path);
	ok(scan_once(fx, EVENTS_INPUT_EVTX, golden, true, w, NULL, &in) == 6 && in.end == 6,
	   "EVTX: records 1-6 by --now, resume point 6");
	events_input_free(&in);
	ok(scan_once(fx, EVENTS_INPUT_EVTX, golden, true, fx->wide, NULL, &in) == 4 && in.resumed &&
	   in.start == 6 && in.end == 10, "EVTX: then 7-10");
	events_input_free(&in);
	is_int(count(fx, golden, false), 0, "EVTX read as JSON lines: garbage, not an error");
	ok(scan_once(fx, EVENTS_INPUT_EVTX, bad, true, fx->wide, NULL, &in) == 0 && in.unreadable == 55,
	   "EVTX unreadable: 55 the first time");
	events_input_free(&in);
	ok(scan_once(fx, EVENTS_INPUT_EVTX, bad, true, fx->wide, NULL, &in) == 0 && in.unreadable == 0 &&
	   in.damage != NULL, "EVTX unreadable: not again, the damage still named");
	events_input_free(&in);
	ok(scan_once(fx, EVENTS_INPUT_EVTX, "/nonexistent/x.evtx", true, fx->wide, NULL, &in) == -1 &&
	   in.error && strstr(in.error, "/nonexistent/x.evtx"), "missing EVTX: error with the path");
	events_input_free(&in);
	free(golden);
	free(bad);
}

/* Copies sample REL to PATH; false when it cannot. */
static bool copy_sample(const char *rel, const char *path)
{
	char *src = data_path(rel), *data;
	size_t len = 0;
	bool done;

	data = read_bytes(src, &len);
	done = data != NULL && write_bytes(path, "wb", data, len) == 0;
	if (!done)
		printf("# cannot copy %s to %s\n", src, path);
	free(data);
	free(src);
	return done;
}

/* The state value of an EVTX input. */
static char *evtx_state_value(struct fixture *fx, const char *path)
{
	ad_state_status status;
	char *note = NULL, *err = NULL, *key = malloc(strlen(path) + 8), *v = NULL;
	ad_state *st = ad_state_open(fx->state_path, "check_ad_ticket_events", &status, &note, &err);

	sprintf(key, "evtx:%s", path);
	if (st != NULL && ad_state_get(st, key) != NULL)
		v = strdup(ad_state_get(st, key));
	ad_state_close(st);
	free(key);
	free(note);
	free(err);
	return v;
}

static void set_evtx_state_value(struct fixture *fx, const char *path, const char *value)
{
	ad_state_status status;
	char *note = NULL, *err = NULL, *key = malloc(strlen(path) + 8);
	ad_state *st = ad_state_open(fx->state_path, "check_ad_ticket_events", &status, &note, &err);

	sprintf(key, "evtx:%s", path);
	if (st != NULL) {
		ad_state_set(st, key, value);
		if (ad_state_save(st, &err) < 0)
			printf("# save: %s\n", err);
	}
	ad_state_close(st);
	free(key);
	free(note);
	free(err);
}

/* EVTX in incremental mode reads in record identifier order: only what is
 * new, able to stop in time, a wrapped log from its oldest record on, and
 * a log cleared and refilled past the saved number recognised. */
static void test_evtx_id_order(struct fixture *fx)
{
	const char *e = tmp_file(&fx->tmp, "dc.evtx");
	struct events_input in;
	char *v;

	unlink(fx->state_path);
	if (!copy_sample("evtx/mdec_4769_golden_ticket.evtx", e))
		return;
	stop_calls = 0;
	ok(scan_once(fx, EVENTS_INPUT_EVTX, e, true, fx->wide, stop_after_two, &in) == 2 &&
	   in.stopped_early && in.end == 2 && in.lines_or_records == 2,
	   "EVTX out of time after two records: stopped there, two read");
	events_input_free(&in);
	ok(scan_once(fx, EVENTS_INPUT_EVTX, e, true, fx->wide, NULL, &in) == 8 && in.resumed &&
	   in.start == 2 && in.end == 10 && in.lines_or_records == 8,
	   "EVTX: the next run reads records 3-10 only");
	events_input_free(&in);
	v = evtx_state_value(fx, e);
	/* record 10 written 2020-08-02T12:31:20.9336793Z: FILETIME 132408450809336793 */
	ok(v && strcmp(v, "10 1596371480 0 132408450809336793") == 0,
	   "EVTX state: last record, newest time, unreadable, the record's FILETIME (%s)",
	   v ? v : "none");
	free(v);
	ok(scan_once(fx, EVENTS_INPUT_EVTX, e, true, fx->wide, NULL, &in) == 0 && in.resumed &&
	   in.lines_or_records == 0 && in.st.skipped_resume == 10,
	   "EVTX: nothing new, no record read (10 passed over)");
	events_input_free(&in);

	/* a state of an older version (no FILETIME): read in file order once */
	set_evtx_state_value(fx, e, "10 1596371480 0");
	ok(scan_once(fx, EVENTS_INPUT_EVTX, e, true, fx->wide, NULL, &in) == 0 && in.resumed &&
	   in.lines_or_records == 10 && in.notes.n == 0, "EVTX, state without FILETIME: read whole once");
	events_input_free(&in);
	v = evtx_state_value(fx, e);
	ok(v && strcmp(v, "10 1596371480 0 132408450809336793") == 0, "... and the FILETIME added");
	free(v);

	/* cleared (its first record is event 1102) and refilled past record
	 * 10, newer than anything before: records 1-10 are another log's */
	if (!copy_sample("evtx/sbou_4768_4769_samaccount_spoofing.evtx", e))
		return;
	ok(scan_once(fx, EVENTS_INPUT_EVTX, e, true, fx->wide, NULL, &in) == 4 && !in.resumed &&
	   in.notes.n == 1 && strstr(in.notes.items[0], "is not the log the last run read"),
	   "EVTX cleared and refilled past the saved number: read from its start, all 4");
	events_input_free(&in);
	is_int(scan_once(fx, EVENTS_INPUT_EVTX, e, true, fx->wide, NULL, &in), 0, "... then nothing");
	events_input_free(&in);

	/* a wrapped log: its oldest chunk sits in the middle of the file */
	unlink(fx->state_path);
	if (!copy_sample("evtx/omer_bad_chunk_magic.evtx", e))
		return;
	stop_calls = 0;
	ok(scan_once(fx, EVENTS_INPUT_EVTX, e, true, fx->wide, stop_after_two, &in) == 0 &&
	   in.stopped_early && in.end == 45692 && in.lines_or_records == 2,
	   "wrapped EVTX: the two oldest records first (45691, 45692)");
	events_input_free(&in);
	ok(scan_once(fx, EVENTS_INPUT_EVTX, e, true, fx->wide, NULL, &in) == 0 &&
	   in.end == 47639 && in.lines_or_records == 265 && in.damage != NULL,
	   "wrapped EVTX: then the other 265, up to the newest; damage still named");
	events_input_free(&in);
}

int main(void)
{
	struct fixture fx;
	char *path = data_path(WLB6_FILE);
	size_t k = 0;

	memset(&fx, 0, sizeof(fx));
	if (tmp_init(&fx.tmp) < 0 || (fx.wlb6 = read_bytes(path, &fx.len)) == NULL) {
		ok(0, "fixture: read %s", path);
		free(path);
		return tap_done();
	}
	free(path);
	for (size_t i = 0; i < fx.len && k < 6; i++)
		if (fx.wlb6[i] == '\n')
			fx.line_end[k++] = i + 1;
	fx.state_path = tmp_file(&fx.tmp, "ev.state");
	tmp_file(&fx.tmp, "ev.state.lock");
	events_realms_init(&fx.realms);
	events_realms_add_trusted(&fx.realms, "SHIRE.COM", NULL);
	events_realms_add_trusted(&fx.realms, "SHIRE", NULL);
	events_realms_add_trusted(&fx.realms, "OFFSEC.LAN", NULL);
	events_realms_add_trusted(&fx.realms, "THREEBEESCO.COM", NULL);
	fx.wide = (struct events_window){ WIDE_FROM, WIDE_TO };

	test_whole_and_resume(&fx);
	test_state_value(&fx);
	test_rotation_and_truncation(&fx);
	test_stop_and_future(&fx);
	test_evtx(&fx);
	test_evtx_id_order(&fx);

	events_realms_free(&fx.realms);
	free(fx.wlb6);
	tmp_cleanup(&fx.tmp);
	return tap_done();
}
