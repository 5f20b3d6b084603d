// SPDX-License-Identifier: GPL-2.0
/* Error reporting and names of wire constants, for logs and messages. */
#include <stdio.h>
#include <string.h>

#include "ike/ike_internal.h"

int ike_fail(struct ike_error *err, enum ike_err code, uint16_t notify,
	     const char *fmt, ...)
{
	va_list ap;

	if (err) {
		err->code = code;
		err->notify = notify;
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
		va_end(ap);
	}
	return -(int)code;
}

void ike_error_clear(struct ike_error *err)
{
	if (err) {
		err->code = IKE_OK;
		err->notify = 0;
		err->msg[0] = '\0';
	}
}

const char *ike_err_name(enum ike_err code)
{
	static const char *const names[] = {
		[IKE_OK] = "ok",
		[IKE_ERR_TRUNCATED] = "truncated",
		[IKE_ERR_LENGTH] = "bad length",
		[IKE_ERR_VERSION] = "bad version",
		[IKE_ERR_PAYLOAD_TYPE] = "bad payload type",
		[IKE_ERR_MALFORMED] = "malformed",
		[IKE_ERR_DUPLICATE] = "duplicate",
		[IKE_ERR_MISSING] = "missing",
		[IKE_ERR_UNSUPPORTED] = "unsupported",
		[IKE_ERR_NOMEM] = "out of memory",
		[IKE_ERR_CRYPTO] = "crypto failure",
		[IKE_ERR_INVALID_ARG] = "invalid argument",
		[IKE_ERR_NO_PROPOSAL] = "no proposal chosen",
	};

	if ((size_t)code < sizeof(names) / sizeof(names[0]) && names[code])
		return names[code];
	return "unknown error";
}

const char *ike_payload_name(uint8_t type)
{
	switch (type) {
	case IKE_PL_NONE: return "NONE";
	case IKE_PL_SA: return "SA";
	case IKE_PL_PROPOSAL: return "P";
	case IKE_PL_TRANSFORM: return "T";
	case IKE_PL_KE: return "KE";
	case IKE_PL_ID: return "ID";
	case IKE_PL_CERT: return "CERT";
	case IKE_PL_CR: return "CR";
	case IKE_PL_HASH: return "HASH";
	case IKE_PL_SIG: return "SIG";
	case IKE_PL_NONCE: return "NONCE";
	case IKE_PL_NOTIFY: return "N";
	case IKE_PL_DELETE: return "D";
	case IKE_PL_VENDOR: return "VID";
	case IKE_PL_NAT_D: return "NAT-D";
	case IKE_PL_NAT_OA: return "NAT-OA";
	}
	return type >= IKE_PL_PRIVATE_MIN ? "PRIVATE" : "UNKNOWN";
}

const char *ike_notify_name(uint16_t type)
{
	switch (type) {
	case IKE_N_INVALID_PAYLOAD_TYPE: return "INVALID-PAYLOAD-TYPE";
	case IKE_N_DOI_NOT_SUPPORTED: return "DOI-NOT-SUPPORTED";
	case IKE_N_SITUATION_NOT_SUPPORTED: return "SITUATION-NOT-SUPPORTED";
	case IKE_N_INVALID_COOKIE: return "INVALID-COOKIE";
	case IKE_N_INVALID_MAJOR_VERSION: return "INVALID-MAJOR-VERSION";
	case IKE_N_INVALID_MINOR_VERSION: return "INVALID-MINOR-VERSION";
	case IKE_N_INVALID_EXCHANGE_TYPE: return "INVALID-EXCHANGE-TYPE";
	case IKE_N_INVALID_FLAGS: return "INVALID-FLAGS";
	case IKE_N_INVALID_MESSAGE_ID: return "INVALID-MESSAGE-ID";
	case IKE_N_INVALID_PROTOCOL_ID: return "INVALID-PROTOCOL-ID";
	case IKE_N_INVALID_SPI: return "INVALID-SPI";
	case IKE_N_INVALID_TRANSFORM_ID: return "INVALID-TRANSFORM-ID";
	case IKE_N_ATTRIBUTES_NOT_SUPPORTED: return "ATTRIBUTES-NOT-SUPPORTED";
	case IKE_N_NO_PROPOSAL_CHOSEN: return "NO-PROPOSAL-CHOSEN";
	case IKE_N_BAD_PROPOSAL_SYNTAX: return "BAD-PROPOSAL-SYNTAX";
	case IKE_N_PAYLOAD_MALFORMED: return "PAYLOAD-MALFORMED";
	case IKE_N_INVALID_KEY_INFORMATION: return "INVALID-KEY-INFORMATION";
	case IKE_N_INVALID_ID_INFORMATION: return "INVALID-ID-INFORMATION";
	case IKE_N_INVALID_HASH_INFORMATION: return "INVALID-HASH-INFORMATION";
	case IKE_N_AUTHENTICATION_FAILED: return "AUTHENTICATION-FAILED";
	case IKE_N_INVALID_SIGNATURE: return "INVALID-SIGNATURE";
	case IKE_N_UNEQUAL_PAYLOAD_LENGTHS: return "UNEQUAL-PAYLOAD-LENGTHS";
	case IKE_N_CONNECTED: return "CONNECTED";
	case IKE_N_RESPONDER_LIFETIME: return "RESPONDER-LIFETIME";
	case IKE_N_REPLAY_STATUS: return "REPLAY-STATUS";
	case IKE_N_INITIAL_CONTACT: return "INITIAL-CONTACT";
	case IKE_N_DPD_R_U_THERE: return "R-U-THERE";
	case IKE_N_DPD_R_U_THERE_ACK: return "R-U-THERE-ACK";
	}
	return "UNKNOWN-NOTIFY";
}

const char *ike_exchange_name(uint8_t type)
{
	switch (type) {
	case IKE_EXCH_BASE: return "Base";
	case IKE_EXCH_MAIN: return "Main";
	case IKE_EXCH_AUTH_ONLY: return "Authentication Only";
	case IKE_EXCH_AGGRESSIVE: return "Aggressive";
	case IKE_EXCH_INFORMATIONAL: return "Informational";
	case IKE_EXCH_QUICK: return "Quick";
	case IKE_EXCH_NEW_GROUP: return "New Group";
	}
	return "unknown";
}
