// SPDX-License-Identifier: GPL-2.0
/*
 * What the configuration parser (config.c) and the secrets parser
 * (secrets.c) share: "file:line: " in front of every error, blanks
 * trimmed, and a file read whole, safely, into memory that is wiped when
 * freed.
 */
#include "ipsecd/config_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

int perr(struct parser *p, const char *fmt, ...)
{
	size_t used;
	va_list ap;

	used = (size_t)snprintf(p->err, p->errlen, "%s:%u: ", p->file, p->line);
	if (used >= p->errlen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(p->err + used, p->errlen - used, fmt, ap);
	va_end(ap);
	return -1;
}

char *trim(char *s)
{
	char *end;

	while (*s == ' ' || *s == '\t')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
		*--end = '\0';
	return s;
}

/*
 * Reads a whole text file into a NUL-terminated sodium_malloc() buffer;
 * one with a NUL byte in it is refused, as the parsers see a C string.
 */
char *read_file(const char *path, bool secret, char *err, size_t errlen)
{
	struct stat sb;
	char *buf;
	ssize_t n;
	size_t len = 0;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &sb) || !S_ISREG(sb.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		close(fd);
		return NULL;
	}
	if (secret && (sb.st_mode & 077)) {
		snprintf(err, errlen, "%s: readable or writable by group or others (mode %04o); refusing to use it, chmod 600 it",
			 path, (unsigned int)(sb.st_mode & 07777));
		close(fd);
		return NULL;
	}
	if (secret && sb.st_uid != geteuid()) {
		snprintf(err, errlen, "%s: owned by uid %u, not by us (uid %u); refusing to use it",
			 path, (unsigned int)sb.st_uid, (unsigned int)geteuid());
		close(fd);
		return NULL;
	}
	if (sb.st_size > FILE_MAX_LEN) {
		snprintf(err, errlen, "%s: larger than %d bytes", path, FILE_MAX_LEN);
		close(fd);
		return NULL;
	}
	buf = sodium_malloc((size_t)sb.st_size + 1);
	if (!buf) {
		snprintf(err, errlen, "%s: out of memory", path);
		close(fd);
		return NULL;
	}
	while (len < (size_t)sb.st_size) {
		n = read(fd, buf + len, (size_t)sb.st_size - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	if (memchr(buf, '\0', len)) {
		snprintf(err, errlen, "%s: contains a NUL byte", path);
		sodium_free(buf);
		return NULL;
	}
	buf[len] = '\0';
	return buf;
}
