#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Raw generic-netlink client for kipsec tests.

Tests use it to send exactly the attributes they want (including ones
ipsecctl would never send: unknown enum values, wrong lengths, unknown flag
bits, unknown attributes) and to read the kernel's errno and extended-ack
message. Attribute and command numbers are read from include/kipsec.h, so
the tests follow the header rather than restating it.

Command line:
  kipsec_nl.py CMD [ATTR=VALUE ...]
    CMD: sa_new, sa_del, sa_get, sa_dump, sa_flush, spi_alloc, stats_get,
         policy_new, policy_del, policy_get, policy_dump, policy_flush;
         bulk_add N, bulk_check N, dump_interrupt (SAs);
         bulk_policy_add N, bulk_policy_check N, policy_dump_interrupt;
         event_order SECONDS [DELAY_MS] (processes race adds and deletes
         of one SA, then of one policy; the events must come in the
         changes' order; DELAY_MS: see the function);
         monitor [SECONDS] (events, see below)
    ATTR: the suffix of KIPSEC_A_* in lower case (sa_spi, sa_dst, ...),
          or a number for an attribute that does not exist.
    VALUE: u8:N u16:N u32:N u64:N, ip:ADDR (4 or 16 bytes), hex:HEX,
           nest:(ATTR=VALUE,...) with lifetime_* names inside.
  Prints "errno=N msg=TEXT offset=N" for errors, or each reply's attributes
  as name=value lines; exit status is the errno (0 on success).

  monitor joins the "kipsec" multicast group, prints "monitor=listening"
  once it has, then one line per event, "event=NAME" (the suffix of
  KIPSEC_CMD_* in lower case: sa_new, sa_soft_expire, acquire, ...)
  followed by the attributes as for replies, flushed at once; "lost=1" when
  the kernel dropped events. It stops after SECONDS if given.
"""

import ipaddress
import os
import re
import socket
import struct
import sys

NETLINK_GENERIC = 16
GENL_ID_CTRL = 0x10
CTRL_CMD_GETFAMILY = 3
CTRL_ATTR_FAMILY_ID = 1
CTRL_ATTR_FAMILY_NAME = 2
CTRL_ATTR_MCAST_GROUPS = 7
CTRL_ATTR_MCAST_GRP_NAME = 1
CTRL_ATTR_MCAST_GRP_ID = 2
NETLINK_ADD_MEMBERSHIP = 1
SO_RCVBUFFORCE = 33
NLM_F_REQUEST = 0x1
NLM_F_MULTI = 0x2
NLM_F_ACK = 0x4
NLM_F_DUMP = 0x300
NLM_F_DUMP_INTR = 0x10
NLMSG_ERROR = 2
NLMSG_DONE = 3
NLM_F_ACK_TLVS = 0x200
NLM_F_CAPPED = 0x100
NLMSGERR_ATTR_MSG = 1
NLMSGERR_ATTR_OFFS = 2
NLMSGERR_ATTR_MISS_TYPE = 5
SOL_NETLINK = 270
NETLINK_EXT_ACK = 11
NETLINK_CAP_ACK = 10
NLA_F_NESTED = 0x8000

HEADER = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                      "..", "..", "include", "kipsec.h")


def parse_enums(path=HEADER):
    """Returns ({NAME: value}, {enum_name: {value: NAME}}) for every enum in
    the header; members without "= expr" count up from the one before."""
    text = open(path).read()
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    values, by_enum = {}, {}
    for ename, body in re.findall(r"enum\s+(\w+)\s*\{(.*?)\}", text, flags=re.S):
        n = 0
        names = by_enum.setdefault(ename, {})
        for item in body.split(","):
            item = item.strip()
            if not item:
                continue
            if "=" in item:
                name, expr = [s.strip() for s in item.split("=", 1)]
                expr = re.sub(r"(\d+)U", r"\1", expr)
                try:
                    n = eval(expr, {}, dict(values))
                except Exception:
                    continue
            else:
                name = item
            values[name] = n
            if not name.startswith("__"):
                names.setdefault(n, name)
            n += 1
    return values, by_enum


E, ENUMS = parse_enums()
TOP_ATTRS = ENUMS["kipsec_attr"]
NESTED_ATTRS = {"sa_lifetime_soft": ENUMS["kipsec_lifetime_attr"],
                "sa_lifetime_hard": ENUMS["kipsec_lifetime_attr"],
                "sa_lifetime_cur": ENUMS["kipsec_lifetime_attr"],
                "sa_stats": ENUMS["kipsec_stats_attr"],
                "stats": ENUMS["kipsec_stats_attr"]}


def attr_num(name, prefix="KIPSEC_A_"):
    if re.fullmatch(r"\d+", name):
        return int(name)
    return E[prefix + name.upper()]


def nla(atype, payload):
    length = 4 + len(payload)
    return struct.pack("=HH", length, atype) + payload + b"\0" * ((-length) % 4)


def encode_value(value, prefix):
    kind, _, rest = value.partition(":")
    if kind == "u8":
        return struct.pack("=B", int(rest, 0)), 0
    if kind == "u16":
        return struct.pack("=H", int(rest, 0)), 0
    if kind == "u32":
        return struct.pack("=I", int(rest, 0)), 0
    if kind == "u64":
        return struct.pack("=Q", int(rest, 0)), 0
    if kind == "ip":
        return ipaddress.ip_address(rest).packed, 0
    if kind == "hex":
        return bytes.fromhex(rest), 0
    if kind == "str":
        return rest.encode() + b"\0", 0
    if kind == "nest":
        inner = rest.strip("()")
        payload = b""
        for item in filter(None, inner.split(",")):
            k, v = item.split("=", 1)
            p, f = encode_value(v, "KIPSEC_A_")
            payload += nla(attr_num(k) | f, p)
        return payload, NLA_F_NESTED
    raise ValueError("bad value " + value)


class Genl:
    def __init__(self, family="kipsec"):
        self.sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW,
                                  NETLINK_GENERIC)
        self.sock.setsockopt(SOL_NETLINK, NETLINK_EXT_ACK, 1)
        self.sock.setsockopt(SOL_NETLINK, NETLINK_CAP_ACK, 1)
        self.sock.bind((0, 0))
        self.seq = 1
        self.family_id = None
        self.groups = {}
        replies, err = self.request(GENL_ID_CTRL, CTRL_CMD_GETFAMILY,
                                    nla(CTRL_ATTR_FAMILY_NAME,
                                        family.encode() + b"\0"))
        if err:
            raise OSError(err[0], "family %s: %s" % (family, err[1]))
        for attrs in replies:
            self.family_id = struct.unpack("=H", attrs[CTRL_ATTR_FAMILY_ID])[0]
            groups = parse_attrs(attrs.get(CTRL_ATTR_MCAST_GROUPS, b""))
            for grp in groups.values():
                g = parse_attrs(grp)
                name = g[CTRL_ATTR_MCAST_GRP_NAME].rstrip(b"\0").decode()
                self.groups[name] = struct.unpack("=I", g[CTRL_ATTR_MCAST_GRP_ID])[0]

    def request(self, msg_type, cmd, payload=b"", dump=False, version=1):
        self.seq += 1
        flags = NLM_F_REQUEST | NLM_F_ACK | (NLM_F_DUMP if dump else 0)
        genl = struct.pack("=BBH", cmd, version, 0)
        hdr = struct.pack("=IHHII", 16 + len(genl) + len(payload),
                          msg_type, flags, self.seq, 0)
        self.sent = hdr + genl + payload
        self.sock.send(self.sent)
        replies = []
        self.interrupted = False
        while True:
            data = self.sock.recv(1 << 20)
            off = 0
            while off + 16 <= len(data):
                length, mtype, mflags, seq, _ = struct.unpack_from("=IHHII", data, off)
                body = data[off + 16: off + length]
                off += (length + 3) & ~3
                if mflags & NLM_F_DUMP_INTR:
                    self.interrupted = True
                if mtype == NLMSG_DONE:
                    return replies, None
                if mtype == NLMSG_ERROR:
                    err = -struct.unpack_from("=i", body)[0]
                    if err == 0:
                        return replies, None
                    msg, offs = "", None
                    if mflags & NLM_F_ACK_TLVS:
                        # capped: error code + original nlmsghdr only
                        tlvs = parse_attrs(body[4 + 16:])
                        if NLMSGERR_ATTR_MSG in tlvs:
                            msg = tlvs[NLMSGERR_ATTR_MSG].rstrip(b"\0").decode()
                        if NLMSGERR_ATTR_OFFS in tlvs:
                            offs = struct.unpack("=I", tlvs[NLMSGERR_ATTR_OFFS])[0]
                            offs = self.attr_at(offs)
                        if NLMSGERR_ATTR_MISS_TYPE in tlvs:
                            t = struct.unpack("=I", tlvs[NLMSGERR_ATTR_MISS_TYPE])[0]
                            offs = "missing:" + TOP_ATTRS.get(t, str(t))
                    return replies, (err, msg, offs)
                replies.append(parse_attrs(body[4:]))
            if not dump and replies:
                # doit replies are followed by the ACK; keep reading.
                continue


    def attr_at(self, offset):
        """Names the attribute of the sent message that starts at offset
        (the kernel's NLMSGERR_ATTR_OFFS), descending into nests."""
        nested = ENUMS["kipsec_lifetime_attr"]
        off, end, table = 20, len(self.sent), TOP_ATTRS
        while off + 4 <= end:
            length, atype = struct.unpack_from("=HH", self.sent, off)
            if length < 4:
                break
            if off == offset:
                return table.get(atype & 0x3fff, str(atype & 0x3fff))
            if off < offset < off + length and atype & NLA_F_NESTED:
                off, end, table = off + 4, off + length, nested
                continue
            off += (length + 3) & ~3
        return "offset %d" % offset


def parse_attrs(data):
    attrs = {}
    off = 0
    while off + 4 <= len(data):
        length, atype = struct.unpack_from("=HH", data, off)
        if length < 4:
            break
        attrs[atype & 0x3fff] = data[off + 4: off + length]
        off += (length + 3) & ~3
    return attrs


def short_name(full):
    """KIPSEC_A_SA_DST -> sa_dst, KIPSEC_A_LIFETIME_BYTES -> lifetime_bytes,
    KIPSEC_A_STATS_PACKETS -> packets."""
    name = full[len("KIPSEC_A_"):].lower()
    if name.startswith("stats_") and not name.startswith(("stats_sa", "stats_spi")):
        name = name[len("stats_"):]
    return name


def decode_attrs(attrs, names=None):
    names = TOP_ATTRS if names is None else names
    out = {}
    for num, raw in attrs.items():
        name = short_name(names[num]) if num in names else str(num)
        if name in ("sa_dst", "sa_src", "pol_src", "pol_dst",
                    "pol_tmpl_src", "pol_tmpl_dst"):
            out[name] = str(ipaddress.ip_address(raw))
        elif name in NESTED_ATTRS and names is TOP_ATTRS:
            out[name] = decode_attrs(parse_attrs(raw), NESTED_ATTRS[name])
        elif name == "pad" or name.endswith("_pad"):
            continue
        elif len(raw) in (1, 2, 4, 8):
            out[name] = int.from_bytes(raw, sys.byteorder)
        else:
            out[name] = raw.hex()
    return out


def bulk_sa(i):
    """The i-th SA of a bulk test: alternating IPv4/IPv6, distinct SPIs,
    every optional field set to something derived from i."""
    spi = 0x10000 + i
    if i % 2:
        dst = ipaddress.ip_address("2001:db8::%x" % (i + 1))
        src = ipaddress.ip_address("2001:db8:1::1")
    else:
        dst = ipaddress.ip_address("10.%d.%d.%d" % (i >> 16, (i >> 8) & 255, i & 255))
        src = ipaddress.ip_address("192.0.2.1")
    return {"sa_spi": spi, "sa_dst": str(dst), "sa_src": str(src),
            "sa_proto": 50, "sa_mode": 1 + i % 2, "sa_reqid": i,
            "sa_replay_window": 32 * (i % 128), "sa_enc_alg": 3,
            "sa_enc_key_bits": 128}


def sa_payload(sa, key=None):
    """The SA_NEW attributes of bulk_sa()'s dict, or, without a key, the
    three that name it (for SA_DEL and SA_GET)."""
    payload = b"".join([
        nla(E["KIPSEC_A_SA_SPI"], struct.pack("=I", sa["sa_spi"])),
        nla(E["KIPSEC_A_SA_DST"], ipaddress.ip_address(sa["sa_dst"]).packed),
        nla(E["KIPSEC_A_SA_PROTO"], struct.pack("=B", sa["sa_proto"]))])
    if key is None:
        return payload
    return payload + b"".join([
        nla(E["KIPSEC_A_SA_SRC"], ipaddress.ip_address(sa["sa_src"]).packed),
        nla(E["KIPSEC_A_SA_MODE"], struct.pack("=B", sa["sa_mode"])),
        nla(E["KIPSEC_A_SA_ENC_ALG"], struct.pack("=H", sa["sa_enc_alg"])),
        nla(E["KIPSEC_A_SA_ENC_KEY"], key)])


def bulk_add(g, count):
    key = os.urandom(20)
    for i in range(count):
        sa = bulk_sa(i)
        payload = sa_payload(sa, key) + b"".join([
            nla(E["KIPSEC_A_SA_REQID"], struct.pack("=I", sa["sa_reqid"])),
            nla(E["KIPSEC_A_SA_REPLAY_WINDOW"], struct.pack("=I", sa["sa_replay_window"]))])
        _, err = g.request(g.family_id, E["KIPSEC_CMD_SA_NEW"], payload)
        if err:
            print("sa %d: errno=%d msg=%s attr=%s" % ((i,) + err))
            return err[0]
    print("added=%d" % count)
    return 0


def bulk_check(g, count):
    """Dumps every SA and compares with bulk_sa(0..count-1): prints the
    number found and every difference."""
    replies, err = g.request(g.family_id, E["KIPSEC_CMD_SA_GET"], dump=True)
    if err:
        print("errno=%d msg=%s attr=%s" % err)
        return err[0]
    got = {}
    for r in replies:
        d = decode_attrs(r)
        got[(d.get("sa_spi"), d.get("sa_dst"))] = d
    print("dumped=%d interrupted=%d" % (len(replies), g.interrupted))
    bad = 0
    for i in range(count):
        want = bulk_sa(i)
        have = got.pop((want["sa_spi"], want["sa_dst"]), None)
        if have is None:
            print("missing sa %d" % i)
            bad += 1
            continue
        for k, v in want.items():
            if have.get(k) != v:
                print("sa %d: %s=%s, want %s" % (i, k, have.get(k), v))
                bad += 1
    for k in got:
        print("unexpected sa %s" % (k,))
        bad += 1
    print("mismatches=%d" % bad)
    return 1 if bad or len(replies) != count else 0


def dump_interrupt(g):
    """Starts a dump, changes the SA database after the first batch, and
    reports whether a later message carried NLM_F_DUMP_INTR."""
    other = Genl()
    g.seq += 1
    genl = struct.pack("=BBH", E["KIPSEC_CMD_SA_GET"], 1, 0)
    hdr = struct.pack("=IHHII", 20, g.family_id,
                      NLM_F_REQUEST | NLM_F_ACK | NLM_F_DUMP, g.seq, 0)
    g.sock.send(hdr + genl)
    first = True
    messages = intr = 0
    while True:
        data = g.sock.recv(1 << 16)
        if first:
            # the second batch is built only after this change
            _, err = other.request(other.family_id, E["KIPSEC_CMD_SA_DEL"],
                                   nla(E["KIPSEC_A_SA_SPI"], struct.pack("=I", 0x10000 + 5000))
                                   + nla(E["KIPSEC_A_SA_DST"], ipaddress.ip_address("10.0.19.136").packed)
                                   + nla(E["KIPSEC_A_SA_PROTO"], struct.pack("=B", 50)))
            if err:
                print("delete during dump: errno=%d msg=%s attr=%s" % err)
            first = False
        off = 0
        while off + 16 <= len(data):
            length, mtype, mflags, _, _ = struct.unpack_from("=IHHII", data, off)
            off += (length + 3) & ~3
            if mflags & NLM_F_DUMP_INTR:
                intr = 1
            if mtype in (NLMSG_DONE, NLMSG_ERROR):
                print("messages=%d interrupted=%d" % (messages, intr))
                return 0 if intr else 1
            messages += 1


def bulk_policy(i):
    """The i-th policy of a bulk test: every direction and action, both
    families, and priorities out of insertion order, so that the dump's
    order is the kernel's doing."""
    p = {"pol_dir": 1 + i % 3, "pol_action": 1 + (i // 3) % 3,
         "pol_priority": (i * 7919) % 1000}
    if i % 2:
        p.update(pol_src="2001:db8:%x::" % i, pol_src_plen=48,
                 pol_dst="2001:db8:ffff::", pol_dst_plen=64)
    else:
        p.update(pol_src="10.%d.%d.0" % (i >> 8, i & 255), pol_src_plen=24,
                 pol_dst="10.200.0.0", pol_dst_plen=16)
    if i % 5 == 0:
        p.update(pol_proto=6, pol_dport_min=1000 + i % 100,
                 pol_dport_max=2000)
    if p["pol_action"] == E["KIPSEC_ACTION_PROTECT"]:
        p.update(pol_tmpl_proto=50, pol_tmpl_mode=2, pol_tmpl_reqid=i,
                 pol_tmpl_level=1 + i % 2, pol_tmpl_src="192.0.2.1",
                 pol_tmpl_dst="192.0.2.2")
    return p


POL_TYPES = {"pol_dir": "=B", "pol_action": "=B", "pol_priority": "=I",
             "pol_src_plen": "=B", "pol_dst_plen": "=B", "pol_proto": "=B",
             "pol_sport_min": "=H", "pol_sport_max": "=H",
             "pol_dport_min": "=H", "pol_dport_max": "=H",
             "pol_tmpl_proto": "=B", "pol_tmpl_mode": "=B",
             "pol_tmpl_reqid": "=I", "pol_tmpl_level": "=B"}


def encode_policy(p):
    out = b""
    for k, v in p.items():
        num = E["KIPSEC_A_" + k.upper()]
        if k in POL_TYPES:
            out += nla(num, struct.pack(POL_TYPES[k], v))
        else:
            out += nla(num, ipaddress.ip_address(v).packed)
    return out


def bulk_policy_add(g, count):
    for i in range(count):
        _, err = g.request(g.family_id, E["KIPSEC_CMD_POLICY_NEW"],
                           encode_policy(bulk_policy(i)))
        if err:
            print("policy %d: errno=%d msg=%s attr=%s" % ((i,) + err))
            return err[0]
    print("added=%d" % count)
    return 0


def bulk_policy_check(g, count):
    """Dumps every policy and compares with bulk_policy(0..count-1), and
    checks the dump's order: direction, then priority, then index."""
    replies, err = g.request(g.family_id, E["KIPSEC_CMD_POLICY_GET"],
                             dump=True)
    if err:
        print("errno=%d msg=%s attr=%s" % err)
        return err[0]
    got = {}
    bad = 0
    last = None
    for r in replies:
        d = decode_attrs(r)
        key = (d.get("pol_dir"), d.get("pol_priority"), d.get("pol_index"))
        if last is not None and key <= last:
            print("out of order: %s after %s" % (key, last))
            bad += 1
        last = key
        got[(d.get("pol_dir"), d.get("pol_src"))] = d
    print("dumped=%d interrupted=%d" % (len(replies), g.interrupted))
    for i in range(count):
        want = bulk_policy(i)
        have = got.pop((want["pol_dir"], want["pol_src"]), None)
        if have is None:
            print("missing policy %d" % i)
            bad += 1
            continue
        for k, v in want.items():
            if have.get(k) != v:
                print("policy %d: %s=%s, want %s" % (i, k, have.get(k), v))
                bad += 1
    for k in got:
        print("unexpected policy %s" % (k,))
        bad += 1
    print("mismatches=%d" % bad)
    return 1 if bad or len(replies) != count else 0


def policy_dump_interrupt(g):
    """As dump_interrupt, for policies: deletes policy index 100 after the
    first batch and reports whether NLM_F_DUMP_INTR came."""
    other = Genl()
    g.seq += 1
    genl = struct.pack("=BBH", E["KIPSEC_CMD_POLICY_GET"], 1, 0)
    hdr = struct.pack("=IHHII", 20, g.family_id,
                      NLM_F_REQUEST | NLM_F_ACK | NLM_F_DUMP, g.seq, 0)
    g.sock.send(hdr + genl)
    first = True
    messages = intr = 0
    while True:
        data = g.sock.recv(1 << 16)
        if first:
            _, err = other.request(other.family_id, E["KIPSEC_CMD_POLICY_DEL"],
                                   nla(E["KIPSEC_A_POL_INDEX"], struct.pack("=I", 100)))
            if err:
                print("delete during dump: errno=%d msg=%s attr=%s" % err)
            first = False
        off = 0
        while off + 16 <= len(data):
            length, mtype, mflags, _, _ = struct.unpack_from("=IHHII", data, off)
            off += (length + 3) & ~3
            if mflags & NLM_F_DUMP_INTR:
                intr = 1
            if mtype in (NLMSG_DONE, NLMSG_ERROR):
                print("messages=%d interrupted=%d" % (messages, intr))
                return 0 if intr else 1
            messages += 1


def family_messages(g, data):
    """The messages of the kipsec family in DATA, one netlink receive:
    (command, attributes) each, the attributes still encoded."""
    off = 0
    while off + 20 <= len(data):
        length, mtype = struct.unpack_from("=IH", data, off)
        if length < 20:
            break
        if mtype == g.family_id:
            yield data[off + 16], data[off + 20: off + length]
        off += (length + 3) & ~3


def race_worker(label, cmd, payload, seconds, report):
    """In a child: sends one request over and over for SECONDS; writes
    "LABEL=N", N the requests that succeeded, to the pipe REPORT. Losing
    the race (EEXIST, ENOENT) is expected."""
    import errno
    import time
    g = Genl()
    ok = 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        _, err = g.request(g.family_id, cmd, payload)
        if not err:
            ok += 1
        elif err[0] not in (errno.EEXIST, errno.ENOENT):
            os.write(report, b"errno=%d msg=%s\n" % (err[0], err[1].encode()))
            os._exit(1)
    os.write(report, b"%s=%d\n" % (label.encode(), ok))
    os._exit(0)


DEBUG_EVENT_DELAY = "/sys/module/kipsec/parameters/debug_event_delay_ms"


def event_order(g, seconds, delay_ms=0):
    """Processes race on one object for SECONDS, two adding it and two
    deleting it, first an SA, then a policy. Every change is announced, and
    a listener must get the announcements in the order the changes were
    made: new, del, new, del, ..., as many of each as the requests that
    succeeded. With DELAY_MS, a second into each race, the DEBUG build's
    hook sends the next announcement that much later, as if its sender
    had been preempted, which gives the others time to race past it.
    Prints one line per object; status 1 if the order or a count is
    wrong."""
    import select
    import time
    g.sock.setsockopt(SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, g.groups["kipsec"])
    g.sock.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, 64 << 20)
    sa = bulk_sa(0)
    pol = {"pol_dir": E["KIPSEC_DIR_OUT"], "pol_src": "10.1.0.0",
           "pol_src_plen": 24, "pol_dst": "10.2.0.0", "pol_dst_plen": 24}
    races = [("sa", E["KIPSEC_CMD_SA_NEW"], sa_payload(sa, os.urandom(20)),
              E["KIPSEC_CMD_SA_DEL"], sa_payload(sa)),
             ("policy", E["KIPSEC_CMD_POLICY_NEW"],
              encode_policy(dict(pol, pol_action=E["KIPSEC_ACTION_BYPASS"])),
              E["KIPSEC_CMD_POLICY_DEL"], encode_policy(pol))]
    status = 0
    for name, new, new_payload, delete, del_payload in races:
        # Loads the transform's modules, which takes seconds under TCG,
        # before the race rather than during it.
        warm = Genl()
        for cmd, payload in ((new, new_payload), (delete, del_payload)):
            _, err = warm.request(warm.family_id, cmd, payload)
            if err:
                print("%s: warm-up: errno=%d msg=%s attr=%s" % ((name,) + err))
                return 1
        warm.sock.close()
        while select.select([g.sock], [], [], 0.5)[0]:
            g.sock.recv(1 << 20)
        report_r, report_w = os.pipe()
        pids = []
        for label, cmd, payload in 2 * (("new", new, new_payload),
                                        ("del", delete, del_payload)):
            pid = os.fork()
            if pid == 0:
                race_worker(label, cmd, payload, seconds, report_w)
            pids.append(pid)
        os.close(report_w)
        events = []

        def read_events(timeout):
            """Reads what has come within TIMEOUT; False if nothing."""
            if not select.select([g.sock], [], [], timeout)[0]:
                return False
            for cmd, _ in family_messages(g, g.sock.recv(1 << 20)):
                if cmd in (new, delete):
                    events.append("new" if cmd == new else "del")
            return True

        # Read while they race, so that no host is fast enough to overrun
        # the receive buffer.
        start, failed, running = time.monotonic(), [], list(pids)
        armed = not delay_ms
        try:
            while running:
                if not armed and time.monotonic() - start >= 1:
                    with open(DEBUG_EVENT_DELAY, "w") as f:
                        f.write("%d\n" % delay_ms)
                    armed = True
                read_events(0.05)
                for pid in list(running):
                    done, wstatus = os.waitpid(pid, os.WNOHANG)
                    if done:
                        running.remove(pid)
                        if wstatus:
                            failed.append(pid)
            with os.fdopen(report_r) as f:
                reports = f.read().split()
            if failed:
                print("%s: a worker failed: %s" % (name, " ".join(reports)))
                return 1
            # Ends with the object deleted, so the last event is a del.
            last = Genl()
            _, err = last.request(last.family_id, delete, del_payload)
            last.sock.close()
            while read_events(1.0):
                pass
        except OSError as e:  # ENOBUFS: events were lost
            print("%s: %s" % (name, e))
            return 1
        ok = {"new": 0, "del": 0}
        for r in reports:
            ok[r.split("=")[0]] += int(r.split("=")[1])
        adds, deletes = ok["new"], ok["del"] + (0 if err else 1)
        news, dels = events.count("new"), events.count("del")
        # Where the alternation breaks: a del first, or two alike in a row.
        disorder = sum(1 for i, e in enumerate(events)
                       if e == (events[i - 1] if i else "del"))
        print("%s: adds=%d deletes=%d events new=%d del=%d out_of_order=%d"
              % (name, adds, deletes, news, dels, disorder))
        if disorder or news != adds or dels != deletes or adds < 2:
            status = 1
    return status


def monitor(g, seconds=None):
    """Prints the events of the "kipsec" group as they come: one line per
    event, the command's name first, flushed, so that a test can follow
    the output through a pipe or a file."""
    import errno
    import select
    import time
    cmds = {v: k[len("KIPSEC_CMD_"):].lower()
            for v, k in ENUMS["kipsec_cmd"].items()}
    g.sock.setsockopt(SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, g.groups["kipsec"])
    g.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
    print("monitor=listening", flush=True)
    deadline = None if seconds is None else time.monotonic() + seconds
    while True:
        wait = None if deadline is None else deadline - time.monotonic()
        if wait is not None and wait <= 0:
            return 0
        if not select.select([g.sock], [], [], wait)[0]:
            continue
        try:
            data = g.sock.recv(1 << 20)
        except OSError as e:
            if e.errno != errno.ENOBUFS:
                raise
            print("lost=1", flush=True)
            continue
        for cmd, body in family_messages(g, data):
            attrs = decode_attrs(parse_attrs(body))
            print(" ".join(["event=%s" % cmds.get(cmd, str(cmd))] +
                           ["%s=%s" % kv for kv in sorted(attrs.items())]),
                  flush=True)


def run(argv):
    """Runs one command line (argv[0] is the command); returns its status."""
    cmd_name = argv[0]
    try:
        g = Genl()
    except OSError as e:
        print("errno=%d msg=%s" % (e.errno, e.strerror))
        return e.errno
    if cmd_name in ("bulk_add", "bulk_check", "dump_interrupt",
                    "bulk_policy_add", "bulk_policy_check",
                    "policy_dump_interrupt"):
        return globals()[cmd_name](g, *[int(a) for a in argv[1:]])
    if cmd_name in ("monitor", "event_order"):
        return globals()[cmd_name](g, *[float(a) for a in argv[1:]])
    dump = cmd_name.endswith("_dump")
    if dump:
        cmd_name = cmd_name[:-len("_dump")] + "_get"
    cmd = E["KIPSEC_CMD_" + cmd_name.upper()]
    payload = b""
    for arg in argv[1:]:
        k, v = arg.split("=", 1)
        p, f = encode_value(v, "KIPSEC_A_")
        payload += nla(attr_num(k) | f, p)
    replies, err = g.request(g.family_id, cmd, payload, dump=dump)
    for r in replies:
        print(" ".join("%s=%s" % kv for kv in sorted(decode_attrs(r).items())))
    if g.interrupted:
        print("dump_interrupted=1")
    g.sock.close()
    if err:
        print("errno=%d msg=%s attr=%s" % err)
        return err[0]
    return 0


def serve():
    """One command line per input line; after each, a line "\x04rc=N".
    Python starts slowly under TCG, so tests keep one process around."""
    import shlex
    for line in sys.stdin:
        try:
            rc = run(shlex.split(line))
        except Exception as e:  # report, keep serving
            print("error=%r" % e)
            rc = 255
        print("\x04rc=%d" % rc, flush=True)
    return 0


def main(argv):
    if len(argv) < 2 or argv[1] in ("-h", "--help"):
        print(__doc__)
        return 0
    if argv[1] == "--serve":
        return serve()
    return run(argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv))
