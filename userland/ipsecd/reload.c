// SPDX-License-Identifier: GPL-2.0
/*
 * Reloading the configuration and the secrets ("ipsecctl reload", SIGHUP)
 * without disturbing what did not change:
 *
 *   - both files are read and checked first; any error (reported as
 *     "file:line: message") keeps the running configuration as it is;
 *   - a conn whose section is unchanged keeps its SAs, its reqid, its
 *     policies and its state (only its line number may differ), and its
 *     current peer: a NAT-T peer followed to another address (nat_move.c)
 *     stays followed, the file naming where it was first;
 *   - a conn that is gone, or whose section changed, is taken down as
 *     "ipsecctl down" does (Deletes to the peer) and loses its policies;
 *     a changed one then comes back as a new conn;
 *   - a new conn gets a reqid no running conn uses, and auto=route/start
 *     take effect for it as at daemon start;
 *   - "config setup" keys take effect at once, except controlsocket: the
 *     socket stays where it is until ipsecd restarts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ipsecd/ipsecd.h"
#include "ipsecd/log.h"

/* Everything but the line of the "conn" line itself. */
static bool same_section(const struct conn_config *a,
			 const struct conn_config *b)
{
	struct conn_config x, y;

	memcpy(&x, a, sizeof(x));
	memcpy(&y, b, sizeof(y));
	x.line = y.line = 0;
	return !memcmp(&x, &y, sizeof(x));
}

static struct conn *conn_for_peer(struct conn *skip,
				  const struct ip_addr *local,
				  const struct ip_addr *peer, struct conn **keep,
				  size_t nkeep)
{
	size_t i;

	for (i = 0; i < nkeep; i++)
		if (keep[i] && keep[i] != skip &&
		    ip_addr_equal(&keep[i]->cfg->left, local) &&
		    ip_addr_equal(&keep[i]->peer, peer))
			return keep[i];
	return NULL;
}

/*
 * Takes c down and frees it: its IPsec SAs are deleted, the peer told, and
 * its policies removed. ISAKMP SAs bound to it serve its peer, so they move
 * to a kept conn with the same addresses if there is one; otherwise they
 * are deleted (with a Delete if established) and freed now, so that
 * nothing points to c afterwards.
 */
static void conn_remove(struct conn *c, struct conn **keep, size_t nkeep)
{
	struct conn **p;
	struct isakmp_sa *sa, *next;
	struct exchange *x, *xn;

	while (c->children)
		conn_child_delete(c, c->children, true);
	policy_conn_remove(c);
	for (sa = D->sas; sa; sa = next) {
		struct conn *heir;

		next = sa->next;
		for (x = sa->exchanges; x; x = xn) {
			xn = x->next;
			if (x->conn == c)
				quick_free(x);
		}
		if (sa->conn != c)
			continue;
		heir = conn_for_peer(c, &sa->local, &sa->peer, keep, nkeep);
		if (heir && sa->state != ISAKMP_DEAD) {
			sa->conn = heir;
			if (!heir->ike)
				heir->ike = sa;
			continue;
		}
		if (sa->state == ISAKMP_ESTABLISHED) {
			uint8_t spi[2 * IKE_COOKIE_LEN];

			memcpy(spi, sa->cky_i, IKE_COOKIE_LEN);
			memcpy(spi + IKE_COOKIE_LEN, sa->cky_r, IKE_COOKIE_LEN);
			info_send_delete(sa, IKE_PROTO_ISAKMP, spi, sizeof(spi), 1);
		}
		sa->conn = NULL;
		isakmp_sa_free(sa);
	}
	timer_cancel(&c->retry);
	for (p = &D->conns; *p; p = &(*p)->next)
		if (*p == c) {
			*p = c->next;
			break;
		}
	free(c);
}

static uint32_t next_reqid(const struct conn **keep, size_t nkeep)
{
	uint32_t max = 0;
	size_t i;

	for (i = 0; i < nkeep; i++)
		if (keep[i] && keep[i]->reqid > max)
			max = keep[i]->reqid;
	return max + 1;
}

int daemon_reload(char *msg, size_t msglen)
{
	struct config ncfg, old;
	struct secrets nsec = { 0 };
	char err[CONFIG_ERR_LEN];
	struct conn **keep = NULL, *c, *next, **tail;
	unsigned int kept = 0, added = 0, removed = 0;
	uint32_t first_new;
	size_t i;

	config_init(&ncfg);
	if (config_load(D->config_path, &ncfg, err, sizeof(err)))
		goto bad;
	if (D->secrets_override)
		snprintf(ncfg.secrets_file, sizeof(ncfg.secrets_file), "%s",
			 D->secrets_override);
	if (strcmp(ncfg.control_socket, D->cfg.control_socket))
		log_warn("reload: controlsocket changes only when ipsecd restarts");
	memcpy(ncfg.control_socket, D->cfg.control_socket,
	       sizeof(ncfg.control_socket));
	if (secrets_load(ncfg.secrets_file, &nsec, err, sizeof(err)))
		goto bad;
	/* keep[i]: the running conn that ncfg.conns[i] continues, if any. */
	keep = calloc(ncfg.nconns ? ncfg.nconns : 1, sizeof(*keep));
	if (!keep) {
		snprintf(err, sizeof(err), "out of memory");
		goto bad;
	}
	for (i = 0; i < ncfg.nconns; i++) {
		c = conn_find_name(ncfg.conns[i].name);
		if (c && same_section(c->cfg, &ncfg.conns[i]))
			keep[i] = c;
	}
	for (c = D->conns; c; c = next) {
		bool kept_c = false;

		next = c->next;
		for (i = 0; i < ncfg.nconns && !kept_c; i++)
			kept_c = keep[i] == c;
		if (kept_c)
			continue;
		log_info("%s: %s by the reload: taking it down", c->cfg->name,
			 config_find_conn(&ncfg, c->cfg->name) ? "changed" : "removed");
		conn_remove(c, keep, ncfg.nconns);
		removed++;
	}
	first_new = next_reqid((const struct conn **)keep, ncfg.nconns);
	old = D->cfg;
	D->cfg = ncfg;
	D->conns = NULL;
	tail = &D->conns;
	for (i = 0; i < D->cfg.nconns; i++) {
		c = keep[i];
		if (c) {
			kept++;
		} else {
			c = calloc(1, sizeof(*c));
			if (!c) {
				log_error("%s: out of memory; conn not added",
					  D->cfg.conns[i].name);
				continue;
			}
			c->reqid = next_reqid((const struct conn **)keep,
					      D->cfg.nconns);
			conn_timers_init(c);
			c->cfg = &D->cfg.conns[i];
			conn_peer_init(c);
			keep[i] = c;
			added++;
		}
		c->cfg = &D->cfg.conns[i];
		c->next = NULL;
		*tail = c;
		tail = &c->next;
	}
	config_free(&old);
	secrets_free(&D->secrets);
	D->secrets = nsec;
	if (!D->debug)
		log_set_level(D->cfg.log_level);
	/* New conns start as at daemon start; kept ones are left alone. */
	for (i = 0; i < D->cfg.nconns; i++) {
		c = keep[i];
		if (!c || c->reqid < first_new)
			continue;
		if (c->cfg->autostart == CONN_AUTO_ROUTE &&
		    (policy_conn_in(c) || policy_conn_out(c)))
			log_error("%s: cannot install the routed policies",
				  c->cfg->name);
		if (c->cfg->autostart == CONN_AUTO_START &&
		    conn_up(c, msg, msglen))
			log_error("%s: %s", c->cfg->name, msg);
	}
	free(keep);
	snprintf(msg, msglen, "reloaded %s: %u connection%s kept, %u added, %u removed or changed",
		 D->config_path, kept, kept == 1 ? "" : "s", added, removed);
	log_info("%s", msg);
	return 0;
bad:
	secrets_free(&nsec);
	config_free(&ncfg);
	free(keep);
	snprintf(msg, msglen, "%s; the running configuration is kept", err);
	log_error("reload failed: %s", msg);
	return -1;
}
