"""Shared helpers of the benchmark harness (python3 stdlib only): processes, ports, tokens, statistics."""
import base64
import glob
import hashlib
import hmac
import json
import os
import signal
import socket
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
TOKEN = "ghs_benchUpstreamToken0123456789abcdefABCDEF"
HMAC_SECRET = "bench-hmac-secret-0123456789abcdef-0123456789abcdef"
OWNER = "bench"
CLK_TCK = os.sysconf("SC_CLK_TCK")
GIB = float(1 << 30)
MIB = float(1 << 20)

PROCS = []  # (name, Popen) of everything this harness started


def log(*a):
    print("[bench %s]" % time.strftime("%H:%M:%S"), *a, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- utils

def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def wait_port(port, timeout, proc=None):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc is not None and proc.poll() is not None:
            return False
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return True
        except OSError:
            time.sleep(0.2)
    return False


def start(name, argv, logfile, env=None):
    f = open(logfile, "ab")
    p = subprocess.Popen(argv, stdout=f, stderr=subprocess.STDOUT, env=env,
                         start_new_session=True, stdin=subprocess.DEVNULL)
    PROCS.append((name, p))
    return p


def stop_all():
    for name, p in reversed(PROCS):
        if p.poll() is None:
            try:
                os.killpg(p.pid, signal.SIGTERM)  # our own session only
            except ProcessLookupError:
                pass
    deadline = time.time() + 10
    for name, p in reversed(PROCS):
        try:
            p.wait(max(0.1, deadline - time.time()))
        except subprocess.TimeoutExpired:
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
    PROCS.clear()


def stop(proc, timeout=10):
    """Stops one process this harness started (SIGTERM to its own process group, then SIGKILL)."""
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait(5)
    for i, (name, p) in enumerate(PROCS):
        if p is proc:
            del PROCS[i]
            break


def children(pid):
    out = []
    for t in glob.glob("/proc/%d/task/*/children" % pid):
        try:
            out += [int(x) for x in open(t).read().split()]
        except OSError:
            pass
    return out


def cpu_seconds(pids):
    total = 0
    for pid in pids:
        try:
            st = open("/proc/%d/stat" % pid).read()
        except OSError:
            continue
        fields = st[st.rindex(")") + 2:].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / CLK_TCK


def proc_status(pid, key):
    try:
        for line in open("/proc/%d/status" % pid):
            if line.startswith(key + ":"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def sh(argv, **kw):
    return subprocess.run(argv, check=True, **kw)


def out(argv):
    try:
        return subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True, timeout=30).stdout.strip()
    except Exception as e:  # noqa
        return "n/a (%s)" % e


def b64url(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def mint_jwt(repo, ttl=3600, sub="bench-session", branch="agent/bench", scope="fetch push"):
    """An HS256 session token as the orchestrator would mint it (claims: README "Session tokens")."""
    now = int(time.time())
    header = {"alg": "HS256", "typ": "JWT"}
    claims = {"sub": sub, "repo": repo, "branch": branch,
              "scope": scope, "aud": "git-warden", "iat": now, "exp": now + ttl}
    signing = b64url(json.dumps(header, separators=(",", ":")).encode()) + "." + \
        b64url(json.dumps(claims, separators=(",", ":")).encode())
    sig = hmac.new(HMAC_SECRET.encode(), signing.encode(), hashlib.sha256).digest()
    return signing + "." + b64url(sig)


def dir_bytes(path, pattern="objects/pack/*.pack"):
    return sum(os.path.getsize(p) for p in glob.glob(os.path.join(path, pattern)))


def percentile(xs, q):
    if not xs:
        return float("nan")
    xs = sorted(xs)
    k = (len(xs) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


class CloneBurst:
    """n `git clone --bare` of url started together (a barrier releases them once all threads are ready) and
    timed each from its own start. Fields after run(): times (s, successful clones), errs ((s, last stderr
    line) of failed ones), ends (perf_counter of each end), t0 (before the threads were started), start (the
    barrier's release, or t0), wall (start to the last end)."""

    def __init__(self, url, n, base, env, timeout, barrier_timeout=60):
        self.url, self.n, self.base, self.env = url, n, base, env
        self.timeout, self.barrier_timeout = timeout, barrier_timeout
        self.times, self.errs, self.ends = [], [], []

    def run(self, join_grace=90):
        import shutil
        import threading
        released = []
        barrier = threading.Barrier(self.n, action=lambda: released.append(time.perf_counter()))
        lock = threading.Lock()
        shutil.rmtree(self.base, ignore_errors=True)
        os.makedirs(self.base)

        def one(i):
            d = os.path.join(self.base, "c%d" % i)
            try:
                barrier.wait(self.barrier_timeout)
            except threading.BrokenBarrierError:
                pass
            t = time.perf_counter()
            try:
                r = subprocess.run(["git", "-c", "credential.helper=", "clone", "-q", "--bare", self.url, d],
                                   env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                   timeout=self.timeout)
                ok = r.returncode == 0
                msg = r.stderr.decode(errors="replace").strip().splitlines()[-1:] if not ok else ""
            except subprocess.TimeoutExpired:
                ok, msg = False, ["timeout"]
            end = time.perf_counter()
            with lock:
                self.ends.append(end)
                (self.times if ok else self.errs).append(end - t if ok else (end - t, msg))
            shutil.rmtree(d, ignore_errors=True)

        self.t0 = time.perf_counter()
        threads = [threading.Thread(target=one, args=(i,)) for i in range(self.n)]
        for th in threads:
            th.start()
        for th in threads:
            th.join(self.timeout + join_grace)
        self.start = released[0] if released else self.t0
        self.wall = (max(self.ends) - self.start) if self.ends else time.perf_counter() - self.t0
        shutil.rmtree(self.base, ignore_errors=True)
        return self

    @property
    def first_error(self):
        return self.errs[0][1] if self.errs else ""


def descendants(pid):
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo += children(p)
    return out


def _proc_jiffies(pid, reaped=True):
    try:
        st = open("/proc/%d/stat" % pid).read()
    except OSError:
        return 0
    f = st[st.rindex(")") + 2:].split()
    return int(f[11]) + int(f[12]) + ((int(f[13]) + int(f[14])) if reaped else 0)


def _total_busy_jiffies():
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    idle = v[3] + v[4]  # idle + iowait
    return sum(v[:8]) - idle


class CpuMonitor:
    """CPU used on the machine by processes other than this harness and what it started, over a window:
    a measurement is only as good as the machine is quiet, and other builds share these cores.

    Ours: this process and its reaped children (git clients), every process in PROCS and their live
    descendants, and the children those reaped (lighttpd's CGI processes, fcgiwrap's)."""

    def __init__(self):
        self.t0 = None

    def _ours(self):
        pids = {os.getpid()}
        for _, p in PROCS:
            if p.poll() is None:
                pids.update(descendants(p.pid))
        return sum(_proc_jiffies(p) for p in pids)

    def begin(self):
        self.t0 = (time.monotonic(), _total_busy_jiffies(), self._ours(), os.getloadavg()[0])
        return self

    def end(self):
        """(other processes' average cores, our average cores, 1-min load at begin, at end)"""
        t, busy, ours, load = self.t0
        dt = max(1e-3, time.monotonic() - t)
        dbusy = (_total_busy_jiffies() - busy) / CLK_TCK
        dours = (self._ours() - ours) / CLK_TCK
        return max(0.0, (dbusy - dours) / dt), dours / dt, load, os.getloadavg()[0]


def machine_busy(window=2.0):
    """Average cores busy on the whole machine over `window` seconds."""
    b0, t0 = _total_busy_jiffies(), time.monotonic()
    time.sleep(window)
    return (_total_busy_jiffies() - b0) / CLK_TCK / (time.monotonic() - t0)


def wait_quiet(max_busy, timeout, what=""):
    """Waits (up to `timeout` s) until the machine's busy cores over 3 s are below `max_busy`, while this
    harness is idle. Returns the last measured value."""
    deadline = time.monotonic() + timeout
    busy = machine_busy(3.0)
    if busy <= max_busy:
        return busy
    log("machine busy (%.2f cores in use by others); waiting up to %d s before %s" % (busy, timeout, what))
    while time.monotonic() < deadline:
        busy = machine_busy(3.0)
        if busy <= max_busy:
            log("machine quiet (%.2f cores)" % busy)
            return busy
    log("machine still busy (%.2f cores) after %d s; measuring anyway" % (busy, timeout))
    return busy
