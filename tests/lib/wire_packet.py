#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Capture IP packets off an interface and send them again, for replay and
tampering tests: what an attacker on the transit link can do.

  wire_packet.py capture IFACE PROTO FILE [TIMEOUT [OFFSET=HEX]]
      wait for the first IPv4 packet of IP protocol PROTO (50 = ESP,
      51 = AH, 17 = UDP) received on IFACE, and whose bytes from OFFSET
      (counted from the IP header) are HEX if given, and write it, from
      its IP header on, to FILE (a UDP checksum zeroed: what was
      captured may hold an offload's partial one); prints "captured N
      bytes". Status 1 on timeout.
  wire_packet.py send FILE [FLIP_OFFSET]
      send FILE's packet unchanged through a raw socket (its own IP header,
      so source and destination stay the peer's), or with the lowest bit of
      the byte at FLIP_OFFSET (counted from the IP header) flipped.
  wire_packet.py listen PORT FIRST_TIMEOUT IDLE_TIMEOUT [6]
      print "ready" once bound to UDP PORT (of IPv6 with 6, else of
      IPv4), then "SOURCE HEX" for each (IPv6: "SOURCE HEX hop-by-hop"
      when the stack handed over the datagram's hop-by-hop options)
      datagram that reaches the socket; stops, printing "done", when none
      came for FIRST_TIMEOUT seconds before the first or IDLE_TIMEOUT after.
"""
import socket
import sys

ETH_P_ALL = 0x0003
ETH_P_IP = 0x0800


def capture(iface, proto, path, timeout=10.0, match=None):
    # ETH_P_ALL: such a socket sees a packet before the ingress hooks (tc,
    # nft's netdev family) that a test may use to keep it from the stack.
    s = socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM,
                      socket.htons(ETH_P_ALL))
    s.bind((iface, ETH_P_ALL))
    s.settimeout(timeout)
    print("ready", flush=True)
    try:
        while True:
            pkt, addr = s.recvfrom(65535)
            # addr[1] is the EtherType, addr[2] the packet type: IPv4 only,
            # and only what arrived, not what left.
            if addr[1] != ETH_P_IP or addr[2] == socket.PACKET_OUTGOING or \
                    len(pkt) < 20:
                continue
            if pkt[9] != proto:
                continue
            if match is None or \
                    pkt[match[0]:match[0] + len(match[1])] == match[1]:
                break
    except socket.timeout:
        print("timeout", file=sys.stderr)
        return 1
    if proto == socket.IPPROTO_UDP:
        # Between namespaces the sender's checksum offload may have left
        # only the pseudo-header's sum there; 0 is "none" (IPv4 only).
        ihl = (pkt[0] & 0x0f) * 4
        pkt = pkt[:ihl + 6] + b"\0\0" + pkt[ihl + 8:]
    with open(path, "wb") as f:
        f.write(pkt)
    print(f"captured {len(pkt)} bytes", flush=True)
    return 0


def send(path, flip=None):
    with open(path, "rb") as f:
        pkt = bytearray(f.read())
    if flip is not None:
        pkt[flip] ^= 1
    dst = socket.inet_ntoa(bytes(pkt[16:20]))
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    s.sendto(bytes(pkt), (dst, 0))
    return 0


def listen(port, first_timeout, idle_timeout, family=4):
    if family == 6:
        s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_RECVHOPOPTS, 1)
        s.bind(("::", port))
    else:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(("0.0.0.0", port))
    s.settimeout(first_timeout)
    print("ready", flush=True)
    try:
        while True:
            data, cmsgs, _, addr = s.recvmsg(65535, 256)
            hop = any(level == socket.IPPROTO_IPV6 and
                      kind == socket.IPV6_HOPOPTS for level, kind, _ in cmsgs)
            print(addr[0], data.hex() + (" hop-by-hop" if hop else ""),
                  flush=True)
            s.settimeout(idle_timeout)
    except socket.timeout:
        print("done", flush=True)
    return 0


def main(argv):
    if len(argv) >= 4 and argv[0] == "capture":
        match = None
        if len(argv) > 5:
            off, want = argv[5].split("=", 1)
            match = (int(off), bytes.fromhex(want))
        return capture(argv[1], int(argv[2]), argv[3],
                       float(argv[4]) if len(argv) > 4 else 10.0, match)
    if len(argv) >= 2 and argv[0] == "send":
        return send(argv[1], int(argv[2]) if len(argv) > 2 else None)
    if len(argv) in (4, 5) and argv[0] == "listen":
        return listen(int(argv[1]), float(argv[2]), float(argv[3]),
                      int(argv[4]) if len(argv) == 5 else 4)
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
