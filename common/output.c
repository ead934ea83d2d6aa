/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "output.h"
#include "strlist.h"

static const char *service_name = "AD CHECK";
static mp_format output_format = MP_FORMAT_NAGIOS;

#define JSON_MAX_LINES 2000

void mp_set_format(mp_format f)
{
	output_format = f;
}

mp_format mp_get_format(void)
{
	return output_format;
}

static json_object *json_head(mp_state state, const char *summary)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "service", json_object_new_string(service_name));
	json_object_object_add(o, "state", json_object_new_int(state));
	json_object_object_add(o, "state_name", json_object_new_string(mp_state_name(state)));
	json_object_object_add(o, "summary", json_object_new_string(summary));
	return o;
}

static char *json_text(json_object *o)
{
	char *text = xasprintf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
								JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return text;
}

char *mp_json_short(mp_state state, const char *summary)
{
	return json_text(json_head(state, summary));
}

void mp_set_service(const char *service)
{
	service_name = service;
}

const char *mp_service(void)
{
	return service_name;
}

/* Length of the valid UTF-8 sequence at S (1-4), or 0 if invalid. */
static size_t utf8_seq_len(const unsigned char *s)
{
	size_t n, i;
	unsigned cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xC2 && s[0] <= 0xDF) {
		n = 2;
		cp = s[0] & 0x1F;
	} else if (s[0] >= 0xE0 && s[0] <= 0xEF) {
		n = 3;
		cp = s[0] & 0x0F;
	} else if (s[0] >= 0xF0 && s[0] <= 0xF4) {
		n = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3F);
	}
	/* overlong forms, surrogates, beyond U+10FFFF */
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
		return 0;
	return n;
}

size_t mp_sanitize(const char *src, char *dst, size_t dstsize)
{
	const unsigned char *s = (const unsigned char *)src;
	size_t need = 0, seq;
	char esc[4];

	while (*s != '\0') {
		size_t escaped = 0; /* bytes to write as \XX */

		seq = utf8_seq_len(s);
		if (seq == 0 || (seq == 1 && (*s < 0x20 || *s == 0x7F || *s == '|')))
			escaped = 1;
		else if (seq == 2 && s[0] == 0xC2 && s[1] < 0xA0)
			escaped = 2; /* a C1 control character, U+0080-U+009F */
		for (size_t k = 0; k < escaped; k++, s++) {
			snprintf(esc, sizeof esc, "\\%02X", *s);
			for (int i = 0; i < 3; i++, need++)
				if (need + 1 < dstsize)
					dst[need] = esc[i];
		}
		if (escaped > 0)
			continue;
		for (size_t i = 0; i < seq; i++, need++)
			if (need + 1 < dstsize)
				dst[need] = (char)s[i];
		s += seq;
	}
	if (dstsize > 0)
		dst[need < dstsize ? need : dstsize - 1] = '\0';
	return need;
}

char *mp_sanitize_dup(const char *src)
{
	size_t n = mp_sanitize(src, NULL, 0);
	char *out = malloc(n + 1);

	if (out != NULL)
		mp_sanitize(src, out, n + 1);
	return out;
}

static char *sanitize_vfmt(const char *fmt, va_list ap)
{
	strbuf raw;
	char *clean;

	strbuf_init(&raw);
	strbuf_vprintf(&raw, fmt, ap);
	clean = mp_sanitize_dup(raw.s);
	strbuf_free(&raw);
	if (clean == NULL)
		mp_die(MP_UNKNOWN, "out of memory");
	return clean;
}

static bool exit_without_destructors;

void mp_set_exit_without_destructors(void)
{
	exit_without_destructors = true;
}

static _Noreturn void finish(mp_state state)
{
	fflush(stdout);
	if (exit_without_destructors)
		_exit(state);
	exit(state);
}

_Noreturn void mp_die(mp_state state, const char *fmt, ...)
{
	char raw[1024], clean[2048];
	va_list ap;

	alarm(0);
	va_start(ap, fmt);
	vsnprintf(raw, sizeof raw, fmt, ap);
	va_end(ap);
	mp_sanitize(raw, clean, sizeof clean);
	if (output_format == MP_FORMAT_JSON) {
		char *j = mp_json_short(state, clean);
		fputs(j, stdout);
		free(j);
	} else {
		printf("%s %s - %s\n", service_name, mp_state_name(state), clean);
	}
	finish(state);
}

struct mp_check {
	mp_state state;
	char *summary;
	strlist prefixes;    /* shown before the summary, in this order */
	strbuf perf;
	json_object *perf_json; /* the same perfdata, for --format json */
	strlist lines;
};

mp_check *mp_check_new(void)
{
	mp_check *c = xcalloc(1, sizeof *c);

	c->state = MP_OK;
	c->summary = xstrdup("");
	strbuf_init(&c->perf);
	c->perf_json = json_object_new_object();
	strlist_init(&c->lines);
	strlist_init(&c->prefixes);
	return c;
}

void mp_check_free(mp_check *c)
{
	if (c == NULL)
		return;
	free(c->summary);
	strbuf_free(&c->perf);
	json_object_put(c->perf_json);
	strlist_free(&c->lines);
	strlist_free(&c->prefixes);
	free(c);
}

void mp_check_raise(mp_check *c, mp_state s)
{
	c->state = mp_state_worse(c->state, s);
}

mp_state mp_check_state(const mp_check *c)
{
	return c->state;
}

void mp_check_summary(mp_check *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	free(c->summary);
	c->summary = sanitize_vfmt(fmt, ap);
	va_end(ap);
}

void mp_check_summary_prefix(mp_check *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	strlist_add_owned(&c->prefixes, sanitize_vfmt(fmt, ap));
	va_end(ap);
}

void mp_check_line(mp_check *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	strlist_add_owned(&c->lines, sanitize_vfmt(fmt, ap));
	va_end(ap);
}

/* Plain decimal, never scientific notation, no trailing zeros. */
static void format_number(strbuf *b, double v, int decimals)
{
	char tmp[64];
	size_t n;

	if (v == floor(v) && fabs(v) < 1e15) {
		strbuf_printf(b, "%.0f", v);
		return;
	}
	snprintf(tmp, sizeof tmp, "%.*f", decimals > 0 ? decimals : 6, v);
	n = strlen(tmp);
	while (n > 0 && tmp[n - 1] == '0')
		tmp[--n] = '\0';
	if (n > 0 && tmp[n - 1] == '.')
		tmp[--n] = '\0';
	strbuf_puts(b, tmp);
}

static void format_range(strbuf *b, const mp_range *r)
{
	/* A plain upper bound prints as the number itself, which every core
	 * reads; other forms are printed in range syntax as the guidelines
	 * define it (Icinga 2 ignores those silently). */
	if (mp_range_is_plain_upper(r))
		format_number(b, r->end, 6);
	else
		strbuf_puts(b, r->text);
}

static json_object *json_range(const mp_range *r, bool set)
{
	strbuf b;
	json_object *o;

	if (!set)
		return NULL;
	strbuf_init(&b);
	format_range(&b, r);
	o = json_object_new_string(b.s);
	strbuf_free(&b);
	return o;
}

static json_object *json_number(double v)
{
	return v == floor(v) && fabs(v) < 1e15 ? json_object_new_int64((int64_t)v)
					       : json_object_new_double(v);
}

static void perf_to_json(mp_check *c, const char *label, double value, const mp_perf_opts *o)
{
	const mp_thresholds *t = o->thresholds;
	json_object *p = json_object_new_object();

	json_object_object_add(p, "value", json_number(value));
	json_object_object_add(p, "uom", json_object_new_string(o->uom ? o->uom : ""));
	json_object_object_add(p, "warning", json_range(t ? &t->warning : NULL, t && t->has_warning));
	json_object_object_add(p, "critical", json_range(t ? &t->critical : NULL, t && t->has_critical));
	json_object_object_add(p, "min", o->has_min ? json_number(o->min) : NULL);
	json_object_object_add(p, "max", o->has_max ? json_number(o->max) : NULL);
	json_object_object_add(c->perf_json, label, p);
}

void mp_check_perf(mp_check *c, const char *label, double value,
		   const mp_perf_opts *o)
{
	const mp_thresholds *t = o->thresholds;
	bool quote = strpbrk(label, " \t") != NULL;

	if (c->perf.len > 0)
		strbuf_puts(&c->perf, " ");
	strbuf_printf(&c->perf, quote ? "'%s'=" : "%s=", label);
	format_number(&c->perf, value, o->decimals);
	strbuf_puts(&c->perf, o->uom ? o->uom : "");
	strbuf_puts(&c->perf, ";");
	if (t != NULL && t->has_warning)
		format_range(&c->perf, &t->warning);
	strbuf_puts(&c->perf, ";");
	if (t != NULL && t->has_critical)
		format_range(&c->perf, &t->critical);
	strbuf_puts(&c->perf, ";");
	if (o->has_min)
		format_number(&c->perf, o->min, o->decimals);
	strbuf_puts(&c->perf, ";");
	if (o->has_max)
		format_number(&c->perf, o->max, o->decimals);
	perf_to_json(c, label, value, o);
}

void mp_check_perf_count(mp_check *c, const char *label, double value,
			 const mp_thresholds *thresholds)
{
	mp_perf_opts o = {.uom = "", .thresholds = thresholds, .has_min = true};

	mp_check_perf(c, label, value, &o);
}

void mp_check_perf_seconds(mp_check *c, const char *label, double seconds)
{
	mp_perf_opts o = {.uom = "s", .has_min = true, .decimals = 3};

	mp_check_perf(c, label, seconds, &o);
}

static char *render_json(const mp_check *c)
{
	strbuf summary;
	json_object *o, *lines = json_object_new_array();
	size_t i;

	strbuf_init(&summary);
	for (i = 0; i < c->prefixes.n; i++)
		strbuf_printf(&summary, "%s%s", i ? "; " : "", c->prefixes.items[i]);
	if (c->summary[0] != '\0')
		strbuf_printf(&summary, "%s%s", c->prefixes.n ? "; " : "", c->summary);
	o = json_head(c->state, summary.s ? summary.s : "");
	strbuf_free(&summary);
	json_object_object_add(o, "perfdata", json_object_get(c->perf_json));
	for (i = 0; i < c->lines.n && i < JSON_MAX_LINES; i++)
		json_object_array_add(lines, json_object_new_string(c->lines.items[i]));
	json_object_object_add(o, "long_output", lines);
	if (c->lines.n > JSON_MAX_LINES)
		json_object_object_add(o, "long_output_not_shown",
				       json_object_new_int64((int64_t)(c->lines.n - JSON_MAX_LINES)));
	return json_text(o);
}

char *mp_check_render(const mp_check *c)
{
	const size_t limit = MP_OUTPUT_MAX - 1;
	strbuf out;
	size_t i;
	char trailer[128];

	if (output_format == MP_FORMAT_JSON)
		return render_json(c);
	strbuf_init(&out);
	strbuf_printf(&out, "%s %s", service_name, mp_state_name(c->state));
	for (i = 0; i < c->prefixes.n; i++)
		strbuf_printf(&out, "%s%s", i ? "; " : " - ", c->prefixes.items[i]);
	if (c->summary[0] != '\0')
		strbuf_printf(&out, "%s%s", c->prefixes.n ? "; " : " - ", c->summary);
	/* keep room for perfdata: a first line that alone overflows loses
	 * the end of its summary, never its perfdata */
	size_t reserve = (c->perf.len ? c->perf.len + 3 : 0) + 1 +
			 (c->lines.n ? sizeof trailer : 0);
	if (out.len + reserve > limit) {
		size_t keep = limit - reserve - 4;
		out.len = keep < out.len ? keep : out.len;
		/* do not cut a UTF-8 sequence in half */
		while (out.len > 0 && ((unsigned char)out.s[out.len] & 0xC0) == 0x80)
			out.len--;
		out.s[out.len] = '\0';
		strbuf_puts(&out, "...");
	}
	if (c->perf.len > 0)
		strbuf_printf(&out, " | %s", c->perf.s);
	strbuf_puts(&out, "\n");

	for (i = 0; i < c->lines.n; i++) {
		size_t len = strlen(c->lines.items[i]) + 1;
		size_t left = c->lines.n - i - 1;

		snprintf(trailer, sizeof trailer,
			 "... and %zu more lines not shown (8 KiB output limit)\n",
			 left + 1);
		/* the line fits if, after it, the trailer for what is left
		 * would still fit (or nothing is left) */
		if (out.len + len + (left ? strlen(trailer) : 0) > limit)
			break;
		strbuf_puts(&out, c->lines.items[i]);
		strbuf_puts(&out, "\n");
	}
	if (i < c->lines.n) {
		snprintf(trailer, sizeof trailer,
			 "... and %zu more lines not shown (8 KiB output limit)\n",
			 c->lines.n - i);
		strbuf_puts(&out, trailer);
	}
	return strbuf_take(&out);
}

_Noreturn void mp_check_exit(mp_check *c)
{
	char *text;

	alarm(0); /* the result is final: no timeout line after it */
	text = mp_check_render(c);
	mp_state s = c->state;

	fputs(text, stdout);
	free(text);
	mp_check_free(c);
	finish(s);
}
