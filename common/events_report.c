/* SPDX-License-Identifier: GPL-3.0-or-later */
/* events_report.c - what check_ad_ticket_events prints. */

#include "events_report.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "timeparse.h"

static char *join(const strlist *l, const char *empty)
{
	strbuf b;

	if (l->n == 0)
		return xstrdup(empty);
	strbuf_init(&b);
	for (size_t i = 0; i < l->n; i++)
		strbuf_printf(&b, "%s%s", i ? ", " : "", l->items[i]);
	return strbuf_take(&b);
}

void events_report_realms(mp_check *chk, const struct events_realms *r, const strlist *notes)
{
	strlist names;
	char *trusted, *local;

	strlist_init(&names);
	for (size_t i = 0; i < r->ntrusted; i++) {
		const struct events_realm *t = &r->trusted[i];

		if (events_realms_is_local(r, t->name))
			strlist_add_owned(&names, xasprintf("%s (a local name: never matched)", t->name));
		else if (strcmp(t->name, t->label) == 0)
			strlist_add(&names, t->name);
		else
			strlist_add_owned(&names, xasprintf("%s (%s)", t->name, t->label));
	}
	trusted = join(&names, "none");
	local = join(&r->local, "none given");
	mp_check_line(chk, "Trusted realms: %s", trusted);
	mp_check_line(chk, "Local domain names (never matched): %s", local);
	for (size_t i = 0; i < notes->n; i++)
		mp_check_line(chk, "%s", notes->items[i]);
	free(trusted);
	free(local);
	strlist_free(&names);
}

void events_report_top(mp_check *chk, const struct events_tally *t)
{
	const struct events_tuple *top[EVENTS_TOP_SHOWN];
	size_t n = events_tally_top(t, top, EVENTS_TOP_SHOWN);

	if (n == 0)
		return;
	mp_check_line(chk, "Top cross-trust (realm, account, service) tuples:");
	for (size_t i = 0; i < n; i++)
		mp_check_line(chk, "%" PRIu64 " %s: realm %s, account %s, service %s", top[i]->count,
			      top[i]->count == 1 ? "event" : "events", top[i]->realm,
			      top[i]->account[0] ? top[i]->account : "-",
			      top[i]->service[0] ? top[i]->service : "-");
	if (t->ntuples > n)
		mp_check_line(chk, "(%zu more tuples)", t->ntuples - n);
	if (t->untracked > 0)
		mp_check_line(chk, "(%" PRIu64 " events of further tuples: more than %d distinct "
			      "tuples are not tracked)", t->untracked, EVENTS_TUPLES_MAX);
}

void events_report_forwarded(mp_check *chk, const struct events_tally *t)
{
	if (t->nnewest == 0)
		return;
	mp_check_line(chk, "Newest forwarded cross-trust tickets:");
	for (size_t i = 0; i < t->nnewest; i++) {
		char *line = events_format_event(&t->newest[i].ev, t->newest[i].realm,
						 t->newest[i].input);
		mp_check_line(chk, "%s", line);
		free(line);
	}
}

void events_report_input(mp_check *chk, const struct events_input *in, bool incremental,
			int verbose)
{
	const struct events_counts *n = &in->tally.n;
	char *where;

	if (in->error != NULL) {
		mp_check_line(chk, "Cannot read %s", in->error);
		return;
	}
	if (in->damage != NULL)
		mp_check_line(chk, "Damaged input %s: %s; %" PRIu64 " unreadable, %" PRIu64
			      " malformed", in->path, in->damage, in->unreadable, in->malformed);
	else if (in->unreadable > 0 || in->malformed > 0)
		mp_check_line(chk, "Input %s: %" PRIu64 " unreadable, %" PRIu64 " malformed",
			      in->path, in->unreadable, in->malformed);
	for (size_t i = 0; i < in->notes.n; i++)
		mp_check_line(chk, "%s", in->notes.items[i]);
	if (verbose < 1)
		return;
	if (in->kind == EVENTS_INPUT_JSONL)
		where = xasprintf("bytes %" PRIu64 " to %" PRIu64 "%s", in->start, in->end,
				  in->resumed ? " (resumed)" : "");
	else if (incremental && in->resumed)
		where = xasprintf("records after %" PRIu64 " up to %" PRIu64, in->start, in->end);
	else if (incremental)
		where = xasprintf("all records, up to %" PRIu64, in->end);
	else
		where = xstrdup("all records");
	mp_check_line(chk, "%s (%s): %" PRIu64 " %s read (%s), %" PRIu64 " ticket events in the "
		      "window, %" PRIu64 " cross-trust, %" PRIu64 " before the window, %" PRIu64
		      " after --now", in->path, events_input_kind_name(in->kind),
		      in->lines_or_records, in->kind == EVENTS_INPUT_EVTX ? "records" : "lines",
		      where, n->scanned, n->cross_trust, n->before_window, n->after_window);
	free(where);
}

static const char *plural(uint64_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

void events_report_summary(mp_check *chk, const struct events_counts *n, const char *since,
			   int64_t now)
{
	char end[TIMEPARSE_ISO_LEN];

	timeparse_format_utc(now, end, sizeof(end));
	if (n->cross_trust == 0) {
		mp_check_summary(chk, "no cross-trust ticket events in the %s up to %s (%" PRIu64
				 " Kerberos %s scanned)", since, end, n->scanned,
				 plural(n->scanned, "event", "events"));
		return;
	}
	mp_check_summary(chk, "%" PRIu64 " cross-trust ticket %s (%" PRIu64 " TGT, %" PRIu64
			 " service, %" PRIu64 " renewed; %" PRIu64 " failed), %" PRIu64
			 " forwarded, in the %s up to %s (%" PRIu64 " Kerberos %s scanned)",
			 n->cross_trust, plural(n->cross_trust, "event", "events"), n->tgt,
			 n->service, n->renewal, n->failed, n->forwarded, since, end, n->scanned,
			 plural(n->scanned, "event", "events"));
}

void events_report_forwarded_alert(mp_check *chk, uint64_t forwarded)
{
	mp_check_summary_prefix(chk, "%" PRIu64 " forwarded cross-trust %s (delegated TGTs "
				"crossing a trust)", forwarded, plural(forwarded, "ticket", "tickets"));
}
