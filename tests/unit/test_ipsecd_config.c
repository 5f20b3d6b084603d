// SPDX-License-Identifier: GPL-2.0
/*
 * ipsecd's configuration and secrets parsers: the defaults, a full file,
 * and every rejection with its file:line message.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ike/crypto.h"
#include "ipsecd/config.h"
#include "tap.h"

static char err[CONFIG_ERR_LEN];

static int parse(const char *text, struct config *cfg)
{
	config_init(cfg);
	err[0] = '\0';
	return config_parse("t.conf", text, cfg, err, sizeof(err));
}

#define BASE "conn c\n\tleft=192.0.2.1\n\tright=192.0.2.2\n\tauthby=secret\n"

/* Expects text to be refused with a message containing want. */
static void rejects(const char *text, const char *want, const char *name)
{
	struct config cfg;
	int rc = parse(text, &cfg);

	if (!tap_ok(rc == -1 && strstr(err, want) != NULL, "rejects %s", name))
		printf("#   rc %d, message \"%s\", want \"%s\"\n", rc, err, want);
	config_free(&cfg);
}

static void test_defaults(void)
{
	struct config cfg;
	const struct conn_config *c;

	tap_is_int(parse(BASE, &cfg), 0, "minimal conn parses");
	tap_is_int(cfg.nconns, 1, "one conn");
	c = &cfg.conns[0];
	tap_is_str(c->name, "c", "conn name");
	tap_is_int(c->ikelifetime, 28800, "ISAKMP SA lifetime 8 h");
	tap_is_int(c->lifetime, 3600, "IPsec SA lifetime 3600 s");
	tap_is_int((long long)c->lifebytes, 100000000, "IPsec SA lifebytes 100 MB");
	tap_is_int(c->rekeymargin, 540, "rekeymargin 9 min");
	tap_is_int(c->rekeyfuzz, 100, "rekeyfuzz 100 percent (strongSwan's)");
	tap_is_int(c->nike, 1, "one phase-1 proposal");
	tap_ok(c->ike[0].enc == IKE_ENC_AES_CBC && c->ike[0].key_bits == 256 &&
	       c->ike[0].hash == IKE_HASH_SHA2_256 &&
	       c->ike[0].group == IKE_GROUP_MODP_2048 &&
	       c->ike[0].auth == IKE_AUTH_PSK, "phase 1 aes256-sha256-modp2048 PSK");
	tap_is_int(c->nbundles, 2, "two ESP proposals");
	tap_ok(c->bundles[0].n == 1 &&
	       c->bundles[0].suites[0].transform == IKE_ESP_AES_GCM_16 &&
	       c->bundles[0].suites[0].key_bits == 128 &&
	       !c->bundles[0].suites[0].auth_alg, "first aes128gcm16");
	tap_ok(c->bundles[1].suites[0].transform == IKE_ESP_AES &&
	       c->bundles[1].suites[0].auth_alg == IKE_AUTH_ALG_HMAC_SHA2_256,
	       "then aes128-sha256");
	tap_ok(c->bundles[0].suites[0].encap == IKE_ENCAP_TUNNEL && c->tunnel,
	       "tunnel mode");
	tap_ok(!c->pfs && !c->bundles[0].suites[0].group, "no PFS by default");
	tap_ok(!c->parallel, "no parallel SAs by default");
	tap_is_int(c->replay_window, 64, "replay window 64 by default");
	tap_ok(c->bundles[0].suites[0].life.seconds == 3600 &&
	       c->bundles[0].suites[0].life.kbytes == 100000,
	       "phase-2 offer carries 3600 s and 100000 kB");
	tap_ok(c->leftsubnet.prefix == 32 && c->rightsubnet.prefix == 32,
	       "subnets default to the hosts");
	tap_is_int(c->autostart, CONN_AUTO_ADD, "auto=add");
	tap_is_int(cfg.retransmit_timeout_ms, 4000, "retransmit after 4 s");
	tap_is_int(cfg.retransmit_tries, 5, "5 retransmissions");
	tap_ok(cfg.halfopen_max == 256 && cfg.halfopen_max_peer == 16,
	       "half-open limits 256 in all, 16 per peer");
	tap_is_int(cfg.nat_keepalive, 20, "NAT keepalives every 20 s");
	tap_is_str(cfg.control_socket, "/run/ipsecd.sock", "default socket");
	config_free(&cfg);
}

static void test_full(void)
{
	static const char text[] =
		"# comment\n"
		"config setup\n"
		"\tcontrolsocket=/tmp/x.sock\n"
		"\tsecretsfile=\"/tmp/x.secrets\"   # trailing comment\n"
		"\tloglevel=debug\n"
		"\tretransmit_timeout=500ms\n"
		"\tretransmit_tries=2\n"
		"\thalfopen_max=1000\n"
		"\thalfopen_max_peer=1\n"
		"\tnat_keepalive=1m\n"
		"\n"
		"conn %default\n"
		"\tauthby=secret\n"
		"\tikelifetime=1h\n"
		"conn a-1\n"
		"\tleft=192.0.2.1\n"
		"\tright=192.0.2.2\n"
		"\tleftsubnet=10.1.0.7/24\n"
		"\trightsubnet=10.2.0.0/16\n"
		"\tike=aes128-sha1-modp2048,aes256-sha384-ecp256!\n"
		"\tesp=aes256-sha1-modp2048\n"
		"\tah=sha256\n"
		"\tlifetime=20m\n"
		"\tlifebytes=2M\n"
		"\tmarginbytes=500k\n"
		"\trekeymargin=30s\n"
		"\trekeyfuzz=25%\n"
		"\tauto=start\n"
		"\ttype=transport\n"
		"\tkeyingtries=%forever\n"
		"\tkeyexchange=ikev1\n"
		"conn b\n"
		"\tleft=2001:db8::1\n"
		"\tright=2001:db8::2\n"
		"\tpfs=yes\n"
		"\tparallel=yes\n"
		"\treplay_window=4096\n"
		"\tesp=aes256gcm16\n";
	struct config cfg;
	const struct conn_config *c;

	if (!tap_is_int(parse(text, &cfg), 0, "full file parses"))
		printf("#   %s\n", err);
	tap_is_str(cfg.control_socket, "/tmp/x.sock", "controlsocket");
	tap_is_str(cfg.secrets_file, "/tmp/x.secrets", "quoted secretsfile");
	tap_is_int(cfg.log_level, LOG_LVL_DEBUG, "loglevel");
	tap_is_int(cfg.retransmit_timeout_ms, 500, "retransmit_timeout in ms");
	tap_is_int(cfg.retransmit_tries, 2, "retransmit_tries");
	tap_ok(cfg.halfopen_max == 1000 && cfg.halfopen_max_peer == 1,
	       "halfopen_max, halfopen_max_peer");
	tap_is_int(cfg.nat_keepalive, 60, "nat_keepalive=1m");
	tap_is_int(cfg.nconns, 2, "two conns");
	c = config_find_conn(&cfg, "a-1");
	tap_ok(c != NULL, "conn found by name");
	if (!c) {
		config_free(&cfg);
		return;
	}
	tap_is_int(c->ikelifetime, 3600, "ikelifetime from %default");
	tap_is_int(c->nike, 2, "two phase-1 proposals, strict '!' accepted");
	tap_ok(c->ike[1].group == IKE_GROUP_ECP_256 &&
	       c->ike[1].hash == IKE_HASH_SHA2_384, "second suite");
	tap_ok(c->leftsubnet.prefix == 24 && c->leftsubnet.addr.bytes[3] == 0,
	       "host bits of a subnet cleared");
	tap_ok(c->nbundles == 1 && c->bundles[0].n == 2 &&
	       c->bundles[0].suites[0].protocol == IKE_PROTO_AH &&
	       c->bundles[0].suites[1].protocol == IKE_PROTO_ESP,
	       "ah + esp make an AH+ESP bundle, AH first");
	tap_ok(c->pfs && c->pfs_group == IKE_GROUP_MODP_2048 &&
	       c->bundles[0].suites[0].group == IKE_GROUP_MODP_2048,
	       "a group in esp= means PFS for the whole bundle");
	tap_ok(!c->tunnel && c->bundles[0].suites[1].encap == IKE_ENCAP_TRANSPORT,
	       "transport mode");
	tap_ok(c->lifetime == 1200 && c->lifebytes == 2000000 &&
	       c->marginbytes == 500000 && c->rekeymargin == 30 &&
	       c->rekeyfuzz == 25, "lifetimes");
	tap_ok(c->autostart == CONN_AUTO_START && c->keyingtries == 0,
	       "auto=start, keyingtries=%%forever");
	c = config_find_conn(&cfg, "b");
	tap_ok(c && c->left.family == AF_INET6 && c->pfs &&
	       c->bundles[0].suites[0].group == IKE_GROUP_MODP_2048,
	       "IPv6 conn; pfs=yes takes the phase-1 group");
	tap_ok(c && c->parallel, "parallel=yes");
	tap_ok(!config_find_conn(&cfg, "a-1")->parallel,
	       "parallel is per conn");
	tap_ok(c && c->replay_window == 4096, "replay_window=4096");
	tap_is_int(config_find_conn(&cfg, "a-1")->replay_window, 64,
		   "replay_window is per conn");
	config_free(&cfg);
}

/* QM1's KE is of the group the phase-2 proposals name, not phase 1's. */
static void test_pfs_group(void)
{
	struct config cfg;
	const struct conn_config *c;

	tap_is_int(parse(BASE "\tike=aes128-sha256-ecp256\n"
			 "\tesp=aes128gcm16-modp2048\n", &cfg), 0,
		   "phase 1 on ecp256, phase 2 on modp2048");
	c = config_find_conn(&cfg, "c");
	tap_ok(c && c->pfs && c->pfs_group == IKE_GROUP_MODP_2048,
	       "PFS takes the group of the phase-2 proposals");
	config_free(&cfg);
	tap_is_int(parse(BASE "\tike=aes128-sha256-ecp256\n\tpfs=yes\n", &cfg),
		   0, "pfs=yes without a group in esp=");
	c = config_find_conn(&cfg, "c");
	tap_ok(c && c->pfs_group == IKE_GROUP_ECP_256 &&
	       c->bundles[0].suites[0].group == IKE_GROUP_ECP_256,
	       "then it takes phase 1's");
	config_free(&cfg);
}

static void test_errors(void)
{
	rejects("\tleft=1.2.3.4\n", "t.conf:1: parameter outside of a section",
		"a parameter before any section");
	rejects("bogus\n", "t.conf:1: unknown section \"bogus\"", "unknown section");
	rejects("config\n", "t.conf:1: expected \"config setup\"", "config without setup");
	rejects("config setup\nconfig setup\n", "t.conf:2: second \"config setup\"",
		"two setup sections");
	rejects("conn\n", "t.conf:1: conn without a name", "conn without a name");
	rejects("conn a b\n", "t.conf:1: unexpected \"b\"", "junk after the name");
	rejects("conn a/b\n", "bad connection name", "bad name");
	rejects("include x\n", "not supported", "include");
	rejects(BASE "conn %default\n", "t.conf:5: conn %default must come before",
		"late %default");
	rejects(BASE "\tleft\n", "t.conf:5: expected key=value", "no '='");
	rejects(BASE "\t=x\n", "t.conf:5: missing key", "empty key");
	rejects(BASE "\tleft=\n", "t.conf:5: left: empty value", "empty value");
	rejects(BASE "\tleft=\"1.2.3.4\n", "unterminated quoted value", "open quote");
	rejects(BASE "\tleft=1.2\"3\n", "stray quote", "stray quote");
	rejects(BASE "\tfoo=bar\n", "t.conf:5: unknown key \"foo\"", "unknown conn key");
	rejects("config setup\n\tfoo=1\n", "t.conf:2: unknown key \"foo\" in config setup",
		"unknown setup key");
	rejects("config setup\n\tcontrolsocket=rel\n", "must be an absolute path",
		"relative socket path");
	rejects("config setup\n\tloglevel=loud\n", "loglevel: expected", "bad loglevel");
	rejects("config setup\n\tretransmit_timeout=0\n", "retransmit_timeout: bad duration",
		"zero retransmit timeout");
	rejects("config setup\n\tretransmit_timeout=0ms\n", "retransmit_timeout: bad duration",
		"zero ms retransmit timeout");
	rejects("config setup\n\tretransmit_timeout=601\n", "at most 600 s",
		"long retransmit timeout");
	rejects("config setup\n\tretransmit_tries=21\n", "retransmit_tries: expected",
		"too many retries");
	rejects("config setup\n\thalfopen_max=0\n", "halfopen_max: expected 1..65536",
		"zero halfopen_max");
	rejects("config setup\n\thalfopen_max_peer=65537\n",
		"halfopen_max_peer: expected 1..65536", "huge halfopen_max_peer");
	rejects("config setup\n\tnat_keepalive=61m\n", "t.conf:2: nat_keepalive: at most 3600 s",
		"nat_keepalive over an hour");
	rejects("config setup\n\tnat_keepalive=often\n", "nat_keepalive: bad duration",
		"nat_keepalive not a duration");
	{
		struct config cfg;

		tap_ok(parse("config setup\n\tnat_keepalive=0\n", &cfg) == 0 &&
		       cfg.nat_keepalive == 0, "nat_keepalive=0 turns keepalives off");
		config_free(&cfg);
	}
	rejects(BASE "\tleft=host.example\n", "t.conf:5: left: expected an IPv4 or IPv6 address",
		"hostname");
	rejects(BASE "\tleftsubnet=10.0.0.0/33\n", "leftsubnet: expected ADDRESS[/PREFIX]",
		"prefix too long");
	rejects(BASE "\tleftsubnet=10.0.0.0/024\n", "leftsubnet: expected", "leading zero");
	rejects(BASE "\tleftsubnet=10.0.0.0/\n", "leftsubnet: expected", "empty prefix");
	rejects(BASE "\tauthby=rsasig\n", "authby: only \"secret\"", "rsasig");
	rejects(BASE "\tkeyexchange=ikev2\n", "keyexchange: only ikev1", "ikev2");
	rejects(BASE "\tike=aes256-sha256\n", "ike: proposal needs CIPHER-HASH-GROUP",
		"two-part ike");
	rejects(BASE "\tike=des-sha256-modp2048\n", "ike: unknown cipher \"des\"", "des");
	rejects(BASE "\tike=aes256-md5-modp2048\n", "ike: unknown hash \"md5\"", "md5");
	rejects(BASE "\tike=aes256-sha256-modp768\n", "ike: unknown DH group \"modp768\"",
		"modp768");
	rejects(BASE "\tike=aes256-sha256-modp2048,\n", "ike: empty proposal", "trailing comma");
	rejects(BASE "\tike=!\n", "ike: empty proposal list", "only '!'");
	rejects(BASE "\tike=aes256--modp2048\n", "ike: malformed proposal", "double dash");
	rejects(BASE "\tesp=chacha20poly1305\n", "esp: unknown cipher", "chacha20 in IKEv1");
	rejects(BASE "\tesp=aes192gcm16\n", "esp: unknown cipher", "AES-192 (not in kipsec)");
	rejects(BASE "\tesp=aes128\n", "esp: \"aes128\" needs an integrity algorithm",
		"CBC without integrity");
	rejects(BASE "\tesp=aes128-md5\n", "esp: unknown integrity algorithm \"md5\"",
		"HMAC-MD5");
	rejects(BASE "\tesp=aes128gcm16-modp2048-x\n", "esp: too many algorithms",
		"extra ESP word");
	rejects(BASE "\tesp=aes128gcm16-modp9\n", "esp: unknown DH group", "bad PFS group");
	rejects(BASE "\tesp=a-b-c-d-e-f-g-h-i\n", "too many algorithms in one proposal",
		"nine words");
	rejects(BASE "\tah=md5\n", "ah: unknown integrity algorithm", "AH MD5");
	rejects(BASE "\tah=sha256-modp2048-x\n", "ah: too many algorithms", "extra AH word");
	rejects(BASE "\tah=sha256-foo\n", "ah: unknown DH group", "bad AH group");
	rejects(BASE "\tah=sha256-modp2048\n\tesp=aes128gcm16-ecp256\n",
		"AH and ESP proposals name different DH groups", "bundle group mismatch");
	rejects(BASE "\tpfs=no\n\tesp=aes128gcm16-modp2048\n", "pfs=no, but",
		"pfs=no with a group");
	rejects(BASE "\tpfs=maybe\n", "pfs: expected yes or no", "bad pfs");
	rejects(BASE "\tesp=aes128gcm16-modp2048,aes128gcm16-ecp256\n",
		"conn c: phase-2 proposals name different DH groups",
		"phase-2 proposals with different groups");
	rejects(BASE "\tparallel=1\n", "t.conf:5: parallel: expected yes or no, not \"1\"",
		"bad parallel");
	rejects(BASE "\treplay_window=4097\n",
		"t.conf:5: replay_window: expected a packet count 0..4096, not \"4097\"",
		"replay window above kipsec's largest");
	rejects(BASE "\treplay_window=-1\n", "replay_window: expected a packet count",
		"negative replay window");
	rejects(BASE "\tikelifetime=0\n", "ikelifetime: bad duration", "zero lifetime");
	rejects(BASE "\tlifetime=1y\n", "lifetime: bad duration", "bad unit");
	rejects(BASE "\tlifebytes=999\n", "lifebytes: expected a byte count", "tiny lifebytes");
	rejects(BASE "\tlifebytes=lots\n", "lifebytes: expected", "bad lifebytes");
	rejects(BASE "\tmarginbytes=0\n", "marginbytes: expected a byte count of at least 1 ",
		"zero marginbytes");
	rejects(BASE "\tlifebytes=1M\n\tmarginbytes=1M\n",
		"marginbytes (1000000) must be below lifebytes (1000000)",
		"byte margin not below lifebytes");
	rejects(BASE "\trekeyfuzz=25\n", "rekeyfuzz: expected a percentage",
		"rekeyfuzz without %");
	rejects(BASE "\trekeyfuzz=101%\n", "rekeyfuzz: expected a percentage",
		"rekeyfuzz above 100%");
	rejects(BASE "\trekeymargin=1h\n", "rekeymargin (3600 s) must be below lifetime",
		"margin above lifetime");
	rejects(BASE "\tauto=ignore\n", "auto: expected add, start or route", "bad auto");
	rejects(BASE "\ttype=pass\n", "type: expected tunnel or transport", "bad type");
	rejects(BASE "\tkeyingtries=0\n", "keyingtries: expected", "zero tries");
	rejects("conn c\n\tleft=192.0.2.1\n\tauthby=secret\n",
		"t.conf:1: conn c: \"left\" and \"right\" are required", "missing right");
	rejects("conn c\n\tleft=192.0.2.1\n\tright=2001:db8::1\n\tauthby=secret\n",
		"different address families", "mixed families");
	rejects("conn c\n\tleft=192.0.2.1\n\tright=192.0.2.2\n",
		"\"authby=secret\" is required", "missing authby");
	rejects(BASE "\tleftsubnet=10.0.0.0/8\n", "leftsubnet and rightsubnet go together",
		"one subnet only");
	rejects(BASE "\tleftsubnet=10.0.0.0/8\n\trightsubnet=2001:db8::/64\n",
		"subnets of another address family", "subnet family");
	rejects(BASE BASE, "t.conf:5: conn c: defined twice (first at line 1)",
		"duplicate conn");
	{
		char line[1100];

		memset(line, 'x', sizeof(line) - 1);
		line[sizeof(line) - 1] = '\0';
		rejects(line, "line longer than", "overlong line");
	}
}

static int secrets(const char *text, struct secrets *s)
{
	memset(s, 0, sizeof(*s));
	err[0] = '\0';
	return secrets_parse("t.secrets", text, s, err, sizeof(err));
}

/* k is the key want, byte for byte (want's NUL not included). */
static bool key_is(const struct ike_secret *k, const char *want)
{
	size_t n = strlen(want);

	return k && k->len == n && !memcmp(k->ptr, want, n);
}

static void srejects(const char *text, const char *want, const char *name)
{
	struct secrets s;
	int rc = secrets(text, &s);

	if (!tap_ok(rc == -1 && strstr(err, want) != NULL, "secrets: rejects %s", name))
		printf("#   rc %d, message \"%s\", want \"%s\"\n", rc, err, want);
	tap_ok(!strstr(err, "hunter2"), "secrets: message for %s quotes no key", name);
	secrets_free(&s);
}

static void test_secrets(void)
{
	struct secrets s;
	struct ip_addr l, p, other, v6;
	const struct ike_secret *k;

	ip_addr_parse("192.0.2.1", &l);
	ip_addr_parse("192.0.2.2", &p);
	ip_addr_parse("192.0.2.9", &other);
	ip_addr_parse("2001:db8::2", &v6);
	tap_is_int(secrets("# keys\n"
			   ": PSK \"default\"\n"
			   "192.0.2.2 : PSK \"peer\"\n"
			   "192.0.2.1 192.0.2.2 : PSK \"both\"\n"
			   "%any 2001:db8::2 : PSK 0x0102ff\n", &s), 0, "secrets parse");
	tap_is_int(s.n, 4, "four entries");
	k = secrets_lookup(&s, &l, &p);
	tap_ok(key_is(k, "both"), "both addresses beat one");
	k = secrets_lookup(&s, &other, &p);
	tap_ok(key_is(k, "peer"), "peer address alone");
	k = secrets_lookup(&s, &l, &other);
	tap_ok(key_is(k, "default"), "no address: any peer");
	k = secrets_lookup(&s, &l, &v6);
	tap_ok(k && k->len == 3 && k->ptr[2] == 0xff, "hex key, %%any, IPv6");
	secrets_free(&s);
	tap_is_int(secrets("192.0.2.2 : PSK \"x\"\n", &s), 0, "one entry");
	tap_ok(secrets_lookup(&s, &l, &other) == NULL, "no match without a default");
	secrets_free(&s);

	srejects("192.0.2.2 : RSA key.pem\n", "t.secrets:1: unsupported secret type \"RSA\"",
		 "RSA");
	srejects("192.0.2.2 : PSK hunter2\n", "PSK: expected a \"quoted\" key", "bare key");
	srejects("192.0.2.2 : PSK \"hunter2\n", "PSK: unterminated quoted key", "open quote");
	srejects("192.0.2.2 : PSK \"\"\n", "PSK: empty key", "empty key");
	srejects("192.0.2.2 : PSK 0xhunter2\n", "PSK: bad hex key", "bad hex");
	srejects("1.1.1.1 2.2.2.2 3.3.3.3 : PSK \"hunter2\"\n", "more than two addresses",
		 "three addresses");
	srejects("host.example : PSK \"hunter2\"\n", "bad address \"host.example\"",
		 "hostname");
	srejects("\n\nPSK hunter2\n", "t.secrets:3: expected", "no colon");
}

/* A NAT-T peer followed from its configured address to another one. */
static void test_secrets_moved(void)
{
	struct secrets s;
	struct ip_addr l, conf, now, gone;
	const struct ike_secret *k;

	ip_addr_parse("192.0.2.1", &l);
	ip_addr_parse("192.0.2.2", &conf);
	ip_addr_parse("192.0.2.3", &now);
	ip_addr_parse("192.0.2.4", &gone);
	tap_is_int(secrets("192.0.2.1 192.0.2.2 : PSK \"conf\"\n", &s), 0,
		   "moved: one entry for the configured address");
	k = secrets_lookup_peer(&s, &l, &conf, &now);
	tap_ok(key_is(k, "conf"),
	       "moved: the configured address's key serves the moved peer");
	tap_ok(secrets_lookup(&s, &l, &now) == NULL,
	       "moved: the current address alone has none");
	secrets_free(&s);

	tap_is_int(secrets(": PSK \"any\"\n"
			   "192.0.2.3 : PSK \"now\"\n", &s), 0,
		   "moved: a default and an entry for the current address");
	k = secrets_lookup_peer(&s, &l, &conf, &now);
	tap_ok(key_is(k, "now"),
	       "moved: an entry naming the current address beats the default");
	k = secrets_lookup_peer(&s, &l, &conf, &gone);
	tap_ok(key_is(k, "any"), "moved: else the default");
	secrets_free(&s);

	tap_is_int(secrets("192.0.2.3 : PSK \"now\"\n"
			   "192.0.2.2 : PSK \"conf\"\n", &s), 0,
		   "moved: entries for both addresses");
	k = secrets_lookup_peer(&s, &l, &conf, &now);
	tap_ok(key_is(k, "conf"), "moved: the configured address comes first");
	k = secrets_lookup_peer(&s, &l, &conf, &conf);
	tap_ok(key_is(k, "conf"), "not moved: the configured address");
	tap_ok(secrets_lookup_peer(&s, &l, &gone, &gone) == NULL,
	       "not moved, no entry, no default: none");
	secrets_free(&s);
}

static void test_files(void)
{
	char dir[] = "/tmp/test_ipsecd.XXXXXX", path[64];
	struct secrets s = { 0 };
	struct config cfg;
	int fd;

	if (!mkdtemp(dir)) {
		tap_ok(0, "mkdtemp");
		return;
	}
	snprintf(path, sizeof(path), "%s/s", dir);
	fd = open(path, O_CREAT | O_WRONLY, 0644);
	if (fd >= 0) {
		if (write(fd, "192.0.2.2 : PSK \"k\"\n", 20) != 20)
			tap_ok(0, "write");
		close(fd);
	}
	chmod(path, 0644);
	tap_ok(secrets_load(path, &s, err, sizeof(err)) == -1 &&
	       strstr(err, "readable or writable by group or others"),
	       "a group/world-readable secrets file is refused");
	chmod(path, 0600);
	tap_is_int(secrets_load(path, &s, err, sizeof(err)), 0,
		   "a mode-600 secrets file is read");
	tap_is_int(s.n, 1, "with its entry");
	secrets_free(&s);
	config_init(&cfg);
	tap_ok(config_load(path, &cfg, err, sizeof(err)) == -1 &&
	       strstr(err, "/s:1: unexpected"), "config_load reports file:line");
	config_free(&cfg);
	/* A NUL would hide the rest of the line from the parser. */
	fd = open(path, O_WRONLY | O_TRUNC);
	if (fd >= 0) {
		if (write(fd, "192.0.2.2 : PSK \"k\0x\"\n", 22) != 22)
			tap_ok(0, "write");
		close(fd);
	}
	tap_ok(secrets_load(path, &s, err, sizeof(err)) == -1 &&
	       strstr(err, "/s: contains a NUL byte"),
	       "a secrets file with a NUL byte is refused");
	config_init(&cfg);
	tap_ok(config_load(path, &cfg, err, sizeof(err)) == -1 &&
	       strstr(err, "/s: contains a NUL byte"),
	       "a configuration file with a NUL byte is refused");
	config_free(&cfg);
	unlink(path);
	tap_ok(config_load(path, &cfg, err, sizeof(err)) == -1 &&
	       strstr(err, "No such file"), "a missing file is reported");
	tap_ok(secrets_load(dir, &s, err, sizeof(err)) == -1 &&
	       strstr(err, "not a regular file"), "a directory is refused");
	rmdir(dir);
}

static void test_soft_limits(void)
{
	uint64_t lo = UINT64_MAX, hi = 0, v, r;

	/* 3600 s, margin 540 s, fuzz 100%: 2520..3060 s, both ends reached. */
	for (r = 0; r < 2000; r++) {
		v = rekey_soft_limit(3600, 540, 100, r * 7919);
		lo = v < lo ? v : lo;
		hi = v > hi ? v : hi;
	}
	tap_ok(lo == 2520 && hi == 3060, "3600 s - 540 s - random(540 s): 2520..3060");
	tap_is_int((long long)rekey_soft_limit(3600, 540, 0, 12345), 3060,
		   "rekeyfuzz=0%: exactly lifetime - rekeymargin");
	tap_is_int((long long)rekey_soft_limit(2000000, 200000, 0, 99), 1800000,
		   "bytes: 90% without fuzz");
	tap_is_int((long long)rekey_soft_limit(2000000, 200000, 100, 200000), 1600000,
		   "bytes: 80% at most with rekeyfuzz=100%");
	tap_is_int((long long)rekey_soft_limit(20, 8, 50, 4), 8,
		   "20 s, margin 8 s, fuzz 50%: down to 8 s");
	tap_is_int((long long)rekey_soft_limit(20, 15, 100, 2), 3,
		   "the random part takes at most half of what is left");
	tap_is_int((long long)rekey_soft_limit(5, 0, 100, 0), 4,
		   "a margin of 0 still leaves the soft limit below the hard one");
	tap_is_int((long long)rekey_soft_limit(5, 9, 0, 0), 1,
		   "a margin beyond the hard limit still gives 1");
	tap_is_int((long long)rekey_soft_limit(1, 0, 0, 0), 0,
		   "no soft limit below a hard limit of 2");
	tap_is_int((long long)rekey_soft_limit(0, 0, 0, 0), 0,
		   "no soft limit without a hard one");
	tap_is_int((long long)rekey_soft_limit(UINT64_MAX, UINT64_MAX / 10, 100,
					       UINT64_MAX),
		   (long long)(UINT64_MAX - UINT64_MAX / 10 -
			       UINT64_MAX % (UINT64_MAX / 1000 * 100 +
					     (UINT64_MAX / 10) % 100 + 1)),
		   "no overflow near UINT64_MAX");
}

/* Dead peer detection and the security level (dpd.c, fallback.c). */
static void test_dpd_level(void)
{
	struct config cfg;
	const struct conn_config *c;

	tap_is_int(parse(BASE, &cfg), 0, "conn without DPD or level keys");
	c = &cfg.conns[0];
	tap_ok(c->dpddelay == 30 && c->dpdtimeout == 150 &&
	       c->dpdaction == DPD_ACTION_NONE,
	       "DPD defaults: 30 s, 150 s, dpdaction=none (strongSwan's)");
	tap_ok(c->level == CONN_LEVEL_REQUIRE && c->fallback_timeout == 3 &&
	       c->fallback_lifetime == 300,
	       "level=require; fallback after 3 s for 5 min (Windows')");
	config_free(&cfg);

	tap_is_int(parse(BASE "\tdpddelay=2s\n\tdpdtimeout=6\n\tdpdaction=restart\n"
			 "\tlevel=request\n\tauto=route\n\tfallback_timeout=4s\n"
			 "\tfallback_lifetime=2m\n", &cfg), 0, "every new key parses");
	c = &cfg.conns[0];
	tap_ok(c->dpddelay == 2 && c->dpdtimeout == 6 &&
	       c->dpdaction == DPD_ACTION_RESTART, "dpddelay, dpdtimeout, dpdaction");
	tap_ok(c->level == CONN_LEVEL_REQUEST && c->fallback_timeout == 4 &&
	       c->fallback_lifetime == 120, "level, fallback_timeout, fallback_lifetime");
	config_free(&cfg);

	tap_is_int(parse("conn %default\n\tdpdaction=hold\n\tdpddelay=5\n" BASE,
			 &cfg), 0, "DPD keys in conn %default");
	tap_ok(cfg.conns[0].dpdaction == DPD_ACTION_HOLD &&
	       cfg.conns[0].dpddelay == 5, "inherited from %%default");
	config_free(&cfg);
	tap_is_int(parse(BASE "\tdpdaction=clear\n", &cfg), 0, "dpdaction=clear");
	tap_is_int(cfg.conns[0].dpdaction, DPD_ACTION_CLEAR, "clear parsed");
	config_free(&cfg);
	tap_is_int(parse(BASE "\tlevel=request\n\tauto=start\n", &cfg), 0,
		   "level=request with auto=start");
	config_free(&cfg);

	rejects(BASE "\tdpdaction=reboot\n",
		"t.conf:5: dpdaction: expected none, clear, hold or restart, not \"reboot\"",
		"unknown dpdaction");
	rejects(BASE "\tdpddelay=0\n", "t.conf:5: dpddelay: bad duration \"0\"",
		"zero dpddelay");
	rejects(BASE "\tdpdtimeout=soon\n", "t.conf:5: dpdtimeout: bad duration",
		"bad dpdtimeout");
	rejects(BASE "\tlevel=maybe\n",
		"t.conf:5: level: expected require or request, not \"maybe\"",
		"unknown level");
	rejects(BASE "\tfallback_timeout=-1\n", "t.conf:5: fallback_timeout: bad duration",
		"negative fallback_timeout");
	rejects(BASE "\tfallback_lifetime=0s\n", "t.conf:5: fallback_lifetime: bad duration",
		"zero fallback_lifetime");
	rejects(BASE "\tlevel=request\n",
		"t.conf:1: conn c: level=request needs auto=route or auto=start",
		"level=request with auto=add");
}

/* Every DH group the parser names is one libike can compute. */
static void test_groups(void)
{
	static const char *const names[] = { "modp1024", "modp1536", "modp2048",
					     "ecp256", "ecp384", "curve25519" };
	char text[256];
	struct config cfg;
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(text, sizeof(text), BASE "\tike=aes128-sha256-%s\n",
			 names[i]);
		tap_ok(parse(text, &cfg) == 0 && cfg.nconns == 1 &&
		       ike_dh_supported(cfg.conns[0].ike[0].group),
		       "ike group %s accepted and supported", names[i]);
		config_free(&cfg);
	}
}

int main(void)
{
	if (ike_crypto_init())
		return 1;
	test_defaults();
	test_full();
	test_pfs_group();
	test_errors();
	test_secrets();
	test_secrets_moved();
	test_files();
	test_soft_limits();
	test_dpd_level();
	test_groups();
	return tap_done();
}
