"""Resilience section (issue 10): a well-behaved session keeps working while hostile clients attack.

For each attack and each target (git-warden -Xmx128m, a fresh process each time; the nginx relay for
comparison), a session client makes `GET info/refs` requests (a new connection each, 10 s timeout, ~10/s)
and small clones (`git clone --bare`, 30 s timeout) before, during and after the attack. The attacker
(bench/attack.py) runs in its own process for a bounded time and closes everything it opened; then the
section probes whether the target answers again, and for how long it did not.
"""
import json
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time

from benchlib import HERE, CpuMonitor, log, percentile, proc_status, wait_quiet
from rawhttp import timed_new_connection
from stack import rev_parse

SCENARIOS = (
    ("slow-refused-push",
     "~100 connections each send a push refused by policy (valid token, `refs/heads/main`) with a ~1 MiB "
     "command section (1000 commands), then trickle the rest of a 32 MiB body (64 bytes every 2 s)",
     dict(connections=100, ramp=5, reopen=2)),
    ("unauth-trickle",
     "~850 connections without a token POST `git-upload-pack` with `Content-Length: 1000000` and send one "
     "byte every 20 s",
     dict(connections=850, ramp=10, reopen=50)),
    ("slow-headers",
     "~2200 connections send request headers that never end (one more header byte every 20 s)",
     dict(connections=2200, ramp=10, reopen=100)),
    ("gzip-bomb",
     "3 clients send, back to back, ~1 MB `Content-Encoding: gzip` bodies that inflate to 1 GiB: a refused push "
     "(`refs/heads/main`), an allowed push (the session's branch) and a v2 fetch, in turn, all with a valid token",
     dict(connections=3, ramp=0, reopen=0)),
)


def ms(x):
    return x * 1000.0


class SessionClient:
    """A well-behaved agent: info/refs ~10 times a second and a small clone every second or two."""

    def __init__(self, bench, stack, path):
        self.b, self.s, self.path = bench, stack, path
        self.refs = []    # (start, seconds, ok, error)
        self.clones = []  # (start, seconds, ok, error)
        self.stop = threading.Event()
        self.threads = []
        self.dest = os.path.join(bench.tmp, "res-clone-" + path)

    def start(self):
        self.threads = [threading.Thread(target=self.refs_loop, daemon=True),
                        threading.Thread(target=self.clone_loop, daemon=True)]
        for t in self.threads:
            t.start()

    def finish(self):
        self.stop.set()
        for t in self.threads:
            t.join(45)
        shutil.rmtree(self.dest, ignore_errors=True)

    def refs_loop(self):
        req = self.s.info_refs(self.path)
        port = self.s.ports[self.path]
        while not self.stop.is_set():
            t = time.monotonic()
            dt, ok, err = timed_new_connection(port, req, lambda r: r.status == 200, timeout=10.0)
            self.refs.append((t, dt, ok, err))
            self.stop.wait(0.1)

    def clone_loop(self):
        url = self.s.url(self.path, "small")
        while not self.stop.is_set():
            shutil.rmtree(self.dest, ignore_errors=True)
            t = time.monotonic()
            try:
                r = subprocess.run(["git", "-c", "credential.helper=", "clone", "-q", "--bare", url, self.dest],
                                   env=self.b.env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=30)
                ok = r.returncode == 0
                err = None if ok else r.stderr.decode(errors="replace").strip().splitlines()[-1:]
            except subprocess.TimeoutExpired:
                ok, err = False, "timeout (30 s)"
            self.clones.append((t, time.monotonic() - t, ok, err))
            self.stop.wait(1.0)

    @staticmethod
    def window(xs, t0, t1):
        return [x for x in xs if t0 <= x[0] < t1]


def summarize(refs, clones):
    ok = [x[1] for x in refs if x[2]]
    errs = [x for x in refs if not x[2]]
    cok = [x[1] for x in clones if x[2]]
    cerr = [x for x in clones if not x[2]]
    return dict(n=len(refs), errors=len(errs), p50=ms(percentile(ok, .5)) if ok else float("nan"),
                p99=ms(percentile(ok, .99)) if ok else float("nan"),
                first_error=str(errs[0][3])[:120] if errs else "", clones=len(clones), clone_errors=len(cerr),
                clone_median=statistics.median(cok) if cok else float("nan"),
                clone_first_error=str(cerr[0][3])[:120] if cerr else "")


class ResilienceSection:

    def __init__(self, bench, stack):
        self.b = bench
        self.s = stack
        q = bench.quick
        a = bench.args
        self.before = 3.0 if q else 10.0
        self.attack = float(a.attack_seconds or (10 if q else 60))
        self.recovery = 15.0 if q else 60.0
        self.targets = [t for t in (a.attack_targets or ("warden" if q else "warden,nginx")).split(",") if t]
        only = [x for x in (a.attacks or "").split(",") if x]
        self.scenarios = [sc for sc in SCENARIOS if not only or sc[0] in only]
        self.results = []

    def fresh_target(self, target):
        if target == "warden":
            wait_quiet(self.b.args.quiet_busy, self.b.args.quiet_wait, "a fresh git-warden")
            self.s.start_warden("res")
            # a few hundred requests and clones, so that the "before" phase is not the JIT's first minute
            req = self.s.info_refs("warden")
            for _ in range(300):
                timed_new_connection(self.s.ports["warden"], req)
            for i in range(5):
                d = os.path.join(self.b.tmp, "res-warm")
                shutil.rmtree(d, ignore_errors=True)
                self.b.git(["clone", "-q", "--bare", self.s.url("warden", "small"), d], timeout=60)
                shutil.rmtree(d, ignore_errors=True)
        else:
            self.s.stop_nginx()
            self.s.start_nginx()

    def attacker(self, target, name, params):
        repo = self.b.repo("small")
        argv = [sys.executable, os.path.join(HERE, "attack.py"), "--port", str(self.s.ports[target]),
                "--scenario", name, "--connections", str(params["connections"]), "--duration", str(self.attack),
                "--ramp", str(params["ramp"]), "--reopen-rate", str(params["reopen"]),
                "--auth", self.s.auth(target, "res-push"), "--repo", "/bench/small.git", "--push-repo", "/bench/res-push.git",
                "--bomb-dir", self.bomb_dir(),
                "--want", rev_parse(repo, "main"), "--have", rev_parse(repo, "main~3")]
        errlog = open(os.path.join(self.b.logs, "attack-%s-%s.log" % (name, target)), "wb")
        return subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=errlog, start_new_session=True,
                                stdin=subprocess.DEVNULL), errlog

    def probe(self, target, deadline):
        """Seconds after the attack stopped until info/refs and a clone succeed again, or None."""
        t_stop = time.monotonic()
        req = self.s.info_refs(target) if target in self.s.ports else None
        while time.monotonic() < deadline:
            if req is None:
                return None
            t = time.monotonic()
            dt, ok, _ = timed_new_connection(self.s.ports[target], req, lambda r: r.status == 200, timeout=5.0)
            if ok:
                d = os.path.join(self.b.tmp, "res-probe")
                shutil.rmtree(d, ignore_errors=True)
                try:  # counts from the answer to info/refs once a clone confirms it
                    self.b.git(["clone", "-q", "--bare", self.s.url(target, "small"), d], timeout=30)
                    return t + dt - t_stop
                except Exception:  # noqa
                    pass
                finally:
                    shutil.rmtree(d, ignore_errors=True)
            time.sleep(0.5)
        return None

    def run_one(self, name, text, params, target):
        log("resilience: %s against %s" % (name, target))
        self.fresh_target(target)
        wait_quiet(self.b.args.quiet_busy, self.b.args.quiet_wait, "attack %s" % name)
        mon = CpuMonitor().begin()
        proc = self.s.procs.get(target)
        pid = proc.pid if target == "warden" else None
        samples = []
        stop_sampling = threading.Event()

        def sample():
            while not stop_sampling.is_set():
                if pid:
                    samples.append((time.monotonic(), proc_status(pid, "VmRSS"), proc_status_int(pid, "Threads")))
                stop_sampling.wait(1.0)
        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        client = SessionClient(self.b, self.s, target)
        client.start()
        t_before = time.monotonic()
        time.sleep(self.before)
        t_attack = time.monotonic()
        att, errlog = self.attacker(target, name, params)
        try:
            outp, _ = att.communicate(timeout=self.attack + 120)
            stats = json.loads(outp.decode().strip().splitlines()[-1])
        except Exception as e:  # noqa
            try:
                os.killpg(att.pid, 9)
            except ProcessLookupError:
                pass
            att.wait(10)
            stats = dict(error="attacker failed: %s" % e)
        errlog.close()
        t_stop = time.monotonic()
        recovered = self.probe(target, t_stop + self.recovery)
        t_after_end = time.monotonic()
        time.sleep(0.5)
        client.finish()
        stop_sampling.set()
        sampler.join(5)
        o, ours, l0, l1 = mon.end()
        alive = proc.poll() is None if proc else False
        oom = 0
        if target == "warden":
            try:
                oom = open(self.s.warden_log, errors="replace").read().count("OutOfMemoryError")
            except OSError:
                pass
        r = dict(name=name, text=text, target=target, attacker=stats, recovered=recovered, alive=alive, oom=oom,
                 before=summarize(client.window(client.refs, t_before, t_attack), client.window(client.clones, t_before, t_attack)),
                 during=summarize(client.window(client.refs, t_attack, t_stop), client.window(client.clones, t_attack, t_stop)),
                 after=summarize(client.window(client.refs, t_stop, t_after_end), client.window(client.clones, t_stop, t_after_end)),
                 rss=max([x[1] or 0 for x in samples] or [0]), threads=max([x[2] or 0 for x in samples] or [0]),
                 others=o, ours=ours, load=(l0, l1), attack_seconds=t_stop - t_attack)
        log("%s vs %s: during p50 %.1f p99 %.1f ms, %d/%d errors, clones %d/%d failed; recovered %s; attacker %s" % (
            name, target, r["during"]["p50"], r["during"]["p99"], r["during"]["errors"], r["during"]["n"],
            r["during"]["clone_errors"], r["during"]["clones"],
            "after %.1f s" % recovered if recovered is not None else "NOT within %.0f s" % self.recovery,
            {k: stats.get(k) for k in ("opened", "max_live", "closed_by_server", "statuses")}))
        if target == "warden":
            self.s.stop_warden()
        self.results.append(r)
        self.b.record("resilience %s during" % name, target, 1, r["during"]["p99"], "ms-p99",
                      "p50=%.2f errors=%d/%d clones-failed=%d/%d recovered=%s" % (
                          r["during"]["p50"], r["during"]["errors"], r["during"]["n"], r["during"]["clone_errors"],
                          r["during"]["clones"], recovered))

    def bomb_dir(self):
        return os.path.join(os.path.dirname(self.b.work), "bombs")

    def run(self):
        self.s.stop_warden()
        if any(sc[0] == "gzip-bomb" for sc in self.scenarios):
            import attack  # the bodies take seconds to compress: not inside the attack's time
            repo = self.b.repo("small")
            attack.bombs(self.bomb_dir(), rev_parse(repo, "main"), rev_parse(repo, "main~3"))
        for name, text, params in self.scenarios:
            for target in self.targets:
                try:
                    self.run_one(name, text, params, target)
                except Exception as e:  # noqa  (a scenario that breaks the harness must not stop the others)
                    log("resilience %s vs %s failed: %s" % (name, target, e))
                    self.results.append(dict(name=name, text=text, target=target, failed=str(e)[:300]))
                    self.s.stop_warden()
        if "nginx" in self.targets:  # leave a fresh relay behind
            self.s.stop_nginx()
            self.s.start_nginx()
        return self.results

    def evaluate(self, R):
        for r in R:
            if r["target"] != "warden":
                continue
            if "failed" in r:
                self.b.check("%s: session unaffected, service answers after" % r["name"], False, r["failed"][:100])
                continue
            d = r["during"]
            self.b.check("%s: session 0 errors during the attack" % r["name"], d["errors"] == 0 and d["clone_errors"] == 0,
                         "%d/%d info/refs, %d/%d clones failed; p99 %.1f ms" % (
                             d["errors"], d["n"], d["clone_errors"], d["clones"], d["p99"]))
            self.b.check("%s: answers within 10 s after the attack" % r["name"],
                         r["recovered"] is not None and r["recovered"] <= 10,
                         ("after %.1f s" % r["recovered"]) if r["recovered"] is not None else
                         "never (within %.0f s)" % self.recovery)

    def report(self, R):
        L = ["## Resilience under hostile clients\n"]
        L.append("Each attack runs for %.0f s against a fresh git-warden (`-Xmx128m`, %s) and, for comparison, "
                 "against the nginx relay, both in front of the lighttpd upstream. Meanwhile a session client makes "
                 "`GET info/refs` requests (a new connection each, 10 s timeout, ~10/s) and clones the small "
                 "repository (`git clone --bare`, 30 s timeout, one after another). *before* = %.0f s without the "
                 "attack; *during* = while the attacker runs; then the attacker closes everything and the section "
                 "waits up to %.0f s for `info/refs` and a clone to succeed again.\n" % (
                     self.attack, os.path.basename(self.s.jar), self.before, self.recovery))
        for name, text, _ in self.scenarios:
            L.append("* **%s**: %s." % (name, text))
        L.append("")
        L.append("| attack | target | session `info/refs` before: p50 / p99 | during: p50 / p99 | during: failed / requests "
                 "| clones failed / started during | answers again after the attack | attacker: opened / most open at "
                 "once / closed by the server / answers | target: peak RSS, threads, OOM errors in its log | other "
                 "processes' CPU |")
        L.append("|---|---|---|---|---|---|---|---|---|---|")
        for r in R:
            if "failed" in r:
                L.append("| %s | %s | harness error: %s | | | | | | | |" % (r["name"], r["target"], r["failed"]))
                continue
            b, d, a = r["before"], r["during"], r["attacker"]
            rec = ("after %.1f s" % r["recovered"]) if r["recovered"] is not None else \
                "**no** (not within %.0f s%s)" % (self.recovery, "" if r["alive"] else ", process exited")
            st = ", ".join("%s×%s" % (v, k) for k, v in sorted((a.get("statuses") or {}).items())) or "none"
            if r["target"] == "warden":
                tgt = "%.0f MiB, %d threads, %d" % (r["rss"] / (1 << 20), r["threads"], r["oom"])
            else:
                tgt = ""
            L.append("| %s | %s | %.1f / %.1f ms | %s | %d / %d%s | %d / %d%s | %s | %s / %s / %s / %s | %s | %.2f cores |" % (
                r["name"], "git-warden" if r["target"] == "warden" else r["target"], b["p50"], b["p99"],
                ("%.1f / %.1f ms" % (d["p50"], d["p99"])) if d["n"] - d["errors"] > 0 else "no answer",
                d["errors"], d["n"], (" (%s)" % d["first_error"].replace("|", "/")) if d["errors"] else "",
                d["clone_errors"], d["clones"], (" (%s)" % d["clone_first_error"].replace("|", "/")) if d["clone_errors"] else "",
                rec, a.get("opened", "?"), a.get("max_live", "?"),
                (a.get("closed_by_server", 0) or 0) + (a.get("reset_by_server", 0) or 0), st, tgt, r["others"]))
        L.append("")
        gz = [r for r in R if r.get("name") == "gzip-bomb" and "attacker" in r]
        for r in gz:
            bombs = r["attacker"].get("bombs") or []
            if bombs:
                by = {}
                for x in bombs:
                    by.setdefault(x["kind"], []).append(x)
                L.append("gzip bombs against %s: %s.\n" % (r["target"], "; ".join(
                    "%s: %d sent, answers %s, median %.1f s until the connection closed" % (
                        k, len(v), ", ".join(sorted({str(x["status"]) for x in v})),
                        statistics.median(x["seconds"] for x in v)) for k, v in by.items())))
        return L


def proc_status_int(pid, key):
    try:
        for line in open("/proc/%d/status" % pid):
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return None
