#!/usr/bin/env python3
"""git-warden benchmark harness (python3 stdlib only).

Starts on 127.0.0.1:
  * upstream: git http-backend behind nginx + fcgiwrap, Basic auth x-access-token:TOKEN
  * nginx:    a streaming reverse proxy that only attaches the upstream Authorization
  * warden:   the git-warden jar (-Xmx128m)
and measures the three paths side by side. Run through bench/run.sh.
"""
import argparse
import base64
import csv
import datetime
import glob
import hashlib
import hmac
import json
import os
import platform
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import (  # noqa: E402  (helpers shared with the latency and resilience sections)
    HERE, ROOT, TOKEN, HMAC_SECRET, OWNER, CLK_TCK, GIB, MIB,
    PROCS, log, free_port, wait_port, start, stop_all, children, cpu_seconds,
    proc_status, sh, out, b64url, mint_jwt, dir_bytes, percentile, CloneBurst)
from stack import GitStack, find_jar  # noqa: E402


# ----------------------------------------------------------------------- repo gen

WORDS = ("alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi "
         "omicron pi rho sigma tau upsilon phi chi psi omega warden relay proxy "
         "token scope branch commit blob tree pack fetch push clone").split()


def fast_import(repo, stream_fn, compression=None):
    shutil.rmtree(repo, ignore_errors=True)
    sh(["git", "init", "-q", "--bare", "-b", "main", repo])
    cmd = ["git", "-c", "fastimport.unpackLimit=0"]
    if compression is not None:
        cmd += ["-c", "pack.compression=%d" % compression, "-c", "core.compression=%d" % compression]
    cmd += ["-C", repo, "fast-import", "--quiet", "--done"]
    p = subprocess.Popen(cmd, stdin=subprocess.PIPE)
    w = p.stdin
    stream_fn(w)
    w.write(b"done\n")
    w.close()
    if p.wait() != 0:
        raise RuntimeError("fast-import failed for " + repo)


def data_cmd(w, payload):
    w.write(b"data %d\n" % len(payload))
    w.write(payload)
    w.write(b"\n")


def commit_hdr(w, ref, mark, n, msg, parent_mark=None):
    ts = 1700000000 + n * 60
    w.write(b"commit %s\nmark :%d\n" % (ref.encode(), mark))
    w.write(b"author Bench <bench@git-warden.invalid> %d +0000\n" % ts)
    w.write(b"committer Bench <bench@git-warden.invalid> %d +0000\n" % ts)
    data_cmd(w, msg.encode())
    if parent_mark:
        w.write(b"from :%d\n" % parent_mark)


def gen_history_repo(repo, nfiles, ncommits, touch_per_commit=4, old_back=50, seed=1):
    """Many small text files and a long linear history; branch `old` = main~old_back."""
    rnd = random.Random(seed)

    def text(i, v):
        words = [rnd.choice(WORDS) for _ in range(rnd.randint(20, 60))]
        return ("file %d version %d\n%s\n" % (i, v, " ".join(words))).encode()

    def stream(w):
        commit_hdr(w, "refs/heads/main", 1, 0, "initial import of %d files\n" % nfiles)
        for i in range(nfiles):
            w.write(b"M 100644 inline src/d%03d/f%05d.txt\n" % (i // 100, i))
            data_cmd(w, text(i, 0))
        w.write(b"\n")
        for c in range(1, ncommits):
            commit_hdr(w, "refs/heads/main", c + 1, c, "change %d\n" % c, parent_mark=c)
            for _ in range(touch_per_commit):
                i = rnd.randrange(nfiles)
                w.write(b"M 100644 inline src/d%03d/f%05d.txt\n" % (i // 100, i))
                data_cmd(w, text(i, c))
            w.write(b"\n")
        old = max(1, ncommits - old_back)
        w.write(b"reset refs/heads/old\nfrom :%d\n\n" % old)

    fast_import(repo, stream)
    sh(["git", "-C", repo, "repack", "-a", "-d", "-q"])


def gen_random_repo(repo, total_bytes, blob_size=4 << 20, files_per_commit=8, seed=2):
    """Incompressible blobs (os.urandom), a few commits."""
    blob_size = max(64 << 10, min(blob_size, total_bytes // 8))
    nblobs = max(1, total_bytes // blob_size)

    def stream(w):
        mark, n, parent = 1, 0, None
        i = 0
        while i < nblobs:
            commit_hdr(w, "refs/heads/main", mark, n, "random blobs %d\n" % n, parent_mark=parent)
            for _ in range(min(files_per_commit, nblobs - i)):
                w.write(b"M 100644 inline blobs/b%05d.bin\n" % i)
                data_cmd(w, os.urandom(blob_size))
                i += 1
            w.write(b"\n")
            parent, mark, n = mark, mark + 1, n + 1

    fast_import(repo, stream, compression=1)


def init_push_target(repo, src=None):
    shutil.rmtree(repo, ignore_errors=True)
    if src:
        sh(["git", "clone", "-q", "--bare", "--no-local", src, repo])
        sh(["git", "-C", repo, "branch", "-f", "agent/bench", "main"])
    else:
        sh(["git", "init", "-q", "--bare", "-b", "main", repo])
    sh(["git", "-C", repo, "config", "http.receivepack", "true"])


# --------------------------------------------------------------------- the bench

class Bench:
    def __init__(self, args):
        self.args = args
        self.quick = args.quick
        self.mode = "quick" if args.quick else "full"
        self.work = os.path.join(HERE, "work", self.mode)
        self.repos = os.path.join(self.work, "repos")
        self.tmp = os.path.join(self.work, "tmp")
        self.logs = os.path.join(self.work, "logs")
        for d in (self.work, self.repos, self.tmp, self.logs):
            os.makedirs(d, exist_ok=True)
        stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
        self.outdir = args.out or os.path.join(HERE, "results", stamp + ("-quick" if self.quick else ""))
        os.makedirs(self.outdir, exist_ok=True)
        self.rows = []          # csv rows
        self.summary = []       # (bench, path, min, med, max, unit, n, note)
        self.checks = []        # (section, target, value, verdict)
        self.section = "classic"
        self.notes = []
        self.paths = [p for p in args.paths.split(",") if p]
        self.ports = {}
        self.pids = {}
        self.env = dict(os.environ)
        home = os.path.join(self.work, "home")
        os.makedirs(home, exist_ok=True)
        self.env.update({"HOME": home, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": "/dev/null",
                         "GIT_TERMINAL_PROMPT": "0", "GIT_ASKPASS": "/bin/false", "LC_ALL": "C"})
        self.sizes = dict(
            big=(4 << 20) if self.quick else (200 << 20),
            huge=(16 << 20) if self.quick else (1 << 30),
            many_files=300 if self.quick else 20000,
            many_commits=200 if self.quick else 5000,
            small_files=30,
            small_commits=10,
        )
        self.runs = args.runs or (2 if self.quick else 5)
        self.conc = [int(x) for x in (args.concurrency or ("20,50" if self.quick else "100,500")).split(",")]
        self.stalled = args.stalled or (30 if self.quick else 300)
        self.load0 = os.getloadavg()
        self.commit = out(["git", "-C", ROOT, "log", "-1", "--format=%h %s"])[:100]
        self.load_samples = []
        self._sampling = True

        def sample():
            while self._sampling:
                self.load_samples.append(os.getloadavg()[0])
                time.sleep(5)
        threading.Thread(target=sample, daemon=True).start()

    # ------------------------------------------------------------ repos
    def repo(self, name):
        return os.path.join(self.repos, OWNER, name + ".git")

    def prepare_repos(self):
        os.makedirs(os.path.join(self.repos, OWNER), exist_ok=True)
        s = self.sizes
        stamp_file = os.path.join(self.repos, "generated.json")
        want = json.dumps(s, sort_keys=True)
        have = open(stamp_file).read() if os.path.exists(stamp_file) else ""
        if have != want or self.args.regen:
            t = time.time()
            log("generating repos", want)
            gen_history_repo(self.repo("small"), s["small_files"], s["small_commits"], old_back=3)
            gen_history_repo(self.repo("many"), s["many_files"], s["many_commits"])
            gen_random_repo(self.repo("big"), s["big"])
            if "huge" in self.only:
                gen_random_repo(self.repo("huge"), s["huge"], seed=3)
            open(stamp_file, "w").write(want)
            log("repos generated in %.1fs" % (time.time() - t))
        elif "huge" in self.only and not os.path.isdir(self.repo("huge")):
            gen_random_repo(self.repo("huge"), s["huge"], seed=3)
        for r in ("small", "many", "big"):
            sh(["git", "-C", self.repo(r), "config", "http.receivepack", "false"])
        init_push_target(self.repo("push-small"), self.repo("small"))
        for p in ("direct", "nginx", "warden"):
            # one target per path: each branch advances only through its own path, as an agent's branch
            # advances only through git-warden (whose mirror then already holds what the next push builds on)
            init_push_target(self.repo("push-small-" + p), self.repo("small"))
        init_push_target(self.repo("push-big"))
        init_push_target(self.repo("push-huge"))

    # ------------------------------------------------------------ servers
    def nginx_common(self, prefix):
        for d in ("tmp/body", "tmp/proxy", "tmp/fastcgi", "tmp/uwsgi", "tmp/scgi"):
            os.makedirs(os.path.join(prefix, d), exist_ok=True)
        return """
worker_processes 2;
user root;
pid {p}/nginx.pid;
error_log {p}/error.log warn;
worker_rlimit_nofile 16384;
events {{ worker_connections 8192; }}
""".format(p=prefix), """
  access_log off;
  client_body_temp_path {p}/tmp/body;
  proxy_temp_path {p}/tmp/proxy;
  fastcgi_temp_path {p}/tmp/fastcgi;
  uwsgi_temp_path {p}/tmp/uwsgi;
  scgi_temp_path {p}/tmp/scgi;
  client_max_body_size 0;
  keepalive_requests 100000;
""".format(p=prefix)

    def start_upstream(self):
        prefix = os.path.join(self.work, "upstream")
        os.makedirs(prefix, exist_ok=True)
        sock = os.path.join(prefix, "fcgiwrap.sock")
        if os.path.exists(sock):
            os.unlink(sock)
        with open(os.path.join(prefix, "htpasswd"), "w") as f:
            f.write("x-access-token:{PLAIN}%s\n" % TOKEN)
        port = free_port()
        top, http = self.nginx_common(prefix)
        conf = top + """
http {{
{http}
  server {{
    listen 127.0.0.1:{port} backlog=4096;
    auth_basic "git-upstream";
    auth_basic_user_file {p}/htpasswd;
    location ~ ^/[^/]+/[^/]+\\.git/(info/refs|git-upload-pack|git-receive-pack|HEAD)$ {{
      fastcgi_pass unix:{sock};
      fastcgi_param SCRIPT_FILENAME /usr/lib/git-core/git-http-backend;
      fastcgi_param GIT_PROJECT_ROOT {repos};
      fastcgi_param GIT_HTTP_EXPORT_ALL "";
      fastcgi_param PATH_INFO $uri;
      fastcgi_param REMOTE_USER $remote_user;
      fastcgi_param REMOTE_ADDR $remote_addr;
      fastcgi_param QUERY_STRING $query_string;
      fastcgi_param REQUEST_METHOD $request_method;
      fastcgi_param CONTENT_TYPE $content_type;
      fastcgi_param CONTENT_LENGTH $content_length;
      fastcgi_param SERVER_PROTOCOL $server_protocol;
      fastcgi_param GATEWAY_INTERFACE CGI/1.1;
      fastcgi_read_timeout 900s;
      fastcgi_send_timeout 900s;
    }}
    location / {{ return 404; }}
  }}
}}
""".format(http=http, port=port, p=prefix, sock=sock, repos=self.repos)
        open(os.path.join(prefix, "nginx.conf"), "w").write(conf)
        nworkers = str(self.args.fcgi_workers)
        start("fcgiwrap", ["fcgiwrap", "-c", nworkers, "-s", "unix:" + sock],
              os.path.join(self.logs, "fcgiwrap.log"))
        deadline = time.time() + 10
        while not os.path.exists(sock) and time.time() < deadline:
            time.sleep(0.1)
        p = start("upstream-nginx", ["nginx", "-p", prefix, "-c", os.path.join(prefix, "nginx.conf"),
                                     "-g", "daemon off;"], os.path.join(self.logs, "upstream-nginx.log"))
        if not wait_port(port, 15, p):
            raise RuntimeError("upstream nginx did not start; see " + self.logs)
        self.ports["direct"] = port
        log("upstream (nginx+fcgiwrap+git-http-backend) on 127.0.0.1:%d" % port)

    def start_nginx_relay(self):
        prefix = os.path.join(self.work, "relay")
        os.makedirs(prefix, exist_ok=True)
        port = free_port()
        auth = base64.b64encode(("x-access-token:" + TOKEN).encode()).decode()
        top, http = self.nginx_common(prefix)
        conf = top + """
http {{
{http}
  upstream git_upstream {{ server 127.0.0.1:{up}; keepalive 64; }}
  server {{
    listen 127.0.0.1:{port} backlog=4096;
    location / {{
      proxy_pass http://git_upstream;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_set_header Authorization "Basic {auth}";
      proxy_request_buffering off;
      proxy_buffering off;
      chunked_transfer_encoding on;
      proxy_read_timeout 900s;
      proxy_send_timeout 900s;
    }}
  }}
}}
""".format(http=http, up=self.ports["direct"], port=port, auth=auth)
        open(os.path.join(prefix, "nginx.conf"), "w").write(conf)
        p = start("relay-nginx", ["nginx", "-p", prefix, "-c", os.path.join(prefix, "nginx.conf"),
                                  "-g", "daemon off;"], os.path.join(self.logs, "relay-nginx.log"))
        if not wait_port(port, 15, p):
            raise RuntimeError("relay nginx did not start; see " + self.logs)
        self.ports["nginx"] = port
        self.pids["nginx"] = p
        log("nginx relay on 127.0.0.1:%d" % port)

    def start_warden(self):
        jar = find_jar(self.args.jar)
        port = free_port()
        audit = os.path.join(self.tmp, "audit.jsonl")
        for old in glob.glob(audit + "*"):
            os.unlink(old)  # count this run's lines only
        argv = ["java", "-Xmx128m"] + self.args.jvm_opt + [
            "-jar", jar, "--server.port=%d" % port, "--server.address=127.0.0.1",
            "--warden.upstream.url=http://127.0.0.1:%d" % self.ports["direct"],
            "--warden.upstream.token=" + TOKEN,
            "--warden.auth.hmac-secret=" + HMAC_SECRET,
            "--warden.audit.file=" + audit,
            "--warden.revocations.file=" + os.path.join(self.tmp, "revocations.jsonl"),
            "--warden.mirror.dir=" + os.path.join(self.tmp, "mirrors"),
            # these sections measure the relay: clones served from the mirror are the cache section's
            "--warden.cache.enabled=false",
            "--management.server.port=0"] + self.args.warden_arg
        p = start("git-warden", argv, os.path.join(self.logs, "git-warden.log"))
        if not wait_port(port, 120, p):
            raise RuntimeError("git-warden did not start; see %s/git-warden.log" % self.logs)
        self.ports["warden"] = port
        self.pids["warden"] = p
        self.warden_jar = jar
        log("git-warden on 127.0.0.1:%d (%s)" % (port, os.path.basename(jar)))

    def relay_pids(self, path):
        if path == "nginx":
            m = self.pids["nginx"].pid
            return [m] + children(m)
        if path == "warden":
            return [self.pids["warden"].pid]
        return []

    def url(self, path, repo):
        if path == "direct":
            return "http://x-access-token:%s@127.0.0.1:%d/%s/%s.git" % (TOKEN, self.ports["direct"], OWNER, repo)
        if path == "nginx":
            return "http://127.0.0.1:%d/%s/%s.git" % (self.ports["nginx"], OWNER, repo)
        return "http://x:%s@127.0.0.1:%d/%s/%s.git" % (mint_jwt(OWNER + "/" + repo), self.ports["warden"], OWNER, repo)

    def auth_header(self, path, repo):
        if path == "direct":
            cred = "x-access-token:" + TOKEN
        elif path == "nginx":
            return None
        else:
            cred = "x:" + mint_jwt(OWNER + "/" + repo)
        return "Basic " + base64.b64encode(cred.encode()).decode()

    # ------------------------------------------------------------ recording
    def record(self, bench, path, run, value, unit, extra=""):
        self.rows.append([bench, path, run, "%.6f" % value if isinstance(value, float) else value, unit, extra])

    def summarize(self, bench, results, unit, lower_is_better=True, note=""):
        """results: {path: [values]}"""
        meds = {}
        for path in self.paths:
            if path not in results:
                continue
            xs = results.get(path) or []
            if not xs:
                self.summary.append((bench, path, None, None, None, unit, 0, note, None, None))
                continue
            meds[path] = statistics.median(xs)
        for path in self.paths:
            xs = results.get(path) or []
            if not xs:
                continue
            med = meds[path]
            rd = med / meds["direct"] if meds.get("direct") else None
            rn = med / meds["nginx"] if meds.get("nginx") else None
            self.summary.append((bench, path, min(xs), med, max(xs), unit, len(xs), note, rd, rn))
        return meds

    def check(self, target, ok, value):
        verdict = "n/a" if ok is None else ("PASS" if ok else "FAIL")
        self.checks.append((self.section, target, value, verdict))
        log("check:", target, "->", verdict, value)

    # ------------------------------------------------------------ helpers
    def git(self, argv, timeout=1800, cwd=None):
        t = time.perf_counter()
        r = subprocess.run(["git", "-c", "credential.helper="] + argv, env=self.env, cwd=cwd,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)
        dt = time.perf_counter() - t
        if r.returncode != 0:
            raise RuntimeError("git %s failed (%d): %s" % (" ".join(argv[:2]), r.returncode,
                                                            r.stderr.decode(errors="replace")[-800:]))
        return dt

    def interleaved(self, bench, unit, fn, setup=None, cpu_bytes=None):
        """fn(path, run) -> seconds. One warm-up per path, then self.runs runs, order rotated."""
        results = {p: [] for p in self.paths}
        cpu = {p: [] for p in self.paths}
        errors = {p: 0 for p in self.paths}
        order = list(self.paths)
        for run in range(self.runs + 1):
            for path in order:
                if setup:
                    setup(path, run)
                pids = self.relay_pids(path)
                c0 = cpu_seconds(pids)
                try:
                    dt = fn(path, run)
                except Exception as e:  # noqa
                    errors[path] += 1
                    log("%s via %s run %d FAILED: %s" % (bench, path, run, e))
                    self.record(bench, path, run, "error", unit, str(e)[:200].replace("\n", " "))
                    continue
                c1 = cpu_seconds(pids)
                if run == 0:
                    continue  # warm-up
                results[path].append(dt)
                self.record(bench, path, run, dt, unit)
                if pids:
                    cpu[path].append(c1 - c0)
                    self.record(bench + " relay-cpu", path, run, c1 - c0, "cpu-s")
            order = order[1:] + order[:1]
        meds = self.summarize(bench, results, unit,
                              note="errors: " + ", ".join("%s=%d" % kv for kv in errors.items() if kv[1]) if any(errors.values()) else "")
        log(bench, " ".join("%s=%.3f" % kv for kv in meds.items()))
        if cpu_bytes:
            per = {}
            for path, xs in cpu.items():
                if xs:
                    per[path] = [x / (cpu_bytes / GIB) for x in xs]
            if per:
                self.summarize(bench + " — relay CPU per GiB", per, "cpu-s/GiB")
            return meds, per
        return meds, None

    # ------------------------------------------------------------ benchmarks
    def bench_clones(self):
        big_bytes = dir_bytes(self.repo("big"))
        ctr = [0]

        def dest():
            ctr[0] += 1
            d = os.path.join(self.tmp, "clone-%d" % ctr[0])
            shutil.rmtree(d, ignore_errors=True)
            return d

        def clone(repo, extra=()):
            def fn(path, run):
                d = dest()
                try:
                    return self.git(["clone", "-q", "--bare"] + list(extra) + [self.url(path, repo), d])
                finally:
                    shutil.rmtree(d, ignore_errors=True)
            return fn

        res = {}
        res["clone-big"] = self.interleaved("full clone %s (%.0f MiB pack)" % ("big", big_bytes / MIB), "s",
                                            clone("big"), cpu_bytes=big_bytes)
        res["clone-many"] = self.interleaved("full clone many (%d files, %d commits)" % (
            self.sizes["many_files"], self.sizes["many_commits"]), "s", clone("many"))
        res["shallow"] = self.interleaved("shallow clone many (--depth 1)", "s", clone("many", ["--depth", "1"]))
        return res

    def bench_fetch(self):
        base = os.path.join(self.tmp, "fetch-base.git")
        shutil.rmtree(base, ignore_errors=True)
        sh(["git", "clone", "-q", "--bare", "--no-local", "--single-branch", "-b", "old", self.repo("many"), base],
           env=self.env)
        work = os.path.join(self.tmp, "fetch-run.git")

        def setup(path, run):
            shutil.rmtree(work, ignore_errors=True)
            shutil.copytree(base, work, symlinks=True)

        def fn(path, run):
            return self.git(["-C", work, "fetch", "-q", self.url(path, "many"), "+refs/heads/main:refs/heads/main"])

        r = self.interleaved("incremental fetch many (50 new commits)", "s", fn, setup=setup)
        shutil.rmtree(work, ignore_errors=True)
        return r

    def bench_push_small(self):
        local = os.path.join(self.tmp, "push-small-local")
        shutil.rmtree(local, ignore_errors=True)
        sh(["git", "clone", "-q", "-b", "agent/bench", self.repo("push-small"), local], env=self.env)
        ctr = [0]

        def setup(path, run):
            ctr[0] += 1
            with open(os.path.join(local, "bench-%d.txt" % ctr[0]), "w") as f:
                f.write("%d %s\n" % (ctr[0], os.urandom(512).hex()))
            sh(["git", "-C", local, "add", "-A"], env=self.env)
            sh(["git", "-C", local, "-c", "user.name=bench", "-c", "user.email=bench@git-warden.invalid",
                "commit", "-q", "-m", "bench push %d" % ctr[0]], env=self.env)

        def fn(path, run):
            return self.git(["-C", local, "push", "-q", self.url(path, "push-small-" + path),
                             "HEAD:refs/heads/agent/bench"])

        return self.interleaved("small push (1 commit, 1 KiB)", "s", fn, setup=setup)

    def bench_push_big(self):
        big_bytes = dir_bytes(self.repo("big"))

        def setup(path, run):
            init_push_target(self.repo("push-big"))

        def fn(path, run):
            return self.git(["-C", self.repo("big"), "push", "-q", self.url(path, "push-big"),
                             "refs/heads/main:refs/heads/agent/bench"])

        return self.interleaved("push big (%.0f MiB)" % (big_bytes / MIB), "s", fn, setup=setup, cpu_bytes=big_bytes)

    def bench_huge(self):
        if "warden" not in self.paths:
            return None
        huge_bytes = dir_bytes(self.repo("huge"))
        pid = self.pids["warden"].pid
        res = {}
        for what in ("push", "clone"):
            d = os.path.join(self.tmp, "huge-clone")
            shutil.rmtree(d, ignore_errors=True)
            try:
                c0 = cpu_seconds([pid])
                if what == "push":
                    init_push_target(self.repo("push-huge"))
                    dt = self.git(["-C", self.repo("huge"), "push", "-q", self.url("warden", "push-huge"),
                                   "refs/heads/main:refs/heads/agent/bench"], timeout=1800)
                else:
                    dt = self.git(["clone", "-q", "--bare", self.url("warden", "huge"), d], timeout=1800)
                c1 = cpu_seconds([pid])
                ok = True
            except Exception as e:  # noqa
                dt, ok, c1, c0 = float("nan"), False, 0, 0
                log("huge %s failed: %s" % (what, e))
            shutil.rmtree(d, ignore_errors=True)
            hwm = proc_status(pid, "VmHWM")
            res[what] = (ok, dt, hwm)
            self.record("%s %.0f MiB via warden" % (what, huge_bytes / MIB), "warden", 1,
                        dt if ok else "error", "s", "VmHWM=%s relay-cpu=%.2f" % (hwm, c1 - c0))
            self.check("%s of %.0f MiB through git-warden at -Xmx128m succeeds" % (what, huge_bytes / MIB), ok,
                       "%.1f s, VmHWM %.0f MiB" % (dt, (hwm or 0) / MIB))
        return res

    def wrk_info_refs(self, path, conns, dur):
        url = "http://127.0.0.1:%d/%s/small.git/info/refs?service=git-upload-pack" % (self.ports[path], OWNER)
        argv = ["wrk", "-t1", "-c%d" % conns, "-d%ds" % dur, "--latency", "--timeout", "10s"]
        h = self.auth_header(path, "small")
        if h:
            argv += ["-H", "Authorization: " + h]
        argv.append(url)
        return subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=dur + 30)

    def bench_info_refs(self):
        res = {}
        dur = 3 if self.quick else 8
        # git-warden's request path was compiled by warm_up_warden(), which drives info/refs with wrk too.
        rounds = 2 if self.quick else max(5, self.runs)
        for conns in (1, 8):
            lat = {p: {"p50": [], "p99": [], "rps": [], "err": 0} for p in self.paths}
            for rnd in range(rounds):
                for path in self.paths:
                    r = self.wrk_info_refs(path, conns, dur)
                    parsed = parse_wrk(r.stdout)
                    if parsed is None:
                        log("wrk output unparsable for %s:\n%s" % (path, r.stdout))
                        lat[path]["err"] += 1
                        continue
                    for k in ("p50", "p99", "rps"):
                        lat[path][k].append(parsed[k])
                    lat[path]["err"] += parsed["errors"]
                    self.record("info/refs c=%d" % conns, path, rnd, parsed["p50"], "ms-p50",
                                "p99=%.3f rps=%.1f errors=%d" % (parsed["p99"], parsed["rps"], parsed["errors"]))
            for k, unit in (("p50", "ms"), ("p99", "ms"), ("rps", "req/s")):
                self.summarize("info/refs %s, %d connection(s)" % (k, conns),
                               {p: lat[p][k] for p in self.paths}, unit,
                               note="non-2xx/socket errors: " + ", ".join("%s=%d" % (p, lat[p]["err"]) for p in self.paths))
            res[conns] = lat
        return res

    def bench_concurrency(self):
        res = {}
        for n in self.conc:
            for path in self.paths:
                res[(n, path)] = self.concurrent_clones(path, n)
        return res

    def concurrent_clones(self, path, n, timeout=300):
        burst = CloneBurst(self.url(path, "small"), n, os.path.join(self.tmp, "conc"), self.env, timeout)
        pids = self.relay_pids(path)
        c0 = cpu_seconds(pids)
        hwm0 = proc_status(pids[0], "VmHWM") if path == "warden" else None
        burst.run()
        # throughput window: from the barrier's release (all clients ready) to the last clone's end
        times, errs, wall = burst.times, burst.errs, burst.wall
        ramp = burst.start - burst.t0
        cpu = cpu_seconds(pids) - c0
        ok = len(times)
        p99 = percentile(times, 0.99)
        sample_err = burst.first_error
        log("%d concurrent clones via %s: %d ok, %d errors, %.1fs wall, p99 %.2fs %s" %
            (n, path, ok, len(errs), wall, p99, sample_err))
        self.record("concurrent clones n=%d" % n, path, 1, wall, "s-wall",
                    "ok=%d errors=%d p50=%.3f p99=%.3f max=%.3f relay-cpu=%.2f ramp=%.2f first-error=%s" %
                    (ok, len(errs), percentile(times, 0.5), p99, max(times) if times else float("nan"), cpu,
                     ramp, str(sample_err)[:150]))
        return dict(n=n, ok=ok, errors=len(errs), wall=wall, ramp=ramp, thr=ok / wall if wall else 0,
                    p50=percentile(times, 0.5), p99=p99, cpu=cpu, first_error=sample_err, hwm0=hwm0)

    def bench_stalled(self):
        """N slow clients send headers + part of a receive-pack body and stop; time a clone meanwhile."""
        res = {}
        for path in [p for p in self.paths if p != "direct"]:
            try:
                base_t = statistics.median([self.git(["clone", "-q", "--bare", self.url(path, "small"),
                                                      os.path.join(self.tmp, "st-%d" % i)]) for i in range(3)])
            finally:
                for i in range(3):
                    shutil.rmtree(os.path.join(self.tmp, "st-%d" % i), ignore_errors=True)
            socks, opened = [], 0
            h = self.auth_header(path, "push-small")
            body_len = 1 << 20
            head = ("POST /%s/push-small.git/git-receive-pack HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n"
                    "User-Agent: git/2.39.5\r\nContent-Type: application/x-git-receive-pack-request\r\n"
                    "Accept: application/x-git-receive-pack-result\r\nContent-Length: %d\r\n%s\r\n" %
                    (OWNER, self.ports[path], body_len, ("Authorization: %s\r\n" % h) if h else ""))
            partial = b"00a4" + b"0" * 40 + b" "  # first bytes of a pkt-line command, then silence
            t_open = time.perf_counter()
            for i in range(self.stalled):
                try:
                    s = socket.create_connection(("127.0.0.1", self.ports[path]), timeout=5)
                    s.sendall(head.encode() + partial)
                    socks.append(s)
                    opened += 1
                except OSError as e:
                    log("stalled socket %d via %s: %s" % (i, path, e))
                    break
            time.sleep(2)  # let the relay pick them all up
            d = os.path.join(self.tmp, "st-clone")
            shutil.rmtree(d, ignore_errors=True)
            try:
                dt = self.git(["clone", "-q", "--bare", self.url(path, "small"), d], timeout=60)
                ok = True
            except Exception as e:  # noqa  (includes subprocess.TimeoutExpired)
                dt, ok = float("nan"), False
                log("clone under stall via %s failed: %s" % (path, str(e)[:300]))
            shutil.rmtree(d, ignore_errors=True)
            still = 0
            for s in socks:
                try:
                    s.setblocking(False)
                    try:
                        x = s.recv(1)
                        still += 0 if x == b"" else 1
                    except BlockingIOError:
                        still += 1
                except OSError:
                    pass
                s.close()
            log("stalled %d via %s (still open at end: %d): clone %.2fs (baseline %.2fs) ok=%s" %
                (opened, path, still, dt, base_t, ok))
            self.record("clone while %d uploads stall" % self.stalled, path, 1, dt if ok else "error", "s",
                        "baseline=%.3f opened=%d still-open=%d" % (base_t, opened, still))
            res[path] = dict(ok=ok, dt=dt, base=base_t, opened=opened, still=still,
                             setup=time.perf_counter() - t_open)
        return res

    # ------------------------------------------------------------ main
    CLASSIC = ("clone", "fetch", "push", "pushbig", "inforefs", "concurrency", "stalled", "huge")
    SECTIONS = CLASSIC + ("latency", "resilience", "cache")

    def run(self):
        self.only = set(self.args.only.split(",")) if self.args.only else \
            {"clone", "fetch", "push", "pushbig", "inforefs", "concurrency", "stalled", "latency", "resilience",
             "cache"} | \
            (set() if self.quick else {"huge"})
        unknown = self.only - set(self.SECTIONS)
        if unknown:
            raise SystemExit("unknown --only section(s): %s (known: %s)" % (", ".join(sorted(unknown)), ",".join(self.SECTIONS)))
        self.classic = bool(self.only & set(self.CLASSIC))
        self.hwm = None
        R = {}
        if self.classic or self.args.serve:
            self.run_classic(R)
        if self.args.serve:
            return
        if self.only & {"latency", "resilience", "cache"}:
            stop_all()  # the classic section's servers; the next sections start their own
            self.run_lighttpd_sections(R)
        self._sampling = False
        self.evaluate(R)
        self.write_report(R)

    def run_classic(self, R):
        self.prepare_repos()
        self.start_upstream()
        if "nginx" in self.paths:
            self.start_nginx_relay()
        if "warden" in self.paths:
            try:
                self.start_warden()
            except RuntimeError as e:
                log(str(e))
                self.notes.append("git-warden could not be started: %s; its path was skipped." % e)
                self.paths.remove("warden")
        self.smoke()
        if "warden" in self.paths and not self.args.serve:
            self.warm_up_warden(self.args.warmup if self.args.warmup >= 0 else (5 if self.quick else 90))
        if self.args.serve:
            print("serving for %d s (Ctrl-C to stop):" % self.args.serve)
            for path in self.paths:
                print("  %-6s %s" % (path, self.url(path, "small")))
            try:
                time.sleep(self.args.serve)
            except KeyboardInterrupt:
                pass
            return
        if "clone" in self.only:
            R["clone"] = self.bench_clones()
        if "fetch" in self.only:
            R["fetch"] = self.bench_fetch()
        if "push" in self.only:
            R["push"] = self.bench_push_small()
        if "pushbig" in self.only:
            R["pushbig"] = self.bench_push_big()
        if "inforefs" in self.only:
            R["inforefs"] = self.bench_info_refs()
        if "concurrency" in self.only:
            R["concurrency"] = self.bench_concurrency()
        if "stalled" in self.only:
            R["stalled"] = self.bench_stalled()
        if "huge" in self.only:
            R["huge"] = self.bench_huge()
        self.hwm = proc_status(self.pids["warden"].pid, "VmHWM") if "warden" in self.paths else None

    def run_lighttpd_sections(self, R):
        """The latency and resilience sections: their own upstream (lighttpd), relay and git-warden processes."""
        from latency import LatencySection
        from resilience import ResilienceSection
        os.makedirs(os.path.join(self.repos, OWNER), exist_ok=True)
        if not os.path.isdir(self.repo("small")):
            gen_history_repo(self.repo("small"), self.sizes["small_files"], self.sizes["small_commits"], old_back=3)
        sh(["git", "-C", self.repo("small"), "config", "http.receivepack", "false"])
        if "cache" in self.only and not os.path.isdir(self.repo("big")):
            gen_random_repo(self.repo("big"), self.sizes["big"])
        if "cache" in self.only and not os.path.isdir(self.repo("many")):
            gen_history_repo(self.repo("many"), self.sizes["many_files"], self.sizes["many_commits"])
        init_push_target(self.repo("lat-push"), self.repo("small"))
        for p in ("direct", "nginx", "warden"):
            # one target per path, as for the small push: git-warden's branch advances only through git-warden
            init_push_target(self.repo("lat-push-" + p), self.repo("small"))
        init_push_target(self.repo("res-push"), self.repo("small"))
        stack = GitStack(os.path.join(self.work, "stack"), self.repos, self.logs, find_jar(self.args.jar),
                         self.args.jvm_opt, self.args.warden_arg)
        self.stack = stack
        try:
            stack.start_upstream()
            stack.start_nginx()
            if "latency" in self.only:
                sec = LatencySection(self, stack)
                R["latency"] = sec.run()
                self.section = "latency"
                sec.evaluate(R["latency"])
                R["latency-report"] = sec.report(R["latency"])
            if "resilience" in self.only:
                sec = ResilienceSection(self, stack)
                R["resilience"] = sec.run()
                self.section = "resilience"
                sec.evaluate(R["resilience"])
                R["resilience-report"] = sec.report(R["resilience"])
            if "cache" in self.only:
                from cache import CacheSection
                sec = CacheSection(self, stack)
                R["cache"] = sec.run()
                self.section = "cache"
                sec.evaluate(R["cache"])
                R["cache-report"] = sec.report(R["cache"])
        finally:
            stack.stop_warden()

    def warm_up_warden(self, seconds):
        """Runs git-warden's request paths before anything is measured, as a long-running relay's are.

        A JVM interprets, then compiles, its code over tens of thousands of requests; the benchmarks
        themselves make a few dozen, so without this they measure the interpreter (a small push took 1.6x
        direct). Only git-warden is warmed: the other paths are native code. Two threads loop over
        ls-remote, a v2 clone, a v0 shallow clone, a fetch and a push of the small repositories, one clones
        and one pushes the 20k-file repository (a 10 MiB pack), while wrk drives info/refs; nothing here is
        recorded.
        """
        if seconds <= 0:
            return
        log("warming up git-warden for %d s" % seconds)
        deadline = time.time() + seconds
        failures = []

        def commit_and_push(local, n):
            with open(os.path.join(local, "warm-up.txt"), "w") as f:
                f.write("%d\n" % n)
            sh(["git", "-C", local, "add", "-A"], env=self.env)
            sh(["git", "-C", local, "-c", "user.name=bench", "-c", "user.email=bench@git-warden.invalid",
                "commit", "-q", "-m", "warm-up %d" % n], env=self.env)
            self.git(["-C", local, "push", "-q", "-f", self.url("warden", "push-small"), "HEAD:refs/heads/agent/bench"],
                     timeout=60)

        def loop(i):
            local = os.path.join(self.tmp, "warm-%d" % i)
            dest = os.path.join(self.tmp, "warm-clone-%d" % i)
            shutil.rmtree(local, ignore_errors=True)
            sh(["git", "clone", "-q", "-b", "agent/bench", self.repo("push-small"), local], env=self.env)
            n = 0
            try:
                while time.time() < deadline:
                    n += 1
                    self.git(["ls-remote", self.url("warden", "small")], timeout=60)
                    shutil.rmtree(dest, ignore_errors=True)
                    self.git(["clone", "-q", "--bare", self.url("warden", "small"), dest], timeout=60)
                    self.git(["-C", dest, "fetch", "-q", self.url("warden", "small"), "+refs/heads/*:refs/heads/*"],
                             timeout=60)
                    shutil.rmtree(dest, ignore_errors=True)
                    self.git(["-c", "protocol.version=0", "clone", "-q", "--bare", "--depth", "1",
                              self.url("warden", "small"), dest], timeout=60)
                    if i == 0:  # one pusher: the session may only update agent/bench
                        commit_and_push(local, n)
            except Exception as e:  # noqa
                failures.append(str(e)[:200])
            finally:
                shutil.rmtree(dest, ignore_errors=True)
                shutil.rmtree(local, ignore_errors=True)

        def bulk(kind):
            # Large transfers compile the relay's bulk path (chunked decoding, the copy loops, Tomcat's
            # output buffer); without them C2 was still compiling it, at up to 0.8 s of CPU a method,
            # during the measured 200 MiB clones.
            dest = os.path.join(self.tmp, "warm-bulk-%s" % kind)
            try:
                while time.time() < deadline:
                    if kind == "clone":
                        shutil.rmtree(dest, ignore_errors=True)
                        self.git(["clone", "-q", "--bare", self.url("warden", "many"), dest], timeout=120)
                    else:
                        self.git(["-C", self.repo("many"), "push", "-q", "-f", self.url("warden", "push-big"),
                                  "refs/heads/main:refs/heads/agent/bench"], timeout=120)
                        init_push_target(self.repo("push-big"))
            except Exception as e:  # noqa
                failures.append(str(e)[:200])
            finally:
                shutil.rmtree(dest, ignore_errors=True)

        threads = [threading.Thread(target=loop, args=(i,), daemon=True) for i in range(2)]
        threads += [threading.Thread(target=bulk, args=(kind,), daemon=True) for kind in ("clone", "push")]
        for t in threads:
            t.start()
        self.wrk_info_refs("warden", 4, max(1, seconds - 5))
        for t in threads:
            t.join(timeout=seconds + 120)
        if failures:
            log("warm-up failures: %s" % failures[:3])
            self.notes.append("git-warden warm-up had failures: %s" % failures[0])

    def smoke(self):
        """One ls-remote per path, so that a broken path is dropped with a clear note instead of N failures."""
        for path in list(self.paths):
            try:
                self.git(["ls-remote", self.url(path, "small")], timeout=60)
            except Exception as e:  # noqa
                msg = str(e).strip().replace("\n", " ")[:400]
                log("smoke test via %s failed: %s" % (path, msg))
                if path == "direct":
                    raise
                self.notes.append("Path `%s` failed the smoke test (git ls-remote) and was skipped: %s" % (path, msg))
                self.paths.remove(path)

    def evaluate(self, R):
        self.section = "classic"
        if not self.classic:
            return
        w = "warden" in self.paths
        med = {(b, p): m for (b, p, mn, m, mx, u, n, note, rd, rn) in self.summary if m is not None}
        for key in ("clone-big", "clone-many"):
            if "clone" not in R:
                break
            meds, _ = R["clone"][key]
            if w and "warden" in meds:
                rd = meds["warden"] / meds["direct"]
                rn = meds["warden"] / meds["nginx"] if "nginx" in meds else None
                self.check("%s: git-warden median ≤ 1.05× direct" % key, rd <= 1.05, "%.3f×" % rd)
                if rn is not None:
                    self.check("%s: git-warden median ≤ 1.00× nginx" % key, rn <= 1.0, "%.3f×" % rn)
            else:
                self.check("%s wall time vs direct/nginx" % key, None, "git-warden not measured")
        for label, pair in (("clone big", R.get("clone", {}).get("clone-big")), ("push big", R.get("pushbig"))):
            if pair is None:
                continue
            per = pair[1]
            if per and "warden" in per and "nginx" in per:
                a, b = statistics.median(per["warden"]), statistics.median(per["nginx"])
                self.check("relay CPU/GiB (%s): git-warden ≤ 2× nginx" % label, a <= 2 * b,
                           "%.2f vs %.2f cpu-s/GiB (%.2f×)" % (a, b, a / b if b else float("inf")))
            else:
                self.check("relay CPU/GiB (%s): git-warden ≤ 2× nginx" % label, None, "git-warden not measured")
        if "inforefs" in R:
            lat = R["inforefs"][1]
            if w and lat["warden"]["p99"] and lat["direct"]["p99"]:
                # rounds are interleaved, so compare within a round and take the median over rounds
                d99 = statistics.median(a - b for a, b in zip(lat["warden"]["p99"], lat["direct"]["p99"]))
                d50 = statistics.median(a - b for a, b in zip(lat["warden"]["p50"], lat["direct"]["p50"]))
                self.check("info/refs auth overhead p99 < 2 ms (1 connection)", d99 < 2.0,
                           "p99 %+.2f ms, p50 %+.2f ms over direct (median of per-round differences)" % (d99, d50))
            else:
                self.check("info/refs auth overhead p99 < 2 ms", None, "git-warden not measured")
        if "concurrency" in R:
            n = max(self.conc)
            r = R["concurrency"].get((n, "warden"))
            if r:
                self.check("%d concurrent clones via git-warden: 0 errors" % n, r["errors"] == 0,
                           "%d ok / %d errors, p99 %.2f s" % (r["ok"], r["errors"], r["p99"]))
            else:
                self.check("%d concurrent clones via git-warden: 0 errors" % n, None, "git-warden not measured")
        if "stalled" in R:
            r = R["stalled"].get("warden")
            if r:
                self.check("clone completes (≤60 s) while %d uploads stall on git-warden" % self.stalled, r["ok"],
                           "%.2f s (unstalled %.2f s)" % (r["dt"], r["base"]))
            else:
                self.check("clone while %d uploads stall on git-warden" % self.stalled, None, "git-warden not measured")
        if "huge" in self.only and not w:
            self.check("1 GiB push and clone through git-warden at -Xmx128m", None, "git-warden not measured")

    # ------------------------------------------------------------ report
    def machine(self):
        mem = "?"
        for line in open("/proc/meminfo"):
            if line.startswith("MemTotal"):
                mem = "%.1f GiB" % (int(line.split()[1]) / (1 << 20))
        cpu = "?"
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        nginx_v = out(["nginx", "-v"]).replace("nginx version: ", "")
        java_v = out(["java", "-version"]).splitlines()[0] if True else ""
        return [("nproc", str(os.cpu_count())), ("CPU", cpu), ("memory", mem),
                ("kernel", platform.release()), ("java", java_v), ("git", out(["git", "--version"])),
                ("nginx", nginx_v), ("lighttpd", out(["lighttpd", "-v"]).split(" - ")[0]), ("fcgiwrap", "%d prefork workers (upstream)" % self.args.fcgi_workers),
                ("wrk", out(["wrk", "-v"]).splitlines()[0] if out(["wrk", "-v"]) else "?"),
                ("git-warden commit (at start)", self.commit),
                ("niceness of the harness and its servers", str(os.getpriority(os.PRIO_PROCESS, 0))),
                ("load average at start", "%.2f %.2f %.2f" % self.load0),
                ("load average at end", "%.2f %.2f %.2f" % os.getloadavg()),
                ("1-min load during the run (every 5 s)", "min %.1f / median %.1f / max %.1f over %d samples" % (
                    min(self.load_samples or [0]), statistics.median(self.load_samples or [0]),
                    max(self.load_samples or [0]), len(self.load_samples)))]

    def write_report(self, R):
        head = []
        head.append("# git-warden benchmark report (%s mode, %s)\n" % (self.mode, time.strftime("%Y-%m-%d %H:%M:%S %Z")))
        shown, skip = [], False
        for a in sys.argv[1:]:
            if skip or a == "--jmh-json":
                skip = not skip
                continue
            shown.append(a)
        head.append("Command: `bench/run.sh %s`\n" % " ".join(shown))
        head.append("## Machine\n")
        head.append("| | |\n|---|---|")
        for k, v in self.machine():
            head.append("| %s | %s |" % (k, v))
        head.append("")
        if self.quick:
            self.notes.insert(0, "Quick mode is a smoke run: tiny repositories, a JVM that is barely warmed up and 2 runs; "
                                 "its ratios and verdicts say nothing about git-warden's performance.")
        for n in self.notes:
            head.append("> **Note:** %s\n" % n)

        def targets(section, title="## Targets\n"):
            rows = [c for c in self.checks if c[0] == section]
            if not rows:
                return []
            T = [title, "| target | measured | verdict |\n|---|---|---|"]
            for _, t, v, verdict in rows:
                T.append("| %s | %s | **%s** |" % (t, v, verdict))
            T.append("")
            return T

        classic = self.classic_report(R) if self.classic else []
        lat = (targets("latency", "### Targets (issue 19)\n") + R["latency-report"][1:]) if "latency-report" in R else []
        res = (targets("resilience", "### Targets (issue 10)\n") + R["resilience-report"][1:]) if "resilience-report" in R else []
        cac = (targets("cache", "### Targets (issue 15)\n") + R["cache-report"][1:]) if "cache-report" in R else []
        L = list(head)
        if classic:
            L += classic
        if lat:
            L += [R["latency-report"][0]] + lat
        if res:
            L += [R["resilience-report"][0]] + res
        if cac:
            L += [R["cache-report"][0]] + cac
        L.append("Raw per-run values: `results.csv`.\n")
        report = "\n".join(L)
        open(os.path.join(self.outdir, "report.md"), "w").write(report)
        with open(os.path.join(self.outdir, "results.csv"), "w", newline="") as f:
            wr = csv.writer(f)
            wr.writerow(["benchmark", "path", "run", "value", "unit", "extra"])
            wr.writerows(self.rows)
        log("report: %s/report.md" % self.outdir)
        if self.args.update_docs or (not self.quick and not self.args.only):
            blocks = {}
            if classic:
                blocks["results"] = "\n".join(head + classic).replace("# git-warden benchmark report", "### Latest run:", 1)
            nice = os.getpriority(os.PRIO_PROCESS, 0)
            short = ["#### Run of %s (%s mode)\n" % (time.strftime("%Y-%m-%d %H:%M %Z"), self.mode),
                     "Command: `bench/run.sh %s`; git-warden commit at start: %s; jar `%s`.\n" % (
                         " ".join(shown), self.commit, os.path.relpath(self.stack.jar, ROOT) if getattr(self, "stack", None) else "?"),
                     "Machine: %d cores, %s; 1-min load average at the start of the run %.2f%s.\n" % (
                         os.cpu_count(), dict(self.machine()).get("CPU", "?"), self.load0[0],
                         "; the harness and its servers ran at niceness %d (`--nice`)" % nice if nice else "")]
            if lat:
                blocks["latency"] = "\n".join(short + [x.replace("### ", "#### ") for x in lat])
            if res:
                blocks["resilience"] = "\n".join(short + [x.replace("### ", "#### ") for x in res])
            if cac:
                blocks["cache"] = "\n".join(short + [x.replace("### ", "#### ") for x in cac])
            self.update_docs(blocks)

    def classic_report(self, R):
        L = []
        L.append("Paths: **direct** = git client → upstream (nginx + fcgiwrap + git http-backend, Basic auth); "
                 "**nginx** = client → nginx streaming proxy (adds the upstream Authorization) → upstream; "
                 "**warden** = client (JWT as Basic password) → git-warden `-Xmx128m` → upstream. "
                 "Runs are interleaved (order rotated each round), one warm-up round discarded, %d measured runs. "
                 "Clones are `--bare` (no checkout) so the time is transfer + index-pack.\n" % self.runs)
        sizes = ", ".join("%s=%s" % (k, v) for k, v in self.sizes.items())
        L.append("Repo sizes: %s; packs: big %.1f MiB, many %.1f MiB, small %.2f MiB.\n" % (
            sizes, dir_bytes(self.repo("big")) / MIB, dir_bytes(self.repo("many")) / MIB,
            dir_bytes(self.repo("small")) / MIB))
        L.append("## Targets\n")
        L.append("| target | measured | verdict |\n|---|---|---|")
        for section, t, v, verdict in self.checks:
            if section == "classic":
                L.append("| %s | %s | **%s** |" % (t, v, verdict))
        L.append("")
        L.append("## Wall time, CPU and latency (min / median / max)\n")
        L.append("| benchmark | path | min | median | max | unit | n | × direct | × nginx | note |")
        L.append("|---|---|---:|---:|---:|---|---:|---:|---:|---|")

        def f(x, nd=3):
            return "" if x is None else ("%.*f" % (nd, x))
        for (b, p, mn, m, mx, u, n, note, rd, rn) in self.summary:
            L.append("| %s | %s | %s | %s | %s | %s | %d | %s | %s | %s |" % (
                b, p, f(mn), f(m), f(mx), u, n, f(rd, 2), f(rn, 2), note))
        L.append("")
        if "concurrency" in R:
            L.append("## Concurrent clones of `small` (%s)\n" % ", ".join(str(c) for c in self.conc))
            L.append("Wall = from the moment all clients are released together to the end of the last clone; "
                     "ramp = time to start the client threads before that.\n")
            L.append("| clients | path | ok | errors | success | wall s | clones/s | p50 s | p99 s | relay CPU s | ramp s | first error |")
            L.append("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
            for (n, path), r in sorted(R["concurrency"].items()):
                L.append("| %d | %s | %d | %d | %.1f%% | %.1f | %.1f | %.2f | %.2f | %.2f | %.1f | %s |" % (
                    n, path, r["ok"], r["errors"], 100.0 * r["ok"] / n, r["wall"], r["thr"], r["p50"], r["p99"],
                    r["cpu"], r.get("ramp", 0.0), str(r["first_error"])[:80]))
            L.append("")
        if "stalled" in R:
            L.append("## A clone while %d uploads stall\n" % self.stalled)
            L.append("Each stalled client sends the headers of a `git-receive-pack` POST (Content-Length 1 MiB, "
                     "valid credentials) and 45 bytes of body, then nothing.\n")
            L.append("| path | sockets opened | still open at end | clone s (stalled) | clone s (unstalled) | ok |")
            L.append("|---|---:|---:|---:|---:|---|")
            for path, r in R["stalled"].items():
                L.append("| %s | %d | %d | %.2f | %.2f | %s |" % (path, r["opened"], r["still"], r["dt"], r["base"],
                                                               r["ok"]))
            L.append("")
        if self.args.jmh_json and os.path.exists(self.args.jmh_json):
            shutil.copy(self.args.jmh_json, os.path.join(self.outdir, "jmh.json"))
            L.append("## JMH microbenchmarks (`bench/jmh`)\n")
            L.append("| benchmark | params | mode | score | ± error | unit |")
            L.append("|---|---|---|---:|---:|---|")
            for b in json.load(open(self.args.jmh_json)):
                pm = b.get("primaryMetric", {})
                params = ", ".join("%s=%s" % kv for kv in (b.get("params") or {}).items())
                L.append("| %s | %s | %s | %.1f | %.1f | %s |" % (
                    b["benchmark"].replace("io.gitwarden.bench.", ""), params, b.get("mode"),
                    pm.get("score", float("nan")), pm.get("scoreError", float("nan")) if pm.get("scoreError") == pm.get("scoreError") else 0.0,
                    pm.get("scoreUnit")))
                self.record("jmh " + b["benchmark"].replace("io.gitwarden.bench.", "") + (" " + params if params else ""),
                            "warden", 1, float(pm.get("score", 0)), pm.get("scoreUnit", ""))
            L.append("")
        audit = os.path.join(self.tmp, "audit.jsonl")
        if "warden" in self.paths and os.path.exists(audit):
            n = sum(1 for _ in open(audit, "rb"))
            L.append("git-warden wrote %d audit lines (%.1f MiB) to `warden.audit.file` during the run.\n" % (
                n, os.path.getsize(audit) / MIB))
        if self.hwm:
            L.append("Peak RSS (VmHWM) of git-warden over the whole run: **%.0f MiB** (-Xmx128m).\n" % (self.hwm / MIB))
        return L

    def update_docs(self, blocks):
        """Replaces <!-- NAME:begin --> ... <!-- NAME:end --> in docs/benchmarks.md for each block."""
        doc = os.path.join(ROOT, "docs", "benchmarks.md")
        text = open(doc).read() if os.path.exists(doc) else "# Benchmarks\n"
        for name, body in blocks.items():
            pat = r"<!-- %s:begin -->.*<!-- %s:end -->" % (name, name)
            repl = "<!-- %s:begin -->\n%s\n<!-- %s:end -->" % (name, body, name)
            if re.search(pat, text, flags=re.S):
                text = re.sub(pat, lambda m: repl, text, flags=re.S)
            else:
                text += "\n" + repl + "\n"
        open(doc, "w").write(text)
        log("updated docs/benchmarks.md: %s" % ", ".join(blocks))


def parse_wrk(text):
    def ms(v):
        m = re.match(r"([\d.]+)(us|ms|s|m)$", v)
        if not m:
            return None
        x = float(m.group(1))
        return {"us": x / 1000, "ms": x, "s": x * 1000, "m": x * 60000}[m.group(2)]
    d = {}
    for q, k in (("50%", "p50"), ("99%", "p99")):
        m = re.search(r"^\s*%s\s+(\S+)" % re.escape(q), text, re.M)
        if not m:
            return None
        d[k] = ms(m.group(1))
    m = re.search(r"Requests/sec:\s+([\d.]+)", text)
    d["rps"] = float(m.group(1)) if m else 0.0
    err = 0
    m = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
    if m:
        err += int(m.group(1))
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    if m:
        err += sum(int(x) for x in m.groups())
    d["errors"] = err
    return d


def main():
    ap = argparse.ArgumentParser(description="git-warden relay benchmarks (see docs/benchmarks.md)")
    ap.add_argument("--quick", action="store_true", help="tiny repos and few runs: a smoke run")
    ap.add_argument("--skip-build", action="store_true", help="(run.sh) do not rebuild the jar")
    ap.add_argument("--paths", default="direct,nginx,warden")
    ap.add_argument("--only", default="", help="comma list of: clone,fetch,push,pushbig,inforefs,concurrency,stalled,"
                                                "huge (the relay sections), latency, resilience, cache (the fetch cache)")
    ap.add_argument("--jar", default="", help="git-warden jar to measure (default: $WARDEN_JAR, else the newest "
                                              "target/git-warden-*.jar of this checkout)")
    ap.add_argument("--lat-rounds", type=int, default=0, help="latency: sequential rounds (default 2000, quick 150)")
    ap.add_argument("--lat-git-runs", type=int, default=0,
                    help="latency: measured runs of each git command (default 15 ls-remote, 15 no-op fetch, 9 push)")
    ap.add_argument("--lat-warm", type=int, default=0,
                    help="latency: requests that warm the fresh git-warden before the measurements (default 600, the "
                         "issue's; the JIT keeps compiling the request path for thousands more)")
    ap.add_argument("--rates", default="", help="latency: offered loads in requests/s (default 50,500)")
    ap.add_argument("--cold-starts", type=int, default=0, help="latency: fresh git-warden processes timed (default 5, quick 2)")
    ap.add_argument("--attacks", default="", help="resilience: comma list of slow-refused-push,unauth-trickle,"
                                                  "slow-headers,gzip-bomb (default all)")
    ap.add_argument("--attack-seconds", type=float, default=0, help="resilience: attack duration (default 60, quick 10)")
    ap.add_argument("--attack-targets", default="", help="resilience: comma list of warden,nginx (default both, quick warden)")
    ap.add_argument("--nice", type=int, default=0, metavar="N",
                    help="run the harness and everything it starts at this niceness (e.g. -10, root only): favours "
                         "them over other processes in the same cgroup only, not over jobs in other cgroups")
    ap.add_argument("--quiet-busy", type=float, default=0.5, metavar="CORES",
                    help="latency/resilience: before each phase wait until other processes use fewer cores than this")
    ap.add_argument("--quiet-wait", type=int, default=600, metavar="SECONDS",
                    help="latency/resilience: longest wait for a quiet machine before measuring anyway")
    ap.add_argument("--runs", type=int, default=0, help="measured runs per path (default 5, quick 2)")
    ap.add_argument("--upstream-link", default="", metavar="MBIT[,RTT_MS]",
                    help="cache section: put the upstream behind an emulated link of this bandwidth and round trip "
                         "(default RTT 20 ms), as a hosted git server is; clients still reach git-warden on loopback")
    ap.add_argument("--concurrency", default="", help="comma list of concurrent clone counts (default 100,500)")
    ap.add_argument("--stalled", type=int, default=0, help="stalled uploads (default 300, quick 30)")
    ap.add_argument("--fcgi-workers", type=int, default=32, help="fcgiwrap prefork workers in the upstream")
    ap.add_argument("--jvm-opt", action="append", default=[], help="extra JVM option for git-warden")
    ap.add_argument("--warden-arg", action="append", default=[], help="extra Spring arg for git-warden")
    ap.add_argument("--warmup", type=int, default=-1, metavar="SECONDS",
                    help="warm git-warden's JVM up this long before measuring (default 90, quick 5; 0: none)")
    ap.add_argument("--regen", action="store_true", help="regenerate the synthetic repositories")
    ap.add_argument("--update-docs", action="store_true", help="write the report into docs/benchmarks.md")
    ap.add_argument("--serve", type=int, default=0, metavar="SECONDS",
                    help="start the three paths, print clone URLs, keep them up this long, measure nothing")
    ap.add_argument("--no-jmh", action="store_true", help="(run.sh) skip the JMH microbenchmarks")
    ap.add_argument("--jmh-json", default="", help="JMH result file to include in the report")
    ap.add_argument("--out", default="", help="output directory (default bench/results/<timestamp>)")
    args = ap.parse_args()
    if "direct" not in args.paths.split(","):
        ap.error("--paths must include direct (ratios are against it)")
    if args.nice:
        os.setpriority(os.PRIO_PROCESS, 0, args.nice)  # inherited by every server and git client started
    b = Bench(args)
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(143))
    try:
        b.run()
    finally:
        stop_all()


if __name__ == "__main__":
    main()
