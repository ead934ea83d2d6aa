/* SPDX-License-Identifier: GPL-3.0-or-later */
/* events_tally.c - counting Kerberos ticket events in a time window. */

#include "events_tally.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strlist.h"
#include "timeparse.h"

#define TUPLE_SLOTS_MIN 64
#define FNV_OFFSET UINT64_C(14695981039346656037)
#define FNV_PRIME UINT64_C(1099511628211)

bool events_window_contains(const struct events_window *w, int64_t t)
{
	return t >= w->from && t <= w->to;
}

void events_tally_init(struct events_tally *t, const struct events_realms *r,
		       struct events_window w)
{
	memset(t, 0, sizeof(*t));
	t->realms = r;
	t->window = w;
}

void events_tally_free(struct events_tally *t)
{
	for (size_t i = 0; i < t->nslots; i++) {
		free(t->slots[i].realm);
		free(t->slots[i].account);
		free(t->slots[i].service);
	}
	free(t->slots);
	t->slots = NULL;
	t->nslots = t->ntuples = 0;
}

void events_tally_reset(struct events_tally *t)
{
	const struct events_realms *r = t->realms;
	struct events_window w = t->window;

	events_tally_free(t);
	events_tally_init(t, r, w);
}

enum events_class events_tally_classify(const struct events_tally *t,
					const struct ticket_event *ev,
					const char **realm)
{
	const char *m;

	if (realm)
		*realm = NULL;
	if (!ev->has_time)
		return EVENTS_NO_TIME;
	if (ev->time < t->window.from)
		return EVENTS_BEFORE_WINDOW;
	if (ev->time > t->window.to)
		return EVENTS_AFTER_WINDOW;
	m = events_realms_match(t->realms, ev);
	if (m == NULL)
		return EVENTS_IN_WINDOW;
	if (realm)
		*realm = m;
	return EVENTS_CROSS_TRUST;
}

/* ---- tuples ---- */

static char fold(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

static uint64_t hash_str(uint64_t h, const char *s)
{
	for (; *s; s++)
		h = (h ^ (unsigned char)fold(*s)) * FNV_PRIME;
	return (h ^ 0xff) * FNV_PRIME; /* field separator */
}

static bool same_nocase(const char *a, const char *b)
{
	for (; *a && fold(*a) == fold(*b); a++, b++)
		;
	return *a == '\0' && *b == '\0';
}

static uint64_t tuple_hash(const char *realm, const char *account, const char *service)
{
	uint64_t h = hash_str(hash_str(hash_str(FNV_OFFSET, realm), account), service);
	return h ? h : 1;
}

static struct events_tuple *find_slot(struct events_tuple *slots, size_t nslots,
				      uint64_t h, const char *realm,
				      const char *account, const char *service)
{
	size_t i = (size_t)h & (nslots - 1);

	for (;; i = (i + 1) & (nslots - 1)) {
		struct events_tuple *s = &slots[i];
		if (s->hash == 0)
			return s;
		if (s->hash == h && same_nocase(s->realm, realm) &&
		    same_nocase(s->account, account) && same_nocase(s->service, service))
			return s;
	}
}

static void grow(struct events_tally *t)
{
	size_t n = t->nslots ? t->nslots * 2 : TUPLE_SLOTS_MIN;
	struct events_tuple *slots = xcalloc(n, sizeof(*slots));

	for (size_t i = 0; i < t->nslots; i++) {
		struct events_tuple *s = &t->slots[i];
		if (s->hash != 0)
			*find_slot(slots, n, s->hash, s->realm, s->account, s->service) = *s;
	}
	free(t->slots);
	t->slots = slots;
	t->nslots = n;
}

static void add_tuple(struct events_tally *t, const char *realm, const char *account,
		      const char *service, uint64_t count)
{
	uint64_t h = tuple_hash(realm, account, service);
	struct events_tuple *s;

	if (t->nslots > 0) {
		s = find_slot(t->slots, t->nslots, h, realm, account, service);
		if (s->hash != 0) {
			s->count += count;
			return;
		}
	}
	if (t->ntuples >= EVENTS_TUPLES_MAX) {
		t->untracked += count;
		return;
	}
	if (t->nslots == 0 || (t->ntuples + 1) * 2 > t->nslots)
		grow(t);
	s = find_slot(t->slots, t->nslots, h, realm, account, service);
	s->hash = h;
	s->realm = xstrdup(realm);
	s->account = xstrdup(account);
	s->service = xstrdup(service);
	s->count = count;
	t->ntuples++;
}

/* ---- newest forwarded events ---- */

static void keep_forwarded(struct events_tally *t, const struct ticket_event *ev,
			   const char *realm, const char *input)
{
	size_t i = t->nnewest;

	if (i == EVENTS_FORWARDED_KEPT) {
		if (ev->time <= t->newest[i - 1].ev.time)
			return;
		i--;
	} else {
		t->nnewest++;
	}
	/* newest first; an equal time goes after those already kept */
	while (i > 0 && t->newest[i - 1].ev.time < ev->time) {
		t->newest[i] = t->newest[i - 1];
		i--;
	}
	t->newest[i].ev = *ev;
	t->newest[i].realm = realm;
	t->newest[i].input = input;
}

enum events_class events_tally_add(struct events_tally *t,
				   const struct ticket_event *ev,
				   const char *input)
{
	const char *realm;
	enum events_class c = events_tally_classify(t, ev, &realm);

	switch (c) {
	case EVENTS_NO_TIME: t->n.no_time++; return c;
	case EVENTS_BEFORE_WINDOW: t->n.before_window++; return c;
	case EVENTS_AFTER_WINDOW: t->n.after_window++; return c;
	case EVENTS_IN_WINDOW: t->n.scanned++; return c;
	case EVENTS_CROSS_TRUST: break;
	}
	t->n.scanned++;
	t->n.cross_trust++;
	switch (ev->event_id) {
	case TICKET_EVENT_TGT_REQUESTED: t->n.tgt++; break;
	case TICKET_EVENT_SERVICE_TICKET: t->n.service++; break;
	case TICKET_EVENT_TICKET_RENEWED: t->n.renewal++; break;
	default: break;
	}
	if (ev->has_status && ev->status != 0)
		t->n.failed++;
	add_tuple(t, realm, ev->target_user, ev->service_name, 1);
	if (ticket_event_is_forwarded(ev)) {
		t->n.forwarded++;
		keep_forwarded(t, ev, realm, input);
	}
	return c;
}

void events_tally_merge(struct events_tally *into, const struct events_tally *from)
{
	const struct events_counts *f = &from->n;
	struct events_counts *n = &into->n;

	n->cross_trust += f->cross_trust;
	n->tgt += f->tgt;
	n->service += f->service;
	n->renewal += f->renewal;
	n->forwarded += f->forwarded;
	n->failed += f->failed;
	n->scanned += f->scanned;
	n->no_time += f->no_time;
	n->before_window += f->before_window;
	n->after_window += f->after_window;
	into->untracked += from->untracked;
	for (size_t i = 0; i < from->nslots; i++) {
		const struct events_tuple *s = &from->slots[i];
		if (s->hash != 0)
			add_tuple(into, s->realm, s->account, s->service, s->count);
	}
	/* oldest first, so that equal times keep their order */
	for (size_t i = from->nnewest; i > 0; i--)
		keep_forwarded(into, &from->newest[i - 1].ev, from->newest[i - 1].realm,
			       from->newest[i - 1].input);
}

static int by_count(const void *pa, const void *pb)
{
	const struct events_tuple *a = *(const struct events_tuple *const *)pa;
	const struct events_tuple *b = *(const struct events_tuple *const *)pb;
	int c;

	if (a->count != b->count)
		return a->count > b->count ? -1 : 1;
	if ((c = strcmp(a->realm, b->realm)) != 0)
		return c;
	if ((c = strcmp(a->account, b->account)) != 0)
		return c;
	return strcmp(a->service, b->service);
}

size_t events_tally_top(const struct events_tally *t, const struct events_tuple **out,
			size_t max)
{
	const struct events_tuple **all;
	size_t n = 0;

	if (t->ntuples == 0 || max == 0)
		return 0;
	all = xmalloc(t->ntuples * sizeof(*all));
	for (size_t i = 0; i < t->nslots; i++)
		if (t->slots[i].hash != 0)
			all[n++] = &t->slots[i];
	qsort(all, n, sizeof(*all), by_count);
	if (n > max)
		n = max;
	memcpy(out, all, n * sizeof(*out));
	free(all);
	return n;
}

/* ---- one event on one line ---- */

static const struct {
	uint32_t bit;
	const char *name;
} option_names[] = {
	{ TICKET_OPT_FORWARDABLE, "forwardable" },
	{ TICKET_OPT_FORWARDED, "forwarded" },
	{ TICKET_OPT_RENEWABLE, "renewable" },
	{ TICKET_OPT_OK_AS_DELEGATE, "ok-as-delegate" },
	{ TICKET_OPT_CANONICALIZE, "canonicalize" },
	{ TICKET_OPT_RENEWABLE_OK, "renewable-ok" },
};

static void add_options(strbuf *b, const struct ticket_event *ev)
{
	const char *sep = " (";

	if (!ev->has_options) {
		strbuf_puts(b, ", no ticket options");
		return;
	}
	strbuf_printf(b, ", options 0x%08" PRIx32, ev->ticket_options);
	for (size_t i = 0; i < sizeof(option_names) / sizeof(option_names[0]); i++) {
		if (ev->ticket_options & option_names[i].bit) {
			strbuf_printf(b, "%s%s", sep, option_names[i].name);
			sep = ", ";
		}
	}
	if (sep[0] == ',')
		strbuf_puts(b, ")");
}

static const char *or_dash(const char *s)
{
	return s[0] ? s : "-";
}

char *events_format_event(const struct ticket_event *ev, const char *realm,
			  const char *input)
{
	char when[TIMEPARSE_ISO_LEN + 16];
	strbuf b;

	if (ev->has_time)
		timeparse_format_utc(ev->time, when, sizeof(when));
	else
		snprintf(when, sizeof(when), "(no time)");
	strbuf_init(&b);
	strbuf_printf(&b, "%s %" PRIu32 " %s: account %s (TargetDomainName %s", when,
		      ev->event_id, ticket_event_id_name(ev->event_id),
		      or_dash(ev->target_user), or_dash(ev->target_domain));
	if (realm)
		strbuf_printf(&b, ", trusted realm %s", realm);
	strbuf_printf(&b, "), service %s", or_dash(ev->service_name));
	add_options(&b, ev);
	if (ev->has_status)
		strbuf_printf(&b, ", status 0x%" PRIx32, ev->status);
	strbuf_printf(&b, ", from %s, DC %s", or_dash(ev->ip_address), or_dash(ev->computer));
	if (ev->source == TICKET_SOURCE_EVTX)
		strbuf_printf(&b, ", record %" PRIu64, ev->record_id);
	else
		strbuf_printf(&b, ", %s at byte %" PRIu64, ticket_event_source_name(ev->source),
			      ev->offset);
	if (input)
		strbuf_printf(&b, " in %s", input);
	return strbuf_take(&b);
}
