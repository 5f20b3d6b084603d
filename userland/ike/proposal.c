// SPDX-License-Identifier: GPL-2.0
/* Interpretation of transforms and the choice among them; see proposal.h. */
#include <string.h>

#include "ike/ike_internal.h"
#include "ike/nat_t.h"
#include "ike/proposal.h"

#define BIT(n) (1ull << (n))

/* Attribute types the two DOIs use for lifetimes. */
struct life_attrs {
	uint16_t type_attr;
	uint16_t duration_attr;
};

static const struct life_attrs p1_life = {
	IKE_OAKLEY_LIFE_TYPE, IKE_OAKLEY_LIFE_DURATION };
static const struct life_attrs p2_life = {
	IKE_IPSEC_LIFE_TYPE, IKE_IPSEC_LIFE_DURATION };

/*
 * Walks the attributes, reading life type/duration pairs into life and
 * every other attribute through handle(). Each non-life type may appear
 * once; each life type once; a duration must follow its type.
 */
typedef int (*attr_handler)(void *ctx, uint16_t type, uint64_t value,
			    struct ike_error *err);

static int walk_attrs(const struct ike_transform *t,
		      const struct life_attrs *la, struct ike_lifetime *life,
		      bool *life_seen_seconds, attr_handler handle, void *ctx,
		      struct ike_error *err)
{
	uint64_t seen = 0, value;
	uint16_t pending_type = 0;
	bool seen_kb = false;
	size_t i;
	int rc;

	*life_seen_seconds = false;
	life->seconds = 0;
	life->kbytes = 0;
	for (i = 0; i < t->nattrs; i++) {
		const struct ike_attr *a = &t->attrs[i];

		if (ike_attr_u64(a, &value))
			return ike_fail(err, IKE_ERR_UNSUPPORTED,
					IKE_N_ATTRIBUTES_NOT_SUPPORTED,
					"attribute %u wider than 64 bits", a->type);
		if (a->type == la->type_attr) {
			if (pending_type)
				return ike_fail(err, IKE_ERR_MALFORMED,
						IKE_N_BAD_PROPOSAL_SYNTAX,
						"life type without a duration");
			if ((value == IKE_LIFE_SECONDS && *life_seen_seconds) ||
			    (value == IKE_LIFE_KILOBYTES && seen_kb))
				return ike_fail(err, IKE_ERR_DUPLICATE,
						IKE_N_BAD_PROPOSAL_SYNTAX,
						"life type %llu repeated",
						(unsigned long long)value);
			if (value != IKE_LIFE_SECONDS && value != IKE_LIFE_KILOBYTES)
				return ike_fail(err, IKE_ERR_UNSUPPORTED,
						IKE_N_ATTRIBUTES_NOT_SUPPORTED,
						"life type %llu",
						(unsigned long long)value);
			pending_type = (uint16_t)value;
			continue;
		}
		if (a->type == la->duration_attr) {
			if (!pending_type)
				return ike_fail(err, IKE_ERR_MALFORMED,
						IKE_N_BAD_PROPOSAL_SYNTAX,
						"life duration without a life type");
			if (pending_type == IKE_LIFE_SECONDS) {
				/* Beyond 32 bits a lifetime means "forever". */
				life->seconds = value > UINT32_MAX ? UINT32_MAX :
						(uint32_t)value;
				*life_seen_seconds = true;
			} else {
				life->kbytes = value;
				seen_kb = true;
			}
			pending_type = 0;
			continue;
		}
		if (a->type < 64 && (seen & BIT(a->type)))
			return ike_fail(err, IKE_ERR_DUPLICATE,
					IKE_N_BAD_PROPOSAL_SYNTAX,
					"attribute %u repeated", a->type);
		if (a->type < 64)
			seen |= BIT(a->type);
		rc = handle(ctx, a->type, value, err);
		if (rc)
			return rc;
	}
	if (pending_type)
		return ike_fail(err, IKE_ERR_MALFORMED, IKE_N_BAD_PROPOSAL_SYNTAX,
				"life type without a duration");
	return 0;
}

static int p1_attr(void *ctx, uint16_t type, uint64_t value,
		   struct ike_error *err)
{
	struct ike_p1_suite *s = ctx;

	if (value > 0xffff)
		return ike_fail(err, IKE_ERR_UNSUPPORTED,
				IKE_N_ATTRIBUTES_NOT_SUPPORTED,
				"phase-1 attribute %u value %llu", type,
				(unsigned long long)value);
	switch (type) {
	case IKE_OAKLEY_ENCRYPTION: s->enc = (uint16_t)value; return 0;
	case IKE_OAKLEY_HASH: s->hash = (uint16_t)value; return 0;
	case IKE_OAKLEY_AUTH_METHOD: s->auth = (uint16_t)value; return 0;
	case IKE_OAKLEY_GROUP: s->group = (uint16_t)value; return 0;
	case IKE_OAKLEY_KEY_LENGTH: s->key_bits = (uint16_t)value; return 0;
	}
	return ike_fail(err, IKE_ERR_UNSUPPORTED, IKE_N_ATTRIBUTES_NOT_SUPPORTED,
			"phase-1 attribute %u not supported", type);
}

static bool aes_key_bits_ok(uint16_t bits)
{
	return bits == 128 || bits == 192 || bits == 256;
}

int ike_p1_parse_transform(const struct ike_proposal *p,
			   const struct ike_transform *t,
			   struct ike_p1_suite *suite, struct ike_error *err)
{
	bool has_seconds;
	int rc;

	memset(suite, 0, sizeof(*suite));
	if (p->protocol != IKE_PROTO_ISAKMP)
		return ike_fail(err, IKE_ERR_MALFORMED, IKE_N_INVALID_PROTOCOL_ID,
				"phase-1 proposal for protocol %u", p->protocol);
	if (t->id != IKE_TRANSFORM_KEY_IKE)
		return ike_fail(err, IKE_ERR_UNSUPPORTED, IKE_N_INVALID_TRANSFORM_ID,
				"phase-1 transform id %u", t->id);
	rc = walk_attrs(t, &p1_life, &suite->life, &has_seconds, p1_attr, suite,
			err);
	if (rc)
		return rc;
	if (!has_seconds)
		suite->life.seconds = IKE_DEFAULT_LIFETIME_SECONDS;
	if (!suite->enc || !suite->hash || !suite->auth || !suite->group)
		return ike_fail(err, IKE_ERR_MISSING, IKE_N_BAD_PROPOSAL_SYNTAX,
				"phase-1 transform %u lacks cipher, hash, auth or group",
				t->number);
	/* RFC 3602 requires the key length for AES; 3DES has a fixed one. */
	if (suite->enc == IKE_ENC_AES_CBC ? !aes_key_bits_ok(suite->key_bits) :
	    suite->key_bits != 0)
		return ike_fail(err, IKE_ERR_UNSUPPORTED,
				IKE_N_ATTRIBUTES_NOT_SUPPORTED,
				"cipher %u with key length %u", suite->enc,
				suite->key_bits);
	return 0;
}

static int p2_attr(void *ctx, uint16_t type, uint64_t value,
		   struct ike_error *err)
{
	struct ike_p2_suite *s = ctx;

	if (value > 0xffff)
		return ike_fail(err, IKE_ERR_UNSUPPORTED,
				IKE_N_ATTRIBUTES_NOT_SUPPORTED,
				"IPsec attribute %u value %llu", type,
				(unsigned long long)value);
	switch (type) {
	case IKE_IPSEC_GROUP: s->group = (uint16_t)value; return 0;
	case IKE_IPSEC_ENCAP_MODE: s->encap = (uint16_t)value; return 0;
	case IKE_IPSEC_AUTH_ALG: s->auth_alg = (uint16_t)value; return 0;
	case IKE_IPSEC_KEY_LENGTH: s->key_bits = (uint16_t)value; return 0;
	}
	return ike_fail(err, IKE_ERR_UNSUPPORTED, IKE_N_ATTRIBUTES_NOT_SUPPORTED,
			"IPsec attribute %u not supported", type);
}

/* The authentication algorithm an AH transform id implies (RFC 2407 4.5). */
static uint16_t ah_auth_alg(uint8_t transform)
{
	switch (transform) {
	case IKE_AH_SHA: return IKE_AUTH_ALG_HMAC_SHA;
	case IKE_AH_SHA2_256: return IKE_AUTH_ALG_HMAC_SHA2_256;
	case IKE_AH_SHA2_384: return IKE_AUTH_ALG_HMAC_SHA2_384;
	case IKE_AH_SHA2_512: return IKE_AUTH_ALG_HMAC_SHA2_512;
	}
	return IKE_AUTH_ALG_NONE;
}

static int p2_check(const struct ike_p2_suite *s, struct ike_error *err)
{
	uint16_t base;
	bool udp;

	/* The NAT-T drafts' UDP modes too (ike/nat_t.c). */
	if (ike_natt_encap_fold(s->encap, &base, &udp))
		return ike_fail(err, IKE_ERR_UNSUPPORTED,
				IKE_N_ATTRIBUTES_NOT_SUPPORTED,
				"encapsulation mode %u", s->encap);
	if (s->protocol == IKE_PROTO_AH) {
		if (!ah_auth_alg(s->transform) ||
		    s->auth_alg != ah_auth_alg(s->transform) || s->key_bits)
			goto bad;
		return 0;
	}
	switch (s->transform) {
	case IKE_ESP_AES:
		if (!aes_key_bits_ok(s->key_bits) || !s->auth_alg)
			goto bad;
		return 0;
	case IKE_ESP_AES_GCM_8:
	case IKE_ESP_AES_GCM_12:
	case IKE_ESP_AES_GCM_16:
		/* AEAD: integrity comes with the cipher (RFC 4106 8.4). */
		if (!aes_key_bits_ok(s->key_bits) || s->auth_alg)
			goto bad;
		return 0;
	case IKE_ESP_3DES:
	case IKE_ESP_NULL:
		if (s->key_bits || !s->auth_alg)
			goto bad;
		return 0;
	}
bad:
	return ike_fail(err, IKE_ERR_UNSUPPORTED, IKE_N_INVALID_TRANSFORM_ID,
			"protocol %u transform %u with key length %u, auth %u",
			s->protocol, s->transform, s->key_bits, s->auth_alg);
}

int ike_p2_parse_transform(const struct ike_proposal *p,
			   const struct ike_transform *t,
			   struct ike_p2_suite *suite, struct ike_error *err)
{
	bool has_seconds;
	int rc;

	memset(suite, 0, sizeof(*suite));
	if (p->protocol != IKE_PROTO_AH && p->protocol != IKE_PROTO_ESP)
		return ike_fail(err, IKE_ERR_UNSUPPORTED, IKE_N_INVALID_PROTOCOL_ID,
				"phase-2 proposal for protocol %u", p->protocol);
	suite->protocol = p->protocol;
	suite->transform = t->id;
	rc = walk_attrs(t, &p2_life, &suite->life, &has_seconds, p2_attr, suite,
			err);
	if (rc)
		return rc;
	if (!has_seconds)
		suite->life.seconds = IKE_DEFAULT_LIFETIME_SECONDS;
	return p2_check(suite, err);
}

bool ike_p1_suite_matches(const struct ike_p1_suite *a,
			  const struct ike_p1_suite *b)
{
	return a->enc == b->enc && a->key_bits == b->key_bits &&
	       a->hash == b->hash && a->auth == b->auth && a->group == b->group;
}

bool ike_p2_suite_matches(const struct ike_p2_suite *a,
			  const struct ike_p2_suite *b)
{
	return a->protocol == b->protocol && a->transform == b->transform &&
	       a->key_bits == b->key_bits && a->auth_alg == b->auth_alg &&
	       a->encap == b->encap && a->group == b->group;
}

static void life_limit(uint64_t offered, uint64_t local, uint64_t *out,
		       bool *lowered)
{
	/* 0 is "unlimited" on both sides. */
	if (local && (!offered || offered > local)) {
		*out = local;
		*lowered = true;
	} else {
		*out = offered;
	}
}

struct ike_life_decision ike_life_decide(const struct ike_lifetime *offered,
					 const struct ike_lifetime *local)
{
	struct ike_life_decision d = { .responder_lifetime = false };
	uint64_t seconds;

	life_limit(offered->seconds, local->seconds, &seconds,
		   &d.responder_lifetime);
	d.life.seconds = (uint32_t)seconds;
	life_limit(offered->kbytes, local->kbytes, &d.life.kbytes,
		   &d.responder_lifetime);
	return d;
}

int ike_p1_select(const struct ike_sa *offer, const struct ike_p1_suite *local,
		  size_t nlocal, struct ike_p1_choice *choice,
		  struct ike_error *err)
{
	struct ike_p1_suite s;
	size_t pi, ti, li;

	for (pi = 0; pi < offer->nproposals; pi++) {
		const struct ike_proposal *p = &offer->proposals[pi];

		for (ti = 0; ti < p->ntransforms; ti++) {
			if (ike_p1_parse_transform(p, &p->transforms[ti], &s, NULL))
				continue;
			for (li = 0; li < nlocal; li++) {
				if (!ike_p1_suite_matches(&s, &local[li]))
					continue;
				choice->proposal_index = pi;
				choice->transform_index = ti;
				choice->suite = s;
				choice->decision = ike_life_decide(&s.life,
								   &local[li].life);
				return 0;
			}
		}
	}
	return ike_fail(err, IKE_ERR_NO_PROPOSAL, IKE_N_NO_PROPOSAL_CHOSEN,
			"none of the %zu offered phase-1 proposals is acceptable",
			offer->nproposals);
}

/* Tries local bundle b against the offer's proposals [first, end). */
static bool p2_match_bundle(const struct ike_sa *offer, size_t first,
			    size_t end, const struct ike_p2_bundle *b,
			    struct ike_p2_choice *choice)
{
	struct ike_p2_suite s;
	size_t i, pi, ti;
	bool found;

	if (end - first != b->n)
		return false;
	choice->decision.life.seconds = 0;
	choice->decision.life.kbytes = 0;
	choice->decision.responder_lifetime = false;
	for (i = 0; i < b->n; i++) {
		const struct ike_p2_suite *want = &b->suites[i];

		found = false;
		for (pi = first; pi < end && !found; pi++) {
			const struct ike_proposal *p = &offer->proposals[pi];

			if (p->protocol != want->protocol)
				continue;
			for (ti = 0; ti < p->ntransforms && !found; ti++) {
				if (ike_p2_parse_transform(p, &p->transforms[ti],
							   &s, NULL) ||
				    !ike_p2_suite_matches(&s, want))
					continue;
				found = true;
				choice->proposal_index[i] = pi;
				choice->transform_index[i] = ti;
				choice->suites[i] = s;
			}
		}
		if (!found)
			return false;
	}
	choice->n = b->n;
	choice->proposal_number = offer->proposals[first].number;
	/* One lifetime governs the bundle: the tightest of its members. */
	for (i = 0; i < b->n; i++) {
		struct ike_life_decision d =
			ike_life_decide(&choice->suites[i].life, &b->suites[i].life);

		if (!i || (d.life.seconds && (!choice->decision.life.seconds ||
				d.life.seconds < choice->decision.life.seconds)))
			choice->decision.life.seconds = d.life.seconds;
		if (!i || (d.life.kbytes && (!choice->decision.life.kbytes ||
				d.life.kbytes < choice->decision.life.kbytes)))
			choice->decision.life.kbytes = d.life.kbytes;
		choice->decision.responder_lifetime |= d.responder_lifetime;
	}
	return true;
}

int ike_p2_select(const struct ike_sa *offer, const struct ike_p2_bundle *local,
		  size_t nlocal, struct ike_p2_choice *choice,
		  struct ike_error *err)
{
	size_t first, end, li;

	for (first = 0; first < offer->nproposals; first = end) {
		for (end = first + 1; end < offer->nproposals &&
		     offer->proposals[end].number == offer->proposals[first].number;
		     end++)
			;
		for (li = 0; li < nlocal; li++)
			if (p2_match_bundle(offer, first, end, &local[li], choice))
				return 0;
	}
	return ike_fail(err, IKE_ERR_NO_PROPOSAL, IKE_N_NO_PROPOSAL_CHOSEN,
			"none of the offered phase-2 proposals is acceptable");
}

/* ---- building SA payloads ---- */

static int add_life(struct ike_attr *attrs, size_t *n,
		    const struct life_attrs *la, const struct ike_lifetime *life)
{
	if (life->seconds) {
		attrs[(*n)++] = ike_attr_number(la->type_attr, IKE_LIFE_SECONDS);
		attrs[(*n)++] = ike_attr_number(la->duration_attr, life->seconds);
	}
	if (life->kbytes) {
		if (life->kbytes > UINT32_MAX)
			return -1;
		attrs[(*n)++] = ike_attr_number(la->type_attr, IKE_LIFE_KILOBYTES);
		attrs[(*n)++] = ike_attr_number(la->duration_attr,
						(uint32_t)life->kbytes);
	}
	return 0;
}

int ike_responder_lifetime_encode(const struct ike_lifetime *life,
				  struct ike_buf *out, struct ike_error *err)
{
	struct ike_attr a[4];
	size_t n = 0;

	if (add_life(a, &n, &p2_life, life))
		return ike_fail(err, IKE_ERR_UNSUPPORTED, 0,
				"lifetime of %llu kB does not fit 32 bits",
				(unsigned long long)life->kbytes);
	return ike_attrs_encode(a, n, out, err);
}

static int ignore_attr(void *ctx, uint16_t type, uint64_t value,
		       struct ike_error *err)
{
	(void)ctx;
	(void)type;
	(void)value;
	(void)err;
	return 0;
}

int ike_responder_lifetime_decode(struct ike_bytes data,
				  struct ike_arena *arena,
				  struct ike_lifetime *life,
				  struct ike_error *err)
{
	struct ike_transform t = { 0 };
	bool seconds_seen;
	int rc;

	rc = ike_attrs_decode(data.ptr, data.len, arena, &t.attrs, &t.nattrs,
			      err);
	if (rc)
		return rc;
	/* Without a seconds pair the notification limits bytes only. */
	return walk_attrs(&t, &p2_life, life, &seconds_seen, ignore_attr, NULL,
			  err);
}

#define MAX_SUITE_ATTRS 10

static int p1_transform(struct ike_arena *arena, const struct ike_p1_suite *s,
			uint8_t number, struct ike_transform *t)
{
	struct ike_attr *a = ike_arena_alloc(arena, MAX_SUITE_ATTRS, sizeof(*a));
	size_t n = 0;

	if (!a)
		return -1;
	a[n++] = ike_attr_number(IKE_OAKLEY_ENCRYPTION, s->enc);
	if (s->key_bits)
		a[n++] = ike_attr_number(IKE_OAKLEY_KEY_LENGTH, s->key_bits);
	a[n++] = ike_attr_number(IKE_OAKLEY_HASH, s->hash);
	a[n++] = ike_attr_number(IKE_OAKLEY_AUTH_METHOD, s->auth);
	a[n++] = ike_attr_number(IKE_OAKLEY_GROUP, s->group);
	if (add_life(a, &n, &p1_life, &s->life))
		return -1;
	t->number = number;
	t->id = IKE_TRANSFORM_KEY_IKE;
	t->attrs = a;
	t->nattrs = n;
	return 0;
}

int ike_p1_offer(struct ike_arena *arena, const struct ike_p1_suite *suites,
		 size_t n, struct ike_sa *sa)
{
	struct ike_proposal *p;
	size_t i;

	if (!n || n > 255)
		return -1;
	p = ike_arena_alloc(arena, 1, sizeof(*p));
	if (!p)
		return -1;
	p->transforms = ike_arena_alloc(arena, n, sizeof(*p->transforms));
	if (!p->transforms)
		return -1;
	p->number = 1;
	p->protocol = IKE_PROTO_ISAKMP;
	p->ntransforms = n;
	for (i = 0; i < n; i++)
		if (p1_transform(arena, &suites[i], (uint8_t)(i + 1),
				 &p->transforms[i]))
			return -1;
	sa->doi = IKE_DOI_IPSEC;
	sa->situation = IKE_SIT_IDENTITY_ONLY;
	sa->proposals = p;
	sa->nproposals = 1;
	return 0;
}

static int p2_transform(struct ike_arena *arena, const struct ike_p2_suite *s,
			struct ike_transform *t)
{
	struct ike_attr *a = ike_arena_alloc(arena, MAX_SUITE_ATTRS, sizeof(*a));
	size_t n = 0;

	if (!a)
		return -1;
	if (add_life(a, &n, &p2_life, &s->life))
		return -1;
	if (s->group)
		a[n++] = ike_attr_number(IKE_IPSEC_GROUP, s->group);
	a[n++] = ike_attr_number(IKE_IPSEC_ENCAP_MODE, s->encap);
	if (s->auth_alg)
		a[n++] = ike_attr_number(IKE_IPSEC_AUTH_ALG, s->auth_alg);
	if (s->key_bits)
		a[n++] = ike_attr_number(IKE_IPSEC_KEY_LENGTH, s->key_bits);
	t->number = 1;
	t->id = s->transform;
	t->attrs = a;
	t->nattrs = n;
	return 0;
}

int ike_p2_offer(struct ike_arena *arena, const struct ike_p2_bundle *bundles,
		 size_t n, const uint8_t (*spis)[4], struct ike_sa *sa)
{
	struct ike_proposal *props;
	size_t i, j, total = 0, k = 0;

	for (i = 0; i < n; i++) {
		if (!bundles[i].n || bundles[i].n > IKE_MAX_BUNDLE)
			return -1;
		total += bundles[i].n;
	}
	if (!n || n > 255)
		return -1;
	props = ike_arena_alloc(arena, total, sizeof(*props));
	if (!props)
		return -1;
	for (i = 0; i < n; i++) {
		for (j = 0; j < bundles[i].n; j++, k++) {
			struct ike_proposal *p = &props[k];

			p->number = (uint8_t)(i + 1);
			p->protocol = bundles[i].suites[j].protocol;
			p->spi.ptr = spis[j];
			p->spi.len = 4;
			p->ntransforms = 1;
			p->transforms = ike_arena_alloc(arena, 1,
							sizeof(*p->transforms));
			if (!p->transforms ||
			    p2_transform(arena, &bundles[i].suites[j],
					 p->transforms))
				return -1;
		}
	}
	sa->doi = IKE_DOI_IPSEC;
	sa->situation = IKE_SIT_IDENTITY_ONLY;
	sa->proposals = props;
	sa->nproposals = total;
	return 0;
}

int ike_p1_reply(struct ike_arena *arena, const struct ike_sa *offer,
		 const struct ike_p1_choice *choice, struct ike_sa *sa)
{
	struct ike_proposal *p;

	if (choice->proposal_index >= offer->nproposals ||
	    choice->transform_index >=
	    offer->proposals[choice->proposal_index].ntransforms)
		return -1;
	p = ike_arena_alloc(arena, 1, sizeof(*p));
	if (!p)
		return -1;
	*p = offer->proposals[choice->proposal_index];
	p->transforms = &offer->proposals[choice->proposal_index]
		.transforms[choice->transform_index];
	p->ntransforms = 1;
	*sa = *offer;
	sa->proposals = p;
	sa->nproposals = 1;
	return 0;
}

int ike_p2_reply(struct ike_arena *arena, const struct ike_sa *offer,
		 const struct ike_p2_choice *choice, const uint8_t (*spis)[4],
		 struct ike_sa *sa)
{
	struct ike_proposal *props;
	size_t i;

	if (!choice->n || choice->n > IKE_MAX_BUNDLE)
		return -1;
	props = ike_arena_alloc(arena, choice->n, sizeof(*props));
	if (!props)
		return -1;
	for (i = 0; i < choice->n; i++) {
		const struct ike_proposal *src;

		if (choice->proposal_index[i] >= offer->nproposals)
			return -1;
		src = &offer->proposals[choice->proposal_index[i]];
		if (choice->transform_index[i] >= src->ntransforms)
			return -1;
		props[i] = *src;
		props[i].transforms = &src->transforms[choice->transform_index[i]];
		props[i].ntransforms = 1;
		props[i].spi.ptr = spis[i];
		props[i].spi.len = 4;
	}
	*sa = *offer;
	sa->proposals = props;
	sa->nproposals = choice->n;
	return 0;
}
