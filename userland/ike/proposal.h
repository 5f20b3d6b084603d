/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Proposal selection for phase 1 (ISAKMP SA) and phase 2 (IPsec SAs), and
 * building the SA payloads that offer or answer them. Pure logic over
 * decoded SA payloads: the initiator's order decides, and the first offered
 * transform that matches a local suite wins.
 */
#ifndef KIPSEC_IKE_PROPOSAL_H
#define KIPSEC_IKE_PROPOSAL_H

#include "ike/ike.h"

/* Lifetimes: 0 means "no limit of this kind". */
struct ike_lifetime {
	uint32_t seconds;
	uint64_t kbytes;
};

struct ike_p1_suite {
	uint16_t enc;		/* IKE_ENC_* */
	uint16_t key_bits;	/* 0 for fixed-key ciphers (3DES) */
	uint16_t hash;		/* IKE_HASH_* */
	uint16_t auth;		/* IKE_AUTH_* */
	uint16_t group;		/* IKE_GROUP_* */
	struct ike_lifetime life;
};

struct ike_p2_suite {
	uint8_t protocol;	/* IKE_PROTO_AH or IKE_PROTO_ESP */
	uint8_t transform;	/* IKE_ESP_* or IKE_AH_* */
	uint16_t key_bits;	/* 0 when the transform has a fixed key */
	uint16_t auth_alg;	/* IKE_AUTH_ALG_*, NONE for AEAD */
	uint16_t encap;		/* IKE_ENCAP_* */
	uint16_t group;		/* PFS group, IKE_GROUP_NONE without PFS */
	struct ike_lifetime life;
};

/* AH and ESP applied together are offered as one proposal number. */
#define IKE_MAX_BUNDLE 2
struct ike_p2_bundle {
	size_t n;
	struct ike_p2_suite suites[IKE_MAX_BUNDLE];
};

/*
 * Lifetime outcome for the responder: the values to use, and whether they
 * are lower than what the initiator asked for, in which case RFC 2407 4.6.3
 * wants a RESPONDER-LIFETIME notification carrying them.
 */
struct ike_life_decision {
	struct ike_lifetime life;
	bool responder_lifetime;
};

struct ike_p1_choice {
	size_t proposal_index;
	size_t transform_index;
	struct ike_p1_suite suite;	/* the offered suite, as offered */
	struct ike_life_decision decision;
};

struct ike_p2_choice {
	uint8_t proposal_number;
	size_t n;
	size_t proposal_index[IKE_MAX_BUNDLE];
	size_t transform_index[IKE_MAX_BUNDLE];
	struct ike_p2_suite suites[IKE_MAX_BUNDLE];
	struct ike_life_decision decision;
};

/*
 * Interpret one transform. Unknown or repeated attributes and transforms
 * we cannot use fail with IKE_ERR_UNSUPPORTED (ATTRIBUTES-NOT-SUPPORTED
 * or INVALID-TRANSFORM-ID); the selectors just skip such transforms. A
 * transform without a seconds lifetime gets RFC 2407's 28800 s.
 */
int ike_p1_parse_transform(const struct ike_proposal *p,
			   const struct ike_transform *t,
			   struct ike_p1_suite *suite, struct ike_error *err);
int ike_p2_parse_transform(const struct ike_proposal *p,
			   const struct ike_transform *t,
			   struct ike_p2_suite *suite, struct ike_error *err);

/* Same algorithms (lifetimes are not compared). */
bool ike_p1_suite_matches(const struct ike_p1_suite *a,
			  const struct ike_p1_suite *b);
bool ike_p2_suite_matches(const struct ike_p2_suite *a,
			  const struct ike_p2_suite *b);

/* Fails with IKE_ERR_NO_PROPOSAL / NO-PROPOSAL-CHOSEN if nothing fits. */
int ike_p1_select(const struct ike_sa *offer, const struct ike_p1_suite *local,
		  size_t nlocal, struct ike_p1_choice *choice,
		  struct ike_error *err);
int ike_p2_select(const struct ike_sa *offer, const struct ike_p2_bundle *local,
		  size_t nlocal, struct ike_p2_choice *choice,
		  struct ike_error *err);

/* Lifetime decision for an offered lifetime against the local limits. */
struct ike_life_decision ike_life_decide(const struct ike_lifetime *offered,
					 const struct ike_lifetime *local);

/*
 * RESPONDER-LIFETIME (RFC 2407 4.6.3.1): the notification data is an IPsec
 * DOI attribute list of SA Life Type / SA Life Duration pairs, the
 * lifetime the responder really uses when it is shorter than the offer
 * (the SA payload itself echoes the offer unchanged). encode appends the
 * pairs for each limit that life sets; decode reads them back, ignoring
 * attributes of other types, and fails on a malformed list.
 */
int ike_responder_lifetime_encode(const struct ike_lifetime *life,
				  struct ike_buf *out, struct ike_error *err);
int ike_responder_lifetime_decode(struct ike_bytes data,
				  struct ike_arena *arena,
				  struct ike_lifetime *life,
				  struct ike_error *err);

/*
 * Building SA payloads; all memory comes from arena. The phase-1 offer is
 * one ISAKMP proposal with one transform per suite. The phase-2 offer
 * numbers bundles 1..n; spis[i] is our inbound SPI for protocol of suite i
 * of every bundle (4 bytes, network order, must outlive the SA).
 */
int ike_p1_offer(struct ike_arena *arena, const struct ike_p1_suite *suites,
		 size_t n, struct ike_sa *sa);
int ike_p2_offer(struct ike_arena *arena, const struct ike_p2_bundle *bundles,
		 size_t n, const uint8_t (*spis)[4], struct ike_sa *sa);
/* The responder's answer: the chosen proposal and transform, unchanged. */
int ike_p1_reply(struct ike_arena *arena, const struct ike_sa *offer,
		 const struct ike_p1_choice *choice, struct ike_sa *sa);
/* As above, with the responder's own inbound SPIs, one per protocol. */
int ike_p2_reply(struct ike_arena *arena, const struct ike_sa *offer,
		 const struct ike_p2_choice *choice, const uint8_t (*spis)[4],
		 struct ike_sa *sa);

#endif
