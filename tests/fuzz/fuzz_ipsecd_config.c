// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for ipsecd's configuration parser (config_parse(), the
 * text-in, structures-out part of config_load()). Every refusal must say
 * where and why; every accepted file must satisfy what conn_end() promises
 * to the daemon. Nothing is written to disk and everything is freed.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ike/crypto.h"
#include "ipsecd/config.h"

static void check_conn(const struct config *cfg, const struct conn_config *c)
{
	char buf[INET6_ADDRSTRLEN + 8];
	size_t i, k;

	if (config_find_conn(cfg, c->name) != c)
		abort();	/* names are unique */
	if (!c->nike || c->nike > CONFIG_MAX_SUITES ||
	    !c->nbundles || c->nbundles > CONFIG_MAX_SUITES)
		abort();
	if (!c->left.family || c->left.family != c->right.family ||
	    c->leftsubnet.addr.family != c->left.family ||
	    c->rightsubnet.addr.family != c->left.family ||
	    c->leftsubnet.prefix > ip_addr_len(&c->left) * 8 ||
	    c->rightsubnet.prefix > ip_addr_len(&c->left) * 8)
		abort();
	if (!c->lifetime || c->rekeymargin >= c->lifetime || c->rekeyfuzz > 100)
		abort();
	if (!c->pfs != (c->pfs_group == IKE_GROUP_NONE))
		abort();
	for (i = 0; i < c->nbundles; i++) {
		const struct ike_p2_bundle *b = &c->bundles[i];

		if (!b->n || b->n > 2)
			abort();
		for (k = 0; k < b->n; k++)
			if (b->suites[k].life.seconds != c->lifetime ||
			    (c->pfs && !b->suites[k].group))
				abort();
	}
	subnet_format(&c->leftsubnet, buf, sizeof(buf));
	subnet_format(&c->rightsubnet, buf, sizeof(buf));
	rekey_soft_limit(c->lifetime, c->rekeymargin, c->rekeyfuzz, UINT64_MAX);
	rekey_soft_limit(c->lifebytes, c->lifebytes / 10, c->rekeyfuzz, 0);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return ike_crypto_init() ? 1 : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	char err[CONFIG_ERR_LEN];
	struct config cfg;
	char *text;
	size_t i;

	/* config_load() refuses NUL bytes; the parser sees a C string. */
	if (memchr(data, '\0', len))
		return 0;
	text = malloc(len + 1);
	if (!text)
		return 0;
	memcpy(text, data, len);
	text[len] = '\0';
	config_init(&cfg);
	err[0] = '\0';
	if (config_parse("fuzz.conf", text, &cfg, err, sizeof(err)) == 0) {
		if (cfg.retransmit_timeout_ms == 0 || cfg.retransmit_tries > 20 ||
		    cfg.control_socket[0] != '/' || cfg.secrets_file[0] != '/')
			abort();
		for (i = 0; i < cfg.nconns; i++)
			check_conn(&cfg, &cfg.conns[i]);
	} else if (strncmp(err, "fuzz.conf:", 10) || !err[10]) {
		abort();	/* every refusal must say where and why */
	}
	config_free(&cfg);
	free(text);
	return 0;
}
