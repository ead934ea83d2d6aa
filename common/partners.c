/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <arpa/nameser.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <resolv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "connect.h"
#include "partners.h"
#include "strlist.h"

/* Applies one scalar setting of a partner entry to O; NULL or a reason. */
static const char *apply_setting(ad_common_opts *o, const config_setting_t *s)
{
	char num[32];
	const char *err = NULL;
	int is_bool;
	const char *value = ad_config_scalar_text(s, num, sizeof num, &is_bool);

	if (value == NULL)
		return "must be a string, a number or true/false";
	if (ad_common_opts_set_connection(o, config_setting_name(s), value, is_bool, &err) < 0)
		return err;
	return NULL;
}

int ad_partners_check_config(const ad_config *cfg, char **err)
{
	const config_setting_t *list = cfg ? ad_config_lookup(cfg, "partners") : NULL;
	int n;

	if (list == NULL)
		return 0;
	if (!config_setting_is_list(list)) {
		*err = xasprintf("config file %s line %d: 'partners' must be a list ( ... )",
				 ad_config_path(cfg), config_setting_source_line(list));
		return -1;
	}
	n = config_setting_length(list);
	for (int i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(list, (unsigned)i);
		const char *domain = NULL;
		ad_common_opts probe = {0};
		int line = config_setting_source_line(e);

		if (!config_setting_is_group(e) ||
		    !config_setting_lookup_string(e, "domain", &domain) || !*domain) {
			*err = xasprintf("config file %s line %d: each entry of 'partners' needs "
					 "domain = \"...\"", ad_config_path(cfg), line);
			return -1;
		}
		for (int k = 0; k < config_setting_length(e); k++) {
			const config_setting_t *s = config_setting_get_elem(e, (unsigned)k);
			const char *why;

			if (strcmp(config_setting_name(s), "domain") == 0)
				continue;
			why = apply_setting(&probe, s);
			if (why != NULL) {
				*err = xasprintf("config file %s line %d: partner %s: %s: %s",
						 ad_config_path(cfg), config_setting_source_line(s),
						 domain, config_setting_name(s), why);
				ad_common_opts_free(&probe);
				return -1;
			}
		}
		ad_common_opts_free(&probe);
	}
	return 0;
}

static const config_setting_t *find_entry(const ad_config *cfg, const char *domain,
					  const char *flat)
{
	const config_setting_t *list = cfg ? ad_config_lookup(cfg, "partners") : NULL;
	int n = list ? config_setting_length(list) : 0;

	for (int i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(list, (unsigned)i);
		const char *d = NULL;

		if (config_setting_lookup_string(e, "domain", &d) &&
		    (strcasecmp(d, domain) == 0 || (*flat && strcasecmp(d, flat) == 0)))
			return e;
	}
	return NULL;
}

void ad_partners_add(ad_partner_list *l, const ad_config *cfg,
		     const ad_common_opts *main_opts, const char *domain,
		     const char *flat_name)
{
	const config_setting_t *e = find_entry(cfg, domain, flat_name);
	ad_partner *p;

	l->items = xrealloc(l->items, (l->n + 1) * sizeof *l->items);
	p = &l->items[l->n++];
	memset(p, 0, sizeof *p);
	p->domain = xstrdup(domain);
	p->flat_name = xstrdup(flat_name);
	ad_common_opts_copy(&p->opts, main_opts);
	/* the main connection's host and base are not the partner's */
	free(p->opts.hostname);
	free(p->opts.base);
	p->opts.hostname = NULL;
	p->opts.base = NULL;
	p->opts.port = 0;
	p->main_ldaps = main_opts->ssl || (main_opts->hostname != NULL &&
					   strncasecmp(main_opts->hostname, "ldaps://", 8) == 0);
	/* the main connection already pointed Kerberos at the keytab; the
	 * environment must not be changed again from the scanning threads */
	free(p->opts.keytab);
	p->opts.keytab = NULL;
	if (e != NULL) {
		p->from_config = true;
		/* an entry's own hostname brings its own scheme and port */
		const char *host = NULL;
		if (config_setting_lookup_string(e, "hostname", &host)) {
			p->opts.ssl = false;
			if (strncasecmp(host, "ldaps://", 8) == 0)
				p->opts.starttls = false;
		}
		for (int k = 0; k < config_setting_length(e); k++) {
			const config_setting_t *s = config_setting_get_elem(e, (unsigned)k);
			if (strcmp(config_setting_name(s), "domain") != 0)
				apply_setting(&p->opts, s); /* checked before */
		}
	}
}

/* The domain controller that DNS SRV names first (lowest priority, then
 * highest weight) for _ldap._tcp.DOMAIN. */
static int srv_lookup(const char *domain, bool has_entry, char *host, size_t hostsize,
		      int *port, char **err)
{
	unsigned char answer[NS_MAXMSG];
	char name[NS_MAXDNAME];
	struct __res_state rs;
	ns_msg msg;
	ns_rr rr;
	int len, best_prio = 65536, best_weight = -1, rc = -1;

	memset(&rs, 0, sizeof rs);
	if (res_ninit(&rs) != 0) {
		*err = xstrdup("cannot initialise the DNS resolver");
		return -1;
	}
	rs.retrans = 2;
	rs.retry = 1;
	snprintf(name, sizeof name, "_ldap._tcp.%s", domain);
	len = res_nquery(&rs, name, ns_c_in, ns_t_srv, answer, sizeof answer);
	if (len > (int)sizeof answer) /* glibc returns the full length of a larger answer */
		len = (int)sizeof answer;
	if (len < 0 || ns_initparse(answer, len, &msg) < 0) {
		*err = xasprintf("no DNS SRV record %s %s", name,
				 has_entry ? "(its partners entry names no hostname)"
					   : "and no entry in the config's partners list");
		goto done;
	}
	for (int i = 0; i < ns_msg_count(msg, ns_s_an); i++) {
		const unsigned char *rd;
		char target[NS_MAXDNAME];
		int prio, weight;

		if (ns_parserr(&msg, ns_s_an, i, &rr) < 0 || ns_rr_type(rr) != ns_t_srv ||
		    ns_rr_rdlen(rr) < 7)
			continue;
		rd = ns_rr_rdata(rr);
		prio = ns_get16(rd);
		weight = ns_get16(rd + 2);
		if (dn_expand(ns_msg_base(msg), ns_msg_end(msg), rd + 6, target, sizeof target) < 0 ||
		    target[0] == '\0' || strcmp(target, ".") == 0)
			continue; /* "." means: no such service */
		if (prio < best_prio || (prio == best_prio && weight > best_weight)) {
			best_prio = prio;
			best_weight = weight;
			*port = ns_get16(rd + 4);
			snprintf(host, hostsize, "%s", target);
			rc = 0;
		}
	}
	if (rc != 0)
		*err = xasprintf("DNS SRV lookup of %s gave no usable record", name);
done:
	res_nclose(&rs);
	return rc;
}

/* Where a partner's scan is, for the report when it does not finish. */
enum stage { STAGE_WAITING, STAGE_DNS, STAGE_CONNECTING, STAGE_SEARCHING };

/* One partner's scan.  The thread works on its own copy of the partner, so
 * a scan still running at the deadline can be left behind: whichever of the
 * thread and the caller lets go of the job last frees it. */
struct job {
	struct scan *scan;
	ad_partner work;
	enum stage stage;      /* under scan->lock */
	bool done;             /* under scan->lock */
	bool abandoned;        /* under scan->lock */
};

struct scan {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	unsigned refs;         /* the caller and each running thread */
};

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void free_fields(ad_partner *p)
{
	free(p->domain);
	free(p->flat_name);
	free(p->uri);
	free(p->error);
	free(p->base);
	ad_common_opts_free(&p->opts);
	ad_account_list_free(&p->accounts);
	memset(p, 0, sizeof *p);
}

static void set_stage(struct job *j, enum stage st)
{
	pthread_mutex_lock(&j->scan->lock);
	j->stage = st;
	pthread_mutex_unlock(&j->scan->lock);
}

static void scan_release(struct scan *sc)
{
	unsigned left;

	pthread_mutex_lock(&sc->lock);
	left = --sc->refs;
	pthread_mutex_unlock(&sc->lock);
	if (left == 0) {
		pthread_cond_destroy(&sc->cond);
		pthread_mutex_destroy(&sc->lock);
		free(sc);
	}
}

static void scan_one(struct job *j, double timeout)
{
	ad_partner *p = &j->work;
	double t0 = now_seconds();
	ad_ldap *s;

	if (p->opts.hostname == NULL) {
		char host[NS_MAXDNAME];
		int port = 389;

		/* the main connection's password is not sent to a server found
		 * only through the partner's DNS unless the admin listed the
		 * partner in the config (Kerberos sends no password) */
		if (p->opts.sasl_mech == NULL && p->opts.bind_dn != NULL && !p->from_config) {
			p->error = xasprintf("no partners entry in the config file: the main "
					     "connection's password is not sent to a server found "
					     "by DNS (add an entry, or use -Y GSSAPI)");
			goto done;
		}

		set_stage(j, STAGE_DNS);
		if (srv_lookup(p->domain, p->from_config, host, sizeof host, &port, &p->error) < 0)
			goto done;
		/* LDAPS when the main connection used it (SRV names port 389);
		 * otherwise the SRV port, with StartTLS if the main one used it */
		p->opts.hostname = p->main_ldaps ? xasprintf("ldaps://%s:636", host)
						 : xasprintf("ldap://%s:%d", host, port);
		p->opts.ssl = false;
		p->opts.port = 0;
	}
	p->uri = ad_ldap_build_uri(p->opts.hostname, p->opts.port, p->opts.ssl, &p->error);
	if (p->uri == NULL)
		goto done;
	set_stage(j, STAGE_CONNECTING);
	s = ad_connect(&p->opts, timeout, &p->base, &p->error);
	if (s == NULL)
		goto done;
	set_stage(j, STAGE_SEARCHING);
	if (ad_find_delegation_accounts(s, p->base, AD_FIND_UNCONSTRAINED, &p->accounts,
					&p->error) == 0)
		p->ok = true;
	ad_ldap_close(s);
done:
	p->seconds = now_seconds() - t0;
}

struct thread_arg {
	struct job *job;
	double timeout;
};

static void *scan_thread(void *arg)
{
	struct thread_arg *a = arg;
	struct job *j = a->job;
	struct scan *sc = j->scan;
	bool abandoned;

	scan_one(j, a->timeout);
	free(a);
	pthread_mutex_lock(&sc->lock);
	j->done = true;
	abandoned = j->abandoned;
	pthread_cond_signal(&sc->cond);
	pthread_mutex_unlock(&sc->lock);
	if (abandoned) {
		free_fields(&j->work);
		free(j);
	}
	scan_release(sc);
	return NULL;
}

static struct job *job_new(struct scan *sc, const ad_partner *p)
{
	struct job *j = xcalloc(1, sizeof *j);

	j->scan = sc;
	j->stage = STAGE_WAITING;
	j->work.domain = xstrdup(p->domain);
	j->work.flat_name = xstrdup(p->flat_name);
	ad_common_opts_copy(&j->work.opts, &p->opts);
	j->work.from_config = p->from_config;
	j->work.main_ldaps = p->main_ldaps;
	return j;
}

/* Starts J's thread (joinable: a finished one is joined, one left behind
 * detached); 0, or an error number. */
static int start_thread(struct job *j, double timeout, pthread_t *tid)
{
	struct thread_arg *a = xcalloc(1, sizeof *a);
	int rc;

	a->job = j;
	a->timeout = timeout;
	pthread_mutex_lock(&j->scan->lock);
	j->scan->refs++;
	pthread_mutex_unlock(&j->scan->lock);
	rc = pthread_create(tid, NULL, scan_thread, a);
	if (rc != 0) {
		free(a);
		pthread_mutex_lock(&j->scan->lock);
		j->scan->refs--; /* the caller holds one, so never the last */
		pthread_mutex_unlock(&j->scan->lock);
	}
	return rc;
}

/* Hands a finished job's results to P, or, for one still running, leaves it
 * to its thread and says where it was. */
static void collect(ad_partner *p, struct job *j, double budget)
{
	if (j->done) {
		p->ok = j->work.ok;
		p->seconds = j->work.seconds;
		p->uri = j->work.uri;
		p->error = j->work.error;
		p->base = j->work.base;
		p->accounts = j->work.accounts;
		j->work.uri = j->work.error = j->work.base = NULL;
		memset(&j->work.accounts, 0, sizeof j->work.accounts);
		free_fields(&j->work);
		free(j);
		return;
	}
	j->abandoned = true;
	p->ok = false;
	p->seconds = budget;
	switch (j->stage) {
	case STAGE_WAITING:
		p->error = xasprintf("no answer within %.1f s: the scan had not begun", budget);
		break;
	case STAGE_DNS:
		p->error = xasprintf("no answer within %.1f s while looking up the DNS SRV "
				     "record _ldap._tcp.%s", budget, p->domain);
		break;
	case STAGE_CONNECTING:
		p->uri = xstrdup(j->work.uri);
		p->error = xasprintf("no answer within %.1f s while connecting and binding to %s",
				     budget, j->work.uri);
		break;
	case STAGE_SEARCHING:
		p->uri = xstrdup(j->work.uri);
		p->error = xasprintf("no answer within %.1f s while searching %s for "
				     "unconstrained accounts", budget, j->work.uri);
		break;
	}
}

size_t ad_partners_scan(ad_partner_list *l, double budget)
{
	struct scan *sc = xcalloc(1, sizeof *sc);
	struct job **jobs = xcalloc(l->n ? l->n : 1, sizeof *jobs);
	pthread_t *tids = xcalloc(l->n ? l->n : 1, sizeof *tids);
	bool *started = xcalloc(l->n ? l->n : 1, sizeof *started);
	bool *finished = xcalloc(l->n ? l->n : 1, sizeof *finished);
	pthread_condattr_t cattr;
	struct timespec until;
	double deadline = now_seconds() + budget;
	size_t abandoned = 0;

	pthread_mutex_init(&sc->lock, NULL);
	pthread_condattr_init(&cattr);
	pthread_condattr_setclock(&cattr, CLOCK_MONOTONIC);
	pthread_cond_init(&sc->cond, &cattr);
	pthread_condattr_destroy(&cattr);
	sc->refs = 1;

	for (size_t i = 0; i < l->n; i++) {
		int rc;

		jobs[i] = job_new(sc, &l->items[i]);
		rc = start_thread(jobs[i], budget, &tids[i]);
		started[i] = rc == 0;
		if (rc != 0) {
			/* scanning in line would not keep the deadline */
			jobs[i]->work.error = xasprintf("cannot start a thread to scan it: %s",
							strerror(rc));
			jobs[i]->done = true;
		}
	}

	until.tv_sec = (time_t)deadline;
	until.tv_nsec = (long)((deadline - (double)until.tv_sec) * 1e9);
	pthread_mutex_lock(&sc->lock);
	for (;;) {
		size_t pending = 0;

		for (size_t i = 0; i < l->n; i++)
			pending += !jobs[i]->done;
		if (pending == 0 || pthread_cond_timedwait(&sc->cond, &sc->lock, &until) == ETIMEDOUT)
			break;
	}
	for (size_t i = 0; i < l->n; i++) {
		finished[i] = jobs[i]->done;
		abandoned += !finished[i];
		collect(&l->items[i], jobs[i], budget);
	}
	pthread_mutex_unlock(&sc->lock);
	/* a finished thread is joined, so that none is still ending while the
	 * process exits; one left behind is let go */
	for (size_t i = 0; i < l->n; i++)
		if (started[i] && finished[i])
			pthread_join(tids[i], NULL);
		else if (started[i])
			pthread_detach(tids[i]);
	free(finished);
	free(started);
	free(tids);
	free(jobs);
	scan_release(sc);
	return abandoned;
}

void ad_partner_list_free(ad_partner_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free_fields(&l->items[i]);
	free(l->items);
	l->items = NULL;
	l->n = 0;
}
