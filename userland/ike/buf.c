// SPDX-License-Identifier: GPL-2.0
/*
 * Output buffers and the decoder's arena. Buffers may carry key material
 * (encrypted message bodies before encryption), so they are wiped when they
 * grow, shrink or die.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "ike/ike_internal.h"

/* A datagram is at most 64 KiB; nothing we encode legitimately exceeds it. */
#define IKE_BUF_MAX	(1u << 20)

void ike_buf_init(struct ike_buf *buf)
{
	buf->data = NULL;
	buf->len = 0;
	buf->cap = 0;
}

void ike_buf_free(struct ike_buf *buf)
{
	if (buf->data) {
		sodium_memzero(buf->data, buf->cap);
		free(buf->data);
	}
	ike_buf_init(buf);
}

void ike_buf_reset(struct ike_buf *buf)
{
	if (buf->data)
		sodium_memzero(buf->data, buf->len);
	buf->len = 0;
}

static int ike_buf_grow(struct ike_buf *buf, size_t extra)
{
	size_t need, cap;
	uint8_t *p;

	if (extra > IKE_BUF_MAX || buf->len > IKE_BUF_MAX - extra)
		return -1;
	need = buf->len + extra;
	if (need <= buf->cap)
		return 0;
	cap = buf->cap ? buf->cap : 256;
	while (cap < need)
		cap *= 2;
	/* Not realloc: the old block would be freed without being wiped. */
	p = malloc(cap);
	if (!p)
		return -1;
	if (buf->data) {
		memcpy(p, buf->data, buf->len);
		sodium_memzero(buf->data, buf->cap);
		free(buf->data);
	}
	buf->data = p;
	buf->cap = cap;
	return 0;
}

int ike_buf_append(struct ike_buf *buf, const void *data, size_t len)
{
	if (ike_buf_grow(buf, len))
		return -1;
	if (len)
		memcpy(buf->data + buf->len, data, len);
	buf->len += len;
	return 0;
}

int ike_buf_append_zero(struct ike_buf *buf, size_t len)
{
	if (ike_buf_grow(buf, len))
		return -1;
	if (len)
		memset(buf->data + buf->len, 0, len);
	buf->len += len;
	return 0;
}

int ike_buf_append_u8(struct ike_buf *buf, uint8_t value)
{
	return ike_buf_append(buf, &value, 1);
}

int ike_buf_append_u16(struct ike_buf *buf, uint16_t value)
{
	uint8_t b[2] = { (uint8_t)(value >> 8), (uint8_t)value };

	return ike_buf_append(buf, b, sizeof(b));
}

int ike_buf_append_u32(struct ike_buf *buf, uint32_t value)
{
	uint8_t b[4] = { (uint8_t)(value >> 24), (uint8_t)(value >> 16),
			 (uint8_t)(value >> 8), (uint8_t)value };

	return ike_buf_append(buf, b, sizeof(b));
}

void ike_buf_put_u16_at(struct ike_buf *buf, size_t offset, uint16_t value)
{
	if (offset + 2 > buf->len)
		return;
	buf->data[offset] = (uint8_t)(value >> 8);
	buf->data[offset + 1] = (uint8_t)value;
}

void ike_buf_put_u32_at(struct ike_buf *buf, size_t offset, uint32_t value)
{
	if (offset + 4 > buf->len)
		return;
	buf->data[offset] = (uint8_t)(value >> 24);
	buf->data[offset + 1] = (uint8_t)(value >> 16);
	buf->data[offset + 2] = (uint8_t)(value >> 8);
	buf->data[offset + 3] = (uint8_t)value;
}

struct ike_arena_block {
	struct ike_arena_block *next;
	max_align_t data[];
};

void *ike_arena_alloc(struct ike_arena *arena, size_t nmemb, size_t size)
{
	struct ike_arena_block *b;

	if (nmemb == 0)
		nmemb = 1;
	if (size && nmemb > (IKE_BUF_MAX * 16) / size)
		return NULL;
	b = calloc(1, sizeof(*b) + nmemb * size);
	if (!b)
		return NULL;
	b->next = arena->head;
	arena->head = b;
	return b->data;
}

void ike_arena_free(struct ike_arena *arena)
{
	struct ike_arena_block *b = arena->head, *next;

	while (b) {
		next = b->next;
		free(b);
		b = next;
	}
	arena->head = NULL;
}
