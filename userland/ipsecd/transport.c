// SPDX-License-Identifier: GPL-2.0
/*
 * UDP port 500, IPv4 and IPv6. One wildcard socket per family with
 * IP_PKTINFO/IPV6_RECVPKTINFO: the local address a request arrived on
 * picks the connection, and replies leave from that same address.
 *
 * And UDP 4500 for NAT traversal (RFC 3948): there IKE follows a 4-byte
 * zero non-ESP marker, a single 0xFF byte is a keepalive, and anything
 * else is ESP in UDP that kipsec.ko did not claim (no SA for it yet). kipsec
 * takes ESP-in-UDP on a port as soon as one of its SAs uses that port, in
 * its netfilter hook, before this socket sees it: no UDP_ENCAP socket option
 * is needed.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ipsecd/ipsecd.h"
#include "ipsecd/log.h"

#define MAX_DATAGRAM 65536

static int open_one(int family, uint16_t port)
{
	int fd, one = 1;

	fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, IPPROTO_UDP);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (family == AF_INET) {
		struct sockaddr_in sin = { .sin_family = AF_INET,
					   .sin_port = htons(port) };

		if (setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one)) ||
		    bind(fd, (struct sockaddr *)&sin, sizeof(sin)))
			goto fail;
	} else {
		struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6,
					     .sin6_port = htons(port) };

		if (setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) ||
		    setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one,
			       sizeof(one)) ||
		    bind(fd, (struct sockaddr *)&sin6, sizeof(sin6)))
			goto fail;
	}
	return fd;
fail:
	one = -errno;
	close(fd);
	return one;
}

int transport_open(struct daemon *d)
{
	d->udp4 = open_one(AF_INET, IKE_PORT);
	if (d->udp4 < 0) {
		log_error("cannot listen on UDP port %d (IPv4): %s", IKE_PORT,
			  strerror(-d->udp4));
		return -1;
	}
	/* IPv6 may be disabled on the host; IPv4 alone is still useful. */
	d->udp6 = open_one(AF_INET6, IKE_PORT);
	if (d->udp6 < 0)
		log_warn("no IPv6 IKE socket: %s", strerror(-d->udp6));
	d->natt4 = open_one(AF_INET, IKE_NATT_PORT);
	if (d->natt4 < 0) {
		log_error("cannot listen on UDP port %d (IPv4, NAT-T): %s",
			  IKE_NATT_PORT, strerror(-d->natt4));
		return -1;
	}
	if (d->udp6 >= 0) {
		d->natt6 = open_one(AF_INET6, IKE_NATT_PORT);
		if (d->natt6 < 0)
			log_warn("no IPv6 NAT-T socket: %s", strerror(-d->natt6));
	}
	return 0;
}

static int send_from(bool natt, const struct ip_addr *local,
		     const struct ip_addr *peer, uint16_t port,
		     const uint8_t *data, size_t len, bool marker)
{
	static const uint8_t zero_marker[IKE_NATT_MARKER_LEN];
	union {
		char buf[CMSG_SPACE(sizeof(struct in6_pktinfo))];
		struct cmsghdr align;
	} ctl;
	struct sockaddr_storage ss = { 0 };
	struct iovec iov[2] = {
		{ .iov_base = (void *)zero_marker, .iov_len = sizeof(zero_marker) },
		{ .iov_base = (void *)data, .iov_len = len },
	};
	struct msghdr mh = { .msg_name = &ss, .msg_iov = marker ? iov : iov + 1,
			     .msg_iovlen = marker ? 2 : 1 };
	struct cmsghdr *cm;
	int fd;

	memset(&ctl, 0, sizeof(ctl));
	mh.msg_control = ctl.buf;
	if (peer->family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
		struct in_pktinfo pi = { 0 };

		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		memcpy(&sin->sin_addr, peer->bytes, 4);
		mh.msg_namelen = sizeof(*sin);
		mh.msg_controllen = CMSG_SPACE(sizeof(pi));
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = IPPROTO_IP;
		cm->cmsg_type = IP_PKTINFO;
		cm->cmsg_len = CMSG_LEN(sizeof(pi));
		memcpy(&pi.ipi_spec_dst, local->bytes, 4);
		memcpy(CMSG_DATA(cm), &pi, sizeof(pi));
		fd = natt ? D->natt4 : D->udp4;
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
		struct in6_pktinfo pi = { 0 };

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		memcpy(&sin6->sin6_addr, peer->bytes, 16);
		mh.msg_namelen = sizeof(*sin6);
		mh.msg_controllen = CMSG_SPACE(sizeof(pi));
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = IPPROTO_IPV6;
		cm->cmsg_type = IPV6_PKTINFO;
		cm->cmsg_len = CMSG_LEN(sizeof(pi));
		memcpy(&pi.ipi6_addr, local->bytes, 16);
		memcpy(CMSG_DATA(cm), &pi, sizeof(pi));
		fd = natt ? D->natt6 : D->udp6;
	}
	if (fd < 0)
		return -EAFNOSUPPORT;
	if (sendmsg(fd, &mh, 0) < 0) {
		log_warn("sending %zu bytes: %s", len, strerror(errno));
		return -errno;
	}
	return 0;
}

int transport_send(const struct ip_addr *local, const struct ip_addr *peer,
		   uint16_t port, const uint8_t *data, size_t len)
{
	return send_from(false, local, peer, port, data, len, false);
}

int transport_send_natt(const struct ip_addr *local, const struct ip_addr *peer,
			uint16_t port, const uint8_t *data, size_t len,
			bool marker)
{
	return send_from(true, local, peer, port, data, len, marker);
}

void transport_receive(int fd)
{
	static uint8_t buf[MAX_DATAGRAM];
	union {
		char buf[CMSG_SPACE(sizeof(struct in6_pktinfo)) +
			 CMSG_SPACE(sizeof(struct in_pktinfo))];
		struct cmsghdr align;
	} ctl;
	struct sockaddr_storage ss;
	struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
	struct msghdr mh;
	struct ip_addr local = { 0 }, peer = { 0 };
	struct cmsghdr *cm;
	bool natt = fd == D->natt4 || fd == D->natt6;
	static const uint8_t zero_marker[IKE_NATT_MARKER_LEN];
	uint16_t port;
	ssize_t n;

	for (;;) {
		memset(&mh, 0, sizeof(mh));
		mh.msg_name = &ss;
		mh.msg_namelen = sizeof(ss);
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		mh.msg_control = ctl.buf;
		mh.msg_controllen = sizeof(ctl.buf);
		n = recvmsg(fd, &mh, 0);
		if (n < 0)
			return;
		for (cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
			if (cm->cmsg_level == IPPROTO_IP &&
			    cm->cmsg_type == IP_PKTINFO) {
				struct in_pktinfo pi;

				memcpy(&pi, CMSG_DATA(cm), sizeof(pi));
				ip_addr_from_bytes(&pi.ipi_addr, 4, &local);
			} else if (cm->cmsg_level == IPPROTO_IPV6 &&
				   cm->cmsg_type == IPV6_PKTINFO) {
				struct in6_pktinfo pi;

				memcpy(&pi, CMSG_DATA(cm), sizeof(pi));
				ip_addr_from_bytes(&pi.ipi6_addr, 16, &local);
			}
		}
		if (ss.ss_family == AF_INET) {
			struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

			ip_addr_from_bytes(&sin->sin_addr, 4, &peer);
			port = ntohs(sin->sin_port);
		} else {
			struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

			ip_addr_from_bytes(&sin6->sin6_addr, 16, &peer);
			port = ntohs(sin6->sin6_port);
		}
		if (!local.family)
			continue;
		if (!natt) {
			message_dispatch(&local, IKE_PORT, &peer, port, buf,
					 (size_t)n);
			continue;
		}
		/* Keepalives and ESP kipsec had no SA for are not ours. */
		if ((size_t)n <= IKE_NATT_MARKER_LEN ||
		    memcmp(buf, zero_marker, IKE_NATT_MARKER_LEN))
			continue;
		message_dispatch(&local, IKE_NATT_PORT, &peer, port,
				 buf + IKE_NATT_MARKER_LEN,
				 (size_t)n - IKE_NATT_MARKER_LEN);
	}
}
