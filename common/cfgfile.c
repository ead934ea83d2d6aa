/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cfgfile.h"
#include "strlist.h"

struct ad_config {
	config_t cfg;
	char *path;
	char *section_name;
	const config_setting_t *section;  /* may be NULL */
	const config_setting_t *defaults; /* may be NULL */
};

ad_config *ad_config_load(const char *path, const char *section,
			  int section_required, char **err)
{
	ad_config *c;
	struct stat st;

	if (stat(path, &st) < 0) {
		*err = xasprintf("cannot read config file %s: %s", path, strerror(errno));
		return NULL;
	}
	if (!S_ISREG(st.st_mode)) {
		*err = xasprintf("config file %s is not a regular file", path);
		return NULL;
	}
	c = xcalloc(1, sizeof *c);
	config_init(&c->cfg);
	c->path = xstrdup(path);
	c->section_name = xstrdup(section);
	if (config_read_file(&c->cfg, path) != CONFIG_TRUE) {
		if (config_error_type(&c->cfg) == CONFIG_ERR_FILE_IO)
			*err = xasprintf("cannot read config file %s", path);
		else
			*err = xasprintf("config file %s line %d: %s", path,
					 config_error_line(&c->cfg),
					 config_error_text(&c->cfg));
		ad_config_free(c);
		return NULL;
	}
	c->defaults = config_lookup(&c->cfg, AD_CONFIG_DEFAULTS);
	c->section = config_lookup(&c->cfg, section);
	if ((c->defaults && !config_setting_is_group(c->defaults)) ||
	    (c->section && !config_setting_is_group(c->section))) {
		*err = xasprintf("config file %s: '%s' and '%s' must be groups { ... }",
				 path, AD_CONFIG_DEFAULTS, section);
		ad_config_free(c);
		return NULL;
	}
	if (c->section == NULL && section_required) {
		*err = xasprintf("config file %s has no section '%s'", path, section);
		ad_config_free(c);
		return NULL;
	}
	return c;
}

void ad_config_free(ad_config *c)
{
	if (c == NULL)
		return;
	config_destroy(&c->cfg);
	free(c->path);
	free(c->section_name);
	free(c);
}

const char *ad_config_path(const ad_config *c)
{
	return c->path;
}

const char *ad_config_section(const ad_config *c)
{
	return c->section_name;
}

const char *ad_config_scalar_text(const config_setting_t *s, char *buf, size_t size,
				  int *is_bool)
{
	*is_bool = 0;
	switch (config_setting_type(s)) {
	case CONFIG_TYPE_INT:
		snprintf(buf, size, "%d", config_setting_get_int(s));
		return buf;
	case CONFIG_TYPE_INT64:
		snprintf(buf, size, "%lld", config_setting_get_int64(s));
		return buf;
	case CONFIG_TYPE_FLOAT:
		snprintf(buf, size, "%.6f", config_setting_get_float(s));
		return buf;
	case CONFIG_TYPE_BOOL:
		*is_bool = 1;
		return config_setting_get_bool(s) ? "true" : "false";
	case CONFIG_TYPE_STRING:
		return config_setting_get_string(s);
	default:
		return NULL; /* groups and lists */
	}
}

static int foreach_in(const config_setting_t *group, int layer, ad_config_scalar_fn fn,
		      void *ctx)
{
	char num[64];
	int n, rc, is_bool;

	if (group == NULL)
		return 0;
	n = config_setting_length(group);
	for (int i = 0; i < n; i++) {
		const config_setting_t *s = config_setting_get_elem(group, (unsigned)i);
		const char *value = ad_config_scalar_text(s, num, sizeof num, &is_bool);

		if (value == NULL)
			continue; /* groups and lists: read by the plugin */
		rc = fn(config_setting_name(s), value, is_bool,
			config_setting_source_line(s), layer, ctx);
		if (rc != 0)
			return rc;
	}
	return 0;
}

int ad_config_foreach_scalar(const ad_config *c, ad_config_scalar_fn fn, void *ctx)
{
	int rc = foreach_in(c->defaults, AD_CONFIG_LAYER_DEFAULTS, fn, ctx);

	return rc != 0 ? rc : foreach_in(c->section, AD_CONFIG_LAYER_SECTION, fn, ctx);
}

const config_setting_t *ad_config_lookup(const ad_config *c, const char *key)
{
	const config_setting_t *s = NULL;

	if (c->section != NULL)
		s = config_setting_get_member(c->section, key);
	if (s == NULL && c->defaults != NULL)
		s = config_setting_get_member(c->defaults, key);
	return s;
}
