// SPDX-License-Identifier: GPL-2.0
/*
 * The control socket ipsecctl talks to. A UNIX stream socket, mode 0600,
 * and every client's credentials are checked (SO_PEERCRED): only root or
 * our own user may list or change anything.
 *
 * Protocol: the client sends one line, "list json|table|tsv", "up NAME",
 * "down NAME", "rekey NAME" or "reload"; ipsecd answers "OK" or "ERROR message" on the first
 * line, then the body, and closes. Rendering happens here, so ipsecctl
 * needs no knowledge of ipsecd's objects.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "common/format.h"
#include "common/json.h"
#include "ipsecd/ipsecd.h"
#include "ipsecd/log.h"

#define REQUEST_MAX 256

int control_open(struct daemon *d)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	mode_t old;
	int fd;

	memcpy(sun.sun_path, d->cfg.control_socket, sizeof(sun.sun_path));
	sun.sun_path[sizeof(sun.sun_path) - 1] = '\0';
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -1;
	unlink(sun.sun_path);
	old = umask(077);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) || listen(fd, 8)) {
		umask(old);
		log_error("control socket %s: %s", sun.sun_path, strerror(errno));
		close(fd);
		return -1;
	}
	umask(old);
	chmod(sun.sun_path, 0600);
	d->control = fd;
	return 0;
}

void control_close(struct daemon *d)
{
	if (d->control >= 0) {
		close(d->control);
		unlink(d->cfg.control_socket);
	}
	d->control = -1;
}

static const char *state_name(const struct isakmp_sa *sa)
{
	return sa->state == ISAKMP_ESTABLISHED ? "established" :
	       sa->state == ISAKMP_NEGOTIATING ? "negotiating" : "deleted";
}

static void hex(const uint8_t *p, size_t n, char *out)
{
	size_t i;

	for (i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", p[i]);
}

enum fmt { FMT_JSON, FMT_TABLE, FMT_TSV };

/*
 * installed: the conn's current pair; rekeying: it reached its soft limit;
 * rekeyed: replaced, being retired (no outbound SA any more); redundant:
 * the twin retired after a rekey collision.
 */
static const char *child_state(const struct child_sa *ch)
{
	return ch->redundant ? "redundant" : ch->superseded ? "rekeyed" :
	       ch->rekeying ? "rekeying" : "installed";
}

static void child_json(struct json_writer *w, const struct conn *c,
		       const struct child_sa *ch, time_t now)
{
	char buf[64];
	size_t i;

	for (i = 0; i < ch->n; i++) {
		const struct child_proto *p = &ch->p[i];

		json_object_begin(w);
		json_key(w, "proto");
		json_string(w, p->suite.protocol == IKE_PROTO_AH ? "ah" : "esp");
		json_key(w, "spi_in");
		json_u64(w, p->spi_in);
		json_key(w, "spi_out");
		json_u64(w, p->spi_out);
		json_key(w, "alg");
		json_string(w, p2_suite_name(&p->suite, buf, sizeof(buf)));
		json_key(w, "mode");
		json_string(w, c->cfg->tunnel ? "tunnel" : "transport");
		json_key(w, "pfs");
		json_bool(w, ch->pfs);
		json_key(w, "local_ts");
		json_string(w, subnet_format(&ch->local_ts, buf, sizeof(buf)));
		json_key(w, "remote_ts");
		json_string(w, subnet_format(&ch->remote_ts, buf, sizeof(buf)));
		json_key(w, "age");
		json_u64(w, (uint64_t)(now - ch->created));
		json_key(w, "lifetime");
		json_u64(w, ch->life.seconds);
		json_key(w, "lifetime_kbytes");
		json_u64(w, ch->life.kbytes);
		json_key(w, "soft_seconds");
		json_u64(w, ch->soft_seconds);
		json_key(w, "soft_bytes");
		json_u64(w, ch->soft_bytes);
		json_key(w, "state");
		json_string(w, child_state(ch));
		json_object_end(w);
	}
}

static void child_text(FILE *out, enum fmt f, const struct conn *c,
		       const struct child_sa *ch, time_t now)
{
	char alg[64], l[64], r[64], age[FORMAT_BUF_LEN];
	size_t i;

	for (i = 0; i < ch->n; i++) {
		const struct child_proto *p = &ch->p[i];
		const char *proto = p->suite.protocol == IKE_PROTO_AH ? "ah" : "esp";

		p2_suite_name(&p->suite, alg, sizeof(alg));
		subnet_format(&ch->local_ts, l, sizeof(l));
		subnet_format(&ch->remote_ts, r, sizeof(r));
		if (f == FMT_TSV)
			fprintf(out, "ipsec\t%s\t%s\t0x%08x\t0x%08x\t%s\t%s\t%s\t%s\t%lld\n",
				c->cfg->name, proto, p->spi_in, p->spi_out, alg,
				c->cfg->tunnel ? "tunnel" : "transport", l, r,
				(long long)(now - ch->created));
		else
			fprintf(out, "  %-3s %s  in 0x%08x  out 0x%08x  %s === %s  %s%s  age %s%s%s\n",
				proto, alg, p->spi_in, p->spi_out, l, r,
				c->cfg->tunnel ? "tunnel" : "transport",
				ch->pfs ? " pfs" : "",
				human_duration((uint64_t)(now - ch->created), age,
					       sizeof(age)),
				ch->superseded || ch->rekeying ? "  " : "",
				ch->superseded || ch->rekeying ? child_state(ch) : "");
	}
}

/* right= as the file says; "peer" is where the conn's peer is now. */
static void configured_peer_json(struct json_writer *w, const struct conn *c)
{
	char a[FORMAT_BUF_LEN];

	json_key(w, "configured_peer");
	json_string(w, ip_addr_format(&c->cfg->right, a, sizeof(a)));
}

/* Only for a peer followed elsewhere (nat_move.c): existing lines stay. */
static void peer_moved_text(FILE *out, enum fmt f, const struct conn *c)
{
	char a[FORMAT_BUF_LEN], b[FORMAT_BUF_LEN];

	if (!conn_peer_moved(c))
		return;
	ip_addr_format(&c->cfg->right, a, sizeof(a));
	ip_addr_format(&c->peer, b, sizeof(b));
	if (f == FMT_TSV)
		fprintf(out, "peer\t%s\t%s\t%s\t%u\n", c->cfg->name, a, b,
			c->peer_port);
	else
		fprintf(out, "  peer configured at %s, followed to %s port %u (its NAT's address changed)\n",
			a, b, c->peer_port);
}

static void render_list(FILE *out, enum fmt f)
{
	struct json_writer w;
	struct isakmp_sa *sa;
	struct conn *c;
	time_t now = now_seconds();
	char a[FORMAT_BUF_LEN], b[FORMAT_BUF_LEN], suite[64], ci[17], cr[17],
	     age[FORMAT_BUF_LEN];

	if (f == FMT_JSON) {
		json_init(&w, out);
		json_array_begin(&w);
	}
	for (c = D->conns; c; c = c->next) {
		bool shown_children = false, listed = false;

		for (sa = D->sas; sa; sa = sa->next) {
			bool current = sa == c->ike;

			if (sa->conn != c || sa->state == ISAKMP_DEAD)
				continue;
			listed = true;
			hex(sa->cky_i, IKE_COOKIE_LEN, ci);
			hex(sa->cky_r, IKE_COOKIE_LEN, cr);
			ip_addr_format(&sa->local, a, sizeof(a));
			ip_addr_format(&sa->peer, b, sizeof(b));
			isakmp_sa_suite_name(sa, suite, sizeof(suite));
			if (f == FMT_JSON) {
				struct child_sa *ch;

				json_object_begin(&w);
				json_key(&w, "conn");
				json_string(&w, c->cfg->name);
				json_key(&w, "local");
				json_string(&w, a);
				json_key(&w, "peer");
				json_string(&w, b);
				configured_peer_json(&w, c);
				json_key(&w, "state");
				json_string(&w, state_name(sa));
				json_key(&w, "role");
				json_string(&w, sa->initiator ? "initiator" : "responder");
				json_key(&w, "ike");
				json_string(&w, suite);
				json_key(&w, "cookie_i");
				json_string(&w, ci);
				json_key(&w, "cookie_r");
				json_string(&w, cr);
				json_key(&w, "age");
				json_u64(&w, (uint64_t)(now - sa->created));
				json_key(&w, "lifetime");
				json_u64(&w, sa->suite.life.seconds);
				nat_json(&w, sa);
				fallback_status_json(&w, c);
				dpd_status_json(&w, sa);
				json_key(&w, "ipsec_sas");
				json_array_begin(&w);
				for (ch = current ? c->children : NULL; ch; ch = ch->next)
					child_json(&w, c, ch, now);
				json_array_end(&w);
				json_object_end(&w);
			} else if (f == FMT_TSV) {
				fprintf(out, "ike\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%lld\n",
					c->cfg->name, a, b, state_name(sa),
					sa->initiator ? "initiator" : "responder",
					suite, ci, cr, (long long)(now - sa->created));
			} else {
				fprintf(out, "%s: %s === %s  %s  %s  %s  %s:%s  age %s\n",
					c->cfg->name, a, b, state_name(sa),
					sa->initiator ? "initiator" : "responder",
					suite, ci, cr,
					human_duration((uint64_t)(now - sa->created),
						       age, sizeof(age)));
				if (f == FMT_TABLE && sa->state == ISAKMP_ESTABLISHED)
					dpd_status_text(out, sa);
			}
			/* Only when there is a NAT: existing lines stay. */
			if (f != FMT_JSON && sa->nat.detected) {
				char nat[160];

				nat_describe(sa, nat, sizeof(nat));
				fprintf(out, f == FMT_TSV ? "nat\t%s\t%s\n" :
					"  %s%s\n", f == FMT_TSV ? c->cfg->name : "",
					nat);
			}
			if (current && f != FMT_JSON) {
				struct child_sa *ch;

				for (ch = c->children; ch; ch = ch->next)
					child_text(out, f, c, ch, now);
			}
			shown_children |= current;
		}
		/*
		 * No current ISAKMP SA: the IPsec SAs, which outlive a deleted
		 * one, or with none, what the conn's policies do meanwhile.
		 */
		if (!shown_children && (c->children || conn_routed(c))) {
			struct child_sa *ch;

			if (f == FMT_JSON) {
				json_object_begin(&w);
				json_key(&w, "conn");
				json_string(&w, c->cfg->name);
				json_key(&w, "peer");
				json_string(&w, ip_addr_format(&c->peer, b, sizeof(b)));
				configured_peer_json(&w, c);
				json_key(&w, "state");
				json_string(&w, "none");
				fallback_status_json(&w, c);
				json_key(&w, "ipsec_sas");
				json_array_begin(&w);
				for (ch = c->children; ch; ch = ch->next)
					child_json(&w, c, ch, now);
				json_array_end(&w);
				json_object_end(&w);
			} else if (c->children) {
				if (f == FMT_TABLE)
					fprintf(out, "%s: no ISAKMP SA\n", c->cfg->name);
				for (ch = c->children; ch; ch = ch->next)
					child_text(out, f, c, ch, now);
			} else if (f == FMT_TABLE) {
				fprintf(out, "%s: no SA\n", c->cfg->name);
			}
		}
		if (f != FMT_JSON && (listed || c->children || conn_routed(c)))
			peer_moved_text(out, f, c);
		/* The conn's security level and fallback, under what it shows. */
		if (f == FMT_TABLE && (listed || c->children || conn_routed(c)))
			fallback_status_text(out, c);
	}
	if (f == FMT_JSON) {
		json_array_end(&w);
		json_finish(&w);
	}
}

static void handle(FILE *out, char *req)
{
	char msg[160];
	struct conn *c;
	char *arg = strchr(req, ' ');
	int rc;

	if (arg)
		*arg++ = '\0';
	if (!strcmp(req, "list")) {
		enum fmt f = !arg || !strcmp(arg, "table") ? FMT_TABLE :
			     !strcmp(arg, "json") ? FMT_JSON : FMT_TSV;

		fputs("OK\n", out);
		render_list(out, f);
		return;
	}
	if (!strcmp(req, "reload")) {
		char rmsg[CONFIG_ERR_LEN + 64];

		log_info("reload requested over the control socket");
		rc = daemon_reload(rmsg, sizeof(rmsg));
		fprintf(out, "%s %s\n", rc ? "ERROR" : "OK", rmsg);
		return;
	}
	if (!strcmp(req, "up") || !strcmp(req, "down") || !strcmp(req, "rekey")) {
		c = arg ? conn_find_name(arg) : NULL;
		if (!c) {
			fprintf(out, "ERROR no connection named \"%s\"\n",
				arg ? arg : "");
			return;
		}
		log_info("%s: %s requested over the control socket", c->cfg->name, req);
		rc = req[0] == 'u' ? conn_up(c, msg, sizeof(msg)) :
		     req[0] == 'r' ? conn_rekey(c, msg, sizeof(msg)) :
				     conn_down(c, msg, sizeof(msg));
		fprintf(out, "%s %s\n", rc ? "ERROR" : "OK", msg);
		return;
	}
	fprintf(out, "ERROR unknown request \"%s\"\n", req);
}

void control_accept(struct daemon *d)
{
	struct ucred cred;
	socklen_t clen = sizeof(cred);
	struct pollfd pfd;
	char req[REQUEST_MAX + 1];
	size_t got = 0;
	ssize_t n;
	FILE *out;
	int fd;

	fd = accept4(d->control, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0)
		return;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen) ||
	    (cred.uid != 0 && cred.uid != geteuid())) {
		log_warn("control connection from uid %u refused", (unsigned int)cred.uid);
		close(fd);
		return;
	}
	/* One short request line; a silent client is dropped after 1 s. */
	pfd.fd = fd;
	pfd.events = POLLIN;
	while (got < REQUEST_MAX && !memchr(req, '\n', got)) {
		if (poll(&pfd, 1, 1000) <= 0)
			break;
		n = read(fd, req + got, REQUEST_MAX - got);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	req[got] = '\0';
	req[strcspn(req, "\r\n")] = '\0';
	out = fdopen(fd, "w");
	if (!out) {
		close(fd);
		return;
	}
	handle(out, req);
	fclose(out);
}
