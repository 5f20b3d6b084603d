/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ipsecctl's command line: argv in, a request out. Nothing here talks to
 * the kernel, so every keyword and every rejection is unit-testable.
 */
#ifndef IPSECCTL_ARGS_H
#define IPSECCTL_ARGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <kipsec_version.h>

#include "common/parse.h"

#define IPSECCTL_VERSION KIPSEC_VERSION
#define IPSECCTL_DEFAULT_SOCKET "/run/ipsecd.sock"

/* Larger than any key the kernel accepts, so that it judges the length. */
#define IPSECCTL_KEY_MAX 64

enum ipsecctl_cmd {
	IPSECCTL_CMD_NONE,
	IPSECCTL_CMD_HELP,
	IPSECCTL_CMD_VERSION,
	IPSECCTL_CMD_SA_ADD,
	IPSECCTL_CMD_SA_DEL,
	IPSECCTL_CMD_SA_GET,
	IPSECCTL_CMD_SA_LIST,
	IPSECCTL_CMD_SA_FLUSH,
	IPSECCTL_CMD_SPI_ALLOC,
	IPSECCTL_CMD_STATS,
	IPSECCTL_CMD_IKE_LIST,
	IPSECCTL_CMD_UP,
	IPSECCTL_CMD_DOWN,
	IPSECCTL_CMD_POLICY_ADD,
	IPSECCTL_CMD_POLICY_DEL,
	IPSECCTL_CMD_POLICY_GET,
	IPSECCTL_CMD_POLICY_LIST,
	IPSECCTL_CMD_POLICY_FLUSH,
	IPSECCTL_CMD_MONITOR,
	IPSECCTL_CMD_REKEY,
	IPSECCTL_CMD_RELOAD,
	IPSECCTL_CMD_SA_SET,
};

/* Which --help text a request asks for, or which one a usage error cites. */
enum ipsecctl_help {
	IPSECCTL_HELP_MAIN,
	IPSECCTL_HELP_SA,
	IPSECCTL_HELP_SA_ADD,
	IPSECCTL_HELP_SA_DEL,
	IPSECCTL_HELP_SA_GET,
	IPSECCTL_HELP_SA_LIST,
	IPSECCTL_HELP_SA_FLUSH,
	IPSECCTL_HELP_SPI,
	IPSECCTL_HELP_SPI_ALLOC,
	IPSECCTL_HELP_STATS,
	IPSECCTL_HELP_IKE,
	IPSECCTL_HELP_IKE_LIST,
	IPSECCTL_HELP_UP,
	IPSECCTL_HELP_DOWN,
	IPSECCTL_HELP_POLICY,
	IPSECCTL_HELP_POLICY_ADD,
	IPSECCTL_HELP_POLICY_DEL,
	IPSECCTL_HELP_POLICY_GET,
	IPSECCTL_HELP_POLICY_LIST,
	IPSECCTL_HELP_POLICY_FLUSH,
	IPSECCTL_HELP_MONITOR,
	IPSECCTL_HELP_REKEY,
	IPSECCTL_HELP_RELOAD,
	IPSECCTL_HELP_SA_SET,
};

enum ipsecctl_lifetime {
	IPSECCTL_LIFETIME_BYTES,
	IPSECCTL_LIFETIME_PACKETS,
	IPSECCTL_LIFETIME_SECONDS,
	IPSECCTL_LIFETIME_COUNT,
};

struct ipsecctl_lifetimes {
	bool has[IPSECCTL_LIFETIME_COUNT];
	uint64_t value[IPSECCTL_LIFETIME_COUNT];
};

/* A port range as given: "P" or "LO-HI". */
struct ipsecctl_ports {
	bool has;
	uint16_t min;
	uint16_t max;
};

/* "policy ..." arguments; 0 (or has_* false) means not given. */
struct ipsecctl_policy {
	bool has_index;
	uint32_t index;
	uint8_t dir;			/* enum kipsec_pol_dir */
	struct ip_addr src;		/* selector prefixes */
	uint8_t src_plen;
	struct ip_addr dst;
	uint8_t dst_plen;
	bool has_proto;
	uint8_t proto;			/* IP protocol; 0 is "any" */
	struct ipsecctl_ports sport;
	struct ipsecctl_ports dport;
	bool has_priority;
	uint32_t priority;
	uint8_t action;			/* enum kipsec_pol_action */
	uint8_t tmpl_proto;		/* protect: IPPROTO_ESP or IPPROTO_AH */
	uint8_t tmpl_mode;		/* enum kipsec_mode */
	struct ip_addr tmpl_src;	/* tunnel endpoints */
	struct ip_addr tmpl_dst;
	bool has_reqid;
	uint32_t reqid;
	uint8_t level;			/* enum kipsec_pol_level */
	bool has_lifetime;
	uint32_t lifetime;		/* seconds; kipsec deletes it then */
};

struct ipsecctl_request {
	enum ipsecctl_cmd cmd;
	enum ipsecctl_help help;	/* for CMD_HELP and usage errors */
	const char *name;		/* "sa add" etc., for messages */
	bool json;
	/* ipsecd's control socket: --socket, else $IPSECD_SOCKET, else
	 * IPSECCTL_DEFAULT_SOCKET. */
	const char *socket_path;
	const char *conn_name;		/* up, down */

	bool has_spi;
	uint32_t spi;
	struct ip_addr src;		/* family 0 when not given */
	struct ip_addr dst;
	uint8_t proto;			/* IPPROTO_ESP/AH; 0 when not given */
	uint8_t mode;			/* enum kipsec_mode */
	bool has_reqid;
	uint32_t reqid;

	bool has_enc;
	uint16_t enc_alg;
	size_t enc_key_len;
	uint8_t enc_key[IPSECCTL_KEY_MAX];
	bool has_auth;
	uint16_t auth_alg;
	size_t auth_key_len;
	uint8_t auth_key[IPSECCTL_KEY_MAX];
	/* argv strings holding the keys in hex, for the caller to wipe. */
	char *enc_key_arg;
	char *auth_key_arg;

	bool has_replay_window;
	uint32_t replay_window;
	uint32_t flags;			/* enum kipsec_sa_flag */
	bool has_oseq;
	uint64_t oseq;
	bool has_encap;
	uint16_t encap_sport;
	uint16_t encap_dport;
	struct ip_addr new_src;		/* sa set; family 0 when not given */
	struct ip_addr new_dst;
	struct ipsecctl_lifetimes soft;
	struct ipsecctl_lifetimes hard;

	bool has_spi_min;
	uint32_t spi_min;
	bool has_spi_max;
	uint32_t spi_max;
	bool has_spi_timeout;
	uint64_t spi_timeout;

	struct ipsecctl_policy pol;

	/* Complete message for a usage error, "ipsecctl: ..." */
	char error[256];
};

enum ipsecctl_parse_result {
	IPSECCTL_PARSE_OK = 0,
	IPSECCTL_PARSE_USAGE = 2,	/* also the exit status */
};

/*
 * Fills req from argv (argv[0] is the program name). On a usage error
 * req->error holds the message, and no key material is left in req.
 */
enum ipsecctl_parse_result ipsecctl_parse(int argc, char **argv,
					  struct ipsecctl_request *req);

/*
 * Wipes the hex keys in argv: once decoded they are not needed, and argv is
 * readable by other users in /proc/PID/cmdline.
 */
void ipsecctl_wipe_key_args(struct ipsecctl_request *req);

/* Wipes the keys the request holds, in it and in argv. */
void ipsecctl_request_wipe(struct ipsecctl_request *req);

const char *ipsecctl_help_text(enum ipsecctl_help help);

/*
 * args_grammar.c: the grammar every object shares, walked from the tables
 * args.c (sa, spi, ike, the single commands) and args_policy.c (policy)
 * describe.
 */

/* Where parsing is in argv. */
struct ipsecctl_cursor {
	int argc;
	char **argv;
	int next;
};

static inline bool ipsecctl_cursor_done(const struct ipsecctl_cursor *cur)
{
	return cur->next >= cur->argc;
}

static inline char *ipsecctl_cursor_take(struct ipsecctl_cursor *cur)
{
	return ipsecctl_cursor_done(cur) ? NULL : cur->argv[cur->next++];
}

/*
 * An object's keywords: "KEYWORD VALUE..." in any order, each at most once.
 * Keyword numbers index names and are bits (1U << kw) in the masks.
 */
struct ipsecctl_keywords {
	const char *const *names;
	unsigned int count;
	unsigned int no_value;	/* flags, without a value: value is NULL */
	/* One keyword and its value; may take more words from cur. */
	enum ipsecctl_parse_result (*value)(struct ipsecctl_request *req,
					    struct ipsecctl_cursor *cur,
					    unsigned int kw, const char *value);
	/* After the last keyword, given which were seen; may be NULL. */
	enum ipsecctl_parse_result (*check)(struct ipsecctl_request *req,
					    unsigned int seen);
};

/* "sa add" and the like: which keywords it allows and requires. */
struct ipsecctl_command {
	const char *name;
	const char *alias;
	enum ipsecctl_cmd cmd;
	enum ipsecctl_help help;
	const char *full_name;
	const struct ipsecctl_keywords *keywords;	/* NULL: none */
	unsigned int allowed;
	unsigned int required;
};

/* "sa", "policy": an object and its commands. */
struct ipsecctl_object {
	const char *name;
	enum ipsecctl_help help;
	const struct ipsecctl_command *commands;
	size_t ncommands;
	/* What the object alone runs ("ipsecctl sa" lists); NULL: nothing. */
	const struct ipsecctl_command *bare;
};

bool ipsecctl_is_help(const char *arg);

/* "--help" after the command: its help rather than a run, whatever else. */
bool ipsecctl_help_asked(const struct ipsecctl_cursor *cur);

/* cur at the word after the object's name. */
enum ipsecctl_parse_result
ipsecctl_parse_object(struct ipsecctl_request *req,
		      struct ipsecctl_cursor *cur,
		      const struct ipsecctl_object *o);

/* cur at the word after the command's name. */
enum ipsecctl_parse_result
ipsecctl_parse_command(struct ipsecctl_request *req,
		       struct ipsecctl_cursor *cur,
		       const struct ipsecctl_command *c);

/* Sets req->error, wipes keys, returns USAGE. */
enum ipsecctl_parse_result ipsecctl_usage(struct ipsecctl_request *req,
					  const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* args_policy.c: "ipsecctl policy ...". */
extern const struct ipsecctl_object ipsecctl_policy_object;
const char *ipsecctl_policy_help_text(enum ipsecctl_help help);

#endif
