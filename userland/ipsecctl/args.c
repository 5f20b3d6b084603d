// SPDX-License-Identifier: GPL-2.0
#include "ipsecctl/args.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "common/kipsec_names.h"
#include "kipsec.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

enum keyword {
	KW_SPI,
	KW_SRC,
	KW_DST,
	KW_PROTO,
	KW_MODE,
	KW_ENC,
	KW_AUTH,
	KW_REQID,
	KW_REPLAY_WINDOW,
	KW_ESN,
	KW_PARALLEL,
	KW_OSEQ,
	KW_ENCAP_SPORT,
	KW_ENCAP_DPORT,
	KW_SOFT_BYTES,
	KW_SOFT_PACKETS,
	KW_SOFT_SECONDS,
	KW_HARD_BYTES,
	KW_HARD_PACKETS,
	KW_HARD_SECONDS,
	KW_MIN,
	KW_MAX,
	KW_TIMEOUT,
	KW_NEW_SRC,
	KW_NEW_DST,
	KW_COUNT,
};

#define KW(k) (1U << (k))

static const char *const keyword_names[KW_COUNT] = {
	[KW_SPI] = "spi",
	[KW_SRC] = "src",
	[KW_DST] = "dst",
	[KW_PROTO] = "proto",
	[KW_MODE] = "mode",
	[KW_ENC] = "enc",
	[KW_AUTH] = "auth",
	[KW_REQID] = "reqid",
	[KW_REPLAY_WINDOW] = "replay-window",
	[KW_ESN] = "esn",
	[KW_PARALLEL] = "parallel",
	[KW_OSEQ] = "oseq",
	[KW_ENCAP_SPORT] = "encap-sport",
	[KW_ENCAP_DPORT] = "encap-dport",
	[KW_SOFT_BYTES] = "soft-bytes",
	[KW_SOFT_PACKETS] = "soft-packets",
	[KW_SOFT_SECONDS] = "soft-seconds",
	[KW_HARD_BYTES] = "hard-bytes",
	[KW_HARD_PACKETS] = "hard-packets",
	[KW_HARD_SECONDS] = "hard-seconds",
	[KW_MIN] = "min",
	[KW_MAX] = "max",
	[KW_TIMEOUT] = "timeout",
	[KW_NEW_SRC] = "new-src",
	[KW_NEW_DST] = "new-dst",
};

#define usage ipsecctl_usage

static enum ipsecctl_parse_result bad_value(struct ipsecctl_request *req,
					    enum keyword kw, const char *value,
					    int err)
{
	return usage(req, "bad value \"%s\" for \"%s\"%s", value,
		     keyword_names[kw], err == -ERANGE ? " (out of range)" : "");
}

static enum ipsecctl_parse_result parse_key(struct ipsecctl_request *req,
					    struct ipsecctl_cursor *cur,
					    enum keyword kw, uint8_t *key,
					    size_t *key_len, char **key_arg)
{
	char *hex = ipsecctl_cursor_take(cur);
	enum hex_error err;
	size_t bad_pos;

	if (!hex)
		return usage(req, "missing key for \"%s\"", keyword_names[kw]);
	*key_arg = hex;
	err = hex_decode(hex, key, IPSECCTL_KEY_MAX, key_len, &bad_pos);
	/* The messages never quote the key: it may be a real one. */
	if (err == HEX_BAD_DIGIT)
		return usage(req, "bad key for \"%s\": not a hex digit at position %zu",
			     keyword_names[kw], bad_pos);
	if (err == HEX_TOO_LONG)
		return usage(req, "bad key for \"%s\": longer than %d bytes",
			     keyword_names[kw], IPSECCTL_KEY_MAX);
	if (err != HEX_OK)
		return usage(req, "bad key for \"%s\": %s", keyword_names[kw],
			     hex_error_text(err));
	return IPSECCTL_PARSE_OK;
}

static enum ipsecctl_parse_result parse_enc(struct ipsecctl_request *req,
					    struct ipsecctl_cursor *cur,
					    const char *alg)
{
	if (kipsec_enc_alg_lookup(alg, &req->enc_alg))
		return usage(req, "bad value \"%s\" for \"enc\" (expected null, aes-cbc, aes-gcm-16, aes-gcm or chacha20-poly1305)",
			     alg);
	req->has_enc = true;
	/* NULL encryption has an empty key, so no key argument follows. */
	if (req->enc_alg == KIPSEC_ENC_NULL) {
		req->enc_key_len = 0;
		return IPSECCTL_PARSE_OK;
	}
	return parse_key(req, cur, KW_ENC, req->enc_key, &req->enc_key_len,
			 &req->enc_key_arg);
}

static enum ipsecctl_parse_result parse_auth(struct ipsecctl_request *req,
					     struct ipsecctl_cursor *cur,
					     const char *alg)
{
	if (kipsec_auth_alg_lookup(alg, &req->auth_alg))
		return usage(req, "bad value \"%s\" for \"auth\" (expected hmac-sha256-128, hmac-sha256, hmac-sha1-96 or hmac-sha1)",
			     alg);
	req->has_auth = true;
	return parse_key(req, cur, KW_AUTH, req->auth_key, &req->auth_key_len,
			 &req->auth_key_arg);
}

static enum ipsecctl_parse_result parse_lifetime(struct ipsecctl_request *req,
						 enum keyword kw,
						 const char *value)
{
	struct ipsecctl_lifetimes *lt =
		kw >= KW_HARD_BYTES ? &req->hard : &req->soft;
	enum ipsecctl_lifetime which =
		(enum ipsecctl_lifetime)((kw - KW_SOFT_BYTES) % 3);
	uint64_t v;
	int err;

	if (which == IPSECCTL_LIFETIME_BYTES)
		err = num_parse_bytes(value, &v);
	else if (which == IPSECCTL_LIFETIME_SECONDS)
		err = num_parse_seconds(value, &v);
	else
		err = num_parse_u64(value, &v);
	if (err)
		return bad_value(req, kw, value, err);
	lt->has[which] = true;
	lt->value[which] = v;
	return IPSECCTL_PARSE_OK;
}

static enum ipsecctl_parse_result parse_addr(struct ipsecctl_request *req,
					     enum keyword kw, const char *value,
					     struct ip_addr *out)
{
	if (ip_addr_parse(value, out))
		return usage(req, "bad value \"%s\" for \"%s\" (expected an IPv4 or IPv6 address)",
			     value, keyword_names[kw]);
	return IPSECCTL_PARSE_OK;
}

static enum ipsecctl_parse_result parse_keyword_value(
	struct ipsecctl_request *req, struct ipsecctl_cursor *cur,
	unsigned int keyword, const char *value)
{
	enum keyword kw = (enum keyword)keyword;
	int err = 0;

	switch (kw) {
	case KW_SPI:
		req->has_spi = true;
		err = num_parse_u32(value, &req->spi);
		break;
	case KW_SRC:
		return parse_addr(req, kw, value, &req->src);
	case KW_DST:
		return parse_addr(req, kw, value, &req->dst);
	case KW_NEW_SRC:
		return parse_addr(req, kw, value, &req->new_src);
	case KW_NEW_DST:
		return parse_addr(req, kw, value, &req->new_dst);
	case KW_PROTO:
		if (kipsec_proto_lookup(value, &req->proto))
			return usage(req, "bad value \"%s\" for \"proto\" (expected esp or ah)",
				     value);
		break;
	case KW_MODE:
		if (kipsec_mode_lookup(value, &req->mode))
			return usage(req, "bad value \"%s\" for \"mode\" (expected tunnel or transport)",
				     value);
		break;
	case KW_ENC:
		return parse_enc(req, cur, value);
	case KW_AUTH:
		return parse_auth(req, cur, value);
	case KW_REQID:
		req->has_reqid = true;
		err = num_parse_u32(value, &req->reqid);
		break;
	case KW_REPLAY_WINDOW:
		req->has_replay_window = true;
		err = num_parse_u32(value, &req->replay_window);
		break;
	case KW_OSEQ:
		req->has_oseq = true;
		err = num_parse_u64(value, &req->oseq);
		break;
	case KW_ENCAP_SPORT:
		req->has_encap = true;
		err = num_parse_u16(value, &req->encap_sport);
		break;
	case KW_ENCAP_DPORT:
		req->has_encap = true;
		err = num_parse_u16(value, &req->encap_dport);
		break;
	case KW_SOFT_BYTES:
	case KW_SOFT_PACKETS:
	case KW_SOFT_SECONDS:
	case KW_HARD_BYTES:
	case KW_HARD_PACKETS:
	case KW_HARD_SECONDS:
		return parse_lifetime(req, kw, value);
	case KW_MIN:
		req->has_spi_min = true;
		err = num_parse_u32(value, &req->spi_min);
		break;
	case KW_MAX:
		req->has_spi_max = true;
		err = num_parse_u32(value, &req->spi_max);
		break;
	case KW_TIMEOUT:
		req->has_spi_timeout = true;
		err = num_parse_seconds(value, &req->spi_timeout);
		if (!err && req->spi_timeout > UINT32_MAX)
			err = -ERANGE;
		break;
	case KW_ESN:
		req->flags |= KIPSEC_SA_F_ESN;
		break;
	case KW_PARALLEL:
		req->flags |= KIPSEC_SA_F_PARALLEL;
		break;
	case KW_COUNT:
		break;
	}
	if (err)
		return bad_value(req, kw, value, err);
	return IPSECCTL_PARSE_OK;
}

/* What no single keyword can judge. */
static enum ipsecctl_parse_result check_keywords(struct ipsecctl_request *req,
						 unsigned int seen)
{
	if ((seen & KW(KW_ENCAP_SPORT)) && !(seen & KW(KW_ENCAP_DPORT)))
		return usage(req, "\"encap-sport\" needs \"encap-dport\"");
	if ((seen & KW(KW_ENCAP_DPORT)) && !(seen & KW(KW_ENCAP_SPORT)))
		return usage(req, "\"encap-dport\" needs \"encap-sport\"");
	if (req->src.family && req->dst.family &&
	    req->src.family != req->dst.family)
		return usage(req, "\"src\" and \"dst\" are of different address families");
	if (req->cmd != IPSECCTL_CMD_SA_SET)
		return IPSECCTL_PARSE_OK;
	if (!req->has_encap && !req->new_src.family && !req->new_dst.family)
		return usage(req, "nothing to change: give encap-sport and encap-dport, new-src or new-dst");
	if ((req->new_src.family && req->new_src.family != req->dst.family) ||
	    (req->new_dst.family && req->new_dst.family != req->dst.family))
		return usage(req, "\"%s\" and \"dst\" are of different address families",
			     req->new_src.family &&
			     req->new_src.family != req->dst.family ?
			     "new-src" : "new-dst");
	return IPSECCTL_PARSE_OK;
}

/* The keywords of sa and spi commands; the flags take no value. */
static const struct ipsecctl_keywords sa_keywords = {
	.names = keyword_names,
	.count = KW_COUNT,
	.no_value = KW(KW_ESN) | KW(KW_PARALLEL),
	.value = parse_keyword_value,
	.check = check_keywords,
};

#define SA_ID (KW(KW_SPI) | KW(KW_DST) | KW(KW_PROTO))
#define SA_ADD_REQUIRED (SA_ID | KW(KW_SRC) | KW(KW_MODE))
#define SA_ADD_ALLOWED (SA_ADD_REQUIRED | KW(KW_ENC) | KW(KW_AUTH) |	\
			KW(KW_REQID) | KW(KW_REPLAY_WINDOW) | KW(KW_ESN) | KW(KW_OSEQ) |	\
			KW(KW_PARALLEL) |					\
			KW(KW_ENCAP_SPORT) | KW(KW_ENCAP_DPORT) |		\
			KW(KW_SOFT_BYTES) | KW(KW_SOFT_PACKETS) |		\
			KW(KW_SOFT_SECONDS) | KW(KW_HARD_BYTES) |		\
			KW(KW_HARD_PACKETS) | KW(KW_HARD_SECONDS))
#define SA_SET_ALLOWED (SA_ID | KW(KW_ENCAP_SPORT) | KW(KW_ENCAP_DPORT) | \
			KW(KW_NEW_SRC) | KW(KW_NEW_DST))
#define SPI_ALLOC_REQUIRED (KW(KW_DST) | KW(KW_PROTO))
#define SPI_ALLOC_ALLOWED (SPI_ALLOC_REQUIRED | KW(KW_MIN) | KW(KW_MAX) | \
			   KW(KW_TIMEOUT))

static const struct ipsecctl_command sa_commands[] = {
	{ "add", NULL, IPSECCTL_CMD_SA_ADD, IPSECCTL_HELP_SA_ADD, "sa add",
	  &sa_keywords, SA_ADD_ALLOWED, SA_ADD_REQUIRED },
	{ "del", "delete", IPSECCTL_CMD_SA_DEL, IPSECCTL_HELP_SA_DEL, "sa del",
	  &sa_keywords, SA_ID, SA_ID },
	{ "get", NULL, IPSECCTL_CMD_SA_GET, IPSECCTL_HELP_SA_GET, "sa get",
	  &sa_keywords, SA_ID, SA_ID },
	{ "list", "show", IPSECCTL_CMD_SA_LIST, IPSECCTL_HELP_SA_LIST,
	  "sa list", NULL, 0, 0 },
	{ "flush", NULL, IPSECCTL_CMD_SA_FLUSH, IPSECCTL_HELP_SA_FLUSH,
	  "sa flush", &sa_keywords, KW(KW_PROTO), 0 },
	{ "set", NULL, IPSECCTL_CMD_SA_SET, IPSECCTL_HELP_SA_SET, "sa set",
	  &sa_keywords, SA_SET_ALLOWED, SA_ID },
};

static const struct ipsecctl_command spi_commands[] = {
	{ "alloc", NULL, IPSECCTL_CMD_SPI_ALLOC, IPSECCTL_HELP_SPI_ALLOC,
	  "spi alloc", &sa_keywords, SPI_ALLOC_ALLOWED, SPI_ALLOC_REQUIRED },
};

static const struct ipsecctl_command ike_commands[] = {
	{ "list", "show", IPSECCTL_CMD_IKE_LIST, IPSECCTL_HELP_IKE_LIST,
	  "ike list", NULL, 0, 0 },
};

/* "ipsecctl sa" alone lists, as "ip xfrm state" does; so does "ike". */
static const struct ipsecctl_object sa_object = {
	"sa", IPSECCTL_HELP_SA, sa_commands, ARRAY_SIZE(sa_commands),
	&sa_commands[3]
};

static const struct ipsecctl_object spi_object = {
	"spi", IPSECCTL_HELP_SPI, spi_commands, ARRAY_SIZE(spi_commands), NULL
};

static const struct ipsecctl_object ike_object = {
	"ike", IPSECCTL_HELP_IKE, ike_commands, ARRAY_SIZE(ike_commands),
	&ike_commands[0]
};

static const struct ipsecctl_object *const objects[] = {
	&sa_object, &ipsecctl_policy_object, &spi_object, &ike_object,
};

/* Objects that are a command by themselves, without keywords. */
static const struct ipsecctl_command single_commands[] = {
	{ "stats", NULL, IPSECCTL_CMD_STATS, IPSECCTL_HELP_STATS, "stats",
	  NULL, 0, 0 },
	{ "monitor", NULL, IPSECCTL_CMD_MONITOR, IPSECCTL_HELP_MONITOR,
	  "monitor", NULL, 0, 0 },
	{ "reload", NULL, IPSECCTL_CMD_RELOAD, IPSECCTL_HELP_RELOAD, "reload",
	  NULL, 0, 0 },
};

/* Commands on one connection of ipsecd's: "up NAME" and the like. */
static const struct ipsecctl_command conn_commands[] = {
	{ "up", NULL, IPSECCTL_CMD_UP, IPSECCTL_HELP_UP, "up", NULL, 0, 0 },
	{ "down", NULL, IPSECCTL_CMD_DOWN, IPSECCTL_HELP_DOWN, "down", NULL,
	  0, 0 },
	{ "rekey", NULL, IPSECCTL_CMD_REKEY, IPSECCTL_HELP_REKEY, "rekey",
	  NULL, 0, 0 },
};

/* The connection's name goes as is: ipsecd judges whether it exists. */
static enum ipsecctl_parse_result parse_conn_command(
	struct ipsecctl_request *req, struct ipsecctl_cursor *cur,
	const struct ipsecctl_command *c)
{
	const char *conn;

	req->name = c->full_name;
	req->help = c->help;
	if (ipsecctl_help_asked(cur)) {
		req->cmd = IPSECCTL_CMD_HELP;
		return IPSECCTL_PARSE_OK;
	}
	conn = ipsecctl_cursor_take(cur);
	if (!conn)
		return usage(req, "missing connection name");
	if (!ipsecctl_cursor_done(cur))
		return usage(req, "unknown argument \"%s\"", cur->argv[cur->next]);
	if (!conn[0] || strlen(conn) > 63 || strpbrk(conn, " \t\r\n"))
		return usage(req, "bad connection name \"%s\"", conn);
	req->cmd = c->cmd;
	req->conn_name = conn;
	return IPSECCTL_PARSE_OK;
}

enum ipsecctl_parse_result ipsecctl_parse(int argc, char **argv,
					  struct ipsecctl_request *req)
{
	struct ipsecctl_cursor cur = { .argc = argc, .argv = argv, .next = 1 };
	const char *word;
	size_t i;

	memset(req, 0, sizeof(*req));
	req->help = IPSECCTL_HELP_MAIN;
	/* Options come first, as in ip(8): "ipsecctl -j sa list". */
	while (!ipsecctl_cursor_done(&cur) && argv[cur.next][0] == '-') {
		word = ipsecctl_cursor_take(&cur);
		if (!strcmp(word, "-j") || !strcmp(word, "--json")) {
			req->json = true;
		} else if (!strcmp(word, "-s") || !strcmp(word, "--socket")) {
			req->socket_path = ipsecctl_cursor_take(&cur);
			if (!req->socket_path)
				return usage(req, "missing path after \"%s\"", word);
		} else if (!strcmp(word, "-V") || !strcmp(word, "--version")) {
			req->cmd = IPSECCTL_CMD_VERSION;
			return IPSECCTL_PARSE_OK;
		} else if (ipsecctl_is_help(word)) {
			req->cmd = IPSECCTL_CMD_HELP;
			return IPSECCTL_PARSE_OK;
		} else {
			return usage(req, "unknown option \"%s\"", word);
		}
	}
	word = ipsecctl_cursor_take(&cur);
	if (!word)
		return usage(req, "missing object (sa, policy, spi or stats)");
	if (!strcmp(word, "help")) {
		req->cmd = IPSECCTL_CMD_HELP;
		return IPSECCTL_PARSE_OK;
	}
	for (i = 0; i < ARRAY_SIZE(objects); i++)
		if (!strcmp(word, objects[i]->name))
			return ipsecctl_parse_object(req, &cur, objects[i]);
	for (i = 0; i < ARRAY_SIZE(single_commands); i++)
		if (!strcmp(word, single_commands[i].name))
			return ipsecctl_parse_command(req, &cur,
						      &single_commands[i]);
	for (i = 0; i < ARRAY_SIZE(conn_commands); i++)
		if (!strcmp(word, conn_commands[i].name))
			return parse_conn_command(req, &cur, &conn_commands[i]);
	return usage(req, "unknown object \"%s\"", word);
}

void ipsecctl_wipe_key_args(struct ipsecctl_request *req)
{
	if (req->enc_key_arg)
		sodium_memzero(req->enc_key_arg, strlen(req->enc_key_arg));
	if (req->auth_key_arg)
		sodium_memzero(req->auth_key_arg, strlen(req->auth_key_arg));
	req->enc_key_arg = NULL;
	req->auth_key_arg = NULL;
}

void ipsecctl_request_wipe(struct ipsecctl_request *req)
{
	ipsecctl_wipe_key_args(req);
	sodium_memzero(req->enc_key, sizeof(req->enc_key));
	sodium_memzero(req->auth_key, sizeof(req->auth_key));
	req->enc_key_len = 0;
	req->auth_key_len = 0;
}

#define SA_TSV_FIELDS							\
	"  Without -j and when stdout is not a terminal: one SA per line,\n"	\
	"  tab-separated, raw numbers, no header. Fields, in this order:\n"	\
	"     1 spi (0x%08x)       2 proto            3 mode\n"		\
	"     4 src                5 dst              6 enc\n"		\
	"     7 enc_key_bits       8 auth             9 reqid\n"		\
	"    10 replay_window     11 esn (0|1)       12 encap_sport\n"	\
	"    13 encap_dport       14 soft_bytes      15 soft_packets\n"	\
	"    16 soft_seconds      17 hard_bytes      18 hard_packets\n"	\
	"    19 hard_seconds      20 age (seconds)   21 packets\n"		\
	"    22 bytes             23 drop_replay     24 drop_integrity\n"	\
	"    25 drop_policy       26 drop_malformed  27 drop_seq_overflow\n" \
	"    28 drop_no_sa        29 drop_nomem      30 drop_out_no_sa\n"	\
	"    31 drop_no_route     32 drop_expired    33 parallel (0|1)\n"	\
	"  enc and auth are \"none\" when absent; 0 means unset or unlimited.\n"

static const char help_main[] =
	"Usage: ipsecctl [-j] OBJECT COMMAND [ARGS]\n"
	"       ipsecctl -V | --version\n"
	"       ipsecctl -h | --help\n"
	"\n"
	"Controls the kipsec module's SAs and policies in the current network\n"
	"namespace.\n"
	"\n"
	"Objects and commands:\n"
	"  sa add     add an SA                     (ipsecctl sa add --help)\n"
	"  sa del     delete an SA\n"
	"  sa get     show one SA\n"
	"  sa list    show every SA (alias: show)\n"
	"  sa flush   delete every SA\n"
	"  policy add|del|get|list|flush  security policies\n"
	"             (ipsecctl policy --help)\n"
	"  spi alloc  reserve an unused SPI\n"
	"  stats      the namespace's counters\n"
	"  monitor    print the kernel's events as they happen\n"
	"  ike list   ipsecd's IKE SAs and their IPsec SAs (alias: show)\n"
	"  up NAME    ask ipsecd to negotiate connection NAME\n"
	"  down NAME  ask ipsecd to delete connection NAME's SAs\n"
	"  rekey NAME ask ipsecd to replace connection NAME's IPsec SAs now\n"
	"  reload     ask ipsecd to re-read its configuration and secrets\n"
	"\n"
	"Options:\n"
	"  -j, --json     JSON output\n"
	"  -s, --socket PATH  ipsecd's control socket (ike, up, down, rekey,\n"
	"                 reload); default\n"
	"                 $IPSECD_SOCKET, else " IPSECCTL_DEFAULT_SOCKET "\n"
	"  -V, --version  print the version\n"
	"  -h, --help     this help; after a command, that command's help\n"
	"\n"
	"Exit status: 0 success, 1 failure, 2 usage error.\n";

static const char help_sa[] =
	"Usage: ipsecctl [-j] sa { add | del | get | list | flush | set } [ARGS]\n"
	"\n"
	"  sa add spi SPI src ADDR dst ADDR proto { esp | ah }\n"
	"         mode { tunnel | transport } [ enc ALG [KEYHEX] ]\n"
	"         [ auth ALG KEYHEX ] [ reqid N ] [ replay-window N ] [ esn ]\n"
	"         [ parallel ] [ oseq N ] [ encap-sport PORT encap-dport PORT ]\n"
	"         [ { soft | hard }-{ bytes | packets | seconds } N ]\n"
	"  sa del spi SPI dst ADDR proto { esp | ah }\n"
	"  sa get spi SPI dst ADDR proto { esp | ah }\n"
	"  sa list                  (alias: show; also \"ipsecctl sa\")\n"
	"  sa flush [ proto { esp | ah } ]\n"
	"  sa set spi SPI dst ADDR proto esp [ encap-sport PORT encap-dport PORT ]\n"
	"         [ new-src ADDR ] [ new-dst ADDR ]\n"
	"\n"
	"\"ipsecctl sa COMMAND --help\" describes each command.\n";

static const char help_sa_add[] =
	"Usage: ipsecctl sa add spi SPI src ADDR dst ADDR proto { esp | ah }\n"
	"           mode { tunnel | transport } [ enc ALG [KEYHEX] ]\n"
	"           [ auth ALG KEYHEX ] [ reqid N ] [ replay-window N ] [ esn ]\n"
	"           [ parallel ] [ oseq N ] [ encap-sport PORT encap-dport PORT ]\n"
	"           [ soft-bytes N ] [ soft-packets N ] [ soft-seconds N ]\n"
	"           [ hard-bytes N ] [ hard-packets N ] [ hard-seconds N ]\n"
	"\n"
	"Adds an SA, identified by (SPI, dst, proto).\n"
	"\n"
	"  spi            decimal or 0x-prefixed hex, at least 256\n"
	"  src, dst       outer addresses, both IPv4 or both IPv6\n"
	"  enc ALG KEY    ESP cipher; KEY in hex, optionally 0x-prefixed:\n"
	"                   null                (no key argument)\n"
	"                   aes-cbc             16 or 32 bytes\n"
	"                   aes-gcm-16, aes-gcm 20 or 36 bytes (key + 4-byte salt)\n"
	"                   chacha20-poly1305   36 bytes (key + 4-byte salt)\n"
	"  auth ALG KEY   integrity; required for AH and for ESP without AEAD:\n"
	"                   hmac-sha256-128, hmac-sha256   32 bytes\n"
	"                   hmac-sha1-96, hmac-sha1        20 bytes\n"
	"  reqid N        links the SA to policies\n"
	"  replay-window N  packets, 0 (off) to 4096; default 64\n"
	"  esn            64-bit extended sequence numbers\n"
	"  parallel       ESP only: spread this SA's encryption or decryption\n"
	"                 over all CPUs, packets still sent and delivered in\n"
	"                 order. Pays off for one busy SA on a host with idle\n"
	"                 CPUs; costs a hand-over per packet otherwise (small\n"
	"                 packets, such as ACKs, skip it when they can overtake\n"
	"                 none of the SA's)\n"
	"  oseq N         outbound sequence number taken as already sent; the\n"
	"                 first packet carries N + 1 (default 0; without esn at\n"
	"                 most 0xffffffff). When the last number is used the SA\n"
	"                 ends as at a hard limit: sequence numbers never wrap\n"
	"  encap-sport, encap-dport  UDP encapsulation (NAT-T), ESP only\n"
	"  *-bytes N      k, M, G, T (x1000) or KiB, MiB, GiB, TiB (x1024)\n"
	"  *-seconds N    s, m, h or d\n"
	"  *-packets N    a plain number\n"
	"  Soft limits raise an event, hard limits delete the SA; 0 = none.\n"
	"\n"
	"Keys are never printed back by any command.\n";

static const char help_sa_del[] =
	"Usage: ipsecctl sa del spi SPI dst ADDR proto { esp | ah }\n"
	"\n"
	"Deletes an SA and wipes its keys; also releases an unused SPI\n"
	"reservation with that identity. Alias: delete.\n";

static const char help_sa_get[] =
	"Usage: ipsecctl [-j] sa get spi SPI dst ADDR proto { esp | ah }\n"
	"\n"
	"Shows one SA.\n"
	"  On a terminal: as a \"sa add\" line without keys (the cipher shows\n"
	"  its key size in bits instead), then indented lines with the age\n"
	"  and the counters.\n"
	SA_TSV_FIELDS
	"  -j: one JSON object, as the elements of \"sa list -j\".\n";

static const char help_sa_list[] =
	"Usage: ipsecctl [-j] sa list\n"
	"\n"
	"Shows every SA of the namespace, sorted by SPI, dst and proto.\n"
	"Aliases: show, and \"ipsecctl sa\" alone.\n"
	"  On a terminal: a table with the columns SPI PROTO MODE SRC DST ENC\n"
	"  AUTH REQID PACKETS BYTES DROPS AGE, in human units; MODE ends in\n"
	"  \",parallel\" for a parallel SA.\n"
	SA_TSV_FIELDS
	"  -j: a JSON array of objects with the members spi (number), proto,\n"
	"  mode, src, dst, enc, enc_key_bits, auth, reqid, replay_window,\n"
	"  esn (boolean), parallel (boolean), oseq (the last sequence number sent), encap_sport, encap_dport, lifetime_soft and\n"
	"  lifetime_hard (objects: bytes, packets, seconds), lifetime_used\n"
	"  (object: bytes, packets; what counts against the limits), age and\n"
	"  stats (object: packets, bytes, drop_replay, drop_integrity,\n"
	"  drop_policy, drop_malformed, drop_seq_overflow, drop_no_sa,\n"
	"  drop_nomem, drop_out_no_sa, drop_no_route, drop_expired).\n";

static const char help_sa_flush[] =
	"Usage: ipsecctl sa flush [ proto { esp | ah } ]\n"
	"\n"
	"Deletes every SA and SPI reservation of the namespace, or only\n"
	"those of one protocol.\n";

static const char help_sa_set[] =
	"Usage: ipsecctl sa set spi SPI dst ADDR proto esp\n"
	"           [ encap-sport PORT encap-dport PORT ] [ new-src ADDR ]\n"
	"           [ new-dst ADDR ]\n"
	"\n"
	"Moves an ESP-in-UDP SA in place, as a key manager does when the\n"
	"peer's NAT gives it a new mapping: keys, sequence numbers, replay\n"
	"window, counters and lifetimes go on.\n"
	"  encap-sport, encap-dport  the new UDP ports (both)\n"
	"  new-src ADDR   the new outer source\n"
	"  new-dst ADDR   the new outer destination: the SA is (SPI, new-dst,\n"
	"                 proto) from then on\n"
	"  At least one of them; addresses of the SA's family. Tunnel-mode\n"
	"  policies whose template is the SA's old address pair move with it.\n";

static const char help_spi[] =
	"Usage: ipsecctl [-j] spi alloc dst ADDR proto { esp | ah } [ min N ]\n"
	"           [ max N ] [ timeout SECONDS ]\n"
	"\n"
	"\"ipsecctl spi alloc --help\" describes the command.\n";

static const char help_spi_alloc[] =
	"Usage: ipsecctl [-j] spi alloc dst ADDR proto { esp | ah } [ min N ]\n"
	"           [ max N ] [ timeout SECONDS ]\n"
	"\n"
	"Reserves a random SPI unused in the namespace, from min (default 256)\n"
	"to max (default 0xffffffff), until an SA with it is added or deleted\n"
	"or the timeout (s, m, h suffixes; default 60 s, at most 3600 s)\n"
	"passes. Prints the SPI as 0x%08x; with -j an object with the members\n"
	"spi (number), dst and proto.\n";

static const char help_stats[] =
	"Usage: ipsecctl [-j] stats\n"
	"\n"
	"Shows the namespace's counters, one per line as NAME VALUE (aligned\n"
	"on a terminal, tab-separated otherwise), in this order: sa_count,\n"
	"spi_reserved, packets, bytes, drop_replay, drop_integrity,\n"
	"drop_policy, drop_malformed, drop_seq_overflow, drop_no_sa,\n"
	"drop_nomem, drop_out_no_sa, drop_no_route, drop_expired,\n"
	"policy_count. -j: one JSON object with these members.\n";

static const char help_monitor[] =
	"Usage: ipsecctl [-j] monitor\n"
	"\n"
	"Prints the namespace's kipsec events as they happen, one line per\n"
	"event, until interrupted. Each line starts with the event's name:\n"
	"  sa_new, sa_del        an SA was added or deleted; then its fields\n"
	"                        as in \"sa list\" without a terminal\n"
	"  sa_soft_expire, sa_hard_expire\n"
	"                        an SA reached a soft limit (once per SA) or a\n"
	"                        hard one (it is then deleted; no sa_del\n"
	"                        follows); then the limit (bytes, packets,\n"
	"                        seconds, or seq-overflow: the SA's sequence\n"
	"                        numbers are used up) and the SA's fields,\n"
	"                        final counters for a hard expiry\n"
	"  sa_flush              then the protocol flushed, or all\n"
	"  policy_new, policy_del  then the policy's fields as in\n"
	"                        \"policy list\" without a terminal\n"
	"  policy_flush          then the direction flushed, or all\n"
	"  acquire               outbound traffic needs an SA: the policy's\n"
	"                        fields, with the packet's flow as the selector\n"
	"Fields are tab-separated. -j: one JSON object per line, with the\n"
	"member event (the name above) and sa (as in \"sa list -j\"),\n"
	"policy (as in \"policy list -j\"), proto or dir (of a flush) and\n"
	"reason (of an expiry). Output is flushed after every event. Events\n"
	"lost to a full receive buffer are reported on stderr.\n";

static const char help_ike[] =
	"Usage: ipsecctl [-j] [-s SOCKET] ike list\n"
	"\n"
	"\"ipsecctl ike list --help\" describes the command.\n";

static const char help_ike_list[] =
	"Usage: ipsecctl [-j] [-s SOCKET] ike list\n"
	"\n"
	"Asks ipsecd (over its control socket) for its ISAKMP SAs and, under\n"
	"each, the IPsec SAs negotiated with it. Aliases: show, and\n"
	"\"ipsecctl ike\" alone.\n"
	"  On a terminal: one line per ISAKMP SA (conn: local === peer, state,\n"
	"  role, suite, cookies, age), then one indented line per IPsec SA\n"
	"  (protocol, algorithms, inbound and outbound SPI, client subnets,\n"
	"  mode, age); under an established ISAKMP SA its dead peer detection\n"
	"  (state, settings, R-U-THEREs sent/ACKed/answered), and per conn its\n"
	"  security level (require|request) with any active clear-text\n"
	"  fallback (why, time left, bypass policy index); a conn whose NAT-T\n"
	"  peer was followed to another address says where it was configured\n"
	"  and where it is now.\n"
	"  Without -j and when stdout is not a terminal: tab-separated lines,\n"
	"    ike CONN LOCAL PEER STATE ROLE SUITE COOKIE_I COOKIE_R AGE\n"
	"    ipsec CONN PROTO SPI_IN SPI_OUT ALG MODE LOCAL_TS REMOTE_TS AGE\n"
	"    peer CONN CONFIGURED CURRENT PORT   (only for a moved peer)\n"
	"  -j: a JSON array of objects with the members conn, local, peer\n"
	"  (current), configured_peer (right= in ipsecd's file), state, role,\n"
	"  ike, cookie_i, cookie_r, age, lifetime and ipsec_sas\n"
	"  (objects: proto, spi_in, spi_out (numbers), alg, mode, pfs,\n"
	"  local_ts, remote_ts, age, lifetime, lifetime_kbytes), plus level,\n"
	"  fallback (active, remaining, policy, reason, count), dpd_deaths and\n"
	"  dpd (state, peer_supports, delay, timeout, action, sent, acked,\n"
	"  answered); a conn with routed policies and no SA is listed with\n"
	"  state \"none\".\n";

static const char help_up[] =
	"Usage: ipsecctl [-s SOCKET] up NAME\n"
	"\n"
	"Asks ipsecd to negotiate connection NAME (Main Mode if there is no\n"
	"ISAKMP SA yet, then Quick Mode) and returns at once; follow the\n"
	"result with \"ipsecctl ike list\" or ipsecd's log.\n";

static const char help_down[] =
	"Usage: ipsecctl [-s SOCKET] down NAME\n"
	"\n"
	"Asks ipsecd to delete connection NAME's IPsec SAs and its ISAKMP SA,\n"
	"sending Delete payloads to the peer.\n";

static const char help_rekey[] =
	"Usage: ipsecctl [-s SOCKET] rekey NAME\n"
	"\n"
	"Asks ipsecd to negotiate a new IPsec SA pair for connection NAME now,\n"
	"as if the current pair had reached its soft limit, and returns at\n"
	"once. The old pair is retired as after any rekey.\n";

static const char help_reload[] =
	"Usage: ipsecctl [-s SOCKET] reload\n"
	"\n"
	"Asks ipsecd to read its configuration and secrets files again (as\n"
	"SIGHUP does). Unchanged connections keep their SAs; removed ones are\n"
	"taken down with Deletes to the peer, changed ones taken down and\n"
	"added again, new ones added. An error (FILE:LINE: message) keeps the\n"
	"running configuration and makes ipsecctl exit with status 1.\n";

const char *ipsecctl_help_text(enum ipsecctl_help help)
{
	switch (help) {
	case IPSECCTL_HELP_REKEY:
		return help_rekey;
	case IPSECCTL_HELP_RELOAD:
		return help_reload;
	case IPSECCTL_HELP_IKE:
		return help_ike;
	case IPSECCTL_HELP_IKE_LIST:
		return help_ike_list;
	case IPSECCTL_HELP_UP:
		return help_up;
	case IPSECCTL_HELP_DOWN:
		return help_down;
	case IPSECCTL_HELP_MAIN:
		return help_main;
	case IPSECCTL_HELP_SA:
		return help_sa;
	case IPSECCTL_HELP_SA_ADD:
		return help_sa_add;
	case IPSECCTL_HELP_SA_DEL:
		return help_sa_del;
	case IPSECCTL_HELP_SA_GET:
		return help_sa_get;
	case IPSECCTL_HELP_SA_SET:
		return help_sa_set;
	case IPSECCTL_HELP_SA_LIST:
		return help_sa_list;
	case IPSECCTL_HELP_SA_FLUSH:
		return help_sa_flush;
	case IPSECCTL_HELP_SPI:
		return help_spi;
	case IPSECCTL_HELP_SPI_ALLOC:
		return help_spi_alloc;
	case IPSECCTL_HELP_STATS:
		return help_stats;
	case IPSECCTL_HELP_MONITOR:
		return help_monitor;
	case IPSECCTL_HELP_POLICY:
	case IPSECCTL_HELP_POLICY_ADD:
	case IPSECCTL_HELP_POLICY_DEL:
	case IPSECCTL_HELP_POLICY_GET:
	case IPSECCTL_HELP_POLICY_LIST:
	case IPSECCTL_HELP_POLICY_FLUSH:
		return ipsecctl_policy_help_text(help);
	}
	return help_main;
}
