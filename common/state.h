/* SPDX-License-Identifier: GPL-3.0-or-later */
/* state.h - the four plugin states and their exit codes. */
#ifndef AD_STATE_H
#define AD_STATE_H

typedef enum {
	MP_OK = 0,
	MP_WARNING = 1,
	MP_CRITICAL = 2,
	MP_UNKNOWN = 3
} mp_state;

const char *mp_state_name(mp_state s);
/* The more severe of A and B: CRITICAL > WARNING > UNKNOWN > OK. */
mp_state mp_state_worse(mp_state a, mp_state b);
/* "OK", "warning", "2", ... into *OUT; returns 0 or -1. */
int mp_state_parse(const char *text, mp_state *out);

#endif
