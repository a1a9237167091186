"""An emulated network link in front of the upstream: a TCP relay that shares a fixed bandwidth among its
connections (per direction) and delays every byte by half a round-trip time. The fetch cache section uses it
(`--upstream-link MBIT[,RTT_MS]`) to put the upstream where it is in a deployment, across a network from the
agents and from git-warden, while agents reach git-warden nearby: direct clones and git-warden's mirror
fetches cross the link, clones served from the mirror do not. python3 stdlib only.

Model: each direction is a queue of chunks with a departure time. A chunk of n bytes read at time t leaves
the link at max(t, when the link is free) + n / bandwidth and arrives half an RTT later; at most ~2 MiB per
connection and direction are in flight, so a slow reader pushes back on the sender as TCP would.
"""
import queue
import socket
import threading
import time

CHUNK = 65536
IN_FLIGHT = 32  # chunks per connection and direction


class Link:

    def __init__(self, target_port, mbit, rtt_ms, host="127.0.0.1"):
        self.target = (host, target_port)
        self.rate = mbit * 1e6 / 8  # bytes/s
        self.delay = rtt_ms / 2000.0
        self.free = {"down": 0.0, "up": 0.0}
        self.lock = threading.Lock()
        self.bytes = {"down": 0, "up": 0}
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((host, 0))
        self.sock.listen(1024)
        self.port = self.sock.getsockname()[1]
        self.closed = False
        threading.Thread(target=self._accept, daemon=True, name="link-accept").start()

    def describe(self):
        return "%.0f Mbit/s, %.0f ms round trip" % (self.rate * 8 / 1e6, self.delay * 2000)

    def close(self):
        self.closed = True
        try:
            self.sock.close()
        except OSError:
            pass

    def _accept(self):
        while not self.closed:
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._connect, args=(client,), daemon=True).start()

    def _connect(self, client):
        try:
            upstream = socket.create_connection(self.target)
        except OSError:
            client.close()
            return
        for s in (client, upstream):
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        time.sleep(self.delay * 2)  # the handshake's round trip
        done = []

        def finished():
            with self.lock:
                done.append(1)
                last = len(done) == 2
            if last:
                client.close()
                upstream.close()

        self._pipe(client, upstream, "up", finished)
        self._pipe(upstream, client, "down", finished)

    def _pipe(self, src, dst, direction, finished):
        q = queue.Queue(IN_FLIGHT)

        def read():
            while True:
                try:
                    data = src.recv(CHUNK)
                except OSError:
                    data = b""
                now = time.monotonic()
                with self.lock:
                    start = max(now, self.free[direction])
                    self.free[direction] = start + len(data) / self.rate
                    arrive = self.free[direction] + self.delay
                    self.bytes[direction] += len(data)
                q.put((arrive, data))
                if not data:
                    return

        def write():
            while True:
                arrive, data = q.get()
                wait = arrive - time.monotonic()
                if wait > 0:
                    time.sleep(wait)
                if not data:
                    try:
                        dst.shutdown(socket.SHUT_WR)
                    except OSError:
                        pass
                    finished()
                    return
                try:
                    dst.sendall(data)
                except OSError:
                    try:
                        src.shutdown(socket.SHUT_RD)
                    except OSError:
                        pass
                    # keep draining so the reader does not block forever on a full queue
                    while q.get()[1]:
                        pass
                    finished()
                    return

        threading.Thread(target=read, daemon=True).start()
        threading.Thread(target=write, daemon=True).start()
