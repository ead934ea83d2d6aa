/* SPDX-License-Identifier: GPL-3.0-or-later */
/* events_input.h - one input of check_ad_ticket_events (an EVTX file or a
 * JSON lines file / standard input) read into a tally, whole or, with a
 * state file, from where the last run stopped.
 *
 * Incremental mode remembers per input (state key "jsonl:PATH" or
 * "evtx:PATH"):
 *   JSON lines: device and inode, size, the offset after the last line
 *     consumed (in the uncompressed stream for gzip), and a hash of the
 *     first bytes up to that offset.  A new inode is a rotation: the rest
 *     of the old file is read if it is still in the same directory under
 *     another name, then the new file from its start.  A file shorter than
 *     the offset, or whose first bytes changed, was truncated or rewritten:
 *     it is read from its start.  A last line without its newline may still
 *     be being written and is left for the next run.
 *   EVTX: the last record identifier read, that record's written time
 *     (FILETIME: the log's fingerprint), the newest written time and the
 *     number of unreadable records right after the saved one (no
 *     identifier: placed by the record before them) already counted ("ID
 *     TIME UNREADABLE FILETIME"; states of older versions lack FILETIME,
 *     and their UNREADABLE, all those seen, is taken so), then, in a log
 *     that wrapped around with unreadable records after its newest
 *     record, right before its oldest one, how many of those were counted
 *     and the oldest record's identifier ("GAP OLDEST"): Windows writes
 *     new records before them, and they stay counted while that record is
 *     the oldest.  Records are read in identifier order (evtx_reader's
 *     in_id_order): those up to the saved identifier are passed over
 *     unread (the bisections step over unreadable records), and the read
 *     can stop early (out_of_time) with an exact resume point.  A log
 *     whose records are all numbered lower, or whose record of the saved
 *     number was written at another time (cleared and refilled past it,
 *     or replaced), is read from its start.  A log whose records are all
 *     numbered higher (a wrapped log overwrote the saved one) is read in
 *     identifier order from its oldest record, the numbers lost said in a
 *     note, unless its newest time is older than the saved one (a
 *     replaced log: read from its start).  A file that cannot be read in
 *     identifier order (identifiers out of order, the saved record
 *     missing among them, a state without FILETIME) is read whole in file
 *     order, said in a note unless the state lacks FILETIME: there the
 *     saved record's absence lets a newest time older than the saved one
 *     tell a replaced log.  Either way an unreadable record is counted
 *     once, by the read that goes past it.
 * Events newer than --now are not consumed: a JSON lines read stops before
 * the first one, an EVTX read resumes before the lowest such record, so
 * they are counted by a later run.  Standard input, pipes and devices are
 * always read whole. */
#ifndef AD_EVENTS_INPUT_H
#define AD_EVENTS_INPUT_H

#include <stdbool.h>
#include <stdint.h>

#include "events_tally.h"
#include "statefile.h"
#include "strlist.h"
#include "ticket_event.h"

/* How many leading bytes of a JSON lines input identify its content. */
#define EVENTS_HEAD_BYTES 4096

enum events_input_kind {
	EVENTS_INPUT_EVTX,
	EVENTS_INPUT_JSONL
};

/* Seconds after now beyond which an event's time is a clock far ahead
 * (Kerberos itself tolerates 5 minutes of skew). */
#define EVENTS_FAR_FUTURE ((int64_t)3600)

struct events_scan_config {
	int32_t event_tz_offset;  /* NXLog EventTime zone, seconds east */
	ad_state *state;          /* NULL: read every input whole */
	/* Incremental reads: asked after each JSON lines event or EVTX record
	 * consumed; true ends the read there (consumed up to it; the rest
	 * follows next run).  NULL: never. */
	bool (*out_of_time)(const void *ctx);
	const void *ctx;
	/* Incremental reads leave events newer than the window's end for a
	 * later run (a DC clock slightly ahead); with HAS_FUTURE_LIMIT, events
	 * dated after FUTURE_LIMIT are read now as outside the window instead
	 * (a clock far ahead must not stop the read for good). */
	bool has_future_limit;
	int64_t future_limit;
};

struct events_input {
	enum events_input_kind kind;
	const char *path;           /* borrowed; "-" is standard input */
	struct events_tally tally;  /* what this input counted */
	struct event_read_stats st; /* of the last read of the file */
	uint64_t lines_or_records;  /* looked at in this run, all reads */
	uint64_t malformed;         /* unusable lines and events without time */
	uint64_t far_future;        /* read although dated after future_limit */
	uint64_t unreadable;        /* EVTX records skipped (new ones only) */
	char *damage;               /* first damage part-way (reason), or NULL */
	char *error;                /* could not be read at all, or NULL */
	strlist notes;              /* rotation, truncation, early stop ... */
	char *rotated_from;         /* the old file read after a rotation */
	/* where reading started and ended, for -v */
	bool resumed;
	uint64_t start, end;        /* JSON: byte offsets; EVTX: record ids */
	bool stopped_early;         /* out of time, the rest next run */
};

void events_input_init(struct events_input *in, enum events_input_kind kind,
		       const char *path, const struct events_realms *realms,
		       struct events_window window);
void events_input_free(struct events_input *in);

/* Reads IN into in->tally and, in incremental mode, records in the state
 * where it stopped.  Returns 0, or -1 when the input could not be read at
 * all (in->error says why, with the path). */
int events_input_scan(struct events_input *in, const struct events_scan_config *cfg);

const char *events_input_kind_name(enum events_input_kind kind);

#endif
