/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <ldap.h>

#include "options.h"
#include "output.h"
#include "strlist.h"
#include "timeout.h"

static const ad_option common_options[] = {
	{"hostname", true, 'H', "HOST",
	 "Directory server: a host name, or an ldap:// or ldaps:// URI"},
	{"port", true, 'p', "PORT", "Port (default: 389, or 636 with --ssl)"},
	{"ssl", false, 'S', NULL, "Connect with LDAPS (TLS from the start)"},
	{"starttls", false, 'T', NULL, "Upgrade an ldap:// connection with StartTLS"},
	{"ca-file", true, OPT_CA_FILE, "FILE",
	 "CA certificates (PEM) to verify the server certificate with"},
	{"insecure", false, OPT_INSECURE, NULL,
	 "Do not verify the server certificate (explicit opt-in, not for production)"},
	{"allow-plaintext", false, OPT_ALLOW_PLAINTEXT, NULL,
	 "Allow a simple bind on a connection without TLS (refused by default)"},
	{"bind-dn", true, 'D', "DN", "DN (or user@domain) for a simple bind"},
	{"password-file", true, OPT_PASSWORD_FILE, "FILE",
	 "File with the bind password on its first line; must not be readable\n"
	 "by group or others.  The environment variable AD_BIND_PASSWORD is the\n"
	 "alternative.  A password is never accepted on the command line"},
	{"sasl-mech", true, 'Y', "MECH",
	 "Bind with SASL (MECH is GSSAPI or EXTERNAL) instead of a simple bind"},
	{"keytab", true, OPT_KEYTAB, "FILE",
	 "Kerberos client keytab for GSSAPI (no kinit needed)"},
	{"base", true, 'b', "DN",
	 "Search base (default: defaultNamingContext of the RootDSE)"},
	{"timeout", true, 't', "SECONDS[:STATE]",
	 "Give up after SECONDS (default 10) with STATE (default UNKNOWN)"},
	{"warning", true, 'w', "RANGE", "Warning threshold (see below)"},
	{"critical", true, 'c', "RANGE", "Critical threshold (see below)"},
	{"config", true, OPT_CONFIG, "FILE", "Read settings from a libconfig file"},
	{"section", true, OPT_SECTION, "NAME",
	 "Config section to use (default: the program name); settings not in it\n"
	 "come from the section 'defaults'"},
	{"format", true, OPT_FORMAT, "FORMAT",
	 "Output format: nagios (default: the Monitoring Plugins text) or json\n"
	 "(one JSON object, for Zabbix dependent items)"},
	{"verbose", false, 'v', NULL,
	 "More detail in the long output; -vv and more: debug messages on stderr"},
	{"help", false, 'h', NULL, "Print this help and exit"},
	{"version", false, 'V', NULL, "Print the version and exit"},
	{0},
};

struct parser {
	const ad_plugin_spec *spec;
	ad_common_opts *opts;
	struct option *longopts;
	char shortopts[128];
	const char *source; /* for messages: NULL = command line */
	int layer;          /* LAYER_DEFAULTS, LAYER_SECTION or LAYER_CLI */
	/* the layer that set each transport setting (-1: none) */
	int host_layer, port_layer, ssl_layer, starttls_layer;
};

enum { LAYER_DEFAULTS = AD_CONFIG_LAYER_DEFAULTS, LAYER_SECTION = AD_CONFIG_LAYER_SECTION, LAYER_CLI };

int ad_parse_long(const char *arg, long min, long max, long *out, const char **err)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (arg[0] == '\0' || *end != '\0' || errno != 0) {
		*err = "not a whole number";
		return -1;
	}
	if (v < min || v > max) {
		*err = "number out of range";
		return -1;
	}
	*out = v;
	return 0;
}

void ad_debug(const ad_common_opts *o, int level, const char *fmt, ...)
{
	va_list ap;

	if (o->verbose < level)
		return;
	fputs("debug: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void ad_usage_vdie(const ad_plugin_spec *spec, const char *fmt, va_list ap)
{
	char raw[1024], clean[2048];

	vsnprintf(raw, sizeof raw, fmt, ap);
	if (mp_get_format() == MP_FORMAT_JSON)
		mp_die(MP_UNKNOWN, "%s", raw);
	mp_sanitize(raw, clean, sizeof clean);
	printf("%s UNKNOWN - %s\n", mp_service(), clean);
	/* the usage goes through the same sanitiser: no '|' on any line */
	snprintf(raw, sizeof raw, "Usage: %s %s", spec->progname, spec->usage);
	mp_sanitize(raw, clean, sizeof clean);
	printf("%s\n", clean);
	exit(MP_UNKNOWN);
}

void ad_usage_die(const ad_plugin_spec *spec, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ad_usage_vdie(spec, fmt, ap);
}

static _Noreturn void usage_die(const struct parser *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static _Noreturn void usage_die(const struct parser *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ad_usage_vdie(p->spec, fmt, ap);
}

static void print_option_help(const ad_option *o)
{
	const char *h = o->help, *nl;

	if (o->key > ' ' && o->key < 127)
		printf(" -%c, --%s", o->key, o->name);
	else
		printf(" --%s", o->name);
	if (o->has_arg)
		printf("=%s", o->argname ? o->argname : "VALUE");
	putchar('\n');
	while (h != NULL && *h != '\0') {
		nl = strchr(h, '\n');
		printf("    %.*s\n", nl ? (int)(nl - h) : (int)strlen(h), h);
		h = nl ? nl + 1 : NULL;
	}
}

static _Noreturn void print_help(const ad_plugin_spec *spec)
{
	printf("%s %s (%s)\n", spec->progname, PACKAGE_VERSION, PACKAGE_NAME);
	printf("Copyright (c) 2026 the ad-delegation-plugins authors\n"
	       "License GPL-3.0-or-later: this is free software, with NO WARRANTY.\n\n");
	printf("%s\n\nUsage:\n %s %s\n\nCommon options:\n", spec->description,
	       spec->progname, spec->usage);
	for (const ad_option *o = common_options; o->name; o++)
		print_option_help(o);
	if (spec->options != NULL && spec->options[0].name != NULL) {
		printf("\nOptions of %s:\n", spec->progname);
		for (const ad_option *o = spec->options; o->name; o++)
			print_option_help(o);
	}
	printf("\nRanges follow the Monitoring Plugins guidelines: N alerts above N\n"
	       "(or below 0), N: below N, ~:N above N, A:B outside A..B, @A:B inside\n"
	       "A..B.  Critical is evaluated before warning.\n");
	if (spec->notes != NULL)
		printf("\n%s\n", spec->notes);
	printf("\nThe config file (--config) is read with libconfig; see the sample\n"
	       "ad-delegation.conf and the man page %s(8).  The command line wins:\n"
	       "a flag the config file sets is switched off with --FLAG=false (e.g.\n"
	       "--insecure=false), and -H URI, -S, -T or -p set aside the config's\n"
	       "scheme, port, ssl and starttls where they would clash (as the section\n"
	       "does over `defaults`).\n",
	       spec->progname);
	exit(MP_UNKNOWN);
}

static _Noreturn void print_version(const ad_plugin_spec *spec)
{
	printf("%s %s (%s)\n", spec->progname, PACKAGE_VERSION, PACKAGE_NAME);
	exit(MP_UNKNOWN);
}

static void set_str(char **field, const char *arg)
{
	free(*field);
	*field = xstrdup(arg);
}

/* Applies a common option.  ARG is NULL for a flag that is switched on and
 * "false" for a flag the config file switches off.  Returns 1 when KEY was
 * a common option, 0 when not, -1 with *ERR on a bad value. */
static int apply_common(ad_common_opts *o, int key, const char *arg, const char **err)
{
	bool on = (arg == NULL);
	long v;

	switch (key) {
	case 'H': set_str(&o->hostname, arg); break;
	case 'p':
		if (ad_parse_long(arg, 1, 65535, &v, err) < 0) {
			*err = "port must be a number from 1 to 65535";
			return -1;
		}
		o->port = (int)v;
		break;
	case 'S': o->ssl = on; break;
	case 'T': o->starttls = on; break;
	case OPT_CA_FILE: set_str(&o->ca_file, arg); break;
	case OPT_INSECURE: o->insecure = on; break;
	case OPT_ALLOW_PLAINTEXT: o->allow_plaintext = on; break;
	case 'D': set_str(&o->bind_dn, arg); break;
	case OPT_PASSWORD_FILE: set_str(&o->password_file, arg); break;
	case 'Y':
		if (strcasecmp(arg, "GSSAPI") != 0 && strcasecmp(arg, "EXTERNAL") != 0) {
			*err = "SASL mechanism must be GSSAPI or EXTERNAL";
			return -1;
		}
		set_str(&o->sasl_mech, arg);
		for (char *c = o->sasl_mech; *c; c++)
			*c = (char)(*c >= 'a' && *c <= 'z' ? *c - 32 : *c);
		break;
	case OPT_KEYTAB: set_str(&o->keytab, arg); break;
	case 'b': set_str(&o->base, arg); break;
	case 't':
		if (mp_timeout_parse(arg, &o->timeout, &o->timeout_state, err) < 0)
			return -1;
		break;
	case 'w': set_str(&o->warning, arg); break;
	case 'c': set_str(&o->critical, arg); break;
	case OPT_FORMAT:
		if (strcmp(arg, "nagios") == 0)
			mp_set_format(MP_FORMAT_NAGIOS);
		else if (strcmp(arg, "json") == 0)
			mp_set_format(MP_FORMAT_JSON);
		else {
			*err = "format must be nagios or json";
			return -1;
		}
		break;
	case 'v':
		if (arg == NULL)
			o->verbose++;
		else if (strcmp(arg, "false") == 0)
			o->verbose = 0;
		else if (ad_parse_long(arg, 0, 9, &v, err) == 0)
			o->verbose = (int)v;
		else
			return -1;
		break;
	default:
		return 0;
	}
	return 1;
}

static const ad_option *find_option(const struct parser *p, int key)
{
	for (const ad_option *o = common_options; o->name; o++)
		if (o->key == key)
			return o;
	for (const ad_option *o = p->spec->options; o && o->name; o++)
		if (o->key == key)
			return o;
	return NULL;
}

/* The host name of a lower layer when it is an ldap:// or ldaps:// URI:
 * parsed (free with ldap_free_urldesc), else NULL. */
static LDAPURLDesc *lower_uri(const struct parser *p)
{
	const char *h = p->opts->hostname;
	LDAPURLDesc *lud = NULL;

	if (h == NULL || p->host_layer >= p->layer || strstr(h, "://") == NULL)
		return NULL;
	if (ldap_url_parse(h, &lud) != LDAP_URL_SUCCESS || lud->lud_host == NULL ||
	    *lud->lud_host == '\0' ||
	    (strcasecmp(lud->lud_scheme, "ldap") != 0 && strcasecmp(lud->lud_scheme, "ldaps") != 0)) {
		if (lud != NULL)
			ldap_free_urldesc(lud);
		return NULL;
	}
	return lud;
}

/* Whether the layer that gave the URI contradicted it itself (ssl or
 * starttls against its scheme, or a port beside it): then the URI stays as
 * it is and the contradiction is reported when the URI is built. */
static bool uri_contradicted(const struct parser *p, bool ldaps)
{
	const ad_common_opts *o = p->opts;

	return (p->ssl_layer == p->host_layer && o->ssl && !ldaps) ||
	       (p->starttls_layer == p->host_layer && o->starttls && ldaps) ||
	       (p->port_layer == p->host_layer && o->port != 0);
}

/* A lower layer's URI and a higher layer's -S, -T or -p: the URI becomes its
 * host, its scheme the ssl setting (unless this layer set one) and its port
 * the port while the scheme stays (WANT_LDAPS: 1 LDAPS, 0 not, -1 as the
 * URI says). */
static void host_from_lower_uri(struct parser *p, int want_ldaps)
{
	ad_common_opts *o = p->opts;
	LDAPURLDesc *lud = lower_uri(p);
	bool ldaps, same;

	if (lud == NULL)
		return;
	ldaps = strcasecmp(lud->lud_scheme, "ldaps") == 0;
	same = want_ldaps < 0 || (want_ldaps == 1) == ldaps;
	if (!uri_contradicted(p, ldaps)) {
		free(o->hostname);
		o->hostname = xstrdup(lud->lud_host);
		if (p->port_layer < p->layer) {
			o->port = same ? lud->lud_port : 0;
			p->port_layer = o->port != 0 ? p->host_layer : -1;
		}
		if (p->ssl_layer < p->layer) {
			o->ssl = ldaps;
			p->ssl_layer = ldaps ? p->host_layer : -1;
		}
	}
	ldap_free_urldesc(lud);
}

/* A bare host name over a lower layer's URI: the URI's scheme and port
 * stay (replacing the server never drops LDAPS), unless this layer says
 * otherwise. */
static void bare_host_over_lower_uri(struct parser *p)
{
	ad_common_opts *o = p->opts;
	LDAPURLDesc *lud = lower_uri(p);
	bool ldaps;

	if (lud == NULL)
		return;
	ldaps = strcasecmp(lud->lud_scheme, "ldaps") == 0;
	if (!uri_contradicted(p, ldaps)) {
		if (p->port_layer < p->layer && lud->lud_port != 0) {
			o->port = lud->lud_port;
			p->port_layer = p->host_layer;
		}
		if (ldaps && p->ssl_layer < p->layer &&
		    !(p->starttls_layer == p->layer && o->starttls)) {
			o->ssl = true;
			p->ssl_layer = p->host_layer;
		}
	}
	ldap_free_urldesc(lud);
}

/* Settings of a lower layer (config defaults, then the config section, then
 * the command line) give way where a higher layer's transport would clash
 * with them, instead of failing as contradictory: a URI brings its own
 * scheme and port, -S sets aside StartTLS, -T sets aside LDAPS (each with a
 * lower layer's port for the other scheme), -p a URI's port.  Within one
 * layer a clash is still an error. */
static void transport_layers(struct parser *p, int key, const char *arg)
{
	ad_common_opts *o = p->opts;
	bool on = arg == NULL || strcmp(arg, "false") != 0;

	switch (key) {
	case 'H':
		if (strstr(arg, "://") == NULL) {
			bare_host_over_lower_uri(p);
		} else {
			if (p->port_layer < p->layer) {
				o->port = 0;
				p->port_layer = -1;
			}
			if (p->ssl_layer < p->layer) {
				o->ssl = false;
				p->ssl_layer = -1;
			}
			if (p->starttls_layer < p->layer && strncasecmp(arg, "ldaps://", 8) == 0) {
				o->starttls = false;
				p->starttls_layer = -1;
			}
		}
		p->host_layer = p->layer;
		break;
	case 'p':
		host_from_lower_uri(p, -1);
		p->port_layer = p->layer;
		break;
	case 'S':
		if (on) {
			host_from_lower_uri(p, 1);
			if (!o->ssl && p->port_layer < p->layer) {
				o->port = 0; /* a port for ldap:// */
				p->port_layer = -1;
			}
			if (p->starttls_layer < p->layer) {
				o->starttls = false;
				p->starttls_layer = -1;
			}
		}
		p->ssl_layer = p->layer;
		break;
	case 'T':
		if (on) {
			/* an ldap:// URI keeps its scheme and port: StartTLS works there */
			if (o->hostname != NULL && strncasecmp(o->hostname, "ldaps://", 8) == 0)
				host_from_lower_uri(p, 0);
			if (o->ssl && p->ssl_layer < p->layer) {
				if (p->port_layer < p->layer) {
					o->port = 0; /* a port for LDAPS */
					p->port_layer = -1;
				}
				o->ssl = false;
				p->ssl_layer = -1;
			}
		}
		p->starttls_layer = p->layer;
		break;
	default: break;
	}
}

static bool flag_is_true(const char *arg)
{
	return strcasecmp(arg, "true") == 0 || strcasecmp(arg, "yes") == 0 ||
	       strcmp(arg, "1") == 0;
}

static bool flag_is_false(const char *arg)
{
	return strcasecmp(arg, "false") == 0 || strcasecmp(arg, "no") == 0 ||
	       strcmp(arg, "0") == 0;
}

static void apply(struct parser *p, int key, const char *arg)
{
	const ad_option *o = find_option(p, key);
	const char *err = "bad value";
	int rc;

	/* a flag given as --flag=VALUE on the command line (so that one set in
	 * the config file can be switched off): NULL is on, "false" off */
	if (p->source == NULL && o != NULL && !o->has_arg && arg != NULL) {
		if (flag_is_true(arg))
			arg = NULL;
		else if (flag_is_false(arg))
			arg = "false";
		else
			usage_die(p, "--%s=%s: must be true or false", o->name, arg);
	}
	transport_layers(p, key, arg);
	rc = apply_common(p->opts, key, arg, &err);

	if (rc == 0 && p->spec->apply != NULL)
		rc = p->spec->apply(p->spec->ctx, key, arg, &err) == 0 ? 1 : -1;
	if (rc < 0)
		usage_die(p, "%s%s--%s%s%s: %s", p->source ? p->source : "",
			  p->source ? ": " : "", o ? o->name : "?",
			  arg ? " " : "", arg ? arg : "", err);
}

static void build_tables(struct parser *p)
{
	size_t n = 0, k = 0, s = 0;

	for (const ad_option *o = common_options; o->name; o++)
		n++;
	for (const ad_option *o = p->spec->options; o && o->name; o++)
		n++;
	p->longopts = xcalloc(n + 1, sizeof *p->longopts);
	p->shortopts[s++] = ':'; /* report a missing argument as ':' */
	for (int pass = 0; pass < 2; pass++) {
		const ad_option *o = pass == 0 ? common_options : p->spec->options;
		for (; o && o->name; o++, k++) {
			p->longopts[k].name = o->name;
			/* --flag=false switches off a flag the config file set */
			p->longopts[k].has_arg = o->has_arg ? required_argument
				: (o->key == 'h' || o->key == 'V' || o->key == 'v')
					? no_argument : optional_argument;
			p->longopts[k].val = o->key;
			if (o->key > ' ' && o->key < 127 && s + 2 < sizeof p->shortopts) {
				p->shortopts[s++] = (char)o->key;
				if (o->has_arg)
					p->shortopts[s++] = ':';
			}
		}
	}
	p->shortopts[s] = '\0';
}

static const ad_option *option_by_config_key(const struct parser *p, const char *key)
{
	char name[64];
	size_t i;

	for (i = 0; key[i] && i + 1 < sizeof name; i++)
		name[i] = key[i] == '_' ? '-' : key[i];
	name[i] = '\0';
	for (int pass = 0; pass < 2; pass++) {
		const ad_option *o = pass == 0 ? common_options : p->spec->options;
		for (; o && o->name; o++)
			if (strcmp(o->name, name) == 0)
				return o;
	}
	return NULL;
}

static int apply_config_setting(const char *key, const char *value, int is_bool,
				int line, int layer, void *ctx)
{
	struct parser *p = ctx;
	const ad_option *o = option_by_config_key(p, key);
	char where[512];

	snprintf(where, sizeof where, "config file line %d", line);
	p->source = where;
	p->layer = layer;
	if (o == NULL || o->key == OPT_CONFIG || o->key == OPT_SECTION ||
	    o->key == 'h' || o->key == 'V')
		usage_die(p, "%s: unknown setting '%s'", where, key);
	if (!o->has_arg && o->key != 'v') {
		if (!is_bool)
			usage_die(p, "%s: '%s' must be true or false", where, key);
		apply(p, o->key, strcmp(value, "true") == 0 ? NULL : "false");
	} else if (o->key == 'v' && is_bool) {
		apply(p, o->key, strcmp(value, "true") == 0 ? NULL : "false");
	} else {
		apply(p, o->key, value);
	}
	p->source = NULL;
	return 0;
}

static const char *opt_name(const struct parser *p, char **argv)
{
	/* optind has moved past the offending element */
	const char *a = argv[optind - 1];
	(void)p;
	return a ? a : "?";
}

void ad_options_parse(const ad_plugin_spec *spec, int argc, char **argv,
		      ad_common_opts *opts, ad_config **cfg)
{
	struct parser p = {.spec = spec, .opts = opts, .layer = LAYER_CLI, .host_layer = -1,
			   .port_layer = -1, .ssl_layer = -1, .starttls_layer = -1};
	int c, longidx;
	const char *err;

	memset(opts, 0, sizeof *opts);
	opts->timeout = MP_TIMEOUT_DEFAULT;
	opts->timeout_state = MP_UNKNOWN;
	*cfg = NULL;
	build_tables(&p);

	/* The output format first, so that every error below is in it. */
	for (int i = 1; i < argc; i++) {
		const char *f = NULL;

		if (strncmp(argv[i], "--format=", 9) == 0)
			f = argv[i] + 9;
		else if (strcmp(argv[i], "--format") == 0 && i + 1 < argc)
			f = argv[i + 1];
		if (f != NULL && strcmp(f, "json") == 0)
			mp_set_format(MP_FORMAT_JSON);
	}

	/* Pass 1: help, version, config, and syntax of everything. */
	opterr = 0;
	optind = 0;
	while ((c = getopt_long(argc, argv, p.shortopts, p.longopts, &longidx)) != -1) {
		switch (c) {
		case 'h': print_help(spec);
		case 'V': print_version(spec);
		case OPT_CONFIG: set_str(&opts->config_file, optarg); break;
		case OPT_SECTION: set_str(&opts->section, optarg); break;
		case ':': usage_die(&p, "option %s needs a value", opt_name(&p, argv));
		case '?':
			if (optopt > ' ' && optopt < 127)
				usage_die(&p, "unknown option -%c", optopt);
			usage_die(&p, "unknown option %s", opt_name(&p, argv));
		default: break;
		}
	}
	if (optind < argc)
		usage_die(&p, "unexpected argument '%s'", argv[optind]);

	if (opts->config_file != NULL) {
		char *e = NULL;
		*cfg = ad_config_load(opts->config_file,
				      opts->section ? opts->section : spec->progname,
				      opts->section != NULL, &e);
		if (*cfg == NULL) {
			mp_die(MP_UNKNOWN, "%s", e);
		}
		ad_config_foreach_scalar(*cfg, apply_config_setting, &p);
	} else if (opts->section != NULL) {
		usage_die(&p, "--section needs --config");
	}

	/* Pass 2: the command line, which wins over the config file. */
	p.layer = LAYER_CLI;
	optind = 0;
	while ((c = getopt_long(argc, argv, p.shortopts, p.longopts, &longidx)) != -1)
		if (c != OPT_CONFIG && c != OPT_SECTION)
			apply(&p, c, optarg);
	free(p.longopts);

	if (opts->hostname == NULL && !spec->ldap_optional)
		usage_die(&p, "no directory server given (-H HOST or a URI)");
	if (opts->ssl && opts->starttls)
		usage_die(&p, "--ssl and --starttls exclude each other");
	if (opts->sasl_mech != NULL && opts->bind_dn != NULL &&
	    strcmp(opts->sasl_mech, "EXTERNAL") == 0)
		usage_die(&p, "--bind-dn does not go with SASL EXTERNAL");
	if (opts->keytab != NULL &&
	    (opts->sasl_mech == NULL || strcmp(opts->sasl_mech, "GSSAPI") != 0))
		usage_die(&p, "--keytab needs --sasl-mech GSSAPI");
	(void)err;
}

void ad_common_opts_free(ad_common_opts *o)
{
	free(o->hostname);
	free(o->ca_file);
	free(o->bind_dn);
	free(o->password_file);
	free(o->sasl_mech);
	free(o->keytab);
	free(o->base);
	free(o->warning);
	free(o->critical);
	free(o->config_file);
	free(o->section);
	memset(o, 0, sizeof *o);
}

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

void ad_common_opts_copy(ad_common_opts *dst, const ad_common_opts *src)
{
	*dst = *src;
	dst->hostname = dup_or_null(src->hostname);
	dst->ca_file = dup_or_null(src->ca_file);
	dst->bind_dn = dup_or_null(src->bind_dn);
	dst->password_file = dup_or_null(src->password_file);
	dst->sasl_mech = dup_or_null(src->sasl_mech);
	dst->keytab = dup_or_null(src->keytab);
	dst->base = dup_or_null(src->base);
	dst->warning = dup_or_null(src->warning);
	dst->critical = dup_or_null(src->critical);
	dst->config_file = dup_or_null(src->config_file);
	dst->section = dup_or_null(src->section);
}

int ad_common_opts_set_connection(ad_common_opts *o, const char *key,
				  const char *value, bool is_bool, const char **err)
{
	static const int connection_keys[] = {'H', 'p', 'S', 'T', OPT_CA_FILE, OPT_INSECURE,
					      OPT_ALLOW_PLAINTEXT, 'D', OPT_PASSWORD_FILE,
					      'Y', 'b'};
	const ad_option *opt = NULL;
	char name[64];
	size_t i;

	for (i = 0; key[i] && i + 1 < sizeof name; i++)
		name[i] = key[i] == '_' ? '-' : key[i];
	name[i] = '\0';
	for (const ad_option *c = common_options; c->name; c++)
		if (strcmp(c->name, name) == 0)
			opt = c;
	for (i = 0; opt && i < sizeof connection_keys / sizeof connection_keys[0]; i++)
		if (connection_keys[i] == opt->key)
			break;
	if (opt == NULL || i == sizeof connection_keys / sizeof connection_keys[0]) {
		*err = "not a connection setting";
		return -1;
	}
	if (!opt->has_arg) {
		if (!is_bool) {
			*err = "must be true or false";
			return -1;
		}
		return apply_common(o, opt->key, strcmp(value, "true") == 0 ? NULL : "false", err) < 0 ? -1 : 0;
	}
	return apply_common(o, opt->key, value, err) < 0 ? -1 : 0;
}
