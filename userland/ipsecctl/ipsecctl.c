// SPDX-License-Identifier: GPL-2.0
/*
 * ipsecctl: controls kipsec SAs and policies over the "kipsec"
 * generic-netlink family, and ipsecd over its control socket. The command
 * line is parsed in args.c and args_policy.c; each command runs in its
 * cmd_*.c file (see ipsecctl.h); output formats are in sa_info.c,
 * policy_info.c and event_info.c, documented in README.md and --help.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "ipsecctl/ipsecctl.h"
#include "kipsec.h"

/* Every command that reaches kipsec or ipsecd, and what runs it. */
static const struct command {
	enum ipsecctl_cmd cmd;
	int (*run)(struct context *ctx);
	enum { TO_KIPSEC, TO_IPSECD } to;	/* netlink, or the control socket */
} commands[] = {
	{ IPSECCTL_CMD_SA_ADD, cmd_sa_add, TO_KIPSEC },
	{ IPSECCTL_CMD_SA_DEL, cmd_sa_del, TO_KIPSEC },
	{ IPSECCTL_CMD_SA_GET, cmd_sa_get, TO_KIPSEC },
	{ IPSECCTL_CMD_SA_LIST, cmd_sa_list, TO_KIPSEC },
	{ IPSECCTL_CMD_SA_FLUSH, cmd_sa_flush, TO_KIPSEC },
	{ IPSECCTL_CMD_SA_SET, cmd_sa_set, TO_KIPSEC },
	{ IPSECCTL_CMD_SPI_ALLOC, cmd_spi_alloc, TO_KIPSEC },
	{ IPSECCTL_CMD_STATS, cmd_stats, TO_KIPSEC },
	{ IPSECCTL_CMD_POLICY_ADD, cmd_policy_add, TO_KIPSEC },
	{ IPSECCTL_CMD_POLICY_DEL, cmd_policy_del, TO_KIPSEC },
	{ IPSECCTL_CMD_POLICY_GET, cmd_policy_get, TO_KIPSEC },
	{ IPSECCTL_CMD_POLICY_LIST, cmd_policy_list, TO_KIPSEC },
	{ IPSECCTL_CMD_POLICY_FLUSH, cmd_policy_flush, TO_KIPSEC },
	{ IPSECCTL_CMD_MONITOR, cmd_monitor, TO_KIPSEC },
	{ IPSECCTL_CMD_IKE_LIST, cmd_ipsecd, TO_IPSECD },
	{ IPSECCTL_CMD_UP, cmd_ipsecd, TO_IPSECD },
	{ IPSECCTL_CMD_DOWN, cmd_ipsecd, TO_IPSECD },
	{ IPSECCTL_CMD_REKEY, cmd_ipsecd, TO_IPSECD },
	{ IPSECCTL_CMD_RELOAD, cmd_ipsecd, TO_IPSECD },
};

static int run(struct context *ctx)
{
	const struct command *c = NULL;
	size_t i;
	int err;

	for (i = 0; i < sizeof(commands) / sizeof(commands[0]) && !c; i++)
		if (commands[i].cmd == ctx->req->cmd)
			c = &commands[i];
	if (!c)
		return EXIT_FAILURE_STATUS;
	if (c->to == TO_IPSECD)
		return c->run(ctx);
	err = netlink_client_open(&ctx->nl, KIPSEC_GENL_NAME);
	if (err == -ENOENT) {
		fprintf(stderr, "ipsecctl: kipsec module not loaded (genetlink family \"%s\" not found)\n",
			KIPSEC_GENL_NAME);
		return EXIT_FAILURE_STATUS;
	}
	if (err) {
		fprintf(stderr, "ipsecctl: cannot talk to generic netlink: %s\n",
			strerror(-err));
		return EXIT_FAILURE_STATUS;
	}
	err = c->run(ctx);
	netlink_client_close(&ctx->nl);
	return err;
}

int main(int argc, char **argv)
{
	struct ipsecctl_request req;
	struct context ctx = { .req = &req };
	int status;

	/* libsodium's functions may be used only after sodium_init(). */
	if (sodium_init() < 0) {
		fputs("ipsecctl: libsodium failed to initialise\n", stderr);
		return EXIT_FAILURE_STATUS;
	}
	if (ipsecctl_parse(argc, argv, &req) != IPSECCTL_PARSE_OK) {
		fprintf(stderr, "%s\n", req.error);
		if (req.help == IPSECCTL_HELP_MAIN || !req.name)
			fputs("Try \"ipsecctl --help\".\n", stderr);
		else
			fprintf(stderr, "Try \"ipsecctl %s --help\".\n",
				req.name);
		return EXIT_USAGE;
	}
	ipsecctl_wipe_key_args(&req);
	switch (req.cmd) {
	case IPSECCTL_CMD_HELP:
		fputs(ipsecctl_help_text(req.help), stdout);
		return EXIT_OK;
	case IPSECCTL_CMD_VERSION:
		printf("ipsecctl %s (kipsec genetlink family version %d)\n",
		       IPSECCTL_VERSION, KIPSEC_GENL_VERSION);
		return EXIT_OK;
	default:
		break;
	}
	if (req.json)
		ctx.format = OUTPUT_JSON;
	else
		ctx.format = isatty(STDOUT_FILENO) ? OUTPUT_TABLE : OUTPUT_TSV;
	status = run(&ctx);
	ipsecctl_request_wipe(&req);
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "ipsecctl: writing output: %s\n", strerror(errno));
		status = EXIT_FAILURE_STATUS;
	}
	return status;
}
