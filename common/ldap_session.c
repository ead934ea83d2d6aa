/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <sasl/sasl.h>

#include "ldap_session.h"
#include "strlist.h"

struct ad_ldap {
	LDAP *ld;
	char *uri;
	double timeout;
};

/* Active Directory's bind failure codes ("data 52e" in the diagnostic). */
static const struct {
	const char *code;
	const char *meaning;
} ad_bind_data[] = {
	{"525", "user not found"},
	{"52e", "invalid credentials"},
	{"530", "logon not permitted at this time"},
	{"531", "logon not permitted at this workstation"},
	{"532", "password expired"},
	{"533", "account disabled"},
	{"701", "account expired"},
	{"773", "password must be reset"},
	{"775", "account locked out"},
};

static const char *ad_bind_hint(const char *diag)
{
	const char *d = diag ? strstr(diag, "data ") : NULL;

	if (d == NULL)
		return NULL;
	for (size_t i = 0; i < sizeof ad_bind_data / sizeof ad_bind_data[0]; i++)
		if (strncasecmp(d + 5, ad_bind_data[i].code, 3) == 0)
			return ad_bind_data[i].meaning;
	return NULL;
}

/* "WHAT on URI: server result (code): diagnostic" */
static char *ldap_error(LDAP *ld, const char *uri, int rc, const char *what)
{
	char *diag = NULL, *msg;
	const char *hint;
	strbuf b;

	strbuf_init(&b);
	strbuf_printf(&b, "%s %s: %s (%d)", what, uri, ldap_err2string(rc), rc);
	/* "(unknown error code)" is what libldap leaves when it knows nothing */
	if (ld != NULL &&
	    ldap_get_option(ld, LDAP_OPT_DIAGNOSTIC_MESSAGE, &diag) == LDAP_OPT_SUCCESS &&
	    diag != NULL && *diag != '\0' && strcmp(diag, "(unknown error code)") != 0) {
		/* one line: the diagnostic may carry a trailing newline */
		for (char *c = diag; *c; c++)
			if (*c == '\n' || *c == '\r')
				*c = ' ';
		strbuf_printf(&b, ": %s", diag);
		hint = ad_bind_hint(diag);
		if (hint)
			strbuf_printf(&b, " [%s]", hint);
	}
	ldap_memfree(diag);
	msg = strbuf_take(&b);
	/* trim trailing spaces left by the diagnostic */
	for (size_t n = strlen(msg); n > 0 && msg[n - 1] == ' '; n--)
		msg[n - 1] = '\0';
	return msg;
}

/* Whether a TCP connection to the URI's host and port succeeds within
 * TIMEOUT seconds: tells a TLS failure from a server that is not there. */
static bool tcp_reachable(const char *uri, double timeout)
{
	LDAPURLDesc *lud = NULL;
	struct addrinfo hints = {0}, *ai = NULL, *a;
	char port[16];
	bool reached = false;

	if (ldap_url_parse(uri, &lud) != LDAP_URL_SUCCESS || lud->lud_host == NULL ||
	    *lud->lud_host == '\0')
		goto done;
	snprintf(port, sizeof port, "%d", lud->lud_port ? lud->lud_port : 636);
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(lud->lud_host, port, &hints, &ai) != 0)
		goto done;
	for (a = ai; a != NULL && !reached; a = a->ai_next) {
		int fd = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
				a->ai_protocol);
		struct pollfd pfd;
		int soerr = 0;
		socklen_t len = sizeof soerr;

		if (fd < 0)
			continue;
		if (connect(fd, a->ai_addr, a->ai_addrlen) == 0) {
			reached = true;
		} else if (errno == EINPROGRESS) {
			pfd.fd = fd;
			pfd.events = POLLOUT;
			if (poll(&pfd, 1, (int)(timeout * 1000)) == 1 &&
			    getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) == 0 && soerr == 0)
				reached = true;
		}
		close(fd);
	}
done:
	if (ai)
		freeaddrinfo(ai);
	if (lud)
		ldap_free_urldesc(lud);
	return reached;
}

static char *tls_error(const ad_ldap_params *p, const char *what)
{
	return xasprintf("TLS handshake %s %s failed: the server certificate was not "
			 "accepted (not signed by %s%s, or it does not name the host "
			 "in the URI)", what, p->uri,
			 p->ca_file ? "the CA in " : "a CA trusted by this system",
			 p->ca_file ? p->ca_file : "");
}

char *ad_ldap_build_uri(const char *hostname, int port, bool ssl, char **err)
{
	LDAPURLDesc *lud = NULL;
	char *uri;

	if (strstr(hostname, "://") != NULL) {
		if (port != 0 || ssl) {
			*err = xstrdup("give the port and scheme inside the URI, not with -p or -S");
			return NULL;
		}
		uri = xstrdup(hostname);
	} else {
		bool v6 = strchr(hostname, ':') != NULL;

		if (*hostname == '\0' || strpbrk(hostname, "/?# \t")) {
			*err = xasprintf("invalid host name '%s'", hostname);
			return NULL;
		}
		uri = xasprintf("%s://%s%s%s:%d", ssl ? "ldaps" : "ldap",
				v6 ? "[" : "", hostname, v6 ? "]" : "",
				port ? port : (ssl ? 636 : 389));
	}
	if (ldap_url_parse(uri, &lud) != LDAP_URL_SUCCESS ||
	    (strcasecmp(lud->lud_scheme, "ldap") != 0 &&
	     strcasecmp(lud->lud_scheme, "ldaps") != 0 &&
	     strcasecmp(lud->lud_scheme, "ldapi") != 0)) {
		*err = xasprintf("invalid LDAP URI '%s' (expected ldap://, ldaps:// or ldapi://)", uri);
		if (lud)
			ldap_free_urldesc(lud);
		free(uri);
		return NULL;
	}
	ldap_free_urldesc(lud);
	return uri;
}

static int set_opt(ad_ldap *s, int option, const void *value, const char *name, char **err)
{
	if (ldap_set_option(s->ld, option, value) != LDAP_OPT_SUCCESS) {
		*err = xasprintf("cannot set LDAP option %s", name);
		return -1;
	}
	return 0;
}

static int configure(ad_ldap *s, const ad_ldap_params *p, char **err)
{
	int version = LDAP_VERSION3;
	int require = p->insecure ? LDAP_OPT_X_TLS_NEVER : LDAP_OPT_X_TLS_DEMAND;
	int newctx = 0;
	struct timeval tv;

	tv.tv_sec = (time_t)p->timeout;
	tv.tv_usec = (suseconds_t)((p->timeout - (double)tv.tv_sec) * 1e6);
	if (set_opt(s, LDAP_OPT_PROTOCOL_VERSION, &version, "protocol version", err) ||
	    set_opt(s, LDAP_OPT_REFERRALS, LDAP_OPT_OFF, "referrals", err) ||
	    set_opt(s, LDAP_OPT_NETWORK_TIMEOUT, &tv, "network timeout", err) ||
	    set_opt(s, LDAP_OPT_TIMEOUT, &tv, "operation timeout", err) ||
	    set_opt(s, LDAP_OPT_X_TLS_REQUIRE_CERT, &require, "TLS certificate check", err))
		return -1;
	if (p->ca_file != NULL &&
	    set_opt(s, LDAP_OPT_X_TLS_CACERTFILE, p->ca_file, "CA file", err))
		return -1;
	/* the TLS options above apply once a new context is made */
	return set_opt(s, LDAP_OPT_X_TLS_NEWCTX, &newctx, "TLS context", err);
}

static bool is_scheme(const char *uri, const char *scheme)
{
	size_t n = strlen(scheme);
	return strncasecmp(uri, scheme, n) == 0 && strncmp(uri + n, "://", 3) == 0;
}

static int sasl_interact(LDAP *ld, unsigned flags, void *defaults, void *in)
{
	sasl_interact_t *i = in;

	(void)ld;
	(void)flags;
	(void)defaults;
	/* GSSAPI and EXTERNAL need no answers: take the defaults */
	for (; i->id != SASL_CB_LIST_END; i++) {
		i->result = i->defresult ? i->defresult : "";
		i->len = (unsigned)strlen(i->result);
	}
	return LDAP_SUCCESS;
}

/* SASL security properties without a SASL security layer (inside TLS). */
#define SASL_SECPROPS_NO_LAYER "maxssf=0"

static int set_secprops(ad_ldap *s, const char *props, char **err)
{
	if (ldap_set_option(s->ld, LDAP_OPT_X_SASL_SECPROPS, props) != LDAP_OPT_SUCCESS) {
		*err = xasprintf("cannot set the SASL security properties %s", props);
		return -1;
	}
	return 0;
}

static int do_bind(ad_ldap *s, const ad_ldap_params *p, bool encrypted, char **err)
{
	struct berval cred;
	int rc;

	if (p->sasl_mech != NULL) {
		/* Inside TLS, Active Directory refuses SASL signing and sealing
		 * ("Sign or Seal are not allowed if TLS is used"): TLS already
		 * protects the connection.  (Samba allows GSSAPI inside TLS only
		 * with "ldap server require strong auth = allow_sasl_over_tls",
		 * and then behaves the same.) */
		if (encrypted && !is_scheme(s->uri, "ldapi") &&
		    set_secprops(s, SASL_SECPROPS_NO_LAYER, err) < 0)
			return -1;
		rc = ldap_sasl_interactive_bind_s(s->ld, NULL, p->sasl_mech, NULL, NULL,
						  LDAP_SASL_QUIET, sasl_interact, NULL);
		if (rc != LDAP_SUCCESS) {
			char *what = xasprintf("SASL %s bind to", p->sasl_mech);
			*err = ldap_error(s->ld, s->uri, rc, what);
			free(what);
			return -1;
		}
		return 0;
	}
	if (p->bind_dn == NULL)
		return 0; /* anonymous */
	if (p->password == NULL) {
		*err = xasprintf("no password for %s: use --password-file FILE or the "
				 "environment variable AD_BIND_PASSWORD", p->bind_dn);
		return -1;
	}
	if (!encrypted && !p->allow_plaintext) {
		*err = xasprintf("refusing a simple bind on %s without TLS: use ldaps:// "
				 "(-S), StartTLS (-T) or SASL GSSAPI, or allow it "
				 "explicitly with --allow-plaintext", s->uri);
		return -1;
	}
	cred.bv_val = (char *)p->password;
	cred.bv_len = strlen(p->password);
	rc = ldap_sasl_bind_s(s->ld, p->bind_dn, LDAP_SASL_SIMPLE, &cred, NULL, NULL, NULL);
	if (rc != LDAP_SUCCESS) {
		char *what = xasprintf("simple bind as %s to", p->bind_dn);
		*err = ldap_error(s->ld, s->uri, rc, what);
		free(what);
		return -1;
	}
	return 0;
}

ad_ldap *ad_ldap_open(const ad_ldap_params *p, char **err)
{
	ad_ldap *s = xcalloc(1, sizeof *s);
	bool encrypted;
	int rc;

	s->uri = xstrdup(p->uri);
	s->timeout = p->timeout;
	rc = ldap_initialize(&s->ld, p->uri);
	if (rc != LDAP_SUCCESS) {
		*err = xasprintf("invalid LDAP URI '%s': %s", p->uri, ldap_err2string(rc));
		goto fail;
	}
	if (configure(s, p, err) < 0)
		goto fail;
	if (p->starttls && !is_scheme(p->uri, "ldap")) {
		*err = xasprintf("StartTLS needs an ldap:// URI, not %s", p->uri);
		goto fail;
	}
	rc = ldap_connect(s->ld);
	if (rc != LDAP_SUCCESS) {
		if (is_scheme(p->uri, "ldaps") && tcp_reachable(p->uri, p->timeout))
			*err = tls_error(p, "with");
		else
			*err = ldap_error(s->ld, s->uri, rc, "cannot connect to");
		goto fail;
	}
	if (p->starttls) {
		rc = ldap_start_tls_s(s->ld, NULL, NULL);
		if (rc == LDAP_CONNECT_ERROR)
			*err = tls_error(p, "(StartTLS) on");
		else if (rc != LDAP_SUCCESS)
			*err = ldap_error(s->ld, s->uri, rc, "StartTLS failed on");
		if (rc != LDAP_SUCCESS)
			goto fail;
	}
	encrypted = p->starttls || is_scheme(p->uri, "ldaps") || is_scheme(p->uri, "ldapi");
	if (do_bind(s, p, encrypted, err) < 0)
		goto fail;
	return s;
fail:
	ad_ldap_close(s);
	return NULL;
}

void ad_ldap_close(ad_ldap *s)
{
	if (s == NULL)
		return;
	if (s->ld != NULL)
		ldap_unbind_ext_s(s->ld, NULL, NULL);
	free(s->uri);
	free(s);
}

const char *ad_ldap_uri(const ad_ldap *s)
{
	return s->uri;
}

LDAP *ad_ldap_handle(ad_ldap *s)
{
	return s->ld;
}

static struct timeval op_timeout(const ad_ldap *s)
{
	struct timeval tv;

	tv.tv_sec = (time_t)s->timeout;
	tv.tv_usec = (suseconds_t)((s->timeout - (double)tv.tv_sec) * 1e6);
	return tv;
}

struct first_value {
	char *found;
	char *only_context;
	int contexts;
};

static int rootdse_entry(ad_ldap *s, LDAPMessage *e, void *ctx)
{
	struct first_value *fv = ctx;
	struct berval **vals;

	fv->found = ad_ldap_first_value(s, e, "defaultNamingContext");
	vals = ldap_get_values_len(s->ld, e, "namingContexts");
	fv->contexts = vals ? ldap_count_values_len(vals) : 0;
	if (fv->contexts == 1)
		fv->only_context = xasprintf("%.*s", (int)vals[0]->bv_len, vals[0]->bv_val);
	ldap_value_free_len(vals);
	return 0;
}

char *ad_ldap_default_base(ad_ldap *s, char **err)
{
	static char *const attrs[] = {"defaultNamingContext", "namingContexts", NULL};
	struct first_value fv = {0};

	/* the RootDSE is not paged: a plain base search */
	LDAPMessage *res = NULL, *e;
	struct timeval tv = op_timeout(s);
	int rc = ldap_search_ext_s(s->ld, "", LDAP_SCOPE_BASE, "(objectClass=*)",
				   (char **)attrs, 0, NULL, NULL, &tv, 1, &res);

	if (rc != LDAP_SUCCESS) {
		*err = ldap_error(s->ld, s->uri, rc, "cannot read the RootDSE of");
		ldap_msgfree(res);
		return NULL;
	}
	e = ldap_first_entry(s->ld, res);
	if (e != NULL)
		rootdse_entry(s, e, &fv);
	ldap_msgfree(res);
	if (fv.found != NULL) {
		free(fv.only_context);
		return fv.found;
	}
	if (fv.only_context != NULL)
		return fv.only_context;
	*err = xasprintf("the RootDSE of %s has no defaultNamingContext (%d naming "
			 "contexts): give the base DN with -b", s->uri, fv.contexts);
	return NULL;
}

/* Handles the final result of one page; sets *COOKIE for the next page. */
static int page_result(ad_ldap *s, LDAPMessage *msg, const char *base,
		       struct berval *cookie, char **err)
{
	int code = LDAP_SUCCESS, rc;
	char *matched = NULL, *diag = NULL;
	LDAPControl **ctrls = NULL;
	ber_int_t estimate;

	rc = ldap_parse_result(s->ld, msg, &code, &matched, &diag, NULL, &ctrls, 0);
	if (rc != LDAP_SUCCESS) {
		*err = ldap_error(s->ld, s->uri, rc, "cannot read the search result from");
		goto done;
	}
	ber_memfree(cookie->bv_val);
	cookie->bv_val = NULL;
	cookie->bv_len = 0;
	if (code == LDAP_NO_SUCH_OBJECT) {
		*err = xasprintf("base DN '%s' does not exist on %s%s%s%s", base, s->uri,
				 matched && *matched ? " (nearest existing entry: " : "",
				 matched && *matched ? matched : "",
				 matched && *matched ? ")" : "");
		rc = -1;
		goto done;
	}
	if (code == LDAP_REFERRAL) {
		*err = xasprintf("base DN '%s' is not held by %s (the server answered "
				 "with a referral)", base, s->uri);
		rc = -1;
		goto done;
	}
	if (code == LDAP_SIZELIMIT_EXCEEDED) {
		*err = xasprintf("search on %s hit the server's size limit even though "
				 "results were paged; the answer would be incomplete", s->uri);
		rc = -1;
		goto done;
	}
	if (code != LDAP_SUCCESS) {
		strbuf b;
		strbuf_init(&b);
		strbuf_printf(&b, "search on %s failed: %s (%d)", s->uri,
			      ldap_err2string(code), code);
		if (diag && *diag)
			strbuf_printf(&b, ": %s", diag);
		*err = strbuf_take(&b);
		rc = -1;
		goto done;
	}
	if (ctrls != NULL) {
		LDAPControl *pc = ldap_control_find(LDAP_CONTROL_PAGEDRESULTS, ctrls, NULL);
		if (pc != NULL &&
		    ldap_parse_pageresponse_control(s->ld, pc, &estimate, cookie) != LDAP_SUCCESS) {
			*err = xasprintf("cannot read the paged results control from %s", s->uri);
			rc = -1;
			goto done;
		}
	}
	rc = 0;
done:
	ldap_memfree(matched);
	ldap_memfree(diag);
	ldap_controls_free(ctrls);
	return rc;
}

/* One page: sends the search and streams its entries to FN. */
static int search_page(ad_ldap *s, const char *base, int scope, const char *filter,
		       char *const *attrs, struct berval *cookie, ad_ldap_entry_fn fn,
		       void *ctx, unsigned *referrals, char **err)
{
	LDAPControl *page = NULL, *ctrls[2] = {NULL, NULL};
	LDAPMessage *msg = NULL;
	struct timeval tv = op_timeout(s);
	int msgid, rc, done = 0, ret = -1;

	rc = ldap_create_page_control(s->ld, AD_LDAP_PAGE_SIZE,
				      cookie->bv_len ? cookie : NULL, 0, &page);
	if (rc != LDAP_SUCCESS) {
		*err = ldap_error(s->ld, s->uri, rc, "cannot build the paged search for");
		return -1;
	}
	ctrls[0] = page;
	rc = ldap_search_ext(s->ld, base, scope, filter, (char **)attrs, 0, ctrls,
			     NULL, &tv, LDAP_NO_LIMIT, &msgid);
	ldap_control_free(page);
	if (rc != LDAP_SUCCESS) {
		*err = ldap_error(s->ld, s->uri, rc, "search failed on");
		return -1;
	}
	while (!done) {
		tv = op_timeout(s);
		rc = ldap_result(s->ld, msgid, LDAP_MSG_ONE, &tv, &msg);
		if (rc == 0) {
			*err = xasprintf("search on %s timed out", s->uri);
			ldap_abandon_ext(s->ld, msgid, NULL, NULL);
			return -1;
		}
		if (rc < 0) {
			int code = LDAP_OTHER;
			ldap_get_option(s->ld, LDAP_OPT_RESULT_CODE, &code);
			*err = ldap_error(s->ld, s->uri, code, "search failed on");
			return -1;
		}
		switch (ldap_msgtype(msg)) {
		case LDAP_RES_SEARCH_ENTRY:
			ret = fn(s, msg, ctx);
			if (ret != 0) {
				ldap_abandon_ext(s->ld, msgid, NULL, NULL);
				ldap_msgfree(msg);
				return ret;
			}
			break;
		case LDAP_RES_SEARCH_REFERENCE:
			if (referrals)
				(*referrals)++;
			break;
		case LDAP_RES_SEARCH_RESULT:
			ret = page_result(s, msg, base, cookie, err);
			done = 1;
			break;
		default:
			break;
		}
		ldap_msgfree(msg);
		msg = NULL;
	}
	return ret;
}

int ad_ldap_search(ad_ldap *s, const char *base, int scope, const char *filter,
		   char *const *attrs, ad_ldap_entry_fn fn, void *ctx,
		   unsigned *referrals, char **err)
{
	struct berval cookie = {0, NULL};
	int rc;

	*err = NULL;
	do {
		rc = search_page(s, base, scope, filter, attrs, &cookie, fn, ctx,
				 referrals, err);
	} while (rc == 0 && cookie.bv_len > 0);
	ber_memfree(cookie.bv_val);
	return rc;
}

char *ad_ldap_entry_dn(ad_ldap *s, LDAPMessage *entry)
{
	char *dn = ldap_get_dn(s->ld, entry), *copy;

	copy = xstrdup(dn ? dn : "");
	ldap_memfree(dn);
	return copy;
}

char *ad_ldap_first_value(ad_ldap *s, LDAPMessage *entry, const char *attr)
{
	struct berval **vals = ldap_get_values_len(s->ld, entry, attr);
	char *v = NULL;

	if (vals != NULL && vals[0] != NULL)
		v = xasprintf("%.*s", (int)vals[0]->bv_len, vals[0]->bv_val);
	ldap_value_free_len(vals);
	return v;
}

int ad_ldap_int_value(ad_ldap *s, LDAPMessage *entry, const char *attr, long long *out)
{
	char *v = ad_ldap_first_value(s, entry, attr), *end;
	int rc = -1;

	if (v != NULL && *v != '\0') {
		*out = strtoll(v, &end, 10);
		rc = *end == '\0' ? 0 : -1;
	}
	free(v);
	return rc;
}

bool ad_ldap_has_value(ad_ldap *s, LDAPMessage *entry, const char *attr)
{
	struct berval **vals = ldap_get_values_len(s->ld, entry, attr);
	bool has = vals != NULL && vals[0] != NULL;

	ldap_value_free_len(vals);
	return has;
}

bool ad_ldap_has_class(ad_ldap *s, LDAPMessage *entry, const char *name)
{
	struct berval **vals = ldap_get_values_len(s->ld, entry, "objectClass");
	bool has = false;

	for (int i = 0; vals && vals[i]; i++)
		if (vals[i]->bv_len == strlen(name) &&
		    strncasecmp(vals[i]->bv_val, name, vals[i]->bv_len) == 0)
			has = true;
	ldap_value_free_len(vals);
	return has;
}
