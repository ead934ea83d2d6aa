/* SPDX-License-Identifier: GPL-3.0-or-later */
/* events_tally.h - what check_ad_ticket_events counts: Kerberos ticket
 * events inside a time window, the cross-trust ones by kind, the busiest
 * (realm, account, service) tuples and the newest forwarded tickets.
 *
 * The window is [from, to]: both ends inclusive, so an event exactly at
 * the window start counts and one after `to` does not.  Memory is bounded:
 * at most EVENTS_TUPLES_MAX distinct tuples are tracked (cross-trust events
 * of further tuples are counted in `untracked`) and EVENTS_FORWARDED_KEPT
 * forwarded events are kept. */
#ifndef AD_EVENTS_TALLY_H
#define AD_EVENTS_TALLY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "events_realms.h"
#include "ticket_event.h"

#define EVENTS_TOP_SHOWN 10
#define EVENTS_TUPLES_MAX 10000
#define EVENTS_FORWARDED_KEPT 5

struct events_window {
	int64_t from; /* now - since */
	int64_t to;   /* now */
};

bool events_window_contains(const struct events_window *w, int64_t t);

/* Where an event falls. */
enum events_class {
	EVENTS_NO_TIME,       /* no usable time: counted as malformed */
	EVENTS_BEFORE_WINDOW,
	EVENTS_AFTER_WINDOW,  /* newer than --now */
	EVENTS_IN_WINDOW,     /* scanned, account not from a trusted realm */
	EVENTS_CROSS_TRUST    /* scanned, account from a trusted realm */
};

struct events_counts {
	uint64_t cross_trust;  /* all cross-trust events in the window */
	uint64_t tgt;          /* of those: 4768 */
	uint64_t service;      /* 4769 */
	uint64_t renewal;      /* 4770 */
	uint64_t forwarded;    /* TicketOptions has Forwarded */
	uint64_t failed;       /* Status present and not 0x0 */
	uint64_t scanned;      /* every 4768/4769/4770 event in the window */
	uint64_t no_time;      /* events without a usable time */
	uint64_t before_window, after_window;
};

struct events_tuple {
	char *realm;    /* the matched realm's label */
	char *account;  /* TargetUserName */
	char *service;  /* ServiceName */
	uint64_t count;
	uint64_t hash;  /* of the case-folded fields; 0 = empty slot */
};

struct events_forwarded {
	struct ticket_event ev;
	const char *realm;  /* borrowed from the realms */
	const char *input;  /* borrowed: the input's name */
};

struct events_tally {
	const struct events_realms *realms; /* borrowed */
	struct events_window window;
	struct events_counts n;
	struct events_tuple *slots;  /* open addressing, power of two */
	size_t nslots, ntuples;
	uint64_t untracked;          /* cross-trust events beyond the cap */
	struct events_forwarded newest[EVENTS_FORWARDED_KEPT]; /* newest first */
	size_t nnewest;
};

void events_tally_init(struct events_tally *t, const struct events_realms *r,
		       struct events_window w);
void events_tally_free(struct events_tally *t);
/* Forgets everything counted, keeping realms and window. */
void events_tally_reset(struct events_tally *t);

/* Where EV falls; *REALM (may be NULL) gets the matched realm's label for
 * EVENTS_CROSS_TRUST. */
enum events_class events_tally_classify(const struct events_tally *t,
					const struct ticket_event *ev,
					const char **realm);

/* Counts EV (INPUT names where it came from, borrowed) and returns its
 * class. */
enum events_class events_tally_add(struct events_tally *t,
				   const struct ticket_event *ev,
				   const char *input);

/* Adds everything FROM counted to INTO (same realms). */
void events_tally_merge(struct events_tally *into, const struct events_tally *from);

/* The busiest tuples, most events first (ties by realm, account, service),
 * at most MAX of them into OUT; returns how many. */
size_t events_tally_top(const struct events_tally *t, const struct events_tuple **out,
			size_t max);

/* One event in full on one line (time, id, account, realm, service,
 * options, status, address, DC, record or line), malloc'ed. */
char *events_format_event(const struct ticket_event *ev, const char *realm,
			  const char *input);

#endif
