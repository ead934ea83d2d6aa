/* SPDX-License-Identifier: GPL-3.0-or-later */
/* events_realms.c - trusted and local realm names, and matching events. */

#include "strlist.h"
#include "events_realms.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

void events_realms_init(struct events_realms *r)
{
	memset(r, 0, sizeof(*r));
	strlist_init(&r->local);
}

void events_realms_free(struct events_realms *r)
{
	for (size_t i = 0; i < r->ntrusted; i++) {
		free(r->trusted[i].name);
		free(r->trusted[i].label);
	}
	free(r->trusted);
	strlist_free(&r->local);
	memset(r, 0, sizeof(*r));
}

static bool in_trusted(const struct events_realms *r, const char *name)
{
	for (size_t i = 0; i < r->ntrusted; i++)
		if (ticket_event_realm_equal(r->trusted[i].name, name))
			return true;
	return false;
}

bool events_realms_add_trusted(struct events_realms *r, const char *name,
			       const char *label)
{
	if (name == NULL || name[0] == '\0' || in_trusted(r, name))
		return false;
	if (r->ntrusted == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 8;
		r->trusted = xrealloc(r->trusted, r->cap * sizeof(*r->trusted));
	}
	r->trusted[r->ntrusted].name = xstrdup(name);
	r->trusted[r->ntrusted].label = xstrdup(label && *label ? label : name);
	r->ntrusted++;
	return true;
}

bool events_realms_is_local(const struct events_realms *r, const char *name)
{
	for (size_t i = 0; i < r->local.n; i++)
		if (ticket_event_realm_equal(r->local.items[i], name))
			return true;
	return false;
}

bool events_realms_add_local(struct events_realms *r, const char *name)
{
	if (name == NULL || name[0] == '\0' || events_realms_is_local(r, name))
		return false;
	strlist_add(&r->local, name);
	return true;
}

const struct events_realm *events_realms_find(const struct events_realms *r,
					      const char *name)
{
	if (name == NULL || name[0] == '\0' || events_realms_is_local(r, name))
		return NULL;
	for (size_t i = 0; i < r->ntrusted; i++)
		if (ticket_event_realm_equal(r->trusted[i].name, name))
			return &r->trusted[i];
	return NULL;
}

const char *events_realms_match(const struct events_realms *r,
				const struct ticket_event *ev)
{
	const struct events_realm *m = events_realms_find(r, ev->target_domain);

	if (m == NULL)
		m = events_realms_find(r, ticket_event_realm_of_user(ev->target_user));
	return m ? m->label : NULL;
}

/* ---- DN to domain names ---- */

/* The RDNs of a DN as [start, end) spans, split at unescaped commas. */
struct rdn_span {
	const char *start, *end;
};

static const char *skip_space(const char *p, const char *end)
{
	while (p < end && *p == ' ')
		p++;
	return p;
}

static const char *trim_end(const char *start, const char *end)
{
	while (end > start && end[-1] == ' ' && !(end - 1 > start && end[-2] == '\\'))
		end--;
	return end;
}

/* The value of a "DC=value" RDN (trimmed), or NULL for any other RDN
 * (multi-valued ones included). */
static const char *dc_value(struct rdn_span rdn, const char **vend)
{
	const char *p = skip_space(rdn.start, rdn.end), *e = trim_end(p, rdn.end);

	if (e - p < 3 || strncasecmp(p, "DC", 2) != 0)
		return NULL;
	p = skip_space(p + 2, e);
	if (p == e || *p != '=')
		return NULL;
	p = skip_space(p + 1, e);
	for (const char *q = p; q < e; q++) {
		if (*q == '\\' && q + 1 < e)
			q++;
		else if (*q == '+')
			return NULL;
	}
	*vend = e;
	return p < e ? p : NULL;
}

/* Index of the first RDN of the trailing DC= run, or -1. */
static long split_dn(const char *dn, struct rdn_span **out, size_t *n)
{
	size_t cap = 8, k = 0;
	const char *p = dn, *start = dn;
	struct rdn_span *s = xmalloc(cap * sizeof(*s));
	long first = -1;

	for (;; p++) {
		if (*p == '\\' && p[1] != '\0') {
			p++;
			continue;
		}
		if (*p != ',' && *p != '\0')
			continue;
		if (k == cap)
			s = xrealloc(s, (cap *= 2) * sizeof(*s));
		s[k].start = start;
		s[k].end = p;
		k++;
		if (*p == '\0')
			break;
		start = p + 1;
	}
	for (size_t i = k; i > 0; i--) {
		const char *vend;
		if (dc_value(s[i - 1], &vend) == NULL)
			break;
		first = (long)(i - 1);
	}
	*out = s;
	*n = k;
	return first;
}


/* Appends an RDN value with its escapes (\, and \2C) decoded. */
static void add_unescaped(strbuf *b, const char *p, const char *end)
{
	while (p < end) {
		if (*p == '\\' && p + 2 < end && hex_digit_value(p[1]) >= 0 && hex_digit_value(p[2]) >= 0) {
			char c = (char)(hex_digit_value(p[1]) * 16 + hex_digit_value(p[2]));
			strbuf_add(b, &c, 1);
			p += 3;
		} else if (*p == '\\' && p + 1 < end) {
			strbuf_add(b, p + 1, 1);
			p += 2;
		} else {
			strbuf_add(b, p++, 1);
		}
	}
}

static char *domain_names(const char *dn, bool as_dns)
{
	struct rdn_span *s;
	size_t n;
	long first;
	strbuf b;

	if (dn == NULL)
		return NULL;
	first = split_dn(dn, &s, &n);
	if (first < 0) {
		free(s);
		return NULL;
	}
	strbuf_init(&b);
	for (size_t i = (size_t)first; i < n; i++) {
		const char *vend, *v = dc_value(s[i], &vend);
		if (as_dns) {
			if (i > (size_t)first)
				strbuf_puts(&b, ".");
			add_unescaped(&b, v, vend);
		} else {
			strbuf_printf(&b, "%sDC=%.*s", i > (size_t)first ? "," : "",
				      (int)(vend - v), v);
		}
	}
	free(s);
	return strbuf_take(&b);
}

char *events_domain_dn(const char *dn)
{
	return domain_names(dn, false);
}

char *events_dns_name_of_dn(const char *dn)
{
	return domain_names(dn, true);
}
