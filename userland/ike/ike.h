/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ISAKMP/IKEv1 message codec.
 *
 * Decoding is zero-copy: every struct ike_bytes in a decoded message points
 * into the caller's input buffer, which must outlive the message. Arrays the
 * decoder needs (payloads, proposals, transforms, attributes) come from an
 * arena owned by the message and released by ike_message_free().
 *
 * Encoding writes into a caller-owned growable struct ike_buf and computes
 * every length and next-payload link itself, so a decoded message encodes
 * back to the same bytes (reserved fields are written as zero).
 */
#ifndef KIPSEC_IKE_H
#define KIPSEC_IKE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

#include "ike/ike_const.h"

struct ike_bytes {
	const uint8_t *ptr;
	size_t len;
};

/* Error codes. ike_error.notify suggests the ISAKMP notification to send. */
enum ike_err {
	IKE_OK = 0,
	IKE_ERR_TRUNCATED,	/* a length points past the end of its container */
	IKE_ERR_LENGTH,		/* a length field is inconsistent */
	IKE_ERR_VERSION,
	IKE_ERR_PAYLOAD_TYPE,	/* unknown, or not allowed where it appears */
	IKE_ERR_MALFORMED,	/* a field holds a value the RFCs forbid */
	IKE_ERR_DUPLICATE,
	IKE_ERR_MISSING,
	IKE_ERR_UNSUPPORTED,	/* legal, but not something we implement */
	IKE_ERR_NOMEM,
	IKE_ERR_CRYPTO,
	IKE_ERR_INVALID_ARG,
	IKE_ERR_NO_PROPOSAL,
};

struct ike_error {
	enum ike_err code;
	uint16_t notify;	/* enum ike_notify_type, 0 if none fits */
	char msg[160];
};

const char *ike_err_name(enum ike_err code);
const char *ike_payload_name(uint8_t type);
const char *ike_notify_name(uint16_t type);
const char *ike_exchange_name(uint8_t type);

/* Growable output buffer; its contents are wiped when freed or reset. */
struct ike_buf {
	uint8_t *data;
	size_t len;
	size_t cap;
};

void ike_buf_init(struct ike_buf *buf);
void ike_buf_free(struct ike_buf *buf);
void ike_buf_reset(struct ike_buf *buf);
int ike_buf_append(struct ike_buf *buf, const void *data, size_t len);
int ike_buf_append_u8(struct ike_buf *buf, uint8_t value);
int ike_buf_append_u16(struct ike_buf *buf, uint16_t value);
int ike_buf_append_u32(struct ike_buf *buf, uint32_t value);
int ike_buf_append_zero(struct ike_buf *buf, size_t len);
void ike_buf_put_u16_at(struct ike_buf *buf, size_t offset, uint16_t value);
void ike_buf_put_u32_at(struct ike_buf *buf, size_t offset, uint32_t value);

/* Allocations released together; zero-initialised. */
struct ike_arena_block;
struct ike_arena {
	struct ike_arena_block *head;
};

void *ike_arena_alloc(struct ike_arena *arena, size_t nmemb, size_t size);
void ike_arena_free(struct ike_arena *arena);

/* ---- header ---- */

struct ike_header {
	uint8_t cky_i[IKE_COOKIE_LEN];
	uint8_t cky_r[IKE_COOKIE_LEN];
	uint8_t next_payload;	/* filled by the encoder */
	uint8_t version;
	uint8_t exchange;
	uint8_t flags;
	uint32_t message_id;
	uint32_t length;	/* filled by the encoder */
};

/* ---- data attributes (RFC 2408 3.3) ---- */

struct ike_attr {
	uint16_t type;		/* without the AF bit */
	bool basic;		/* TV form: value in 16 bits */
	/*
	 * TV: the value. TLV: the value as an integer if it fits 8 bytes
	 * (big-endian), else 0. To encode a TLV from an integer, leave
	 * data.ptr NULL and set data.len to the width (1..8 bytes).
	 */
	uint64_t value;
	struct ike_bytes data;	/* TLV value bytes */
};

struct ike_transform {
	uint8_t number;
	uint8_t id;
	size_t nattrs;
	struct ike_attr *attrs;
};

struct ike_proposal {
	uint8_t number;
	uint8_t protocol;	/* enum ike_protocol_id */
	struct ike_bytes spi;
	size_t ntransforms;
	struct ike_transform *transforms;
};

struct ike_sa {
	uint32_t doi;
	uint32_t situation;
	size_t nproposals;
	struct ike_proposal *proposals;
};

/* ---- other payload bodies ---- */

struct ike_id {
	uint8_t type;		/* enum ike_id_type */
	uint8_t protocol;	/* IP protocol, 0 = any */
	uint16_t port;		/* 0 = any */
	/*
	 * Address types use addr[] (subnet: address, mask; range: first,
	 * last); every other type uses data.
	 */
	union {
		struct in_addr v4[2];
		struct in6_addr v6[2];
	} addr;
	struct ike_bytes data;
};

struct ike_notify {
	uint32_t doi;
	uint8_t protocol;
	uint16_t type;		/* enum ike_notify_type */
	struct ike_bytes spi;
	struct ike_bytes data;
};

struct ike_delete {
	uint32_t doi;
	uint8_t protocol;
	uint8_t spi_size;
	uint16_t nspis;
	struct ike_bytes spis;	/* nspis * spi_size bytes, back to back */
};

struct ike_nat_oa {
	uint8_t id_type;	/* IKE_ID_IPV4_ADDR or IKE_ID_IPV6_ADDR */
	union {
		struct in_addr v4;
		struct in6_addr v6;
	} addr;
};

struct ike_payload {
	uint8_t type;
	/* Set by the decoder: the payload with (raw) and without (body) its
	 * generic header. body is what SAi_b, IDii_b and Ni_b hash. */
	struct ike_bytes raw;
	struct ike_bytes body;
	union {
		struct ike_sa sa;
		struct ike_id id;
		struct ike_notify notify;
		struct ike_delete del;
		struct ike_nat_oa nat_oa;
		/* KE, HASH, SIG, NONCE, VID, NAT-D, CERT, CR, private */
		struct ike_bytes data;
	} u;
};

struct ike_message {
	struct ike_header hdr;
	size_t npayloads;
	struct ike_payload *payloads;
	/* With IKE_FLAG_ENCRYPTED: the ciphertext after the header. */
	struct ike_bytes encrypted;
	struct ike_arena arena;
};

/* Decoder options for ike_message_decode_payloads(). */
enum ike_decode_flags {
	/* Decrypted bodies end in cipher padding after the last payload. */
	IKE_DECODE_ALLOW_TRAILING = 0x1,
};

/*
 * Decodes a whole UDP payload (without the 4-byte non-ESP marker of port
 * 4500). The header length must equal len. For an encrypted message only the
 * header is decoded and msg->encrypted is set; decrypt it and call
 * ike_message_decode_payloads() with msg->hdr.next_payload.
 * On failure, msg is left empty (ike_message_free() is still safe).
 */
int ike_message_decode(const uint8_t *data, size_t len,
		       struct ike_message *msg, struct ike_error *err);
int ike_message_decode_payloads(struct ike_message *msg, uint8_t first,
				const uint8_t *data, size_t len,
				unsigned int flags, struct ike_error *err);
void ike_message_init(struct ike_message *msg);
void ike_message_free(struct ike_message *msg);

int ike_header_decode(const uint8_t *data, size_t len, struct ike_header *hdr,
		      struct ike_error *err);
/* Writes the header with length = IKE_HEADER_LEN + body_len. */
int ike_header_encode(const struct ike_header *hdr, uint8_t next_payload,
		      size_t body_len, struct ike_buf *out);

/*
 * Encodes the chain of payloads (generic headers included). If offsets is
 * not NULL it receives, per payload, the offset of its generic header in
 * out, so a HASH can be filled in after the rest is encoded.
 */
int ike_payloads_encode(const struct ike_payload *payloads, size_t n,
			struct ike_buf *out, size_t *offsets,
			struct ike_error *err);
/* Header and payloads; hdr.next_payload and hdr.length are computed. */
int ike_message_encode(const struct ike_message *msg, struct ike_buf *out,
		       size_t *offsets, struct ike_error *err);
/* One payload body, without its generic header (e.g. SAi_b, IDii_b). */
int ike_payload_encode_body(const struct ike_payload *payload,
			    struct ike_buf *out, struct ike_error *err);

const struct ike_payload *ike_message_find(const struct ike_message *msg,
					   uint8_t type, size_t nth);

/* ---- attributes ---- */

const struct ike_attr *ike_transform_attr(const struct ike_transform *t,
					  uint16_t type);
/* The value of an attribute; for TLV it must fit 8 bytes. */
int ike_attr_u64(const struct ike_attr *attr, uint64_t *value);
/* An attribute in TV form, or TLV of 4 bytes when value > 0xffff. */
struct ike_attr ike_attr_number(uint16_t type, uint32_t value);

/* ---- payload rules per exchange message ---- */

struct ike_payload_rule {
	uint8_t type;
	uint8_t min;
	uint8_t max;
};

enum ike_exchange_step {
	IKE_STEP_MM1, IKE_STEP_MM2, IKE_STEP_MM3, IKE_STEP_MM4,
	IKE_STEP_MM5, IKE_STEP_MM6,
	IKE_STEP_QM1, IKE_STEP_QM2, IKE_STEP_QM3,
	IKE_STEP_INFO,
	IKE_STEP_COUNT,
};

/*
 * Checks that msg has each payload type of the step between min and max
 * times, no payload type the step does not allow (VID, N and private types
 * are always allowed), and, where the RFCs fix it, the first payload.
 */
int ike_message_check_step(const struct ike_message *msg,
			   enum ike_exchange_step step, struct ike_error *err);
int ike_message_check_rules(const struct ike_message *msg,
			    const struct ike_payload_rule *rules, size_t n,
			    struct ike_error *err);

/* ---- helpers for building payloads ---- */

void ike_id_ipv4(struct ike_id *id, const struct in_addr *addr);
void ike_id_ipv4_subnet(struct ike_id *id, const struct in_addr *addr,
			unsigned int prefix_len);
void ike_id_ipv6(struct ike_id *id, const struct in6_addr *addr);
void ike_id_ipv6_subnet(struct ike_id *id, const struct in6_addr *addr,
			unsigned int prefix_len);
/* Length of the address part of an ID type, 0 if not an address type. */
size_t ike_id_addr_len(uint8_t type);

/* The i-th SPI of a delete payload, or NULL. */
const uint8_t *ike_delete_spi(const struct ike_delete *del, size_t i);

#endif
