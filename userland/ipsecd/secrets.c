// SPDX-License-Identifier: GPL-2.0
/*
 * The secrets file: "[ADDRESS [ADDRESS]] : PSK key" lines, parsed into
 * keys that are wiped when freed and never quoted in an error, and the
 * choice of the key for a peer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "ipsecd/config.h"
#include "ipsecd/config_file.h"

void secrets_free(struct secrets *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		ike_secret_free(s->entries[i].psk);
	free(s->entries);
	s->entries = NULL;
	s->n = 0;
}

/* Parses the key after "PSK": "text" or 0xHEX. Never quotes it in errors. */
static int psk_value(struct parser *p, const char *v, struct ike_secret **out)
{
	size_t len = strlen(v), klen, bad;
	struct ike_secret *k;

	if (v[0] == '"') {
		if (len < 2 || v[len - 1] != '"' || memchr(v + 1, '"', len - 2))
			return perr(p, "PSK: unterminated quoted key");
		if (len == 2)
			return perr(p, "PSK: empty key");
		*out = ike_secret_dup(v + 1, len - 2);
		return *out ? 0 : perr(p, "out of memory");
	}
	if (!strncmp(v, "0x", 2) || !strncmp(v, "0X", 2)) {
		enum hex_error e;

		k = ike_secret_new(len / 2);
		if (!k)
			return perr(p, "out of memory");
		e = hex_decode(v, k->ptr, k->len, &klen, &bad);
		if (e != HEX_OK) {
			ike_secret_free(k);
			return perr(p, "PSK: bad hex key: %s", hex_error_text(e));
		}
		k->len = klen;
		*out = k;
		return 0;
	}
	return perr(p, "PSK: expected a \"quoted\" key or 0x-prefixed hex");
}

static int secrets_line(struct parser *p, char *line, struct secrets *s)
{
	char *colon = strchr(line, ':'), *sel, *tok, *save = NULL, *type, *value;
	struct psk_entry e = { 0 }, *grown;

	/* IPv6 selectors contain ':', so split at " : " when it is there. */
	tok = strstr(line, " : ");
	if (!tok && colon == line)
		tok = line;
	if (!tok) {
		/* "ADDR:PSK ..." without blanks only works for IPv4. */
		if (!colon)
			return perr(p, "expected \"[ADDRESS [ADDRESS]] : PSK \\\"key\\\"\"");
		tok = colon;
	} else if (tok != line) {
		tok++;
	}
	*tok = '\0';
	sel = line;
	value = trim(tok + 1);
	for (tok = strtok_r(sel, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
		if (!strcmp(tok, "%any"))
			continue;
		if (e.naddrs == 2)
			return perr(p, "more than two addresses before ':'");
		if (ip_addr_parse(tok, &e.addrs[e.naddrs]))
			return perr(p, "bad address \"%s\" before ':'", tok);
		e.naddrs++;
	}
	type = value;
	value = type + strcspn(type, " \t");
	if (*value)
		*value++ = '\0';
	value = trim(value);
	if (strcmp(type, "PSK"))
		return perr(p, "unsupported secret type \"%s\" (only PSK)", type);
	if (psk_value(p, value, &e.psk))
		return -1;
	grown = reallocarray(s->entries, s->n + 1, sizeof(*grown));
	if (!grown) {
		ike_secret_free(e.psk);
		return perr(p, "out of memory");
	}
	s->entries = grown;
	s->entries[s->n++] = e;
	return 0;
}

int secrets_parse(const char *file, const char *text, struct secrets *s,
		  char *err, size_t errlen)
{
	struct parser p = { .file = file, .err = err, .errlen = errlen };
	char *line = sodium_malloc(LINE_MAX_LEN + 1);
	const char *pos = text, *nl;
	int rc = 0;
	size_t len;

	if (!line) {
		snprintf(err, errlen, "%s: out of memory", file);
		return -1;
	}
	while (*pos && !rc) {
		char *t;

		p.line++;
		nl = strchr(pos, '\n');
		len = nl ? (size_t)(nl - pos) : strlen(pos);
		pos += len + (nl ? 1 : 0);
		if (len > LINE_MAX_LEN) {
			rc = perr(&p, "line longer than %d bytes", LINE_MAX_LEN);
			break;
		}
		memcpy(line, pos - len - (nl ? 1 : 0), len);
		line[len] = '\0';
		t = trim(line);
		if (!*t || *t == '#')
			continue;
		rc = secrets_line(&p, t, s);
	}
	/* sodium_free() wipes the copy of the last line. */
	sodium_free(line);
	if (rc)
		secrets_free(s);
	return rc;
}

int secrets_load(const char *path, struct secrets *s, char *err, size_t errlen)
{
	char *text = read_file(path, true, err, errlen);
	int rc;

	if (!text)
		return -1;
	rc = secrets_parse(path, text, s, err, errlen);
	sodium_free(text);
	return rc;
}

/* The best entry for peer and its score: 2 both, 1 peer, 0 any, -1 none. */
static const struct ike_secret *lookup_scored(const struct secrets *s,
					      const struct ip_addr *local,
					      const struct ip_addr *peer,
					      int *scorep)
{
	const struct ike_secret *best = NULL;
	int best_score = -1;
	size_t i, j;

	for (i = 0; i < s->n; i++) {
		const struct psk_entry *e = &s->entries[i];
		bool has_peer = false, has_local = false, other = false;
		int score;

		for (j = 0; j < e->naddrs; j++) {
			if (ip_addr_equal(&e->addrs[j], peer) && !has_peer)
				has_peer = true;
			else if (ip_addr_equal(&e->addrs[j], local))
				has_local = true;
			else
				other = true;
		}
		if (other || (e->naddrs && !has_peer))
			continue;
		score = has_peer ? (has_local ? 2 : 1) : 0;
		if (score > best_score) {
			best = e->psk;
			best_score = score;
		}
	}
	*scorep = best_score;
	return best;
}

const struct ike_secret *secrets_lookup(const struct secrets *s,
					const struct ip_addr *local,
					const struct ip_addr *peer)
{
	int score;

	return lookup_scored(s, local, peer, &score);
}

const struct ike_secret *secrets_lookup_peer(const struct secrets *s,
					     const struct ip_addr *local,
					     const struct ip_addr *configured,
					     const struct ip_addr *current)
{
	const struct ike_secret *psk, *moved;
	int score, moved_score;

	psk = lookup_scored(s, local, configured, &score);
	if (score > 0 || ip_addr_equal(configured, current))
		return psk;
	moved = lookup_scored(s, local, current, &moved_score);
	return moved_score > 0 ? moved : psk;
}
