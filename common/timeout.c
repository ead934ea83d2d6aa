/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "output.h"
#include "timeout.h"

/* Process-wide by necessity: the signal handler can reach nothing else.
 * Two message buffers; the handler reads the one `active` points at, and a
 * new stage is written into the other before the index flips. */
static char messages[2][512];
static volatile sig_atomic_t active;
static volatile sig_atomic_t exit_state = MP_UNKNOWN;
static unsigned budget = MP_TIMEOUT_DEFAULT;
static struct timespec started;

int mp_timeout_parse(const char *text, unsigned *seconds, mp_state *state,
		     const char **err)
{
	char *end;
	unsigned long v;

	if (text[0] < '0' || text[0] > '9') {
		*err = "timeout must be a whole number of seconds";
		return -1;
	}
	errno = 0;
	v = strtoul(text, &end, 10);
	if (errno != 0 || v == 0 || v > MP_TIMEOUT_MAX) {
		*err = "timeout must be between 1 and 86400 seconds";
		return -1;
	}
	*state = MP_UNKNOWN;
	if (*end == ':') {
		if (mp_state_parse(end + 1, state) < 0) {
			*err = "timeout state must be OK, WARNING, CRITICAL or UNKNOWN";
			return -1;
		}
	} else if (*end != '\0') {
		*err = "timeout must be SECONDS or SECONDS:STATE";
		return -1;
	}
	*seconds = (unsigned)v;
	return 0;
}

static void on_alarm(int sig)
{
	const char *m = messages[active];
	ssize_t unused;

	(void)sig;
	unused = write(STDOUT_FILENO, m, strlen(m));
	(void)unused;
	_exit(exit_state);
}

static void set_message(const char *stage)
{
	int next = !active;
	char clean[384];

	mp_sanitize(stage, clean, sizeof clean);
	snprintf(messages[next], sizeof messages[next],
		 "%s %s - timed out after %u s while %s\n", mp_service(),
		 mp_state_name((mp_state)exit_state), budget, clean);
	if (mp_get_format() == MP_FORMAT_JSON) {
		char summary[512], *j;
		snprintf(summary, sizeof summary, "timed out after %u s while %s", budget, clean);
		j = mp_json_short((mp_state)exit_state, summary);
		snprintf(messages[next], sizeof messages[next], "%s", j);
		free(j);
	}
	active = next;
}

void mp_timeout_arm(unsigned seconds, mp_state state)
{
	struct sigaction sa;

	clock_gettime(CLOCK_MONOTONIC, &started);
	budget = seconds;
	exit_state = state;
	set_message("starting");
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_alarm;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	alarm(seconds);
}

void mp_timeout_stage(const char *fmt, ...)
{
	char stage[384];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(stage, sizeof stage, fmt, ap);
	va_end(ap);
	set_message(stage);
}

double mp_timeout_elapsed(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - started.tv_sec) +
	       (double)(now.tv_nsec - started.tv_nsec) / 1e9;
}

bool mp_timeout_armed(void)
{
	return started.tv_sec != 0 || started.tv_nsec != 0;
}

double mp_timeout_remaining(void)
{
	double left = (double)budget - mp_timeout_elapsed();

	return left > 0.05 ? left : 0.05;
}
