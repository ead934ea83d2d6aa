/* SPDX-License-Identifier: GPL-3.0-or-later */
/* timeout.h - the timeout backstop: -t SECONDS[:STATE].
 *
 * Library calls get their own timeouts from the remaining time; the alarm
 * is the backstop for anything that still blocks.  When it fires, the
 * plugin prints "SERVICE STATE - timed out after N s while <stage>" and
 * exits with the configured state (default UNKNOWN). */
#ifndef AD_TIMEOUT_H
#define AD_TIMEOUT_H

#include <stdbool.h>

#include "state.h"

#define MP_TIMEOUT_DEFAULT 10
#define MP_TIMEOUT_MAX 86400

/* Parses "SECONDS" or "SECONDS:STATE" (STATE a name or 0-3). */
int mp_timeout_parse(const char *text, unsigned *seconds, mp_state *state,
		     const char **err);

/* Starts the clock and arms the alarm. */
void mp_timeout_arm(unsigned seconds, mp_state state);

/* Names what the plugin is doing now, for the timeout message. */
void mp_timeout_stage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* True once mp_timeout_arm() has run. */
bool mp_timeout_armed(void);
/* Seconds left before the backstop fires (> 0, fractional). */
double mp_timeout_remaining(void);
/* Seconds since mp_timeout_arm(). */
double mp_timeout_elapsed(void);

#endif
