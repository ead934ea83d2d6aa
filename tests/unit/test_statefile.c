/* SPDX-License-Identifier: GPL-3.0-or-later */
/* State files: round trip, corruption, concurrent runs. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../tap.h"
#include "statefile.h"

static char dir[] = "/tmp/adstateXXXXXX";
static char path[512];

static void write_raw(const char *text)
{
	FILE *f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
}

static void expect_corrupt(const char *text, const char *why, const char *desc)
{
	ad_state_status st;
	char *note = NULL, *err = NULL;
	ad_state *s;

	write_raw(text);
	s = ad_state_open(path, "kind", &st, &note, &err);
	ok(s != NULL && st == AD_STATE_CORRUPT && note && strstr(note, why) &&
	   ad_state_count(s) == 0, "%s: %s", desc, note ? note : "not detected");
	free(note);
	ad_state_close(s);
}

/* One run of a check: read the counter, think, write it back + 1. */
static void increment(void)
{
	ad_state_status st;
	char *note = NULL, *err = NULL, buf[32];
	ad_state *s = ad_state_open(path, "kind", &st, &note, &err);
	const char *v = s ? ad_state_get(s, "counter") : NULL;
	int n = v ? atoi(v) : 0;

	usleep(100000);
	snprintf(buf, sizeof buf, "%d", n + 1);
	ad_state_set(s, "counter", buf);
	ad_state_save(s, &err);
	ad_state_close(s);
	free(note);
}

int main(void)
{
	ad_state_status st;
	char *note = NULL, *err = NULL;
	ad_state *s;
	const char *hostile = "CN=evil|svc=1'\",\n%41 zo\xc3\xab";

	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(path, sizeof path, "%s/state", dir);

	s = ad_state_open(path, "kind", &st, &note, &err);
	ok(s != NULL && st == AD_STATE_MISSING, "a missing file is the first run");
	ad_state_set(s, hostile, "value with = and %");
	ad_state_set(s, "PARTNER.EXAMPLE", "1");
	ad_state_set(s, "PARTNER.EXAMPLE", "2");
	ok(ad_state_save(s, &err) == 0, "save");
	ad_state_close(s);

	s = ad_state_open(path, "kind", &st, &note, &err);
	ok(s != NULL && st == AD_STATE_LOADED, "saved file loads");
	is_int(ad_state_count(s), 2, "two entries (set twice replaces)");
	is_str(ad_state_get(s, hostile), "value with = and %", "hostile key round-trips");
	is_str(ad_state_get(s, "PARTNER.EXAMPLE"), "2", "latest value kept");
	ok(!ad_state_has(s, "partner.example"), "keys are exact");
	ad_state_close(s);

	s = ad_state_open(path, "otherkind", &st, &note, &err);
	ok(s && st == AD_STATE_CORRUPT && strstr(note, "not the state header of this check"),
	   "another check's state file is not taken for ours");
	free(note);
	note = NULL;
	ad_state_close(s);

	expect_corrupt("", "not the state header", "empty file");
	expect_corrupt("garbage\n", "not the state header", "garbage");
	expect_corrupt("ad-delegation-plugins-state 1 kind\na=1\n", "no end marker", "truncated file");
	expect_corrupt("ad-delegation-plugins-state 1 kind\na=1\nb=2", "incomplete", "half-written line");
	expect_corrupt("ad-delegation-plugins-state 1 kind\na=1\nend 2\n", "count does not match", "count mismatch");
	expect_corrupt("ad-delegation-plugins-state 1 kind\na%4=1\nend 1\n", "malformed escape", "bad escape");
	expect_corrupt("ad-delegation-plugins-state 1 kind\na%00=1\nend 1\n", "malformed escape", "escaped NUL");
	expect_corrupt("ad-delegation-plugins-state 1 kind\nnoequals\nend 1\n", "no '='", "no '='");
	expect_corrupt("ad-delegation-plugins-state 1 kind\nend 0\nx=1\n", "after its end", "content after end");

	/* corrupt is replaced by the next save */
	s = ad_state_open(path, "kind", &st, &note, &err);
	free(note);
	ad_state_set(s, "k", "v");
	ad_state_save(s, &err);
	ad_state_close(s);
	s = ad_state_open(path, "kind", &st, &note, &err);
	ok(st == AD_STATE_LOADED && ad_state_count(s) == 1, "a corrupt file is replaced on save");
	ad_state_close(s);

	/* four concurrent runs: the lock serialises them, no update is lost */
	unlink(path);
	for (int i = 0; i < 4; i++)
		if (fork() == 0) {
			increment();
			_exit(0);
		}
	for (int i = 0; i < 4; i++)
		wait(NULL);
	s = ad_state_open(path, "kind", &st, &note, &err);
	is_str(s ? ad_state_get(s, "counter") : NULL, "4", "four concurrent runs counted four");
	ad_state_close(s);
	{
		/* temporary files are named state.tmp.<pid> */
		DIR *d = opendir(dir);
		struct dirent *de;
		int tmp_files = 0;
		while (d && (de = readdir(d)) != NULL)
			tmp_files += strncmp(de->d_name, "state.tmp.", 10) == 0;
		if (d)
			closedir(d);
		ok(d != NULL && tmp_files == 0, "no temporary file left behind (%d found)", tmp_files);
	}

	err = NULL;
	s = ad_state_open("/nonexistent/dir/state", "kind", &st, &note, &err);
	ok(s == NULL && err && strstr(err, "cannot lock state file /nonexistent/dir/state.lock"),
	   "an unusable directory is an error: %s", err ? err : "");
	free(err);
	{
		char cmd[600];
		snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			return 1;
	}
	return tap_done();
}
