#!/usr/bin/env python3
"""slow_clients.py - hostile HTTP clients for t_worker_hostile.sh, bounded in time and to
loopback addresses.

  slow_clients.py PORT N SECONDS MODE [--source ADDR] [--every S] [--reopen]

Opens N connections to 127.0.0.1:PORT (from ADDR, a 127.x.y.z address, when given) and
holds them for SECONDS, then closes them all and exits 0. MODE:
  slow  - a slowloris: a request whose headers never end, one byte every S seconds (3)
  idle  - connect and send nothing
  keep  - one complete keep-alive request (GET /counters-stats), then idle
--reopen: a connection the server closes is replaced by a new one (a sustained attack).
Prints "ready N refused R" (N: connections held, R: refused or closed at once) once they are open, then every second a line
"open K" with the connections the server has not closed yet, and at the end
"closed-by-server K reopened R".
"""
import socket
import sys
import time


def main():
    args = sys.argv[1:]
    source, every, reopen = None, 3.0, False
    if "--reopen" in args:
        args.remove("--reopen")
        reopen = True
    if "--source" in args:
        i = args.index("--source")
        source = args[i + 1]
        del args[i:i + 2]
    if "--every" in args:
        i = args.index("--every")
        every = float(args[i + 1])
        del args[i:i + 2]
    port, n, seconds, mode = int(args[0]), int(args[1]), float(args[2]), args[3]
    if source and not source.startswith("127."):
        sys.exit("--source must be a loopback address (127.x.y.z)")
    if n > 2000 or seconds > 120:
        sys.exit("at most 2000 connections for 120 s")
    head = b"GET /counters-stats HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 4000
    socks = []
    refused = reopened = closed = 0
    deadline = time.monotonic() + seconds

    def connect():
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.settimeout(5)
        if source:
            s.bind((source, 0))
        try:
            s.connect(("127.0.0.1", port))
            if mode == "keep":
                s.sendall(b"GET /counters-stats HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                if s.recv(65536) == b"":
                    raise OSError("closed")
        except OSError:
            s.close()
            return None
        s.setblocking(False)
        return [s, 0, True]  # socket, bytes of `head` sent, still open

    for _ in range(n):
        e = connect()
        if e:
            socks.append(e)
        else:
            refused += 1
    print("ready", len(socks), "refused", refused, flush=True)
    next_byte = time.monotonic()
    next_report = time.monotonic() + 1
    while time.monotonic() < deadline:
        now = time.monotonic()
        for i, e in enumerate(socks):
            if not e[2] and reopen and time.monotonic() < deadline:
                e[0].close()
                f = connect()
                if f:
                    socks[i] = e = f
                    reopened += 1
            if not e[2]:
                continue
            try:
                if e[0].recv(4096) == b"":
                    e[2] = False  # the server closed it
                    closed += 1
                    continue
            except BlockingIOError:
                pass
            except OSError:
                e[2] = False
                closed += 1
                continue
            if mode == "slow" and now >= next_byte and e[1] < len(head):
                try:
                    e[0].send(head[e[1]:e[1] + 1])
                    e[1] += 1
                except OSError:
                    e[2] = False
                    closed += 1
        if mode == "slow" and now >= next_byte:
            next_byte = now + every
        if now >= next_report:
            print("open", sum(1 for e in socks if e[2]), flush=True)
            next_report = now + 1
        time.sleep(0.05)
    print("closed-by-server", closed, "reopened", reopened, flush=True)
    for e in socks:
        e[0].close()


if __name__ == "__main__":
    main()
