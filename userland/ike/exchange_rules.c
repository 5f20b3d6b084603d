// SPDX-License-Identifier: GPL-2.0
/*
 * Which payloads each message of Main Mode, Quick Mode and Informational
 * exchanges must carry (RFC 2409 5, 5.5, 5.7; RFC 3947 3.2, 5.2), checked
 * before the exchange logic looks at them, so that code can assume a single
 * SA, a single nonce and so on.
 */
#include "ike/ike_internal.h"

#define ANY 255

struct step_rules {
	const char *name;
	uint8_t first;		/* payload required first, or NONE */
	const struct ike_payload_rule *rules;
	size_t nrules;
	bool ids_paired;	/* Quick Mode client IDs come as a pair */
	bool needs_n_or_d;
};

#define RULES(...) .rules = (const struct ike_payload_rule[]){ __VA_ARGS__ }, \
	.nrules = sizeof((const struct ike_payload_rule[]){ __VA_ARGS__ }) / \
	sizeof(struct ike_payload_rule)

static const struct step_rules steps[IKE_STEP_COUNT] = {
	[IKE_STEP_MM1] = { .name = "MM1", .first = IKE_PL_SA,
		RULES({ IKE_PL_SA, 1, 1 }) },
	[IKE_STEP_MM2] = { .name = "MM2", .first = IKE_PL_SA,
		RULES({ IKE_PL_SA, 1, 1 }) },
	[IKE_STEP_MM3] = { .name = "MM3", .first = IKE_PL_NONE,
		RULES({ IKE_PL_KE, 1, 1 }, { IKE_PL_NONCE, 1, 1 },
		      { IKE_PL_NAT_D, 0, ANY }, { IKE_PL_CR, 0, ANY }) },
	[IKE_STEP_MM4] = { .name = "MM4", .first = IKE_PL_NONE,
		RULES({ IKE_PL_KE, 1, 1 }, { IKE_PL_NONCE, 1, 1 },
		      { IKE_PL_NAT_D, 0, ANY }, { IKE_PL_CR, 0, ANY }) },
	[IKE_STEP_MM5] = { .name = "MM5", .first = IKE_PL_ID,
		RULES({ IKE_PL_ID, 1, 1 }, { IKE_PL_HASH, 1, 1 }) },
	[IKE_STEP_MM6] = { .name = "MM6", .first = IKE_PL_ID,
		RULES({ IKE_PL_ID, 1, 1 }, { IKE_PL_HASH, 1, 1 }) },
	[IKE_STEP_QM1] = { .name = "QM1", .first = IKE_PL_HASH,
		RULES({ IKE_PL_HASH, 1, 1 }, { IKE_PL_SA, 1, 1 },
		      { IKE_PL_NONCE, 1, 1 }, { IKE_PL_KE, 0, 1 },
		      { IKE_PL_ID, 0, 2 }, { IKE_PL_NAT_OA, 0, 2 }),
		.ids_paired = true },
	[IKE_STEP_QM2] = { .name = "QM2", .first = IKE_PL_HASH,
		RULES({ IKE_PL_HASH, 1, 1 }, { IKE_PL_SA, 1, 1 },
		      { IKE_PL_NONCE, 1, 1 }, { IKE_PL_KE, 0, 1 },
		      { IKE_PL_ID, 0, 2 }, { IKE_PL_NAT_OA, 0, 2 }),
		.ids_paired = true },
	[IKE_STEP_QM3] = { .name = "QM3", .first = IKE_PL_HASH,
		RULES({ IKE_PL_HASH, 1, 1 }) },
	[IKE_STEP_INFO] = { .name = "Informational", .first = IKE_PL_HASH,
		RULES({ IKE_PL_HASH, 1, 1 }, { IKE_PL_NOTIFY, 0, ANY },
		      { IKE_PL_DELETE, 0, ANY }),
		.needs_n_or_d = true },
};

static size_t count_type(const struct ike_message *msg, uint8_t type)
{
	size_t i, n = 0;

	for (i = 0; i < msg->npayloads; i++)
		n += msg->payloads[i].type == type;
	return n;
}

static bool always_allowed(uint8_t type)
{
	return type == IKE_PL_VENDOR || type == IKE_PL_NOTIFY ||
	       type >= IKE_PL_PRIVATE_MIN;
}

int ike_message_check_rules(const struct ike_message *msg,
			    const struct ike_payload_rule *rules, size_t n,
			    struct ike_error *err)
{
	size_t i, j, count;
	bool listed;

	for (i = 0; i < n; i++) {
		count = count_type(msg, rules[i].type);
		if (count < rules[i].min)
			return ike_fail(err, IKE_ERR_MISSING, IKE_N_PAYLOAD_MALFORMED,
					"%s payload missing",
					ike_payload_name(rules[i].type));
		if (rules[i].max != ANY && count > rules[i].max)
			return ike_fail(err, IKE_ERR_DUPLICATE, IKE_N_PAYLOAD_MALFORMED,
					"%zu %s payloads, at most %u allowed", count,
					ike_payload_name(rules[i].type), rules[i].max);
	}
	for (i = 0; i < msg->npayloads; i++) {
		uint8_t type = msg->payloads[i].type;

		listed = always_allowed(type);
		for (j = 0; j < n && !listed; j++)
			listed = rules[j].type == type;
		if (!listed)
			return ike_fail(err, IKE_ERR_PAYLOAD_TYPE,
					IKE_N_INVALID_PAYLOAD_TYPE,
					"unexpected %s payload", ike_payload_name(type));
	}
	return 0;
}

int ike_message_check_step(const struct ike_message *msg,
			   enum ike_exchange_step step, struct ike_error *err)
{
	const struct step_rules *s;
	int rc;

	if ((unsigned int)step >= IKE_STEP_COUNT)
		return ike_fail(err, IKE_ERR_INVALID_ARG, 0, "unknown step %d", step);
	s = &steps[step];
	if (!msg->npayloads)
		return ike_fail(err, IKE_ERR_MISSING, IKE_N_PAYLOAD_MALFORMED,
				"%s without payloads", s->name);
	if (s->first != IKE_PL_NONE && msg->payloads[0].type != s->first)
		return ike_fail(err, IKE_ERR_MALFORMED, IKE_N_PAYLOAD_MALFORMED,
				"%s must start with %s, starts with %s", s->name,
				ike_payload_name(s->first),
				ike_payload_name(msg->payloads[0].type));
	rc = ike_message_check_rules(msg, s->rules, s->nrules, err);
	if (rc)
		return rc;
	if (s->ids_paired && count_type(msg, IKE_PL_ID) == 1)
		return ike_fail(err, IKE_ERR_MISSING, IKE_N_INVALID_ID_INFORMATION,
				"%s carries IDci without IDcr", s->name);
	if (s->needs_n_or_d && !count_type(msg, IKE_PL_NOTIFY) &&
	    !count_type(msg, IKE_PL_DELETE))
		return ike_fail(err, IKE_ERR_MISSING, IKE_N_PAYLOAD_MALFORMED,
				"%s without N or D payload", s->name);
	return 0;
}
