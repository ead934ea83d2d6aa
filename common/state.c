/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <strings.h>

#include "state.h"

static const char *const state_names[] = {"OK", "WARNING", "CRITICAL", "UNKNOWN"};

const char *mp_state_name(mp_state s)
{
	return (s >= MP_OK && s <= MP_UNKNOWN) ? state_names[s] : "UNKNOWN";
}

static int severity(mp_state s)
{
	switch (s) {
	case MP_CRITICAL: return 3;
	case MP_WARNING: return 2;
	case MP_UNKNOWN: return 1;
	default: return 0;
	}
}

mp_state mp_state_worse(mp_state a, mp_state b)
{
	return severity(a) >= severity(b) ? a : b;
}

int mp_state_parse(const char *text, mp_state *out)
{
	for (int i = MP_OK; i <= MP_UNKNOWN; i++) {
		if (strcasecmp(text, state_names[i]) == 0 ||
		    (text[0] == '0' + i && text[1] == '\0')) {
			*out = (mp_state)i;
			return 0;
		}
	}
	return -1;
}
