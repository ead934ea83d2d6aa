/* SPDX-License-Identifier: GPL-3.0-or-later */
/* events_input.c - one input read into a tally, whole or incrementally. */

#include "events_input.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <zlib.h>

#include "evtx_reader.h"
#include "jsonl_reader.h"

#define FNV_OFFSET UINT64_C(14695981039346656037)
#define FNV_PRIME UINT64_C(1099511628211)
#define STATE_KEY_JSONL "jsonl:"
#define STATE_KEY_EVTX "evtx:"
#define NO_VALUE "-"

/* What the state remembers of a JSON lines input. */
struct jsonl_mark {
	uint64_t dev, ino, size, offset;
	size_t head_len;
	uint64_t head_hash;
};

/* What the state remembers of an EVTX input: "ID TIME UNREADABLE
 * FILETIME", followed by "GAP OLDEST" when GAP is not 0 (FILETIME is
 * missing in states of older versions). */
struct evtx_mark {
	bool has_id, has_time, has_filetime;
	uint64_t id;
	int64_t time;
	/* unreadable records (no identifier) right after record ID (without
	 * ID: at the start) already counted; states of older versions kept
	 * all those seen in the file, taken so */
	uint64_t unreadable;
	uint64_t filetime;      /* written time of record ID, the log's fingerprint */
	/* unreadable records after the newest readable one (in a wrapped log
	 * right before the oldest, record OLDEST) already counted */
	uint64_t gap, gap_oldest;
};

/* The callbacks' view of a read. */
struct scan_ctx {
	struct events_input *in;
	const struct events_scan_config *cfg;
	const char *label;      /* the file the events come from */
	bool incremental;
	/* JSON lines: stopped before an event newer than --now */
	bool future_stop;
	uint64_t future_offset;
	/* EVTX: lowest record id newer than --now, highest id counted, and
	 * the bound of a second pass (ids from it on are left for later) */
	bool has_future, has_max, has_bound;
	uint64_t future_id, max_id, bound;
	bool in_id_order;       /* EVTX: this pass reads in identifier order */
};

void events_input_init(struct events_input *in, enum events_input_kind kind,
		       const char *path, const struct events_realms *realms,
		       struct events_window window)
{
	memset(in, 0, sizeof(*in));
	in->kind = kind;
	in->path = path;
	events_tally_init(&in->tally, realms, window);
	strlist_init(&in->notes);
	event_read_stats_init(&in->st);
}

void events_input_free(struct events_input *in)
{
	events_tally_free(&in->tally);
	strlist_free(&in->notes);
	free(in->damage);
	free(in->error);
	free(in->rotated_from);
	in->damage = in->error = in->rotated_from = NULL;
}

const char *events_input_kind_name(enum events_input_kind kind)
{
	return kind == EVENTS_INPUT_EVTX ? "EVTX" : "JSON lines";
}

/* The first damage reason; FILE is named when it is not the input itself
 * (the old file after a rotation). */
static void note_damage(struct events_input *in, const char *file)
{
	if (in->st.damage[0] == '\0' || in->damage != NULL)
		return;
	in->damage = strcmp(file, in->path) == 0 ? xstrdup(in->st.damage)
						 : xasprintf("%s: %s", file, in->st.damage);
}

/* ---- callbacks ---- */

/* An event newer than the window that is left for a later run: not one
 * dated after the future limit (a clock far ahead), which is read now. */
static bool defer(struct scan_ctx *sc, const struct ticket_event *ev)
{
	if (events_tally_classify(&sc->in->tally, ev, NULL) != EVENTS_AFTER_WINDOW)
		return false;
	if (sc->cfg->has_future_limit && ev->has_time && ev->time > sc->cfg->future_limit) {
		sc->in->far_future++;
		return false;
	}
	return true;
}

static int jsonl_event(const struct ticket_event *ev, void *ctx)
{
	struct scan_ctx *sc = ctx;

	if (sc->incremental && defer(sc, ev)) {
		sc->future_stop = true;
		sc->future_offset = ev->offset;
		return 1;
	}
	events_tally_add(&sc->in->tally, ev, sc->label);
	if (sc->incremental && sc->cfg->out_of_time != NULL &&
	    sc->cfg->out_of_time(sc->cfg->ctx)) {
		sc->in->stopped_early = true;
		return 1;
	}
	return 0;
}

static int evtx_event(const struct ticket_event *ev, void *ctx)
{
	struct scan_ctx *sc = ctx;
	uint64_t id = ev->record_id;

	if (sc->incremental && sc->in_id_order) {
		/* the first record newer than --now: it and all later ones
		 * (higher numbers) are left for a later run */
		if (defer(sc, ev)) {
			sc->has_future = true;
			sc->future_id = id;
			return TICKET_EVENT_STOP_BEFORE;
		}
	} else if (sc->incremental) {
		if (sc->has_bound && id >= sc->bound)
			return 0;
		if (defer(sc, ev)) {
			if (!sc->has_future || id < sc->future_id) {
				sc->has_future = true;
				sc->future_id = id;
			}
			return 0;
		}
		/* after a newer-than-now record: left for the run that
		 * counts that record */
		if (sc->has_future && id > sc->future_id)
			return 0;
		if (!sc->has_max || id > sc->max_id) {
			sc->has_max = true;
			sc->max_id = id;
		}
	}
	events_tally_add(&sc->in->tally, ev, sc->label);
	return 0;
}

/* ---- JSON lines ---- */

/* Hash of the first LEN bytes of PATH's (uncompressed) content; -1 when
 * it has fewer or cannot be read. */
static int head_hash(const char *path, size_t len, uint64_t *hash)
{
	unsigned char buf[EVENTS_HEAD_BYTES];
	gzFile gz = gzopen(path, "rb");
	size_t got = 0;
	uint64_t h = FNV_OFFSET;

	if (gz == NULL)
		return -1;
	while (got < len) {
		int n = gzread(gz, buf + got, (unsigned)(len - got));
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	gzclose(gz);
	if (got != len)
		return -1;
	for (size_t i = 0; i < len; i++)
		h = (h ^ buf[i]) * FNV_PRIME;
	*hash = h;
	return 0;
}

static char *state_key(const struct events_input *in)
{
	return xasprintf("%s%s", in->kind == EVENTS_INPUT_EVTX ? STATE_KEY_EVTX
							       : STATE_KEY_JSONL, in->path);
}

static bool parse_jsonl_mark(const char *v, struct jsonl_mark *m)
{
	int end = -1;

	if (v == NULL)
		return false;
	if (sscanf(v, "%" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNu64 " %zu %" SCNx64 "%n",
		   &m->dev, &m->ino, &m->size, &m->offset, &m->head_len, &m->head_hash,
		   &end) != 6 || end < 0 || v[end] != '\0')
		return false;
	return m->head_len <= EVENTS_HEAD_BYTES && m->head_len <= m->offset;
}

/* Another name of the file DEV/INO in PATH's directory (the old file after a
 * rotation such as PATH -> PATH.1), malloc'ed, or NULL. */
static char *find_rotated(const char *path, uint64_t dev, uint64_t ino)
{
	const char *slash = strrchr(path, '/');
	char *dir = slash ? xasprintf("%.*s", (int)(slash - path + 1), path) : xstrdup("");
	DIR *d = opendir(dir[0] ? dir : ".");
	struct dirent *e;
	char *found = NULL;

	while (d != NULL && found == NULL && (e = readdir(d)) != NULL) {
		char *p = xasprintf("%s%s", dir, e->d_name);
		struct stat sb;

		if (stat(p, &sb) == 0 && S_ISREG(sb.st_mode) && (uint64_t)sb.st_dev == dev &&
		    (uint64_t)sb.st_ino == ino)
			found = p;
		else
			free(p);
	}
	if (d != NULL)
		closedir(d);
	free(dir);
	return found;
}

static int read_jsonl(struct events_input *in, struct scan_ctx *sc, const char *file,
		      uint64_t start, bool incremental)
{
	struct jsonl_scan_options o = {
		.start_offset = start,
		.incremental = incremental,
		.event_tz_offset = sc->cfg->event_tz_offset,
	};
	char *err = NULL;

	sc->label = file;
	sc->incremental = incremental;
	sc->future_stop = false;
	if (jsonl_reader_scan(file, &o, jsonl_event, sc, &in->st, &err) < 0) {
		in->error = err ? err : xasprintf("%s: cannot be read", file);
		return -1;
	}
	in->lines_or_records += in->st.records;
	in->malformed += in->st.malformed;
	note_damage(in, file);
	return 0;
}

/* Where to start reading PATH (identity SB) after mark M of the last run.
 * Reads the rest of a rotated old file first. */
static uint64_t jsonl_resume_point(struct events_input *in, struct scan_ctx *sc,
				   const struct stat *sb, const struct jsonl_mark *m)
{
	uint64_t h;

	if ((uint64_t)sb->st_dev != m->dev || (uint64_t)sb->st_ino != m->ino) {
		in->rotated_from = find_rotated(in->path, m->dev, m->ino);
		if (in->rotated_from == NULL) {
			strlist_add_owned(&in->notes, xasprintf(
				"%s is a new file (rotated or replaced): read from its start; "
				"the old file was not found to finish it", in->path));
		} else {
			strlist_add_owned(&in->notes, xasprintf(
				"%s was rotated: read the rest of the old file %s from byte %" PRIu64
				", then the new file from its start", in->path, in->rotated_from,
				m->offset));
			if (read_jsonl(in, sc, in->rotated_from, m->offset, false) < 0) {
				/* the old file is a bonus: its failure is a note */
				strlist_add_owned(&in->notes, in->error);
				in->error = NULL;
			}
		}
		return 0;
	}
	if (head_hash(in->path, m->head_len, &h) < 0 || h != m->head_hash) {
		strlist_add_owned(&in->notes, xasprintf(
			"%s was truncated or rewritten (its first bytes changed): read from its start",
			in->path));
		return 0;
	}
	in->resumed = true;
	return m->offset;
}

static void save_jsonl_mark(struct events_input *in, ad_state *state, const struct stat *sb,
			    uint64_t offset)
{
	size_t head_len = offset < EVENTS_HEAD_BYTES ? (size_t)offset : EVENTS_HEAD_BYTES;
	uint64_t h = 0;
	char *key = state_key(in), *value;

	if (head_hash(in->path, head_len, &h) < 0)
		head_len = 0, h = FNV_OFFSET; /* vanished meanwhile: the hash of nothing */
	value = xasprintf("%" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %zu %016" PRIx64,
			  (uint64_t)sb->st_dev, (uint64_t)sb->st_ino, (uint64_t)sb->st_size,
			  offset, head_len, h);
	ad_state_set(state, key, value);
	free(key);
	free(value);
}

static int scan_jsonl(struct events_input *in, const struct events_scan_config *cfg)
{
	struct scan_ctx sc = { .in = in, .cfg = cfg };
	bool incremental = cfg->state != NULL && strcmp(in->path, JSONL_STDIN) != 0;
	struct jsonl_mark m;
	struct stat sb;
	uint64_t start = 0, end;
	char *key;

	if (incremental && stat(in->path, &sb) < 0) {
		in->error = xasprintf("%s: %s", in->path, strerror(errno));
		return -1;
	}
	/* a pipe or device has no place to resume at: read it whole */
	if (incremental && !S_ISREG(sb.st_mode))
		incremental = false;
	if (!incremental) {
		if (read_jsonl(in, &sc, in->path, 0, false) < 0)
			return -1;
		in->end = in->st.end_offset;
		in->malformed += in->tally.n.no_time;
		return 0;
	}
	key = state_key(in);
	if (parse_jsonl_mark(ad_state_get(cfg->state, key), &m))
		start = jsonl_resume_point(in, &sc, &sb, &m);
	else if (ad_state_has(cfg->state, key))
		strlist_add_owned(&in->notes, xasprintf(
			"the state of %s was unusable: read from its start", in->path));
	free(key);
	in->start = start;
	if (read_jsonl(in, &sc, in->path, start, true) < 0)
		return -1;
	if (in->st.offset_past_end) {
		strlist_add_owned(&in->notes, xasprintf(
			"%s is shorter than where the last run stopped (truncated): read from its start",
			in->path));
		in->resumed = false;
		in->start = 0;
		if (read_jsonl(in, &sc, in->path, 0, true) < 0)
			return -1;
	}
	end = sc.future_stop ? sc.future_offset : in->st.end_offset;
	if (sc.future_stop)
		strlist_add_owned(&in->notes, xasprintf(
			"%s: an event newer than --now at byte %" PRIu64
			" and what follows it are left for the next run", in->path, end));
	if (in->stopped_early)
		strlist_add_owned(&in->notes, xasprintf(
			"%s: read stopped at byte %" PRIu64
			" to finish within the time limit; the rest is read next run", in->path, end));
	in->end = end;
	in->malformed += in->tally.n.no_time;
	save_jsonl_mark(in, cfg->state, &sb, end);
	return 0;
}

/* ---- EVTX ---- */

static bool parse_mark_number(const char *v, bool *has, uint64_t *u, int64_t *i)
{
	char *e;

	*has = false;
	if (strcmp(v, NO_VALUE) == 0)
		return true;
	errno = 0;
	if (u != NULL)
		*u = strtoull(v, &e, 10);
	else
		*i = strtoll(v, &e, 10);
	if (*e != '\0' || errno != 0 || e == v)
		return false;
	*has = true;
	return true;
}

static bool parse_evtx_mark(const char *v, struct evtx_mark *m)
{
	char id[32], t[32], ft[32];
	int end = -1, end4 = -1, end6 = -1, n;

	memset(m, 0, sizeof(*m));
	if (v == NULL)
		return false;
	n = sscanf(v, "%31s %31s %" SCNu64 "%n %31s%n %" SCNu64 " %" SCNu64 "%n", id, t,
		   &m->unreadable, &end, ft, &end4, &m->gap, &m->gap_oldest, &end6);
	if (n == 4)
		end = end4;
	else if (n == 6)
		end = end6;
	if (n < 3 || n == 5 || end < 0 || v[end] != '\0' || (n == 6 && m->gap == 0))
		return false;
	return parse_mark_number(id, &m->has_id, &m->id, NULL) &&
	       parse_mark_number(t, &m->has_time, NULL, &m->time) &&
	       (n == 3 || parse_mark_number(ft, &m->has_filetime, &m->filetime, NULL));
}

static int evtx_pass(struct events_input *in, struct scan_ctx *sc,
		     const struct evtx_scan_options *o)
{
	char *err = NULL;

	sc->has_future = sc->has_max = false;
	sc->in_id_order = o->in_id_order;
	events_tally_reset(&in->tally);
	in->far_future = 0;
	if (evtx_reader_scan(in->path, o, evtx_event, sc, &in->st, &err) < 0) {
		in->error = err ? err : xasprintf("%s: cannot be read", in->path);
		return -1;
	}
	return 0;
}

/* One read, in identifier order when asked and possible, else (from then
 * on, said once) in file order. */
static int evtx_read(struct events_input *in, struct scan_ctx *sc, struct evtx_scan_options *o)
{
	if (evtx_pass(in, sc, o) < 0)
		return -1;
	if (!o->in_id_order || !in->st.id_order_failed)
		return 0;
	strlist_add_owned(&in->notes, xasprintf(
		"%s cannot be read in record-number order (%s): read whole in file order",
		in->path, o->more->id_order_failure[0] ? o->more->id_order_failure : "damage"));
	o->in_id_order = false;
	return evtx_pass(in, sc, o);
}

/* Why a resumed read must start again from the beginning, or NULL. */
static char *evtx_reset_reason(const struct events_input *in, const struct evtx_mark *m)
{
	const struct event_read_stats *st = &in->st;

	if (st->resume_mismatch)
		return xasprintf("%s is not the log the last run read (its record %" PRIu64 " was "
				 "written at another time: log cleared or replaced): read from its "
				 "start", in->path, m->id);
	/* all numbered lower, or the record the last run stopped at gone (or
	 * not known) and the newest time older: an older log */
	if (st->resume_reset ||
	    (!st->after_found && m->has_time && st->has_last_time && st->last_time < m->time))
		return xasprintf("%s holds only records older than the last run saw (log cleared or "
				 "replaced): read from its start", in->path);
	return NULL;
}

/* The mark to save after reading IN (resumed after M, or not). */
static char *evtx_mark_text(struct events_input *in, const struct scan_ctx *sc,
			    const struct evtx_scan_options *o, bool resume,
			    const struct evtx_mark *m, bool have_mark)
{
	const struct event_read_stats *st = &in->st;
	char id[32] = NO_VALUE, t[32] = NO_VALUE, ft[32] = NO_VALUE;
	bool has_id = false, has_ft = false, has_time = st->has_last_time;
	uint64_t last = 0, filetime = 0, unreadable;
	int64_t time = st->last_time;
	char *text;

	if (st->has_last_record_id && !(sc->has_future && !o->in_id_order)) {
		/* in identifier order the last record consumed; in file
		 * order the highest, when nothing was left for later */
		has_id = has_ft = true;
		last = st->last_record_id;
		filetime = st->last_filetime;
	} else if (sc->has_future && !o->in_id_order) {
		/* file order: just below the lowest record newer than --now,
		 * a number the file may not have: no fingerprint */
		has_id = true;
		last = sc->future_id - 1;
	} else if (resume) {
		/* nothing new: where the last run stopped */
		has_id = true;
		last = m->id;
		has_ft = m->has_filetime;
		filetime = m->filetime;
	}
	/* in identifier order only part of the file was read: the time the
	 * last run saw stays if it is newer */
	if (o->in_id_order && have_mark && m->has_time && (!has_time || m->time > time)) {
		has_time = true;
		time = m->time;
	}
	/* unreadable records after that point already counted (the reader
	 * places them by the record before them in identifier order) */
	unreadable = o->more->pending_unreadable;
	if (has_id)
		snprintf(id, sizeof(id), "%" PRIu64, last);
	if (has_time)
		snprintf(t, sizeof(t), "%" PRId64, time);
	if (has_ft)
		snprintf(ft, sizeof(ft), "%" PRIu64, filetime);
	in->end = last;
	text = xasprintf("%s %s %" PRIu64 " %s", id, t, unreadable, ft);
	/* those after the newest record, tied to the oldest record */
	if (o->more->gap > 0) {
		char *longer = xasprintf("%s %" PRIu64 " %" PRIu64, text, o->more->gap,
					 o->more->gap_oldest);

		free(text);
		text = longer;
	}
	return text;
}

static int scan_evtx(struct events_input *in, const struct events_scan_config *cfg)
{
	struct scan_ctx sc = { .in = in, .cfg = cfg, .label = in->path,
			       .incremental = cfg->state != NULL };
	struct evtx_scan_options o = { 0 };
	struct evtx_scan_more more = { 0 };
	struct evtx_mark m = { 0 };
	bool have_mark = false, resume = false;
	char *key = state_key(in), *value, *why;

	if (sc.incremental) {
		if (parse_evtx_mark(ad_state_get(cfg->state, key), &m)) {
			have_mark = true;
			resume = m.has_id;
		}
		else if (ad_state_has(cfg->state, key))
			strlist_add_owned(&in->notes, xasprintf(
				"the state of %s was unusable: read from its start", in->path));
		/* identifier order reads only what is new, and can stop in
		 * time; resuming so needs the fingerprint of the resume record
		 * (a state of an older version has none: file order once) */
		o.in_id_order = !resume || m.has_filetime;
		o.out_of_time = cfg->out_of_time;
		o.time_ctx = cfg->ctx;
	}
	o.resume = resume;
	o.after_record_id = m.id;
	o.check_after_filetime = resume && m.has_filetime;
	o.after_filetime = m.filetime;
	o.known_unreadable = have_mark ? m.unreadable : 0;
	o.known_gap = have_mark ? m.gap : 0;
	o.known_gap_oldest = m.gap_oldest;
	o.more = &more;
	if (evtx_read(in, &sc, &o) < 0)
		goto fail;
	if (resume && (why = evtx_reset_reason(in, &m)) != NULL) {
		strlist_add_owned(&in->notes, why);
		resume = have_mark = false;
		o.resume = o.check_after_filetime = false;
		o.after_record_id = 0;
		o.known_unreadable = o.known_gap = o.known_gap_oldest = 0;
		if (evtx_read(in, &sc, &o) < 0)
			goto fail;
	} else if (resume && more.overwritten && more.lost_first < more.lost_last) {
		strlist_add_owned(&in->notes, xasprintf(
			"%s: records %" PRIu64 " to %" PRIu64 " were overwritten before this run "
			"read them", in->path, more.lost_first, more.lost_last));
	} else if (resume && more.overwritten && more.lost_first == more.lost_last) {
		strlist_add_owned(&in->notes, xasprintf(
			"%s: record %" PRIu64 " was overwritten before this run read it",
			in->path, more.lost_first));
	}
	if (!o.in_id_order && sc.has_future &&
	    ((sc.has_max && sc.max_id > sc.future_id) || in->st.damage[0] != '\0')) {
		/* records out of order, or damage that may lie beyond: count
		 * again, only below the newer one; the rest is left for the
		 * run that counts that record */
		sc.has_bound = o.has_bound = true;
		sc.bound = o.bound = sc.future_id;
		if (evtx_pass(in, &sc, &o) < 0)
			goto fail;
		sc.has_future = true;
		sc.future_id = sc.bound;
	}
	in->resumed = resume;
	in->start = resume ? m.id : 0;
	in->lines_or_records = in->st.records;
	in->malformed = in->tally.n.no_time;
	/* only new ones: unreadable records have no identifier, the reader
	 * places them by the record before them and skips those counted
	 * before */
	in->unreadable = in->st.unreadable;
	note_damage(in, in->path);
	if (!sc.incremental) {
		free(key);
		return 0;
	}
	if (sc.has_future)
		strlist_add_owned(&in->notes, xasprintf(
			"%s: record %" PRIu64 " is newer than --now; it and later records are "
			"left for the next run", in->path, sc.future_id));
	value = evtx_mark_text(in, &sc, &o, resume, &m, have_mark);
	if (in->st.stopped_early) {
		in->stopped_early = true;
		strlist_add_owned(&in->notes, xasprintf(
			"%s: read stopped after record %" PRIu64 " to finish within the time limit; "
			"the rest is read next run", in->path, in->end));
	}
	ad_state_set(cfg->state, key, value);
	free(value);
	free(key);
	return 0;
fail:
	free(key);
	return -1;
}

int events_input_scan(struct events_input *in, const struct events_scan_config *cfg)
{
	int rc = in->kind == EVENTS_INPUT_EVTX ? scan_evtx(in, cfg) : scan_jsonl(in, cfg);

	if (rc == 0 && in->far_future > 0)
		strlist_add_owned(&in->notes, xasprintf(
			"%s: %" PRIu64 " %s dated more than %" PRId64 " s after now %s read without "
			"being counted (a clock far ahead?)", in->path, in->far_future,
			in->far_future == 1 ? "event" : "events", EVENTS_FAR_FUTURE,
			in->far_future == 1 ? "was" : "were"));
	return rc;
}
