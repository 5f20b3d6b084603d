// SPDX-License-Identifier: GPL-2.0
/*
 * A conn's current peer (ipsecd.h: conn->peer, conn->remote_ts): it starts
 * as right= (and rightsubnet=), a NAT move changes it and not the
 * configuration (nat_move_conn_follow), the conn is then found at the new
 * address only, and a reload of the unchanged file keeps it there while a
 * conn whose right= changed in the file takes the file's value (reload.c).
 * Real files, real daemon_reload(); no SAs, so kipsec is not needed.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ipsecd/ipsecd.h"
#include "ipsecd/log.h"
#include "ipsecd/nat_move.h"
#include "tap.h"

/* main.c is not in libipsecd; the code under test refers to these. */
static struct daemon the_daemon;
struct daemon *D = &the_daemon;
time_t now_seconds(void)
{
	return time(NULL);
}

static char dir[] = "/tmp/test_ipsecd_peer.XXXXXX";
static char conf_path[96], secrets_path[96];

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0600);
	ssize_t len = (ssize_t)strlen(text);
	int rc;

	if (fd < 0)
		return -1;
	rc = write(fd, text, (size_t)len) == len ? 0 : -1;
	close(fd);
	return rc;
}

/* Three conns from 192.0.2.1; tun's right= is the argument. */
static int write_conf(const char *tun_right)
{
	char text[1024];

	snprintf(text, sizeof(text),
		 "config setup\n"
		 "\tcontrolsocket=%s/sock\n"
		 "\tsecretsfile=%s\n"
		 "\n"
		 "conn tun\n"
		 "\tauthby=secret\n"
		 "\tleft=192.0.2.1\n"
		 "\tright=%s\n"
		 "\tleftsubnet=10.1.0.0/24\n"
		 "\trightsubnet=10.2.0.0/24\n"
		 "\n"
		 "conn tr\n"
		 "\ttype=transport\n"
		 "\tauthby=secret\n"
		 "\tleft=192.0.2.1\n"
		 "\tright=192.0.2.5\n"
		 "\n"
		 "conn wide\n"
		 "\ttype=transport\n"
		 "\tauthby=secret\n"
		 "\tleft=192.0.2.1\n"
		 "\tright=192.0.2.6\n"
		 "\tleftsubnet=192.0.2.1/32\n"
		 "\trightsubnet=192.0.2.0/24\n",
		 dir, secrets_path, tun_right);
	return write_file(conf_path, text);
}

static const char *addr_str(const struct ip_addr *a)
{
	static char buf[4][FORMAT_BUF_LEN];
	static int i;

	i = (i + 1) % 4;
	return ip_addr_format(a, buf[i], sizeof(buf[i]));
}

static const char *subnet_str(const struct subnet *s)
{
	static char buf[4][64];
	static int i;

	i = (i + 1) % 4;
	return subnet_format(s, buf[i], sizeof(buf[i]));
}

static void test_follow(struct ip_addr *local)
{
	struct conn *tun = conn_find_name("tun"), *tr = conn_find_name("tr"),
		    *wide = conn_find_name("wide");
	struct ip_addr to, conf;

	if (!tap_ok(tun && tr && wide, "three conns"))
		return;
	tap_is_str(addr_str(&tun->peer), "192.0.2.2", "tun: the peer starts at right=");
	tap_is_int(tun->peer_port, IKE_PORT, "tun: on port 500");
	tap_is_str(subnet_str(&tun->remote_ts), "10.2.0.0/24",
		   "tun: remote selector is rightsubnet=");
	tap_is_str(subnet_str(&tr->remote_ts), "192.0.2.5/32",
		   "tr: remote selector is the peer");
	tap_ok(!conn_peer_moved(tun) && !conn_peer_moved(tr), "nothing moved yet");

	ip_addr_parse("192.0.2.3", &to);
	nat_move_conn_follow(tun, &to, 31000);
	tap_is_str(addr_str(&tun->peer), "192.0.2.3", "tun: followed to the new address");
	tap_is_int(tun->peer_port, 31000, "tun: and its port");
	tap_is_str(subnet_str(&tun->remote_ts), "10.2.0.0/24",
		   "tun: a tunnel's rightsubnet= stays");
	tap_is_str(addr_str(&tun->cfg->right), "192.0.2.2",
		   "tun: the configuration still says right=192.0.2.2");
	tap_ok(conn_peer_moved(tun), "tun: moved");

	ip_addr_parse("192.0.2.7", &to);
	nat_move_conn_follow(tr, &to, 4500);
	tap_is_str(subnet_str(&tr->remote_ts), "192.0.2.7/32",
		   "tr: selectors that are the peer follow it");
	tap_is_str(subnet_str(&tr->cfg->rightsubnet), "192.0.2.5/32",
		   "tr: not in the configuration");

	ip_addr_parse("192.0.2.8", &to);
	nat_move_conn_follow(wide, &to, 4500);
	tap_is_str(subnet_str(&wide->remote_ts), "192.0.2.0/24",
		   "wide: a rightsubnet= that is more than the peer stays");

	ip_addr_parse("192.0.2.3", &to);
	ip_addr_parse("192.0.2.2", &conf);
	tap_ok(conn_find_peer(local, &to) == tun,
	       "tun is found at its current address");
	tap_ok(conn_find_peer(local, &conf) == NULL,
	       "and no longer at the one it left");
}

static void test_reload(struct ip_addr *local)
{
	struct conn *tun = conn_find_name("tun"), *tr = conn_find_name("tr");
	char msg[CONFIG_ERR_LEN + 64];

	tap_is_int(daemon_reload(msg, sizeof(msg)), 0, "reload of the same file");
	tap_ok(strstr(msg, "3 connections kept, 0 added, 0 removed") != NULL,
	       "every conn kept (%s)", msg);
	tap_ok(conn_find_name("tun") == tun && conn_find_name("tr") == tr,
	       "the same conns");
	tap_is_str(addr_str(&tun->peer), "192.0.2.3",
		   "tun: still at the address it was followed to");
	tap_is_int(tun->peer_port, 31000, "tun: and port");
	tap_is_str(subnet_str(&tr->remote_ts), "192.0.2.7/32",
		   "tr: its selectors too");
	tap_is_str(addr_str(&tun->cfg->right), "192.0.2.2",
		   "tun: the new configuration's right= is the file's");

	if (!tap_is_int(write_conf("192.0.2.9"), 0, "right= of tun changed in the file"))
		return;
	tap_is_int(daemon_reload(msg, sizeof(msg)), 0, "reload of the changed file");
	tap_ok(strstr(msg, "2 connections kept, 1 added, 1 removed") != NULL,
	       "tun replaced, the others kept (%s)", msg);
	tun = conn_find_name("tun");
	if (!tap_ok(tun != NULL, "tun is there"))
		return;
	tap_is_str(addr_str(&tun->peer), "192.0.2.9", "tun: takes the file's new right=");
	tap_is_int(tun->peer_port, IKE_PORT, "tun: port 500");
	tap_ok(!conn_peer_moved(tun), "tun: not moved");
	tap_is_str(addr_str(&conn_find_name("tr")->peer), "192.0.2.7",
		   "tr: kept where it was followed to");
	tap_ok(conn_find_peer(local, &tun->peer) == tun, "tun found at 192.0.2.9");
	tap_ok(tun->retry.fn && tun->fallback.timeout.fn && tun->fallback.expire.fn,
	       "a conn added by a reload has its timers (retry, fallback)");
}

int main(void)
{
	char err[CONFIG_ERR_LEN];
	struct ip_addr local;

	if (ike_crypto_init())
		return 1;
	log_set_level(LOG_LVL_ERROR);
	if (!mkdtemp(dir))
		return 1;
	snprintf(conf_path, sizeof(conf_path), "%s/ipsecd.conf", dir);
	snprintf(secrets_path, sizeof(secrets_path), "%s/ipsecd.secrets", dir);
	if (write_conf("192.0.2.2") ||
	    write_file(secrets_path, "192.0.2.1 192.0.2.2 : PSK \"k\"\n"))
		return 1;
	config_init(&D->cfg);
	if (!tap_is_int(config_load(conf_path, &D->cfg, err, sizeof(err)), 0,
			"config loads") ||
	    !tap_is_int(secrets_load(secrets_path, &D->secrets, err, sizeof(err)), 0,
			"secrets load") ||
	    !tap_is_int(conns_create(D), 0, "conns created"))
		return tap_done();
	D->config_path = conf_path;
	D->debug = true;
	ip_addr_parse("192.0.2.1", &local);
	test_follow(&local);
	test_reload(&local);

	conns_destroy(D);
	config_free(&D->cfg);
	secrets_free(&D->secrets);
	unlink(conf_path);
	unlink(secrets_path);
	rmdir(dir);
	return tap_done();
}
