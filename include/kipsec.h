/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * kipsec: user-kernel API of the kipsec IPsec module.
 *
 * This header is shared by kmod/ (kipsec.ko) and userland/ (ipsecd,
 * ipsecctl). Everything here is ABI: enums only ever grow at the end.
 *
 * Generic netlink family KIPSEC_GENL_NAME ("kipsec"), version
 * KIPSEC_GENL_VERSION, with one multicast group KIPSEC_MCGRP_EVENTS
 * ("kipsec") for events. The family is per network namespace: every command
 * acts on the namespace of the sending socket. Every command requires
 * CAP_NET_ADMIN in the user namespace owning that network namespace.
 * Unknown attributes, bad lengths, out-of-range values and unknown flag bits
 * are refused with an errno and an extended-ack message naming the attribute.
 * No command ever returns key material.
 *
 * Addresses are raw network-order bytes: 4 bytes for IPv4, 16 for IPv6. The
 * family of an SA is given by the length of KIPSEC_A_SA_DST; every other
 * address of the same SA must have the same length.
 *
 * An SA is identified by (KIPSEC_A_SA_SPI, KIPSEC_A_SA_DST, KIPSEC_A_SA_PROTO).
 *
 * Commands and their attribute trees
 * ----------------------------------
 *
 * KIPSEC_CMD_SA_NEW: add an SA. Request:
 *
 *    KIPSEC_A_SA_SPI: NLA_U32, host order, >= 256 (1..255 are reserved by
 *                     IANA, 0 means "no SA")
 *    KIPSEC_A_SA_DST: 4 or 16 bytes, outer destination
 *    KIPSEC_A_SA_SRC: same length, outer source
 *    KIPSEC_A_SA_PROTO: NLA_U8, IPPROTO_ESP (50) or IPPROTO_AH (51)
 *    KIPSEC_A_SA_MODE: NLA_U8, enum kipsec_mode
 *    KIPSEC_A_SA_REQID: NLA_U32, optional, links the SA to policies
 *    KIPSEC_A_SA_ENC_ALG: NLA_U16, enum kipsec_enc_alg, ESP only
 *    KIPSEC_A_SA_ENC_KEY: binary, ESP only; length fixed by the algorithm
 *                         (AEADs: the cipher key followed by the 4-byte salt)
 *    KIPSEC_A_SA_AUTH_ALG: NLA_U16, enum kipsec_auth_alg; required for AH and
 *                          for ESP with a non-AEAD cipher, forbidden with an
 *                          AEAD
 *    KIPSEC_A_SA_AUTH_KEY: binary; length fixed by the algorithm
 *    KIPSEC_A_SA_REPLAY_WINDOW: NLA_U32, packets, 0..KIPSEC_REPLAY_WINDOW_MAX,
 *                               optional (default 64; 0 disables the check)
 *    KIPSEC_A_SA_FLAGS: NLA_U32, mask of enum kipsec_sa_flag, optional.
 *                       KIPSEC_SA_F_PARALLEL spreads the SA's crypto over
 *                       all CPUs (sequence numbers still assigned serially,
 *                       packets released in order; a packet of up to 256
 *                       bytes is done inline when it can overtake none of
 *                       the SA's); ESP only, refused for AH
 *    KIPSEC_A_SA_ENCAP_SPORT: NLA_U16, optional, UDP encapsulation source
 *    KIPSEC_A_SA_ENCAP_DPORT: NLA_U16, optional, UDP encapsulation
 *                             destination; both ports or neither; ESP only
 *    KIPSEC_A_SA_LIFETIME_SOFT: NLA_NESTED, optional
 *        KIPSEC_A_LIFETIME_BYTES: NLA_U64
 *        KIPSEC_A_LIFETIME_PACKETS: NLA_U64
 *        KIPSEC_A_LIFETIME_SECONDS: NLA_U64
 *    KIPSEC_A_SA_LIFETIME_HARD: NLA_NESTED, optional, same attributes
 *    KIPSEC_A_SA_SEQ_OUT: NLA_U64, optional (default 0), the outbound
 *                         sequence number taken as already sent: the
 *                         SA's first packet carries the next one (XFRM's
 *                         replay-oseq). At most 0xffffffff without
 *                         KIPSEC_SA_F_ESN. Meant for tests and for moving
 *                         an SA between hosts; a receiver's replay window
 *                         must accept what follows.
 *
 *    A limit of 0 or absent means "no limit". Each soft limit must be below
 *    its hard limit when both are set. An SA whose (SPI, DST, PROTO) was
 *    reserved by KIPSEC_CMD_SPI_ALLOC takes that reservation over; any other
 *    duplicate is refused with EEXIST.
 *
 * KIPSEC_CMD_SA_DEL: delete an SA and wipe its keys. Request:
 *    KIPSEC_A_SA_SPI, KIPSEC_A_SA_DST, KIPSEC_A_SA_PROTO
 *    Also releases an unused SPI reservation with that identity.
 *
 * KIPSEC_CMD_SA_GET: without NLM_F_DUMP, request KIPSEC_A_SA_SPI,
 *    KIPSEC_A_SA_DST, KIPSEC_A_SA_PROTO and get one SA back; with NLM_F_DUMP,
 *    no attributes, and get every SA of the namespace, one per message.
 *    A dump that races with a change to the SA database has NLM_F_DUMP_INTR
 *    set on the message after the change: the caller must restart it.
 *    Reply, per SA: every attribute of KIPSEC_CMD_SA_NEW except the two keys
 *    (KIPSEC_A_SA_SEQ_OUT: the last sequence number sent), plus
 *
 *    KIPSEC_A_SA_ENC_KEY_BITS: NLA_U16, cipher key length in bits (no salt)
 *    KIPSEC_A_SA_AGE: NLA_U64, seconds since the SA was added (boot clock)
 *    KIPSEC_A_SA_LIFETIME_CUR: NLA_NESTED, what the SA has used of its
 *                              byte and packet limits:
 *        KIPSEC_A_LIFETIME_BYTES: NLA_U64, payload bytes
 *        KIPSEC_A_LIFETIME_PACKETS: NLA_U64
 *    KIPSEC_A_SA_STATS: NLA_NESTED, the SA's counters:
 *        KIPSEC_A_STATS_PACKETS: NLA_U64
 *        KIPSEC_A_STATS_BYTES: NLA_U64, payload bytes (before encryption
 *                              outbound, after decryption inbound)
 *        KIPSEC_A_STATS_DROP_*: NLA_U64 each, drops by reason
 *
 * KIPSEC_CMD_SA_SET: move an ESP-in-UDP SA to other UDP ports or another
 *    address pair (NAT traversal: the peer's NAT gave it a new mapping, on
 *    a new port or a new public address). Request:
 *    KIPSEC_A_SA_SPI, KIPSEC_A_SA_DST, KIPSEC_A_SA_PROTO: the SA, which must
 *                     have been added with both encapsulation ports
 *    KIPSEC_A_SA_ENCAP_SPORT, KIPSEC_A_SA_ENCAP_DPORT: NLA_U16 each, >= 1,
 *                     both or neither: the new ports
 *    KIPSEC_A_SA_NEW_SRC: 4 or 16 bytes, optional, the SA's family: the new
 *                     outer source (KIPSEC_A_SA_SRC)
 *    KIPSEC_A_SA_NEW_DST: 4 or 16 bytes, optional, the SA's family: the new
 *                     outer destination; the SA's identity becomes
 *                     (SPI, NEW_DST, PROTO), refused with EEXIST when an SA
 *                     or an SPI reservation has it already
 *    At least one of the ports, NEW_SRC and NEW_DST. Nothing else of the
 *    SA changes: keys, sequence numbers, replay window, counters and
 *    lifetimes go on. When the addresses change, the packets that meet
 *    the SA during the move (a grace period) are dropped as if it did not
 *    exist, and tunnel-mode protect policies whose template is the SA's
 *    old pair (same family and protocol, template reqid 0 or the SA's)
 *    move with it to the new pair, at once with the SA; their indices stay
 *    and no event announces them. Announced as KIPSEC_CMD_SA_SET with the
 *    attributes of a KIPSEC_CMD_SA_GET reply.
 *
 * KIPSEC_CMD_SA_FLUSH: delete every SA (and reservation) of the namespace.
 *    Optional KIPSEC_A_SA_PROTO restricts the flush to ESP or AH SAs.
 *
 * KIPSEC_CMD_SPI_ALLOC: reserve a random unused SPI. Request:
 *    KIPSEC_A_SA_DST, KIPSEC_A_SA_PROTO
 *    KIPSEC_A_SPI_MIN: NLA_U32, optional, default 256
 *    KIPSEC_A_SPI_MAX: NLA_U32, optional, default 0xffffffff
 *    KIPSEC_A_SPI_TIMEOUT: NLA_U32, seconds, optional, default 60,
 *                          1..KIPSEC_SPI_TIMEOUT_MAX
 *    Reply: KIPSEC_A_SA_SPI, KIPSEC_A_SA_DST, KIPSEC_A_SA_PROTO.
 *    The SPI stays reserved until an SA with that identity is added, it is
 *    deleted, or the timeout passes.
 *
 * KIPSEC_CMD_POLICY_NEW: add a security policy. Request:
 *
 *    KIPSEC_A_POL_DIR: NLA_U8, enum kipsec_pol_dir
 *    KIPSEC_A_POL_ACTION: NLA_U8, enum kipsec_pol_action
 *    KIPSEC_A_POL_PRIORITY: NLA_U32, optional, default
 *                           KIPSEC_POL_PRIORITY_DEFAULT; lower is looked
 *                           at first, equal priorities in insertion order
 *    Selector (a packet matches when every part matches):
 *    KIPSEC_A_POL_SRC: 4 or 16 bytes, source prefix; its length gives the
 *                      policy's family
 *    KIPSEC_A_POL_SRC_PLEN: NLA_U8, optional, 0..32 or 0..128, default the
 *                           full length; address bits beyond it are cleared
 *    KIPSEC_A_POL_DST: same length as KIPSEC_A_POL_SRC, destination prefix
 *    KIPSEC_A_POL_DST_PLEN: NLA_U8, optional, as KIPSEC_A_POL_SRC_PLEN
 *    KIPSEC_A_POL_PROTO: NLA_U8, optional, IP protocol (absent or 0: any)
 *    KIPSEC_A_POL_SPORT_MIN: NLA_U16, optional, source port range start;
 *                            only with TCP, UDP, SCTP or UDP-Lite
 *    KIPSEC_A_POL_SPORT_MAX: NLA_U16, optional, range end (default: the
 *                            start, one port); needs KIPSEC_A_POL_SPORT_MIN
 *                            and must not be below it
 *    KIPSEC_A_POL_DPORT_MIN, KIPSEC_A_POL_DPORT_MAX: the same for the
 *                            destination port
 *    SA template, required with KIPSEC_ACTION_PROTECT and forbidden with
 *    the other actions:
 *    KIPSEC_A_POL_TMPL_PROTO: NLA_U8, IPPROTO_ESP (50) or IPPROTO_AH (51)
 *    KIPSEC_A_POL_TMPL_MODE: NLA_U8, enum kipsec_mode
 *    KIPSEC_A_POL_TMPL_REQID: NLA_U32, optional, the KIPSEC_A_SA_REQID of
 *                             the SAs to use (0 or absent: any)
 *    KIPSEC_A_POL_TMPL_SRC, KIPSEC_A_POL_TMPL_DST: 4 or 16 bytes each, the
 *                             tunnel endpoints; required in tunnel mode,
 *                             forbidden in transport mode; both of one
 *                             family, which may differ from the selector's
 *    KIPSEC_A_POL_TMPL_LEVEL: NLA_U8, enum kipsec_pol_level, optional,
 *                             default KIPSEC_LEVEL_REQUIRE
 *    KIPSEC_A_POL_LIFETIME: NLA_U32, seconds, optional, >= 1: kipsec deletes
 *                           the policy itself that long after it was added
 *                           (boot clock, time suspended counts) and
 *                           announces it as KIPSEC_CMD_POLICY_DEL. Any
 *                           action may have one; absent: the policy stays
 *                           until deleted.
 *
 *    A policy with the same direction, selector and priority as an
 *    existing one is refused with EEXIST. Reply: KIPSEC_A_POL_INDEX, NLA_U32,
 *    the policy's index in its namespace (never 0; unique among its
 *    policies, handed out in increasing order and, past 2^32 - 1, from 1
 *    again, skipping those in use). The order of lookup among equal
 *    priorities is the order of insertion, whatever the indexes.
 *
 * KIPSEC_CMD_POLICY_DEL: delete a policy. Request: either
 *    KIPSEC_A_POL_INDEX, or KIPSEC_A_POL_DIR and the selector as in
 *    KIPSEC_CMD_POLICY_NEW (with KIPSEC_A_POL_PRIORITY optional: without it,
 *    the first policy of that selector in lookup order is deleted).
 *
 * KIPSEC_CMD_POLICY_GET: without NLM_F_DUMP, request KIPSEC_A_POL_INDEX and
 *    get one policy back; with NLM_F_DUMP, no attributes, and get every
 *    policy of the namespace, one per message, direction by direction (out,
 *    in, fwd), each in lookup order. NLM_F_DUMP_INTR as for SAs.
 *    Reply, per policy: KIPSEC_A_POL_INDEX, KIPSEC_A_POL_DIR,
 *    KIPSEC_A_POL_ACTION, KIPSEC_A_POL_PRIORITY, KIPSEC_A_POL_SRC,
 *    KIPSEC_A_POL_SRC_PLEN, KIPSEC_A_POL_DST, KIPSEC_A_POL_DST_PLEN, and
 *    when set KIPSEC_A_POL_PROTO, the port ranges (both ends) and, for
 *    protect, the template (KIPSEC_A_POL_TMPL_SRC/DST in tunnel mode).
 *    A policy with a lifetime also has KIPSEC_A_POL_LIFETIME, as given, and
 *    KIPSEC_A_POL_EXPIRES_IN: NLA_U32, the seconds left, rounded up (0 only
 *    once the lifetime has run out).
 *
 * KIPSEC_CMD_POLICY_FLUSH: delete every policy of the namespace; optional
 *    KIPSEC_A_POL_DIR restricts the flush to one direction.
 *
 * KIPSEC_CMD_STATS_GET: the namespace's counters. Request: no attributes.
 *    Reply:
 *    KIPSEC_A_STATS_SA_COUNT: NLA_U32, SAs installed
 *    KIPSEC_A_STATS_SPI_RESERVED: NLA_U32, SPI reservations pending
 *    KIPSEC_A_STATS_POLICY_COUNT: NLA_U32, policies installed
 *    KIPSEC_A_STATS: NLA_NESTED, same layout as in KIPSEC_A_SA_STATS, plus
 *        KIPSEC_A_STATS_DROP_NO_SA: NLA_U64, ESP/AH for no known SA
 *        KIPSEC_A_STATS_DROP_OUT_NO_SA: NLA_U64, outbound packets that a
 *                                      "require" policy holds back for
 *                                      want of an SA
 *        KIPSEC_A_STATS_DROP_NO_ROUTE: NLA_U64, no route to an SA's peer
 *    KIPSEC_A_STATS_DROP_EXPIRED (in both places): packets that met an SA
 *    whose hard limit had already been reached
 *
 * Events on the multicast group KIPSEC_MCGRP_EVENTS (listening needs
 * CAP_NET_ADMIN, like the commands). The events announcing changes to the
 * SAs and policies (every one below but KIPSEC_CMD_ACQUIRE and
 * KIPSEC_CMD_SA_MAPPING) reach a listener in the order the changes were
 * made, even when requests race, so the databases can be mirrored from
 * them. A listener whose socket overflows (ENOBUFS) has lost some and
 * should dump again.
 *
 * KIPSEC_CMD_SA_NEW, KIPSEC_CMD_SA_DEL: an SA was added or deleted; the same
 *    attributes as a KIPSEC_CMD_SA_GET reply (never keys).
 * KIPSEC_CMD_SA_FLUSH: the namespace's SAs were flushed; KIPSEC_A_SA_PROTO
 *    when the flush was restricted to one protocol.
 * KIPSEC_CMD_POLICY_NEW, KIPSEC_CMD_POLICY_DEL: a policy was added or
 *    deleted; the same attributes as a KIPSEC_CMD_POLICY_GET reply. A
 *    policy whose lifetime ran out is announced as KIPSEC_CMD_POLICY_DEL
 *    with KIPSEC_A_POL_EXPIRES_IN 0 (and nlmsg_pid 0: no request did it).
 * KIPSEC_CMD_POLICY_FLUSH: the namespace's policies were flushed;
 *    KIPSEC_A_POL_DIR when the flush was restricted to one direction.
 * KIPSEC_CMD_SA_SOFT_EXPIRE: an SA reached one of its soft limits; sent
 *    once per SA, whichever limit comes first. The SA stays usable. The
 *    same attributes as a KIPSEC_CMD_SA_GET reply, plus
 *    KIPSEC_A_SA_EXPIRE_REASON: NLA_U8, enum kipsec_expire_reason, the
 *                               limit reached
 * KIPSEC_CMD_SA_HARD_EXPIRE: an SA reached one of its hard limits. It
 *    carried no packet after that and has been deleted; this event is the
 *    only one announcing the deletion (no KIPSEC_CMD_SA_DEL follows).
 *    Attributes as for KIPSEC_CMD_SA_SOFT_EXPIRE, with the final counters.
 *    Byte and packet limits are checked as packets pass: the packet that
 *    reaches a hard limit is the SA's last. Time limits are seconds since
 *    the SA was added, on the boot clock (time suspended counts).
 *    An SA whose outbound sequence numbers are used up (0xffffffff sent,
 *    or 2^64 - 1 with ESN) is ended the same way, with reason
 *    KIPSEC_EXPIRE_SEQ_OVERFLOW: the packet that would have wrapped is
 *    dropped and counted as KIPSEC_A_STATS_DROP_SEQ_OVERFLOW, and the
 *    sequence number is never reused (RFC 4303 3.3.3, RFC 4302 2.5).
 * KIPSEC_CMD_ACQUIRE: an outbound packet matched a protect policy for
 *    which there is no SA; a key manager should negotiate one. Sent once
 *    per flow and policy, then not again for that flow until an SA
 *    matching the template is added or KIPSEC_ACQUIRE_HOLD_SECONDS pass.
 *    Attributes: the policy's KIPSEC_A_POL_INDEX, KIPSEC_A_POL_DIR,
 *    KIPSEC_A_POL_PRIORITY, KIPSEC_A_POL_ACTION and template
 *    (KIPSEC_A_POL_TMPL_*, as in a KIPSEC_CMD_POLICY_GET reply), and the
 *    packet's flow as a selector: KIPSEC_A_POL_SRC and KIPSEC_A_POL_DST
 *    with full-length KIPSEC_A_POL_SRC_PLEN and KIPSEC_A_POL_DST_PLEN,
 *    KIPSEC_A_POL_PROTO when known, and for TCP, UDP, SCTP and UDP-Lite
 *    the ports as one-port ranges (KIPSEC_A_POL_SPORT_MIN = _MAX, ...).
 * KIPSEC_CMD_SA_MAPPING: an ESP-in-UDP packet whose ICV verified arrived
 *    on an SA from another outer source address or UDP source port than
 *    the SA's KIPSEC_A_SA_SRC and KIPSEC_A_SA_ENCAP_SPORT: the peer's NAT
 *    mapping changed (XFRM's XFRM_MSG_MAPPING). The SA itself is left as
 *    it is, and the packet is taken; the key manager decides whether to
 *    follow (KIPSEC_CMD_SA_SET). Sent at most once a second per SA while
 *    the difference lasts. Attributes: KIPSEC_A_SA_SPI, KIPSEC_A_SA_DST,
 *    KIPSEC_A_SA_PROTO (the SA), KIPSEC_A_SA_SRC and
 *    KIPSEC_A_SA_ENCAP_SPORT (where the packet came from).
 *
 * Statistics of the whole module (every namespace) are in sysfs, one value
 * per file, under /sys/kernel/kipsec/: version, sa_count, policy_count and
 * one file per counter, named as the lower-case suffix of its
 * KIPSEC_A_STATS_ attribute (packets, bytes, drop_replay, ...).
 */

#ifndef _UAPI_KIPSEC_H
#define _UAPI_KIPSEC_H

#define KIPSEC_GENL_NAME "kipsec"
#define KIPSEC_GENL_VERSION 1
#define KIPSEC_MCGRP_EVENTS "kipsec"

#define KIPSEC_REPLAY_WINDOW_MAX 4096
#define KIPSEC_REPLAY_WINDOW_DEFAULT 64
#define KIPSEC_SPI_MIN_DEFAULT 256
#define KIPSEC_SPI_TIMEOUT_DEFAULT 60
#define KIPSEC_SPI_TIMEOUT_MAX 3600
#define KIPSEC_POL_PRIORITY_DEFAULT 1000
#define KIPSEC_ACQUIRE_HOLD_SECONDS 30

enum kipsec_cmd {
	KIPSEC_CMD_UNSPEC,
	KIPSEC_CMD_SA_NEW,
	KIPSEC_CMD_SA_DEL,
	KIPSEC_CMD_SA_GET,
	KIPSEC_CMD_SA_FLUSH,
	KIPSEC_CMD_SPI_ALLOC,
	KIPSEC_CMD_STATS_GET,
	KIPSEC_CMD_POLICY_NEW,
	KIPSEC_CMD_POLICY_DEL,
	KIPSEC_CMD_POLICY_GET,
	KIPSEC_CMD_POLICY_FLUSH,
	KIPSEC_CMD_SA_SOFT_EXPIRE,	/* events only, see above */
	KIPSEC_CMD_SA_HARD_EXPIRE,
	KIPSEC_CMD_ACQUIRE,
	KIPSEC_CMD_SA_SET,
	KIPSEC_CMD_SA_MAPPING,		/* event only */
	__KIPSEC_CMD_MAX
};

#define KIPSEC_CMD_MAX (__KIPSEC_CMD_MAX - 1)

enum kipsec_mode {
	KIPSEC_MODE_UNSPEC,
	KIPSEC_MODE_TRANSPORT,
	KIPSEC_MODE_TUNNEL,
	__KIPSEC_MODE_MAX
};

#define KIPSEC_MODE_MAX (__KIPSEC_MODE_MAX - 1)

/*
 * ESP ciphers. Key lengths (bytes, as given in KIPSEC_A_SA_ENC_KEY):
 *   NULL 0; AES_CBC 16 or 32; AES_GCM_16 20 or 36 (RFC 4106: key + 4-byte
 *   salt, 16-byte ICV); CHACHA20_POLY1305 36 (RFC 7634: key + 4-byte salt).
 */
enum kipsec_enc_alg {
	KIPSEC_ENC_NONE,	/* AH: no cipher */
	KIPSEC_ENC_NULL,	/* ESP without confidentiality, RFC 2410 */
	KIPSEC_ENC_AES_CBC,
	KIPSEC_ENC_AES_GCM_16,
	KIPSEC_ENC_CHACHA20_POLY1305,
	__KIPSEC_ENC_MAX
};

#define KIPSEC_ENC_MAX (__KIPSEC_ENC_MAX - 1)

/*
 * Integrity algorithms. Key lengths: HMAC_SHA256_128 32 bytes (RFC 4868),
 * HMAC_SHA1_96 20 bytes (RFC 2404).
 */
enum kipsec_auth_alg {
	KIPSEC_AUTH_NONE,
	KIPSEC_AUTH_HMAC_SHA256_128,
	KIPSEC_AUTH_HMAC_SHA1_96,
	__KIPSEC_AUTH_MAX
};

#define KIPSEC_AUTH_MAX (__KIPSEC_AUTH_MAX - 1)

enum kipsec_sa_flag {
	KIPSEC_SA_F_ESN = 1U << 0,	/* 64-bit extended sequence numbers */
	KIPSEC_SA_F_PARALLEL = 1U << 1,	/* crypto on all CPUs, in-order release */
	__KIPSEC_SA_F_ALL = KIPSEC_SA_F_ESN | KIPSEC_SA_F_PARALLEL
};

/*
 * Security policies: where a packet is looked up, and what is done to it.
 * As with the kernel's own IPsec, "out" protects everything that leaves,
 * generated here or forwarded; "in" and "fwd" check what arrives (in clear,
 * or as decrypted by an SA), for this host or to be forwarded.
 */
enum kipsec_pol_dir {
	KIPSEC_DIR_UNSPEC,
	KIPSEC_DIR_OUT,		/* leaving: locally generated or forwarded */
	KIPSEC_DIR_IN,		/* arrived, for local delivery */
	KIPSEC_DIR_FWD,		/* arrived, to be forwarded */
	__KIPSEC_DIR_MAX
};

#define KIPSEC_DIR_MAX (__KIPSEC_DIR_MAX - 1)

enum kipsec_pol_action {
	KIPSEC_ACTION_UNSPEC,
	KIPSEC_ACTION_BYPASS,	/* in clear, no IPsec */
	KIPSEC_ACTION_DISCARD,	/* dropped */
	KIPSEC_ACTION_PROTECT,	/* through the SA the template names */
	__KIPSEC_ACTION_MAX
};

#define KIPSEC_ACTION_MAX (__KIPSEC_ACTION_MAX - 1)

enum kipsec_pol_level {
	KIPSEC_LEVEL_UNSPEC,
	KIPSEC_LEVEL_REQUIRE,	/* no SA, no traffic */
	KIPSEC_LEVEL_REQUEST,	/* no SA: clear traffic and an ACQUIRE */
	__KIPSEC_LEVEL_MAX
};

#define KIPSEC_LEVEL_MAX (__KIPSEC_LEVEL_MAX - 1)

/* Which limit an expire event is about (KIPSEC_A_SA_EXPIRE_REASON). */
enum kipsec_expire_reason {
	KIPSEC_EXPIRE_UNSPEC,
	KIPSEC_EXPIRE_BYTES,
	KIPSEC_EXPIRE_PACKETS,
	KIPSEC_EXPIRE_SECONDS,
	KIPSEC_EXPIRE_SEQ_OVERFLOW,	/* hard only: sequence numbers used up */
	__KIPSEC_EXPIRE_MAX
};

#define KIPSEC_EXPIRE_MAX (__KIPSEC_EXPIRE_MAX - 1)

enum kipsec_attr {
	KIPSEC_A_UNSPEC,
	KIPSEC_A_SA_SPI,
	KIPSEC_A_SA_DST,
	KIPSEC_A_SA_SRC,
	KIPSEC_A_SA_PROTO,
	KIPSEC_A_SA_MODE,
	KIPSEC_A_SA_REQID,
	KIPSEC_A_SA_ENC_ALG,
	KIPSEC_A_SA_ENC_KEY,
	KIPSEC_A_SA_AUTH_ALG,
	KIPSEC_A_SA_AUTH_KEY,
	KIPSEC_A_SA_REPLAY_WINDOW,
	KIPSEC_A_SA_FLAGS,
	KIPSEC_A_SA_ENCAP_SPORT,
	KIPSEC_A_SA_ENCAP_DPORT,
	KIPSEC_A_SA_LIFETIME_SOFT,
	KIPSEC_A_SA_LIFETIME_HARD,
	KIPSEC_A_SA_ENC_KEY_BITS,
	KIPSEC_A_SA_AGE,
	KIPSEC_A_SA_STATS,
	KIPSEC_A_SPI_MIN,
	KIPSEC_A_SPI_MAX,
	KIPSEC_A_SPI_TIMEOUT,
	KIPSEC_A_STATS_SA_COUNT,
	KIPSEC_A_STATS_SPI_RESERVED,
	KIPSEC_A_STATS,
	KIPSEC_A_PAD,
	KIPSEC_A_POL_INDEX,
	KIPSEC_A_POL_DIR,
	KIPSEC_A_POL_PRIORITY,
	KIPSEC_A_POL_ACTION,
	KIPSEC_A_POL_SRC,
	KIPSEC_A_POL_SRC_PLEN,
	KIPSEC_A_POL_DST,
	KIPSEC_A_POL_DST_PLEN,
	KIPSEC_A_POL_PROTO,
	KIPSEC_A_POL_SPORT_MIN,
	KIPSEC_A_POL_SPORT_MAX,
	KIPSEC_A_POL_DPORT_MIN,
	KIPSEC_A_POL_DPORT_MAX,
	KIPSEC_A_POL_TMPL_PROTO,
	KIPSEC_A_POL_TMPL_MODE,
	KIPSEC_A_POL_TMPL_REQID,
	KIPSEC_A_POL_TMPL_SRC,
	KIPSEC_A_POL_TMPL_DST,
	KIPSEC_A_POL_TMPL_LEVEL,
	KIPSEC_A_STATS_POLICY_COUNT,
	KIPSEC_A_SA_EXPIRE_REASON,
	KIPSEC_A_SA_LIFETIME_CUR,
	KIPSEC_A_SA_SEQ_OUT,
	KIPSEC_A_SA_NEW_SRC,
	KIPSEC_A_SA_NEW_DST,
	KIPSEC_A_POL_LIFETIME,
	KIPSEC_A_POL_EXPIRES_IN,
	__KIPSEC_A_MAX
};

#define KIPSEC_A_MAX (__KIPSEC_A_MAX - 1)

enum kipsec_lifetime_attr {
	KIPSEC_A_LIFETIME_UNSPEC,
	KIPSEC_A_LIFETIME_BYTES,
	KIPSEC_A_LIFETIME_PACKETS,
	KIPSEC_A_LIFETIME_SECONDS,
	KIPSEC_A_LIFETIME_PAD,
	__KIPSEC_A_LIFETIME_MAX
};

#define KIPSEC_A_LIFETIME_MAX (__KIPSEC_A_LIFETIME_MAX - 1)

/*
 * Counters. Order matters: kipsec_stat_names (below) and the kernel's
 * per-CPU counter array are indexed by (attribute - KIPSEC_A_STATS_PACKETS).
 */
enum kipsec_stats_attr {
	KIPSEC_A_STATS_UNSPEC,
	KIPSEC_A_STATS_PAD,
	KIPSEC_A_STATS_PACKETS,
	KIPSEC_A_STATS_BYTES,
	KIPSEC_A_STATS_DROP_REPLAY,
	KIPSEC_A_STATS_DROP_INTEGRITY,
	KIPSEC_A_STATS_DROP_POLICY,
	KIPSEC_A_STATS_DROP_MALFORMED,
	KIPSEC_A_STATS_DROP_SEQ_OVERFLOW,
	KIPSEC_A_STATS_DROP_NO_SA,
	KIPSEC_A_STATS_DROP_NOMEM,
	KIPSEC_A_STATS_DROP_OUT_NO_SA,
	KIPSEC_A_STATS_DROP_NO_ROUTE,
	KIPSEC_A_STATS_DROP_EXPIRED,
	__KIPSEC_A_STATS_MAX
};

#define KIPSEC_A_STATS_MAX (__KIPSEC_A_STATS_MAX - 1)
#define KIPSEC_STAT_FIRST KIPSEC_A_STATS_PACKETS
#define KIPSEC_STAT_COUNT (__KIPSEC_A_STATS_MAX - KIPSEC_STAT_FIRST)

/* Names of the counters in sysfs, ipsecctl and JSON, by the same index. */
#define KIPSEC_STAT_NAMES {		\
	"packets",			\
	"bytes",			\
	"drop_replay",			\
	"drop_integrity",		\
	"drop_policy",			\
	"drop_malformed",		\
	"drop_seq_overflow",		\
	"drop_no_sa",			\
	"drop_nomem",			\
	"drop_out_no_sa",		\
	"drop_no_route",		\
	"drop_expired",			\
}

#endif /* _UAPI_KIPSEC_H */
