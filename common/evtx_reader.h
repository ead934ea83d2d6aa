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
	 * have ev->recovered set; they never change the resume information. */
	bool include_recovered;
};

/* Scans path and calls cb for every Security 4768/4769/4770 record (in file
 * order, which is not always identifier order). opts may be NULL (whole
 * file, no recovered records). stats is always filled.
 *
 * Returns 0 when the file was scanned, even with damage part-way or when
 * the callback stopped it (stats->stopped). Returns -1 only when the file
 * cannot be read at all (missing, unreadable, not EVTX); *err is then a
 * one-line message the caller frees (err may be NULL). */
int evtx_reader_scan(const char *path, const struct evtx_scan_options *opts,
		     ticket_event_cb cb, void *ctx,
		     struct event_read_stats *stats, char **err);

#endif
