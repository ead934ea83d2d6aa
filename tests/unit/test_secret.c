/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Password files: permissions, format, scrubbing. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../tap.h"
#include "secret.h"

static char dir[] = "/tmp/adsecXXXXXX";

static const char *make(const char *name, const char *text, size_t len, mode_t mode)
{
	static char path[512];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	f = fopen(path, "w");
	fwrite(text, 1, len, f);
	fclose(f);
	chmod(path, mode);
	return path;
}

static void expect_refused(const char *path, const char *needle, const char *what)
{
	char *err = NULL, *s = ad_secret_read_file(path, &err);

	ok(s == NULL && err && strstr(err, needle), "%s: %s", what, err ? err : "accepted");
	ad_secret_free(s);
	free(err);
}

int main(void)
{
	char *err = NULL, *s;
	char big[AD_SECRET_MAX + 10];

	if (mkdtemp(dir) == NULL)
		return 1;
	s = ad_secret_read_file(make("ok", "s3cret\n", 7, 0600), &err);
	is_str(s, "s3cret", "0600 file read, newline stripped");
	ad_secret_free(s);
	s = ad_secret_read_file(make("crlf", "pa ss\r\nsecond line\n", 19, 0400), &err);
	is_str(s, "pa ss", "CRLF stripped, only the first line, blanks kept");
	ad_secret_free(s);
	s = ad_secret_read_file(make("nonl", "x|y", 3, 0600), &err);
	is_str(s, "x|y", "no trailing newline");
	ad_secret_free(s);

	expect_refused(make("world", "s\n", 2, 0644), "accessible by others (mode 0644)", "world-readable refused");
	expect_refused(make("group", "s\n", 2, 0640), "accessible by others (mode 0640)", "group-readable refused");
	expect_refused(make("gw", "s\n", 2, 0620), "accessible by others", "group-writable refused");
	expect_refused(make("empty", "", 0, 0600), "is empty", "empty file refused");
	expect_refused(make("blank", "\n", 1, 0600), "is empty", "blank first line refused");
	memset(big, 'a', sizeof big);
	expect_refused(make("big", big, sizeof big, 0600), "larger than", "oversized file refused");
	expect_refused("/nonexistent/pw", "cannot open password file /nonexistent/pw", "missing file named");
	{
		char sub[600];
		snprintf(sub, sizeof sub, "%s/dir", dir);
		mkdir(sub, 0700);
		expect_refused(sub, "not a regular file", "directory refused");
	}
	setenv(AD_PASSWORD_ENV, "fromenv", 1);
	s = ad_secret_from_env();
	is_str(s, "fromenv", "AD_BIND_PASSWORD is read");
	ad_secret_free(s);
	setenv(AD_PASSWORD_ENV, "", 1);
	ok(ad_secret_from_env() == NULL, "an empty AD_BIND_PASSWORD is no password");
	{
		char cmd[600];
		snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			return 1;
	}
	return tap_done();
}
