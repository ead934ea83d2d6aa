/* SPDX-License-Identifier: GPL-3.0-or-later */
/* evtx_reader.c - stream Kerberos ticket events out of an EVTX file. */

#include "strlist.h"
#include "evtx_reader.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <libevtx.h>

#include "timeparse.h"

/* A libevtx backtrace is a few hundred bytes per level, about ten levels. */
#define ERROR_TRACE_LEN 4096
#define ERROR_LINE_LEN 256
#define NO_FIELD (-1)

typedef int (*record_string_size_fn)(libevtx_record_t *, size_t *,
				     libevtx_error_t **);
typedef int (*record_string_fn)(libevtx_record_t *, uint8_t *, size_t,
				libevtx_error_t **);
typedef int (*file_count_fn)(libevtx_file_t *, int *, libevtx_error_t **);
typedef int (*file_record_fn)(libevtx_file_t *, int, libevtx_record_t **,
			      libevtx_error_t **);

/* 0-based positions of the strings we use (event version 0). */
struct evtx_layout {
	uint32_t event_id;
	int user, domain, service, options, status, ip;
};

static const struct evtx_layout evtx_layouts[] = {
	{ TICKET_EVENT_TGT_REQUESTED, 0, 1, 3, 5, 6, 9 },
	{ TICKET_EVENT_SERVICE_TICKET, 0, 1, 2, 4, 8, 6 },
	/* 4770: unverified against a real EVTX sample (none at hand); the
	 * order is the one Winlogbeat and NXLog show for its EventData. */
	{ TICKET_EVENT_TICKET_RENEWED, 0, 1, 2, 4, NO_FIELD, 6 },
};

struct evtx_scan {
	libevtx_file_t *file;
	const struct evtx_scan_options *opts;
	ticket_event_cb cb;
	void *ctx;
	struct event_read_stats *st;
	uint8_t *scratch; /* reused for every string read */
	size_t scratch_len;
	struct ticket_event ev;
	/* records without identifier (see known_unreadable): those of
	 * opts->known_unreadable not met yet, and those counted or known
	 * after the point the next read resumes from */
	uint64_t known, pending;
	/* identifier order: those after the newest readable record still
	 * known (see known_gap), and how many of them this read met */
	uint64_t gap_left, gap_met;
	/* what the next read's known_gap and known_gap_oldest are */
	uint64_t gap, gap_oldest;
	/* identifier order: the resume record was overwritten */
	bool overwritten;
	uint64_t lost_first, lost_last;
	char failure[EVTX_FAILURE_LEN];
};

/* File order: where records without identifier go (see
 * known_unreadable). */
struct placement {
	bool any;               /* a readable (live) record was met */
	uint64_t first_id;      /* the first one met */
	uint64_t pred;          /* the last one met */
	bool has_max;
	uint64_t max;           /* the highest identifier so far */
	uint64_t min;           /* the lowest one */
	uint64_t lead;          /* met before the first readable record */
	uint64_t at_max;        /* counted or known, right after max */
	uint64_t at_bound;      /* counted or known, right after bound - 1 */
};


/* libevtx errors are a backtrace with the innermost cause first: its first
 * line says what is wrong ("unsupported type: 0x05"), the others only who
 * called whom. Keep that line without its "function_name: " prefix and the
 * final dot, then free the error. */
static void error_line(libevtx_error_t **error, char *buf, size_t len)
{
	char trace[ERROR_TRACE_LEN];
	char *msg = trace, *p;

	trace[0] = '\0';
	if (error != NULL && *error != NULL) {
		if (libevtx_error_backtrace_sprint(*error, trace, sizeof(trace)) < 0)
			libevtx_error_sprint(*error, trace, sizeof(trace));
		libevtx_error_free(error);
	}
	trace[sizeof(trace) - 1] = '\0';
	p = strchr(trace, '\n');
	if (p)
		*p = '\0';
	p = strstr(trace, ": ");
	if (p && !memchr(trace, ' ', (size_t)(p - trace)))
		msg = p + 2;
	p = msg + strlen(msg);
	while (p > msg && (p[-1] == '.' || p[-1] == ' '))
		*--p = '\0';
	snprintf(buf, len, "%s", *msg ? msg : "unknown libevtx error");
}

static void free_error(libevtx_error_t **error)
{
	if (*error)
		libevtx_error_free(error);
}

static int open_file(struct evtx_scan *sc, const char *path, char **err)
{
	libevtx_error_t *error = NULL;
	char why[ERROR_LINE_LEN];
	struct stat sb;
	int sig;

	if (stat(path, &sb) < 0) {
		set_error(err, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (S_ISDIR(sb.st_mode)) {
		set_error(err, "%s: is a directory", path);
		return -1;
	}
	sig = libevtx_check_file_signature(path, &error);
	if (sig != 1) {
		if (sig == 0)
			snprintf(why, sizeof(why), "no EVTX file signature");
		else
			error_line(&error, why, sizeof(why));
		set_error(err, "%s: not an EVTX file: %s", path, why);
		return -1;
	}
	if (libevtx_file_initialize(&sc->file, &error) != 1 ||
	    libevtx_file_open(sc->file, path, LIBEVTX_OPEN_READ, &error) != 1) {
		error_line(&error, why, sizeof(why));
		set_error(err, "%s: cannot open EVTX file: %s", path, why);
		return -1;
	}
	return 0;
}

static void close_file(struct evtx_scan *sc)
{
	libevtx_error_t *error = NULL;

	if (sc->file == NULL)
		return;
	if (libevtx_file_close(sc->file, &error) < 0)
		free_error(&error);
	if (libevtx_file_free(&sc->file, &error) != 1)
		free_error(&error);
}

static void note_corruption(struct evtx_scan *sc)
{
	libevtx_error_t *error = NULL;
	int rc = libevtx_file_is_corrupted(sc->file, &error);

	free_error(&error);
	if (rc == 1) {
		sc->st->corrupted = true;
		event_read_stats_damage(sc->st, "file is flagged corrupted: damaged chunks were skipped");
	}
}

static void count_unreadable(struct evtx_scan *sc, int index, bool recovered,
			     const char *why)
{
	sc->st->unreadable++;
	event_read_stats_damage(sc->st, "%srecord index %d: %s",
				recovered ? "recovered " : "", index, why);
}

static int grow_scratch(struct evtx_scan *sc, size_t size)
{
	uint8_t *p;

	if (size <= sc->scratch_len)
		return 0;
	p = realloc(sc->scratch, size);
	if (p == NULL)
		return -1;
	sc->scratch = p;
	sc->scratch_len = size;
	return 0;
}

/* Reads a record-level string (computer or source name) into scratch.
 * Returns its length, or -1 when it is not available or cannot be read. */
static long read_record_text(struct evtx_scan *sc, libevtx_record_t *rec,
			     record_string_size_fn size_fn,
			     record_string_fn string_fn)
{
	libevtx_error_t *error = NULL;
	size_t size = 0;
	const void *nul;

	if (size_fn(rec, &size, &error) != 1 || size == 0) {
		free_error(&error);
		return -1;
	}
	if (grow_scratch(sc, size) < 0)
		return -1;
	if (string_fn(rec, sc->scratch, size, &error) != 1) {
		free_error(&error);
		return -1;
	}
	nul = memchr(sc->scratch, '\0', size);
	return nul ? (long)((const uint8_t *)nul - sc->scratch) : (long)size;
}

/* Reads positional string index into scratch; -1 on failure. */
static long read_string(struct evtx_scan *sc, libevtx_record_t *rec, int index)
{
	libevtx_error_t *error = NULL;
	size_t size = 0;
	const void *nul;

	if (libevtx_record_get_utf8_string_size(rec, index, &size, &error) != 1) {
		free_error(&error);
		return -1;
	}
	if (size == 0)
		return 0;
	if (grow_scratch(sc, size) < 0)
		return -1;
	if (libevtx_record_get_utf8_string(rec, index, sc->scratch, size,
					   &error) != 1) {
		free_error(&error);
		return -1;
	}
	nul = memchr(sc->scratch, '\0', size);
	return nul ? (long)((const uint8_t *)nul - sc->scratch) : (long)size;
}

/* Copies string index into a field of sc->ev. A string libevtx cannot
 * convert leaves the field empty and marks the event sanitized rather than
 * dropping it. */
static void set_field(struct evtx_scan *sc, libevtx_record_t *rec, int index,
		      char *dst, size_t dstlen)
{
	long n;

	if (index == NO_FIELD)
		return;
	n = read_string(sc, rec, index);
	if (n < 0) {
		sc->ev.sanitized = true;
		return;
	}
	ticket_event_set(&sc->ev, dst, dstlen, (const char *)sc->scratch,
			 (size_t)n);
}

/* Parses a hex string field; false when absent or not hex. */
static bool hex_field(struct evtx_scan *sc, libevtx_record_t *rec, int index,
		      uint32_t *value)
{
	long n;

	if (index == NO_FIELD)
		return false;
	n = read_string(sc, rec, index);
	if (n <= 0)
		return false;
	return ticket_event_parse_hex32((const char *)sc->scratch, value) == 0;
}

static const struct evtx_layout *layout_of(uint32_t event_id)
{
	for (size_t i = 0; i < sizeof(evtx_layouts) / sizeof(evtx_layouts[0]); i++)
		if (evtx_layouts[i].event_id == event_id)
			return &evtx_layouts[i];
	return NULL;
}

static int max_index(const struct evtx_layout *l)
{
	int idx[] = { l->user, l->domain, l->service, l->options, l->status, l->ip };
	int m = 0;

	for (size_t i = 0; i < sizeof(idx) / sizeof(idx[0]); i++)
		if (idx[i] > m)
			m = idx[i];
	return m;
}

/* Unknown provider (libevtx could not tell) counts as Security: better to
 * look at an event than to lose one. */
static bool from_security_provider(struct evtx_scan *sc, libevtx_record_t *rec)
{
	long n = read_record_text(sc, rec, libevtx_record_get_utf8_source_name_size,
				  libevtx_record_get_utf8_source_name);

	return n < 0 || ticket_event_realm_equal((const char *)sc->scratch,
						 TICKET_EVENT_PROVIDER);
}

/* Fills sc->ev from rec's strings; -1 when the record has too few. */
static int fill_event(struct evtx_scan *sc, libevtx_record_t *rec,
		      const struct evtx_layout *l, int index, bool recovered)
{
	libevtx_error_t *error = NULL;
	char why[ERROR_LINE_LEN];
	int nstrings = 0;
	long n;

	if (libevtx_record_get_number_of_strings(rec, &nstrings, &error) != 1) {
		error_line(&error, why, sizeof(why));
		count_unreadable(sc, index, recovered, why);
		return -1;
	}
	if (nstrings <= max_index(l)) {
		snprintf(why, sizeof(why), "event %u with only %d strings",
			 (unsigned)l->event_id, nstrings);
		count_unreadable(sc, index, recovered, why);
		return -1;
	}
	set_field(sc, rec, l->user, sc->ev.target_user, sizeof(sc->ev.target_user));
	set_field(sc, rec, l->domain, sc->ev.target_domain, sizeof(sc->ev.target_domain));
	set_field(sc, rec, l->service, sc->ev.service_name, sizeof(sc->ev.service_name));
	set_field(sc, rec, l->ip, sc->ev.ip_address, sizeof(sc->ev.ip_address));
	sc->ev.has_options = hex_field(sc, rec, l->options, &sc->ev.ticket_options);
	sc->ev.has_status = hex_field(sc, rec, l->status, &sc->ev.status);
	n = read_record_text(sc, rec, libevtx_record_get_utf8_computer_name_size,
			     libevtx_record_get_utf8_computer_name);
	if (n >= 0)
		ticket_event_set(&sc->ev, sc->ev.computer, sizeof(sc->ev.computer),
				 (const char *)sc->scratch, (size_t)n);
	return 0;
}

static void note_time(struct evtx_scan *sc, bool has_time, int64_t t)
{
	struct event_read_stats *st = sc->st;

	if (has_time && (!st->has_last_time || t > st->last_time)) {
		st->has_last_time = true;
		st->last_time = t;
	}
}

/* File order: the highest identifier, its written time, the newest time. */
static void note_progress(struct evtx_scan *sc, uint64_t id, uint64_t filetime,
			  bool has_time, int64_t t)
{
	struct event_read_stats *st = sc->st;

	if (!st->has_last_record_id || id > st->last_record_id) {
		st->has_last_record_id = true;
		st->last_record_id = id;
		st->last_filetime = filetime;
	}
	note_time(sc, has_time, t);
}

/* The resume record: the same number written at another time is another
 * log. */
static void check_resume_record(struct evtx_scan *sc, uint64_t id, uint64_t filetime)
{
	const struct evtx_scan_options *o = sc->opts;

	if (o == NULL || !o->resume || !o->check_after_filetime || id != o->after_record_id)
		return;
	sc->st->after_found = true;
	if (filetime != o->after_filetime)
		sc->st->resume_mismatch = true;
}

/* The header values of a record; -1 (reason in WHY) when they cannot be
 * read. */
static int record_header(libevtx_record_t *rec, uint64_t *id, uint64_t *filetime,
			 uint32_t *event_id, char *why, size_t whylen)
{
	libevtx_error_t *error = NULL;

	if (libevtx_record_get_identifier(rec, id, &error) != 1 ||
	    libevtx_record_get_written_time(rec, filetime, &error) != 1 ||
	    libevtx_record_get_event_identifier(rec, event_id, &error) != 1) {
		error_line(&error, why, whylen);
		return -1;
	}
	return 0;
}

/* Delivers record REC (identifier ID) if it is a Security ticket event;
 * returns what the callback returned, 0 for any other record. */
static int deliver(struct evtx_scan *sc, libevtx_record_t *rec, int index, bool recovered,
		   uint64_t id, uint32_t event_id, bool has_time, int64_t t)
{
	const struct evtx_layout *layout = layout_of(event_id);

	if (layout == NULL || !from_security_provider(sc, rec)) {
		sc->st->other_events++;
		return 0;
	}
	ticket_event_init(&sc->ev, TICKET_SOURCE_EVTX);
	sc->ev.event_id = event_id;
	sc->ev.has_time = has_time;
	sc->ev.time = t;
	sc->ev.has_record_id = true;
	sc->ev.record_id = id;
	sc->ev.recovered = recovered;
	if (fill_event(sc, rec, layout, index, recovered) < 0)
		return 0;
	event_read_stats_add(sc->st, &sc->ev);
	return sc->cb ? sc->cb(&sc->ev, sc->ctx) : 0;
}

/* File order: one record. False when its header cannot be read (reason
 * in WHY); else its identifier in *IDP. */
static bool visit_record(struct evtx_scan *sc, libevtx_record_t *rec, int index, bool recovered,
			 uint64_t *idp, char *why, size_t whylen)
{
	const struct evtx_scan_options *o = sc->opts;
	uint64_t id = 0, filetime = 0;
	uint32_t event_id = 0;
	int64_t t = 0;
	bool has_time;

	if (record_header(rec, &id, &filetime, &event_id, why, whylen) < 0)
		return false;
	*idp = id;
	has_time = timeparse_filetime(filetime, &t);
	if (!recovered) {
		note_progress(sc, id, filetime, has_time, t);
		check_resume_record(sc, id, filetime);
	}
	if (!recovered && o && ((o->resume && id <= o->after_record_id) ||
				(o->has_bound && id >= o->bound))) {
		sc->st->skipped_resume++;
		return true;
	}
	if (deliver(sc, rec, index, recovered, id, event_id, has_time, t) != 0)
		sc->st->stopped = true;
	return true;
}

/* File order: N records without identifier after the readable record
 * PRED (HAS_PRED false: before the oldest one, or none is readable). */
static void place_unidentified(struct evtx_scan *sc, struct placement *pl, bool has_pred,
			       uint64_t pred, uint64_t n)
{
	const struct evtx_scan_options *o = sc->opts;
	bool resume = o != NULL && o->resume;
	uint64_t known = 0;

	if ((resume && pl->any && (!has_pred || pred < o->after_record_id)) ||
	    (o != NULL && o->has_bound && has_pred && pred >= o->bound)) {
		/* counted by the read that went past them, or left for the
		 * read that will */
		sc->st->skipped_resume += n;
		return;
	}
	/* right after the resume point (the start without resume): the
	 * first ones may be known */
	if (!pl->any || (resume ? pred == o->after_record_id : !has_pred)) {
		known = n < sc->known ? n : sc->known;
		sc->known -= known;
	}
	sc->st->unreadable += n - known;
	sc->st->skipped_resume += known;
	if (!pl->any)
		sc->pending += n;
	if (has_pred && pl->has_max && pred == pl->max)
		pl->at_max += n;
	if (has_pred && o != NULL && o->has_bound && pred + 1 == o->bound)
		pl->at_bound += n;
}

static void unreadable_in_file(struct evtx_scan *sc, struct placement *pl, int index,
			       bool recovered, const char *why)
{
	if (recovered) {
		count_unreadable(sc, index, true, why);
		return;
	}
	event_read_stats_damage(sc->st, "record index %d: %s", index, why);
	if (pl->any)
		place_unidentified(sc, pl, true, pl->pred, 1);
	else
		pl->lead++; /* placed at the end, when it is known whether the log wrapped */
}

static void readable_in_file(struct placement *pl, uint64_t id)
{
	if (!pl->any) {
		pl->any = true;
		pl->first_id = id;
	}
	pl->pred = id;
	if (!pl->has_max || id < pl->min)
		pl->min = id;
	if (!pl->has_max || id > pl->max) {
		pl->has_max = true;
		pl->max = id;
		pl->at_max = 0;
	}
}

static void scan_records(struct evtx_scan *sc, bool recovered)
{
	file_count_fn count = recovered ? libevtx_file_get_number_of_recovered_records
					: libevtx_file_get_number_of_records;
	file_record_fn get = recovered ? libevtx_file_get_recovered_record_by_index
				       : libevtx_file_get_record_by_index;
	const struct evtx_scan_options *o = sc->opts;
	struct placement pl = { 0 };
	libevtx_error_t *error = NULL;
	char why[ERROR_LINE_LEN];
	int n = 0;

	if (count(sc->file, &n, &error) != 1) {
		error_line(&error, why, sizeof(why));
		event_read_stats_damage(sc->st, "cannot count %srecords: %s",
					recovered ? "recovered " : "", why);
		return;
	}
	for (int i = 0; i < n && !sc->st->stopped; i++) {
		libevtx_record_t *rec = NULL;
		uint64_t id = 0;

		sc->st->records++;
		if (get(sc->file, i, &rec, &error) != 1) {
			error_line(&error, why, sizeof(why));
			unreadable_in_file(sc, &pl, i, recovered, why);
			continue;
		}
		if (visit_record(sc, rec, i, recovered, &id, why, sizeof(why))) {
			if (!recovered)
				readable_in_file(&pl, id);
		} else {
			unreadable_in_file(sc, &pl, i, recovered, why);
		}
		if (libevtx_record_free(&rec, &error) != 1)
			free_error(&error);
	}
	if (recovered)
		return;
	/* those before the first readable record: after the newest one in
	 * a log that wrapped around, else the oldest of the log */
	if (pl.lead > 0)
		place_unidentified(sc, &pl, pl.any && pl.first_id > pl.pred, pl.pred, pl.lead);
	if (pl.any)
		sc->pending = o != NULL && o->has_bound ? pl.at_bound : pl.at_max;
	/* in a log that wrapped around, those after the newest record, all
	 * counted or known (see known_gap; with a bound not all were read
	 * past) */
	sc->gap = pl.any && pl.first_id > pl.min && (o == NULL || !o->has_bound) ? pl.at_max : 0;
	sc->gap_oldest = pl.min;
}

/* ---- identifier order ----
 *
 * libevtx numbers records in file order, chunk after chunk. A log that has
 * wrapped around keeps its oldest chunk anywhere, so file order is a
 * rotation of identifier order: the oldest record is found by bisection,
 * and so is, from there, the first record after the resume point. The
 * bisections step over records whose header cannot be read to the nearest
 * readable one; such records stay in their place and are read there (see
 * known_unreadable). Only the records read are checked to be in order; a
 * file whose records are not (damage) is left to the file-order scan. */

struct id_order {
	struct evtx_scan *sc;
	int n, oldest; /* records, index of the oldest */
	int newest;    /* position of the newest readable record */
};

static int position_index(const struct id_order *o, int pos)
{
	return (int)(((long)o->oldest + pos) % o->n);
}

/* Identifier and written time of the record at INDEX; -1 when its header
 * cannot be read. Its time counts for the newest time of the file. */
static int probe(struct evtx_scan *sc, int index, uint64_t *id, uint64_t *filetime)
{
	libevtx_error_t *error = NULL;
	libevtx_record_t *rec = NULL;
	char why[ERROR_LINE_LEN];
	uint32_t event_id = 0;
	int rc = -1;
	int64_t t = 0;

	if (libevtx_file_get_record_by_index(sc->file, index, &rec, &error) != 1) {
		free_error(&error);
		return -1;
	}
	if (record_header(rec, id, filetime, &event_id, why, sizeof(why)) == 0) {
		bool has_time = timeparse_filetime(*filetime, &t);

		rc = 0;
		note_time(sc, has_time, t);
	}
	if (libevtx_record_free(&rec, &error) != 1)
		free_error(&error);
	return rc;
}

/* The readable record at the position in [LO, HI) nearest to POS (the
 * later one of two as near), in *FOUND; -1 when there is none. */
static int probe_near(struct id_order *o, int pos, int lo, int hi, int *found, uint64_t *id,
		      uint64_t *filetime)
{
	for (int d = 0; pos + d < hi || pos - d >= lo; d++) {
		if (pos + d < hi && pos + d >= lo &&
		    probe(o->sc, position_index(o, pos + d), id, filetime) == 0) {
			*found = pos + d;
			return 0;
		}
		if (d > 0 && pos - d >= lo && pos - d < hi &&
		    probe(o->sc, position_index(o, pos - d), id, filetime) == 0) {
			*found = pos - d;
			return 0;
		}
	}
	return -1;
}

/* Sets o->oldest: the oldest readable record when the log wrapped around,
 * else the first one of the file. -1 when no record is readable. */
static int find_oldest(struct id_order *o)
{
	uint64_t lo_id, hi_id, id, ft;
	int lo, hi, m;

	o->oldest = 0;
	if (probe_near(o, 0, 0, o->n, &lo, &lo_id, &ft) < 0 ||
	    probe_near(o, o->n - 1, lo, o->n, &hi, &hi_id, &ft) < 0)
		return -1;
	if (lo_id <= hi_id)
		return 0;
	/* wrapped: the oldest readable record is in (lo, hi], hi readable */
	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;

		if (probe_near(o, mid, lo, hi, &m, &id, &ft) < 0)
			break; /* none readable before hi: hi is the oldest */
		if (id > hi_id) {
			lo = m + 1;
		} else {
			hi = m;
			hi_id = id;
		}
	}
	o->oldest = hi;
	return 0;
}

/* The position after the last readable record numbered up to AFTER (0 if
 * there is none). */
static int find_after(struct id_order *o, uint64_t after)
{
	int lo = 0, hi = o->n, m;
	uint64_t id, ft;

	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;

		if (probe_near(o, mid, lo, hi, &m, &id, &ft) < 0)
			break; /* none readable in [lo, hi): lo - 1 is that record */
		if (id <= after)
			lo = m + 1;
		else
			hi = m;
	}
	return lo;
}

static bool out_of_time(const struct evtx_scan_options *opts)
{
	return opts->out_of_time != NULL && opts->out_of_time(opts->time_ctx);
}

/* A record without identifier at position POS: read in its place,
 * counted unless it is known. 1 to go on, 0 when the scan stops there. */
static int unidentified_in_order(struct evtx_scan *sc, struct id_order *o, int pos, int index,
				 const char *why)
{
	const struct evtx_scan_options *opts = sc->opts;
	bool after_newest = pos > o->newest, known = false;

	sc->pending++;
	if (after_newest)
		sc->gap_met++;
	if (sc->known > 0) {
		sc->known--;
		known = true;
	}
	/* the known ones of the gap after the newest record; those of them
	 * met before a newer record are no longer in that gap */
	if (sc->gap_left > 0 && (after_newest || known)) {
		sc->gap_left--;
		known = true;
	}
	if (known) {
		event_read_stats_damage(sc->st, "record index %d: %s", index, why);
		return 1;
	}
	count_unreadable(sc, index, false, why);
	/* a stop is said with the last record consumed or the resume point */
	if ((sc->st->has_last_record_id || opts->resume) && pos + 1 < o->n && out_of_time(opts)) {
		sc->st->stopped = sc->st->stopped_early = true;
		return 0;
	}
	return 1;
}

/* Reads the record at position POS in order; 1 to go on, 0 when the scan
 * stops there, -1 when identifier order does not hold. */
static int read_in_order(struct evtx_scan *sc, struct id_order *o, int pos, bool *has_prev,
			 uint64_t *prev)
{
	const struct evtx_scan_options *opts = sc->opts;
	int index = position_index(o, pos);
	libevtx_error_t *error = NULL;
	libevtx_record_t *rec = NULL;
	char why[ERROR_LINE_LEN];
	uint64_t id = 0, filetime = 0;
	uint32_t event_id = 0;
	int64_t t = 0;
	bool has_time;
	int cb;

	sc->st->records++;
	if (libevtx_file_get_record_by_index(sc->file, index, &rec, &error) != 1) {
		error_line(&error, why, sizeof(why));
		return unidentified_in_order(sc, o, pos, index, why);
	}
	if (record_header(rec, &id, &filetime, &event_id, why, sizeof(why)) < 0) {
		if (libevtx_record_free(&rec, &error) != 1)
			free_error(&error);
		return unidentified_in_order(sc, o, pos, index, why);
	}
	if (*has_prev && id <= *prev) {
		if (libevtx_record_free(&rec, &error) != 1)
			free_error(&error);
		snprintf(sc->failure, sizeof(sc->failure), "record numbers out of order");
		return -1;
	}
	/* known records without identifier come right after the resume
	 * point: those not met are gone */
	sc->known = 0;
	*has_prev = true;
	*prev = id;
	has_time = timeparse_filetime(filetime, &t);
	note_time(sc, has_time, t);
	cb = deliver(sc, rec, index, false, id, event_id, has_time, t);
	if (libevtx_record_free(&rec, &error) != 1)
		free_error(&error);
	if (cb == TICKET_EVENT_STOP_BEFORE) {
		sc->st->stopped = true;
		return 0;
	}
	sc->st->has_last_record_id = true;
	sc->st->last_record_id = id;
	sc->st->last_filetime = filetime;
	sc->pending = 0;
	if (cb != 0) {
		sc->st->stopped = true;
		return 0;
	}
	if (pos + 1 < o->n && out_of_time(opts)) {
		sc->st->stopped = sc->st->stopped_early = true;
		return 0;
	}
	return 1;
}

static void scan_in_id_order(struct evtx_scan *sc)
{
	const struct evtx_scan_options *opts = sc->opts;
	struct event_read_stats *st = sc->st;
	struct id_order o = { .sc = sc };
	libevtx_error_t *error = NULL;
	char why[ERROR_LINE_LEN];
	uint64_t prev = 0, oldest = 0, newest, ft;
	bool has_prev = false, readable, wrapped;
	int first = 0, rc = 1, at;

	if (libevtx_file_get_number_of_records(sc->file, &o.n, &error) != 1) {
		error_line(&error, why, sizeof(why));
		snprintf(sc->failure, sizeof(sc->failure), "cannot count its records: %.96s", why);
		goto failed;
	}
	if (o.n == 0) {
		sc->known = 0;
		goto done;
	}
	/* no readable record: all are read in file order, as unreadable
	 * records after the resume point */
	readable = find_oldest(&o) == 0;
	if (readable && (probe_near(&o, 0, 0, o.n, &at, &oldest, &ft) < 0 ||
			 probe_near(&o, o.n - 1, 0, o.n, &o.newest, &newest, &ft) < 0 ||
			 oldest > newest)) {
		snprintf(sc->failure, sizeof(sc->failure), "record numbers out of order");
		goto failed;
	}
	/* records without identifier after the newest one, in a wrapped log
	 * right before the oldest one, where new records are written before
	 * them: known while the oldest record is the one they were known
	 * with. Elsewhere new records come after them: placed by the record
	 * before them like the others. */
	wrapped = readable && o.oldest > 0;
	if (!wrapped)
		o.newest = o.n - 1;
	else if (opts->known_gap_oldest == oldest)
		sc->gap_left = opts->known_gap;
	if (opts->resume && !readable) {
		has_prev = true;
		prev = opts->after_record_id;
	} else if (opts->resume && newest < opts->after_record_id) {
		st->resume_reset = true;
		goto done;
	} else if (opts->resume && oldest > opts->after_record_id) {
		/* overwritten since (a wrapped log went past it): all are
		 * read, from the oldest, the numbers in between are lost.
		 * The records without identifier right after it that are
		 * left are those right before the oldest. */
		sc->overwritten = true;
		sc->lost_first = opts->after_record_id + 1;
		sc->lost_last = oldest - 1;
		if (wrapped && sc->known > sc->gap_left)
			sc->gap_left = sc->known;
		sc->known = 0;
		has_prev = true;
		prev = opts->after_record_id;
	} else if (opts->resume) {
		first = find_after(&o, opts->after_record_id);
		if (first <= 0 || probe(sc, position_index(&o, first - 1), &prev, &ft) < 0 ||
		    prev != opts->after_record_id) {
			snprintf(sc->failure, sizeof(sc->failure), "record %" PRIu64 ", where the "
				 "last run stopped, is no longer in it", opts->after_record_id);
			goto failed;
		}
		check_resume_record(sc, prev, ft);
		if (st->resume_mismatch)
			goto done;
		has_prev = true;
		st->skipped_resume = (uint64_t)first;
	}
	for (int pos = first; pos < o.n && rc > 0; pos++)
		rc = read_in_order(sc, &o, pos, &has_prev, &prev);
	if (rc < 0)
		goto failed;
	if (rc > 0)
		sc->known = 0; /* the end: known records not met are gone */
	if (rc > 0 || sc->gap_met > 0) {
		/* the gap after the newest record (if any) was reached: those
		 * met and those still known were counted */
		uint64_t len = (uint64_t)(o.n - 1 - o.newest);

		sc->gap = sc->gap_met + sc->gap_left < len ? sc->gap_met + sc->gap_left : len;
		sc->gap_oldest = oldest;
	} else if (st->has_last_record_id) {
		/* not reached: what is left of it, unless records without
		 * identifier after the new resume point (counted in
		 * pending_unreadable) would be taken as part of it */
		sc->gap = sc->pending + sc->known > 0 ? 0 : sc->gap_left;
		sc->gap_oldest = oldest;
	}
	/* else nothing consumed: the next read starts where this one did,
	 * with what it was given */
done:
	st->in_id_order = true;
	return;
failed:
	st->id_order_failed = true;
}

static void count_recovered(struct evtx_scan *sc)
{
	libevtx_error_t *error = NULL;
	int n = 0;

	if (libevtx_file_get_number_of_recovered_records(sc->file, &n, &error) == 1)
		sc->st->recovered_available = (uint64_t)n;
	free_error(&error);
}

int evtx_reader_scan(const char *path, const struct evtx_scan_options *opts,
		     ticket_event_cb cb, void *ctx,
		     struct event_read_stats *stats, char **err)
{
	struct evtx_scan sc = { .opts = opts, .cb = cb, .ctx = ctx, .st = stats };
	int rc = -1;

	event_read_stats_init(stats);
	if (err)
		*err = NULL;
	if (path == NULL || *path == '\0') {
		set_error(err, "no EVTX file name given");
		return -1;
	}
	sc.known = opts ? opts->known_unreadable : 0;
	sc.gap = opts ? opts->known_gap : 0;
	sc.gap_oldest = opts ? opts->known_gap_oldest : 0;
	if (open_file(&sc, path, err) < 0)
		goto done;
	count_recovered(&sc);
	if (opts && opts->in_id_order) {
		scan_in_id_order(&sc);
	} else {
		scan_records(&sc, false);
		if (opts && opts->include_recovered && !stats->stopped)
			scan_records(&sc, true);
	}
	/* After the records, so that a bad record's own reason, when there is
	 * one, is the damage named. */
	note_corruption(&sc);
	if (opts && !opts->in_id_order && opts->resume && stats->has_last_record_id &&
	    stats->last_record_id < opts->after_record_id)
		stats->resume_reset = true;
	rc = 0;
done:
	if (opts && opts->more) {
		/* in identifier order, known records not met yet are still to
		 * come after the point the next read resumes from */
		opts->more->pending_unreadable = sc.pending + (opts->in_id_order ? sc.known : 0);
		opts->more->gap = sc.gap;
		opts->more->gap_oldest = sc.gap > 0 ? sc.gap_oldest : 0;
		opts->more->overwritten = sc.overwritten;
		opts->more->lost_first = sc.lost_first;
		opts->more->lost_last = sc.lost_last;
		snprintf(opts->more->id_order_failure, sizeof(opts->more->id_order_failure), "%s",
			 stats->id_order_failed ? sc.failure : "");
	}
	close_file(&sc);
	free(sc.scratch);
	return rc;
}
