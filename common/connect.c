/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "connect.h"
#include "secret.h"
#include "strlist.h"

void ad_use_client_keytab(const char *keytab)
{
	setenv("KRB5_CLIENT_KTNAME", keytab, 1);
	/* never touch the user's own ticket cache */
	setenv("KRB5CCNAME", "MEMORY:ad-delegation-plugins", 1);
}

ad_ldap *ad_connect(const ad_common_opts *o, double timeout, char **base, char **err)
{
	ad_ldap_params p = {0};
	ad_ldap *s = NULL;
	char *uri, *password = NULL;

	*base = NULL;
	uri = ad_ldap_build_uri(o->hostname, o->port, o->ssl, err);
	if (uri == NULL)
		return NULL;
	if (o->keytab != NULL) {
		if (access(o->keytab, R_OK) != 0) {
			*err = xasprintf("cannot read keytab %s", o->keytab);
			goto done;
		}
		ad_use_client_keytab(o->keytab);
	}
	if (o->sasl_mech == NULL && o->bind_dn != NULL) {
		if (o->password_file != NULL) {
			password = ad_secret_read_file(o->password_file, err);
			if (password == NULL)
				goto done;
		} else {
			password = ad_secret_from_env();
		}
		if (password == NULL) {
			*err = xasprintf("no password for %s: use --password-file FILE or "
					 "the environment variable AD_BIND_PASSWORD", o->bind_dn);
			goto done;
		}
	}
	p.uri = uri;
	p.starttls = o->starttls;
	p.ca_file = o->ca_file;
	p.insecure = o->insecure;
	p.allow_plaintext = o->allow_plaintext;
	p.bind_dn = o->bind_dn;
	p.password = password;
	p.sasl_mech = o->sasl_mech;
	p.timeout = timeout;
	if (o->ca_file != NULL && access(o->ca_file, R_OK) != 0) {
		*err = xasprintf("cannot read CA file %s", o->ca_file);
		goto done;
	}
	ad_debug(o, 2, "connecting to %s (StartTLS %s, CA %s, certificate check %s, timeout %.1f s)",
		 uri, o->starttls ? "yes" : "no", o->ca_file ? o->ca_file : "system default",
		 o->insecure ? "off" : "on", timeout);
	ad_debug(o, 2, "bind: %s%s%s", o->sasl_mech ? "SASL " : (o->bind_dn ? "simple as " : "anonymous"),
		 o->sasl_mech ? o->sasl_mech : (o->bind_dn ? o->bind_dn : ""),
		 password ? (o->password_file ? ", password from file" : ", password from AD_BIND_PASSWORD") : "");
	s = ad_ldap_open(&p, err);
	if (s == NULL)
		goto done;
	*base = o->base ? xstrdup(o->base) : ad_ldap_default_base(s, err);
	if (*base != NULL)
		ad_debug(o, 2, "search base %s%s", *base, o->base ? "" : " (defaultNamingContext)");
	if (*base == NULL) {
		ad_ldap_close(s);
		s = NULL;
	}
done:
	ad_secret_free(password);
	free(uri);
	return s;
}
