/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdlib.h>

#include "changes.h"
#include "statefile.h"

#define MAX_NAMED_IN_SUMMARY 5

void ad_change_opts_init(ad_change_opts *o)
{
	o->state_file = NULL;
	o->new_is = MP_WARNING;
}

void ad_change_opts_free(ad_change_opts *o)
{
	free(o->state_file);
	o->state_file = NULL;
}

int ad_change_opts_apply(ad_change_opts *o, bool is_state_file, const char *arg,
			 const char **err)
{
	if (is_state_file) {
		free(o->state_file);
		o->state_file = xstrdup(arg);
		return 0;
	}
	if (mp_state_parse(arg, &o->new_is) < 0) {
		*err = "state must be OK, WARNING, CRITICAL or UNKNOWN";
		return -1;
	}
	return 0;
}

/* The state file cannot be used: UNKNOWN, the reason first, the findings
 * still reported. */
static void unusable(mp_check *chk, char *err)
{
	mp_check_summary_prefix(chk, "%s", err);
	mp_check_raise(chk, MP_UNKNOWN);
	free(err);
}

void ad_changes_report(const ad_change_opts *o, const char *kind,
		       const strlist *current, const strlist *unsure, mp_check *chk)
{
	ad_state_status status;
	ad_state *st;
	char *note = NULL, *err = NULL;
	strlist fresh, kept;
	strbuf names;

	if (o->state_file == NULL)
		return;
	st = ad_state_open(o->state_file, kind, &status, &note, &err);
	if (st == NULL) {
		unusable(chk, err);
		return;
	}
	strlist_init(&fresh);
	if (status == AD_STATE_LOADED)
		for (size_t i = 0; i < current->n; i++)
			if (!ad_state_has(st, current->items[i]))
				strlist_add(&fresh, current->items[i]);
	if (status == AD_STATE_MISSING)
		mp_check_line(chk, "State file %s created: the next run reports what is new",
			      o->state_file);
	else if (status == AD_STATE_CORRUPT)
		mp_check_line(chk, "%s; the next run reports what is new", note);
	/* what could not be judged this time keeps its place, so that it is
	 * not "new" when it can be judged again */
	strlist_init(&kept);
	for (size_t i = 0; unsure != NULL && i < unsure->n; i++)
		if (status == AD_STATE_LOADED && ad_state_has(st, unsure->items[i]))
			strlist_add(&kept, unsure->items[i]);
	ad_state_clear(st);
	for (size_t i = 0; i < current->n; i++)
		ad_state_set(st, current->items[i], "1");
	for (size_t i = 0; i < kept.n; i++)
		ad_state_set(st, kept.items[i], "1");
	strlist_free(&kept);
	if (ad_state_save(st, &err) < 0) {
		ad_state_close(st);
		strlist_free(&fresh);
		free(note);
		unusable(chk, err);
		return;
	}
	ad_state_close(st);
	free(note);

	if (fresh.n > 0) {
		strlist_sort(&fresh);
		strbuf_init(&names);
		for (size_t i = 0; i < fresh.n && i < MAX_NAMED_IN_SUMMARY; i++)
			strbuf_printf(&names, "%s%s", i ? ", " : "", fresh.items[i]);
		if (fresh.n > MAX_NAMED_IN_SUMMARY)
			strbuf_printf(&names, " and %zu more", fresh.n - MAX_NAMED_IN_SUMMARY);
		mp_check_summary_prefix(chk, "new since last run: %s", names.s);
		mp_check_raise(chk, o->new_is);
		for (size_t i = 0; i < fresh.n; i++)
			mp_check_line(chk, "New since last run: %s", fresh.items[i]);
		strbuf_free(&names);
	}
	strlist_free(&fresh);
}
