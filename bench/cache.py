"""Fetch cache section (issue 15): clones served from git-warden's repository mirror, side by side with
clones straight from the upstream (python3 stdlib only).

The upstream is the latency section's (git http-backend behind lighttpd). For this section its git gets a
global config ($HOME of the CGI) with an `uploadpack.packObjectsHook` that runs every `git pack-objects`
under GNU time: each line of the hook's log is one pack the upstream built, with its wall and CPU seconds.
That counts the packs the upstream builds for a burst of clones through git-warden, and gives the CPU a
direct clone costs the upstream, to compare with git-warden's CPU for the same clone from its mirror.
"""
import glob
import os
import re
import shutil
import statistics
import subprocess
import threading
import time
import urllib.request

from benchlib import MIB, CloneBurst, cpu_seconds, dir_bytes, log, percentile, proc_status

BURST = 20


def load1():
    return os.getloadavg()[0]


class CacheSection:

    def __init__(self, bench, stack):
        self.b = bench
        self.s = stack
        q = bench.quick
        self.runs = bench.args.runs or (2 if q else 5)
        self.concurrent = max(bench.conc)
        self.warm = bench.args.warmup if bench.args.warmup >= 0 else (5 if q else 60)
        self.prefix = os.path.join(stack.work, "lighttpd")
        self.hook_log = os.path.join(self.prefix, "pack-objects.log")
        self.tmp = os.path.join(bench.tmp, "cache")
        self.mport = None

    # ------------------------------------------------------------ upstream instrumentation
    def install_hook(self):
        hook = os.path.join(self.prefix, "pack-objects-hook")
        with open(hook, "w") as f:
            f.write('#!/bin/sh\n# one line per pack the upstream builds: wall, user and system seconds\n'
                    'exec /usr/bin/time -f "pack %%e %%U %%S" -a -o %s "$@"\n' % self.hook_log)
        os.chmod(hook, 0o755)
        # lighttpd gives git http-backend HOME=<prefix>: this is git's global config there
        with open(os.path.join(self.prefix, ".gitconfig"), "w") as f:
            f.write("[uploadpack]\n\tpackObjectsHook = %s\n" % hook)
        open(self.hook_log, "w").close()

    def remove_hook(self):
        try:
            os.unlink(os.path.join(self.prefix, ".gitconfig"))
        except OSError:
            pass

    def packs(self):
        """(wall, cpu) of each pack the upstream built so far."""
        rows = []
        try:
            for line in open(self.hook_log):
                m = re.match(r"pack ([\d.]+) ([\d.]+) ([\d.]+)", line)
                if m:
                    rows.append((float(m.group(1)), float(m.group(2)) + float(m.group(3))))
        except OSError:
            pass
        return rows

    # ------------------------------------------------------------ git-warden
    def management_port(self):
        text = open(self.s.warden_log).read()
        ports = [int(p) for p in re.findall(r"Tomcat started on port (\d+)", text)]
        others = [p for p in ports if p != self.s.ports["warden"]]
        return others[-1] if others else None

    def metrics(self):
        """warden_* samples from /actuator/prometheus: {(name, labels): value}."""
        if self.mport is None:
            self.mport = self.management_port()
        if self.mport is None:
            return {}
        try:
            with urllib.request.urlopen("http://127.0.0.1:%d/actuator/prometheus" % self.mport, timeout=30) as r:
                text = r.read().decode()
        except OSError as e:
            log("cache: metrics unreadable: %s" % e)
            return {}
        out = {}
        for line in text.splitlines():
            m = re.match(r"^(warden_\w+)(?:\{([^}]*)\})? ([-\d.eE+]+|NaN)$", line)
            if m:
                labels = tuple(sorted(re.findall(r'(\w+)="([^"]*)"', m.group(2) or "")))
                out[(m.group(1), labels)] = float(m.group(3))
        return out

    @staticmethod
    def metric(samples, name, **labels):
        want = tuple(sorted(labels.items()))
        return sum(v for (n, ls), v in samples.items() if n == name and all(x in ls for x in want))

    def pid(self):
        return self.s.procs["warden"].pid

    def url(self, path, repo):
        return self.s.url(path, repo)

    def clone(self, path, repo, dest, timeout=1800, extra=()):
        shutil.rmtree(dest, ignore_errors=True)
        t = time.perf_counter()
        r = subprocess.run(["git", "-c", "credential.helper=", "clone", "-q", "--bare"] + list(extra) +
                           [self.url(path, repo), dest], env=self.b.env, stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE, timeout=timeout)
        dt = time.perf_counter() - t
        shutil.rmtree(dest, ignore_errors=True)
        if r.returncode != 0:
            raise RuntimeError("clone of %s via %s failed: %s" % (repo, path, r.stderr.decode(errors="replace")[-300:]))
        return dt

    # ------------------------------------------------------------ phases
    def warm_up(self):
        """Compiles git-warden's serving path (small clones, and 200 MiB clones of a copy of `big` that has a
        mirror of its own) while `big`'s mirror stays cold."""
        if self.warm <= 0:
            return
        log("cache: warming git-warden up for %d s" % self.warm)
        deadline = time.time() + self.warm
        n = 0
        while time.time() < deadline:
            self.clone("warden", "small", os.path.join(self.tmp, "warm-small"))
            self.clone("warden", "bigwarm", os.path.join(self.tmp, "warm-big"))
            n += 1
        log("cache: warm-up made %d rounds" % n)

    def wait_gc(self, repo, timeout=900):
        """Waits until the mirror of `repo` was repacked with a reachability bitmap (the background GC after
        its first fetch); returns the seconds waited, or None."""
        packs = os.path.join(self.s.work, "warden-data", "mirrors", "bench", repo + ".git", "objects", "pack")
        t = time.time()
        while time.time() - t < timeout:
            if any(name.endswith(".bitmap") for name in (os.listdir(packs) if os.path.isdir(packs) else [])):
                return time.time() - t
            time.sleep(1)
        return None

    def burst(self, repo, n):
        """n concurrent clones released together; returns dict with times, errors, wall, packs, cpu."""
        barrier = threading.Barrier(n)
        times, errors = [], []
        lock = threading.Lock()

        def one(i):
            try:
                barrier.wait(120)
            except threading.BrokenBarrierError:
                pass
            try:
                dt = self.clone("warden", repo, os.path.join(self.tmp, "burst-%d" % i), timeout=1800)
                with lock:
                    times.append(dt)
            except Exception as e:  # noqa
                with lock:
                    errors.append(str(e)[:300])

        packs0 = len(self.packs())
        c0 = cpu_seconds([self.pid()])
        load = load1()
        t = time.perf_counter()
        threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
        for th in threads:
            th.start()
        for th in threads:
            th.join(2000)
        wall = time.perf_counter() - t
        return dict(n=n, ok=len(times), errors=len(errors), first_error=errors[0] if errors else "",
                    wall=wall, p50=percentile(times, 0.5), max=max(times) if times else float("nan"),
                    packs=len(self.packs()) - packs0, cpu=cpu_seconds([self.pid()]) - c0, load=load)

    def hits_vs_direct(self, repo):
        """Interleaved: a direct clone (and the pack-objects CPU it cost the upstream) and a clone from the
        warm mirror (and git-warden's CPU for it). One warm-up round is discarded."""
        res = {"direct": [], "warden": [], "floor": [], "direct_pack_cpu": [], "warden_cpu": [], "warden_packs": 0,
               "load": []}
        order = ["direct", "warden", "floor"]
        for run in range(self.runs + 1):
            for path in order:
                packs0 = len(self.packs())
                c0 = cpu_seconds([self.pid()])
                load = load1()
                if path == "floor":
                    dt = self.index_pack(repo)
                    if run > 0:
                        res["floor"].append(dt)
                        self.b.record("cache %s client floor (index-pack)" % repo, "local", run, dt, "s",
                                      "load1=%.2f" % load)
                    continue
                dt = self.clone(path, repo, os.path.join(self.tmp, "hit-%s" % path))
                cpu = cpu_seconds([self.pid()]) - c0
                new = self.packs()[packs0:]
                if run == 0:
                    continue
                res[path].append(dt)
                res["load"].append(load)
                self.b.record("cache %s clone %s" % (repo, "hit" if path == "warden" else "direct"), path, run, dt,
                              "s", "load1=%.2f" % load)
                if path == "direct":
                    pack_cpu = sum(c for _, c in new)
                    res["direct_pack_cpu"].append(pack_cpu)
                    self.b.record("cache %s upstream pack-objects cpu" % repo, path, run, pack_cpu, "cpu-s")
                else:
                    res["warden_cpu"].append(cpu)
                    res["warden_packs"] += len(new)
                    self.b.record("cache %s git-warden cpu per hit" % repo, path, run, cpu, "cpu-s")
            order = order[1:] + order[:1]
        return res

    def index_pack(self, repo):
        """The client's own work on the same pack, without any server: `git index-pack --stdin` of the
        upstream's pack file into an empty repository (what `git clone` runs on the pack it receives)."""
        target = os.path.join(self.tmp, "floor.git")
        shutil.rmtree(target, ignore_errors=True)
        subprocess.run(["git", "init", "-q", "--bare", target], env=self.b.env, check=True)
        pack = max(glob.glob(os.path.join(self.b.repo(repo), "objects", "pack", "*.pack")), key=os.path.getsize)
        t = time.perf_counter()
        with open(pack, "rb") as f:
            subprocess.run(["git", "-C", target, "index-pack", "--stdin"], stdin=f, env=self.b.env, check=True,
                           stdout=subprocess.DEVNULL)
        dt = time.perf_counter() - t
        shutil.rmtree(target, ignore_errors=True)
        return dt

    def concurrent_hits(self, repo, n, timeout=600):
        burst = CloneBurst(self.url("warden", repo), n, os.path.join(self.tmp, "conc"), self.b.env, timeout,
                           barrier_timeout=120)
        before = self.metrics()
        packs0 = len(self.packs())
        c0 = cpu_seconds([self.pid()])
        load = load1()
        burst.run(join_grace=180)
        times, errs, wall = burst.times, burst.errs, burst.wall
        after = self.metrics()
        delta = {r: self.metric(after, "warden_cache_requests_total", result=r) -
                 self.metric(before, "warden_cache_requests_total", result=r) for r in ("hit", "miss", "bypass")}
        r = dict(n=n, ok=len(times), errors=len(errs), first_error=burst.first_error, wall=wall,
                 p50=percentile(times, 0.5), p99=percentile(times, 0.99), cpu=cpu_seconds([self.pid()]) - c0,
                 packs=len(self.packs()) - packs0, results=delta, load=load, load_end=load1(),
                 hwm=proc_status(self.pid(), "VmHWM"))
        log("cache: %d concurrent clones of %s: %d ok, %d errors, %.1f s, p50 %.2f s, p99 %.2f s, %s" % (
            n, repo, r["ok"], r["errors"], wall, r["p50"], r["p99"], delta))
        self.b.record("cache concurrent hits n=%d" % n, "warden", 1, wall, "s-wall",
                      "ok=%d errors=%d p99=%.3f results=%s load1=%.2f first-error=%s" % (
                          r["ok"], r["errors"], r["p99"], delta, load, str(r["first_error"])[:150]))
        return r

    # ------------------------------------------------------------ section
    def run(self):
        os.makedirs(self.tmp, exist_ok=True)
        big = self.b.repo("big")
        bigwarm = self.b.repo("bigwarm")
        if not os.path.isdir(bigwarm):
            # the same pack, hard-linked: a repository of the same shape with a mirror of its own
            shutil.copytree(big, bigwarm, copy_function=os.link)
        self.install_hook()
        R = dict(pack_mib=dir_bytes(big) / MIB)
        link, upstream_port = None, self.s.ports["direct"]
        if self.b.args.upstream_link:
            # the upstream across a network: direct clones and git-warden's mirror fetches cross the link
            from link import Link
            mbit, _, rtt = self.b.args.upstream_link.partition(",")
            link = Link(upstream_port, float(mbit), float(rtt or 20))
            self.s.ports["direct"] = link.port
            R["link"] = link.describe()
            log("cache: upstream behind an emulated link, %s" % R["link"])
        try:
            self.s.start_warden(tag="cache")
            R["jar"] = os.path.basename(self.s.jar)
            self.warm_up()
            m0 = self.metrics()
            log("cache: %d concurrent clones of big through git-warden, cold mirror" % BURST)
            R["burst"] = self.burst("big", BURST)
            m1 = self.metrics()
            R["burst"]["fetches"] = self.metric(m1, "warden_mirror_fetches_total", result="ok") - \
                self.metric(m0, "warden_mirror_fetches_total", result="ok")
            R["burst"]["results"] = {r: self.metric(m1, "warden_cache_requests_total", result=r) -
                                     self.metric(m0, "warden_cache_requests_total", result=r)
                                     for r in ("hit", "miss", "bypass")}
            log("cache: burst %s" % {k: v for k, v in R["burst"].items() if k != "first_error"})
            R["gc_wait"] = self.wait_gc("big")
            log("cache: mirror of big repacked (bitmap) %s s after the burst" % R["gc_wait"])
            R["hits"] = self.hits_vs_direct("big")
            h = R["hits"]
            log("cache: hit %.2f s vs direct %.2f s; git-warden cpu %.2f s vs pack-objects %.2f s" % (
                statistics.median(h["warden"]), statistics.median(h["direct"]),
                statistics.median(h["warden_cpu"]), statistics.median(h["direct_pack_cpu"])))
            if os.path.isdir(self.b.repo("many")):
                # a history-shaped repository: many small objects and deltas, where the upstream has to count
                # and look up objects for each pack (informative; the targets are about big)
                self.clone("warden", "many", os.path.join(self.tmp, "many-first"))  # fills many's mirror
                R["gc_wait_many"] = self.wait_gc("many")
                R["hits_many"] = self.hits_vs_direct("many")
                h = R["hits_many"]
                R["many_mib"] = dir_bytes(self.b.repo("many")) / MIB
                log("cache: many: hit %.2f s vs direct %.2f s; git-warden cpu %.2f s vs pack-objects %.2f s" % (
                    statistics.median(h["warden"]), statistics.median(h["direct"]),
                    statistics.median(h["warden_cpu"]), statistics.median(h["direct_pack_cpu"])))
            self.clone("warden", "small", os.path.join(self.tmp, "small-first"))  # small's mirror is warm
            R["concurrent"] = self.concurrent_hits("small", self.concurrent)
            R["metrics"] = self.metrics()
            R["hwm"] = proc_status(self.pid(), "VmHWM")
        except Exception as e:  # noqa
            log("cache section failed: %s" % e)
            R["failed"] = str(e)[:300]
        finally:
            self.remove_hook()
            self.s.stop_warden()
            if link is not None:
                link.close()
                self.s.ports["direct"] = upstream_port
        return R

    def evaluate(self, R):
        check = self.b.check
        if "failed" in R and "hits" not in R:
            check("fetch cache section ran", False, R["failed"][:120])
            return
        b = R["burst"]
        check("%d clones of big (%.0f MiB) through git-warden, cold mirror: the upstream builds ≤ 2 packs, 0 errors"
              % (b["n"], R["pack_mib"]), b["packs"] <= 2 and b["errors"] == 0,
              "%d packs built, %d errors, %.0f mirror fetch(es); wall %.1f s; load %.1f" % (
                  b["packs"], b["errors"], b["fetches"], b["wall"], b["load"]))
        h = R["hits"]
        if h["warden"] and h["direct"]:
            ratio = statistics.median(h["warden"]) / statistics.median(h["direct"])
            check("cache-hit clone of big ≤ 0.7× the direct clone's wall time (goal 0.5×)", ratio <= 0.7,
                  "%.2f× (%.2f s vs %.2f s, medians of %d; the client's own index-pack of the pack: %.2f s; "
                  "load %.1f–%.1f)" % (
                      ratio, statistics.median(h["warden"]), statistics.median(h["direct"]), len(h["warden"]),
                      statistics.median(h["floor"]) if h.get("floor") else float("nan"), min(h["load"]), max(h["load"])))
            cpu = statistics.median(h["warden_cpu"]) / max(1e-9, statistics.median(h["direct_pack_cpu"]))
            check("git-warden CPU per cache-hit clone ≤ 1.5× the upstream's pack-objects CPU for the same clone",
                  cpu <= 1.5, "%.2f× (%.2f vs %.2f cpu-s, medians)" % (
                      cpu, statistics.median(h["warden_cpu"]), statistics.median(h["direct_pack_cpu"])))
        c = R.get("concurrent")
        if c:
            check("%d concurrent cache-hit clones at -Xmx128m: 0 errors" % c["n"], c["errors"] == 0,
                  "%d ok / %d errors (%s), p99 %.1f s, peak RSS %.0f MiB; load %.1f→%.1f" % (
                      c["ok"], c["errors"], ", ".join("%s %d" % (k, v) for k, v in c["results"].items()), c["p99"],
                      (c["hwm"] or 0) / MIB, c["load"], c["load_end"]))

    def report(self, R):
        L = ["## Fetch cache (issue 15)\n"]
        L.append("git-warden (`-Xmx128m`, `%s`, cache on: the default) in front of the lighttpd upstream, whose "
                 "`git pack-objects` runs are counted and timed by an `uploadpack.packObjectsHook`. After a warm-up "
                 "(%d s of clones of `small` and of `bigwarm`, a hard-linked copy of `big` with a mirror of its own), "
                 "%d clones of `big` (%.0f MiB pack) start together against a **cold** mirror; then, once the "
                 "background GC has given the mirror its bitmap, direct clones and cache-hit clones alternate "
                 "(%d measured rounds after one discarded), and the same for `many` (a long history of small text "
                 "files, with deltas) when it was generated; last, %d clones of `small` start together against "
                 "a warm mirror. Clones are `git clone --bare`. The 1-min load average is given with each number "
                 "(2 cores, shared).\n" % (R.get("jar", "?"), self.warm, BURST, R.get("pack_mib", 0), self.runs,
                                            self.concurrent))
        if R.get("link"):
            L.append("**The upstream is behind an emulated network link** (`--upstream-link`, `bench/link.py`: %s, "
                     "shared by all connections): direct clones and git-warden's mirror fetches cross it, as they cross "
                     "the network to a hosted git server; clients reach git-warden on loopback, as agents reach a "
                     "git-warden in their cluster. Cache hits still ask the upstream for the ref advertisement (the "
                     "gate), across the link.\n" % R["link"])
        if "failed" in R:
            L.append("> **Section failed:** %s\n" % R["failed"])
        b = R.get("burst")
        if b:
            L.append("| %d concurrent clones of big, cold mirror | |\n|---|---|" % b["n"])
            L.append("| clones ok / errors | %d / %d%s |" % (b["ok"], b["errors"],
                                                           (" (%s)" % b["first_error"][:120].replace("|", "/")) if b["errors"] else ""))
            L.append("| packs the upstream built (pack-objects runs) | **%d** |" % b["packs"])
            L.append("| mirror fetches | %.0f |" % b.get("fetches", 0))
            L.append("| fetches: hit / miss / bypass | %s |" % " / ".join("%.0f" % b.get("results", {}).get(r, 0)
                                                                           for r in ("hit", "miss", "bypass")))
            L.append("| wall (all done) / median clone | %.1f s / %.1f s |" % (b["wall"], b["p50"]))
            L.append("| git-warden CPU for the burst | %.1f cpu-s |" % b["cpu"])
            L.append("| load average at start | %.1f |" % b["load"])
            L.append("| mirror repacked (bitmap) after | %s |" % (
                ("%.0f s" % R["gc_wait"]) if R.get("gc_wait") is not None else "not within 900 s"))
            L.append("")
        for key, name, mib in (("hits", "big", R.get("pack_mib", 0)), ("hits_many", "many", R.get("many_mib", 0))):
            h = R.get(key)
            if not (h and h["warden"]):
                continue
            L.append("| clone of %s (%.0f MiB pack) | min | median | max | CPU (median) |" % (name, mib))
            L.append("|---|---:|---:|---:|---|")
            L.append("| direct | %.2f s | %.2f s | %.2f s | upstream `pack-objects` %.2f cpu-s |" % (
                min(h["direct"]), statistics.median(h["direct"]), max(h["direct"]), statistics.median(h["direct_pack_cpu"])))
            L.append("| git-warden, cache hit | %.2f s | %.2f s | %.2f s | git-warden %.2f cpu-s; upstream packs: %d |" % (
                min(h["warden"]), statistics.median(h["warden"]), max(h["warden"]), statistics.median(h["warden_cpu"]),
                h["warden_packs"]))
            if h.get("floor"):
                L.append("| the client's own work: `git index-pack --stdin` of the same pack from a local file | %.2f s | "
                         "%.2f s | %.2f s | neither path can be faster |" % (
                             min(h["floor"]), statistics.median(h["floor"]), max(h["floor"])))
            L.append("")
            L.append("Hit / direct (medians): wall %.2f×, CPU (git-warden vs the upstream's pack-objects) %.2f×. "
                     "Load average (1 min) during these rounds: %s.\n" % (
                         statistics.median(h["warden"]) / statistics.median(h["direct"]),
                         statistics.median(h["warden_cpu"]) / max(1e-9, statistics.median(h["direct_pack_cpu"])),
                         ", ".join("%.1f" % x for x in h["load"])))
        c = R.get("concurrent")
        if c:
            L.append("| %d concurrent clones of small, warm mirror | |\n|---|---|" % c["n"])
            L.append("| ok / errors | %d / %d%s |" % (c["ok"], c["errors"],
                                                     (" (%s)" % str(c["first_error"])[:120].replace("|", "/")) if c["errors"] else ""))
            L.append("| fetches: hit / miss / bypass | %s |" % " / ".join("%.0f" % c["results"][r]
                                                                           for r in ("hit", "miss", "bypass")))
            L.append("| upstream packs built | %d |" % c["packs"])
            L.append("| wall / p50 / p99 | %.1f s / %.2f s / %.2f s |" % (c["wall"], c["p50"], c["p99"]))
            L.append("| git-warden CPU | %.1f cpu-s |" % c["cpu"])
            L.append("| git-warden peak RSS (VmHWM, whole run) | %.0f MiB |" % ((c["hwm"] or 0) / MIB))
            L.append("| load average at start / end | %.1f / %.1f |" % (c["load"], c["load_end"]))
            L.append("")
        m = R.get("metrics")
        if m:
            L.append("git-warden's meters at the end: `warden_cache_requests_total` hit %.0f, miss %.0f, bypass %.0f; "
                     "`warden_cache_bytes_total` mirror %.0f MiB, upstream %.0f MiB; `warden_mirror_fetches_total` "
                     "ok %.0f, failed %.0f.\n" % (
                         self.metric(m, "warden_cache_requests_total", result="hit"),
                         self.metric(m, "warden_cache_requests_total", result="miss"),
                         self.metric(m, "warden_cache_requests_total", result="bypass"),
                         self.metric(m, "warden_cache_bytes_total", source="mirror") / MIB,
                         self.metric(m, "warden_cache_bytes_total", source="upstream") / MIB,
                         self.metric(m, "warden_mirror_fetches_total", result="ok"),
                         self.metric(m, "warden_mirror_fetches_total", result="failed")))
        return L
