/* SPDX-License-Identifier: GPL-3.0-or-later */
/* output.h - plugin states, the check result and how it is printed.
 *
 * A check is built up while the plugin works (state raised, summary set,
 * perfdata and long-output lines added) and printed once:
 *
 *   SERVICE STATE - summary | perfdata
 *   long output line
 *   ...
 *
 * All text is sanitised: '|' (which monitoring cores read as the start of
 * perfdata), control characters and invalid UTF-8 are written as \XX hex
 * escapes.  The whole output stays within Nagios' 8 KiB limit; long output
 * that does not fit is summarised in a last line. */
#ifndef AD_OUTPUT_H
#define AD_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>

#include "range.h"
#include "state.h"

#define MP_OUTPUT_MAX 8192 /* Nagios MAX_PLUGIN_OUTPUT_LENGTH, with the NUL */

/* The service name that starts every first line ("AD UNCONSTRAINED").  The
 * one process-wide setting of the output module, used by mp_die() and the
 * timeout backstop. */
void mp_set_service(const char *service);
const char *mp_service(void);

/* The output format: the Monitoring Plugins text (default) or one JSON
 * object, for Zabbix, which ignores exit codes of external checks:
 *   {"service": "...", "state": 1, "state_name": "WARNING",
 *    "summary": "...", "perfdata": {"label": {"value": 3, "uom": "",
 *    "warning": "0", "critical": null, "min": 0, "max": null}, ...},
 *    "long_output": ["...", ...]}
 * Process-wide, like the service name: mp_die() and the timeout backstop
 * use it too. */
typedef enum { MP_FORMAT_NAGIOS, MP_FORMAT_JSON } mp_format;
void mp_set_format(mp_format f);
mp_format mp_get_format(void);
/* A JSON object with SERVICE, STATE and SUMMARY only (malloc'ed, one line,
 * with a newline), for mp_die() and the timeout message. */
char *mp_json_short(mp_state state, const char *summary);

/* Prints "SERVICE STATE - reason" (sanitised) and exits with STATE. */
_Noreturn void mp_die(mp_state state, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Writes SRC into DST (size DSTSIZE, always terminated) with '|', control
 * characters and invalid UTF-8 bytes escaped as \XX.  Returns the length
 * SRC needs escaped (like snprintf), so callers can detect truncation. */
size_t mp_sanitize(const char *src, char *dst, size_t dstsize);
/* The same, returning a malloc'ed string (NULL only on allocation failure). */
char *mp_sanitize_dup(const char *src);

/* Perfdata options: UOM ("", "s", "%", "B", "c", ...), thresholds to print
 * (NULL for none), minimum and maximum. */
typedef struct {
	const char *uom;
	const mp_thresholds *thresholds;
	bool has_min;
	double min;
	bool has_max;
	double max;
	int decimals; /* fraction digits for non-integral values */
} mp_perf_opts;

typedef struct mp_check mp_check;

mp_check *mp_check_new(void);
void mp_check_free(mp_check *c);

/* Raises the state to the worse of the current one and S. */
void mp_check_raise(mp_check *c, mp_state s);
mp_state mp_check_state(const mp_check *c);

/* Replaces the summary text. */
void mp_check_summary(mp_check *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Adds TEXT to show before the summary, joined with "; "; prefixes keep
 * the order they were added in, and mp_check_summary() leaves them. */
void mp_check_summary_prefix(mp_check *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Adds one long-output line (newlines inside are escaped). */
void mp_check_line(mp_check *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Adds a perfdata value.  LABEL must not contain '=' or '\''. */
void mp_check_perf(mp_check *c, const char *label, double value,
		   const mp_perf_opts *o);
/* A count (>= 0) with optional thresholds. */
void mp_check_perf_count(mp_check *c, const char *label, double value,
			 const mp_thresholds *thresholds);
/* Elapsed seconds, printed with 3 decimals, minimum 0. */
void mp_check_perf_seconds(mp_check *c, const char *label, double seconds);

/* Renders the whole output into a malloc'ed string, at most MP_OUTPUT_MAX-1
 * bytes, ending with a newline. */
char *mp_check_render(const mp_check *c);

/* Prints the output to stdout, frees C and exits with its state. */
_Noreturn void mp_check_exit(mp_check *c);

/* From now on mp_die() and mp_check_exit() end the process with _exit()
 * after flushing stdout: no exit handlers or library destructors run.  For
 * a process that leaves threads behind that may still be inside a library
 * (a partner scan abandoned at its deadline): the library's destructors
 * must not free what such a thread still uses. */
void mp_set_exit_without_destructors(void);

#endif
