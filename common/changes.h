/* SPDX-License-Identifier: GPL-3.0-or-later */
/* changes.h - "new since last run": compares what a check finds now with
 * what it found last time (kept in a state file) and says what is new.
 *
 * Options, shared by check_ad_unconstrained and check_ad_trust_delegation:
 *   --state-file FILE   remember the findings between runs
 *   --new-is STATE      state for anything new (default WARNING), raised
 *                       even when thresholds are not reached */
#ifndef AD_CHANGES_H
#define AD_CHANGES_H

#include <stdbool.h>

#include "options.h"
#include "output.h"
#include "strlist.h"

#define AD_CHANGE_OPTIONS(key_state_file, key_new_is)                          \
	{"state-file", true, (key_state_file), "FILE",                         \
	 "Remember the findings in FILE and report what is new since the\n"    \
	 "last run (written atomically, locked against concurrent runs)"},     \
	{"new-is", true, (key_new_is), "STATE",                                \
	 "State when something is new since the last run (default WARNING)"}

typedef struct {
	char *state_file;  /* NULL: no change tracking */
	mp_state new_is;
} ad_change_opts;

void ad_change_opts_init(ad_change_opts *o);
void ad_change_opts_free(ad_change_opts *o);
/* Applies --state-file (IS_STATE_FILE) or --new-is; 0 or -1 with *ERR. */
int ad_change_opts_apply(ad_change_opts *o, bool is_state_file, const char *arg,
			 const char **err);

/* Reads the previous findings of KIND from the state file, replaces them with
 * CURRENT (plus those of UNSURE, findings that could not be judged this
 * time, that were recorded before; UNSURE may be NULL) and reports to CHK: what is new goes first in the summary ("new
 * since last run: A, B") and raises the state to new_is; the first run and a
 * corrupt state file are noted in the long output.  Does nothing without a
 * state file.  A state file that cannot be used at all (no directory, no
 * permission, lock held too long) raises the check to UNKNOWN with the reason
 * first in the summary; the findings are reported all the same. */
void ad_changes_report(const ad_change_opts *o, const char *kind,
		       const strlist *current, const strlist *unsure, mp_check *chk);

#endif
