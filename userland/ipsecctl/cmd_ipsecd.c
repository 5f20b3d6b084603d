// SPDX-License-Identifier: GPL-2.0
/*
 * ipsecctl ike list, up, down, rekey, reload: requests to ipsecd over its
 * control socket rather than to the kernel.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "ipsecctl/ipsecctl.h"

/*
 * ike/up/down/rekey/reload go to ipsecd, not to the kernel: one request line on its
 * control socket, answered by "OK ..." or "ERROR ..." and a body that
 * ipsecd has already rendered in the format asked for.
 */
int cmd_ipsecd(struct context *ctx)
{
	const struct ipsecctl_request *req = ctx->req;
	const char *path = req->socket_path ? req->socket_path :
			   getenv("IPSECD_SOCKET") ? getenv("IPSECD_SOCKET") :
			   IPSECCTL_DEFAULT_SOCKET;
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char line[1024], request[128];
	bool first = true, ok = false;
	FILE *in;
	int fd;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "ipsecctl: %s: socket path too long\n", req->name);
		return EXIT_FAILURE_STATUS;
	}
	memcpy(sun.sun_path, path, strlen(path) + 1);
	if (req->cmd == IPSECCTL_CMD_IKE_LIST)
		snprintf(request, sizeof(request), "list %s\n",
			 ctx->format == OUTPUT_JSON ? "json" :
			 ctx->format == OUTPUT_TSV ? "tsv" : "table");
	else if (req->cmd == IPSECCTL_CMD_RELOAD)
		snprintf(request, sizeof(request), "reload\n");
	else
		snprintf(request, sizeof(request), "%s %s\n",
			 req->cmd == IPSECCTL_CMD_UP ? "up" :
			 req->cmd == IPSECCTL_CMD_REKEY ? "rekey" : "down",
			 req->conn_name);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof(sun))) {
		fprintf(stderr, "ipsecctl: %s: cannot reach ipsecd at %s: %s\n",
			req->name, path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return EXIT_FAILURE_STATUS;
	}
	if (write(fd, request, strlen(request)) != (ssize_t)strlen(request)) {
		fprintf(stderr, "ipsecctl: %s: writing to ipsecd: %s\n", req->name,
			strerror(errno));
		close(fd);
		return EXIT_FAILURE_STATUS;
	}
	in = fdopen(fd, "r");
	if (!in) {
		close(fd);
		return EXIT_FAILURE_STATUS;
	}
	while (fgets(line, sizeof(line), in)) {
		if (!first) {
			fputs(line, stdout);
			continue;
		}
		first = false;
		line[strcspn(line, "\n")] = '\0';
		ok = !strncmp(line, "OK", 2);
		if (!ok)
			fprintf(stderr, "ipsecctl: %s: ipsecd: %s\n", req->name,
				!strncmp(line, "ERROR ", 6) ? line + 6 : line);
		else if (line[2] == ' ' && req->cmd != IPSECCTL_CMD_IKE_LIST)
			printf("%s\n", line + 3);
	}
	fclose(in);
	if (first) {
		fprintf(stderr, "ipsecctl: %s: ipsecd closed the connection without an answer\n",
			req->name);
		return EXIT_FAILURE_STATUS;
	}
	return ok ? EXIT_OK : EXIT_FAILURE_STATUS;
}
