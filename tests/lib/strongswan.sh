# SPDX-License-Identifier: GPL-2.0
#
# strongSwan charon as an interop peer in guest tests: one charon per network
# namespace, each fully separate (DESIGN.md §4), configured through swanctl.
#
# Source after tests/lib/tap.sh. Every function takes the namespace first.
# Each instance lives in $SW_BASE/NS (default /tmp/kipsec-sw/NS):
#   strongswan.conf  the instance's own (passed as STRONGSWAN_CONF)
#   swanctl.conf     includes conf.d/*.conf, one file per sw_conn
#   charon.vici      the vici socket (swanctl --uri unix://...)
#   charon.log       charon's filelog (ike/knl/cfg/net at level 2; time
#                    stamps HH:MM:SS.ms, which the bench reads)
#   charon.out       charon's stdout/stderr (start-up failures land here)
#   pid              charon's pid as seen from the test
#
# Functions:
#   sw_start NS         start charon in NS and wait until vici answers.
#                       Env: SW_PLUGINS overrides the plugin list,
#                       SW_CHARON_EXTRA is raw text added inside charon { }
#                       (e.g. "retransmit_tries = 2"), SW_LOGLEVEL (default 2)
#   sw_stop NS          SIGTERM (charon deletes its SAs and sends Deletes),
#                       wait up to 10 s, then SIGKILL; status 1 if it had
#                       to be killed. Safe when nothing runs.
#   sw_stop_all         sw_stop for every instance under $SW_BASE
#   sw_conn NS NAME key=value...
#                       write conf.d/NAME.conf: one IKE connection NAME with
#                       one child, and its PSK. Keys (defaults in brackets):
#                         local= remote=      IKE addresses (required)
#                         local_ts= remote_ts= traffic selectors, comma
#                                             list [the IKE addresses]
#                         psk=                pre-shared key, a string or
#                                             0x-hex (required)
#                         version=            [1]
#                         ike=                [aes128-sha256-modp2048]
#                         esp=                [aes128gcm16]; add -modp2048
#                                             etc. for PFS
#                         ah=                 AH proposals (then no ESP)
#                         mode=               [tunnel] | transport
#                         start_action=       [none] | trap | start
#                         child=              child name [NAME]
#                         local_id= remote_id= IKE identities [addresses]
#                         conn.KEY=VALUE      any other connection setting
#                         child.KEY=VALUE     any other child setting
#                                             (e.g. child.rekey_time=20s)
#   sw_load NS          swanctl --load-all of the instance's swanctl.conf
#   sw_initiate NS CHILD [TIMEOUT_S]
#                       swanctl --initiate --child CHILD; blocks until the
#                       CHILD_SA is installed or fails [30 s]
#   sw_terminate NS IKE_NAME
#                       swanctl --terminate --ike IKE_NAME (sends Deletes)
#   sw_wait_child NS CHILD [TIMEOUT_S]
#                       wait until NS lists CHILD as INSTALLED [10 s]
#                       (for the responder side)
#   sw_swanctl NS ARGS...
#                       any swanctl command against NS's charon, e.g.
#                       sw_swanctl gw-a --list-sas
#   sw_log NS           print the path of NS's charon log
#
# Why it is done this way:
# - charon's pid file path is compiled in (/var/run/charon.pid, i.e.
#   /run/charon.pid), and a second charon refuses to start while it exists.
#   Each charon therefore runs in its own mount namespace (unshare -m) with a
#   private tmpfs on /run. Everything else (config, socket, log) is kept in
#   the instance directory, which both charon and swanctl see.
# - load_modular = no with an explicit plugin list: charon must not pick up
#   the host's /etc/strongswan.d (which could load stroke, updown, resolve
#   and touch /etc/resolv.conf or run scripts).
# - The plugin list is the minimum that does IKEv1 PSK with AES-CBC, SHA-1/2
#   and MODP groups: random nonce (RNG), aes sha1 sha2 hmac (IKE crypto and
#   prf), gmp (MODP Diffie-Hellman), kernel-netlink (installs SAs and policies
#   in the kernel's XFRM; it also supplies the ESP/AH algorithm names, so no
#   gcm plugin is needed for ESP AES-GCM), socket-default (UDP 500/4500),
#   vici (swanctl). openssl and curve25519 are added when installed, for ECP
#   and Curve25519 groups.
# - install_routes = no: the topology already routes the LANs; charon's
#   routes in table 220 would only hide routing mistakes.
# - SWANCTL_DIR points at the instance directory so swanctl never loads the
#   host's /etc/swanctl credentials.

SW_BASE=${SW_BASE:-/tmp/kipsec-sw}
SW_CHARON=${SW_CHARON:-/usr/lib/ipsec/charon}
SW_PLUGDIR=${SW_PLUGDIR:-/usr/lib/ipsec/plugins}

sw_dir() {
	echo "$SW_BASE/$1"
}

sw_log() {
	echo "$SW_BASE/$1/charon.log"
}

_sw_plugins() {
	local p list="random nonce aes sha1 sha2 hmac gmp"
	if [ -n "${SW_PLUGINS:-}" ]; then
		echo "$SW_PLUGINS"
		return
	fi
	for p in openssl curve25519; do
		[ -e "$SW_PLUGDIR/libstrongswan-$p.so" ] && list="$list $p"
	done
	echo "$list kernel-netlink socket-default vici"
}

# A zombie still has a /proc entry: a charon started by this shell stays one
# until waited for, and must count as gone.
_sw_alive() {
	[ -n "$1" ] && [ -r "/proc/$1/stat" ] &&
		! awk '{ exit !($3 == "Z") }' "/proc/$1/stat" 2>/dev/null
}

sw_swanctl() {
	local ns=$1 dir
	shift
	dir=$(sw_dir "$ns")
	STRONGSWAN_CONF=$dir/strongswan.conf SWANCTL_DIR=$dir \
		swanctl "$@" --uri "unix://$dir/charon.vici"
}

sw_start() {
	local ns=$1 dir pid i
	dir=$(sw_dir "$ns")
	sw_stop "$ns" >/dev/null 2>&1
	rm -rf "$dir"
	# swanctl --load-all complains about every credential directory that
	# is missing; empty ones keep its output readable.
	mkdir -p "$dir/conf.d" || return 1
	(cd "$dir" && mkdir -p x509 x509ca x509ocsp x509aa x509ac x509crl \
		pubkey private rsa ecdsa bliss pkcs8 pkcs12)
	cat >"$dir/strongswan.conf" <<-EOF
	# kipsec test instance for namespace $ns (tests/lib/strongswan.sh)
	charon {
		load_modular = no
		load = $(_sw_plugins)
		install_routes = no
		install_virtual_ip = no
		${SW_CHARON_EXTRA:-}
		plugins {
			vici {
				socket = unix://$dir/charon.vici
			}
		}
		filelog {
			log {
				path = $dir/charon.log
				time_format = %H:%M:%S
				time_add_ms = yes
				append = no
				flush_line = yes
				default = 1
				ike = ${SW_LOGLEVEL:-2}
				knl = ${SW_LOGLEVEL:-2}
				cfg = ${SW_LOGLEVEL:-2}
				net = 1
			}
		}
	}
	swanctl {
		load = random nonce pem pkcs1 x509 pubkey
	}
	EOF
	cat >"$dir/swanctl.conf" <<-EOF
	include $dir/conf.d/*.conf
	EOF

	# exec all the way down, so $! is charon's own pid.
	STRONGSWAN_CONF=$dir/strongswan.conf \
		ip netns exec "$ns" unshare -m --propagation private \
		sh -c 'mount -t tmpfs -o mode=0755 sw-run /run && exec "$0"' \
		"$SW_CHARON" </dev/null >"$dir/charon.out" 2>&1 &
	pid=$!
	echo "$pid" >"$dir/pid"
	for i in $(seq 100); do
		if ! _sw_alive "$pid"; then
			echo "sw_start: charon in $ns exited; its output:" >&2
			cat "$dir/charon.out" >&2
			tail -n 20 "$dir/charon.log" >&2 2>/dev/null
			return 1
		fi
		# Test for the socket first: each swanctl exec is slow in
		# the guest.
		[ -S "$dir/charon.vici" ] &&
			sw_swanctl "$ns" --stats >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	echo "sw_start: charon in $ns: no vici socket after 10 s" >&2
	return 1
}

sw_stop() {
	local ns=$1 dir pid i
	dir=$(sw_dir "$ns")
	pid=$(cat "$dir/pid" 2>/dev/null) || return 0
	rm -f "$dir/pid"
	_sw_alive "$pid" || { wait "$pid" 2>/dev/null; return 0; }
	kill -TERM "$pid" 2>/dev/null
	for i in $(seq 100); do
		_sw_alive "$pid" || break
		sleep 0.1
	done
	if _sw_alive "$pid"; then
		echo "sw_stop: charon in $ns ignored SIGTERM for 10 s; killed" >&2
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		return 1
	fi
	wait "$pid" 2>/dev/null
	return 0
}

sw_stop_all() {
	local d rc=0
	for d in "$SW_BASE"/*/; do
		[ -e "$d/pid" ] || continue
		sw_stop "$(basename "$d")" || rc=1
	done
	return $rc
}

sw_conn() {
	local ns=$1 name=$2 dir kv k v
	local local_addr= remote_addr= local_ts= remote_ts= psk= version=1
	local ike=aes128-sha256-modp2048 esp=aes128gcm16 ah= mode=tunnel
	local start_action=none child= local_id= remote_id=
	local conn_extra= child_extra=
	shift 2
	dir=$(sw_dir "$ns")
	for kv in "$@"; do
		k=${kv%%=*} v=${kv#*=}
		case $k in
		local) local_addr=$v ;;
		remote) remote_addr=$v ;;
		local_ts) local_ts=$v ;;
		remote_ts) remote_ts=$v ;;
		psk) psk=$v ;;
		version) version=$v ;;
		ike) ike=$v ;;
		esp) esp=$v ;;
		ah) ah=$v ;;
		mode) mode=$v ;;
		start_action) start_action=$v ;;
		child) child=$v ;;
		local_id) local_id=$v ;;
		remote_id) remote_id=$v ;;
		conn.*) conn_extra+="		${k#conn.} = $v"$'\n' ;;
		child.*) child_extra+="				${k#child.} = $v"$'\n' ;;
		*)
			echo "sw_conn: unknown key '$k'" >&2
			return 2
			;;
		esac
	done
	if [ -z "$local_addr" ] || [ -z "$remote_addr" ] || [ -z "$psk" ]; then
		echo "sw_conn: local=, remote= and psk= are required" >&2
		return 2
	fi
	# A PSK given as 0x-hex stays hex; anything else is a quoted string.
	case $psk in 0x*) ;; *) psk="\"$psk\"" ;; esac
	{
		echo "connections {"
		echo "	$name {"
		echo "		version = $version"
		echo "		local_addrs = $local_addr"
		echo "		remote_addrs = $remote_addr"
		echo "		proposals = $ike"
		echo "		local {"
		echo "			auth = psk"
		echo "			id = ${local_id:-$local_addr}"
		echo "		}"
		echo "		remote {"
		echo "			auth = psk"
		echo "			id = ${remote_id:-$remote_addr}"
		echo "		}"
		printf '%s' "$conn_extra"
		echo "		children {"
		echo "			${child:-$name} {"
		echo "				local_ts = ${local_ts:-$local_addr}"
		echo "				remote_ts = ${remote_ts:-$remote_addr}"
		if [ -n "$ah" ]; then
			echo "				ah_proposals = $ah"
		else
			echo "				esp_proposals = $esp"
		fi
		echo "				mode = $mode"
		echo "				start_action = $start_action"
		printf '%s' "$child_extra"
		echo "			}"
		echo "		}"
		echo "	}"
		echo "}"
		echo "secrets {"
		echo "	ike-$name {"
		echo "		id-local = ${local_id:-$local_addr}"
		echo "		id-remote = ${remote_id:-$remote_addr}"
		echo "		secret = $psk"
		echo "	}"
		echo "}"
	} >"$dir/conf.d/$name.conf"
}

sw_load() {
	local dir
	dir=$(sw_dir "$1")
	sw_swanctl "$1" --load-all --noprompt --file "$dir/swanctl.conf"
}

sw_initiate() {
	sw_swanctl "$1" --initiate --child "$2" --timeout "${3:-30}"
}

sw_terminate() {
	sw_swanctl "$1" --terminate --ike "$2" --timeout 10
}

sw_wait_child() {
	local ns=$1 child=$2 tmo=${3:-10} i
	for i in $(seq $((tmo * 10))); do
		sw_swanctl "$ns" --list-sas --child "$child" 2>/dev/null |
			grep -q "^ *$child: .*INSTALLED" && return 0
		sleep 0.1
	done
	echo "sw_wait_child: $child not installed in $ns after ${tmo}s" >&2
	return 1
}
