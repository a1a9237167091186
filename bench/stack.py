"""The upstream of the latency and resilience sections: git http-backend behind lighttpd, an nginx relay
in front of it, and git-warden processes started and stopped on demand (python3 stdlib only).

lighttpd is configured as docs/benchmarks.md and the git-smart-http notes describe a realistic stand-in for
GitHub: mod_cgi runs git http-backend, mod_auth wants Basic x-access-token:TOKEN, request bodies are
buffered (server.stream-request-body = 0, so chunked pushes work) and responses stream unbuffered
(server.stream-response-body = 2).
"""
import base64
import glob
import os
import re
import shutil
import subprocess
import time

from benchlib import (HMAC_SECRET, OWNER, ROOT, TOKEN, free_port, log, mint_jwt, start, stop, wait_port)
from rawhttp import Connection, build_request

GIT_AGENT = "git/2.39.5"
HTTP_BACKEND = "/usr/lib/git-core/git-http-backend"


def pkt(s):
    b = s.encode() if isinstance(s, str) else s
    return b"%04x" % (len(b) + 4) + b


def find_jar(explicit=""):
    """The git-warden jar: `explicit` (--jar or $WARDEN_JAR), else the newest target/git-warden-*.jar."""
    explicit = explicit or os.environ.get("WARDEN_JAR", "")
    if explicit:
        if not os.path.isfile(explicit):
            raise RuntimeError("no such jar: %s" % explicit)
        return os.path.abspath(explicit)
    jars = [j for j in glob.glob(os.path.join(ROOT, "target", "git-warden-*.jar")) if not j.endswith("-plain.jar")]
    if not jars:
        raise RuntimeError("no target/git-warden-*.jar (build with ./mvnw -B -q -DskipTests package)")
    return max(jars, key=os.path.getmtime)


class GitStack:
    """lighttpd upstream + nginx relay + git-warden, all on 127.0.0.1, over the harness's repositories."""

    def __init__(self, work, repos, logs, jar, jvm_opts=(), warden_args=()):
        self.work = work
        self.repos = repos
        self.logs = logs
        self.jar = jar
        self.jvm_opts = list(jvm_opts)
        self.warden_args = list(warden_args)
        self.ports = {}
        self.procs = {}
        self.warden_log = None
        self.warden_count = 0
        self.jwt_cache = {}
        os.makedirs(work, exist_ok=True)

    # ------------------------------------------------------------ servers
    def start_upstream(self):
        prefix = os.path.join(self.work, "lighttpd")
        shutil.rmtree(prefix, ignore_errors=True)
        os.makedirs(os.path.join(prefix, "tmp"))
        with open(os.path.join(prefix, "users"), "w") as f:
            f.write("x-access-token:%s\n" % TOKEN)
        port = free_port()
        conf = """
server.bind = "127.0.0.1"
server.port = {port}
server.document-root = "{repos}"
server.errorlog = "{p}/error.log"
server.upload-dirs = ("{p}/tmp")
server.modules = ("mod_alias", "mod_setenv", "mod_auth", "mod_authn_file", "mod_cgi")
# buffer request bodies (chunked pushes work), stream responses unbuffered, like GitHub
server.stream-request-body = 0
server.stream-response-body = 2
server.max-keep-alive-requests = 100000
server.max-keep-alive-idle = 300
server.max-connections = 4096
server.max-fds = 16384
# 256 MiB: bounds what a decompression bomb relayed by a proxy can park in upload-dirs
server.max-request-size = 262144
auth.backend = "plain"
auth.backend.plain.userfile = "{p}/users"
auth.require = ("/" => ("method" => "basic", "realm" => "git-upstream", "require" => "valid-user"))
alias.url = ("/" => "{backend}/")
cgi.assign = ("" => "")
setenv.set-environment = ("GIT_PROJECT_ROOT" => "{repos}", "GIT_HTTP_EXPORT_ALL" => "",
                          "GIT_CONFIG_NOSYSTEM" => "1", "HOME" => "{p}")
""".format(port=port, repos=self.repos, p=prefix, backend=HTTP_BACKEND)
        path = os.path.join(prefix, "lighttpd.conf")
        open(path, "w").write(conf)
        p = start("lighttpd", ["lighttpd", "-D", "-f", path], os.path.join(self.logs, "lighttpd.log"))
        if not wait_port(port, 15, p):
            raise RuntimeError("lighttpd did not start; see %s/lighttpd.log and %s/error.log" % (self.logs, prefix))
        self.ports["direct"] = port
        self.procs["direct"] = p
        log("upstream (lighttpd + mod_cgi git-http-backend) on 127.0.0.1:%d" % port)

    def start_nginx(self):
        prefix = os.path.join(self.work, "nginx")
        for d in ("tmp/body", "tmp/proxy", "tmp/fastcgi", "tmp/uwsgi", "tmp/scgi"):
            os.makedirs(os.path.join(prefix, d), exist_ok=True)
        port = free_port()
        auth = base64.b64encode(("x-access-token:" + TOKEN).encode()).decode()
        # Credentials of any kind are replaced by the upstream's; a request without any is relayed
        # without, so that git's first request gets the upstream's 401 challenge through the relay too.
        conf = """
worker_processes 2;
user root;
pid {p}/nginx.pid;
error_log {p}/error.log warn;
worker_rlimit_nofile 16384;
events {{ worker_connections 8192; }}
http {{
  access_log off;
  client_body_temp_path {p}/tmp/body;
  proxy_temp_path {p}/tmp/proxy;
  fastcgi_temp_path {p}/tmp/fastcgi;
  uwsgi_temp_path {p}/tmp/uwsgi;
  scgi_temp_path {p}/tmp/scgi;
  client_max_body_size 0;
  keepalive_requests 100000;
  map $http_authorization $upstream_authorization {{ "" ""; default "Basic {auth}"; }}
  upstream git_upstream {{ server 127.0.0.1:{up}; keepalive 64; }}
  server {{
    listen 127.0.0.1:{port} backlog=4096;
    location / {{
      proxy_pass http://git_upstream;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_set_header Authorization $upstream_authorization;
      proxy_request_buffering off;
      proxy_buffering off;
      chunked_transfer_encoding on;
      proxy_read_timeout 900s;
      proxy_send_timeout 900s;
    }}
  }}
}}
""".format(p=prefix, up=self.ports["direct"], port=port, auth=auth)
        path = os.path.join(prefix, "nginx.conf")
        open(path, "w").write(conf)
        p = start("relay-nginx", ["nginx", "-p", prefix, "-c", path, "-g", "daemon off;"],
                  os.path.join(self.logs, "relay-nginx-lighttpd.log"))
        if not wait_port(port, 15, p):
            raise RuntimeError("nginx relay did not start; see " + self.logs)
        self.ports["nginx"] = port
        self.procs["nginx"] = p
        log("nginx relay (to lighttpd) on 127.0.0.1:%d" % port)

    def stop_nginx(self):
        if "nginx" in self.procs:
            stop(self.procs.pop("nginx"))

    def spawn_warden(self, tag=""):
        """Starts a fresh git-warden (-Xmx128m) and returns (process, monotonic spawn time); not yet ready."""
        self.stop_warden()
        self.warden_count += 1
        port = free_port()
        data = os.path.join(self.work, "warden-data")
        shutil.rmtree(data, ignore_errors=True)
        os.makedirs(data)
        argv = ["java", "-Xmx128m"] + self.jvm_opts + [
            "-jar", self.jar, "--server.port=%d" % port, "--server.address=127.0.0.1",
            "--warden.upstream.url=http://127.0.0.1:%d" % self.ports["direct"],
            "--warden.upstream.token=" + TOKEN,
            "--warden.auth.hmac-secret=" + HMAC_SECRET,
            "--warden.audit.file=" + os.path.join(data, "audit.jsonl"),
            "--warden.revocations.file=" + os.path.join(data, "revocations.jsonl"),
            "--warden.mirror.dir=" + os.path.join(data, "mirrors"),
            "--management.server.port=0"] + self.warden_args
        self.warden_log = os.path.join(self.logs, "git-warden-%s%d.log" % (tag + "-" if tag else "", self.warden_count))
        open(self.warden_log, "wb").close()  # one process per log: counts of errors in it are this run's
        t = time.perf_counter()
        p = start("git-warden", argv, self.warden_log)
        self.ports["warden"] = port
        self.procs["warden"] = p
        return p, t

    def wait_ready(self, t_spawn, timeout=120):
        """Polls GET info/refs (credentials, a new connection each) every 10 ms until it answers 200.
        Returns (seconds from spawn to that answer, that request's own seconds)."""
        p = self.procs["warden"]
        req = self.info_refs("warden")
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            if p.poll() is not None:
                raise RuntimeError("git-warden exited (%s); see %s" % (p.returncode, self.warden_log))
            c = Connection(self.ports["warden"], timeout=30)
            try:
                c.connect()
            except OSError:
                time.sleep(0.01)
                continue
            t = time.perf_counter()
            try:
                r = c.request(req)
                if r.status == 200:
                    now = time.perf_counter()
                    return now - t_spawn, now - t
            except OSError:
                pass
            finally:
                c.close()
            time.sleep(0.01)
        raise RuntimeError("git-warden not ready after %d s; see %s" % (timeout, self.warden_log))

    def start_warden(self, tag=""):
        p, t = self.spawn_warden(tag)
        ready, _ = self.wait_ready(t)
        log("git-warden on 127.0.0.1:%d ready after %.2f s (%s)" % (self.ports["warden"], ready, os.path.basename(self.jar)))
        return ready

    def stop_warden(self):
        if "warden" in self.procs:
            stop(self.procs.pop("warden"), timeout=15)
            self.ports.pop("warden", None)

    def started_log_line(self):
        """Spring Boot's own "Started ... in X seconds (process running for Y)" of the current git-warden."""
        try:
            m = re.search(r"Started \S+ in ([\d.]+) seconds \(process running for ([\d.]+)\)", open(self.warden_log).read())
            return (float(m.group(1)), float(m.group(2))) if m else None
        except OSError:
            return None

    # ------------------------------------------------------------ clients
    def jwt(self, repo):
        if repo not in self.jwt_cache:  # one token per session, as an agent would use
            self.jwt_cache[repo] = mint_jwt(OWNER + "/" + repo, ttl=6 * 3600)
        return self.jwt_cache[repo]

    def credentials(self, path, repo):
        return ("x-access-token", TOKEN) if path == "direct" else ("x", self.jwt(repo))

    def auth(self, path, repo="small"):
        u, p = self.credentials(path, repo)
        return "Basic " + base64.b64encode(("%s:%s" % (u, p)).encode()).decode()

    def url(self, path, repo):
        u, p = self.credentials(path, repo)
        return "http://%s:%s@127.0.0.1:%d/%s/%s.git" % (u, p, self.ports[path], OWNER, repo)

    def info_refs(self, path, repo="small", auth=True, v2=True):
        return build_request("GET", "/%s/%s.git/info/refs?service=git-upload-pack" % (OWNER, repo), self.ports[path], [
            ("User-Agent", GIT_AGENT), ("Accept", "*/*"), ("Pragma", "no-cache"),
            ("Git-Protocol", "version=2" if v2 else None),
            ("Authorization", self.auth(path, repo) if auth else None)])

    def upload_pack(self, path, body, repo="small", extra=()):
        return build_request("POST", "/%s/%s.git/git-upload-pack" % (OWNER, repo), self.ports[path], [
            ("User-Agent", GIT_AGENT), ("Accept-Encoding", "deflate, gzip"),
            ("Content-Type", "application/x-git-upload-pack-request"),
            ("Accept", "application/x-git-upload-pack-result"), ("Git-Protocol", "version=2"),
            ("Authorization", self.auth(path, repo))] + list(extra), body)


def ls_refs_body():
    return (pkt("command=ls-refs\n") + pkt("agent=%s\n" % GIT_AGENT) + pkt("object-format=sha1\n") + b"0001" +
            pkt("peel\n") + pkt("symrefs\n") + pkt("unborn\n") + b"0000")


def fetch_body(want, have):
    return (pkt("command=fetch\n") + pkt("agent=%s\n" % GIT_AGENT) + pkt("object-format=sha1\n") + b"0001" +
            pkt("thin-pack\n") + pkt("no-progress\n") + pkt("ofs-delta\n") + pkt("want %s\n" % want) +
            pkt("have %s\n" % have) + pkt("done\n") + b"0000")


def rev_parse(repo_dir, rev):
    return subprocess.run(["git", "-C", repo_dir, "rev-parse", rev], check=True, stdout=subprocess.PIPE,
                          text=True).stdout.strip()
