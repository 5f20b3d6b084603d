/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ipsecd's configuration: an ipsec.conf-style file of "config setup" and
 * "conn NAME" sections, and a separate secrets file of pre-shared keys.
 * Parsing is pure (text in, structures out) so that every rejection is
 * unit-tested; config_load()/secrets_load() add the file access and the
 * permission check. Keys are documented in ipsecd/README.md.
 */
#ifndef IPSECD_CONFIG_H
#define IPSECD_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/parse.h"
#include "ike/crypto.h"
#include "ike/proposal.h"

#define CONFIG_NAME_MAX 64
#define CONFIG_PATH_MAX 256
#define CONFIG_MAX_SUITES 16
#define CONFIG_ERR_LEN 512

#define IPSECD_DEFAULT_CONFIG "/etc/ipsecd.conf"
#define IPSECD_DEFAULT_SECRETS "/etc/ipsecd.secrets"
#define IPSECD_DEFAULT_SOCKET "/run/ipsecd.sock"

enum conn_auto {
	CONN_AUTO_ADD,		/* wait for the peer or "ipsecctl up" */
	CONN_AUTO_START,	/* initiate when the daemon starts */
	CONN_AUTO_ROUTE,	/* initiate on traffic (kipsec ACQUIRE) */
};

/* What a dead peer (DPD timeout) leaves of a conn (dpd.c). */
enum dpd_action {
	DPD_ACTION_NONE,	/* no R-U-THERE sent; ours are still answered */
	DPD_ACTION_CLEAR,	/* SAs and policies go */
	DPD_ACTION_HOLD,	/* policies stay: traffic negotiates (ACQUIRE) */
	DPD_ACTION_RESTART,	/* policies stay and it renegotiates at once */
};

/* The Windows security levels (fallback.c). */
enum conn_level {
	CONN_LEVEL_REQUIRE,	/* IPsec or no traffic */
	CONN_LEVEL_REQUEST,	/* IPsec, else clear text for a while */
};

enum log_level {
	LOG_LVL_ERROR,
	LOG_LVL_WARN,
	LOG_LVL_INFO,
	LOG_LVL_DEBUG,
};

/* An address prefix: a traffic selector or a Quick Mode client ID. */
struct subnet {
	struct ip_addr addr;	/* host bits cleared */
	unsigned int prefix;
};

struct conn_config {
	char name[CONFIG_NAME_MAX];
	unsigned int line;		/* of the "conn" line */
	struct ip_addr left, right;
	bool has_leftsubnet, has_rightsubnet;
	struct subnet leftsubnet, rightsubnet;	/* default: the hosts */
	struct ike_p1_suite ike[CONFIG_MAX_SUITES];
	size_t nike;
	/* Phase-2 offer: every bundle has the same protocols, in order. */
	struct ike_p2_bundle bundles[CONFIG_MAX_SUITES];
	size_t nbundles;
	uint32_t ikelifetime;		/* seconds */
	uint32_t lifetime;		/* seconds */
	uint64_t lifebytes;
	uint64_t marginbytes;		/* 0: a tenth of the SA's byte limit */
	uint32_t rekeymargin;		/* seconds */
	uint32_t rekeyfuzz;		/* percent of the margin, random extra */
	enum conn_auto autostart;
	bool tunnel;
	bool pfs;
	bool parallel;			/* ESP SAs with KIPSEC_SA_F_PARALLEL */
	uint32_t replay_window;		/* packets, 0: no anti-replay check */
	uint16_t pfs_group;		/* IKE_GROUP_NONE without PFS */
	unsigned int keyingtries;	/* 0: forever */
	/* Dead peer detection (RFC 3706), dpd.c */
	uint32_t dpddelay;		/* seconds */
	uint32_t dpdtimeout;		/* seconds */
	enum dpd_action dpdaction;
	/* Request versus require, fallback.c */
	enum conn_level level;
	uint32_t fallback_timeout;	/* seconds without SA before clear text */
	uint32_t fallback_lifetime;	/* seconds of clear text, then retry */
};

struct config {
	char control_socket[108];	/* sun_path */
	char secrets_file[CONFIG_PATH_MAX];
	enum log_level log_level;
	uint32_t retransmit_timeout_ms;	/* first retransmission */
	unsigned int retransmit_tries;	/* retransmissions before giving up */
	/* Responder ISAKMP SAs still in Main Mode: in all, and per peer. */
	unsigned int halfopen_max;
	unsigned int halfopen_max_peer;
	uint32_t nat_keepalive;		/* seconds between NAT-keepalives, 0: none */
	struct conn_config *conns;
	size_t nconns;
};

/* Defaults of every key (DESIGN.md §3 and the brief). */
void config_init(struct config *cfg);
void config_free(struct config *cfg);

/*
 * Parses the text of a configuration file named file (for messages). On
 * failure returns -1 with err = "file:line: message"; cfg then holds
 * nothing to free beyond config_free().
 */
int config_parse(const char *file, const char *text, struct config *cfg,
		 char *err, size_t errlen);
/* Reads and parses a file. */
int config_load(const char *path, struct config *cfg, char *err,
		size_t errlen);

const struct conn_config *config_find_conn(const struct config *cfg,
					   const char *name);

/* Pre-shared keys, selected by the addresses of the two ends. */
struct psk_entry {
	size_t naddrs;			/* 0: any peer */
	struct ip_addr addrs[2];
	struct ike_secret *psk;
};

struct secrets {
	struct psk_entry *entries;
	size_t n;
};

/*
 * Parses "[ADDR [ADDR]] : PSK "secret"" lines ("0x..." for hex keys,
 * "%any" for any address). The text is not modified; the caller wipes it.
 */
int secrets_parse(const char *file, const char *text, struct secrets *s,
		  char *err, size_t errlen);
/*
 * Reads a secrets file, refusing one that is not a regular file owned by
 * us or that the group or others may read or write. The buffer holding
 * its text is wiped.
 */
int secrets_load(const char *path, struct secrets *s, char *err,
		 size_t errlen);
void secrets_free(struct secrets *s);

/*
 * The key for a peer: an entry naming both addresses beats one naming
 * the peer, which beats one naming no address. NULL when none matches.
 */
const struct ike_secret *secrets_lookup(const struct secrets *s,
					const struct ip_addr *local,
					const struct ip_addr *peer);
/*
 * The key for a conn's peer configured at configured and now at current
 * (a NAT-T peer followed elsewhere is the same peer): an entry naming the
 * configured address, else one naming the current one, else one naming
 * none.
 */
const struct ike_secret *secrets_lookup_peer(const struct secrets *s,
					     const struct ip_addr *local,
					     const struct ip_addr *configured,
					     const struct ip_addr *current);

/*
 * A soft limit for a hard one (seconds or bytes): hard - margin - a random
 * part of up to fuzz percent of the margin (rnd % (that + 1)). The margin
 * is at least 1 and the random part at most half of hard - margin, so the
 * result is in 1..hard-1. 0 (no soft limit) when hard is below 2.
 */
uint64_t rekey_soft_limit(uint64_t hard, uint64_t margin, uint32_t fuzz,
			  uint64_t rnd);

/* subnet.c */
bool subnet_contains_host(const struct subnet *net, const struct ip_addr *a);
bool subnet_equal(const struct subnet *a, const struct subnet *b);
void subnet_host(struct subnet *net, const struct ip_addr *a);
const char *subnet_format(const struct subnet *net, char *buf, size_t len);
bool ip_addr_equal(const struct ip_addr *a, const struct ip_addr *b);
/* "ADDR" or "ADDR/PREFIX", host bits cleared; -1 if it is neither. */
int subnet_parse(const char *s, struct subnet *out);

#endif
