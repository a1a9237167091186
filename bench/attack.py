#!/usr/bin/env python3
"""Hostile clients for the resilience section of bench.py (python3 stdlib only).

Runs as its own process (so that its work does not share a GIL with the well-behaved client being
measured), drives up to thousands of non-blocking sockets from one selector loop, stops after --duration
seconds, closes every socket it opened, and prints one JSON object with what it saw.

Scenarios (issue 10):
  slow-refused-push  a push refused by policy (valid token, refs/heads/main) with a ~1 MiB command section,
                     then the rest of a large declared body trickled (64 bytes every 2 s)
  unauth-trickle     POST git-upload-pack without a token, Content-Length 1,000,000, one byte every 20 s
  slow-headers       request headers that never end (one more header byte every 20 s)
  gzip-bomb          ~1 MB gzip bodies that inflate to 1 GiB (Content-Encoding: gzip), sent back to back by
                     --connections clients; one request per connection (Connection: close)

A connection the server closes is reopened (at most --reopen-rate per second), so the pressure stays at
--connections for the whole attack, as a determined client would keep it.
"""
import argparse
import errno
import heapq
import json
import os
import random
import resource
import selectors
import socket
import sys
import time
import zlib

ZERO = "0" * 40
AGENT = "git/2.39.5"


def pkt(s):
    b = s.encode() if isinstance(s, str) else s
    return b"%04x" % (len(b) + 4) + b


def command_section(ref_first, total=1040000, commands=1000):
    """~`total` bytes of receive-pack commands: the first updates `ref_first`, the others create long,
    valid, distinct refs next to it (within git-warden's defaults: 1000 commands, 1 MiB)."""
    rnd = random.Random(7)
    out = [pkt("%s %040x %s\0report-status side-band-64k agent=%s" % (ZERO, rnd.getrandbits(160) | 1, ref_first, AGENT))]
    size = len(out[0]) + 4
    per = (total - size) // max(1, commands - 1)
    for i in range(1, commands):
        head = "%s %040x refs/heads/main-%04d-" % (ZERO, rnd.getrandbits(160) | 1, i)
        name_pad = max(1, per - 4 - len(head))
        line = pkt(head + "x" * name_pad)
        out.append(line)
        size += len(line)
    out.append(b"0000")
    return b"".join(out)


def make_bomb(path, prefix, inflated=1 << 30):
    """gzip of `prefix` followed by NUL bytes up to `inflated` bytes (about 1 MB at level 9)."""
    if os.path.exists(path):
        return
    c = zlib.compressobj(9, zlib.DEFLATED, 31)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(c.compress(prefix))
        left = inflated - len(prefix)
        z = b"\0" * (1 << 20)
        while left > 0:
            n = min(left, len(z))
            f.write(c.compress(z[:n]))
            left -= n
        f.write(c.flush())
    os.rename(tmp, path)


def bombs(directory, want, have):
    """The three bomb bodies: (name, file, endpoint, ref policy)."""
    os.makedirs(directory, exist_ok=True)
    pack = b"PACK\0\0\0\2\0\0\0\1"
    specs = [
        ("receive-pack, refused ref", "receive-refused.gz", "git-receive-pack",
         pkt("%s %s refs/heads/main\0report-status side-band-64k agent=%s" % (ZERO, want, AGENT)) + b"0000" + pack),
        ("receive-pack, allowed ref", "receive-allowed.gz", "git-receive-pack",
         pkt("%s %s refs/heads/agent/bench\0report-status side-band-64k agent=%s" % (ZERO, want, AGENT)) + b"0000" + pack),
        ("upload-pack", "upload.gz", "git-upload-pack",
         pkt("command=fetch\n") + pkt("agent=%s\n" % AGENT) + b"0001" + pkt("want %s\n" % want) +
         pkt("have %s\n" % have)),
    ]
    out = []
    for name, fname, endpoint, prefix in specs:
        path = os.path.join(directory, fname)
        make_bomb(path, prefix)
        out.append((name, path, endpoint))
    return out


class Conn:
    __slots__ = ("sock", "fd", "state", "out", "t_open", "t_connected", "recv", "status", "kind", "last_send")

    def __init__(self, sock, kind=None):
        self.sock = sock
        self.fd = sock.fileno()
        self.state = "connecting"
        self.out = b""
        self.t_open = time.monotonic()
        self.t_connected = None
        self.recv = b""
        self.status = None
        self.kind = kind
        self.last_send = None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--scenario", required=True,
                    choices=["slow-refused-push", "unauth-trickle", "slow-headers", "gzip-bomb"])
    ap.add_argument("--connections", type=int, required=True)
    ap.add_argument("--duration", type=float, required=True)
    ap.add_argument("--ramp", type=float, default=5.0, help="seconds to open the connections in")
    ap.add_argument("--reopen-rate", type=float, default=20.0, help="reopened connections per second at most")
    ap.add_argument("--auth", default="", help="Authorization header value (token scenarios)")
    ap.add_argument("--repo", default="/bench/small.git")
    ap.add_argument("--push-repo", default="/bench/res-push.git")
    ap.add_argument("--bomb-dir", default="")
    ap.add_argument("--want", default="1" * 40)
    ap.add_argument("--have", default="2" * 40)
    ap.add_argument("--connect-timeout", type=float, default=10.0)
    a = ap.parse_args()

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    host = "127.0.0.1:%d" % a.port
    trickle, interval = b"", 0.0
    gz = None
    if a.scenario == "slow-refused-push":
        cmds = command_section("refs/heads/main")
        declared = len(cmds) + (32 << 20)
        head = ("POST %s/git-receive-pack HTTP/1.1\r\nHost: %s\r\nUser-Agent: %s\r\n"
                "Content-Type: application/x-git-receive-pack-request\r\n"
                "Accept: application/x-git-receive-pack-result\r\nAuthorization: %s\r\n"
                "Content-Length: %d\r\n\r\n" % (a.push_repo, host, AGENT, a.auth, declared)).encode()
        initial = head + cmds + b"PACK\0\0\0\2\0\0\0\1"
        trickle, interval = b"\0" * 64, 2.0
    elif a.scenario == "unauth-trickle":
        initial = ("POST %s/git-upload-pack HTTP/1.1\r\nHost: %s\r\nUser-Agent: %s\r\n"
                   "Content-Type: application/x-git-upload-pack-request\r\n"
                   "Accept: application/x-git-upload-pack-result\r\nContent-Length: 1000000\r\n\r\n" % (
                       a.repo, host, AGENT)).encode()
        trickle, interval = b"0", 20.0
    elif a.scenario == "slow-headers":
        initial = ("GET %s/info/refs?service=git-upload-pack HTTP/1.1\r\nHost: %s\r\nUser-Agent: %s\r\n"
                   "X-Slow: " % (a.repo, host, AGENT)).encode()
        trickle, interval = b"a", 20.0
    else:
        gz = []
        for name, path, endpoint in bombs(a.bomb_dir, a.want, a.have):
            body = open(path, "rb").read()
            repo = a.push_repo  # the repository the token names: every bomb passes authorization
            kind = endpoint.replace("git-", "")
            head = ("POST %s/%s HTTP/1.1\r\nHost: %s\r\nUser-Agent: %s\r\nContent-Type: application/x-git-%s-request\r\n"
                    "Accept: application/x-git-%s-result\r\nContent-Encoding: gzip\r\nGit-Protocol: %s\r\n"
                    "Authorization: %s\r\nConnection: close\r\nContent-Length: %d\r\n\r\n" % (
                        repo, endpoint, host, AGENT, kind, kind,
                        "version=2" if kind == "upload-pack" else "version=0", a.auth, len(body))).encode()
            gz.append((name, head + body))
        initial = None

    sel = selectors.DefaultSelector()
    conns = {}
    timers = []  # (when, seq, fd)
    seq = [0]
    st = dict(scenario=a.scenario, target_connections=a.connections, opened=0, connect_failed=0,
              connect_timeout=0, closed_by_server=0, reset_by_server=0, fully_sent=0, trickle_bytes=0,
              max_live=0, statuses={}, lifetimes=[], bombs=[], errors={})
    t0 = time.monotonic()
    end = t0 + a.duration
    reopen_tokens = [0.0, t0]
    next_bomb = [0]

    def count_error(e):
        k = errno.errorcode.get(getattr(e, "errno", None) or 0, type(e).__name__)
        st["errors"][k] = st["errors"].get(k, 0) + 1

    def open_one():
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setblocking(False)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        kind = None
        if gz is not None:
            kind = next_bomb[0] % len(gz)
            next_bomb[0] += 1
        c = Conn(s, kind)
        rc = s.connect_ex(("127.0.0.1", a.port))
        if rc not in (0, errno.EINPROGRESS):
            st["connect_failed"] += 1
            st["errors"][errno.errorcode.get(rc, str(rc))] = st["errors"].get(errno.errorcode.get(rc, str(rc)), 0) + 1
            s.close()
            return
        st["opened"] += 1
        conns[c.fd] = c
        sel.register(s, selectors.EVENT_WRITE, c)

    def close(c, how=None):
        if how == "closed":
            st["closed_by_server"] += 1
        elif how == "reset":
            st["reset_by_server"] += 1
        if how and c.t_connected is not None:
            st["lifetimes"].append(round(time.monotonic() - c.t_connected, 3))
        if c.kind is not None and c.t_connected is not None:
            st["bombs"].append(dict(kind=gz[c.kind][0], status=c.status, seconds=round(time.monotonic() - c.t_connected, 3),
                                    complete=(c.state != "sending"), how=how or "abandoned"))
        try:
            sel.unregister(c.sock)
        except (KeyError, ValueError):
            pass
        c.sock.close()
        conns.pop(c.fd, None)

    def schedule(c, when):
        seq[0] += 1
        heapq.heappush(timers, (when, seq[0], c.fd, c))

    def pump(c):
        try:
            while c.out:
                n = c.sock.send(c.out[:262144])
                c.out = c.out[n:]
        except BlockingIOError:
            return False
        return True

    last_report = t0
    while True:
        now = time.monotonic()
        if now >= end:
            break
        live = len(conns)
        st["max_live"] = max(st["max_live"], live)
        # open: ramp up to the target, then keep it (reopen rate-limited)
        want = a.connections if a.ramp <= 0 else min(a.connections, int(a.connections * (now - t0) / a.ramp) + 1)
        if st["opened"] < a.connections:
            while len(conns) < want and st["opened"] < a.connections:
                open_one()
        elif live < a.connections:
            rate = a.reopen_rate if gz is None else 1e9
            reopen_tokens[0] = min(float(a.connections), reopen_tokens[0] + (now - reopen_tokens[1]) * rate)
            reopen_tokens[1] = now
            while len(conns) < a.connections and reopen_tokens[0] >= 1:
                reopen_tokens[0] -= 1
                open_one()
        else:
            reopen_tokens[1] = now
        timeout = 0.05
        if timers:
            timeout = max(0.0, min(timeout, timers[0][0] - now))
        for key, ev in sel.select(timeout):
            c = key.data
            if c.fd not in conns:
                continue
            if c.state == "connecting":
                err = c.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                if err:
                    st["connect_failed"] += 1
                    name = errno.errorcode.get(err, str(err))
                    st["errors"][name] = st["errors"].get(name, 0) + 1
                    close(c)
                    continue
                c.t_connected = time.monotonic()
                c.state = "sending"
                c.out = initial if gz is None else gz[c.kind][1]
                sel.modify(c.sock, selectors.EVENT_READ | selectors.EVENT_WRITE, c)
            if ev & selectors.EVENT_READ:
                try:
                    d = c.sock.recv(65536)
                except ConnectionResetError:
                    close(c, "reset")
                    continue
                except OSError as e:
                    count_error(e)
                    close(c, "reset")
                    continue
                if not d:
                    close(c, "closed")
                    continue
                if c.status is None:
                    c.recv += d[:64]
                    if b"\r\n" in c.recv or len(c.recv) >= 12:
                        parts = c.recv.split(b" ", 2)
                        c.status = parts[1].decode(errors="replace") if len(parts) > 1 else "?"
                        st["statuses"][c.status] = st["statuses"].get(c.status, 0) + 1
            if c.state == "sending" and ev & selectors.EVENT_WRITE:
                try:
                    done = pump(c)
                except OSError as e:
                    count_error(e)
                    close(c, "reset")
                    continue
                if done:
                    st["fully_sent"] += 1
                    c.state = "trickling" if trickle else "waiting"
                    sel.modify(c.sock, selectors.EVENT_READ, c)
                    if trickle:
                        schedule(c, time.monotonic() + random.uniform(0.2, 1.0) * interval)
        now = time.monotonic()
        while timers and timers[0][0] <= now:
            when, _, fd, c = heapq.heappop(timers)
            if conns.get(fd) is not c:
                continue
            try:
                c.sock.send(trickle)
                st["trickle_bytes"] += len(trickle)
            except BlockingIOError:
                pass
            except OSError as e:
                count_error(e)
                close(c, "reset")
                continue
            schedule(c, when + interval)
        # connections stuck in the server's backlog
        if now - last_report >= 1.0:
            for c in list(conns.values()):
                if c.state == "connecting" and now - c.t_open > a.connect_timeout:
                    st["connect_timeout"] += 1
                    close(c)
            last_report = now
            print(json.dumps(dict(t=round(now - t0, 1), live=len(conns), opened=st["opened"],
                                  closed=st["closed_by_server"] + st["reset_by_server"], statuses=st["statuses"])),
                  file=sys.stderr, flush=True)
    st["still_open_at_end"] = sum(1 for c in conns.values() if c.state != "connecting")
    st["still_connecting_at_end"] = sum(1 for c in conns.values() if c.state == "connecting")
    for c in list(conns.values()):
        close(c)
    st["seconds"] = round(time.monotonic() - t0, 1)
    print(json.dumps(st))


if __name__ == "__main__":
    main()
