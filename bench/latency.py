"""Latency section (issue 19): what a single git client sees, per request and per git command.

Three paths to the same upstream (git http-backend behind lighttpd): direct, through an nginx streaming
relay (the floor for any relay), and through git-warden (-Xmx128m, a fresh JVM warmed by 600 requests).
Everything is interleaved: each round sends one request of each kind to each path, in an order rotated
every round, so that a change in machine load hits every path alike.
"""
import os
import random
import shutil
import statistics
import time

from benchlib import CpuMonitor, log, out, percentile, sh, wait_quiet
from rawhttp import Connection, open_loop, timed, timed_new_connection
from stack import fetch_body, ls_refs_body, rev_parse

PATHS = ("direct", "nginx", "warden")

# request kinds: (key, label in the tables)
KINDS = (
    ("inforefs", "`GET info/refs` with credentials, keep-alive"),
    ("inforefs-new", "same, a new connection per request"),
    ("challenge", "`GET info/refs` without credentials (git's first request: the 401 challenge)"),
    ("lsrefs", "protocol v2 `ls-refs` POST"),
    ("fetch", "small fetch POST (v2 `fetch`, 3 commits: want `main`, have `main~3`)"),
)
LOAD_KINDS = ("challenge", "inforefs", "lsrefs", "fetch")
MIX = ("challenge", "inforefs", "lsrefs", "fetch")  # cold start: a fresh process's first 100 requests


def ms(x):
    return x * 1000.0


def stats(xs):
    if not xs:
        return dict(n=0, p50=float("nan"), p90=float("nan"), p99=float("nan"), mean=float("nan"), max=float("nan"))
    return dict(n=len(xs), p50=ms(percentile(xs, 0.5)), p90=ms(percentile(xs, 0.9)), p99=ms(percentile(xs, 0.99)),
                mean=ms(statistics.fmean(xs)), max=ms(max(xs)))


def rotated(seq, k):
    k %= len(seq)
    return list(seq[k:]) + list(seq[:k])


class LatencySection:

    def __init__(self, bench, stack):
        self.b = bench
        self.s = stack
        a = bench.args
        q = bench.quick
        self.rounds = a.lat_rounds or (150 if q else 2000)
        self.rates = [float(x) for x in (a.rates or "50,500").split(",") if x]
        self.load_rounds = 1 if q else 4
        self.load_seconds = {50.0: 2.0 if q else 5.0, 500.0: 1.0 if q else 2.5}
        self.git_runs = dict(lsremote=(2, 5) if q else (3, 15), noop=(2, 5) if q else (3, 15),
                             push=(3, 3) if q else (25, 9))
        if getattr(a, "lat_git_runs", 0):
            # more measured runs than the 15 / 15 / 9: a push varies by ±10 % from run to run here
            self.git_runs = {k: (w, a.lat_git_runs) for k, (w, _) in self.git_runs.items()}
        self.cold_starts = a.cold_starts or (2 if q else 5)
        self.warmup = max(getattr(a, "lat_warm", 0) or 600, 100)
        self.samples = []  # (phase, kind, path, round, seconds, ok)
        self.phase_cpu = {}  # phase -> (others' cores, ours, load begin, load end)
        self.errors = {}

    # ------------------------------------------------------------ requests
    def prepare(self):
        repo = self.b.repo("small")
        self.tip, self.old = rev_parse(repo, "main"), rev_parse(repo, "main~3")
        self.req = {}
        for p in ("direct", "nginx"):
            self.build(p)
        self.check = {
            "inforefs": lambda r: r.status == 200 and b"version 2" in r.body,
            "inforefs-new": lambda r: r.status == 200 and b"version 2" in r.body,
            "challenge": lambda r: r.status == 401,
            "lsrefs": lambda r: r.status == 200 and b"refs/heads/main" in r.body,
            "fetch": lambda r: r.status == 200 and b"packfile" in r.body,
        }

    @staticmethod
    def load_conns(rate):
        return 8 if rate <= 100 else 32

    def build(self, p):
        """The request bytes for path p (again after each git-warden start: its port changes)."""
        s = self.s
        self.req[(p, "inforefs")] = s.info_refs(p)
        self.req[(p, "inforefs-new")] = s.info_refs(p)
        self.req[(p, "challenge")] = s.info_refs(p, auth=False)
        self.req[(p, "lsrefs")] = s.upload_pack(p, ls_refs_body())
        self.req[(p, "fetch")] = s.upload_pack(p, fetch_body(self.tip, self.old))

    def one(self, conns, path, kind):
        if kind == "inforefs-new":
            return timed_new_connection(self.s.ports[path], self.req[(path, kind)], self.check[kind])
        return timed(conns[path], self.req[(path, kind)], self.check[kind])

    def note_error(self, phase, path, kind, err):
        key = (phase, path, kind)
        n, first = self.errors.get(key, (0, err))
        self.errors[key] = (n + 1, first)

    def monitored(self, phase, fn):
        wait_quiet(self.b.args.quiet_busy, self.b.args.quiet_wait, phase)
        m = CpuMonitor().begin()
        try:
            return fn()
        finally:
            self.phase_cpu[phase] = m.end()
            o, ours, l0, l1 = self.phase_cpu[phase]
            log("%s: other processes used %.2f cores, the benchmark %.2f; 1-min load %.2f -> %.2f" % (
                phase, o, ours, l0, l1))

    # ------------------------------------------------------------ phases
    def mix100(self, path):
        """100 requests in the order a few git commands make them, on one keep-alive connection."""
        c = Connection(self.s.ports[path])
        out = []
        for i in range(100):
            kind = MIX[i % len(MIX)]
            dt, ok, err = timed(c, self.req[(path, kind)], self.check[kind])
            out.append((kind, dt, ok))
        c.close()
        return out

    def warm_up(self, n):
        conns = {p: Connection(self.s.ports[p]) for p in PATHS}
        for i in range(n):
            kind = KINDS[i % len(KINDS)][0]
            self.one(conns, "warden", kind)
        for p in ("direct", "nginx"):  # page cache and the relay's upstream connections
            for kind, _ in KINDS:
                for _ in range(4):
                    self.one(conns, p, kind)
        for c in conns.values():
            c.close()

    def sequential(self):
        conns = {p: Connection(self.s.ports[p]) for p in PATHS}
        t = time.time()
        for rnd in range(self.rounds):
            order = rotated(PATHS, rnd)
            for kind, _ in KINDS:
                for path in order:
                    dt, ok, err = self.one(conns, path, kind)
                    self.samples.append(("seq", kind, path, rnd, dt, ok))
                    if not ok:
                        self.note_error("seq", path, kind, err)
            if rnd and rnd % 500 == 0:
                log("sequential: %d/%d rounds (%.0f s)" % (rnd, self.rounds, time.time() - t))
        self.connects = {p: c.connects for p, c in conns.items()}
        for c in conns.values():
            c.close()

    def offered_load(self):
        res = {}
        for kind in LOAD_KINDS:
            for rate in self.rates:
                dur = self.load_seconds.get(rate, 2.0)
                conns = self.load_conns(rate)
                acc = {p: dict(lat=[], lag=[], errors=0, sent=0, wall=0.0, cpu=0.0, first_error=None) for p in PATHS}
                for rnd in range(self.load_rounds):
                    for path in rotated(PATHS, rnd):
                        r = open_loop(self.s.ports[path], self.req[(path, kind)], rate, dur, conns,
                                      check=self.check[kind])
                        a = acc[path]
                        a["lat"] += r.latencies
                        a["lag"] += r.lags
                        a["errors"] += r.errors
                        a["sent"] += r.sent
                        a["wall"] += r.wall
                        a["cpu"] += r.cpu
                        a["first_error"] = a["first_error"] or r.first_error
                        time.sleep(0.3)
                res[(kind, rate)] = acc
                log("offered %s at %.0f/s: %s" % (kind, rate, ", ".join(
                    "%s p50 %.2f p99 %.2f ms err %d" % (p, ms(percentile(acc[p]["lat"], .5)),
                                                       ms(percentile(acc[p]["lat"], .99)), acc[p]["errors"])
                    for p in PATHS)))
                for p in PATHS:
                    for x in acc[p]["lat"]:
                        self.samples.append(("load%.0f" % rate, kind, p, 0, x, True))
        return res

    def git_commands(self):
        b, s = self.b, self.s
        tmp = os.path.join(b.tmp, "latency")
        shutil.rmtree(tmp, ignore_errors=True)
        os.makedirs(tmp)
        res = {}

        def interleave(name, warm, runs, fn, setup=None):
            out = {p: [] for p in PATHS}
            for rnd in range(warm + runs):
                for path in rotated(PATHS, rnd):
                    if setup:
                        setup(path, rnd)
                    try:
                        dt = fn(path)
                    except Exception as e:  # noqa
                        self.note_error(name, path, "git", str(e)[:300])
                        continue
                    if rnd >= warm:
                        out[path].append(dt)
                        b.record("latency " + name, path, rnd - warm, dt, "s")
            log("%s medians: %s" % (name, ", ".join("%s %.1f ms" % (p, ms(statistics.median(v)))
                                                     for p, v in out.items() if v)))
            return out

        w, n = self.git_runs["lsremote"]
        res["lsremote"] = interleave("git ls-remote", w, n, lambda p: b.git(["ls-remote", s.url(p, "small")], timeout=60))

        clones = {}
        for p in PATHS:
            clones[p] = os.path.join(tmp, "noop-" + p)
            b.git(["clone", "-q", "--bare", s.url(p, "small"), clones[p]], timeout=120)
        w, n = self.git_runs["noop"]
        res["noop"] = interleave("no-op git fetch", w, n, lambda p: b.git(
            ["-C", clones[p], "fetch", "-q", s.url(p, "small"), "+refs/heads/*:refs/heads/*"], timeout=60))

        target = b.repo("lat-push")
        local = os.path.join(tmp, "push-local")
        sh(["git", "clone", "-q", "-b", "agent/bench", target, local], env=b.env)
        ctr = [0]

        def new_files(path, rnd):
            ctr[0] += 1
            d = os.path.join(local, "push-%05d" % ctr[0])
            os.makedirs(d)
            rnd_bytes = random.Random(ctr[0])
            for i in range(10):
                with open(os.path.join(d, "f%d.txt" % i), "w") as f:
                    f.write("%d/%d %s\n" % (ctr[0], i, "%x" % rnd_bytes.getrandbits(4096)))
            sh(["git", "-C", local, "add", "-A"], env=b.env)
            sh(["git", "-C", local, "-c", "user.name=bench", "-c", "user.email=bench@git-warden.invalid",
                "commit", "-q", "-m", "bench push %d" % ctr[0]], env=b.env)

        w, n = self.git_runs["push"]
        res["push"] = interleave("git push (10 new files)", w, n, lambda p: b.git(
            ["-C", local, "push", "-q", s.url(p, "lat-push-" + p), "HEAD:refs/heads/agent/bench"], timeout=60),
            setup=new_files)
        shutil.rmtree(tmp, ignore_errors=True)
        return res

    def cold_start(self, first):
        """first: (ready s, first request s, mix100) of the process measured in run(); more fresh processes."""
        out = [first]
        for i in range(self.cold_starts - 1):
            wait_quiet(self.b.args.quiet_busy, self.b.args.quiet_wait, "cold start %d" % (i + 2))
            p, t = self.s.spawn_warden("cold")
            ready, first_req = self.s.wait_ready(t)
            self.build("warden")
            mix = self.mix100("warden")
            out.append((ready, first_req, mix, self.s.started_log_line()))
            log("cold start %d: ready after %.2f s, first 100 requests %.0f ms" % (
                i + 2, ready, ms(sum(x[1] for x in mix))))
            self.s.stop_warden()
        return out

    # ------------------------------------------------------------ run
    def run(self):
        s = self.s
        self.prepare()
        wait_quiet(self.b.args.quiet_busy, self.b.args.quiet_wait, "the latency section's git-warden start")
        p, t = s.spawn_warden("latency")
        ready, first_req = s.wait_ready(t)
        self.build("warden")
        mix_cold = self.mix100("warden")
        first = (ready, first_req, mix_cold, s.started_log_line())
        log("git-warden ready after %.2f s (first request %.1f ms); first 100 requests %.0f ms" % (
            ready, ms(first_req), ms(sum(x[1] for x in mix_cold))))
        self.warm_up(self.warmup - 100)
        R = {}
        R["seq"] = self.monitored("sequential", self.sequential)
        R["load"] = self.monitored("offered load", self.offered_load)
        R["git"] = self.monitored("git commands", self.git_commands)
        R["steady_mix"] = {p: self.mix100(p) for p in PATHS}
        R["warden_rss"] = None
        s.stop_warden()
        R["cold"] = self.monitored("cold start", lambda: self.cold_start(first))
        self.write_samples()
        return R

    def write_samples(self):
        import csv
        with open(os.path.join(self.b.outdir, "latency-samples.csv"), "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["phase", "kind", "path", "round", "ms", "ok"])
            for ph, kind, path, rnd, dt, ok in self.samples:
                w.writerow([ph, kind, path, rnd, "%.4f" % ms(dt), int(ok)])

    # ------------------------------------------------------------ results
    def seq_stats(self):
        by = {}
        for ph, kind, path, rnd, dt, ok in self.samples:
            if ph == "seq" and ok:
                by.setdefault((kind, path), []).append((rnd, dt))
        st, spread = {}, {}
        for (kind, path), xs in by.items():
            st[(kind, path)] = stats([x for _, x in xs])
        # noise: the added p50/p99 in 5 consecutive blocks of rounds
        nblk = 5
        for kind, _ in KINDS:
            per = []
            for k in range(nblk):
                lo, hi = self.rounds * k // nblk, self.rounds * (k + 1) // nblk

                def blk(path):
                    return [x for r, x in by.get((kind, path), []) if lo <= r < hi]
                d, w = blk("direct"), blk("warden")
                if d and w:
                    per.append((ms(percentile(w, .5) - percentile(d, .5)), ms(percentile(w, .99) - percentile(d, .99))))
            spread[kind] = per
        return st, spread

    @staticmethod
    def saturated(rate, direct, sequential):
        """Why the upstream alone could not keep up with `rate` (then *added* measures queues, not a relay), or None.

        Open loop, a server that falls behind builds a queue that every later request waits in: errors
        (requests not sent), fewer answers than requests, answers at under 97 % of the offered rate, or a
        p99 ten times the one it has one request at a time all mean the direct path itself was queueing.
        """
        lat = direct["lat"]
        if direct["errors"]:
            return "%d errors" % direct["errors"]
        if len(lat) < 0.97 * direct["sent"]:
            return "%d of %d answered" % (len(lat), direct["sent"])
        answered = len(lat) / direct["wall"] if direct["wall"] else 0
        if answered < 0.97 * rate:
            return "answered %.0f/s" % answered
        p99 = ms(percentile(lat, .99))
        if sequential and p99 > 10 * sequential["p99"]:
            return "p99 %.0f ms, %.1f ms one at a time" % (p99, sequential["p99"])
        return None

    def evaluate(self, R):
        b = self.b
        st, spread = self.seq_stats()
        self.st, self.spread = st, spread
        for kind in ("challenge", "inforefs", "lsrefs", "fetch"):
            d, w = st.get((kind, "direct")), st.get((kind, "warden"))
            if not d or not w:
                continue
            a50, a99 = w["p50"] - d["p50"], w["p99"] - d["p99"]
            b.check("sequential %s: added p50 ≤ 0.5 ms, p99 ≤ 2 ms" % kind, a50 <= 0.5 and a99 <= 2.0,
                    "%+.2f / %+.2f ms" % (a50, a99))
        for (kind, rate), acc in R["load"].items():
            d, w = acc["direct"]["lat"], acc["warden"]["lat"]
            if not d or not w:
                b.check("%s at %.0f/s: added p50 ≤ 0.5 ms, p99 ≤ 2 ms" % (kind, rate), False, "no answers")
                continue
            a50, a99 = ms(percentile(w, .5) - percentile(d, .5)), ms(percentile(w, .99) - percentile(d, .99))
            sat = self.saturated(rate, acc["direct"], st.get((kind, "direct")))
            b.check("%s at %.0f/s: added p50 ≤ 0.5 ms, p99 ≤ 2 ms" % (kind, rate),
                    (a50 <= 0.5 and a99 <= 2.0 and acc["warden"]["errors"] == 0) if not sat else None,
                    "%+.2f / %+.2f ms, errors %d%s" % (a50, a99, acc["warden"]["errors"],
                                                      " (direct saturated: %s)" % sat if sat else ""))
        for key, label in (("push", "git push of 10 files"), ("lsremote", "git ls-remote"), ("noop", "no-op git fetch")):
            g = R["git"][key]
            if g["direct"] and g["warden"]:
                r = statistics.median(g["warden"]) / statistics.median(g["direct"])
                b.check("%s ≤ 1.10× direct" % label, r <= 1.10, "%.2f×" % r)
        cold = R["cold"]
        readies = [c[0] for c in cold]
        b.check("start-up to ready ≤ 3 s (median of %d)" % len(cold), statistics.median(readies) <= 3.0,
                "%.2f s (%.2f-%.2f)" % (statistics.median(readies), min(readies), max(readies)))
        steady = sum(x[1] for x in R["steady_mix"]["warden"])
        firsts = [sum(x[1] for x in c[2]) for c in cold]
        ratio = statistics.median(firsts) / steady
        b.check("first 100 requests of a fresh process ≤ 2× steady state", ratio <= 2.0,
                "%.2f× (%.0f ms vs %.0f ms)" % (ratio, ms(statistics.median(firsts)), ms(steady)))

    def report(self, R):
        st, spread = self.st, self.spread
        L = []
        L.append("## Per-request latency (single client)\n")
        L.append("Upstream: `git http-backend` behind %s (`mod_cgi`, `mod_auth` Basic `x-access-token`, "
                 "`server.stream-request-body = 0`, `server.stream-response-body = 2`). **direct** = the client to "
                 "lighttpd; **nginx** = through an nginx streaming relay (replaces any credentials with the upstream's, "
                 "relays requests without credentials as they are); **git-warden** = `java -Xmx128m -jar` (%s), "
                 "a fresh process warmed by %d requests. One client, one request after another; %d rounds, each "
                 "sending every kind of request to every path in an order rotated each round. Percentiles over all "
                 "rounds; *added* = git-warden − direct, *nginx added* = nginx − direct (the floor for a relay).\n" % (
                     out(["lighttpd", "-v"]).split(" - ")[0], os.path.basename(self.s.jar), self.warmup, self.rounds))
        L.append("| request | direct to the upstream | through git-warden | added | through nginx | nginx added (floor) |")
        L.append("|---|---|---|---|---|---|")

        def pair(x):
            return "%.2f / %.2f ms" % (x["p50"], x["p99"])
        for kind, label in KINDS:
            d, w, n = st.get((kind, "direct")), st.get((kind, "warden")), st.get((kind, "nginx"))
            if not (d and w and n):
                continue
            if kind == "inforefs-new":
                L.append("| %s, p50 | %.2f ms | %.2f ms | %+.2f ms | %.2f ms | %+.2f ms |" % (
                    label, d["p50"], w["p50"], w["p50"] - d["p50"], n["p50"], n["p50"] - d["p50"]))
            else:
                L.append("| %s, p50 / p99 | %s | %s | %+.2f ms p50, %+.2f ms p99 | %s | %+.2f / %+.2f ms |" % (
                    label, pair(d), pair(w), w["p50"] - d["p50"], w["p99"] - d["p99"], pair(n),
                    n["p50"] - d["p50"], n["p99"] - d["p99"]))
        g = R["git"]
        for key, label in (("lsremote", "`git ls-remote` (challenge, advertisement, v2 `ls-refs`), median of %d"),
                           ("push", "`git push` of 10 new files, median of %d interleaved, after %d warm-up pushes"),
                           ("noop", "no-op `git fetch` (challenge, advertisement, `ls-refs`), median of %d")):
            x = g[key]
            if not (x["direct"] and x["warden"] and x["nginx"]):
                continue
            md, mw, mn = (ms(statistics.median(x[p])) for p in ("direct", "warden", "nginx"))
            lab = label % ((len(x["direct"]), self.git_runs["push"][0]) if key == "push" else len(x["direct"]))
            L.append("| %s | %.0f ms | %.0f ms | %.2f× | %.0f ms | %.2f× |" % (lab, md, mw, mw / md, mn, mn / md))
        L.append("")
        ratios = []
        for key, label in (("lsremote", "`ls-remote`"), ("push", "push"), ("noop", "no-op fetch")):
            x = g[key]
            per_round = sorted(w / d for d, w in zip(x["direct"], x["warden"]) if d > 0)
            if len(per_round) >= 4:
                qs = statistics.quantiles(per_round, n=4)
                ratios.append("%s %.2f× (quartiles %.2f–%.2f)" % (label, statistics.median(per_round), qs[0], qs[2]))
        if ratios:
            L.append("git commands, git-warden ÷ direct of the same round (each round runs both back to back): " +
                     "; ".join(ratios) + ".\n")
        L.append("Noise: the added p50 / p99 computed separately over 5 consecutive blocks of rounds (min to max): " +
                 "; ".join("%s %+.2f..%+.2f / %+.2f..%+.2f ms" % (
                     k, min(a for a, _ in v), max(a for a, _ in v), min(c for _, c in v), max(c for _, c in v))
                     for k, v in spread.items() if v) + ".\n")
        if getattr(self, "connects", None):
            L.append("Connections the keep-alive client opened per path during the sequential rounds (a server that "
                     "closes keep-alive connections makes the next request pay a new connection): " +
                     ", ".join("%s %d" % kv for kv in self.connects.items()) + ".\n")
        errs = [(k, v) for k, v in self.errors.items()]
        if errs:
            L.append("Errors: " + "; ".join("%s %s %s: %d (first: %s)" % (k[0], k[1], k[2], v[0], str(v[1])[:120])
                                             for k, v in errs) + "\n")
        # offered load
        L.append("### Under a constant offered load\n")
        L.append("Open loop: requests are started on a fixed schedule and each latency is measured from its "
                 "scheduled start, so queueing in front of a slow server counts (a request more than a round's length "
                 "behind schedule is not sent and counts as an error). %s. %d round(s) per path and rate, the paths "
                 "interleaved.\n" % ("; ".join("%.0f requests/s over %d keep-alive connections, %.1f s per round" % (
                     r, self.load_conns(r), self.load_seconds.get(r, 2.0)) for r in self.rates), self.load_rounds))
        L.append("| request | rate | direct p50 / p99 | git-warden p50 / p99 | added p50 / p99 | nginx p50 / p99 | "
                 "nginx added | answered/s (direct, nginx, git-warden) | errors (d, n, w) |")
        L.append("|---|---:|---|---|---|---|---|---|---|")
        names = dict(challenge="401 challenge", inforefs="`info/refs`", lsrefs="`ls-refs`", fetch="small fetch")
        for (kind, rate), acc in R["load"].items():
            def p(path, q):
                return ms(percentile(acc[path]["lat"], q))
            L.append("| %s | %.0f/s | %.2f / %.2f ms | %.2f / %.2f ms | %+.2f / %+.2f ms | %.2f / %.2f ms | "
                     "%+.2f / %+.2f ms | %s | %s |" % (
                         names[kind], rate, p("direct", .5), p("direct", .99), p("warden", .5), p("warden", .99),
                         p("warden", .5) - p("direct", .5), p("warden", .99) - p("direct", .99),
                         p("nginx", .5), p("nginx", .99), p("nginx", .5) - p("direct", .5),
                         p("nginx", .99) - p("direct", .99),
                         ", ".join("%.0f" % (len(acc[x]["lat"]) / acc[x]["wall"] if acc[x]["wall"] else 0) for x in PATHS),
                         ", ".join("%d" % acc[x]["errors"] for x in PATHS)))
        L.append("")
        # generator check
        chk = []
        for rate in self.rates:
            acc = R["load"].get(("challenge", rate))
            if acc:
                a = acc["direct"]
                chk.append("at %.0f/s the send lag (actual send − scheduled start) to direct was p50 %.3f / p99 %.3f ms, "
                           "and the generator used %.0f µs of CPU per request" % (
                               rate, ms(percentile(a["lag"], .5)), ms(percentile(a["lag"], .99)),
                               1e6 * a["cpu"] / max(1, a["sent"])))
        d = st.get(("challenge", "direct"))
        if d and chk:
            L.append("Load generator (`bench/rawhttp.py`, Python threads, one per connection): lighttpd's 401 "
                     "answered sequentially in p50 %.3f ms; %s. Its own cost is in every path's numbers alike; the "
                     "*added* columns cancel it.\n" % (d["p50"], "; ".join(chk)))
        # cold start
        cold = R["cold"]
        steady = {p: R["steady_mix"][p] for p in PATHS}
        L.append("### Cold start\n")
        L.append("Start-up = from spawning `java -Xmx128m -jar` to the first `200` for `GET info/refs` (polled every "
                 "10 ms on new connections). Then the first 100 requests of that process, sequential on one "
                 "keep-alive connection (25 × challenge, `info/refs`, `ls-refs`, small fetch), against the same 100 "
                 "on the warmed process of the measurements above (steady state). %d fresh process(es).\n" % len(cold))
        L.append("| process | start-up to ready | Spring Boot \"Started in\" (process running for) | first request | "
                 "first 100 requests | their p50 / max | × steady state |")
        L.append("|---|---:|---|---:|---:|---|---:|")
        steady_w = sum(x[1] for x in steady["warden"])
        for i, (ready, first_req, mix, started) in enumerate(cold):
            tot = sum(x[1] for x in mix)
            xs = [x[1] for x in mix]
            L.append("| fresh %d | %.2f s | %s | %.1f ms | %.0f ms | %.2f / %.1f ms | %.2f× |" % (
                i + 1, ready, ("%.2f s (%.2f s)" % started) if started else "?", ms(first_req), ms(tot),
                ms(percentile(xs, .5)), ms(max(xs)), tot / steady_w))
        for p in PATHS:
            xs = [x[1] for x in steady[p]]
            L.append("| steady state, %s | | | | %.0f ms | %.2f / %.1f ms | |" % (
                "git-warden" if p == "warden" else p, ms(sum(xs)), ms(percentile(xs, .5)), ms(max(xs))))
        L.append("")
        L.append("Machine during each phase (CPU of processes other than the benchmark's, averaged over the phase; "
                 "1-min load average at its start → end):\n")
        L.append("| phase | other processes | benchmark (servers, clients) | load |")
        L.append("|---|---:|---:|---|")
        for ph, (o, ours, l0, l1) in self.phase_cpu.items():
            L.append("| %s | %.2f cores | %.2f cores | %.2f → %.2f |" % (ph, o, ours, l0, l1))
        L.append("")
        L.append("Raw samples: `latency-samples.csv` (sequential and offered-load latencies, ms).\n")
        return L
