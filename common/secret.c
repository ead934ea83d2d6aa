/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "secret.h"
#include "strlist.h"

char *ad_secret_read_file(const char *path, char **err)
{
	struct stat st;
	char buf[AD_SECRET_MAX + 1];
	char *secret = NULL;
	ssize_t got;
	size_t len = 0;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		*err = xasprintf("cannot open password file %s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		*err = xasprintf("password file %s is not a regular file", path);
		goto done;
	}
	if (st.st_mode & (S_IRWXG | S_IRWXO)) {
		*err = xasprintf("password file %s is accessible by others (mode %04o); "
				 "chmod 600 it", path, (unsigned)(st.st_mode & 07777));
		goto done;
	}
	while (len <= AD_SECRET_MAX &&
	       (got = read(fd, buf + len, sizeof buf - len)) != 0) {
		if (got < 0) {
			if (errno == EINTR)
				continue;
			*err = xasprintf("cannot read password file %s: %s", path, strerror(errno));
			goto done;
		}
		len += (size_t)got;
	}
	if (len > AD_SECRET_MAX) {
		*err = xasprintf("password file %s is larger than %d bytes", path, AD_SECRET_MAX);
		goto done;
	}
	buf[len] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	if (buf[0] == '\0') {
		*err = xasprintf("password file %s is empty", path);
		goto done;
	}
	secret = xstrdup(buf);
done:
	explicit_bzero(buf, sizeof buf);
	close(fd);
	return secret;
}

char *ad_secret_from_env(void)
{
	const char *v = getenv(AD_PASSWORD_ENV);

	return (v != NULL && *v != '\0') ? xstrdup(v) : NULL;
}

void ad_secret_free(char *secret)
{
	if (secret != NULL) {
		explicit_bzero(secret, strlen(secret));
		free(secret);
	}
}
