/* SPDX-License-Identifier: GPL-3.0-or-later */
/* evtx_reader.h - stream Kerberos ticket events out of an EVTX file.
 *
 * Records are read one at a time by index with libevtx, so memory stays
 * flat whatever the file size (libevtx keeps a small chunk cache). A record
 * libevtx cannot parse is counted in stats->unreadable and skipped; the
 * first reason is kept in stats->damage. Chunks with a bad header or an
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
	 * with check_after_filetime. The scan can stop part-way with an exact
	 * resume point: stats->last_record_id is the last record consumed.
	 * When this is not possible (an unreadable record, identifiers out of
	 * order, no resume record) stats->id_order_failed is set, and what was
	 * delivered must be discarded and the file read in file order. */
	bool in_id_order;
	/* With in_id_order: asked after each record consumed (so every scan
	 * consumes at least one); true stops the scan there
	 * (stats->stopped_early). NULL: never. */
	bool (*out_of_time)(const void *ctx);
	const void *time_ctx;
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
