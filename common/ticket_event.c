/* SPDX-License-Identifier: GPL-3.0-or-later */
/* ticket_event.c - Kerberos ticket event record and field helpers. */

#include "output.h"
#include "strlist.h"
#include "ticket_event.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define HEX32_DIGITS 8
#define ESCAPE_LEN 3 /* \XX */
#define ASCII_DEL 0x7f
#define C1_CONTROL_LAST 0x9f /* U+0080..U+009F are control characters */

void event_read_stats_init(struct event_read_stats *st)
{
	memset(st, 0, sizeof(*st));
}

void event_read_stats_damage(struct event_read_stats *st, const char *fmt, ...)
{
	va_list ap;

	if (st->damage[0] != '\0')
		return;
	va_start(ap, fmt);
	vsnprintf(st->damage, sizeof(st->damage), fmt, ap);
	va_end(ap);
	/* A damage reason is shown on one line of plugin output. */
	for (char *p = st->damage; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
}

void event_read_stats_add(struct event_read_stats *st,
			  const struct ticket_event *ev)
{
	st->kerberos++;
	if (ev->event_id == TICKET_EVENT_TGT_REQUESTED)
		st->tgt_requests++;
	else if (ev->event_id == TICKET_EVENT_SERVICE_TICKET)
		st->service_tickets++;
	else if (ev->event_id == TICKET_EVENT_TICKET_RENEWED)
		st->renewals++;
	if (ticket_event_is_forwarded(ev))
		st->forwarded++;
	if (!ev->has_time)
		st->no_time++;
}

void ticket_event_init(struct ticket_event *ev, enum ticket_event_source src)
{
	memset(ev, 0, sizeof(*ev));
	ev->source = src;
}

bool ticket_event_id_is_kerberos(uint32_t event_id)
{
	return event_id == TICKET_EVENT_TGT_REQUESTED ||
	       event_id == TICKET_EVENT_SERVICE_TICKET ||
	       event_id == TICKET_EVENT_TICKET_RENEWED;
}

const char *ticket_event_id_name(uint32_t event_id)
{
	switch (event_id) {
	case TICKET_EVENT_TGT_REQUESTED: return "TGT request";
	case TICKET_EVENT_SERVICE_TICKET: return "service ticket";
	case TICKET_EVENT_TICKET_RENEWED: return "ticket renewal";
	default: return "other";
	}
}

const char *ticket_event_source_name(enum ticket_event_source src)
{
	switch (src) {
	case TICKET_SOURCE_EVTX: return "EVTX";
	case TICKET_SOURCE_NXLOG: return "NXLog JSON";
	case TICKET_SOURCE_WINLOGBEAT6: return "Winlogbeat 6 JSON";
	case TICKET_SOURCE_WINLOGBEAT7: return "Winlogbeat 7+ JSON";
	}
	return "unknown";
}

static bool is_continuation(unsigned char c)
{
	return (c & 0xc0) == 0x80;
}

/* Length of the valid UTF-8 sequence at s (at most len bytes), or 0 when
 * the bytes there are not valid UTF-8 (overlong forms and surrogates
 * included). */
static size_t utf8_sequence_length(const unsigned char *s, size_t len)
{
	unsigned char c = s[0];
	size_t n;
	unsigned char lo = 0x80, hi = 0xbf; /* range of the second byte */

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4;
	else
		return 0;
	if (c == 0xe0)
		lo = 0xa0; /* overlong */
	else if (c == 0xed)
		hi = 0x9f; /* UTF-16 surrogates */
	else if (c == 0xf0)
		lo = 0x90; /* overlong */
	else if (c == 0xf4)
		hi = 0x8f; /* beyond U+10FFFF */
	if (len < n || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if (!is_continuation(s[i]))
			return 0;
	return n;
}

static bool is_control(const unsigned char *s, size_t n)
{
	if (n == 1)
		return s[0] < 0x20 || s[0] == ASCII_DEL;
	return n == 2 && s[0] == 0xc2 && s[1] <= C1_CONTROL_LAST;
}

/* Writes the \XX escape of byte C into OUT (ESCAPE_LEN + 1 bytes), as
 * mp_sanitize() writes it in plugin output. */
static void escape_byte(unsigned char c, char *out)
{
	char one[2] = { (char)c, '\0' };

	/* a NUL is no string to mp_sanitize(); every other byte passed here
	 * (C0, DEL, a byte of invalid UTF-8 or of a C1 control character) is
	 * escaped by it on its own */
	if (c == '\0' || mp_sanitize(one, out, ESCAPE_LEN + 1) != ESCAPE_LEN)
		snprintf(out, ESCAPE_LEN + 1, "\\%02X", c);
}

void ticket_event_set(struct ticket_event *ev, char *dst, size_t dstlen,
		      const char *src, size_t len)
{
	const unsigned char *s = (const unsigned char *)src;
	size_t in = 0, out = 0;

	if (dstlen == 0)
		return;
	while (in < len) {
		size_t n = utf8_sequence_length(s + in, len - in);
		bool escape = n == 0 || is_control(s + in, n);
		size_t units = n ? n : 1; /* bytes of this character */
		size_t need = escape ? units * ESCAPE_LEN : n;

		if (out + need > dstlen - 1) {
			ev->truncated = true;
			break;
		}
		if (escape) {
			for (size_t i = 0; i < units; i++, out += ESCAPE_LEN)
				escape_byte(s[in + i], dst + out);
			ev->sanitized = true;
		} else {
			memcpy(dst + out, s + in, n);
			out += n;
		}
		in += units;
	}
	dst[out] = '\0';
}

int ticket_event_parse_hex32(const char *s, uint32_t *value)
{
	uint32_t v = 0;
	int significant = 0;
	const char *p;

	if (s == NULL || s[0] != '0' || (s[1] != 'x' && s[1] != 'X'))
		return -1;
	p = s + 2;
	if (*p == '\0')
		return -1;
	for (; *p; p++) {
		int d = hex_digit_value(*p);
		if (d < 0)
			return -1;
		if (v != 0 || d != 0)
			significant++;
		if (significant > HEX32_DIGITS)
			return -1;
		v = (v << 4) | (uint32_t)d;
	}
	*value = v;
	return 0;
}

const char *ticket_event_realm_of_user(const char *user)
{
	const char *at;

	if (user == NULL)
		return NULL;
	at = strrchr(user, '@');
	if (at == NULL || at[1] == '\0')
		return NULL;
	return at + 1;
}

const char *ticket_event_account_realm(const struct ticket_event *ev)
{
	const char *realm;

	if (ev->target_domain[0] != '\0')
		return ev->target_domain;
	realm = ticket_event_realm_of_user(ev->target_user);
	return realm ? realm : "";
}

static size_t length_without_dot(const char *s)
{
	size_t n = strlen(s);
	return (n > 0 && s[n - 1] == '.') ? n - 1 : n;
}

static char ascii_lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

bool ticket_event_realm_equal(const char *a, const char *b)
{
	size_t na, nb;

	if (a == NULL || b == NULL)
		return false;
	na = length_without_dot(a);
	nb = length_without_dot(b);
	/* An empty name (TargetDomainName is empty in real logs) matches
	 * nothing, not even another empty name. */
	if (na != nb || na == 0)
		return false;
	for (size_t i = 0; i < na; i++)
		if (ascii_lower(a[i]) != ascii_lower(b[i]))
			return false;
	return true;
}

bool ticket_event_is_forwarded(const struct ticket_event *ev)
{
	return ev->has_options && (ev->ticket_options & TICKET_OPT_FORWARDED);
}

bool ticket_event_in_window(const struct ticket_event *ev, int64_t from,
			    int64_t to)
{
	return ev->has_time && ev->time > from && ev->time <= to;
}
