// SPDX-License-Identifier: GPL-2.0
/*
 * Configuration parsing (the secrets file is secrets.c's); see config.h
 * and README.md. The grammar follows strongSwan's ipsec.conf so that
 * admins can carry their files over: section lines start in column 0,
 * parameter lines are indented "key=value", '#' starts a comment, values
 * may be "quoted".
 */
#include "ipsecd/config.h"
#include "ipsecd/config_file.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kipsec.h"

#include <sodium.h>

/* Defaults (DESIGN.md §3, issue 4 §5). */
#define DEFAULT_IKE "aes256-sha256-modp2048"
#define DEFAULT_ESP "aes128gcm16,aes128-sha256"
#define DEFAULT_IKELIFETIME (8 * 3600)
#define DEFAULT_LIFETIME 3600
#define DEFAULT_LIFEBYTES 100000000ull
#define DEFAULT_REKEYMARGIN (9 * 60)
#define DEFAULT_REKEYFUZZ 100
#define MAX_REKEYFUZZ 100
#define DEFAULT_KEYINGTRIES 3
#define DEFAULT_HALFOPEN_MAX 256
#define DEFAULT_HALFOPEN_MAX_PEER 16
#define MAX_HALFOPEN 65536
/* strongSwan's dpddelay and dpdtimeout; Windows falls back after 3 s and
 * keeps a clear-text "soft SA" for 5 min of idle time. */
#define DEFAULT_DPDDELAY 30
#define DEFAULT_DPDTIMEOUT 150
#define DEFAULT_FALLBACK_TIMEOUT 3
#define DEFAULT_FALLBACK_LIFETIME 300

uint64_t rekey_soft_limit(uint64_t hard, uint64_t margin, uint32_t fuzz,
			  uint64_t rnd)
{
	uint64_t base, extra;

	if (hard < 2)
		return 0;
	if (!margin)
		margin = 1;
	if (margin >= hard)
		margin = hard - 1;
	base = hard - margin;
	/* margin * fuzz / 100 without overflow: fuzz is at most 100. */
	extra = margin / 100 * fuzz + margin % 100 * fuzz / 100;
	if (extra > base / 2)
		extra = base / 2;
	base -= rnd % (extra + 1);
	return base ? base : 1;
}

/* ---- proposals ---- */

struct name_value {
	const char *name;
	uint16_t value;
	uint16_t bits;
};

static const struct name_value p1_ciphers[] = {
	{ "aes128", IKE_ENC_AES_CBC, 128 }, { "aes", IKE_ENC_AES_CBC, 128 },
	{ "aes192", IKE_ENC_AES_CBC, 192 }, { "aes256", IKE_ENC_AES_CBC, 256 },
	{ "3des", IKE_ENC_3DES_CBC, 0 },
};

static const struct name_value hashes[] = {
	{ "sha1", IKE_HASH_SHA1, 0 }, { "sha", IKE_HASH_SHA1, 0 },
	{ "sha256", IKE_HASH_SHA2_256, 0 }, { "sha2_256", IKE_HASH_SHA2_256, 0 },
	{ "sha384", IKE_HASH_SHA2_384, 0 }, { "sha2_384", IKE_HASH_SHA2_384, 0 },
	{ "sha512", IKE_HASH_SHA2_512, 0 }, { "sha2_512", IKE_HASH_SHA2_512, 0 },
};

static const struct name_value groups[] = {
	{ "modp1024", IKE_GROUP_MODP_1024, 0 },
	{ "modp1536", IKE_GROUP_MODP_1536, 0 },
	{ "modp2048", IKE_GROUP_MODP_2048, 0 },
	{ "ecp256", IKE_GROUP_ECP_256, 0 }, { "ecp384", IKE_GROUP_ECP_384, 0 },
	{ "curve25519", IKE_GROUP_CURVE25519, 0 },
	{ "x25519", IKE_GROUP_CURVE25519, 0 },
};

/* ESP ciphers kipsec.ko implements (include/kipsec.h): 128/256-bit keys. */
static const struct name_value esp_ciphers[] = {
	{ "aes128", IKE_ESP_AES, 128 }, { "aes", IKE_ESP_AES, 128 },
	{ "aes256", IKE_ESP_AES, 256 },
	{ "aes128gcm16", IKE_ESP_AES_GCM_16, 128 },
	{ "aes128gcm", IKE_ESP_AES_GCM_16, 128 },
	{ "aes256gcm16", IKE_ESP_AES_GCM_16, 256 },
	{ "aes256gcm", IKE_ESP_AES_GCM_16, 256 },
};

/* Integrity for ESP and AH: HMAC-SHA2-256-128 and HMAC-SHA1-96. */
static const struct name_value integrity[] = {
	{ "sha256", IKE_AUTH_ALG_HMAC_SHA2_256, IKE_AH_SHA2_256 },
	{ "sha2_256", IKE_AUTH_ALG_HMAC_SHA2_256, IKE_AH_SHA2_256 },
	{ "sha1", IKE_AUTH_ALG_HMAC_SHA, IKE_AH_SHA },
	{ "sha", IKE_AUTH_ALG_HMAC_SHA, IKE_AH_SHA },
};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const struct name_value *lookup(const struct name_value *t, size_t n,
				       const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(t[i].name, name))
			return &t[i];
	return NULL;
}

#define LOOKUP(table, name) lookup(table, ARRAY_SIZE(table), name)

/*
 * Splits a comma-separated list into words, each split at '-'. A trailing
 * '!' (strongSwan's "strict") is accepted: ipsecd is always strict.
 */
typedef int (*suite_fn)(struct parser *p, char **parts, size_t nparts,
			void *ctx);

static int each_suite(struct parser *p, const char *key, const char *value,
		      suite_fn fn, void *ctx)
{
	char buf[LINE_MAX_LEN], *save = NULL, *tok, *parts[8], *part, *save2;
	size_t len = strlen(value), nparts;

	if (len >= sizeof(buf))
		return perr(p, "%s: value too long", key);
	memcpy(buf, value, len + 1);
	if (len && buf[len - 1] == '!')
		buf[--len] = '\0';
	if (!len)
		return perr(p, "%s: empty proposal list", key);
	if (buf[0] == ',' || buf[len - 1] == ',' || strstr(buf, ",,"))
		return perr(p, "%s: empty proposal in \"%s\"", key, value);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		nparts = 0;
		if (tok[0] == '-' || tok[strlen(tok) - 1] == '-' || strstr(tok, "--"))
			return perr(p, "%s: malformed proposal \"%s\"", key, tok);
		for (part = strtok_r(tok, "-", &save2); part;
		     part = strtok_r(NULL, "-", &save2)) {
			if (nparts == ARRAY_SIZE(parts))
				return perr(p, "%s: too many algorithms in one proposal",
					    key);
			parts[nparts++] = part;
		}
		if (fn(p, parts, nparts, ctx))
			return -1;
	}
	return 0;
}

static int ike_suite(struct parser *p, char **parts, size_t n, void *ctx)
{
	struct conn_config *c = ctx;
	const struct name_value *enc, *hash, *group;

	if (n != 3)
		return perr(p, "ike: proposal needs CIPHER-HASH-GROUP, e.g. aes256-sha256-modp2048");
	enc = LOOKUP(p1_ciphers, parts[0]);
	if (!enc)
		return perr(p, "ike: unknown cipher \"%s\" (aes128, aes192, aes256, 3des)",
			    parts[0]);
	hash = LOOKUP(hashes, parts[1]);
	if (!hash)
		return perr(p, "ike: unknown hash \"%s\" (sha1, sha256, sha384, sha512)",
			    parts[1]);
	group = LOOKUP(groups, parts[2]);
	if (!group || !ike_dh_supported(group->value))
		return perr(p, "ike: unknown DH group \"%s\" (modp1024, modp1536, modp2048, ecp256, ecp384, curve25519)",
			    parts[2]);
	if (c->nike == CONFIG_MAX_SUITES)
		return perr(p, "ike: more than %d proposals", CONFIG_MAX_SUITES);
	c->ike[c->nike++] = (struct ike_p1_suite){
		.enc = enc->value, .key_bits = enc->bits, .hash = hash->value,
		.auth = IKE_AUTH_PSK, .group = group->value,
	};
	return 0;
}

/* Parsed esp=/ah= lists, before they are combined into bundles. */
struct p2_list {
	struct ike_p2_suite s[CONFIG_MAX_SUITES];
	size_t n;
	bool any_group;
	bool set;
};

static int p2_group(struct parser *p, const char *key, const char *name,
		    struct ike_p2_suite *s, struct p2_list *l)
{
	const struct name_value *g = LOOKUP(groups, name);

	if (!g || !ike_dh_supported(g->value))
		return perr(p, "%s: unknown DH group \"%s\"", key, name);
	s->group = g->value;
	l->any_group = true;
	return 0;
}

static int esp_suite(struct parser *p, char **parts, size_t n, void *ctx)
{
	struct p2_list *l = ctx;
	struct ike_p2_suite s = { .protocol = IKE_PROTO_ESP };
	const struct name_value *enc, *integ;
	size_t used = 1;

	enc = LOOKUP(esp_ciphers, parts[0]);
	if (!enc)
		return perr(p, "esp: unknown cipher \"%s\" (aes128gcm16, aes256gcm16, aes128, aes256)",
			    parts[0]);
	s.transform = (uint8_t)enc->value;
	s.key_bits = enc->bits;
	if (s.transform == IKE_ESP_AES) {
		if (n < 2)
			return perr(p, "esp: \"%s\" needs an integrity algorithm, e.g. %s-sha256",
				    parts[0], parts[0]);
		integ = LOOKUP(integrity, parts[1]);
		if (!integ)
			return perr(p, "esp: unknown integrity algorithm \"%s\" (sha256, sha1)",
				    parts[1]);
		s.auth_alg = integ->value;
		used = 2;
	}
	if (n > used + 1)
		return perr(p, "esp: too many algorithms in one proposal");
	if (n == used + 1 && p2_group(p, "esp", parts[used], &s, l))
		return -1;
	if (l->n == CONFIG_MAX_SUITES)
		return perr(p, "esp: more than %d proposals", CONFIG_MAX_SUITES);
	l->s[l->n++] = s;
	return 0;
}

static int ah_suite(struct parser *p, char **parts, size_t n, void *ctx)
{
	struct p2_list *l = ctx;
	struct ike_p2_suite s = { .protocol = IKE_PROTO_AH };
	const struct name_value *integ = LOOKUP(integrity, parts[0]);

	if (!integ)
		return perr(p, "ah: unknown integrity algorithm \"%s\" (sha256, sha1)",
			    parts[0]);
	s.transform = (uint8_t)integ->bits;
	s.auth_alg = integ->value;
	if (n > 2)
		return perr(p, "ah: too many algorithms in one proposal");
	if (n == 2 && p2_group(p, "ah", parts[1], &s, l))
		return -1;
	if (l->n == CONFIG_MAX_SUITES)
		return perr(p, "ah: more than %d proposals", CONFIG_MAX_SUITES);
	l->s[l->n++] = s;
	return 0;
}

/* ---- sections ---- */

enum section {
	SEC_NONE,
	SEC_SETUP,
	SEC_CONN,
};

/* The section being read, with what only the end of it can check. */
struct conn_state {
	struct conn_config c;
	struct p2_list esp, ah;
	bool has_ike, has_pfs;
	bool has_left, has_right, has_authby;
	bool is_default;
};

struct state {
	struct parser p;
	struct config *cfg;
	enum section section;
	struct conn_state defaults;	/* conn %default */
	struct conn_state cur;
	bool seen_setup;
};

static int set_seconds(struct parser *p, const char *key, const char *v,
		       uint32_t *out)
{
	uint64_t s;

	if (num_parse_seconds(v, &s) || !s || s > UINT32_MAX)
		return perr(p, "%s: bad duration \"%s\" (a positive number with an optional s, m, h or d)",
			    key, v);
	*out = (uint32_t)s;
	return 0;
}

/* A byte count (k, M, G suffixes) of at least MIN. */
static int set_bytes(struct parser *p, const char *key, const char *v,
		     uint64_t min, uint64_t *out)
{
	uint64_t n;

	if (num_parse_bytes(v, &n) || n < min)
		return perr(p, "%s: expected a byte count of at least %llu (k, M, G suffixes), not \"%s\"",
			    key, (unsigned long long)min, v);
	*out = n;
	return 0;
}

/* A whole number in MIN..MAX; WHAT, if any, says what it counts. */
static int set_u32_range(struct parser *p, const char *key, const char *v,
			 uint32_t min, uint32_t max, const char *what,
			 uint32_t *out)
{
	uint32_t n;

	if (num_parse_u32(v, &n) || n < min || n > max)
		return perr(p, "%s: expected %s%s%u..%u, not \"%s\"", key,
			    what ? what : "", what ? " " : "", min, max, v);
	*out = n;
	return 0;
}

static int set_bool(struct parser *p, const char *key, const char *v, bool *out)
{
	if (!strcmp(v, "yes"))
		*out = true;
	else if (!strcmp(v, "no"))
		*out = false;
	else
		return perr(p, "%s: expected yes or no, not \"%s\"", key, v);
	return 0;
}

static int setup_key(struct state *st, const char *key, const char *v)
{
	struct parser *p = &st->p;
	struct config *cfg = st->cfg;
	uint32_t n = 0;

	if (!strcmp(key, "controlsocket") || !strcmp(key, "secretsfile")) {
		char *dst = key[0] == 'c' ? cfg->control_socket : cfg->secrets_file;
		size_t max = key[0] == 'c' ? 108 : CONFIG_PATH_MAX;

		if (v[0] != '/')
			return perr(p, "%s: must be an absolute path", key);
		if (strlen(v) >= max)
			return perr(p, "%s: path longer than %zu bytes", key, max - 1);
		strcpy(dst, v);
		return 0;
	}
	if (!strcmp(key, "loglevel")) {
		static const char *const names[] = { "error", "warn", "info", "debug" };
		size_t i;

		for (i = 0; i < ARRAY_SIZE(names); i++)
			if (!strcmp(v, names[i])) {
				cfg->log_level = (enum log_level)i;
				return 0;
			}
		return perr(p, "loglevel: expected error, warn, info or debug, not \"%s\"", v);
	}
	if (!strcmp(key, "retransmit_timeout")) {
		uint64_t ms;
		size_t len = strlen(v);

		/* Milliseconds with "ms", else seconds: tests want < 1 s. */
		if (len > 2 && !strcmp(v + len - 2, "ms")) {
			char num[32];

			if (len - 2 >= sizeof(num))
				return perr(p, "retransmit_timeout: bad duration \"%s\"", v);
			memcpy(num, v, len - 2);
			num[len - 2] = '\0';
			if (num_parse_u64(num, &ms) || !ms || ms > 600000)
				return perr(p, "retransmit_timeout: bad duration \"%s\" (1ms..600s)", v);
		} else {
			if (set_seconds(p, key, v, &n))
				return -1;
			if (n > 600)
				return perr(p, "retransmit_timeout: at most 600 s");
			ms = (uint64_t)n * 1000;
		}
		cfg->retransmit_timeout_ms = (uint32_t)ms;
		return 0;
	}
	if (!strcmp(key, "retransmit_tries"))
		return set_u32_range(p, key, v, 0, 20, NULL,
				     &cfg->retransmit_tries);
	if (!strcmp(key, "halfopen_max"))
		return set_u32_range(p, key, v, 1, MAX_HALFOPEN, NULL,
				     &cfg->halfopen_max);
	if (!strcmp(key, "halfopen_max_peer"))
		return set_u32_range(p, key, v, 1, MAX_HALFOPEN, NULL,
				     &cfg->halfopen_max_peer);
	if (!strcmp(key, "nat_keepalive")) {
		/* 0 turns them off; more than an hour keeps no NAT mapping. */
		if (!strcmp(v, "0"))
			n = 0;
		else if (set_seconds(p, key, v, &n))
			return -1;
		if (n > 3600)
			return perr(p, "nat_keepalive: at most 3600 s");
		cfg->nat_keepalive = n;
		return 0;
	}
	return perr(p, "unknown key \"%s\" in config setup", key);
}

static int conn_key(struct state *st, const char *key, const char *v)
{
	struct parser *p = &st->p;
	struct conn_state *cs = &st->cur;
	struct conn_config *c = &cs->c;
	uint32_t n;

	if (!strcmp(key, "left") || !strcmp(key, "right")) {
		struct ip_addr *a = key[0] == 'l' ? &c->left : &c->right;

		if (ip_addr_parse(v, a))
			return perr(p, "%s: expected an IPv4 or IPv6 address, not \"%s\"",
				    key, v);
		*(key[0] == 'l' ? &cs->has_left : &cs->has_right) = true;
		return 0;
	}
	if (!strcmp(key, "leftsubnet") || !strcmp(key, "rightsubnet")) {
		bool left = key[0] == 'l';

		if (subnet_parse(v, left ? &c->leftsubnet : &c->rightsubnet))
			return perr(p, "%s: expected ADDRESS[/PREFIX], not \"%s\"", key, v);
		*(left ? &c->has_leftsubnet : &c->has_rightsubnet) = true;
		return 0;
	}
	if (!strcmp(key, "authby")) {
		if (strcmp(v, "secret") && strcmp(v, "psk"))
			return perr(p, "authby: only \"secret\" (pre-shared key) is supported, not \"%s\"",
				    v);
		cs->has_authby = true;
		return 0;
	}
	if (!strcmp(key, "keyexchange")) {
		if (strcmp(v, "ikev1"))
			return perr(p, "keyexchange: only ikev1 is supported, not \"%s\"", v);
		return 0;
	}
	if (!strcmp(key, "ike")) {
		c->nike = 0;
		cs->has_ike = true;
		return each_suite(p, key, v, ike_suite, c);
	}
	if (!strcmp(key, "esp") || !strcmp(key, "ah")) {
		struct p2_list *l = key[0] == 'e' ? &cs->esp : &cs->ah;

		memset(l, 0, sizeof(*l));
		l->set = true;
		return each_suite(p, key, v, key[0] == 'e' ? esp_suite : ah_suite, l);
	}
	if (!strcmp(key, "ikelifetime"))
		return set_seconds(p, key, v, &c->ikelifetime);
	if (!strcmp(key, "lifetime") || !strcmp(key, "keylife"))
		return set_seconds(p, key, v, &c->lifetime);
	if (!strcmp(key, "rekeymargin") || !strcmp(key, "margintime"))
		return set_seconds(p, key, v, &c->rekeymargin);
	if (!strcmp(key, "rekeyfuzz")) {
		size_t len = strlen(v);
		char num[16];

		if (!len || len >= sizeof(num) || v[len - 1] != '%')
			return perr(p, "rekeyfuzz: expected a percentage 0%%..%d%%, not \"%s\"",
				    MAX_REKEYFUZZ, v);
		memcpy(num, v, len - 1);
		num[len - 1] = '\0';
		if (num_parse_u32(num, &n) || n > MAX_REKEYFUZZ)
			return perr(p, "rekeyfuzz: expected a percentage 0%%..%d%%, not \"%s\"",
				    MAX_REKEYFUZZ, v);
		c->rekeyfuzz = n;
		return 0;
	}
	if (!strcmp(key, "lifebytes"))
		return set_bytes(p, key, v, 1000, &c->lifebytes);
	if (!strcmp(key, "marginbytes"))
		return set_bytes(p, key, v, 1, &c->marginbytes);
	if (!strcmp(key, "auto")) {
		if (!strcmp(v, "add"))
			c->autostart = CONN_AUTO_ADD;
		else if (!strcmp(v, "start"))
			c->autostart = CONN_AUTO_START;
		else if (!strcmp(v, "route"))
			c->autostart = CONN_AUTO_ROUTE;
		else
			return perr(p, "auto: expected add, start or route, not \"%s\"", v);
		return 0;
	}
	if (!strcmp(key, "type")) {
		if (!strcmp(v, "tunnel"))
			c->tunnel = true;
		else if (!strcmp(v, "transport"))
			c->tunnel = false;
		else
			return perr(p, "type: expected tunnel or transport, not \"%s\"", v);
		return 0;
	}
	if (!strcmp(key, "pfs")) {
		cs->has_pfs = true;
		return set_bool(p, key, v, &c->pfs);
	}
	if (!strcmp(key, "parallel"))
		return set_bool(p, key, v, &c->parallel);
	if (!strcmp(key, "replay_window"))
		return set_u32_range(p, key, v, 0, KIPSEC_REPLAY_WINDOW_MAX,
				     "a packet count", &c->replay_window);
	if (!strcmp(key, "dpddelay"))
		return set_seconds(p, key, v, &c->dpddelay);
	if (!strcmp(key, "dpdtimeout"))
		return set_seconds(p, key, v, &c->dpdtimeout);
	if (!strcmp(key, "dpdaction")) {
		static const char *const names[] = { "none", "clear", "hold",
						     "restart" };
		size_t i;

		for (i = 0; i < ARRAY_SIZE(names); i++)
			if (!strcmp(v, names[i])) {
				c->dpdaction = (enum dpd_action)i;
				return 0;
			}
		return perr(p, "dpdaction: expected none, clear, hold or restart, not \"%s\"",
			    v);
	}
	if (!strcmp(key, "level")) {
		if (!strcmp(v, "require"))
			c->level = CONN_LEVEL_REQUIRE;
		else if (!strcmp(v, "request"))
			c->level = CONN_LEVEL_REQUEST;
		else
			return perr(p, "level: expected require or request, not \"%s\"", v);
		return 0;
	}
	if (!strcmp(key, "fallback_timeout"))
		return set_seconds(p, key, v, &c->fallback_timeout);
	if (!strcmp(key, "fallback_lifetime"))
		return set_seconds(p, key, v, &c->fallback_lifetime);
	if (!strcmp(key, "keyingtries")) {
		if (!strcmp(v, "%forever")) {
			c->keyingtries = 0;
			return 0;
		}
		return set_u32_range(p, key, v, 1, 1000, "%forever or",
				     &c->keyingtries);
	}
	return perr(p, "unknown key \"%s\"", key);
}

static void conn_defaults(struct conn_state *cs)
{
	struct parser dummy = { .file = "", .err = NULL, .errlen = 0 };

	memset(cs, 0, sizeof(*cs));
	cs->c.ikelifetime = DEFAULT_IKELIFETIME;
	cs->c.lifetime = DEFAULT_LIFETIME;
	cs->c.lifebytes = DEFAULT_LIFEBYTES;
	cs->c.rekeymargin = DEFAULT_REKEYMARGIN;
	cs->c.rekeyfuzz = DEFAULT_REKEYFUZZ;
	cs->c.autostart = CONN_AUTO_ADD;
	cs->c.tunnel = true;
	cs->c.keyingtries = DEFAULT_KEYINGTRIES;
	cs->c.replay_window = KIPSEC_REPLAY_WINDOW_DEFAULT;
	cs->c.dpddelay = DEFAULT_DPDDELAY;
	cs->c.dpdtimeout = DEFAULT_DPDTIMEOUT;
	cs->c.fallback_timeout = DEFAULT_FALLBACK_TIMEOUT;
	cs->c.fallback_lifetime = DEFAULT_FALLBACK_LIFETIME;
	/* The built-in lists are valid, so these cannot fail. */
	each_suite(&dummy, "ike", DEFAULT_IKE, ike_suite, &cs->c);
}

/* Combines esp=/ah= and pfs= into the bundles offered and accepted. */
static int conn_bundles(struct state *st, struct conn_state *cs)
{
	struct parser *p = &st->p;
	struct conn_config *c = &cs->c;
	struct p2_list esp = cs->esp, *lists[2];
	size_t i, j, nl = 0;
	uint16_t group = IKE_GROUP_NONE;

	if (!esp.set && !cs->ah.set) {
		struct parser dummy = { .file = "", .err = NULL, .errlen = 0 };

		each_suite(&dummy, "esp", DEFAULT_ESP, esp_suite, &esp);
		esp.set = true;
	}
	if (cs->ah.set)
		lists[nl++] = &cs->ah;
	if (esp.set)
		lists[nl++] = &esp;
	/* A group in a phase-2 proposal means PFS, as in strongSwan. */
	if ((esp.any_group || cs->ah.any_group) && cs->has_pfs && !c->pfs)
		return perr(p, "conn %s: pfs=no, but a phase-2 proposal names a DH group",
			    c->name);
	if (esp.any_group || cs->ah.any_group)
		c->pfs = true;
	if (c->pfs)
		group = c->ike[0].group;
	c->nbundles = 0;
	/* Every combination of one AH and one ESP suite, AH first. */
	for (i = 0; i < lists[0]->n; i++) {
		size_t n2 = nl == 2 ? lists[1]->n : 1;

		for (j = 0; j < n2; j++) {
			struct ike_p2_bundle *b;
			size_t k;

			if (c->nbundles == CONFIG_MAX_SUITES)
				return perr(p, "conn %s: more than %d AH/ESP combinations",
					    c->name, CONFIG_MAX_SUITES);
			b = &c->bundles[c->nbundles++];
			b->n = nl;
			b->suites[0] = lists[0]->s[i];
			if (nl == 2)
				b->suites[1] = lists[1]->s[j];
			for (k = 0; k < b->n; k++) {
				struct ike_p2_suite *s = &b->suites[k];

				if (!s->group)
					s->group = group;
				s->encap = c->tunnel ? IKE_ENCAP_TUNNEL :
						       IKE_ENCAP_TRANSPORT;
				s->life.seconds = c->lifetime;
				s->life.kbytes = c->lifebytes / 1000;
			}
			/* A bundle shares one key exchange. */
			if (nl == 2 && b->suites[0].group != b->suites[1].group)
				return perr(p, "conn %s: AH and ESP proposals name different DH groups",
					    c->name);
		}
	}
	/*
	 * QM1 carries one KE payload, whichever proposal the peer takes: it
	 * is of the group the proposals name, which need not be phase 1's.
	 */
	c->pfs_group = c->bundles[0].suites[0].group;
	for (i = 1; i < c->nbundles; i++)
		if (c->bundles[i].suites[0].group != c->pfs_group)
			return perr(p, "conn %s: phase-2 proposals name different DH groups (Quick Mode's one KE payload serves them all)",
				    c->name);
	return 0;
}

static int conn_end(struct state *st)
{
	struct conn_state *cs = &st->cur;
	struct conn_config *c = &cs->c, *grown;
	struct parser *p = &st->p;
	unsigned int line = p->line;
	size_t i;
	int rc = -1;

	p->line = c->line;
	if (cs->is_default) {
		st->defaults = *cs;
		st->defaults.is_default = false;
		rc = 0;
		goto out;
	}
	if (!cs->has_left || !cs->has_right) {
		perr(p, "conn %s: \"left\" and \"right\" are required", c->name);
		goto out;
	}
	if (c->left.family != c->right.family) {
		perr(p, "conn %s: left and right are of different address families",
		     c->name);
		goto out;
	}
	if (!cs->has_authby) {
		perr(p, "conn %s: \"authby=secret\" is required (the only method so far)",
		     c->name);
		goto out;
	}
	if (c->has_leftsubnet != c->has_rightsubnet) {
		perr(p, "conn %s: leftsubnet and rightsubnet go together", c->name);
		goto out;
	}
	if (c->has_leftsubnet &&
	    (c->leftsubnet.addr.family != c->left.family ||
	     c->rightsubnet.addr.family != c->left.family)) {
		perr(p, "conn %s: subnets of another address family than left/right",
		     c->name);
		goto out;
	}
	if (!c->has_leftsubnet) {
		subnet_host(&c->leftsubnet, &c->left);
		subnet_host(&c->rightsubnet, &c->right);
	}
	if (c->rekeymargin >= c->lifetime) {
		perr(p, "conn %s: rekeymargin (%u s) must be below lifetime (%u s)",
		     c->name, c->rekeymargin, c->lifetime);
		goto out;
	}
	if (c->marginbytes >= c->lifebytes) {
		perr(p, "conn %s: marginbytes (%llu) must be below lifebytes (%llu)",
		     c->name, (unsigned long long)c->marginbytes,
		     (unsigned long long)c->lifebytes);
		goto out;
	}
	if (c->level == CONN_LEVEL_REQUEST && c->autostart == CONN_AUTO_ADD) {
		/* Its policies must be there before the first packet. */
		perr(p, "conn %s: level=request needs auto=route or auto=start",
		     c->name);
		goto out;
	}
	if (conn_bundles(st, cs))
		goto out;
	for (i = 0; i < st->cfg->nconns; i++)
		if (!strcmp(st->cfg->conns[i].name, c->name)) {
			perr(p, "conn %s: defined twice (first at line %u)", c->name,
			     st->cfg->conns[i].line);
			goto out;
		}
	grown = reallocarray(st->cfg->conns, st->cfg->nconns + 1, sizeof(*grown));
	if (!grown) {
		perr(p, "out of memory");
		goto out;
	}
	st->cfg->conns = grown;
	grown[st->cfg->nconns++] = *c;
	rc = 0;
out:
	p->line = line;
	st->section = SEC_NONE;
	return rc;
}

static bool valid_name(const char *s)
{
	size_t i, len = strlen(s);

	if (!len || len >= CONFIG_NAME_MAX)
		return false;
	for (i = 0; i < len; i++)
		if (!(s[i] == '-' || s[i] == '_' || s[i] == '.' ||
		      (s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= 'A' && s[i] <= 'Z')))
			return false;
	return true;
}

static int section_line(struct state *st, char *line)
{
	struct parser *p = &st->p;
	char *word, *arg, *extra, *save = NULL;

	if (st->section == SEC_CONN && conn_end(st))
		return -1;
	st->section = SEC_NONE;
	word = strtok_r(line, " \t", &save);
	arg = strtok_r(NULL, " \t", &save);
	extra = strtok_r(NULL, " \t", &save);
	if (extra)
		return perr(p, "unexpected \"%s\" after the section name", extra);
	if (!strcmp(word, "config")) {
		if (!arg || strcmp(arg, "setup"))
			return perr(p, "expected \"config setup\"");
		if (st->seen_setup)
			return perr(p, "second \"config setup\" section");
		st->seen_setup = true;
		st->section = SEC_SETUP;
		return 0;
	}
	if (!strcmp(word, "conn")) {
		if (!arg)
			return perr(p, "conn without a name");
		if (strcmp(arg, "%default") && !valid_name(arg))
			return perr(p, "bad connection name \"%s\" (letters, digits, '-', '_', '.'; at most %d)",
				    arg, CONFIG_NAME_MAX - 1);
		if (!strcmp(arg, "%default") && st->cfg->nconns)
			return perr(p, "conn %%default must come before the connections");
		st->cur = st->defaults;
		st->cur.is_default = !strcmp(arg, "%default");
		snprintf(st->cur.c.name, sizeof(st->cur.c.name), "%s", arg);
		st->cur.c.line = p->line;
		st->section = SEC_CONN;
		return 0;
	}
	if (!strcmp(word, "include") || !strcmp(word, "ca"))
		return perr(p, "\"%s\" sections are not supported", word);
	return perr(p, "unknown section \"%s\" (expected \"config setup\" or \"conn NAME\")",
		    word);
}

/* Strips quotes: "value" -> value; unbalanced quotes are an error. */
static int unquote(struct parser *p, char *v)
{
	size_t len = strlen(v);

	if (v[0] != '"') {
		if (strchr(v, '"'))
			return perr(p, "stray quote in value");
		return 0;
	}
	if (len < 2 || v[len - 1] != '"' || memchr(v + 1, '"', len - 2))
		return perr(p, "unterminated quoted value");
	memmove(v, v + 1, len - 2);
	v[len - 2] = '\0';
	return 0;
}

/* Cuts a '#' comment that is not inside quotes. */
static void cut_comment(char *s)
{
	bool quoted = false;

	for (; *s; s++) {
		if (*s == '"')
			quoted = !quoted;
		else if (*s == '#' && !quoted) {
			*s = '\0';
			return;
		}
	}
}

static int param_line(struct state *st, char *line)
{
	struct parser *p = &st->p;
	char *eq = strchr(line, '='), *key, *value;

	if (st->section == SEC_NONE)
		return perr(p, "parameter outside of a section");
	if (!eq)
		return perr(p, "expected key=value");
	*eq = '\0';
	key = trim(line);
	value = trim(eq + 1);
	if (!*key)
		return perr(p, "missing key before '='");
	if (unquote(p, value))
		return -1;
	if (!*value)
		return perr(p, "%s: empty value", key);
	if (st->section == SEC_SETUP)
		return setup_key(st, key, value);
	return conn_key(st, key, value);
}

void config_init(struct config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	snprintf(cfg->control_socket, sizeof(cfg->control_socket), "%s",
		 IPSECD_DEFAULT_SOCKET);
	snprintf(cfg->secrets_file, sizeof(cfg->secrets_file), "%s",
		 IPSECD_DEFAULT_SECRETS);
	cfg->log_level = LOG_LVL_INFO;
	/* strongSwan's 4 s x 1.8^n with 5 retries (DESIGN.md §3). */
	cfg->retransmit_timeout_ms = 4000;
	cfg->retransmit_tries = 5;
	cfg->halfopen_max = DEFAULT_HALFOPEN_MAX;
	cfg->halfopen_max_peer = DEFAULT_HALFOPEN_MAX_PEER;
	cfg->nat_keepalive = 20;	/* RFC 3948 4: every 20 s */
}

void config_free(struct config *cfg)
{
	free(cfg->conns);
	cfg->conns = NULL;
	cfg->nconns = 0;
}

int config_parse(const char *file, const char *text, struct config *cfg,
		 char *err, size_t errlen)
{
	struct state st = { .p = { .file = file, .err = err, .errlen = errlen },
			    .cfg = cfg };
	char line[LINE_MAX_LEN + 1];
	const char *pos = text, *nl;
	size_t len;

	conn_defaults(&st.defaults);
	while (*pos) {
		char *s;

		st.p.line++;
		nl = strchr(pos, '\n');
		len = nl ? (size_t)(nl - pos) : strlen(pos);
		if (len > LINE_MAX_LEN)
			return perr(&st.p, "line longer than %d bytes", LINE_MAX_LEN);
		memcpy(line, pos, len);
		line[len] = '\0';
		pos += len + (nl ? 1 : 0);
		if (memchr(line, '\0', len) != NULL && strlen(line) != len)
			return perr(&st.p, "NUL byte in line");
		cut_comment(line);
		s = trim(line);
		if (!*s)
			continue;
		if (line[0] != ' ' && line[0] != '\t') {
			if (section_line(&st, s))
				return -1;
		} else if (param_line(&st, s)) {
			return -1;
		}
	}
	if (st.section == SEC_CONN && conn_end(&st))
		return -1;
	return 0;
}

int config_load(const char *path, struct config *cfg, char *err, size_t errlen)
{
	char *text = read_file(path, false, err, errlen);
	int rc;

	if (!text)
		return -1;
	rc = config_parse(path, text, cfg, err, errlen);
	sodium_free(text);
	return rc;
}

const struct conn_config *config_find_conn(const struct config *cfg,
					   const char *name)
{
	size_t i;

	for (i = 0; i < cfg->nconns; i++)
		if (!strcmp(cfg->conns[i].name, name))
			return &cfg->conns[i];
	return NULL;
}
