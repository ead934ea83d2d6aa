/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ticket_event.h - one Kerberos ticket event (Security 4768/4769/4770) as
 * read from an EVTX file or a JSON line, and the statistics both readers
 * keep.
 *
 * Ownership: a reader fills a struct ticket_event that it owns and hands a
 * const pointer to the caller's callback; the struct and its strings are
 * valid only during that call (copy what must outlive it). All strings are
 * fixed-size arrays inside the struct, so there is nothing to free. */
#ifndef AD_TICKET_EVENT_H
#define AD_TICKET_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Event identifiers of the Microsoft-Windows-Security-Auditing provider. */
#define TICKET_EVENT_TGT_REQUESTED 4768u /* TGT requested (AS exchange) */
#define TICKET_EVENT_SERVICE_TICKET 4769u /* service ticket (TGS exchange) */
#define TICKET_EVENT_TICKET_RENEWED 4770u /* service ticket renewed */
#define TICKET_EVENT_PROVIDER "Microsoft-Windows-Security-Auditing"

/* TicketOptions bits as the events print them (RFC 4120 KDCOptions, bit 0
 * being the most significant bit of the 32-bit value). */
#define TICKET_OPT_FORWARDABLE 0x40000000u
#define TICKET_OPT_FORWARDED 0x20000000u /* the delegation signal */
#define TICKET_OPT_RENEWABLE 0x00800000u
#define TICKET_OPT_OK_AS_DELEGATE 0x00040000u /* request options: unreliable */
#define TICKET_OPT_CANONICALIZE 0x00010000u
#define TICKET_OPT_RENEWABLE_OK 0x00000010u

/* Field sizes including the NUL. Domain names have at most 253 characters,
 * so TICKET_EVENT_HOST_LEN never cuts a real one; user and service names
 * ("user@REALM", "MSSQLSvc/host.fqdn:1433") get more room. Longer values
 * are cut at a UTF-8 character boundary and ev->truncated is set. */
#define TICKET_EVENT_NAME_LEN 512
#define TICKET_EVENT_HOST_LEN 256
#define TICKET_EVENT_IP_LEN 64

enum ticket_event_source {
	TICKET_SOURCE_EVTX,
	TICKET_SOURCE_NXLOG,
	TICKET_SOURCE_WINLOGBEAT6,
	TICKET_SOURCE_WINLOGBEAT7 /* Winlogbeat 7+ / Elastic Common Schema */
};

struct ticket_event {
	uint32_t event_id;
	enum ticket_event_source source;
	bool has_time;
	int64_t time; /* Unix seconds UTC; meaningful only with has_time */
	char target_user[TICKET_EVENT_NAME_LEN];   /* TargetUserName */
	char target_domain[TICKET_EVENT_HOST_LEN]; /* TargetDomainName */
	char service_name[TICKET_EVENT_NAME_LEN];  /* ServiceName */
	char ip_address[TICKET_EVENT_IP_LEN];      /* IpAddress */
	char computer[TICKET_EVENT_HOST_LEN];      /* the DC, "" if unknown */
	bool has_options;
	uint32_t ticket_options; /* TICKET_OPT_* bits */
	bool has_status;         /* 4770 has no Status field */
	uint32_t status;         /* Kerberos error code, 0 = success */
	bool has_record_id;
	uint64_t record_id; /* EVTX record identifier (EventRecordID), or the
			       record number a JSON shipper passed on */
	bool recovered;     /* EVTX: from libevtx's recovered (slack) records */
	uint64_t offset;    /* JSONL: byte offset of the line's start in the
			       (uncompressed) input; 0 for EVTX */
	bool truncated;     /* some string field was cut to fit */
	bool sanitized;     /* invalid UTF-8 or control characters in some
			       field were written as \XX escapes */
};

/* Called once per Kerberos event; return 0 to go on, non-zero to stop the
 * scan (stats->stopped is then set): TICKET_EVENT_STOP after this event,
 * TICKET_EVENT_STOP_BEFORE before it, which matters to an EVTX scan in
 * identifier order (the event's record is not consumed: the resume point
 * stays before it); any other scan takes both as TICKET_EVENT_STOP. */
typedef int (*ticket_event_cb)(const struct ticket_event *ev, void *ctx);
#define TICKET_EVENT_STOP 1
#define TICKET_EVENT_STOP_BEFORE 2

/* Room for a one-line damage reason, e.g. "record index 3: invalid binary
 * XML token - unsupported type: 0x05" or "gzip data truncated". */
#define EVENT_DAMAGE_LEN 192

/* What a scan saw. Both readers fill it from zero (they call
 * event_read_stats_init() themselves). Invariants after a scan:
 *   EVTX in file order:
 *          records == unreadable + skipped_resume + other_events + kerberos
 *   EVTX in identifier order: records are those read (the one a callback
 *          stopped before included), skipped_resume those passed over
 *          unread
 *   JSONL: records == blank + malformed + prefiltered + other_events
 *                     + kerberos */
struct event_read_stats {
	uint64_t records;     /* EVTX records looked at (unreadable ones, and
				 recovered ones when asked for, included), or
				 JSONL lines consumed */
	uint64_t unreadable;  /* EVTX: records libevtx could not parse, or
				 Kerberos records with too few strings */
	uint64_t malformed;   /* JSONL: lines that are not one JSON object of a
				 known shape, carry a bad event id, are too
				 long, are a Kerberos event without a usable
				 time, or are a fragment cut by damage */
	uint64_t too_long;    /* JSONL: part of malformed: over max_line */
	uint64_t prefiltered; /* JSONL: lines that look like a JSON object but
				 do not mention 4768/4769/4770 anywhere, so
				 were not parsed */
	uint64_t blank;       /* JSONL: empty or white-space-only lines */
	uint64_t other_events; /* recognised events that are not Security
				  4768/4769/4770 */
	uint64_t kerberos;     /* events handed to the callback */
	uint64_t tgt_requests;    /* part of kerberos: 4768 */
	uint64_t service_tickets; /* part of kerberos: 4769 */
	uint64_t renewals;        /* part of kerberos: 4770 */
	uint64_t forwarded;       /* part of kerberos: TICKET_OPT_FORWARDED */
	uint64_t no_time;  /* Kerberos events without a usable time. EVTX:
			      delivered with has_time false (and counted in
			      kerberos). JSONL: not delivered, counted in
			      malformed too. */
	uint64_t skipped_resume;      /* EVTX: id <= after_record_id */
	uint64_t recovered_available; /* EVTX: recovered records in the file */
	bool corrupted; /* EVTX: libevtx flags the file as corrupted */
	bool stopped;   /* the callback asked to stop */
	/* Resume information. EVTX in file order: the highest record
	 * identifier seen among readable (not recovered) records, and the
	 * newest written time among them. EVTX in identifier order: the last
	 * record consumed (none when nothing new was), and the newest written
	 * time among the records read. JSONL: newest time among delivered
	 * events. */
	bool has_last_record_id;
	uint64_t last_record_id;
	uint64_t last_filetime; /* EVTX: written time (FILETIME) of that record */
	bool has_last_time;
	int64_t last_time;
	bool resume_reset; /* EVTX: records exist but every identifier is below
			      after_record_id: the log was cleared or replaced */
	/* EVTX with check_after_filetime: record after_record_id is in the
	 * file (after_found), and was written at another time than the one
	 * expected (resume_mismatch): another log under the same numbers */
	bool after_found;
	bool resume_mismatch;
	/* EVTX in identifier order: done so (in_id_order), or not possible
	 * (id_order_failed: an unidentifiable record or identifiers out of
	 * order met, or the resume record not in the file; nothing is then
	 * to be trusted, read again in file order), and stopped by the
	 * out_of_time hook (stopped_early, with stopped) */
	bool in_id_order;
	bool id_order_failed;
	bool stopped_early;
	/* JSONL: offset just after the last line consumed (the place to start
	 * next time), and whether start_offset lay beyond the end of input. */
	uint64_t end_offset;
	bool offset_past_end;
	char damage[EVENT_DAMAGE_LEN]; /* first damage reason, "" if none */
};

void event_read_stats_init(struct event_read_stats *st);
/* Records a damage reason unless one is already recorded (the first one
 * usually explains the rest). */
void event_read_stats_damage(struct event_read_stats *st, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Counts ev as delivered: kerberos, the per-id counter, forwarded and
 * no_time. (Each reader keeps the resume information itself.) */
void event_read_stats_add(struct event_read_stats *st,
			  const struct ticket_event *ev);

/* Clears ev for the next event. */
void ticket_event_init(struct ticket_event *ev, enum ticket_event_source src);

bool ticket_event_id_is_kerberos(uint32_t event_id);
/* "4768", "4769", "4770" to a short English name, "other" otherwise. */
const char *ticket_event_id_name(uint32_t event_id);
const char *ticket_event_source_name(enum ticket_event_source src);

/* Copies len bytes of src into the fixed-size field dst (size dstlen),
 * writing every byte of invalid UTF-8 and of control characters (C0, DEL,
 * C1, NUL included) as a \XX hex escape, the way mp_sanitize() writes
 * plugin output (they would break it, and dropping the event instead would
 * let whoever controls a name hide it), and cutting at a character (or
 * escape) boundary. Sets ev->sanitized / ev->truncated as needed. */
void ticket_event_set(struct ticket_event *ev, char *dst, size_t dstlen,
		      const char *src, size_t len);

/* Parses "0x40810010", "0x0", "0X6" (hex, 1 to 8 significant digits after
 * the prefix; leading zeros allowed). Returns 0, or -1 for anything else
 * including "-", "" and decimal. */
int ticket_event_parse_hex32(const char *s, uint32_t *value);

/* The realm of "user@REALM": a pointer into user just after the last '@',
 * or NULL when there is none or nothing follows it. */
const char *ticket_event_realm_of_user(const char *user);
/* The account's realm: TargetDomainName when set, else the realm of
 * TargetUserName, else "". Points into ev. */
const char *ticket_event_account_realm(const struct ticket_event *ev);
/* Case-insensitive ASCII comparison of two realm or domain names, ignoring
 * one trailing dot on either ("OFFSEC.LAN" == "offsec.lan."). An empty
 * name equals nothing. */
bool ticket_event_realm_equal(const char *a, const char *b);

bool ticket_event_is_forwarded(const struct ticket_event *ev);
/* True when ev has a time t with from < t <= to: consecutive windows
 * (a, b], (b, c] count each event once. */
bool ticket_event_in_window(const struct ticket_event *ev, int64_t from,
			    int64_t to);

#endif
