/* SPDX-License-Identifier: GPL-3.0-or-later */
/* events_report.h - the output of check_ad_ticket_events: the summary and
 * the long output lines, added to a check (see output.h). */
#ifndef AD_EVENTS_REPORT_H
#define AD_EVENTS_REPORT_H

#include <stdbool.h>
#include <stdint.h>

#include "events_input.h"
#include "events_realms.h"
#include "events_tally.h"
#include "output.h"
#include "strlist.h"

/* "N cross-trust ticket events (...), N forwarded, in the SINCE up to NOW
 * (N Kerberos events scanned)", or "no cross-trust ticket events ...". */
void events_report_summary(mp_check *chk, const struct events_counts *n, const char *since,
			   int64_t now);
/* The summary prefix when the forwarded count alerts. */
void events_report_forwarded_alert(mp_check *chk, uint64_t forwarded);

/* The busiest (realm, account, service) tuples, at most EVENTS_TOP_SHOWN. */
void events_report_top(mp_check *chk, const struct events_tally *t);
/* The newest forwarded cross-trust events, one line each. */
void events_report_forwarded(mp_check *chk, const struct events_tally *t);
/* An input that could not be read, its damage, its notes and, with
 * VERBOSE, what was read and where (INCREMENTAL: with a state file). */
void events_report_input(mp_check *chk, const struct events_input *in, bool incremental,
			 int verbose);
/* The trusted and local names and the directory's NOTES (for -v). */
void events_report_realms(mp_check *chk, const struct events_realms *r, const strlist *notes);

#endif
