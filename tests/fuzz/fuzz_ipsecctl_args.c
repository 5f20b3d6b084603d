// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for ipsecctl's command line (ipsecctl_parse(): argv in,
 * a request out). The input is the argument list after the program name,
 * one argument per NUL-terminated piece, as the kernel lays out
 * /proc/PID/cmdline.
 *
 * Besides not crashing, the parser keeps the promises the tool relies on:
 * a refusal says "ipsecctl: ..." and leaves no key in the request, nor in
 * argv once taken as a key; an accepted request is within the ranges the
 * netlink code assumes; and a key never reaches an error message. Rules
 * the kernel enforces with its own message (an SPI range's min <= max,
 * key lengths per algorithm) are left to it, as the tool leaves them.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <netinet/in.h>
#include <sodium.h>

#include "ipsecctl/args.h"

#define FUZZ_MAX_ARGS 64

static bool all_zero(const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i])
			return false;
	return true;
}

static bool is_arg(char **argv, int argc, const char *p)
{
	int i;

	for (i = 1; i < argc; i++)
		if (argv[i] == p)
			return true;
	return false;
}

static void check_prefix(const struct ip_addr *a, uint8_t plen)
{
	if (a->family != 0 && a->family != AF_INET && a->family != AF_INET6)
		abort();
	if (plen > ip_addr_len(a) * 8)
		abort();
}

static void check_ports(const struct ipsecctl_ports *p)
{
	if (p->has && p->min > p->max)
		abort();
}

static void check_accepted(const struct ipsecctl_request *req, char **argv,
			   int argc)
{
	const struct ipsecctl_policy *pol = &req->pol;
	const char *help;

	if (req->cmd == IPSECCTL_CMD_NONE)
		abort();
	help = ipsecctl_help_text(req->help);
	if (!help || !*help)
		abort();
	if (req->enc_key_len > IPSECCTL_KEY_MAX ||
	    req->auth_key_len > IPSECCTL_KEY_MAX)
		abort();
	/* A key given is a key decoded, from an argument of this argv. */
	if (req->enc_key_arg &&
	    (!is_arg(argv, argc, req->enc_key_arg) || !req->enc_key_len))
		abort();
	if (req->auth_key_arg &&
	    (!is_arg(argv, argc, req->auth_key_arg) || !req->auth_key_len))
		abort();
	if (!req->has_enc && (req->enc_key_len || req->enc_key_arg))
		abort();
	if (!req->has_auth && (req->auth_key_len || req->auth_key_arg))
		abort();
	if (req->proto && req->proto != IPPROTO_ESP && req->proto != IPPROTO_AH)
		abort();
	check_prefix(&req->src, 0);
	check_prefix(&req->dst, 0);
	check_prefix(&pol->src, pol->src_plen);
	check_prefix(&pol->dst, pol->dst_plen);
	check_ports(&pol->sport);
	check_ports(&pol->dport);
}

/*
 * After a refusal: nothing of a key in the request, every argument taken
 * as a key wiped, and none quoted in the message unless the user also
 * wrote it somewhere else (a bad value is quoted on purpose).
 */
static void check_refused(const struct ipsecctl_request *req, char **argv,
			  char **orig, int argc)
{
	int i, j;

	if (strncmp(req->error, "ipsecctl: ", 10) || !req->error[10] ||
	    !memchr(req->error, '\0', sizeof(req->error)))
		abort();
	if (req->enc_key_len || req->auth_key_len || req->enc_key_arg ||
	    req->auth_key_arg ||
	    !all_zero(req->enc_key, sizeof(req->enc_key)) ||
	    !all_zero(req->auth_key, sizeof(req->auth_key)))
		abort();
	for (i = 1; i < argc; i++) {
		bool elsewhere = false;

		if (argv[i][0] || !orig[i][0] || strlen(orig[i]) < 8)
			continue;	/* not wiped, so not taken as a key */
		for (j = 1; j < argc; j++)
			if (j != i && strstr(orig[j], orig[i]))
				elsewhere = true;
		if (!elsewhere && strstr(req->error, orig[i]))
			abort();
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	/* The command line's own socket default, not the environment's. */
	unsetenv("IPSECD_SOCKET");
	return sodium_init() < 0 ? 1 : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	char *argv[FUZZ_MAX_ARGS + 2], *orig[FUZZ_MAX_ARGS + 2];
	struct ipsecctl_request req;
	enum ipsecctl_parse_result res;
	size_t pos = 0;
	int argc = 1, i;

	argv[0] = strdup("ipsecctl");
	orig[0] = NULL;
	while (pos < len && argc <= FUZZ_MAX_ARGS) {
		const uint8_t *end = memchr(data + pos, '\0', len - pos);
		size_t n = end ? (size_t)(end - (data + pos)) : len - pos;

		argv[argc] = strndup((const char *)data + pos, n);
		orig[argc] = strdup(argv[argc]);
		argc++;
		pos += n + 1;
	}
	argv[argc] = NULL;

	memset(&req, 0, sizeof(req));
	res = ipsecctl_parse(argc, argv, &req);
	if (res == IPSECCTL_PARSE_OK) {
		char *enc = req.enc_key_arg, *auth = req.auth_key_arg;

		check_accepted(&req, argv, argc);
		/* What the tool does once the keys are decoded. */
		ipsecctl_wipe_key_args(&req);
		if ((enc && *enc) || (auth && *auth) || req.enc_key_arg ||
		    req.auth_key_arg)
			abort();
		ipsecctl_request_wipe(&req);
	} else if (res == IPSECCTL_PARSE_USAGE) {
		check_refused(&req, argv, orig, argc);
	} else {
		abort();
	}
	for (i = 0; i < argc; i++) {
		free(argv[i]);
		free(orig[i]);
	}
	return 0;
}
