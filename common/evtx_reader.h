/* SPDX-License-Identifier: GPL-3.0-or-later */
/* evtx_reader.h - stream Kerberos ticket events out of an EVTX file.
 *
 * Records are read one at a time by index with libevtx, so memory stays
 * flat whatever the file size (libevtx keeps a small chunk cache). A record
 * libevtx cannot parse is counted in stats->unreadable and skipped (in
 * incremental mode only when it is new, see known_unreadable); the first
 * reason is kept in stats->damage. Chunks with a bad header or an
 * incomplete chunk at the end of a truncated file are skipped by libevtx
 * itself, and chunk checksum errors are noted by it: stats->corrupted is
 * then set, and stats->damage says so unless a bad record already
 * explains the damage.
 *
 * Strings are taken by position (event version 0 layout, see DOMAIN.md
 * section 4): later event versions only append fields. Records of another
 * provider than Microsoft-Windows-Security-Auditing are "other". */
#ifndef AD_EVTX_READER_H
#define AD_EVTX_READER_H

#include "ticket_event.h"

/* Room for why a file cannot be read in identifier order. */
#define EVTX_FAILURE_LEN 128

struct evtx_scan_more;

struct evtx_scan_options {
	/* Incremental mode: skip records whose identifier is <= this one. The
	 * identifier to store for next time is stats->last_record_id. Records
	 * are matched by identifier, not position, because a full log wraps
	 * around and its oldest chunk may sit anywhere in the file. */
	bool resume;
	uint64_t after_record_id;
	/* Also scan libevtx's recovered records (remnants found in slack space,
	 * often of other logs or already overwritten). Off by default: they
	 * can repeat live records and would be counted twice. Delivered events
	 * have ev->recovered set; they never change the resume information.
	 * Not with in_id_order. */
	bool include_recovered;
	/* With resume: the written time (FILETIME) record after_record_id had
	 * when it was read. The same number written at another time is
	 * another log (cleared and refilled past that number, or replaced):
	 * stats->resume_mismatch. */
	bool check_after_filetime;
	uint64_t after_filetime;
	/* Read in identifier order, oldest first, wherever a wrapped log keeps
	 * its oldest chunk; with resume, records up to after_record_id are
	 * passed over unread (found by bisection: a few records are read, not
	 * the whole file), and the record after_record_id must be in the file
	 * with check_after_filetime, unless every readable record is numbered
	 * higher (a wrapped log overwrote it): then all are read, from the
	 * oldest, and more->overwritten says which numbers were lost. The
	 * scan can stop part-way with an exact resume point:
	 * stats->last_record_id is the last record consumed. The bisections
	 * step over records whose header cannot be read. When identifier
	 * order is not possible (identifiers out of order, the resume record
	 * missing among them) stats->id_order_failed is set (the reason in
	 * more->id_order_failure), and what was delivered must be discarded
	 * and the file read in file order. */
	bool in_id_order;
	/* With in_id_order: asked after each record consumed (so every scan
	 * consumes at least one) and after each unreadable record counted
	 * once a record was consumed or with resume; true stops the scan
	 * there (stats->stopped_early). NULL: never. */
	bool (*out_of_time)(const void *ctx);
	const void *time_ctx;
	/* Records whose header cannot be read have no identifier. They are
	 * placed by the readable record before them in identifier order
	 * (none for those before the oldest; all of them after the resume
	 * point when no record is readable): those placed before the resume
	 * point (with resume) were counted by an earlier read and are
	 * skipped_resume; the others are counted in stats->unreadable, except
	 * the first known_unreadable of those right after the resume point
	 * (without resume: before the first readable record; in identifier
	 * order when the resume record was overwritten: right before the
	 * oldest readable record of a wrapped log, see known_gap), which an
	 * earlier read counted (more->pending_unreadable of that read). In
	 * identifier order they are read in their place and do not break
	 * that order. */
	uint64_t known_unreadable;
	/* In identifier order, in a log that wrapped around: records without
	 * identifier after the newest readable record, right before the
	 * oldest one (Windows writes new records before them, so they do not
	 * stay right after the resume point), are also known while the
	 * oldest readable record is known_gap_oldest: as many as known_gap
	 * (more->gap of an earlier read), less those known_unreadable ones
	 * met with a readable record after them (new records were written
	 * after those: they left the gap). In file order these are not used
	 * (such records are placed as usual) and more->gap is found afresh. */
	uint64_t known_gap, known_gap_oldest;
	/* File order: records numbered bound or more, and records without
	 * identifier placed after them, are left for a later read (counted as
	 * skipped_resume, not delivered). */
	bool has_bound;
	uint64_t bound;
	/* Filled by the scan when not NULL. */
	struct evtx_scan_more *more;
};

struct evtx_scan_more {
	/* Records without identifier placed after the point the next read
	 * resumes from, all counted by this read or an earlier one: the next
	 * read's known_unreadable. That point is, in identifier order,
	 * stats->last_record_id (after_record_id, or the start without
	 * resume, when no record was consumed); in file order the highest
	 * identifier, or bound - 1 with has_bound (after_record_id, or the
	 * start, when no record is readable). */
	uint64_t pending_unreadable;
	/* The next read's known_gap and known_gap_oldest: in a log that
	 * wrapped around, records without identifier after the newest
	 * readable record counted by this read or an earlier one, and the
	 * oldest readable record (gap 0: none). Whenever both gap and
	 * pending_unreadable are set, the records of pending_unreadable are
	 * among those of gap (what the reduction of known_gap relies on). */
	uint64_t gap, gap_oldest;
	/* In identifier order, with resume: the record after_record_id was
	 * overwritten, the oldest readable record is numbered higher; the
	 * numbers lost in between, if any (lost_first <= lost_last). */
	bool overwritten;
	uint64_t lost_first, lost_last;
	/* With in_id_order and stats->id_order_failed: why, or "". */
	char id_order_failure[EVTX_FAILURE_LEN];
};

/* Scans path and calls cb for every Security 4768/4769/4770 record (in file
 * order, which is not always identifier order, unless opts->in_id_order).
 * opts may be NULL (whole file, no recovered records). stats is always
 * filled.
 *
 * Returns 0 when the file was scanned, even with damage part-way or when
 * the callback stopped it (stats->stopped). Returns -1 only when the file
 * cannot be read at all (missing, unreadable, not EVTX); *err is then a
 * one-line message the caller frees (err may be NULL). */
int evtx_reader_scan(const char *path, const struct evtx_scan_options *opts,
		     ticket_event_cb cb, void *ctx,
		     struct event_read_stats *stats, char **err);

#endif
