/* SPDX-License-Identifier: GPL-2.0 */
/* Shared by the codec files only; not part of the library's interface. */
#ifndef KIPSEC_IKE_INTERNAL_H
#define KIPSEC_IKE_INTERNAL_H

#include <stdarg.h>

#include "ike/ike.h"

/* Bounds-checked reader: every get fails once fewer bytes remain. */
struct ike_reader {
	const uint8_t *ptr;
	size_t len;
	size_t off;
};

static inline void ike_reader_init(struct ike_reader *r, const uint8_t *p,
				   size_t len)
{
	r->ptr = p;
	r->len = len;
	r->off = 0;
}

static inline size_t ike_reader_left(const struct ike_reader *r)
{
	return r->len - r->off;
}

static inline bool ike_get_u8(struct ike_reader *r, uint8_t *v)
{
	if (ike_reader_left(r) < 1)
		return false;
	*v = r->ptr[r->off++];
	return true;
}

static inline bool ike_get_u16(struct ike_reader *r, uint16_t *v)
{
	if (ike_reader_left(r) < 2)
		return false;
	*v = (uint16_t)(r->ptr[r->off] << 8 | r->ptr[r->off + 1]);
	r->off += 2;
	return true;
}

static inline bool ike_get_u32(struct ike_reader *r, uint32_t *v)
{
	if (ike_reader_left(r) < 4)
		return false;
	*v = (uint32_t)r->ptr[r->off] << 24 | (uint32_t)r->ptr[r->off + 1] << 16 |
	     (uint32_t)r->ptr[r->off + 2] << 8 | r->ptr[r->off + 3];
	r->off += 4;
	return true;
}

static inline bool ike_get_bytes(struct ike_reader *r, size_t n,
				 struct ike_bytes *out)
{
	if (ike_reader_left(r) < n)
		return false;
	out->ptr = r->ptr + r->off;
	out->len = n;
	r->off += n;
	return true;
}

static inline bool ike_skip(struct ike_reader *r, size_t n)
{
	if (ike_reader_left(r) < n)
		return false;
	r->off += n;
	return true;
}

__attribute__((format(printf, 4, 5)))
int ike_fail(struct ike_error *err, enum ike_err code, uint16_t notify,
	     const char *fmt, ...);
void ike_error_clear(struct ike_error *err);

/* Per-payload-type codec, one per payload_*.c file. */
struct ike_payload_ops {
	int (*decode)(struct ike_payload *pl, struct ike_arena *arena,
		      struct ike_error *err);
	int (*encode)(const struct ike_payload *pl, struct ike_buf *out,
		      struct ike_error *err);
};

extern const struct ike_payload_ops ike_sa_ops;
extern const struct ike_payload_ops ike_id_ops;
extern const struct ike_payload_ops ike_notify_ops;
extern const struct ike_payload_ops ike_delete_ops;
extern const struct ike_payload_ops ike_nat_oa_ops;
extern const struct ike_payload_ops ike_opaque_ops;
extern const struct ike_payload_ops ike_nonce_ops;

/* attribute.c: decode a run of attributes filling exactly len bytes. */
int ike_attrs_decode(const uint8_t *p, size_t len, struct ike_arena *arena,
		     struct ike_attr **attrs, size_t *nattrs,
		     struct ike_error *err);
int ike_attrs_encode(const struct ike_attr *attrs, size_t n,
		     struct ike_buf *out, struct ike_error *err);

#endif
