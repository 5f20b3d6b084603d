#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The main job (`make demo`): boots a guest on Debian's kernel, loads
# kipsec.ko there and shows what an admin sees: SAs added with ipsecctl,
# listed, the counters in sysfs; then two gateways (lan-a — gw-a — gw-b —
# lan-b) whose ipsecd negotiate IKEv1, and traffic between their LANs
# crossing the transit link as ESP only; the module's lines in dmesg.
set -euo pipefail
cd "$(dirname "$0")/.."
exec scripts/vm-run -t 600 -- scripts/demo-guest.sh
