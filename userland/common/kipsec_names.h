/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Names of the kipsec uAPI values, shared by every tool so that the command
 * line, the output and the logs all speak the same words.
 */
#ifndef KIPSEC_COMMON_NAMES_H
#define KIPSEC_COMMON_NAMES_H

#include <stdint.h>

#include "kipsec.h"

/* Canonical names; NULL for values this build does not know. */
const char *kipsec_enc_alg_name(unsigned int alg);
const char *kipsec_auth_alg_name(unsigned int alg);
const char *kipsec_proto_name(unsigned int proto);
const char *kipsec_mode_name(unsigned int mode);

/*
 * Lookups by name, accepting the aliases (aes-gcm, hmac-sha256, ...).
 * Return 0 and set *out, or -1 for an unknown name.
 */
int kipsec_enc_alg_lookup(const char *name, uint16_t *out);
int kipsec_auth_alg_lookup(const char *name, uint16_t *out);
int kipsec_proto_lookup(const char *name, uint8_t *out);
int kipsec_mode_lookup(const char *name, uint8_t *out);

/* Security policies: direction, action, level, and the selector's IP
 * protocol ("any" for 0; NULL for a protocol printed as a number). */
const char *kipsec_dir_name(unsigned int dir);
const char *kipsec_action_name(unsigned int action);
const char *kipsec_level_name(unsigned int level);
const char *kipsec_ip_proto_name(unsigned int proto);
int kipsec_dir_lookup(const char *name, uint8_t *out);
int kipsec_action_lookup(const char *name, uint8_t *out);
int kipsec_level_lookup(const char *name, uint8_t *out);
int kipsec_ip_proto_lookup(const char *name, uint8_t *out);

/* Whether the cipher authenticates by itself, so no auth algorithm is used. */
int kipsec_enc_alg_is_aead(unsigned int alg);

/* Counter names by index (attribute - KIPSEC_STAT_FIRST). */
extern const char *const kipsec_stat_names[KIPSEC_STAT_COUNT];

/* "KIPSEC_A_SA_SPI" etc., for messages about a rejected attribute. */
const char *kipsec_attr_name(unsigned int type);
const char *kipsec_lifetime_attr_name(unsigned int type);
const char *kipsec_stats_attr_name(unsigned int type);

#endif
