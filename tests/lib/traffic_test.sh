# SPDX-License-Identifier: GPL-2.0
#
# The libraries of a packet-path test between the two gateways
# (traffic_case and what it stands on), and its usual start. Source it
# first thing, then call traffic_test_start.

. "$KIPSEC_TOP/tests/lib/tap.sh"
. "$KIPSEC_TOP/tests/lib/guest.sh"
. "$KIPSEC_TOP/tests/lib/topology.sh"
. "$KIPSEC_TOP/tests/lib/xfrm.sh"
. "$KIPSEC_TOP/tests/lib/kipsec_side.sh"
. "$KIPSEC_TOP/tests/lib/traffic.sh"

# traffic_test_start: two checks, kipsec.ko loads and the lan-a — gw-a —
# gw-b — lan-b topology builds; the topology goes when the test exits.
traffic_test_start() {
	trap topo_teardown EXIT
	check "kipsec loads" load_kipsec
	check "topology builds" topo_setup
}
