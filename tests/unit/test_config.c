/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The config file: sections, precedence, exceptions, errors. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "../tap.h"
#include "cfgfile.h"
#include "exceptions.h"

static char dir[] = "/tmp/adcfgXXXXXX";

static const char *write_file(const char *name, const char *text)
{
	static char path[512];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
	return path;
}

struct seen {
	char text[1024];
};

static int record(const char *key, const char *value, int is_bool, int line, int layer,
		  void *ctx)
{
	struct seen *s = ctx;
	size_t n = strlen(s->text);

	snprintf(s->text + n, sizeof s->text - n, "%s%s=%s%s;",
		 layer == AD_CONFIG_LAYER_SECTION ? "s:" : "", key, value, is_bool ? "(b)" : "");
	(void)line;
	return 0;
}

int main(void)
{
	ad_config *c;
	char *err = NULL;
	struct seen s;
	ad_exception_list ex;
	const char *path;

	if (mkdtemp(dir) == NULL)
		return 1;
	path = write_file("good.conf",
		"defaults = { hostname = \"dc1.corp.example\"; ssl = true; timeout = 20;\n"
		"  exceptions = ( { account = \"OLD$\"; reason = \"from defaults\"; } ); };\n"
		"check_ad_unconstrained = {\n"
		"  timeout = 30; warning = \"5\";\n"
		"  exceptions = (\n"
		"    { account = \"SQL01$\"; reason = \"CHG-1234\"; expires = \"2027-03-31\"; },\n"
		"    { account = \"CN=Svc IIS, CN=Users,DC=corp,DC=example\"; reason = \"DN form\"; }\n"
		"  );\n"
		"};\n"
		"corp2 = { hostname = \"dc9.corp2.example\"; };\n");

	c = ad_config_load(path, "check_ad_unconstrained", 0, &err);
	ok(c != NULL, "a good file loads");
	memset(&s, 0, sizeof s);
	ad_config_foreach_scalar(c, record, &s);
	is_str(s.text, "hostname=dc1.corp.example;ssl=true(b);timeout=20;s:timeout=30;s:warning=5;",
	       "defaults first, then the section (which wins); lists skipped");
	ok(ad_exceptions_load(c, "exceptions", "account", &ex, &err) == 0, "exceptions load");
	is_int(ex.n, 2, "the section's list replaces the defaults' list");
	is_str(ex.items[0].match, "SQL01$", "first exception");
	ok(ex.items[0].has_expiry, "with an expiry");
	/* 2027-03-31 is valid through the whole day UTC: 2027-04-01T00:00:00Z */
	is_int(ex.items[0].expires, 1806537600, "expiry is the first second after the day, UTC");
	ok(!ad_exception_expired(&ex.items[0], 1806537599), "valid on its last second");
	ok(ad_exception_expired(&ex.items[0], 1806537600), "expired the second after");
	{
		const char *names[] = {"SQL01", "x"};
		ok(ad_exceptions_find(&ex, (const char *[]){"sql01$"}, 1) == &ex.items[0],
		   "account match is case-insensitive");
		ok(ad_exceptions_find(&ex, names, 1) == NULL, "'SQL01' in data does not match 'SQL01$' pattern");
		ok(ad_exceptions_find(&ex, (const char *[]){"cn=svc iis,cn=users, dc=corp,dc=example"}, 1) == &ex.items[1],
		   "DN match ignores case and blanks around separators");
		ok(ad_exceptions_find(&ex, (const char *[]){"CN=SvcIIS,CN=Users,DC=corp,DC=example"}, 1) == NULL,
		   "but not blanks inside a value");
	}
	ad_exceptions_free(&ex);
	ad_config_free(c);

	c = ad_config_load(path, "corp2", 1, &err);
	memset(&s, 0, sizeof s);
	ad_config_foreach_scalar(c, record, &s);
	is_str(s.text, "hostname=dc1.corp.example;ssl=true(b);timeout=20;s:hostname=dc9.corp2.example;",
	       "--section picks another group on top of defaults");
	ok(ad_exceptions_load(c, "exceptions", "account", &ex, &err) == 0 && ex.n == 1 &&
	   strcmp(ex.items[0].match, "OLD$") == 0 && !ex.items[0].has_expiry,
	   "without its own list the section uses the defaults' list");
	ad_exceptions_free(&ex);
	ad_config_free(c);

	c = ad_config_load(path, "nosuch", 0, &err);
	ok(c != NULL, "a missing plugin section is fine (defaults only)");
	ad_config_free(c);
	err = NULL;
	c = ad_config_load(path, "nosuch", 1, &err);
	ok(c == NULL && err && strstr(err, "no section 'nosuch'"), "a missing --section is an error");
	free(err);

	err = NULL;
	c = ad_config_load("/nonexistent/ad.conf", "x", 0, &err);
	ok(c == NULL && err && strstr(err, "cannot read config file /nonexistent/ad.conf"), "missing file: %s", err);
	free(err);

	err = NULL;
	path = write_file("syntax.conf", "defaults = {\n hostname = \"x\";\n warning = ;\n};\n");
	c = ad_config_load(path, "x", 0, &err);
	ok(c == NULL && err && strstr(err, "line 3"), "syntax error names the line: %s", err);
	free(err);

	err = NULL;
	path = write_file("notgroup.conf", "defaults = 5;\n");
	c = ad_config_load(path, "x", 0, &err);
	ok(c == NULL && err && strstr(err, "must be groups"), "defaults must be a group");
	free(err);

	static const char *const bad_exceptions[] = {
		"x = { exceptions = ( { account = \"A\"; } ); };",                        /* no reason */
		"x = { exceptions = ( { reason = \"r\"; } ); };",                         /* no account */
		"x = { exceptions = ( { account = \"A\"; reason = \"r\"; expires = \"2027-02-30\"; } ); };",
		"x = { exceptions = ( { account = \"A\"; reason = \"r\"; expires = \"31.12.2027\"; } ); };",
		"x = { exceptions = ( { account = \"A\"; reason = \"r\"; expires = 20271231; } ); };",
		"x = { exceptions = ( { account = \"\"; reason = \"r\"; } ); };",
		"x = { exceptions = \"SQL01$\"; };",
		"x = { exceptions = ( \"SQL01$\" ); };",
	};
	for (size_t i = 0; i < sizeof bad_exceptions / sizeof bad_exceptions[0]; i++) {
		path = write_file("ex.conf", bad_exceptions[i]);
		c = ad_config_load(path, "x", 0, &err);
		err = NULL;
		ok(c != NULL && ad_exceptions_load(c, "exceptions", "account", &ex, &err) < 0 &&
		   err && strstr(err, "line 1"), "bad exception %zu refused: %s", i, err ? err : "accepted");
		free(err);
		ad_config_free(c);
	}
	path = write_file("leap.conf", "x = { exceptions = ( { account = \"A\"; reason = \"r\"; expires = \"2028-02-29\"; } ); };");
	c = ad_config_load(path, "x", 0, &err);
	ok(ad_exceptions_load(c, "exceptions", "account", &ex, &err) == 0 && ex.n == 1, "leap day accepted");
	ad_exceptions_free(&ex);
	ad_config_free(c);

	{
		char cmd[600];
		snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			return 1;
	}
	return tap_done();
}
