/* SPDX-License-Identifier: GPL-3.0-or-later */
/* jsonl_reader.h - stream Kerberos ticket events out of JSON lines.
 *
 * Input: one JSON object per line, from a file, "-" (standard input), or
 * gzip data (recognised by its magic bytes, whatever the name; several
 * concatenated gzip members are read one after another). Memory stays
 * flat: a line is held only up to max_line bytes; a longer one is skipped
 * without being stored and counted malformed and too_long.
 *
 * Shapes recognised (first match wins):
 *   Winlogbeat 7+ / ECS: "winlog": {"event_id": 4769 or "4769",
 *       "event_data": {...}, "computer_name", "provider_name", "record_id"},
 *       "host": {"name"} as a fallback computer, ECS "event.code" as a
 *       fallback id;
 *   Winlogbeat 6: "event_id", "event_data": {...}, "computer_name",
 *       "source_name", "record_number";
 *   NXLog: "EventID" with the event's fields at the top level, "Hostname",
 *       "SourceName", "RecordNumber", "EventTime".
 * Time: "@timestamp" (UTC unless it carries an offset; fractions dropped),
 * else (absent or unparsable) NXLog's "EventTime", read as local time
 * event_tz_offset seconds east of UTC unless it carries its own offset. An event whose provider field
 * is present and is not Microsoft-Windows-Security-Auditing is "other".
 *
 * Speed: a line is parsed only when it looks like an object ('{' ... '}')
 * and contains 4768, 4769 or 4770 somewhere; other object-looking lines are
 * counted in stats->prefiltered unparsed (no_prefilter turns this off).
 *
 * Strings with invalid UTF-8 or control characters are kept with \XX
 * escapes in their place (ev->sanitized), never dropped: TargetUserName of
 * a failed request is chosen by the client. */
#ifndef AD_JSONL_READER_H
#define AD_JSONL_READER_H

#include <stddef.h>

#include "ticket_event.h"

#define JSONL_MAX_LINE_DEFAULT ((size_t)1024 * 1024)
#define JSONL_STDIN "-"

struct jsonl_scan_options {
	/* Byte offset where reading starts: in the file for plain input, in
	 * the uncompressed stream for gzip (gzip cannot seek, so the reader
	 * decompresses and discards up to there). Use a stats->end_offset of
	 * an earlier scan; an offset inside a line makes that line's rest
	 * malformed. An offset beyond the end sets stats->offset_past_end
	 * (the file was truncated or replaced: start again from 0). */
	uint64_t start_offset;
	/* Incremental mode: a last line without '\n' may still be being
	 * written, so it is neither consumed nor counted; stats->end_offset
	 * stays at its start. Without it such a line is read like any other. */
	bool incremental;
	/* Zone of NXLog "EventTime" values without offset, seconds east of UTC
	 * (see timeparse_zone_offset()). 0 = UTC. */
	int32_t event_tz_offset;
	/* Longest line accepted, newline excluded. 0 = JSONL_MAX_LINE_DEFAULT. */
	size_t max_line;
	/* Parse every line (exact malformed counts; slower on big logs). */
	bool no_prefilter;
};

/* Scans path ("-" for standard input, which is not closed) and calls cb for
 * each Security 4768/4769/4770 event that has a usable time, in input
 * order. opts may be NULL (defaults above). stats is always filled;
 * stats->end_offset is the offset just after the last line consumed (a line
 * delivered to a callback that stopped the scan is consumed).
 *
 * Returns 0 when the input was read, even when damage cut it short
 * (truncated or corrupt gzip, read error: stats->damage names it, and the
 * lines before the damage were delivered) or the callback stopped it.
 * Returns -1 only when the input cannot be opened at all (missing,
 * unreadable, a directory) or memory runs out; *err is then a one-line
 * message the caller frees (err may be NULL). */
int jsonl_reader_scan(const char *path, const struct jsonl_scan_options *opts,
		      ticket_event_cb cb, void *ctx,
		      struct event_read_stats *stats, char **err);

#endif
