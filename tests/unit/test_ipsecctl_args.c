// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of ipsecctl's argument parser (userland/ipsecctl/args.c):
 * every keyword, the defaults, and every rejection with its exact message.
 */
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "ipsecctl/args.h"
#include "kipsec.h"
#include "tap.h"

/* argv strings are heap copies: the parser wipes key arguments in place. */
static char *argv_store[64];
static int argc_store;

static void free_argv(void)
{
	for (int i = 0; i < argc_store; i++)
		free(argv_store[i]);
	argc_store = 0;
}

static enum ipsecctl_parse_result parse_words(struct ipsecctl_request *req,
					      const char *const *words)
{
	free_argv();
	argv_store[argc_store++] = strdup("ipsecctl");
	for (; *words; words++)
		argv_store[argc_store++] = strdup(*words);
	argv_store[argc_store] = NULL;
	return ipsecctl_parse(argc_store, argv_store, req);
}

#define PARSE(req, ...) \
	parse_words(req, (const char *const[]){ __VA_ARGS__, NULL })

/* The words end with NULL: room for the longest command line a case has. */
#define MAX_WORDS 24

/* A usage error with exactly this message. */
static void rejects(const char *message, const char *const *words)
{
	struct ipsecctl_request r;
	char name[256];

	snprintf(name, sizeof(name), "rejected: %s", message);
	if (tap_is_int(parse_words(&r, words), IPSECCTL_PARSE_USAGE, name)) {
		snprintf(name, sizeof(name), "message: %s", message);
		tap_is_str(r.error, message, name);
	} else {
		tap_ok(0, "message: %s", message);
	}
	tap_ok(r.enc_key_len == 0 && r.auth_key_len == 0,
	       "no key left after: %s", message);
}

#define REJECTS(message, ...) \
	rejects(message, (const char *const[]){ __VA_ARGS__, NULL })

/* A table of usage errors: each message and the words that cause it. */
struct reject_case {
	const char *message;
	const char *words[MAX_WORDS];
};

static void rejects_all(const struct reject_case *cases, size_t n)
{
	for (size_t i = 0; i < n; i++)
		rejects(cases[i].message, cases[i].words);
}

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* The bytes of an address of this family. */
static size_t addr_len(int family)
{
	return family == AF_INET6 ? 16 : 4;
}

#define SA_ADD_BASE "sa", "add", "spi", "0x1000", "src", "192.0.2.1",	\
	"dst", "192.0.2.2", "proto", "esp", "mode", "tunnel"

static void test_global(void)
{
	struct ipsecctl_request r;

	tap_is_int(PARSE(&r, "-V"), 0, "-V parses");
	tap_is_int(r.cmd, IPSECCTL_CMD_VERSION, "-V is version");
	tap_is_int(PARSE(&r, "--version"), 0, "--version parses");
	tap_is_int(r.cmd, IPSECCTL_CMD_VERSION, "--version is version");
	tap_is_int(PARSE(&r, "-h"), 0, "-h parses");
	tap_is_int(r.cmd, IPSECCTL_CMD_HELP, "-h is help");
	tap_is_int(r.help, IPSECCTL_HELP_MAIN, "-h is the main help");
	tap_is_int(PARSE(&r, "--help"), 0, "--help parses");
	tap_is_int(r.help, IPSECCTL_HELP_MAIN, "--help is the main help");
	tap_is_int(PARSE(&r, "help"), 0, "help parses");
	tap_is_int(r.cmd, IPSECCTL_CMD_HELP, "help is help");
	tap_is_int(PARSE(&r, "-j", "sa", "list"), 0, "-j sa list");
	tap_ok(r.json, "-j sets json");
	tap_is_int(r.cmd, IPSECCTL_CMD_SA_LIST, "-j sa list is a list");
	tap_is_int(PARSE(&r, "--json", "stats"), 0, "--json stats");
	tap_ok(r.json, "--json sets json");
	tap_is_int(PARSE(&r, "sa", "list"), 0, "sa list");
	tap_ok(!r.json, "json is off by default");

	REJECTS("ipsecctl: missing object (sa, policy, spi or stats)", "-j");
	REJECTS("ipsecctl: unknown option \"-x\"", "-x", "sa", "list");
	REJECTS("ipsecctl: unknown object \"polic\"", "polic", "list");
	{
		struct ipsecctl_request e;
		char *argv[] = { "ipsecctl", NULL };

		tap_is_int(ipsecctl_parse(1, argv, &e), IPSECCTL_PARSE_USAGE,
			   "no arguments at all");
		tap_is_str(e.error,
			   "ipsecctl: missing object (sa, policy, spi or stats)",
			   "no arguments message");
	}
}

static void test_help_everywhere(void)
{
	static const struct {
		const char *words[5];	/* NULL-terminated */
		enum ipsecctl_help want;
	} cases[] = {
		{ { "sa", "--help" }, IPSECCTL_HELP_SA },
		{ { "sa", "-h" }, IPSECCTL_HELP_SA },
		{ { "sa", "help" }, IPSECCTL_HELP_SA },
		{ { "sa", "add", "--help" }, IPSECCTL_HELP_SA_ADD },
		{ { "sa", "add", "spi", "-h" }, IPSECCTL_HELP_SA_ADD },
		{ { "sa", "del", "-h" }, IPSECCTL_HELP_SA_DEL },
		{ { "sa", "delete", "-h" }, IPSECCTL_HELP_SA_DEL },
		{ { "sa", "get", "--help" }, IPSECCTL_HELP_SA_GET },
		{ { "sa", "list", "--help" }, IPSECCTL_HELP_SA_LIST },
		{ { "sa", "show", "-h" }, IPSECCTL_HELP_SA_LIST },
		{ { "sa", "flush", "--help" }, IPSECCTL_HELP_SA_FLUSH },
		{ { "spi", "--help" }, IPSECCTL_HELP_SPI },
		{ { "spi", "alloc", "--help" }, IPSECCTL_HELP_SPI_ALLOC },
		{ { "stats", "--help" }, IPSECCTL_HELP_STATS },
		{ { "stats", "-h" }, IPSECCTL_HELP_STATS },
		{ { "policy", "--help" }, IPSECCTL_HELP_POLICY },
		{ { "policy", "help" }, IPSECCTL_HELP_POLICY },
		{ { "policy", "add", "--help" }, IPSECCTL_HELP_POLICY_ADD },
		{ { "policy", "add", "dir", "-h" }, IPSECCTL_HELP_POLICY_ADD },
		{ { "policy", "del", "-h" }, IPSECCTL_HELP_POLICY_DEL },
		{ { "policy", "delete", "-h" }, IPSECCTL_HELP_POLICY_DEL },
		{ { "policy", "get", "--help" }, IPSECCTL_HELP_POLICY_GET },
		{ { "policy", "list", "--help" }, IPSECCTL_HELP_POLICY_LIST },
		{ { "policy", "show", "-h" }, IPSECCTL_HELP_POLICY_LIST },
		{ { "policy", "flush", "--help" }, IPSECCTL_HELP_POLICY_FLUSH },
	};
	struct ipsecctl_request r;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *const *w = cases[i].words;

		parse_words(&r, w);
		tap_ok(r.cmd == IPSECCTL_CMD_HELP && r.help == cases[i].want,
		       "help: %s %s %s %s", w[0], w[1] ? w[1] : "",
		       w[1] && w[2] ? w[2] : "", w[1] && w[2] && w[3] ? w[3] : "");
	}
	for (i = IPSECCTL_HELP_MAIN; i <= IPSECCTL_HELP_STATS; i++)
		tap_ok(strncmp(ipsecctl_help_text((enum ipsecctl_help)i),
			       "Usage: ipsecctl", 15) == 0,
		       "help text %zu starts with a usage line", i);
	for (i = IPSECCTL_HELP_POLICY; i <= IPSECCTL_HELP_POLICY_FLUSH; i++)
		tap_ok(strncmp(ipsecctl_help_text((enum ipsecctl_help)i),
			       "Usage: ipsecctl", 15) == 0,
		       "policy help text %zu starts with a usage line", i);
	tap_ok(strstr(ipsecctl_help_text(IPSECCTL_HELP_POLICY_LIST),
		      "15 level") != NULL,
	       "policy list help documents the tab-separated fields");
	tap_ok(strstr(ipsecctl_help_text(IPSECCTL_HELP_MAIN), "policy add") != NULL,
	       "the main help lists the policy commands");
	tap_ok(strstr(ipsecctl_help_text(IPSECCTL_HELP_SA_LIST),
		      "29 drop_nomem") != NULL,
	       "sa list help documents the tab-separated fields");
	tap_ok(strstr(ipsecctl_help_text(IPSECCTL_HELP_SA_LIST),
		      "32 drop_expired") != NULL,
	       "sa list help names the last counter, drop_expired, field 32");
}

static void test_sa_add_minimal(void)
{
	struct ipsecctl_request r;
	static const uint8_t dst[4] = { 192, 0, 2, 2 };

	tap_is_int(PARSE(&r, SA_ADD_BASE), 0, "minimal sa add");
	tap_is_int(r.cmd, IPSECCTL_CMD_SA_ADD, "sa add command");
	tap_is_str(r.name, "sa add", "sa add name");
	tap_ok(r.has_spi && r.spi == 0x1000, "spi 0x1000");
	tap_is_int(r.src.family, AF_INET, "src is IPv4");
	tap_is_int(r.dst.family, AF_INET, "dst is IPv4");
	tap_ok(!memcmp(r.dst.bytes, dst, 4), "dst bytes");
	tap_is_int(r.proto, IPPROTO_ESP, "proto esp");
	tap_is_int(r.mode, KIPSEC_MODE_TUNNEL, "mode tunnel");
	/* Defaults: nothing optional is sent, the kernel applies its own. */
	tap_ok(!r.has_enc && !r.has_auth, "no algorithms by default");
	tap_ok(!r.has_reqid, "no reqid by default");
	tap_ok(!r.has_replay_window, "no replay-window by default");
	tap_is_int(r.flags, 0, "no flags by default");
	tap_is_int(PARSE(&r, SA_ADD_BASE, "parallel"), 0, "sa add parallel");
	tap_is_int(r.flags, KIPSEC_SA_F_PARALLEL, "parallel flag alone");
	tap_ok(!r.has_oseq, "no oseq by default");
	tap_ok(!r.has_encap, "no encapsulation by default");
	tap_ok(!r.soft.has[0] && !r.soft.has[1] && !r.soft.has[2] &&
	       !r.hard.has[0] && !r.hard.has[1] && !r.hard.has[2],
	       "no lifetimes by default");

	tap_is_int(PARSE(&r, "sa", "add", "mode", "transport", "proto", "ah",
			 "dst", "2001:db8::2", "src", "2001:db8::1", "spi",
			 "4096"),
		   0, "keywords in any order, IPv6, decimal spi");
	tap_is_int(r.spi, 4096, "decimal spi");
	tap_is_int(r.proto, IPPROTO_AH, "proto ah");
	tap_is_int(r.mode, KIPSEC_MODE_TRANSPORT, "mode transport");
	tap_is_int(r.dst.family, AF_INET6, "IPv6 dst");
	tap_is_int(PARSE(&r, "sa", "add", "spi", "0", "src", "10.0.0.1",
			 "dst", "10.0.0.2", "proto", "esp", "mode", "tunnel"),
		   0, "spi range is the kernel's to check");
}

static void test_sa_add_everything(void)
{
	struct ipsecctl_request r;
	int res;

	res = PARSE(&r, SA_ADD_BASE, "enc", "aes-cbc",
		    "0x000102030405060708090a0b0c0d0e0f",
		    "auth", "hmac-sha256-128",
		    "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
		    "reqid", "42", "replay-window", "4096", "esn",
		    "parallel", "oseq", "0x1fffffffe",
		    "encap-sport", "4500", "encap-dport", "4501",
		    "soft-bytes", "100M", "soft-packets", "1000000",
		    "soft-seconds", "50m", "hard-bytes", "1GiB",
		    "hard-packets", "0x200000", "hard-seconds", "1h");
	tap_is_int(res, 0, "sa add with every keyword");
	tap_ok(r.has_enc && r.enc_alg == KIPSEC_ENC_AES_CBC, "enc aes-cbc");
	tap_is_int(r.enc_key_len, 16, "enc key length");
	tap_ok(r.enc_key[0] == 0 && r.enc_key[15] == 0x0f, "enc key bytes");
	tap_ok(r.has_auth && r.auth_alg == KIPSEC_AUTH_HMAC_SHA256_128,
	       "auth hmac-sha256-128");
	tap_is_int(r.auth_key_len, 32, "auth key length");
	tap_ok(r.auth_key[1] == 0x11 && r.auth_key[31] == 0xff,
	       "auth key bytes");
	tap_ok(r.has_reqid && r.reqid == 42, "reqid 42");
	tap_ok(r.has_replay_window && r.replay_window == 4096,
	       "replay-window 4096");
	tap_is_int(r.flags, KIPSEC_SA_F_ESN | KIPSEC_SA_F_PARALLEL,
		   "esn and parallel flags");
	tap_ok(r.has_oseq && r.oseq == 0x1fffffffeULL, "oseq 0x1fffffffe");
	tap_ok(r.has_encap && r.encap_sport == 4500 && r.encap_dport == 4501,
	       "encap ports");
	tap_ok(r.soft.has[IPSECCTL_LIFETIME_BYTES] &&
	       r.soft.value[IPSECCTL_LIFETIME_BYTES] == 100000000,
	       "soft-bytes 100M");
	tap_ok(r.soft.has[IPSECCTL_LIFETIME_PACKETS] &&
	       r.soft.value[IPSECCTL_LIFETIME_PACKETS] == 1000000,
	       "soft-packets");
	tap_ok(r.soft.has[IPSECCTL_LIFETIME_SECONDS] &&
	       r.soft.value[IPSECCTL_LIFETIME_SECONDS] == 3000,
	       "soft-seconds 50m");
	tap_ok(r.hard.has[IPSECCTL_LIFETIME_BYTES] &&
	       r.hard.value[IPSECCTL_LIFETIME_BYTES] == 1073741824,
	       "hard-bytes 1GiB");
	tap_ok(r.hard.has[IPSECCTL_LIFETIME_PACKETS] &&
	       r.hard.value[IPSECCTL_LIFETIME_PACKETS] == 0x200000,
	       "hard-packets hex");
	tap_ok(r.hard.has[IPSECCTL_LIFETIME_SECONDS] &&
	       r.hard.value[IPSECCTL_LIFETIME_SECONDS] == 3600,
	       "hard-seconds 1h");
	tap_ok(r.enc_key_arg && r.auth_key_arg, "key arguments remembered");

	ipsecctl_wipe_key_args(&r);
	tap_ok(argv_store[15][0] == '\0' && argv_store[18][0] == '\0',
	       "hex keys wiped from argv");
	tap_ok(r.enc_key_len == 16, "decoded keys kept after wiping argv");
	ipsecctl_request_wipe(&r);
	tap_ok(r.enc_key_len == 0 && r.auth_key_len == 0 &&
	       r.enc_key[15] == 0 && r.auth_key[31] == 0,
	       "request wipe clears the decoded keys");
}

static void test_algorithms(void)
{
	static const struct {
		const char *name;
		unsigned int alg;
	} encs[] = {
		{ "aes-cbc", KIPSEC_ENC_AES_CBC },
		{ "aes-gcm-16", KIPSEC_ENC_AES_GCM_16 },
		{ "aes-gcm", KIPSEC_ENC_AES_GCM_16 },
		{ "chacha20-poly1305", KIPSEC_ENC_CHACHA20_POLY1305 },
	}, auths[] = {
		{ "hmac-sha256-128", KIPSEC_AUTH_HMAC_SHA256_128 },
		{ "hmac-sha256", KIPSEC_AUTH_HMAC_SHA256_128 },
		{ "hmac-sha1-96", KIPSEC_AUTH_HMAC_SHA1_96 },
		{ "hmac-sha1", KIPSEC_AUTH_HMAC_SHA1_96 },
	};
	struct ipsecctl_request r;
	size_t i;

	for (i = 0; i < sizeof(encs) / sizeof(encs[0]); i++) {
		tap_is_int(PARSE(&r, SA_ADD_BASE, "enc", encs[i].name, "0011"),
			   0, encs[i].name);
		tap_ok(r.has_enc && r.enc_alg == encs[i].alg,
		       "enc %s maps to %u", encs[i].name, encs[i].alg);
	}
	for (i = 0; i < sizeof(auths) / sizeof(auths[0]); i++) {
		tap_is_int(PARSE(&r, SA_ADD_BASE, "auth", auths[i].name, "0011"),
			   0, auths[i].name);
		tap_ok(r.has_auth && r.auth_alg == auths[i].alg,
		       "auth %s maps to %u", auths[i].name, auths[i].alg);
	}
	tap_is_int(PARSE(&r, SA_ADD_BASE, "enc", "null", "auth", "hmac-sha1",
			 "0x0011"),
		   0, "enc null takes no key");
	tap_ok(r.has_enc && r.enc_alg == KIPSEC_ENC_NULL && r.enc_key_len == 0,
	       "enc null with an empty key");
	tap_is_int(r.auth_key_len, 2, "0x-prefixed auth key");
	tap_is_int(PARSE(&r, SA_ADD_BASE, "enc", "aes-gcm",
			 "0102030405060708090a0b0c0d0e0f10111213141516171819"
			 "1a1b1c1d1e1f2021222324"),
		   0, "36-byte AEAD key");
	tap_is_int(r.enc_key_len, 36, "36-byte key length");
	tap_is_int(PARSE(&r, SA_ADD_BASE, "enc", "aes-cbc", "00"), 0,
		   "key length is the kernel's to check");
}

static void test_sa_add_rejections(void)
{
	REJECTS("ipsecctl: sa add: bad value \"xyz\" for \"spi\"",
		"sa", "add", "spi", "xyz");
	REJECTS("ipsecctl: sa add: bad value \"4294967296\" for \"spi\" (out of range)",
		"sa", "add", "spi", "4294967296");
	REJECTS("ipsecctl: sa add: bad value \"-1\" for \"spi\"",
		"sa", "add", "spi", "-1");
	REJECTS("ipsecctl: sa add: missing value for \"spi\"",
		"sa", "add", "spi");
	REJECTS("ipsecctl: sa add: \"spi\" given twice",
		SA_ADD_BASE, "spi", "0x1001");
	REJECTS("ipsecctl: sa add: unknown argument \"foo\"",
		SA_ADD_BASE, "foo", "1");
	REJECTS("ipsecctl: sa add: unknown argument \"min\"",
		SA_ADD_BASE, "min", "1");
	REJECTS("ipsecctl: sa add: bad value \"10.0.0\" for \"src\" (expected an IPv4 or IPv6 address)",
		"sa", "add", "src", "10.0.0");
	REJECTS("ipsecctl: sa add: bad value \"gw.example\" for \"dst\" (expected an IPv4 or IPv6 address)",
		"sa", "add", "dst", "gw.example");
	REJECTS("ipsecctl: sa add: bad value \"udp\" for \"proto\" (expected esp or ah)",
		"sa", "add", "proto", "udp");
	REJECTS("ipsecctl: sa add: bad value \"ESP\" for \"proto\" (expected esp or ah)",
		"sa", "add", "proto", "ESP");
	REJECTS("ipsecctl: sa add: bad value \"beet\" for \"mode\" (expected tunnel or transport)",
		"sa", "add", "mode", "beet");
	REJECTS("ipsecctl: sa add: bad value \"des\" for \"enc\" (expected null, aes-cbc, aes-gcm-16, aes-gcm or chacha20-poly1305)",
		SA_ADD_BASE, "enc", "des", "00");
	REJECTS("ipsecctl: sa add: bad value \"none\" for \"enc\" (expected null, aes-cbc, aes-gcm-16, aes-gcm or chacha20-poly1305)",
		SA_ADD_BASE, "enc", "none");
	REJECTS("ipsecctl: sa add: bad value \"md5\" for \"auth\" (expected hmac-sha256-128, hmac-sha256, hmac-sha1-96 or hmac-sha1)",
		SA_ADD_BASE, "auth", "md5", "00");
	REJECTS("ipsecctl: sa add: missing value for \"enc\"",
		SA_ADD_BASE, "enc");
	REJECTS("ipsecctl: sa add: missing key for \"enc\"",
		SA_ADD_BASE, "enc", "aes-gcm");
	REJECTS("ipsecctl: sa add: missing key for \"auth\"",
		SA_ADD_BASE, "auth", "hmac-sha1");
	REJECTS("ipsecctl: sa add: bad key for \"enc\": odd number of hex digits",
		SA_ADD_BASE, "enc", "aes-cbc", "0x123");
	REJECTS("ipsecctl: sa add: bad key for \"enc\": not a hex digit at position 3",
		SA_ADD_BASE, "enc", "aes-cbc", "00zz");
	REJECTS("ipsecctl: sa add: bad key for \"enc\": empty",
		SA_ADD_BASE, "enc", "aes-cbc", "");
	REJECTS("ipsecctl: sa add: bad key for \"auth\": empty",
		SA_ADD_BASE, "auth", "hmac-sha256", "0x");
	REJECTS("ipsecctl: sa add: bad key for \"auth\": not a hex digit at position 1",
		SA_ADD_BASE, "auth", "hmac-sha256", "secret");
	REJECTS("ipsecctl: sa add: bad key for \"enc\": longer than 64 bytes",
		SA_ADD_BASE, "enc", "aes-cbc",
		"00000000000000000000000000000000000000000000000000000000000000000000"
		"00000000000000000000000000000000000000000000000000000000000000");
	/* A failure after a key was decoded must not leave the key behind. */
	REJECTS("ipsecctl: sa add: bad value \"x\" for \"reqid\"",
		SA_ADD_BASE, "enc", "aes-cbc", "00112233", "auth", "hmac-sha1",
		"0011", "reqid", "x");
	REJECTS("ipsecctl: sa add: bad value \"-5\" for \"reqid\"",
		SA_ADD_BASE, "reqid", "-5");
	REJECTS("ipsecctl: sa add: bad value \"64k\" for \"replay-window\"",
		SA_ADD_BASE, "replay-window", "64k");
	REJECTS("ipsecctl: sa add: bad value \"-1\" for \"oseq\"",
		SA_ADD_BASE, "oseq", "-1");
	REJECTS("ipsecctl: sa add: bad value \"18446744073709551616\" for \"oseq\" (out of range)",
		SA_ADD_BASE, "oseq", "18446744073709551616");
	REJECTS("ipsecctl: sa add: bad value \"65536\" for \"encap-sport\" (out of range)",
		SA_ADD_BASE, "encap-sport", "65536", "encap-dport", "4500");
	REJECTS("ipsecctl: sa add: bad value \"nat\" for \"encap-dport\"",
		SA_ADD_BASE, "encap-sport", "4500", "encap-dport", "nat");
	REJECTS("ipsecctl: sa add: \"encap-sport\" needs \"encap-dport\"",
		SA_ADD_BASE, "encap-sport", "4500");
	REJECTS("ipsecctl: sa add: \"encap-dport\" needs \"encap-sport\"",
		SA_ADD_BASE, "encap-dport", "4500");
	REJECTS("ipsecctl: sa add: bad value \"1.5M\" for \"soft-bytes\"",
		SA_ADD_BASE, "soft-bytes", "1.5M");
	REJECTS("ipsecctl: sa add: bad value \"20000000T\" for \"hard-bytes\" (out of range)",
		SA_ADD_BASE, "hard-bytes", "20000000T");
	REJECTS("ipsecctl: sa add: bad value \"1k\" for \"soft-packets\"",
		SA_ADD_BASE, "soft-packets", "1k");
	REJECTS("ipsecctl: sa add: bad value \"many\" for \"hard-packets\"",
		SA_ADD_BASE, "hard-packets", "many");
	REJECTS("ipsecctl: sa add: bad value \"1y\" for \"soft-seconds\"",
		SA_ADD_BASE, "soft-seconds", "1y");
	REJECTS("ipsecctl: sa add: bad value \"1GiB\" for \"hard-seconds\"",
		SA_ADD_BASE, "hard-seconds", "1GiB");
	REJECTS("ipsecctl: sa add: \"esn\" given twice",
		SA_ADD_BASE, "esn", "esn");
	REJECTS("ipsecctl: sa add: \"parallel\" given twice",
		SA_ADD_BASE, "parallel", "parallel");
	REJECTS("ipsecctl: sa add: \"src\" and \"dst\" are of different address families",
		"sa", "add", "spi", "0x1000", "src", "192.0.2.1", "dst",
		"2001:db8::1", "proto", "esp", "mode", "tunnel");
	REJECTS("ipsecctl: sa add: missing \"spi\"",
		"sa", "add", "src", "192.0.2.1", "dst", "192.0.2.2", "proto",
		"esp", "mode", "tunnel");
	REJECTS("ipsecctl: sa add: missing \"src\"",
		"sa", "add", "spi", "0x1000", "dst", "192.0.2.2", "proto",
		"esp", "mode", "tunnel");
	REJECTS("ipsecctl: sa add: missing \"dst\"",
		"sa", "add", "spi", "0x1000", "src", "192.0.2.1", "proto",
		"esp", "mode", "tunnel");
	REJECTS("ipsecctl: sa add: missing \"proto\"",
		"sa", "add", "spi", "0x1000", "src", "192.0.2.1", "dst",
		"192.0.2.2", "mode", "tunnel");
	REJECTS("ipsecctl: sa add: missing \"mode\"",
		"sa", "add", "spi", "0x1000", "src", "192.0.2.1", "dst",
		"192.0.2.2", "proto", "esp");
}

static void test_key_never_in_messages(void)
{
	struct ipsecctl_request r;

	PARSE(&r, SA_ADD_BASE, "enc", "aes-cbc", "deadbeefcafeZZ");
	tap_ok(strstr(r.error, "deadbeef") == NULL,
	       "a bad key is not quoted back");
	tap_ok(argv_store[15][0] == '\0', "a bad key is wiped from argv");
	PARSE(&r, SA_ADD_BASE, "auth", "hmac-sha1", "abc");
	tap_ok(strstr(r.error, "abc") == NULL,
	       "an odd-length key is not quoted back");
}

static void test_sa_id_commands(void)
{
	struct ipsecctl_request r;

	tap_is_int(PARSE(&r, "sa", "del", "spi", "0x2000", "dst", "10.0.0.2",
			 "proto", "ah"),
		   0, "sa del");
	tap_ok(r.cmd == IPSECCTL_CMD_SA_DEL && r.spi == 0x2000 &&
	       r.proto == IPPROTO_AH && r.dst.family == AF_INET,
	       "sa del fields");
	tap_is_str(r.name, "sa del", "sa del name");
	tap_is_int(PARSE(&r, "sa", "delete", "proto", "esp", "dst", "::1",
			 "spi", "300"),
		   0, "sa delete alias");
	tap_is_int(r.cmd, IPSECCTL_CMD_SA_DEL, "delete is del");
	tap_is_int(PARSE(&r, "sa", "get", "spi", "0x2000", "dst", "10.0.0.2",
			 "proto", "esp"),
		   0, "sa get");
	tap_ok(r.cmd == IPSECCTL_CMD_SA_GET && r.spi == 0x2000,
	       "sa get fields");
	tap_is_str(r.name, "sa get", "sa get name");

	REJECTS("ipsecctl: sa del: missing \"spi\"",
		"sa", "del", "dst", "10.0.0.2", "proto", "esp");
	REJECTS("ipsecctl: sa del: missing \"dst\"",
		"sa", "del", "spi", "0x2000", "proto", "esp");
	REJECTS("ipsecctl: sa get: missing \"proto\"",
		"sa", "get", "spi", "0x2000", "dst", "10.0.0.2");
	REJECTS("ipsecctl: sa get: unknown argument \"src\"",
		"sa", "get", "spi", "0x2000", "src", "10.0.0.1");
	REJECTS("ipsecctl: sa del: unknown argument \"mode\"",
		"sa", "del", "mode", "tunnel");
	REJECTS("ipsecctl: sa get: bad value \"0x\" for \"spi\"",
		"sa", "get", "spi", "0x");
}

static void test_list_flush(void)
{
	struct ipsecctl_request r;

	tap_is_int(PARSE(&r, "sa", "list"), 0, "sa list");
	tap_is_int(r.cmd, IPSECCTL_CMD_SA_LIST, "sa list command");
	tap_is_int(PARSE(&r, "sa", "show"), 0, "sa show");
	tap_is_int(r.cmd, IPSECCTL_CMD_SA_LIST, "show is list");
	tap_is_int(PARSE(&r, "sa"), 0, "sa alone");
	tap_is_int(r.cmd, IPSECCTL_CMD_SA_LIST, "sa alone lists");
	tap_is_str(r.name, "sa list", "sa alone is named sa list");
	tap_is_int(PARSE(&r, "sa", "flush"), 0, "sa flush");
	tap_ok(r.cmd == IPSECCTL_CMD_SA_FLUSH && r.proto == 0,
	       "sa flush without proto flushes all");
	tap_is_int(PARSE(&r, "sa", "flush", "proto", "ah"), 0, "sa flush ah");
	tap_is_int(r.proto, IPPROTO_AH, "sa flush proto ah");

	REJECTS("ipsecctl: sa list: unknown argument \"spi\"",
		"sa", "list", "spi", "1");
	REJECTS("ipsecctl: sa flush: unknown argument \"spi\"",
		"sa", "flush", "spi", "1");
	REJECTS("ipsecctl: sa flush: bad value \"gre\" for \"proto\" (expected esp or ah)",
		"sa", "flush", "proto", "gre");
	REJECTS("ipsecctl: sa: unknown command \"update\"", "sa", "update");
	REJECTS("ipsecctl: sa: unknown command \"ls\"", "sa", "ls");
}

static void test_spi_alloc(void)
{
	struct ipsecctl_request r;

	tap_is_int(PARSE(&r, "spi", "alloc", "dst", "10.0.0.1", "proto",
			 "esp"),
		   0, "spi alloc minimal");
	tap_ok(r.cmd == IPSECCTL_CMD_SPI_ALLOC && r.proto == IPPROTO_ESP &&
	       r.dst.family == AF_INET, "spi alloc fields");
	tap_ok(!r.has_spi_min && !r.has_spi_max && !r.has_spi_timeout,
	       "spi alloc defaults are the kernel's");
	tap_is_str(r.name, "spi alloc", "spi alloc name");
	tap_is_int(PARSE(&r, "spi", "alloc", "dst", "fe80::1", "proto", "ah",
			 "min", "0x1000", "max", "0x1fff", "timeout", "2m"),
		   0, "spi alloc with every keyword");
	tap_ok(r.has_spi_min && r.spi_min == 0x1000, "min");
	tap_ok(r.has_spi_max && r.spi_max == 0x1fff, "max");
	tap_ok(r.has_spi_timeout && r.spi_timeout == 120, "timeout 2m");

	REJECTS("ipsecctl: spi alloc: missing \"dst\"",
		"spi", "alloc", "proto", "esp");
	REJECTS("ipsecctl: spi alloc: missing \"proto\"",
		"spi", "alloc", "dst", "10.0.0.1");
	REJECTS("ipsecctl: spi alloc: bad value \"low\" for \"min\"",
		"spi", "alloc", "min", "low");
	REJECTS("ipsecctl: spi alloc: bad value \"4294967296\" for \"max\" (out of range)",
		"spi", "alloc", "max", "4294967296");
	REJECTS("ipsecctl: spi alloc: bad value \"soon\" for \"timeout\"",
		"spi", "alloc", "timeout", "soon");
	REJECTS("ipsecctl: spi alloc: bad value \"50000d\" for \"timeout\" (out of range)",
		"spi", "alloc", "timeout", "50000d");
	REJECTS("ipsecctl: spi alloc: unknown argument \"spi\"",
		"spi", "alloc", "spi", "1");
	REJECTS("ipsecctl: spi: missing command", "spi");
	REJECTS("ipsecctl: spi: unknown command \"free\"", "spi", "free");
}

static void test_stats(void)
{
	struct ipsecctl_request r;

	tap_is_int(PARSE(&r, "stats"), 0, "stats");
	tap_is_int(r.cmd, IPSECCTL_CMD_STATS, "stats command");
	tap_is_str(r.name, "stats", "stats name");
	REJECTS("ipsecctl: stats: unknown argument \"all\"", "stats", "all");
}

#define POL_ADD_BASE "policy", "add", "dir", "out", "src", "10.1.0.0/24", \
	"dst", "10.2.0.0/16"

static void test_policy_add(void)
{
	struct ipsecctl_request r;
	const struct ipsecctl_policy *p = &r.pol;

	tap_is_int(PARSE(&r, POL_ADD_BASE, "action", "bypass"), 0,
		   "policy add, minimal");
	tap_is_int(r.cmd, IPSECCTL_CMD_POLICY_ADD, "policy add command");
	tap_is_str(r.name, "policy add", "policy add name");
	tap_ok(p->dir == KIPSEC_DIR_OUT && p->action == KIPSEC_ACTION_BYPASS,
	       "dir out, action bypass");
	tap_ok(p->src.family == AF_INET && p->src_plen == 24 &&
	       p->src.bytes[0] == 10 && p->src.bytes[1] == 1,
	       "src prefix 10.1.0.0/24");
	tap_ok(p->dst_plen == 16, "dst prefix length 16");
	tap_ok(!p->has_proto && !p->sport.has && !p->dport.has &&
	       !p->has_priority && !p->has_reqid && !p->level,
	       "nothing optional set by default");

	tap_is_int(PARSE(&r, "policy", "add", "dir", "fwd", "src",
			 "2001:db8:1::/48", "dst", "2001:db8:2::1", "proto",
			 "tcp", "sport", "1024-65535", "dport", "443",
			 "priority", "7", "action", "protect", "esp", "tunnel",
			 "192.0.2.1", "192.0.2.2", "reqid", "42", "level",
			 "request"), 0, "policy add, everything");
	tap_ok(p->dir == KIPSEC_DIR_FWD && p->src.family == AF_INET6 &&
	       p->src_plen == 48 && p->dst_plen == 128,
	       "IPv6 prefixes; a bare address is a host prefix");
	tap_ok(p->has_proto && p->proto == 6, "proto tcp is 6");
	tap_ok(p->sport.has && p->sport.min == 1024 && p->sport.max == 65535,
	       "sport range");
	tap_ok(p->dport.has && p->dport.min == 443 && p->dport.max == 443,
	       "dport single port");
	tap_ok(p->has_priority && p->priority == 7, "priority");
	tap_ok(p->action == KIPSEC_ACTION_PROTECT && p->tmpl_proto == 50 &&
	       p->tmpl_mode == KIPSEC_MODE_TUNNEL, "protect esp tunnel");
	tap_ok(p->tmpl_src.family == AF_INET && p->tmpl_src.bytes[3] == 1 &&
	       p->tmpl_dst.bytes[3] == 2, "tunnel endpoints, 4-in-6 allowed");
	tap_ok(p->has_reqid && p->reqid == 42, "reqid");
	tap_ok(p->level == KIPSEC_LEVEL_REQUEST, "level request");

	tap_is_int(PARSE(&r, POL_ADD_BASE, "proto", "47", "action", "protect",
			 "ah", "transport"), 0, "protect ah transport");
	tap_ok(p->proto == 47 && p->tmpl_proto == 51 &&
	       p->tmpl_mode == KIPSEC_MODE_TRANSPORT, "numeric proto, ah, transport");
	tap_is_int(PARSE(&r, POL_ADD_BASE, "proto", "udplite", "action",
			 "discard"), 0, "proto udplite");
	tap_ok(p->proto == 136 && p->action == KIPSEC_ACTION_DISCARD,
	       "udplite is 136, discard");
	tap_is_int(PARSE(&r, "policy", "add", "action", "bypass", "dir", "in",
			 "dst", "0.0.0.0/0", "src", "0.0.0.0/0"), 0,
		   "keywords in any order; /0");
	tap_ok(p->dir == KIPSEC_DIR_IN && p->src_plen == 0, "dir in, /0");
	tap_ok(!p->has_lifetime, "no lifetime by default");
}

/* policy add ... lifetime SECONDS: accepted anywhere, with any action. */
static const struct lifetime_case {
	const char *words[MAX_WORDS];
	bool has_lifetime;
	uint32_t lifetime;
	uint8_t action;
	const char *name;
} lifetime_cases[] = {
	{ { POL_ADD_BASE, "action", "bypass" },
	  false, 0, KIPSEC_ACTION_BYPASS, "no lifetime" },
	{ { POL_ADD_BASE, "action", "bypass", "lifetime", "120" },
	  true, 120, KIPSEC_ACTION_BYPASS, "lifetime 120, bypass" },
	{ { POL_ADD_BASE, "lifetime", "5", "action", "protect", "esp",
	    "transport" },
	  true, 5, KIPSEC_ACTION_PROTECT,
	  "lifetime 5 on a protect policy, before the action" },
	{ { POL_ADD_BASE, "action", "bypass", "lifetime", "4294967295" },
	  true, UINT32_MAX, KIPSEC_ACTION_BYPASS, "the largest lifetime" },
};

static void test_policy_lifetime(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(lifetime_cases); i++) {
		const struct lifetime_case *c = &lifetime_cases[i];
		struct ipsecctl_request r;

		tap_is_int(parse_words(&r, c->words), 0, c->name);
		if (!tap_ok(r.pol.has_lifetime == c->has_lifetime &&
			    r.pol.lifetime == c->lifetime &&
			    r.pol.action == c->action,
			    "%s: lifetime and action", c->name))
			printf("#   got has_lifetime %d, lifetime %u, action %u\n",
			       r.pol.has_lifetime, r.pol.lifetime, r.pol.action);
	}
}

static const struct reject_case policy_lifetime_rejects[] = {
	{ "ipsecctl: policy add: bad value \"2m\" for \"lifetime\"",
	  { POL_ADD_BASE, "action", "bypass", "lifetime", "2m" } },
	{ "ipsecctl: policy add: bad value \"4294967296\" for \"lifetime\"",
	  { POL_ADD_BASE, "action", "bypass", "lifetime", "4294967296" } },
	{ "ipsecctl: policy add: missing value for \"lifetime\"",
	  { POL_ADD_BASE, "action", "bypass", "lifetime" } },
	{ "ipsecctl: policy del: unknown argument \"lifetime\"",
	  { "policy", "del", "dir", "out", "lifetime", "5" } },
};

static void test_policy_rejections(void)
{
	REJECTS("ipsecctl: policy add: missing \"action\"", POL_ADD_BASE);
	rejects_all(policy_lifetime_rejects,
		    ARRAY_SIZE(policy_lifetime_rejects));
	REJECTS("ipsecctl: policy add: missing \"dir\"", "policy", "add",
		"src", "10.0.0.0/8", "dst", "10.0.0.0/8", "action", "bypass");
	REJECTS("ipsecctl: policy add: missing \"src\"", "policy", "add",
		"dir", "out", "dst", "10.0.0.0/8", "action", "bypass");
	REJECTS("ipsecctl: policy add: bad value \"up\" for \"dir\" (expected out, in or fwd)",
		"policy", "add", "dir", "up");
	REJECTS("ipsecctl: policy add: bad value \"10.0.0.0/33\" for \"src\"",
		"policy", "add", "src", "10.0.0.0/33");
	REJECTS("ipsecctl: policy add: bad value \"2001:db8::/129\" for \"dst\"",
		"policy", "add", "dst", "2001:db8::/129");
	REJECTS("ipsecctl: policy add: bad value \"10.0.0.0/\" for \"src\"",
		"policy", "add", "src", "10.0.0.0/");
	REJECTS("ipsecctl: policy add: bad value \"10.0.0.0/0x8\" for \"src\"",
		"policy", "add", "src", "10.0.0.0/0x8");
	REJECTS("ipsecctl: policy add: bad value \"host\" for \"src\"",
		"policy", "add", "src", "host");
	REJECTS("ipsecctl: policy add: \"src\" and \"dst\" are of different address families",
		"policy", "add", "dir", "out", "src", "10.0.0.0/8", "dst",
		"::/0", "action", "bypass");
	REJECTS("ipsecctl: policy add: bad value \"256\" for \"proto\"",
		"policy", "add", "proto", "256");
	REJECTS("ipsecctl: policy add: bad value \"80-70\" for \"dport\"",
		"policy", "add", "dport", "80-70");
	REJECTS("ipsecctl: policy add: bad value \"65536\" for \"sport\"",
		"policy", "add", "sport", "65536");
	REJECTS("ipsecctl: policy add: bad value \"1-\" for \"sport\"",
		"policy", "add", "sport", "1-");
	REJECTS("ipsecctl: policy add: bad value \"allow\" for \"action\" (expected bypass, discard or protect)",
		"policy", "add", "action", "allow");
	REJECTS("ipsecctl: policy add: \"action protect\" needs esp or ah",
		POL_ADD_BASE, "action", "protect");
	REJECTS("ipsecctl: policy add: bad value \"ipcomp\" after \"action protect\" (expected esp or ah)",
		POL_ADD_BASE, "action", "protect", "ipcomp");
	REJECTS("ipsecctl: policy add: \"action protect\" needs tunnel or transport after esp",
		POL_ADD_BASE, "action", "protect", "esp");
	REJECTS("ipsecctl: policy add: bad value \"beet\" for the mode (expected tunnel or transport)",
		POL_ADD_BASE, "action", "protect", "esp", "beet");
	REJECTS("ipsecctl: policy add: \"tunnel\" needs the local and the remote endpoint",
		POL_ADD_BASE, "action", "protect", "esp", "tunnel", "192.0.2.1");
	REJECTS("ipsecctl: policy add: bad tunnel endpoint \"gw\" (expected an IPv4 or IPv6 address)",
		POL_ADD_BASE, "action", "protect", "esp", "tunnel", "gw",
		"192.0.2.2");
	REJECTS("ipsecctl: policy add: the tunnel endpoints are of different address families",
		POL_ADD_BASE, "action", "protect", "esp", "tunnel",
		"192.0.2.1", "2001:db8::2");
	REJECTS("ipsecctl: policy add: \"reqid\" is for \"action protect\" only",
		POL_ADD_BASE, "action", "bypass", "reqid", "1");
	REJECTS("ipsecctl: policy add: \"level\" is for \"action protect\" only",
		POL_ADD_BASE, "action", "discard", "level", "require");
	REJECTS("ipsecctl: policy add: bad value \"maybe\" for \"level\" (expected require or request)",
		POL_ADD_BASE, "action", "protect", "esp", "transport", "level",
		"maybe");
	REJECTS("ipsecctl: policy add: \"dir\" given twice", "policy", "add",
		"dir", "out", "dir", "in");
	REJECTS("ipsecctl: policy add: missing value for \"priority\"",
		"policy", "add", "priority");
	REJECTS("ipsecctl: policy add: unknown argument \"index\"", "policy",
		"add", "index", "1");
	REJECTS("ipsecctl: policy: unknown command \"replace\"", "policy",
		"replace");
}

static void test_policy_other_commands(void)
{
	struct ipsecctl_request r;

	tap_is_int(PARSE(&r, "policy", "del", "index", "17"), 0,
		   "policy del index");
	tap_ok(r.cmd == IPSECCTL_CMD_POLICY_DEL && r.pol.has_index &&
	       r.pol.index == 17, "del by index 17");
	tap_is_int(PARSE(&r, "policy", "delete", "dir", "in", "src",
			 "10.0.0.0/8", "dst", "10.1.0.0/16", "priority", "5"),
		   0, "policy del by selector");
	tap_ok(!r.pol.has_index && r.pol.dir == KIPSEC_DIR_IN &&
	       r.pol.has_priority && r.pol.priority == 5,
	       "del by selector and priority");
	REJECTS("ipsecctl: policy del: give \"index\" or the selector, not both",
		"policy", "del", "index", "1", "dir", "out");
	REJECTS("ipsecctl: policy del: missing \"index\" or \"dst\"",
		"policy", "del", "dir", "out", "src", "10.0.0.0/8");
	REJECTS("ipsecctl: policy del: bad value \"0\" for \"index\"",
		"policy", "del", "index", "0");
	REJECTS("ipsecctl: policy del: unknown argument \"action\"",
		"policy", "del", "action", "bypass");

	tap_is_int(PARSE(&r, "policy", "get", "index", "0x10"), 0,
		   "policy get index");
	tap_ok(r.cmd == IPSECCTL_CMD_POLICY_GET && r.pol.index == 16,
	       "get index 16");
	REJECTS("ipsecctl: policy get: missing \"index\"", "policy", "get");
	REJECTS("ipsecctl: policy get: unknown argument \"dir\"", "policy",
		"get", "dir", "out");

	tap_is_int(PARSE(&r, "policy"), 0, "policy alone");
	tap_is_int(r.cmd, IPSECCTL_CMD_POLICY_LIST, "policy alone lists");
	tap_is_int(PARSE(&r, "-j", "policy", "show"), 0, "policy show");
	tap_ok(r.cmd == IPSECCTL_CMD_POLICY_LIST && r.json, "show -j lists");
	REJECTS("ipsecctl: policy list: unknown argument \"all\"", "policy",
		"list", "all");

	tap_is_int(PARSE(&r, "policy", "flush"), 0, "policy flush");
	tap_ok(r.cmd == IPSECCTL_CMD_POLICY_FLUSH && !r.pol.dir,
	       "flush every direction");
	tap_is_int(PARSE(&r, "policy", "flush", "dir", "fwd"), 0,
		   "policy flush dir");
	tap_ok(r.pol.dir == KIPSEC_DIR_FWD, "flush fwd only");
	REJECTS("ipsecctl: policy flush: unknown argument \"src\"", "policy",
		"flush", "src", "10.0.0.0/8");
}

/* ipsecd's commands: up/down/rekey name a conn, reload takes nothing. */
static void test_daemon_commands(void)
{
	struct ipsecctl_request r;

	tap_is_int(PARSE(&r, "rekey", "site-b"), 0, "rekey NAME parses");
	tap_is_int(r.cmd, IPSECCTL_CMD_REKEY, "rekey is CMD_REKEY");
	tap_is_str(r.conn_name, "site-b", "rekey names the conn");
	tap_is_int(PARSE(&r, "-s", "/tmp/x.sock", "reload"), 0, "reload parses");
	tap_is_int(r.cmd, IPSECCTL_CMD_RELOAD, "reload is CMD_RELOAD");
	tap_is_str(r.socket_path, "/tmp/x.sock", "reload with -s");
	tap_is_int(PARSE(&r, "rekey", "--help"), 0, "rekey --help parses");
	tap_ok(r.cmd == IPSECCTL_CMD_HELP && r.help == IPSECCTL_HELP_REKEY,
	       "rekey --help is rekey's help");
	tap_ok(strstr(ipsecctl_help_text(IPSECCTL_HELP_RELOAD), "SIGHUP") != NULL,
	       "reload's help mentions SIGHUP");
	REJECTS("ipsecctl: rekey: missing connection name", "rekey");
	REJECTS("ipsecctl: rekey: unknown argument \"b\"", "rekey", "a", "b");
	REJECTS("ipsecctl: rekey: bad connection name \"\"", "rekey", "");
}

/* The SA that sa set cases change, by its identity. */
#define SA_SET_300 "sa", "set", "spi", "300", "dst", "192.0.2.2", "proto", "esp"

/* sa set: new ports, new addresses, or both. */
static const struct sa_set_case {
	const char *words[MAX_WORDS];
	uint32_t spi;
	bool has_encap;
	uint16_t sport, dport;
	int src_family, dst_family;	/* of new-src, new-dst; 0: not given */
	uint8_t src_last, dst_last;	/* their last byte */
	const char *name;
} sa_set_cases[] = {
	{ { "sa", "set", "spi", "0x2000", "dst", "192.0.2.2", "proto", "esp",
	    "encap-sport", "4500", "encap-dport", "31000",
	    "new-src", "192.0.2.7", "new-dst", "192.0.2.9" },
	  0x2000, true, 4500, 31000, AF_INET, AF_INET, 7, 9,
	  "sa set with everything" },
	{ { "sa", "set", "spi", "300", "dst", "2001:db8::2", "proto", "esp",
	    "new-dst", "2001:db8::9" },
	  300, false, 0, 0, 0, AF_INET6, 0, 9,
	  "sa set new-dst alone (IPv6)" },
	{ { SA_SET_300, "new-src", "192.0.2.7" },
	  300, false, 0, 0, AF_INET, 0, 7, 0,
	  "sa set new-src alone" },
	{ { SA_SET_300, "encap-sport", "4500", "encap-dport", "4500" },
	  300, true, 4500, 4500, 0, 0, 0, 0,
	  "sa set ports alone" },
};

static const struct reject_case sa_set_rejects[] = {
	{ "ipsecctl: sa set: nothing to change: give encap-sport and encap-dport, new-src or new-dst",
	  { SA_SET_300 } },
	{ "ipsecctl: sa set: \"new-dst\" and \"dst\" are of different address families",
	  { SA_SET_300, "new-dst", "2001:db8::9" } },
	{ "ipsecctl: sa set: \"new-src\" and \"dst\" are of different address families",
	  { "sa", "set", "spi", "300", "dst", "2001:db8::2", "proto", "esp",
	    "new-src", "192.0.2.7" } },
	{ "ipsecctl: sa set: \"encap-sport\" needs \"encap-dport\"",
	  { SA_SET_300, "encap-sport", "4500" } },
	{ "ipsecctl: sa set: bad value \"nowhere\" for \"new-dst\" (expected an IPv4 or IPv6 address)",
	  { SA_SET_300, "new-dst", "nowhere" } },
	{ "ipsecctl: sa set: unknown argument \"mode\"",
	  { SA_SET_300, "mode", "tunnel" } },
	{ "ipsecctl: sa set: missing \"spi\"",
	  { "sa", "set", "dst", "192.0.2.2", "proto", "esp", "new-dst",
	    "192.0.2.9" } },
	{ "ipsecctl: sa add: unknown argument \"new-dst\"",
	  { SA_ADD_BASE, "new-dst", "192.0.2.9" } },
};

static void test_sa_set(void)
{
	struct ipsecctl_request r;

	for (size_t i = 0; i < ARRAY_SIZE(sa_set_cases); i++) {
		const struct sa_set_case *c = &sa_set_cases[i];

		tap_is_int(parse_words(&r, c->words), 0, c->name);
		tap_ok(r.cmd == IPSECCTL_CMD_SA_SET && r.spi == c->spi &&
		       r.proto == IPPROTO_ESP && !strcmp(r.name, "sa set"),
		       "%s: command, identity and name", c->name);
		tap_ok(r.has_encap == c->has_encap &&
		       (!c->has_encap || (r.encap_sport == c->sport &&
					  r.encap_dport == c->dport)),
		       "%s: ports", c->name);
		tap_ok(r.new_src.family == c->src_family &&
		       r.new_dst.family == c->dst_family &&
		       (!c->src_family ||
			r.new_src.bytes[addr_len(c->src_family) - 1] == c->src_last) &&
		       (!c->dst_family ||
			r.new_dst.bytes[addr_len(c->dst_family) - 1] == c->dst_last),
		       "%s: new-src and new-dst", c->name);
	}
	parse_words(&r, (const char *const[]){ "sa", "set", "-h", NULL });
	tap_ok(r.cmd == IPSECCTL_CMD_HELP && r.help == IPSECCTL_HELP_SA_SET,
	       "sa set -h");
	tap_ok(strncmp(ipsecctl_help_text(IPSECCTL_HELP_SA_SET),
		       "Usage: ipsecctl sa set", 22) == 0,
	       "sa set help starts with its usage line");
	tap_ok(strstr(ipsecctl_help_text(IPSECCTL_HELP_SA), "sa set") != NULL,
	       "sa help lists sa set");

	rejects_all(sa_set_rejects, ARRAY_SIZE(sa_set_rejects));
}

int main(void)
{
	test_global();
	test_help_everywhere();
	test_sa_add_minimal();
	test_sa_add_everything();
	test_algorithms();
	test_sa_add_rejections();
	test_key_never_in_messages();
	test_sa_id_commands();
	test_sa_set();
	test_list_flush();
	test_spi_alloc();
	test_stats();
	test_policy_add();
	test_policy_lifetime();
	test_policy_rejections();
	test_policy_other_commands();
	test_daemon_commands();
	free_argv();
	return tap_done();
}
