/* SPDX-License-Identifier: GPL-3.0-or-later */
/* options.h - the options every check shares, the plugin's own options, the
 * configuration file and the help text, all from one table.
 *
 * Order of precedence: command line, then the config section, then the
 * config `defaults`.  A config key is the long option name with '-' or '_'
 * (`bind_dn = "..."` is --bind-dn). */
#ifndef AD_OPTIONS_H
#define AD_OPTIONS_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

#include "cfgfile.h"
#include "state.h"

/* Keys of options without a short letter. */
enum {
	OPT_CA_FILE = 256,
	OPT_INSECURE,
	OPT_PASSWORD_FILE,
	OPT_KEYTAB,
	OPT_CONFIG,
	OPT_SECTION,
	OPT_ALLOW_PLAINTEXT,
	OPT_FORMAT,
	OPT_PLUGIN = 512 /* first key free for a plugin's own options */
};

typedef struct {
	char *hostname;      /* host name or URI */
	int port;            /* 0: the scheme's default */
	bool ssl;            /* ldaps:// */
	bool starttls;
	bool insecure;       /* do not verify the server certificate */
	bool allow_plaintext;
	char *ca_file;
	char *bind_dn;
	char *password_file;
	char *sasl_mech;     /* GSSAPI or EXTERNAL */
	char *keytab;
	char *base;          /* NULL: defaultNamingContext */
	unsigned timeout;
	mp_state timeout_state;
	char *warning;       /* NULL: the plugin's default */
	char *critical;
	char *config_file;
	char *section;
	int verbose;
} ad_common_opts;

typedef struct {
	const char *name;    /* long name */
	bool has_arg;
	int key;             /* short letter, or OPT_PLUGIN + n */
	const char *argname; /* for the help text ("RANGE", "FILE") */
	const char *help;    /* may hold several lines */
} ad_option;

/* What a plugin tells the parser about itself. */
typedef struct {
	const char *progname;      /* "check_ad_unconstrained" */
	const char *description;   /* first paragraph of --help */
	const char *usage;         /* arguments after the program name */
	const ad_option *options;  /* plugin options, ended by {0} */
	/* Applies a plugin option; returns 0, or -1 with *ERR (static). */
	int (*apply)(void *ctx, int key, const char *arg, const char **err);
	void *ctx;
	const char *notes;         /* thresholds, examples, ... for --help */
	bool ldap_optional;        /* -H may be left out (the plugin can work
				      without a directory server) */
} ad_plugin_spec;

/* Parses argv and, if --config is given, the config file (returned in
 * *CFG for the plugin's structured settings; NULL without one).  On a
 * usage error prints "SERVICE UNKNOWN - reason" and a usage line and exits
 * 3; --help and --version print and exit 3, as the Monitoring Plugins do. */
void ad_options_parse(const ad_plugin_spec *spec, int argc, char **argv,
		      ad_common_opts *opts, ad_config **cfg);

/* A usage error found by the plugin after parsing: "SERVICE UNKNOWN -
 * reason" and the usage line (one JSON object with --format json); exit 3. */
_Noreturn void ad_usage_die(const ad_plugin_spec *spec, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
_Noreturn void ad_usage_vdie(const ad_plugin_spec *spec, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

void ad_common_opts_free(ad_common_opts *o);

/* A deep copy of SRC into DST. */
void ad_common_opts_copy(ad_common_opts *dst, const ad_common_opts *src);

/* Applies one connection setting given by its config key (hostname, port,
 * ssl, starttls, ca_file, insecure, allow_plaintext, bind_dn, password_file,
 * sasl_mech, base), with the same checks as on the command line; a flag is
 * switched by VALUE "true"/"false".  Returns 0, or -1 with *ERR (static). */
int ad_common_opts_set_connection(ad_common_opts *o, const char *key,
				  const char *value, bool is_bool, const char **err);

/* A bounded integer option value; returns 0 or -1 with *ERR (static). */
int ad_parse_long(const char *arg, long min, long max, long *out,
		  const char **err);

/* Debug messages (-vv and more) go to stderr, never into the check output. */
void ad_debug(const ad_common_opts *o, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
