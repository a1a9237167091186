#!/usr/bin/env python3
"""What one request costs git-warden, in CPU time, allocation and thread wake-ups: numbers that hardly depend
on how loaded the machine is, unlike latency (issue 19). python3 stdlib + the JDK's jcmd/jfr.

    python3 bench/cost.py                                  # the newest target/git-warden-*.jar
    python3 bench/cost.py --jar OTHER.jar --jvm-opt=-XX:SharedArchiveFile=app.jsa
    python3 bench/cost.py --kinds challenge --profile wall  # + an async-profiler flat profile per kind

For each kind of request (the 401 challenge, `info/refs`, v2 `ls-refs`, a small v2 `fetch`): a fresh
git-warden (`-Xmx128m`) in front of the latency section's lighttpd upstream is warmed with --warmup requests
of every kind (one client, keep-alive), then each kind is sent --requests times, sequentially, between idle
pauses. Measured over each window, from /proc and JFR:

* CPU per request: the whole JVM (every thread: request threads, poller, GC, JIT) and the request threads
  alone (Tomcat's http-nio-*-exec-*, poller and acceptor), from /proc/PID/task/*/schedstat (nanoseconds);
* allocation per request: JFR's jdk.ThreadAllocationStatistics (cumulative bytes per thread), summed;
* context switches per request (voluntary + involuntary, all threads): each hand-off between threads
  (poller -> worker, a parked thread woken) is one, and on a loaded machine each costs a scheduling delay;
* the client's latency p50 / p99, with the machine's load next to it (meaningless in absolute terms on a
  shared machine, but interleaved with direct).
"""
import argparse
import datetime
import glob
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from benchlib import OWNER, log, percentile, sh, stop_all  # noqa: E402
from rawhttp import Connection, timed  # noqa: E402
from stack import GitStack, fetch_body, find_jar, ls_refs_body, rev_parse  # noqa: E402

# a loaded machine makes the attach handshake slow
JCMD = ["jcmd", "-J-Dsun.tools.attach.attachTimeout=120000"]

KINDS = ("challenge", "inforefs", "lsrefs", "fetch")

JFC = """<?xml version="1.0" encoding="UTF-8"?>
<configuration version="2.0">
  <event name="jdk.ThreadAllocationStatistics"><setting name="enabled">true</setting><setting name="period">100 ms</setting></event>
</configuration>
"""


def threads(pid):
    """{tid: (name, cpu ns, context switches)} of every thread of pid."""
    out = {}
    for d in glob.glob("/proc/%d/task/*" % pid):
        try:
            tid = int(os.path.basename(d))
            name = open(d + "/comm").read().strip()
            ns = int(open(d + "/schedstat").read().split()[0])
            cs = 0
            for line in open(d + "/status"):
                if line.startswith(("voluntary_ctxt_switches", "nonvoluntary_ctxt_switches")):
                    cs += int(line.split()[1])
            out[tid] = (name, ns, cs)
        except (OSError, ValueError, IndexError):
            continue
    return out


REQUEST_THREAD = re.compile(r"^(http-nio-.*|https?-.*)$")


def delta(a, b):
    """(all cpu ns, request-thread cpu ns, all context switches, per-thread-name cpu ns) between snapshots."""
    total = req = cs = 0
    by_name = {}
    for tid, (name, ns, c) in b.items():
        ns0, c0 = (a[tid][1], a[tid][2]) if tid in a else (0, 0)
        d = ns - ns0
        total += d
        cs += c - c0
        if REQUEST_THREAD.match(name):
            req += d
        key = re.sub(r"\d+$", "N", name)
        by_name[key] = by_name.get(key, 0) + d
    return total, req, cs, by_name


def jfr_allocations(pid, jfr_file, windows):
    """Bytes allocated (all threads) in each (t0, t1) window, from jdk.ThreadAllocationStatistics."""
    dump = subprocess.run(JCMD + [str(pid), "JFR.dump", "name=cost", "filename=" + jfr_file],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if dump.returncode != 0 or not os.path.exists(jfr_file):
        log("JFR dump failed: " + dump.stdout[-300:])
        return [float("nan")] * len(windows)
    js = subprocess.run(["jfr", "print", "--json", "--events", "jdk.ThreadAllocationStatistics", jfr_file],
                        stdout=subprocess.PIPE, text=True).stdout
    events = json.loads(js)["recording"]["events"]
    samples = {}  # thread id -> [(epoch seconds, allocated)]
    for e in events:
        v = e["values"]
        t = v["startTime"]
        # 2026-11-30T12:00:00.123456789Z (or with an offset)
        m = re.match(r"(\d+-\d+-\d+T\d+:\d+:\d+)(\.\d+)?(Z|[+-]\d\d:\d\d)", t)
        base = datetime.datetime.fromisoformat(m.group(1) + (m.group(3).replace("Z", "+00:00")))
        ts = base.timestamp() + (float(m.group(2)) if m.group(2) else 0.0)
        th = v.get("thread") or {}
        key = th.get("javaThreadId") or th.get("osThreadId") or th.get("javaName")
        samples.setdefault(key, []).append((ts, int(v["allocated"])))
    result = []
    for t0, t1 in windows:
        total = 0
        for series in samples.values():
            series.sort()
            before = [a for ts, a in series if ts <= t0]
            upto = [a for ts, a in series if ts <= t1]
            a0 = before[-1] if before else 0
            if upto:
                total += max(0, upto[-1] - a0)
        result.append(total)
    return result


def serve_stub(port, directory):
    """A canned upstream (--upstream stub): answers info/refs, ls-refs and fetch with the bytes the real
    upstream gave once, in microseconds, so that measuring thousands of requests takes seconds, not the
    minutes of a CGI per request on a loaded machine. Thread per connection, keep-alive, Content-Length."""
    import socket
    import threading
    canned = {k: (open(os.path.join(directory, k + ".type")).read().encode(),
                  open(os.path.join(directory, k + ".body"), "rb").read()) for k in ("inforefs", "lsrefs", "fetch")}

    def answer(c, status, ctype, body):
        c.sendall(b"HTTP/1.1 %d X\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n" % (status, ctype, len(body))
                  + body)

    def conn(c):
        buf = b""
        try:
            while True:
                while b"\r\n\r\n" not in buf:
                    d = c.recv(65536)
                    if not d:
                        return
                    buf += d
                head, _, buf = buf.partition(b"\r\n\r\n")
                lines = head.split(b"\r\n")
                target = lines[0].split(b" ")[1]
                n = 0
                for line in lines[1:]:
                    k, _, v = line.partition(b":")
                    if k.strip().lower() == b"content-length":
                        n = int(v)
                while len(buf) < n:
                    d = c.recv(65536)
                    if not d:
                        return
                    buf += d
                body, buf = buf[:n], buf[n:]
                if b"/info/refs" in target:
                    answer(c, 200, *canned["inforefs"])
                elif b"command=ls-refs" in body:
                    answer(c, 200, *canned["lsrefs"])
                elif b"command=fetch" in body:
                    answer(c, 200, *canned["fetch"])
                else:
                    answer(c, 404, b"text/plain", b"no\n")
        except OSError:
            pass
        finally:
            c.close()

    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", port))
    s.listen(128)
    while True:
        c, _ = s.accept()
        c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        threading.Thread(target=conn, args=(c,), daemon=True).start()


# Frames whose inclusive share of a request thread's samples is reported (first match in a stack counts once).
STAGES = (
    ("whole request (Http11Processor.service)", "Http11Processor.service"),
    ("read the request (parseRequestLine/Headers)", "Http11InputBuffer.parse"),
    ("ExchangeRecorder.invoke (valves, filters, servlet)", "ExchangeRecorder.invoke"),
    ("  UUID.randomUUID", "UUID.randomUUID"),
    ("  ApplicationFilterChain (filters + servlet)", "ApplicationFilterChain.doFilter"),
    ("    Spring Security FilterChainProxy", "FilterChainProxy.doFilter"),
    ("    Micrometer observation filter", "ServerHttpObservationFilter"),
    ("    DispatcherServlet.doDispatch", "DispatcherServlet.doDispatch"),
    ("      handler lookup (getHandler)", "DispatcherServlet.getHandler"),
    ("      GitEndpoint.handle", "GitEndpoint.handle"),
    ("        token verification", "SessionAuthenticator.verify"),
    ("        revocation check", "SessionAuthenticator.requireActive"),
    ("        UpstreamClient.exchange", "UpstreamClient.exchange"),
    ("        ResponseRelay.copy", "ResponseRelay.copy"),
    ("        GitResponses.refuse", "GitResponses.refuse"),
    ("        RequestBodies.finish", "RequestBodies.finish"),
    ("        Throwable.fillInStackTrace", "Throwable.fillInStackTrace"),
    ("response finish / flush", "Response.finishResponse"),
    ("ExchangeRecorder.log (after the response)", "ExchangeRecorder.log"),
    ("  AuditListener", "AuditListener.exchangeCompleted"),
    ("    audit file write", "AuditLog.append"),
    ("    audit logger echo", "AuditTrail.write"),
    ("  GitMetrics", "GitMetrics.exchangeCompleted"),
    ("poller (NioEndpoint$Poller)", "NioEndpoint$Poller.run"),
    ("logging (logback)", "ch.qos.logback"),
)


def summarize_profile(path, out, top=25):
    """Inclusive shares of STAGES and the hottest leaf frames, from a collapsed async-profiler output."""
    total = 0
    incl = {k: 0 for k, _ in STAGES}
    leaves = {}
    try:
        lines = open(path).read().splitlines()
    except OSError:
        return
    for line in lines:
        stack, _, n = line.rpartition(" ")
        try:
            n = int(n)
        except ValueError:
            continue
        if not stack.startswith("[http-nio"):
            continue  # request threads only (the threads option prefixes each stack with its thread)
        total += n
        for label, frame in STAGES:
            if frame in stack:
                incl[label] += n
        leaf = stack.rsplit(";", 1)[-1]
        leaves[leaf] = leaves.get(leaf, 0) + n
    if not total:
        return
    out.write("\n%s: %d samples\n" % (os.path.basename(path), total))
    for label, _ in STAGES:
        if incl[label]:
            out.write("  %5.1f%%  %s\n" % (100.0 * incl[label] / total, label))
    out.write("  hottest frames (self):\n")
    for leaf, n in sorted(leaves.items(), key=lambda x: -x[1])[:top]:
        out.write("  %5.1f%%  %s\n" % (100.0 * n / total, leaf[:150]))


def find_async_profiler(work):
    """libasyncProfiler.so from the newest tools.profiler:async-profiler linux-x64 jar in the local Maven
    repository, extracted once into work/; None when there is none."""
    jars = sorted(glob.glob(os.path.expanduser(
        "~/.m2/repository/tools/profiler/async-profiler/*/async-profiler-*-linux-x64.jar")))
    if not jars:
        return None
    out = os.path.join(work, "async-profiler")
    lib = os.path.join(out, "linux-x64", "libasyncProfiler.so")
    if not os.path.exists(lib):
        with zipfile.ZipFile(jars[-1]) as z:
            z.extract("linux-x64/libasyncProfiler.so", out)
    return lib


class Cost:

    def __init__(self, args):
        self.args = args
        self.work = os.path.join(HERE, "work", "cost")
        self.repos = os.path.join(self.work, "repos")
        self.logs = os.path.join(self.work, "logs")
        for d in (self.work, self.repos, self.logs):
            os.makedirs(d, exist_ok=True)

    def prepare(self):
        small = os.path.join(self.repos, OWNER, "small.git")
        if not os.path.isdir(small):
            from bench import gen_history_repo
            os.makedirs(os.path.join(self.repos, OWNER), exist_ok=True)
            gen_history_repo(small, 30, 10, old_back=3)
        sh(["git", "-C", small, "config", "http.receivepack", "false"])
        self.tip, self.old = rev_parse(small, "main"), rev_parse(small, "main~3")

    def requests(self, path):
        s = self.stack
        return {
            "challenge": (s.info_refs(path, auth=False), lambda r: r.status == 401),
            "inforefs": (s.info_refs(path), lambda r: r.status == 200 and b"version 2" in r.body),
            "lsrefs": (s.upload_pack(path, ls_refs_body()), lambda r: r.status == 200 and b"refs/heads/main" in r.body),
            "fetch": (s.upload_pack(path, fetch_body(self.tip, self.old)), lambda r: r.status == 200 and b"packfile" in r.body),
        }

    def run(self):
        a = self.args
        self.prepare()
        jvm = list(a.jvm_opt)
        self.stack = GitStack(os.path.join(self.work, "stack"), self.repos, self.logs, find_jar(a.jar), jvm, a.warden_arg)
        s = self.stack
        s.start_upstream()
        if a.upstream == "stub":
            self.start_stub()
        ready = s.start_warden("cost")
        pid = s.procs["warden"].pid
        jfr_dir = tempfile.mkdtemp(prefix="cost-jfr-")
        jfc = os.path.join(jfr_dir, "alloc.jfc")
        open(jfc, "w").write(JFC)
        if not a.profile:  # JFR and async-profiler together crashed the JVM (JfrObjectAllocationSample)
            sh(JCMD + [str(pid), "JFR.start", "name=cost", "settings=" + jfc], stdout=subprocess.DEVNULL)
        kinds = [k for k in a.kinds.split(",") if k]
        req = {p: self.requests(p) for p in ("direct", "warden")}
        conns = {p: Connection(s.ports[p]) for p in ("direct", "warden")}
        t = time.monotonic()
        for i in range(a.warmup):
            for k in KINDS:
                data, check = req["warden"][k]
                dt, ok, err = timed(conns["warden"], data, check)
                if not ok:
                    raise RuntimeError("warm-up %s failed: %s" % (k, err))
        log("warmed with %d requests of each kind in %.1f s" % (a.warmup, time.monotonic() - t))
        rows, windows = [], []
        for k in kinds:
            data, check = req["warden"][k]
            ddata, dcheck = req["direct"][k]
            time.sleep(a.idle)
            load = os.getloadavg()[0]
            w0 = time.time()
            snap0 = threads(pid)
            lat, dlat = [], []
            for i in range(a.requests):
                dt, ok, err = timed(conns["warden"], data, check)
                if not ok:
                    raise RuntimeError("%s failed: %s" % (k, err))
                lat.append(dt)
                if a.direct:
                    dt, ok, err = timed(conns["direct"], ddata, dcheck)
                    dlat.append(dt)
            snap1 = threads(pid)
            w1 = time.time()
            time.sleep(a.idle)
            windows.append((w0 - 0.05, w1 + a.idle * 0.8))
            total, reqcpu, cs, by_name = delta(snap0, snap1)
            n = a.requests
            rows.append(dict(kind=k, n=n, cpu_us=total / n / 1e3, req_cpu_us=reqcpu / n / 1e3, cs=cs / n,
                             p50=percentile(lat, 0.5) * 1e3, p99=percentile(lat, 0.99) * 1e3,
                             dp50=percentile(dlat, 0.5) * 1e3 if dlat else float("nan"),
                             dp99=percentile(dlat, 0.99) * 1e3 if dlat else float("nan"),
                             load=load, by_name=by_name))
            if a.profile:
                self.profile(pid, k, data, check, conns["warden"], jfr_dir)
        allocs = jfr_allocations(pid, os.path.join(jfr_dir, "cost.jfr"), windows) if not a.profile else \
            [float("nan")] * len(rows)
        for r, b in zip(rows, allocs):
            r["alloc_kib"] = b / r["n"] / 1024.0
        self.report(rows, ready)
        if a.keep_jfr:
            log("JFR files in " + jfr_dir)
        else:
            shutil.rmtree(jfr_dir, ignore_errors=True)

    def start_stub(self):
        """Captures the real upstream's answers, then puts the canned stub in its place (as "direct")."""
        from benchlib import free_port, start, stop, wait_port
        s = self.stack
        d = os.path.join(self.work, "canned")
        os.makedirs(d, exist_ok=True)
        c = Connection(s.ports["direct"])
        for k, (data, check) in self.requests("direct").items():
            if k == "challenge":
                continue
            r = c.request(data)
            if not check(r):
                raise RuntimeError("upstream answered %s with %d" % (k, r.status))
            open(os.path.join(d, k + ".type"), "w").write(r.headers[b"content-type"].decode())
            open(os.path.join(d, k + ".body"), "wb").write(r.body)
        c.close()
        stop(s.procs.pop("direct"))
        port = free_port()
        p = start("stub", [sys.executable, os.path.abspath(__file__), "--serve-stub", "%d:%s" % (port, d)],
                  os.path.join(self.logs, "stub.log"))
        if not wait_port(port, 15, p):
            raise RuntimeError("stub upstream did not start")
        s.ports["direct"] = port
        s.procs["direct"] = p
        log("canned upstream on 127.0.0.1:%d" % port)

    def profile(self, pid, kind, data, check, conn, out_dir):
        lib = self.args.asprof_lib or find_async_profiler(self.work)
        if not lib or not os.path.exists(lib):
            log("--profile needs --asprof-lib (libasyncProfiler.so from tools.profiler:async-profiler, e.g. "
                "./mvnw dependency:get -Dartifact=tools.profiler:async-profiler:4.1:jar:linux-x64)")
            return
        ev = self.args.profile
        out = os.path.join(self.logs, "profile-%s-%s.collapsed" % (kind, ev))
        interval = {"wall": "200us", "alloc": "64k"}.get(ev, "100us")
        # jcmd would split key=value arguments: the agent's options are passed quoted
        subprocess.run(JCMD + [str(pid), "JVMTI.agent_load", lib, '"start,event=%s,interval=%s%s"' % (
            ev, interval, ",threads")], stdout=subprocess.DEVNULL)
        for i in range(self.args.requests):
            timed(conn, data, check)
        subprocess.run(JCMD + [str(pid), "JVMTI.agent_load", lib, '"stop,collapsed,file=%s"' % out],
                       stdout=subprocess.DEVNULL)
        summarize_profile(out, sys.stdout)
        log("profile of %s: %s" % (kind, out))

    def report(self, rows, ready):
        a = self.args
        print()
        print("git-warden cost per request (%s; jvm %s; warm-up %d of each kind; %d requests per kind; "
              "start-up to ready %.2f s)" % (os.path.basename(find_jar(a.jar)), " ".join(a.jvm_opt) or "-",
                                              a.warmup, a.requests, ready))
        print()
        direct = "canned upstream" if a.upstream == "stub" else "direct"
        print("| request | CPU µs/request (all threads) | request threads | allocated KiB/request | "
              "context switches/request | latency p50 / p99 ms | %s p50 / p99 ms | 1-min load |" % direct)
        print("|---|---:|---:|---:|---:|---|---|---:|")

        def num(x, fmt):
            return "n/a" if x != x else fmt % x  # NaN: not measured

        for r in rows:
            print("| %s | %.0f | %.0f | %s | %.1f | %.3f / %.3f | %s / %s | %.1f |" % (
                r["kind"], r["cpu_us"], r["req_cpu_us"], num(r["alloc_kib"], "%.1f"), r["cs"], r["p50"], r["p99"],
                num(r["dp50"], "%.3f"), num(r["dp99"], "%.3f"), r["load"]))
        print()
        if a.threads:
            for r in rows:
                top = sorted(r["by_name"].items(), key=lambda x: -x[1])[:8]
                print("%s: " % r["kind"] + ", ".join("%s %.0f µs" % (n, v / r["n"] / 1e3) for n, v in top if v > 0))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--jar", default="")
    ap.add_argument("--jvm-opt", action="append", default=[])
    ap.add_argument("--warden-arg", action="append", default=[])
    ap.add_argument("--kinds", default=",".join(KINDS))
    ap.add_argument("--warmup", type=int, default=3000, help="warm-up requests of each kind (default 3000)")
    ap.add_argument("--requests", type=int, default=2000, help="measured requests per kind (default 2000)")
    ap.add_argument("--idle", type=float, default=1.0, help="idle seconds around each window")
    ap.add_argument("--direct", action="store_true", help="also time each request against direct, interleaved")
    ap.add_argument("--threads", action="store_true", help="CPU per request by thread name")
    ap.add_argument("--profile", default="", help="cpu, wall, itimer or alloc: an async-profiler profile per kind")
    ap.add_argument("--asprof-lib", default=os.environ.get("ASPROF_LIB", ""))
    ap.add_argument("--keep-jfr", action="store_true")
    ap.add_argument("--upstream", default="stub", choices=("stub", "lighttpd"),
                    help="stub (default): canned answers captured from the lighttpd upstream; lighttpd: the real one")
    ap.add_argument("--serve-stub", default="", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.serve_stub:
        port, _, d = args.serve_stub.partition(":")
        serve_stub(int(port), d)
        return
    try:
        Cost(args).run()
    finally:
        stop_all()


if __name__ == "__main__":
    main()
