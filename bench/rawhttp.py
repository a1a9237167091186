"""A minimal HTTP/1.1 client on raw sockets, and an open-loop load generator (python3 stdlib only).

The client sends pre-built request bytes with TCP_NODELAY and parses just enough of the answer to know
where it ends (Content-Length, chunked, or close), so that its own cost per request is a few tens of
microseconds and the same for every server it talks to. The load generator offers requests on a fixed
schedule and measures each one from its scheduled start, so a slow server cannot slow the offered load
down and hide its own queueing (coordinated omission).
"""
import itertools
import socket
import sys
import threading
import time


class ConnectionClosed(IOError):
    """The server closed the connection before the answer was complete."""


class Response:
    __slots__ = ("status", "headers", "body", "nbytes", "close", "retried")

    def __init__(self, status, headers, body, nbytes, close):
        self.status = status
        self.headers = headers
        self.body = body
        self.nbytes = nbytes
        self.close = close
        self.retried = False


def build_request(method, target, port, headers=(), body=b""):
    """Request bytes: `headers` is a sequence of (name, value); Content-Length is added for a body."""
    lines = ["%s %s HTTP/1.1" % (method, target), "Host: 127.0.0.1:%d" % port]
    lines += ["%s: %s" % (k, v) for k, v in headers if v is not None]
    if body or method == "POST":
        lines.append("Content-Length: %d" % len(body))
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


class Connection:
    """One HTTP/1.1 connection to 127.0.0.1:port, reopened when the server closes it."""

    def __init__(self, port, timeout=30.0):
        self.port = port
        self.timeout = timeout
        self.sock = None
        self.buf = bytearray()
        self.requests = 0  # on the current socket
        self.connects = 0

    def connect(self):
        self.close()
        s = socket.create_connection(("127.0.0.1", self.port), timeout=self.timeout)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock = s
        self.buf = bytearray()
        self.requests = 0
        self.connects += 1

    def close(self):
        if self.sock is not None:
            try:
                self.sock.close()
            except OSError:
                pass
            self.sock = None

    def request(self, data, keep_body=True):
        """Sends `data` and reads one answer. A reused connection that the server had already closed
        is reopened once (as HTTP clients do); the time of that attempt still counts for the caller."""
        reused = self.sock is not None and self.requests > 0
        if self.sock is None:
            self.connect()
        try:
            r = self._exchange(data, keep_body)
        except (ConnectionClosed, ConnectionResetError, BrokenPipeError) as e:
            if not reused or getattr(e, "partial", False):
                self.close()
                raise
            self.connect()
            r = self._exchange(data, keep_body)
            r.retried = True
        except Exception:
            self.close()
            raise
        if r.close:
            self.close()
        return r

    def _exchange(self, data, keep_body):
        self.requests += 1
        self.sock.sendall(data)
        return self._read_response(keep_body)

    def _fill(self, got_any):
        try:
            d = self.sock.recv(262144)
        except (ConnectionResetError, BrokenPipeError) as e:
            if got_any:
                e.partial = True
            raise
        if not d:
            e = ConnectionClosed("connection closed by the server")
            e.partial = got_any
            raise e
        self.buf += d

    def _read_response(self, keep_body):
        buf = self.buf
        while True:
            i = buf.find(b"\r\n\r\n")
            if i >= 0:
                break
            self._fill(len(buf) > 0)
        head = bytes(buf[:i])
        del buf[:i + 4]
        lines = head.split(b"\r\n")
        parts = lines[0].split(b" ", 2)
        status = int(parts[1])
        headers = {}
        for line in lines[1:]:
            k, _, v = line.partition(b":")
            headers[k.strip().lower()] = v.strip()
        close = headers.get(b"connection", b"").lower() == b"close" or parts[0] == b"HTTP/1.0"
        chunks = []
        nbytes = 0
        if b"chunked" in headers.get(b"transfer-encoding", b"").lower():
            while True:
                j = buf.find(b"\r\n")
                while j < 0:
                    self._fill(True)
                    j = buf.find(b"\r\n")
                size = int(bytes(buf[:j]).split(b";")[0], 16)
                del buf[:j + 2]
                if size == 0:
                    # trailers (none in practice), then the empty line
                    while True:
                        j = buf.find(b"\r\n")
                        while j < 0:
                            self._fill(True)
                            j = buf.find(b"\r\n")
                        del buf[:j + 2]
                        if j == 0:
                            break
                    break
                while len(buf) < size + 2:
                    self._fill(True)
                if keep_body:
                    chunks.append(bytes(buf[:size]))
                nbytes += size
                del buf[:size + 2]
        elif b"content-length" in headers:
            n = int(headers[b"content-length"])
            while len(buf) < n:
                self._fill(True)
            if keep_body:
                chunks.append(bytes(buf[:n]))
            nbytes = n
            del buf[:n]
        elif status in (204, 304) or status < 200:
            pass
        else:
            close = True
            while True:
                try:
                    self._fill(True)
                except ConnectionClosed:
                    break
            nbytes = len(buf)
            if keep_body:
                chunks.append(bytes(buf))
            del buf[:]
        return Response(status, headers, b"".join(chunks) if keep_body else None, nbytes, close)


def timed(conn, data, check=None):
    """(seconds, ok, error) of one request on `conn`; `check(response)` -> bool decides ok."""
    t = time.perf_counter()
    try:
        r = conn.request(data)
        ok = check(r) if check else (200 <= r.status < 300)
        err = None if ok else "HTTP %d" % r.status
    except Exception as e:  # noqa
        ok, err = False, "%s: %s" % (type(e).__name__, e)
    return time.perf_counter() - t, ok, err


def timed_new_connection(port, data, check=None, timeout=30.0):
    """Like timed(), on a connection opened for this request (the connect is part of the time)."""
    t = time.perf_counter()
    c = Connection(port, timeout)
    try:
        c.connect()
        r = c.request(data)
        ok = check(r) if check else (200 <= r.status < 300)
        err = None if ok else "HTTP %d" % r.status
    except Exception as e:  # noqa
        ok, err = False, "%s: %s" % (type(e).__name__, e)
    dt = time.perf_counter() - t
    c.close()
    return dt, ok, err


class OpenLoopResult:
    def __init__(self, rate, duration, latencies, lags, errors, first_error, wall, cpu):
        self.rate = rate
        self.duration = duration
        self.latencies = latencies  # seconds, from the scheduled start, successful requests
        self.lags = lags            # seconds between the scheduled start and the actual send
        self.errors = errors
        self.first_error = first_error
        self.wall = wall            # from the first scheduled start to the last answer
        self.cpu = cpu              # the generator's own CPU seconds (process), for its overhead

    @property
    def sent(self):
        return len(self.latencies) + self.errors

    @property
    def achieved(self):
        return len(self.latencies) / self.wall if self.wall > 0 else 0.0


def open_loop(port, data, rate, duration, connections, check=None, timeout=10.0):
    """Offers `rate` requests/s of `data` for `duration` s over `connections` keep-alive connections.

    Request i is due at t0 + i/rate. Each worker thread takes the next due request, sleeps until it is
    due, sends it and waits for the answer; when every connection is busy the next request starts late
    and that wait is part of its latency, as it is for a client that wanted to send it on time.
    """
    n = max(1, int(round(rate * duration)))
    counter = itertools.count()
    lat = [None] * n
    lag = [None] * n
    errs = []
    dropped = []
    ends = []
    conns = []
    for _ in range(connections):
        c = Connection(port, timeout)
        c.connect()
        conns.append(c)
    ready = threading.Barrier(connections + 1)
    t0_box = []
    old_switch = sys.getswitchinterval()
    sys.setswitchinterval(0.0002)  # a woken thread gets the GIL promptly

    def worker(conn):
        ready.wait()
        t0 = t0_box[0]
        give_up = t0 + duration + max(2.0, duration)  # an overloaded server: stop, count the rest as not sent
        last = 0.0
        while True:
            i = next(counter)
            if i >= n:
                break
            due = t0 + i / rate
            if time.perf_counter() > give_up:
                dropped.append(i)
                continue
            d = due - time.perf_counter()
            if d > 0:
                time.sleep(d)
            st = time.perf_counter()
            try:
                r = conn.request(data, keep_body=check is not None)
                ok = check(r) if check else (200 <= r.status < 300)
                e = None if ok else "HTTP %d" % r.status
            except Exception as ex:  # noqa
                ok, e = False, "%s: %s" % (type(ex).__name__, ex)
                conn.close()
            en = time.perf_counter()
            last = en
            if ok:
                lat[i] = en - due
                lag[i] = st - due
            else:
                errs.append(e)
        ends.append(last)
        conn.close()

    threads = [threading.Thread(target=worker, args=(c,), daemon=True) for c in conns]
    for t in threads:
        t.start()
    cpu0 = time.process_time()
    t0_box.append(time.perf_counter() + 0.05)
    ready.wait()
    for t in threads:
        t.join(duration + timeout + 60)
    cpu = time.process_time() - cpu0
    sys.setswitchinterval(old_switch)
    wall = (max(ends) if ends else time.perf_counter()) - t0_box[0]
    if dropped:
        errs.append("%d requests not sent: more than %.0f s behind schedule" % (len(dropped), max(2.0, duration)))
    return OpenLoopResult(rate, duration, [x for x in lat if x is not None], [x for x in lag if x is not None],
                          len(errs) - (1 if dropped else 0) + len(dropped), errs[0] if errs else None, wall, cpu)
