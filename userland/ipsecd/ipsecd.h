/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ipsecd's objects, isakmpd-style: one file per object.
 *
 *   conn      a configured connection at run time: its ISAKMP SA and the
 *             IPsec SAs negotiated under it (conn.c)
 *   isakmp_sa phase-1 state: cookies, suite, keys, the Main Mode exchange
 *             (sa_ike.c)
 *   exchange  one Main Mode or Quick Mode run, driven message by message
 *             (exchange.c) by a table of steps (main_mode.c,
 *             quick_mode.c); informational exchanges are one-shot and
 *             have no state (info.c)
 *   child_sa  an installed pair of IPsec SAs (conn.c, kernel.c)
 *
 * Everything runs in one thread around poll() (main.c) with the timers of
 * timer.c, so no object needs a lock.
 */
#ifndef IPSECD_H
#define IPSECD_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "common/parse.h"
#include "ike/crypto.h"
#include "ike/ike.h"
#include "ike/keys.h"
#include "ike/proposal.h"
#include "ipsecd/config.h"
#include "ipsecd/msgid.h"
#include "ipsecd/nat_t.h"
#include "ipsecd/dpd.h"
#include "ipsecd/fallback.h"
#include "ipsecd/timer.h"

#define IKE_PORT 500
/* How much of the initiator's Quick Mode nonce a child keeps. */
#define IKE_MAX_NONCE_KEEP 32

struct conn;
struct isakmp_sa;
struct bypass;

/* One protocol (ESP or AH) of an installed IPsec SA pair. */
struct child_proto {
	struct ike_p2_suite suite;
	uint32_t spi_in;	/* ours, allocated by kipsec */
	uint32_t spi_out;	/* the peer's */
};

/*
 * Rekeying (conn.c): a child whose soft limit kipsec announces is
 * "rekeying" until a new child of the same conn is installed, which
 * supersedes (retires) every older one: its outbound SAs go at once
 * (kipsec sends on the newest SA anyway), its inbound SAs a grace period
 * later, when the peer is told with a Delete.
 */
struct child_sa {
	struct child_sa *next;
	size_t n;
	struct child_proto p[IKE_MAX_BUNDLE];
	struct ike_lifetime life;
	struct subnet local_ts, remote_ts;
	bool pfs;
	time_t created;		/* CLOCK_MONOTONIC seconds */

	/* Soft limits, drawn once per child (both of its SAs share them). */
	bool soft_set;
	uint64_t soft_seconds, soft_bytes;
	/* SAs kipsec already deleted (hard limit), not to be deleted again. */
	bool gone_in[IKE_MAX_BUNDLE], gone_out[IKE_MAX_BUNDLE];
	bool rekeying;		/* soft limit reached, a new child is coming */
	bool superseded;	/* a newer child replaced it: being retired */
	bool redundant;		/* the twin dropped after a rekey collision */
	struct conn *conn;
	struct timer retire;	/* deletes what is left of a superseded one */
	bool initiator;		/* we sent QM1 */
	/* For rekey collisions: when its Quick Mode started and ended. */
	uint64_t started_ms, installed_ms;
	uint8_t ni[IKE_MAX_NONCE_KEEP];
	size_t ni_len;
};

enum exchange_kind {
	EXCH_MAIN,
	EXCH_QUICK,
};

struct exchange {
	struct exchange *next;		/* in the ISAKMP SA's list (Quick) */
	struct isakmp_sa *sa;
	enum exchange_kind kind;
	bool initiator;
	unsigned int step;		/* index of the next message */
	bool done;
	bool failed;
	uint32_t msgid;
	uint8_t iv[IKE_MAX_BLOCK_LEN];	/* this exchange's CBC chain */

	/* Reliability: the bytes we sent last and what we received last. */
	struct ike_buf last_sent;
	uint8_t last_rcvd[32];
	bool has_last_rcvd;
	bool answered;			/* last_sent answers last_rcvd */
	struct timer retransmit;
	unsigned int tries;
	uint32_t timeout_ms;
	struct timer linger;		/* a finished exchange answers dups */

	/* Quick Mode */
	struct conn *conn;
	struct ike_buf ni_b, nr_b;
	struct ike_dh *dh;
	struct ike_secret *gqm;		/* PFS g^xy, NULL without PFS */
	struct subnet local_ts, remote_ts;
	bool send_ids;
	size_t n;			/* protocols in the bundle */
	uint32_t spi_in[IKE_MAX_BUNDLE];
	uint8_t spi_in_wire[IKE_MAX_BUNDLE][4];
	struct child_sa *child;		/* filled when keys are known */
	uint64_t started_ms;		/* QM1 sent or received */
	bool in_installed;		/* responder: inbound SAs in at QM2 */
	struct ike_p2_choice p2_choice;	/* responder: QM1's bundle, for QM2 */
};

enum isakmp_state {
	ISAKMP_NEGOTIATING,
	ISAKMP_ESTABLISHED,
	ISAKMP_DEAD,
};

struct isakmp_sa {
	struct isakmp_sa *next;
	struct conn *conn;
	bool initiator;
	enum isakmp_state state;
	uint8_t cky_i[IKE_COOKIE_LEN], cky_r[IKE_COOKIE_LEN];
	struct ip_addr local, peer;
	uint16_t peer_port;

	struct ike_p1_suite suite;
	struct ike_buf sai_b;
	struct ike_dh *dh;
	struct ike_buf gxi, gxr, ni_b, nr_b;
	struct ike_secret *skeyid, *skeyid_d, *skeyid_a, *skeyid_e, *enc_key;
	size_t block_len;
	size_t hash_len;
	uint8_t p1_last_block[IKE_MAX_BLOCK_LEN];

	struct exchange main;
	struct exchange *exchanges;	/* Quick Modes by message ID */
	struct msgid_log msgids;	/* every one used, both ways */
	time_t created, established;
	struct timer expire;
	struct nat_state nat;		/* nat_t.c */
	struct dpd_state dpd;		/* dpd.c */

	/* Renewal before expiry (ike_renew.c). */
	struct timer renew;		/* soft limit: start a replacement */
	struct timer retire;		/* replaced: deleted once idle */
	bool renewal;			/* started to replace the SA below */
	uint8_t replaces[2 * IKE_COOKIE_LEN];
	bool retiring;
	uint64_t retire_deadline_ms;
};

struct conn {
	struct conn *next;
	const struct conn_config *cfg;
	/*
	 * The peer as it is now: cfg->right until a NAT-T peer is followed to
	 * another address (nat_move.c), and the port IKE last reached it on
	 * (500 until then). Everything that talks to the peer or installs
	 * something for it reads these; cfg stays what the file says, so a
	 * reload that keeps the conn keeps them too (reload.c).
	 */
	struct ip_addr peer;
	uint16_t peer_port;
	/* rightsubnet=, which follows the peer when it is the peer alone. */
	struct subnet remote_ts;
	uint32_t reqid;
	struct isakmp_sa *ike;		/* the current ISAKMP SA, or NULL */
	struct child_sa *children;
	bool wanted;			/* up: initiate and keep initiating */
	bool rekey_wanted;		/* a child reached its soft limit */
	unsigned int tries;
	struct timer retry;
	/* kipsec policy indices (0: not installed), policy.c */
	uint32_t pol_out, pol_in, pol_fwd;
	bool bypass;			/* holds a reference on the IKE bypass */
	/* Policies kept without SAs after a dead peer (dpdaction hold, restart). */
	bool held;
	unsigned int dpd_deaths;	/* times DPD found the peer dead */
	struct fallback fallback;	/* level=request, fallback.c */
};

struct daemon {
	struct config cfg;
	struct secrets secrets;
	struct conn *conns;
	struct isakmp_sa *sas;
	int udp4, udp6;
	int natt4, natt6;		/* UDP 4500 (NAT-T), or -1 */
	int control;
	int events;			/* kipsec multicast events, or -1 */
	struct bypass *bypasses;	/* policy.c */
	bool stopping;
	/* What a reload reads again (reload.c), with the command line's say. */
	const char *config_path;
	const char *secrets_override;	/* -s, else secretsfile= */
	bool debug;			/* -d: debug level whatever loglevel= */
};

extern struct daemon *D;

/* transport.c */
int transport_open(struct daemon *d);
int transport_send(const struct ip_addr *local, const struct ip_addr *peer,
		   uint16_t port, const uint8_t *data, size_t len);
/* From UDP 4500; marker: IKE (prefixed by the non-ESP marker), not a
 * keepalive. */
int transport_send_natt(const struct ip_addr *local, const struct ip_addr *peer,
			uint16_t port, const uint8_t *data, size_t len,
			bool marker);
void transport_receive(int fd);

/* sa_ike.c */
struct isakmp_sa *isakmp_sa_new(struct conn *conn, bool initiator,
				const struct ip_addr *local,
				const struct ip_addr *peer, uint16_t peer_port);
void isakmp_sa_free(struct isakmp_sa *sa);
struct isakmp_sa *isakmp_sa_find(const uint8_t *cky_i, const uint8_t *cky_r,
				 const struct ip_addr *peer);
int isakmp_sa_derive_keys(struct isakmp_sa *sa, const struct ike_secret *gxy,
			  const struct ike_secret *psk);
const char *isakmp_sa_suite_name(const struct isakmp_sa *sa, char *buf,
				 size_t len);
/* Dies: deletes nothing on the wire; children are kept by the conn. */
void isakmp_sa_fail(struct isakmp_sa *sa, const char *why);

/*
 * Whether a new Main Mode from peer may get a responder SA: responder SAs
 * still negotiating (half-open) count against max_total in all and against
 * max_peer for their peer address. A flood of MM1s (with fresh initiator
 * cookies, from a spoofed configured address) then costs at most that many
 * SAs until they give up (retransmit_tries), instead of all our memory.
 */
enum halfopen_verdict {
	HALFOPEN_OK,
	HALFOPEN_TOTAL,		/* max_total reached */
	HALFOPEN_PEER,		/* max_peer reached for this peer */
};
enum halfopen_verdict isakmp_sa_halfopen_check(const struct isakmp_sa *sas,
					       const struct ip_addr *peer,
					       unsigned int max_total,
					       unsigned int max_peer);

/* ike_renew.c: a new ISAKMP SA before the old one expires */
void ike_renew_init(struct isakmp_sa *sa);
void ike_renew_cleanup(struct isakmp_sa *sa);
/* Arms the soft limit; a renewal retires the SA it replaces. */
void ike_renew_established(struct isakmp_sa *sa);
/*
 * Seconds after establishment at which an ISAKMP SA of life seconds is
 * renewed: the initiator's soft limit (margin, fuzz percent, rnd as for
 * rekey_soft_limit), the responder's later at life - margin / 2. A margin
 * not below life is taken as life / 10. 0: never (life below 2).
 */
uint32_t ike_renew_after(uint32_t life, uint32_t margin, uint32_t fuzz,
			 bool initiator, uint64_t rnd);

/* initial_contact.c: N(INITIAL-CONTACT) in MM5, and what it clears */
bool initial_contact_wanted(const struct isakmp_sa *sa);
int initial_contact_payload(struct ike_payload *pl, struct ike_arena *arena,
			    const struct isakmp_sa *sa);
/* After MM5/MM6 verified: deletes the peer's stale SAs if it says so. */
void initial_contact_receive(struct isakmp_sa *sa,
			     const struct ike_message *rx);

/* exchange.c */
void exchange_init(struct exchange *x, struct isakmp_sa *sa,
		   enum exchange_kind kind, bool initiator, uint32_t msgid);
void exchange_cleanup(struct exchange *x);
int exchange_start(struct exchange *x);
void exchange_receive(struct exchange *x, const uint8_t *data, size_t len,
		      const struct ike_message *hdr_msg);

/* quick_mode.c */
struct exchange *quick_find(struct isakmp_sa *sa, uint32_t msgid);
struct exchange *quick_new(struct isakmp_sa *sa, struct conn *conn,
			   bool initiator, uint32_t msgid);
void quick_free(struct exchange *x);

/* message.c */
/* True, and logged, when @sa has used @msgid already (msgid.h). */
bool message_id_reused(const struct isakmp_sa *sa, uint32_t msgid,
		       const char *what);
void message_dispatch(const struct ip_addr *local, uint16_t local_port,
		      const struct ip_addr *peer, uint16_t port,
		      const uint8_t *data, size_t len);

/* info.c */
void info_send_notify(struct isakmp_sa *sa, uint8_t protocol,
		      const uint8_t *spi, size_t spi_len, uint16_t type);
/* The same with notification data (DPD's sequence number), not logged. */
void info_send_notify_data(struct isakmp_sa *sa, uint8_t protocol,
			   const uint8_t *spi, size_t spi_len, uint16_t type,
			   const uint8_t *data, size_t data_len);
/* In the clear, where IKE is now (4500 with the marker once floated). */
void info_send_notify_plain(const struct isakmp_sa *sa, uint16_t type);
void info_send_delete(struct isakmp_sa *sa, uint8_t protocol,
		      const uint8_t *spis, size_t spi_size, size_t nspis);
void info_receive(struct isakmp_sa *sa, const struct ike_message *hdr_msg,
		  const uint8_t *data, size_t len);
/* A message ID @sa has not used yet, from now on used. */
uint32_t new_msgid(struct isakmp_sa *sa);
const char *notify_name(uint16_t type);

/* reload.c: "ipsecctl reload" and SIGHUP */
int daemon_reload(char *msg, size_t msglen);

/* conn.c */
int conns_create(struct daemon *d);
/* A conn made after start (reload.c) needs its timers like the others. */
void conn_timers_init(struct conn *c);
/* The current peer starts as the configured one (conns_create, reload). */
void conn_peer_init(struct conn *c);
/* Followed to another address than right= (nat_move.c). */
bool conn_peer_moved(const struct conn *c);
void conns_destroy(struct daemon *d);
struct conn *conn_find_name(const char *name);
struct conn *conn_find_peer(const struct ip_addr *local,
			    const struct ip_addr *peer);
struct conn *conn_find_ids(const struct ip_addr *local,
			   const struct ip_addr *peer,
			   const struct subnet *local_ts,
			   const struct subnet *remote_ts);
int conn_up(struct conn *c, char *msg, size_t msglen);
int conn_down(struct conn *c, char *msg, size_t msglen);
/* A new child now, as if the current one had reached its soft limit. */
int conn_rekey(struct conn *c, char *msg, size_t msglen);
void conn_ike_established(struct conn *c, struct isakmp_sa *sa);
void conn_ike_failed(struct conn *c, struct isakmp_sa *sa);
void conn_child_add(struct conn *c, struct child_sa *child);
void conn_child_delete(struct conn *c, struct child_sa *child, bool notify);
struct child_sa *conn_child_by_spi_out(struct conn *c, uint8_t protocol,
				       uint32_t spi);
void conn_quick_failed(struct conn *c);
/* An established ISAKMP SA with the conn's peer, its own or another's. */
struct isakmp_sa *conn_isakmp(const struct conn *c);
/* kipsec events (kernel.c decodes them). */
void conn_sa_expired(uint8_t ipproto, uint32_t spi, const struct ip_addr *dst,
		     bool hard, uint8_t reason);
void conn_acquire(uint32_t reqid, uint32_t policy_index);
/*
 * Whether the conn's policies stay without SAs (auto=route, level=request,
 * or held after a dead peer), so that traffic needs an SA or a fallback.
 */
bool conn_routed(const struct conn *c);
const char *p2_suite_name(const struct ike_p2_suite *s, char *buf,
			  size_t len);

/* kernel.c */
int kernel_open(void);
void kernel_close(void);
int kernel_spi_alloc(const struct ip_addr *dst, uint8_t ike_proto,
		     uint32_t *spi);
/*
 * A child's SAs: inbound and outbound may be installed apart (a Quick Mode
 * responder adds its inbound SAs before sending QM2, its outbound ones
 * when QM3 arrives, so that the initiator's first packets find them).
 */
int kernel_child_install(const struct conn *c, const struct isakmp_sa *sa,
			 const struct exchange *x, struct child_sa *child,
			 bool in, bool out);
/* Deletes what is left of a child's SAs (not those marked gone). */
void kernel_child_delete(const struct conn *c, const struct child_sa *child);
void kernel_child_delete_out(const struct conn *c, struct child_sa *child);
/* NAT rebinding: a child's ESP-in-UDP SAs take sa's peer port now. */
int kernel_child_set_encap(const struct conn *c, const struct isakmp_sa *sa,
			   const struct child_sa *child);
int kernel_child_move(const struct isakmp_sa *sa, const struct child_sa *child,
		      const struct ip_addr *old_peer);
/* The multicast events: a non-blocking socket, drained by ..._receive. */
int kernel_events_open(void);
void kernel_events_receive(void);
void kernel_events_close(void);

/* A policy as ipsecd installs them (policy.c builds, kernel.c sends). */
struct kernel_policy {
	uint8_t dir;			/* enum kipsec_pol_dir */
	uint8_t action;			/* enum kipsec_pol_action */
	uint32_t priority;
	struct subnet src, dst;
	uint8_t proto;			/* 0: any */
	uint16_t sport, dport;		/* 0: any */
	/* template (protect) */
	uint8_t tmpl_proto;		/* IPPROTO_ESP or IPPROTO_AH */
	bool tunnel;
	uint32_t reqid;
	struct ip_addr tsrc, tdst;	/* tunnel endpoints */
	uint8_t level;			/* enum kipsec_pol_level */
	uint32_t lifetime;		/* seconds, kipsec deletes it; 0: none */
};
int kernel_policy_add(const struct kernel_policy *p, uint32_t *index);
/* Deletes a policy of that direction, selector and priority, if any. */
int kernel_policy_del_leftover(const struct kernel_policy *p);
/* An SA's packet count (KIPSEC_A_SA_STATS), for DPD's traffic watch. */
int kernel_sa_packets(const struct ip_addr *dst, uint8_t ike_proto,
		      uint32_t spi, uint64_t *packets);
void kernel_policy_del(uint32_t index);

/* policy.c: a conn's policies, and IKE's own bypass */
int policy_conn_in(struct conn *c);	/* in (+ fwd for tunnels) */
int policy_conn_out(struct conn *c);
void policy_conn_remove(struct conn *c);
/*
 * The conn's peer moved (nat_move.c): its installed protect policies are
 * put there anew. Its IKE bypass reference is kept: the bypass itself
 * moves with policy_bypass_peer_moved(), once for every conn sharing it.
 */
int policy_conn_moved(struct conn *c);
/* Removes them when the conn has no SA left and is not auto=route. */
void policy_conn_sync(struct conn *c);
int policy_route_all(struct daemon *d);
/* Priority of the conn's protect policies (a fallback bypass goes before). */
uint32_t policy_conn_priority(const struct conn *c);	/* auto=route, at start */
void policy_remove_all(struct daemon *d);	/* at exit */
/* The IKE bypass of (local, old) is known by (local, to) from now on. */
void policy_bypass_peer_moved(const struct ip_addr *local,
			      const struct ip_addr *old,
			      const struct ip_addr *to);
void kernel_spi_release(const struct ip_addr *dst, uint8_t ike_proto,
			uint32_t spi);

/* control.c */
int control_open(struct daemon *d);
void control_close(struct daemon *d);
void control_accept(struct daemon *d);

/* Seconds on the monotonic clock, for ages. */
time_t now_seconds(void);

#endif
