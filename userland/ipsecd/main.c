// SPDX-License-Identifier: GPL-2.0
/*
 * ipsecd: the IKEv1 daemon. Reads the configuration and the secrets,
 * listens on UDP 500 and on its control socket, negotiates, and installs
 * the SAs in kipsec.ko. One thread, one poll() loop.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include <kipsec_version.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "ipsecd/ipsecd.h"
#include "ipsecd/log.h"

#define IPSECD_VERSION KIPSEC_VERSION

struct daemon *D;

time_t now_seconds(void)
{
	return (time_t)(timer_now_ms() / 1000);
}

static void usage(FILE *out)
{
	fputs("Usage: ipsecd [-n] [-f CONFIG] [-s SECRETS] [-S SOCKET] [-d] [--syslog]\n"
	      "\n"
	      "  -f, --config CONFIG   configuration file (default\n"
	      "                        " IPSECD_DEFAULT_CONFIG ")\n"
	      "  -s, --secrets SECRETS secrets file (default: secretsfile=, else\n"
	      "                        " IPSECD_DEFAULT_SECRETS ")\n"
	      "  -S, --socket SOCKET   control socket (default: controlsocket=,\n"
	      "                        else " IPSECD_DEFAULT_SOCKET ")\n"
	      "  -n, --check           check the configuration (and the secrets\n"
	      "                        file, if it exists) and exit\n"
	      "  -d, --debug           log at debug level\n"
	      "      --syslog          log to syslog (facility daemon), not stderr\n"
	      "  -V, --version         print the version\n"
	      "  -h, --help            this help\n"
	      "\n"
	      "Logs go to stderr (or syslog). SIGTERM/SIGINT delete every SA\n"
	      "(telling the peers) and stop; SIGHUP reloads the configuration\n"
	      "and the secrets. The configuration keys are described in\n"
	      "userland/ipsecd/README.md.\n", out);
}

static void shutdown_all(void)
{
	struct conn *c;
	char msg[128];

	for (c = D->conns; c; c = c->next)
		if (c->ike || c->children)
			conn_down(c, msg, sizeof(msg));
	policy_remove_all(D);
}

static int run(void)
{
	struct pollfd pfd[7];
	struct conn *c;
	sigset_t mask;
	char msg[CONFIG_ERR_LEN + 64];
	int sfd;

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sfd < 0) {
		log_error("signalfd: %s", strerror(errno));
		return 1;
	}
	log_info("ipsecd %s started: %zu connection%s, control socket %s",
		 IPSECD_VERSION, D->cfg.nconns, D->cfg.nconns == 1 ? "" : "s",
		 D->cfg.control_socket);
	if (policy_route_all(D))
		log_error("not every auto=route conn has its policies");
	for (c = D->conns; c; c = c->next)
		if (c->cfg->autostart == CONN_AUTO_START &&
		    conn_up(c, msg, sizeof(msg)))
			log_error("%s: %s", c->cfg->name, msg);
	while (!D->stopping) {
		int n = 0, i;

		pfd[n++] = (struct pollfd){ .fd = sfd, .events = POLLIN };
		pfd[n++] = (struct pollfd){ .fd = D->control, .events = POLLIN };
		pfd[n++] = (struct pollfd){ .fd = D->udp4, .events = POLLIN };
		if (D->udp6 >= 0)
			pfd[n++] = (struct pollfd){ .fd = D->udp6, .events = POLLIN };
		if (D->natt4 >= 0)
			pfd[n++] = (struct pollfd){ .fd = D->natt4, .events = POLLIN };
		if (D->natt6 >= 0)
			pfd[n++] = (struct pollfd){ .fd = D->natt6, .events = POLLIN };
		if (D->events >= 0)
			pfd[n++] = (struct pollfd){ .fd = D->events, .events = POLLIN };
		if (poll(pfd, (nfds_t)n, timer_next_timeout()) < 0 && errno != EINTR) {
			log_error("poll: %s", strerror(errno));
			break;
		}
		for (i = 0; i < n; i++) {
			if (!(pfd[i].revents & POLLIN))
				continue;
			if (pfd[i].fd == sfd) {
				struct signalfd_siginfo si;

				while (read(sfd, &si, sizeof(si)) == sizeof(si)) {
					if (si.ssi_signo == SIGHUP) {
						log_info("SIGHUP: reloading the configuration");
						daemon_reload(msg, sizeof(msg));
						continue;
					}
					log_info("signal %u: deleting every SA and stopping",
						 si.ssi_signo);
					D->stopping = true;
				}
			} else if (pfd[i].fd == D->control) {
				control_accept(D);
			} else if (pfd[i].fd == D->events) {
				kernel_events_receive();
			} else {
				transport_receive(pfd[i].fd);
			}
		}
		timer_run();
	}
	shutdown_all();
	close(sfd);
	return 0;
}

int main(int argc, char **argv)
{
	static struct daemon daemon = { .udp4 = -1, .udp6 = -1, .control = -1,
					.events = -1, .natt4 = -1, .natt6 = -1 };
	const char *config = IPSECD_DEFAULT_CONFIG, *secrets = NULL, *sock = NULL;
	char err[CONFIG_ERR_LEN];
	bool check = false, debug = false, use_syslog = false;
	static const struct option long_opts[] = {
		{ "check", no_argument, NULL, 'n' },
		{ "config", required_argument, NULL, 'f' },
		{ "secrets", required_argument, NULL, 's' },
		{ "socket", required_argument, NULL, 'S' },
		{ "debug", no_argument, NULL, 'd' },
		{ "syslog", no_argument, NULL, 'L' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int opt, status;

	while ((opt = getopt_long(argc, argv, "nf:s:S:dVh", long_opts, NULL)) != -1) {
		switch (opt) {
		case 'n': check = true; break;
		case 'f': config = optarg; break;
		case 's': secrets = optarg; break;
		case 'S': sock = optarg; break;
		case 'd': debug = true; break;
		case 'L': use_syslog = true; break;
		case 'V': printf("ipsecd %s\n", IPSECD_VERSION); return 0;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	D = &daemon;
	D->config_path = config;
	D->secrets_override = secrets;
	D->debug = debug;
	if (ike_crypto_init()) {
		fputs("ipsecd: libsodium failed to initialise\n", stderr);
		return 1;
	}
	config_init(&D->cfg);
	if (config_load(config, &D->cfg, err, sizeof(err))) {
		fprintf(stderr, "ipsecd: %s\n", err);
		return 1;
	}
	if (secrets)
		snprintf(D->cfg.secrets_file, sizeof(D->cfg.secrets_file), "%s", secrets);
	if (sock)
		snprintf(D->cfg.control_socket, sizeof(D->cfg.control_socket), "%s", sock);
	log_set_level(debug ? LOG_LVL_DEBUG : D->cfg.log_level);
	if (use_syslog && !check)
		log_use_syslog();
	if (check) {
		if ((secrets || access(D->cfg.secrets_file, F_OK) == 0) &&
		    secrets_load(D->cfg.secrets_file, &D->secrets, err, sizeof(err))) {
			fprintf(stderr, "ipsecd: %s\n", err);
			config_free(&D->cfg);
			return 1;
		}
		printf("%s: OK, %zu connection%s\n", config, D->cfg.nconns,
		       D->cfg.nconns == 1 ? "" : "s");
		secrets_free(&D->secrets);
		config_free(&D->cfg);
		return 0;
	}
	if (secrets_load(D->cfg.secrets_file, &D->secrets, err, sizeof(err))) {
		fprintf(stderr, "ipsecd: %s\n", err);
		config_free(&D->cfg);
		return 1;
	}
	status = 1;
	if (conns_create(D) || kernel_open() || kernel_events_open() ||
	    transport_open(D) || control_open(D))
		goto out;
	status = run();
out:
	control_close(D);
	if (D->udp4 >= 0)
		close(D->udp4);
	if (D->udp6 >= 0)
		close(D->udp6);
	if (D->natt4 >= 0)
		close(D->natt4);
	if (D->natt6 >= 0)
		close(D->natt6);
	while (D->sas)
		isakmp_sa_free(D->sas);
	kernel_events_close();
	kernel_close();
	conns_destroy(D);
	secrets_free(&D->secrets);
	config_free(&D->cfg);
	log_info("stopped");
	return status;
}
