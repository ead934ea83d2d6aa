/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Output: sanitising, perfdata format, the 8 KiB limit. */
#include <stdlib.h>

#include "../tap.h"
#include "output.h"
#include "range.h"

static char *render_free(mp_check *c)
{
	char *s = mp_check_render(c);
	mp_check_free(c);
	return s;
}

int main(void)
{
	char buf[256];
	mp_check *c;
	mp_thresholds t = {0};
	const char *err;
	char *out;

	mp_set_service("AD TEST");

	mp_sanitize("evil|svc=1'\"", buf, sizeof buf);
	is_str(buf, "evil\\7Csvc=1'\"", "'|' becomes \\7C, quotes and '=' stay");
	mp_sanitize("line1\nline2\r\t", buf, sizeof buf);
	is_str(buf, "line1\\0Aline2\\0D\\09", "control characters are escaped");
	mp_sanitize("zo\xc3\xab-\xc3\xbcn\xc3\xaf" "code", buf, sizeof buf);
	is_str(buf, "zo\xc3\xab-\xc3\xbcn\xc3\xaf" "code", "valid UTF-8 is kept");
	mp_sanitize("bad\xff\xc3(x\xe0\x80\x80", buf, sizeof buf);
	is_str(buf, "bad\\FF\\C3(x\\E0\\80\\80", "invalid and overlong UTF-8 bytes are escaped");
	mp_sanitize("\xed\xa0\x80", buf, sizeof buf);
	is_str(buf, "\\ED\\A0\\80", "UTF-16 surrogates are escaped");
	is_int(mp_sanitize("a|b", buf, 3), 5, "sanitize returns the needed length");
	is_str(buf, "a\\", "and truncates safely");
	mp_sanitize("nel\xc2\x85x\xc2\x9f\xc2\xa0y", buf, sizeof buf);
	is_str(buf, "nel\\C2\\85x\\C2\\9F\xc2\xa0y", "C1 controls are escaped, U+00A0 stays");
	out = mp_sanitize_dup("x\x7fy");
	is_str(out, "x\\7Fy", "DEL is escaped");
	free(out);

	c = mp_check_new();
	mp_check_summary(c, "all good");
	out = render_free(c);
	is_str(out, "AD TEST OK - all good\n", "OK without perfdata");
	free(out);

	c = mp_check_new();
	ok(mp_thresholds_set(&t, "0", NULL, &err) == 0, "threshold 0");
	mp_check_raise(c, MP_WARNING);
	mp_check_raise(c, MP_OK);
	mp_check_summary(c, "3 accounts | bad");
	mp_check_perf_count(c, "unconstrained", 3, &t);
	mp_check_perf_count(c, "users", 1, NULL);
	mp_check_perf_seconds(c, "time", 0.0421);
	mp_check_line(c, "user evil|x (CN=evil\nx)");
	out = render_free(c);
	is_str(out, "AD TEST WARNING - 3 accounts \\7C bad | unconstrained=3;0;;0; users=1;;;0; time=0.042s;;;0;\n"
		    "user evil\\7Cx (CN=evil\\0Ax)\n",
	       "first line, perfdata and long output");
	free(out);

	c = mp_check_new();
	memset(&t, 0, sizeof t);
	mp_thresholds_set(&t, "10:", "@1:5", &err);
	mp_check_perf_count(c, "with space", 2.5, &t);
	{
		mp_perf_opts o = {.uom = "%", .has_min = true, .min = 0, .has_max = true, .max = 100};
		mp_check_perf(c, "pct", 0.000001, &o);
		mp_check_perf(c, "big", 123456789012.0, &o);
	}
	mp_check_summary(c, "x");
	mp_check_summary_prefix(c, "new since last run: A.EXAMPLE");
	out = render_free(c);
	is_str(out, "AD TEST OK - new since last run: A.EXAMPLE; x | 'with space'=2.5;10:;@1:5;0; "
		    "pct=0.000001%;;;0;100 big=123456789012%;;;0;100\n",
	       "ranges as given, quoted labels, no scientific notation, summary prefix");
	free(out);

	/* 8 KiB: 2000 lines of 40 bytes */
	c = mp_check_new();
	mp_check_raise(c, MP_CRITICAL);
	mp_check_summary(c, "many");
	mp_check_perf_count(c, "n", 2000, NULL);
	for (int i = 0; i < 2000; i++)
		mp_check_line(c, "computer BULK%04d$ (CN=BULK%04d,OU=Bulk)", i, i);
	out = render_free(c);
	ok(strlen(out) < MP_OUTPUT_MAX, "output stays below 8192 bytes (%zu)", strlen(out));
	ok(strstr(out, "| n=2000;;;0;\n") != NULL, "perfdata survives truncation");
	ok(strstr(out, "more lines not shown (8 KiB output limit)\n") != NULL, "the tail is summarised");
	{
		/* the number in the trailer is exactly what was left out */
		int shown = 0, more = -1;
		for (char *p = strchr(out, '\n') + 1; *p; p = strchr(p, '\n') + 1) {
			if (strncmp(p, "computer ", 9) == 0)
				shown++;
			else
				sscanf(p, "... and %d more", &more);
		}
		is_int(shown + more, 2000, "shown (%d) + summarised (%d) = all lines", shown, more);
		ok(out[strlen(out) - 1] == '\n', "output ends with a newline");
	}
	free(out);

	/* a first line longer than the limit keeps its perfdata */
	c = mp_check_new();
	{
		char *huge = malloc(10000);
		memset(huge, 'x', 9999);
		huge[9999] = '\0';
		mp_check_summary(c, "%s", huge);
		free(huge);
	}
	mp_check_perf_count(c, "n", 1, NULL);
	mp_check_line(c, "tail");
	out = render_free(c);
	ok(strlen(out) < MP_OUTPUT_MAX, "huge summary is cut below the limit");
	ok(strstr(out, "...| n=1;;;0;\n") != NULL || strstr(out, "... | n=1;;;0;\n") != NULL,
	   "cut summary still ends with perfdata");
	free(out);

	/* a cut in the middle of a multi-byte character never splits it */
	c = mp_check_new();
	{
		char *huge = malloc(12001);
		for (int i = 0; i < 12000; i += 2) {
			huge[i] = '\xc3';
			huge[i + 1] = '\xab';
		}
		huge[12000] = '\0';
		mp_check_summary(c, "%s", huge);
		free(huge);
	}
	out = render_free(c);
	out[strlen(out) - 1] = '\0'; /* the final newline would be escaped */
	{
		char *again = mp_sanitize_dup(out);
		ok(strcmp(again, out) == 0, "truncated UTF-8 output is still valid UTF-8");
		free(again);
	}
	free(out);
	/* JSON format, for Zabbix */
	mp_set_format(MP_FORMAT_JSON);
	c = mp_check_new();
	memset(&t, 0, sizeof t);
	mp_thresholds_set(&t, "0", "~:5", &err);
	mp_check_raise(c, MP_WARNING);
	mp_check_summary(c, "3 \"accounts\" | x");
	mp_check_summary_prefix(c, "new: A");
	mp_check_perf_count(c, "unconstrained", 3, &t);
	mp_check_perf_seconds(c, "time", 0.25);
	mp_check_line(c, "user evil|x\n");
	out = render_free(c);
	is_str(out, "{\"service\":\"AD TEST\",\"state\":1,\"state_name\":\"WARNING\","
		    "\"summary\":\"new: A; 3 \\\"accounts\\\" \\\\7C x\","
		    "\"perfdata\":{\"unconstrained\":{\"value\":3,\"uom\":\"\",\"warning\":\"0\","
		    "\"critical\":\"~:5\",\"min\":0,\"max\":null},\"time\":{\"value\":0.25,"
		    "\"uom\":\"s\",\"warning\":null,\"critical\":null,\"min\":0,\"max\":null}},"
		    "\"long_output\":[\"user evil\\\\7Cx\\\\0A\"]}\n",
	       "JSON output: one object, perfdata structured, text escaped");
	free(out);
	out = mp_json_short(MP_UNKNOWN, "bad");
	is_str(out, "{\"service\":\"AD TEST\",\"state\":3,\"state_name\":\"UNKNOWN\",\"summary\":\"bad\"}\n",
	       "short JSON for errors");
	free(out);
	mp_set_format(MP_FORMAT_NAGIOS);
	return tap_done();
}
