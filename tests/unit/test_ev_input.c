/* SPDX-License-Identifier: GPL-3.0-or-later */
/* One input of check_ad_ticket_events read whole or incrementally, on
 * files built from the real Winlogbeat 6 sample and on real EVTX samples:
 * what the state remembers, resuming, a half-written line, rotation with
 * and without the old file, truncation, an offset past the end, the stop
 * callback, events after --now, EVTX record numbers and unreadable
 * records, EVTX in identifier order (only new records read, the stop
 * callback, a wrapped log, a log cleared and refilled past the saved
 * number, a state of an older version, unreadable records where the
 * bisections probe, unreadable records counted once, the saved record
 * overwritten, unreadable records before the oldest of a wrapped log). */
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

/* Copies sample REL to PATH with the first bytes of the binary XML of the
 * record starting at byte AT overwritten: libevtx cannot read that record
 * (not even its header), the others stay readable. */
static bool damaged_sample(const char *rel, const char *path, size_t at)
{
	char *src = data_path(rel), *data;
	size_t len = 0;
	bool done;

	data = read_bytes(src, &len);
	done = data != NULL && at + 24 + 8 <= len;
	if (done) {
		memset(data + at + 24, 0xff, 8); /* after the 24-byte record header */
		done = write_bytes(path, "wb", data, len) == 0;
	}
	if (!done)
		printf("# cannot copy %s to %s\n", src, path);
	free(data);
	free(src);
	return done;
}

#define GOLDEN "evtx/mdec_4769_golden_ticket.evtx"
/* where records 1-10 of GOLDEN start (indexes 0-9) */
static const size_t golden_at[10] = { 4608, 7024, 7552, 8080, 8608, 9072, 9536, 10064, 10592, 11120 };

static bool state_is(struct fixture *fx, const char *path, const char *want)
{
	char *v = evtx_state_value(fx, path);
	bool same = v != NULL && strcmp(v, want) == 0;

	if (!same)
		printf("# state of %s: %s, expected %s\n", path, v ? v : "none", want);
	free(v);
	return same;
}

/* A record whose header cannot be read: bisection steps over it, it is
 * read in its place and counted once; identifier order still holds. */
static void test_evtx_unreadable_in_order(struct fixture *fx)
{
	const char *e = tmp_file(&fx->tmp, "dmg.evtx");
	struct events_window w = { WIDE_FROM, 1596371239 }; /* records 1-6 */
	struct events_input in;

	/* the first record (index 0, probed to find the oldest) */
	unlink(fx->state_path);
	if (!damaged_sample(GOLDEN, e, golden_at[0]))
		return;
	stop_calls = 0;
	ok(scan_once(fx, EVENTS_INPUT_EVTX, e, true, fx->wide, stop_after_two, &in) == 2 &&
	   in.stopped_early && in.end == 3 && in.lines_or_records == 3 && in.unreadable == 1 &&
	   in.st.in_id_order && in.notes.n == 1 && strstr(in.notes.items[0], "read stopped"),
	   "EVTX, first record unreadable: still in identifier order, stops early (records 2-3)");
	events_input_free(&in);
	ok(scan_once(fx, EVENTS_INPUT_EVTX, e, true, fx->wide, NULL, &in) == 7 && in.resumed &&
	   in.start == 3 && in.end == 10 && in.lines_or_records == 7 && in.unreadable == 0,
	   "... then records 4-10 only, the unreadable one not counted again");
	events_input_free(&in);
	ok(scan_once(fx, EVENTS_INPUT_EVTX, e, true, fx->wide, NULL, &in) == 0 &&
	   in.lines_or_records == 0 && in.unreadable == 0 && in.st.in_id_order,
	   "... then nothing read");
	events_input_free(&in);

	/* the last record (index 9, probed for the newest): read in its
	 * place every run, counted the first time only */
	unlink(fx->state_path);
	if (!damaged_sample(GOLDEN, e, golden_at[9]))
		return;
	ok(scan_once(fx, EVENTS_INPUT_EVTX, e, true, fx->wide, NULL, &in) == 9 && in.end == 9 &&
	   in.unreadable == 1 && in.st.in_id_order && state_is(fx, e, "9 1596371480 1 132408450809254792"),
	   "EVTX, last record unreadable: records 1-9, 1 unreadable after record 9");
	events_input_free(&in);
	ok(scan_once(fx, EVENTS_INPUT_EVTX, e, true, fx->wide, NULL, &in) == 0 && in.resumed &&
	   in.lines_or_records == 1 && in.unreadable == 0 && in.damage != NULL && in.notes.n == 0 &&
	   state_is(fx, e, "9 1596371480 1 132408450809254792"),
	   "... then only it is read, not counted again, its damage named");
	events_input_free(&in);

	/* record 6 (index 5, the first midpoint of every bisection), a run
	 * that stops before record 7 (newer than --now) right after it */
	unlink(fx->state_path);
	if (!damaged_sample(GOLDEN, e, golden_at[5]))
		return;
	ok(scan_once(fx, EVENTS_INPUT_EVTX, e, true, w, NULL, &in) == 5 && in.end == 5 &&
	   in.unreadable == 1 && in.st.in_id_order && state_is(fx, e, "5 1596371480 1 132408448390565547"),
	   "EVTX, record 6 unreadable, 7 after --now: records 1-5, the unreadable one counted");
	events_input_free(&in);
	ok(scan_once(fx, EVENTS_INPUT_EVTX, e, true, fx->wide, NULL, &in) == 4 && in.resumed &&
	   in.start == 5 && in.end == 10 && in.lines_or_records == 5 && in.unreadable == 0 &&
	   in.st.in_id_order, "... then records 7-10, found by bisection, record 6 not counted again");
	events_input_free(&in);
	ok(scan_once(fx, EVENTS_INPUT_EVTX, e, true, fx->wide, NULL, &in) == 0 &&
	   in.lines_or_records == 0 && in.unreadable == 0 && in.st.in_id_order,
	   "... then nothing read");
	events_input_free(&in);

	/* a wrapped log, the record at the first midpoint of the search for
	 * the oldest (index 133, record 45799) unreadable */
	unlink(fx->state_path);
	if (!damaged_sample("evtx/omer_bad_chunk_magic.evtx", e, 583272))
		return;
	stop_calls = 0;
	ok(scan_once(fx, EVENTS_INPUT_EVTX, e, true, fx->wide, stop_after_two, &in) == 0 &&
	   in.stopped_early && in.end == 45692 && in.lines_or_records == 2 && in.unreadable == 0,
	   "wrapped EVTX, a midpoint unreadable: the two oldest records first");
	events_input_free(&in);
	ok(scan_once(fx, EVENTS_INPUT_EVTX, e, true, fx->wide, NULL, &in) == 0 &&
	   in.end == 47639 && in.lines_or_records == 265 && in.unreadable == 1 && in.notes.n == 0,
	   "... then the other 265, the unreadable one counted");
	events_input_free(&in);
	ok(scan_once(fx, EVENTS_INPUT_EVTX, e, true, fx->wide, NULL, &in) == 0 &&
	   in.lines_or_records == 0 && in.unreadable == 0, "... then nothing");
	events_input_free(&in);
}

/* The unreadable count of the state: those right after the saved record
 * already counted, whatever the file held before; new damage counted
 * once, in identifier or file order. */
static void test_evtx_unreadable_count(struct fixture *fx)
{
	const char *e = tmp_file(&fx->tmp, "cnt.evtx");
	struct events_window w = { WIDE_FROM, 1596371239 }; /* records 1-6 */
	struct events_input in;

	/* a state counting one unreadable record the log has since
	 * overwritten; new damage: record 8 */
	unlink(fx->state_path);
	if (!damaged_sample(GOLDEN, e, golden_at[7]))
		return;
	set_evtx_state_value(fx, e, "6 1596371239 1 132408448397427744");
	ok(scan_once(fx, EVENTS_INPUT_EVTX, e, true, fx->wide, NULL, &in) == 3 && in.resumed &&
	   in.start == 6 && in.end == 10 && in.unreadable == 1 && in.notes.n == 0,
	   "EVTX, new damage after earlier damage gone: counted (records 7, 9, 10 read)");
	events_input_free(&in);
	ok(scan_once(fx, EVENTS_INPUT_EVTX, e, true, fx->wide, NULL, &in) == 0 &&
	   in.unreadable == 0 && in.lines_or_records == 0, "... and not again");
	events_input_free(&in);

	/* a state without record number (the last run read no record) */
	if (!damaged_sample(GOLDEN, e, golden_at[5]))
		return;
	set_evtx_state_value(fx, e, "- - 1 -");
	ok(scan_once(fx, EVENTS_INPUT_EVTX, e, true, fx->wide, NULL, &in) == 9 && !in.resumed &&
	   in.unreadable == 1 && state_is(fx, e, "10 1596371480 0 132408450809336793"),
	   "EVTX, state without record number: damage past the first record counted");
	events_input_free(&in);
	if (!damaged_sample(GOLDEN, e, golden_at[0]))
		return;
	set_evtx_state_value(fx, e, "- - 1 -");
	ok(scan_once(fx, EVENTS_INPUT_EVTX, e, true, fx->wide, NULL, &in) == 9 && !in.resumed &&
	   in.unreadable == 0 && state_is(fx, e, "10 1596371480 0 132408450809336793"),
	   "... the unreadable first record it counted is not counted again, nor kept");
	events_input_free(&in);
	is_int(scan_once(fx, EVENTS_INPUT_EVTX, e, true, fx->wide, NULL, &in), 0, "... then nothing");
	ok(in.unreadable == 0, "... nothing unreadable either");
	events_input_free(&in);

	/* a wrapped log read past its saved record (overwritten): from its
	 * oldest record in identifier order, the loss said; damage after
	 * the saved record counted, even with a state counting damage since
	 * overwritten */
	if (!damaged_sample("evtx/omer_bad_chunk_magic.evtx", e, 583272))
		return;
	set_evtx_state_value(fx, e, "45600 - 1 131781306757248721");
	ok(scan_once(fx, EVENTS_INPUT_EVTX, e, true, fx->wide, NULL, &in) == 0 && in.resumed &&
	   in.st.in_id_order && in.end == 47639 && in.lines_or_records == 267 &&
	   in.unreadable == 1 && in.notes.n == 1 &&
	   strstr(in.notes.items[0], ": records 45601 to 45690 were overwritten before this run "
		  "read them"),
	   "wrapped EVTX past the saved record: identifier order, the loss said, new damage counted");
	events_input_free(&in);
	ok(scan_once(fx, EVENTS_INPUT_EVTX, e, true, fx->wide, NULL, &in) == 0 && in.notes.n == 0 &&
	   in.lines_or_records == 0 && in.unreadable == 0, "... then in identifier order, nothing");
	events_input_free(&in);

	/* file order (a state of an older version), damage after a record
	 * newer than --now: counted by the run that reads past it, once */
	{
		uint64_t first, second;

		if (!damaged_sample(GOLDEN, e, golden_at[7]))
			return;
		set_evtx_state_value(fx, e, "5 1596371200 0");
		ok(scan_once(fx, EVENTS_INPUT_EVTX, e, true, w, NULL, &in) == 1 && in.end == 6,
		   "EVTX in file order, record 8 unreadable, 7 after --now: record 6");
		first = in.unreadable;
		events_input_free(&in);
		ok(scan_once(fx, EVENTS_INPUT_EVTX, e, true, fx->wide, NULL, &in) == 3 && in.end == 10,
		   "... then records 7, 9, 10");
		second = in.unreadable;
		events_input_free(&in);
		ok(first == 0 && second == 1, "... the unreadable record counted once, when read past "
		   "(%llu, %llu)", (unsigned long long)first, (unsigned long long)second);
		ok(scan_once(fx, EVENTS_INPUT_EVTX, e, true, fx->wide, NULL, &in) == 0 &&
		   in.unreadable == 0, "... then nothing");
		events_input_free(&in);
	}
}

#define WRAPPED "evtx/omer_bad_chunk_magic.evtx"
/* WRAPPED: chunk 7 (at byte 462848) holds records 47628-47639 (then 47640,
 * which libevtx does not list), the newest; chunk 8 starts with record
 * 45691, the oldest, at byte 528896 */
#define CHUNK7 462848
#define AT_45691 528896

/* Copies sample REL to PATH with bytes [ZERO_FROM, ZERO_TO) zeroed (libevtx
 * lists no record from there on in that chunk: an earlier state of the
 * log) and the records starting at the N bytes in AT made unreadable. */
static bool patched_sample(const char *rel, const char *path, size_t zero_from, size_t zero_to,
			   const size_t *at, size_t n)
{
	char *src = data_path(rel), *data;
	size_t len = 0;
	bool done;

	data = read_bytes(src, &len);
	done = data != NULL && zero_from <= zero_to && zero_to <= len;
	for (size_t i = 0; done && i < n; i++)
		done = at[i] + 24 + 8 <= len;
	if (done) {
		memset(data + zero_from, 0, zero_to - zero_from);
		for (size_t i = 0; i < n; i++)
			memset(data + at[i] + 24, 0xff, 8);
		done = write_bytes(path, "wb", data, len) == 0;
	}
	if (!done)
		printf("# cannot copy %s to %s\n", src, path);
	free(data);
	free(src);
	return done;
}

/* The record the last run stopped at has been overwritten (a wrapped log
 * went past it): read in identifier order from the oldest record, able
 * to stop early with an exact resume point; the loss said. */
static void test_evtx_overwritten(struct fixture *fx)
{
	const char *e = tmp_file(&fx->tmp, "ow.evtx");
	struct events_input in;

	/* saved record 45600, written before the oldest one (45691, at
	 * 1533657075) */
	unlink(fx->state_path);
	if (!copy_sample(WRAPPED, e))
		return;
	set_evtx_state_value(fx, e, "45600 1533657000 0 131781306000000000");
	stop_calls = 0;
	ok(scan_once(fx, EVENTS_INPUT_EVTX, e, true, fx->wide, stop_after_two, &in) == 0 &&
	   in.st.in_id_order && !in.st.id_order_failed && in.resumed && in.start == 45600 &&
	   in.stopped_early && in.end == 45692 && in.lines_or_records == 2 && in.notes.n == 2 &&
	   strstr(in.notes.items[0], "ow.evtx: records 45601 to 45690 were overwritten before this "
		  "run read them") && strstr(in.notes.items[1], "read stopped after record 45692"),
	   "saved record overwritten: identifier order from the oldest, the loss said, stopped early");
	events_input_free(&in);
	ok(state_is(fx, e, "45692 1533743251 0 131781306757646657"), "... resume point 45692");
	ok(scan_once(fx, EVENTS_INPUT_EVTX, e, true, fx->wide, NULL, &in) == 0 &&
	   in.st.in_id_order && in.resumed && in.start == 45692 && in.end == 47639 &&
	   in.lines_or_records == 265 && in.notes.n == 0,
	   "... then exactly the other 265, nothing said");
	events_input_free(&in);

	/* the saved record is the one just before the oldest: nothing lost */
	set_evtx_state_value(fx, e, "45690 1533657000 0 131781306000000000");
	ok(scan_once(fx, EVENTS_INPUT_EVTX, e, true, fx->wide, NULL, &in) == 0 &&
	   in.st.in_id_order && in.resumed && in.end == 47639 && in.lines_or_records == 267 &&
	   in.notes.n == 0, "saved record just before the oldest: all read in identifier order, "
	   "nothing said");
	events_input_free(&in);
	set_evtx_state_value(fx, e, "45689 1533657000 0 131781306000000000");
	ok(scan_once(fx, EVENTS_INPUT_EVTX, e, true, fx->wide, NULL, &in) == 0 &&
	   in.st.in_id_order && in.notes.n == 1 &&
	   strstr(in.notes.items[0], "ow.evtx: record 45690 was overwritten before this run read it"),
	   "one record lost: said so");
	events_input_free(&in);

	/* a newest time older than the saved one: a cleared or replaced log,
	 * read from its start, no loss said */
	set_evtx_state_value(fx, e, "45600 1600000000 0 131781306000000000");
	ok(scan_once(fx, EVENTS_INPUT_EVTX, e, true, fx->wide, NULL, &in) == 0 && !in.resumed &&
	   in.st.in_id_order && in.lines_or_records == 267 && in.notes.n == 1 &&
	   strstr(in.notes.items[0], "holds only records older than the last run saw"),
	   "saved record gone, newest time older: a replaced log, read from its start");
	events_input_free(&in);
	/* all numbered lower: unchanged */
	set_evtx_state_value(fx, e, "50000 1533657000 0 131781306000000000");
	ok(scan_once(fx, EVENTS_INPUT_EVTX, e, true, fx->wide, NULL, &in) == 0 && !in.resumed &&
	   in.st.in_id_order && in.lines_or_records == 267 && in.notes.n == 1 &&
	   strstr(in.notes.items[0], "holds only records older than the last run saw"),
	   "all records numbered lower: read from its start");
	events_input_free(&in);
}

/* Unreadable records right before the oldest readable record of a wrapped
 * log (after the newest): counted once although new records are written
 * before them. */
static void test_evtx_wrapped_gap(struct fixture *fx)
{
	const char *e = tmp_file(&fx->tmp, "gap.evtx");
	const size_t first[] = { AT_45691 };
	/* records 47631 (at 3344 in chunk 7) and 47639 (at 7280) */
	const size_t tail[] = { CHUNK7 + 3344 }, tails[] = { CHUNK7 + 3344, CHUNK7 + 7280 };
	struct events_input in;
	long n;

	/* the log when its newest record was 47630 (47631-47640 not written
	 * yet), record 45691 unreadable */
	unlink(fx->state_path);
	if (!patched_sample(WRAPPED, e, CHUNK7 + 3344, CHUNK7 + 8288, first, 1))
		return;
	ok(scan_once(fx, EVENTS_INPUT_EVTX, e, true, fx->wide, NULL, &in) == 0 &&
	   in.st.in_id_order && in.end == 47630 && in.lines_or_records == 258 && in.unreadable == 1,
	   "wrapped EVTX, the oldest record unreadable: counted");
	events_input_free(&in);
	ok(scan_once(fx, EVENTS_INPUT_EVTX, e, true, fx->wide, NULL, &in) == 0 &&
	   in.lines_or_records == 1 && in.unreadable == 0, "... nothing new: not counted again");
	events_input_free(&in);
	/* then records 47631-47639 written, before it in the file */
	if (!patched_sample(WRAPPED, e, 0, 0, first, 1))
		return;
	n = scan_once(fx, EVENTS_INPUT_EVTX, e, true, fx->wide, NULL, &in);
	ok(n == 0 && in.st.in_id_order && in.start == 47630 && in.end == 47639 &&
	   in.lines_or_records == 10 && in.unreadable == 0,
	   "... records 47631-47639 written before it: not counted again (%llu)",
	   (unsigned long long)in.unreadable);
	events_input_free(&in);
	ok(scan_once(fx, EVENTS_INPUT_EVTX, e, true, fx->wide, NULL, &in) == 0 &&
	   in.lines_or_records == 1 && in.unreadable == 0, "... nor after");
	events_input_free(&in);

	/* the same with a run stopped early between */
	unlink(fx->state_path);
	if (!patched_sample(WRAPPED, e, CHUNK7 + 3344, CHUNK7 + 8288, first, 1))
		return;
	ok(scan_once(fx, EVENTS_INPUT_EVTX, e, true, fx->wide, NULL, &in) == 0 && in.unreadable == 1,
	   "wrapped EVTX, the oldest record unreadable, again: counted");
	events_input_free(&in);
	if (!patched_sample(WRAPPED, e, 0, 0, first, 1))
		return;
	stop_calls = 0;
	ok(scan_once(fx, EVENTS_INPUT_EVTX, e, true, fx->wide, stop_after_two, &in) == 0 &&
	   in.stopped_early && in.end == 47632 && in.unreadable == 0,
	   "... records written before it, a run stopped after 47632");
	events_input_free(&in);
	n = scan_once(fx, EVENTS_INPUT_EVTX, e, true, fx->wide, NULL, &in);
	ok(n == 0 && in.start == 47632 && in.end == 47639 && in.lines_or_records == 8 &&
	   in.unreadable == 0, "... the rest: not counted again (%llu)",
	   (unsigned long long)in.unreadable);
	events_input_free(&in);

	/* damage at the end of the newest chunk instead: records written
	 * after it; new damage at the new end is counted */
	unlink(fx->state_path);
	if (!patched_sample(WRAPPED, e, CHUNK7 + 3816, CHUNK7 + 8288, tail, 1))
		return;
	ok(scan_once(fx, EVENTS_INPUT_EVTX, e, true, fx->wide, NULL, &in) == 0 &&
	   in.end == 47630 && in.unreadable == 1, "wrapped EVTX, its newest record unreadable: counted");
	events_input_free(&in);
	if (!patched_sample(WRAPPED, e, 0, 0, tails, 2))
		return;
	n = scan_once(fx, EVENTS_INPUT_EVTX, e, true, fx->wide, NULL, &in);
	ok(n == 0 && in.end == 47638 && in.lines_or_records == 9 && in.unreadable == 1,
	   "... records written after it, the last one unreadable: that one counted (%llu)",
	   (unsigned long long)in.unreadable);
	events_input_free(&in);
	ok(scan_once(fx, EVENTS_INPUT_EVTX, e, true, fx->wide, NULL, &in) == 0 &&
	   in.lines_or_records == 1 && in.unreadable == 0, "... then nothing");
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
	test_evtx_unreadable_in_order(&fx);
	test_evtx_unreadable_count(&fx);
	test_evtx_overwritten(&fx);
	test_evtx_wrapped_gap(&fx);

	events_realms_free(&fx.realms);
	free(fx.wlb6);
	tmp_cleanup(&fx.tmp);
	return tap_done();
}
