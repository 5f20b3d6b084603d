# SPDX-License-Identifier: GPL-2.0
#
# ipsecd in guest tests: configurations, start, state. Source after tap.sh
# and guest.sh, then set IPSECD_DIR (a private directory of the test: the
# configurations, secrets, control sockets and logs go there) and
# IPSECD_PSK (the pre-shared key every configuration names).
#
# An ipsecd instance is called by a NAME (a, b, ...): NAME.conf,
# NAME.secrets, NAME.sock and NAME.log in IPSECD_DIR.

# ipsecd_conf NAME LEFT RIGHT [KEY=VALUE...] [setup KEY=VALUE...]
#             [conn CONN [KEY=VALUE...]]...:
# writes NAME.conf, and NAME.secrets with IPSECD_PSK for LEFT and RIGHT.
# The settings every test shares (retransmissions, NAT-T keepalives, PSK
# authentication, the IKE proposal, LEFT and RIGHT) open the file; the
# KEY=VALUEs before the first `setup` or `conn` are for `conn %default`,
# the ones after `setup` for `config setup`, the ones after `conn CONN`
# make up that conn. In `config setup` and `conn %default` a KEY the file
# already has takes the new VALUE in its place, and KEY= (nothing after
# the =, which ipsecd itself would refuse) leaves KEY out, so that ipsecd's
# own default applies.
ipsecd_conf() {
	local name=$1 left=$2 right=$3 part=default arg
	local setup="controlsocket=$IPSECD_DIR/$name.sock
secretsfile=$IPSECD_DIR/$name.secrets
retransmit_timeout=1s
retransmit_tries=3
nat_keepalive=1s"
	local dflt="authby=secret
keyingtries=1
auto=add
left=$left
right=$right
ike=aes128-sha256-modp2048"
	local conns=
	shift 3
	while [ $# -gt 0 ]; do
		arg=$1
		shift
		case $part:$arg in
		*:setup) part=setup ;;
		*:conn)
			part=conn
			conns+=$'\n'"conn $1"$'\n'
			shift
			;;
		setup:*) setup=$(ipsecd_set "$setup" "$arg") ;;
		default:*) dflt=$(ipsecd_set "$dflt" "$arg") ;;
		*) conns+=$'\t'"$arg"$'\n' ;;
		esac
	done
	{
		echo 'config setup'
		printf '%s\n' "$setup" | sed 's/^/\t/'
		printf '\nconn %%default\n'
		printf '%s\n' "$dflt" | sed 's/^/\t/'
		printf '%s' "$conns"
	} >"$IPSECD_DIR/$name.conf"
	printf '%s %s : PSK "%s"\n' "$left" "$right" "$IPSECD_PSK" >"$IPSECD_DIR/$name.secrets"
	chmod 600 "$IPSECD_DIR/$name.secrets"
}

# ipsecd_set LINES KEY=VALUE: LINES (a KEY=VALUE each) with KEY=VALUE in
# place of KEY's line, or at the end; KEY= removes KEY's line.
ipsecd_set() {
	local key=${2%%=*} line out='' found=''
	while IFS= read -r line; do
		if [ "${line%%=*}" = "$key" ]; then
			found=1
			line=$2
		fi
		[ "$line" = "$key=" ] || out+=$line$'\n'
	done <<<"$1"
	[ -n "$found" ] || [ "$2" = "$key=" ] || out+=$2$'\n'
	printf '%s' "$out"
}

# ipsecd_psk NAME LEFT RIGHT KEY: one more entry in NAME.secrets (written
# by ipsecd_conf) for a conn with addresses of its own.
ipsecd_psk() {
	printf '%s %s : PSK "%s"\n' "$2" "$3" "$4" >>"$IPSECD_DIR/$1.secrets"
}

# ipsecd_start NS NAME: starts ipsecd with NAME.conf in namespace NS, its
# log appended to NAME.log; returns once its control socket is there.
ipsecd_start() {
	local ns=$1 name=$2 i
	rm -f "$IPSECD_DIR/$name.sock"
	in_ns "$ns" ipsecd -f "$IPSECD_DIR/$name.conf" </dev/null >/dev/null \
		2>>"$IPSECD_DIR/$name.log" &
	for i in $(seq 50); do
		[ -S "$IPSECD_DIR/$name.sock" ] && return 0
		sleep 0.1
	done
	return 1
}

# ipsecd_ctl NAME ARGS...: ipsecctl on instance NAME's control socket.
ipsecd_ctl() {
	local name=$1
	shift
	ipsecctl -s "$IPSECD_DIR/$name.sock" "$@"
}

# ipsecd_established NAME CONN: CONN is established on NAME, with IPsec
# SAs.
ipsecd_established() {
	ipsecd_ctl "$1" -j ike list 2>/dev/null | jq -e --arg c "$2" \
		'map(select(.conn == $c and .state == "established" and (.ipsec_sas | length) > 0)) | length > 0' \
		>/dev/null
}

# ipsecd_pair_up A B CONN [NOTE_A [NOTE_B]]: five checks: ipsecd starts
# with A.conf on gw-a and with B.conf on gw-b, A brings CONN up, CONN is
# established on gw-a (30 s) and then on gw-b (10 s). A NOTE ends the
# name of its side's start check, e.g. " (behind the NAT)".
ipsecd_pair_up() {
	local a=$1 b=$2 conn=$3
	check "ipsecd starts on gw-a${4:-}" ipsecd_start gw-a "$a"
	check "ipsecd starts on gw-b${5:-}" ipsecd_start gw-b "$b"
	check "ipsecctl up $conn" ipsecd_ctl "$a" up "$conn"
	check "$conn is established on gw-a" wait_for 30 ipsecd_established "$a" "$conn"
	check "$conn is established on gw-b" wait_for 10 ipsecd_established "$b" "$conn"
}

# ipsecd_stop_all NS...: SIGTERM to every process in the namespaces (ipsecd
# is the only one there), then wait up to 10 s for all of them to exit.
ipsecd_stop_all() {
	local ns
	for ns in "$@"; do
		ip netns pids "$ns" | xargs -r kill -TERM 2>/dev/null
	done
	wait_for 10 ipsecd_gone "$@"
}

# ipsecd_gone NS...: no process left in any of the namespaces.
ipsecd_gone() {
	local ns
	for ns in "$@"; do
		! ip netns pids "$ns" | grep -q . || return 1
	done
}

# ipsecd_keep_logs PREFIX: copies every log to the guest's results as
# PREFIX-NAME.log (the results of all tests share one directory).
ipsecd_keep_logs() {
	local f
	[ -w /mnt/out ] || return 0
	for f in "$IPSECD_DIR"/*.log; do
		[ -e "$f" ] && cp "$f" "/mnt/out/$1-$(basename "$f")"
	done
	return 0
}
