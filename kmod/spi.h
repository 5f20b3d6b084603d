/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SPI allocation: random SPIs, unused in the namespace, held as
 * reservations until an SA takes them over, they are released, or they
 * time out. IKE responders need the SPI before they have the keys.
 */
#ifndef _KIPSEC_SPI_H
#define _KIPSEC_SPI_H

#include <linux/types.h>

struct kipsec_net;
struct kipsec_sa_key;
struct netlink_ext_ack;

/* Bounds the memory a namespace's unfinished negotiations can pin. */
#define KIPSEC_SPI_RESV_MAX 65536

struct kipsec_spi_req {
	const void *daddr;
	u8 family;
	u8 proto;
	u32 min;
	u32 max;
	unsigned int timeout;	/* seconds */
};

int kipsec_spi_alloc(struct kipsec_net *kn, const struct kipsec_spi_req *req,
		     u32 *spi, struct netlink_ext_ack *extack);
bool kipsec_spi_release(struct kipsec_net *kn,
			const struct kipsec_sa_key *key);
bool kipsec_spi_reserved(struct kipsec_net *kn,
			 const struct kipsec_sa_key *key);
void kipsec_spi_release_all(struct kipsec_net *kn, u8 proto);

/* Where a linear scan of [min, max] goes after @spi; pure, self-tested. */
static inline u32 kipsec_spi_scan_next(u32 spi, u32 min, u32 max)
{
	return (spi >= max || spi < min) ? min : spi + 1;
}

/* Number of SPIs in [min, max]; needs 33 bits for the full range. */
static inline u64 kipsec_spi_range_size(u32 min, u32 max)
{
	return (u64)max - min + 1;
}

int kipsec_spi_net_init(struct kipsec_net *kn);
void kipsec_spi_net_exit(struct kipsec_net *kn);

#endif /* _KIPSEC_SPI_H */
