// SPDX-License-Identifier: GPL-2.0
#include "common/kipsec_names.h"

#include <netinet/in.h>
#include <stddef.h>
#include <string.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

struct name_value {
	const char *name;
	unsigned int value;
};

/* The first entry of each value is its canonical name; the rest are aliases. */
static const struct name_value enc_algs[] = {
	{ "none", KIPSEC_ENC_NONE },
	{ "null", KIPSEC_ENC_NULL },
	{ "aes-cbc", KIPSEC_ENC_AES_CBC },
	{ "aes-gcm-16", KIPSEC_ENC_AES_GCM_16 },
	{ "aes-gcm", KIPSEC_ENC_AES_GCM_16 },
	{ "chacha20-poly1305", KIPSEC_ENC_CHACHA20_POLY1305 },
};

static const struct name_value auth_algs[] = {
	{ "none", KIPSEC_AUTH_NONE },
	{ "hmac-sha256-128", KIPSEC_AUTH_HMAC_SHA256_128 },
	{ "hmac-sha256", KIPSEC_AUTH_HMAC_SHA256_128 },
	{ "hmac-sha1-96", KIPSEC_AUTH_HMAC_SHA1_96 },
	{ "hmac-sha1", KIPSEC_AUTH_HMAC_SHA1_96 },
};

static const struct name_value protos[] = {
	{ "esp", IPPROTO_ESP },
	{ "ah", IPPROTO_AH },
};

static const struct name_value modes[] = {
	{ "transport", KIPSEC_MODE_TRANSPORT },
	{ "tunnel", KIPSEC_MODE_TUNNEL },
};

static const struct name_value dirs[] = {
	{ "out", KIPSEC_DIR_OUT },
	{ "in", KIPSEC_DIR_IN },
	{ "fwd", KIPSEC_DIR_FWD },
};

static const struct name_value actions[] = {
	{ "bypass", KIPSEC_ACTION_BYPASS },
	{ "discard", KIPSEC_ACTION_DISCARD },
	{ "protect", KIPSEC_ACTION_PROTECT },
};

static const struct name_value levels[] = {
	{ "require", KIPSEC_LEVEL_REQUIRE },
	{ "request", KIPSEC_LEVEL_REQUEST },
};

/* The IP protocols printed by name; any other is printed as a number. */
static const struct name_value ip_protos[] = {
	{ "any", 0 },
	{ "icmp", IPPROTO_ICMP },
	{ "tcp", IPPROTO_TCP },
	{ "udp", IPPROTO_UDP },
	{ "gre", IPPROTO_GRE },
	{ "esp", IPPROTO_ESP },
	{ "ah", IPPROTO_AH },
	{ "icmpv6", IPPROTO_ICMPV6 },
	{ "sctp", IPPROTO_SCTP },
	{ "udplite", IPPROTO_UDPLITE },
};

static const char *name_of(const struct name_value *t, size_t n,
			   unsigned int value)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (t[i].value == value)
			return t[i].name;
	return NULL;
}

static int value_of(const struct name_value *t, size_t n, const char *name,
		    unsigned int *value)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (!strcmp(t[i].name, name)) {
			*value = t[i].value;
			return 0;
		}
	}
	return -1;
}

const char *kipsec_enc_alg_name(unsigned int alg)
{
	return name_of(enc_algs, ARRAY_SIZE(enc_algs), alg);
}

const char *kipsec_auth_alg_name(unsigned int alg)
{
	return name_of(auth_algs, ARRAY_SIZE(auth_algs), alg);
}

const char *kipsec_proto_name(unsigned int proto)
{
	return name_of(protos, ARRAY_SIZE(protos), proto);
}

const char *kipsec_mode_name(unsigned int mode)
{
	return name_of(modes, ARRAY_SIZE(modes), mode);
}

/*
 * "none" is an output name only: on input an absent option means none, and
 * accepting it would let "enc none KEY" through as something meaningful.
 */
int kipsec_enc_alg_lookup(const char *name, uint16_t *out)
{
	unsigned int v;

	if (!strcmp(name, "none") ||
	    value_of(enc_algs, ARRAY_SIZE(enc_algs), name, &v))
		return -1;
	*out = (uint16_t)v;
	return 0;
}

int kipsec_auth_alg_lookup(const char *name, uint16_t *out)
{
	unsigned int v;

	if (!strcmp(name, "none") ||
	    value_of(auth_algs, ARRAY_SIZE(auth_algs), name, &v))
		return -1;
	*out = (uint16_t)v;
	return 0;
}

static int u8_of(const struct name_value *t, size_t n, const char *name,
		 uint8_t *out)
{
	unsigned int v;

	if (value_of(t, n, name, &v))
		return -1;
	*out = (uint8_t)v;
	return 0;
}

int kipsec_proto_lookup(const char *name, uint8_t *out)
{
	return u8_of(protos, ARRAY_SIZE(protos), name, out);
}

int kipsec_mode_lookup(const char *name, uint8_t *out)
{
	return u8_of(modes, ARRAY_SIZE(modes), name, out);
}

const char *kipsec_dir_name(unsigned int dir)
{
	return name_of(dirs, ARRAY_SIZE(dirs), dir);
}

const char *kipsec_action_name(unsigned int action)
{
	return name_of(actions, ARRAY_SIZE(actions), action);
}

const char *kipsec_level_name(unsigned int level)
{
	return name_of(levels, ARRAY_SIZE(levels), level);
}

const char *kipsec_ip_proto_name(unsigned int proto)
{
	return name_of(ip_protos, ARRAY_SIZE(ip_protos), proto);
}

int kipsec_dir_lookup(const char *name, uint8_t *out)
{
	return u8_of(dirs, ARRAY_SIZE(dirs), name, out);
}

int kipsec_action_lookup(const char *name, uint8_t *out)
{
	return u8_of(actions, ARRAY_SIZE(actions), name, out);
}

int kipsec_level_lookup(const char *name, uint8_t *out)
{
	return u8_of(levels, ARRAY_SIZE(levels), name, out);
}

int kipsec_ip_proto_lookup(const char *name, uint8_t *out)
{
	return u8_of(ip_protos, ARRAY_SIZE(ip_protos), name, out);
}

int kipsec_enc_alg_is_aead(unsigned int alg)
{
	return alg == KIPSEC_ENC_AES_GCM_16 ||
	       alg == KIPSEC_ENC_CHACHA20_POLY1305;
}

const char *const kipsec_stat_names[KIPSEC_STAT_COUNT] = KIPSEC_STAT_NAMES;

#define NAME(x) [x] = #x

static const char *const attr_names[] = {
	NAME(KIPSEC_A_SA_SPI),
	NAME(KIPSEC_A_SA_DST),
	NAME(KIPSEC_A_SA_SRC),
	NAME(KIPSEC_A_SA_PROTO),
	NAME(KIPSEC_A_SA_MODE),
	NAME(KIPSEC_A_SA_REQID),
	NAME(KIPSEC_A_SA_ENC_ALG),
	NAME(KIPSEC_A_SA_ENC_KEY),
	NAME(KIPSEC_A_SA_AUTH_ALG),
	NAME(KIPSEC_A_SA_AUTH_KEY),
	NAME(KIPSEC_A_SA_REPLAY_WINDOW),
	NAME(KIPSEC_A_SA_FLAGS),
	NAME(KIPSEC_A_SA_ENCAP_SPORT),
	NAME(KIPSEC_A_SA_ENCAP_DPORT),
	NAME(KIPSEC_A_SA_LIFETIME_SOFT),
	NAME(KIPSEC_A_SA_LIFETIME_HARD),
	NAME(KIPSEC_A_SA_ENC_KEY_BITS),
	NAME(KIPSEC_A_SA_AGE),
	NAME(KIPSEC_A_SA_STATS),
	NAME(KIPSEC_A_SPI_MIN),
	NAME(KIPSEC_A_SPI_MAX),
	NAME(KIPSEC_A_SPI_TIMEOUT),
	NAME(KIPSEC_A_STATS_SA_COUNT),
	NAME(KIPSEC_A_STATS_SPI_RESERVED),
	NAME(KIPSEC_A_STATS),
	NAME(KIPSEC_A_PAD),
	NAME(KIPSEC_A_POL_INDEX),
	NAME(KIPSEC_A_POL_DIR),
	NAME(KIPSEC_A_POL_PRIORITY),
	NAME(KIPSEC_A_POL_ACTION),
	NAME(KIPSEC_A_POL_SRC),
	NAME(KIPSEC_A_POL_SRC_PLEN),
	NAME(KIPSEC_A_POL_DST),
	NAME(KIPSEC_A_POL_DST_PLEN),
	NAME(KIPSEC_A_POL_PROTO),
	NAME(KIPSEC_A_POL_SPORT_MIN),
	NAME(KIPSEC_A_POL_SPORT_MAX),
	NAME(KIPSEC_A_POL_DPORT_MIN),
	NAME(KIPSEC_A_POL_DPORT_MAX),
	NAME(KIPSEC_A_POL_TMPL_PROTO),
	NAME(KIPSEC_A_POL_TMPL_MODE),
	NAME(KIPSEC_A_POL_TMPL_REQID),
	NAME(KIPSEC_A_POL_TMPL_SRC),
	NAME(KIPSEC_A_POL_TMPL_DST),
	NAME(KIPSEC_A_POL_TMPL_LEVEL),
	NAME(KIPSEC_A_STATS_POLICY_COUNT),
	NAME(KIPSEC_A_SA_EXPIRE_REASON),
	NAME(KIPSEC_A_SA_LIFETIME_CUR),
	NAME(KIPSEC_A_SA_SEQ_OUT),
	NAME(KIPSEC_A_SA_NEW_SRC),
	NAME(KIPSEC_A_SA_NEW_DST),
	NAME(KIPSEC_A_POL_LIFETIME),
	NAME(KIPSEC_A_POL_EXPIRES_IN),
};

static const char *const lifetime_attr_names[] = {
	NAME(KIPSEC_A_LIFETIME_BYTES),
	NAME(KIPSEC_A_LIFETIME_PACKETS),
	NAME(KIPSEC_A_LIFETIME_SECONDS),
	NAME(KIPSEC_A_LIFETIME_PAD),
};

static const char *const stats_attr_names[] = {
	NAME(KIPSEC_A_STATS_PAD),
	NAME(KIPSEC_A_STATS_PACKETS),
	NAME(KIPSEC_A_STATS_BYTES),
	NAME(KIPSEC_A_STATS_DROP_REPLAY),
	NAME(KIPSEC_A_STATS_DROP_INTEGRITY),
	NAME(KIPSEC_A_STATS_DROP_POLICY),
	NAME(KIPSEC_A_STATS_DROP_MALFORMED),
	NAME(KIPSEC_A_STATS_DROP_SEQ_OVERFLOW),
	NAME(KIPSEC_A_STATS_DROP_NO_SA),
	NAME(KIPSEC_A_STATS_DROP_NOMEM),
	NAME(KIPSEC_A_STATS_DROP_OUT_NO_SA),
	NAME(KIPSEC_A_STATS_DROP_NO_ROUTE),
	NAME(KIPSEC_A_STATS_DROP_EXPIRED),
};

/* A new uAPI attribute without a name here should fail the build. */
_Static_assert(ARRAY_SIZE(attr_names) == __KIPSEC_A_MAX,
	       "attr_names misses a kipsec_attr");
_Static_assert(ARRAY_SIZE(lifetime_attr_names) == __KIPSEC_A_LIFETIME_MAX,
	       "lifetime_attr_names misses a kipsec_lifetime_attr");
_Static_assert(ARRAY_SIZE(stats_attr_names) == __KIPSEC_A_STATS_MAX,
	       "stats_attr_names misses a kipsec_stats_attr");

const char *kipsec_attr_name(unsigned int type)
{
	return type < ARRAY_SIZE(attr_names) ? attr_names[type] : NULL;
}

const char *kipsec_lifetime_attr_name(unsigned int type)
{
	return type < ARRAY_SIZE(lifetime_attr_names) ?
	       lifetime_attr_names[type] : NULL;
}

const char *kipsec_stats_attr_name(unsigned int type)
{
	return type < ARRAY_SIZE(stats_attr_names) ?
	       stats_attr_names[type] : NULL;
}
