#!/usr/bin/env python3
"""Idle SMTP connections against Mailflow: RSS of the server with 0, 1,000, 5,000 and 10,000
connections open (each greeted and past EHLO, then silent), and how long a new connection
waits for its 220 at each level. Loopback only: the connections come from 127.0.0.2 to
127.0.0.11 (bounded: at most --max connections), to 127.0.0.1.

Usage (from the project directory): python3 bench/idle_connections.py [--max 10000] [--out FILE]
The result is printed; with --out, a "## Idle connections" section is written into that file
(docs/performance.md), replacing an older one.
"""
import argparse
import datetime
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from compare_postfix import free_port, machine  # noqa: E402

LEVELS = [0, 1000, 5000, 10000]
SOURCES = [f"127.0.0.{i}" for i in range(2, 12)]


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def read_reply(s):
    data = b""
    while True:
        chunk = s.recv(4096)
        if not chunk:
            raise OSError("closed")
        data += chunk
        lines = data.split(b"\r\n")
        for line in lines[:-1]:
            if len(line) >= 4 and line[3:4] == b" ":
                return data
        if len(data) > 65536:
            raise OSError("reply too long")


def connect(port, source, ehlo=True):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((source, 0))
    s.settimeout(30)
    s.connect(("127.0.0.1", port))
    read_reply(s)
    if ehlo:
        s.sendall(b"EHLO idle.bench.test\r\n")
        read_reply(s)
    return s


def new_connection_wait(port):
    start = time.monotonic()
    s = connect(port, "127.0.0.1", ehlo=False)
    waited = time.monotonic() - start
    s.sendall(b"QUIT\r\n")
    s.close()
    return waited


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", default=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    ap.add_argument("--max", type=int, default=10000)
    ap.add_argument("--out", default=None)
    args = ap.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard < args.max + 100:
        raise SystemExit(f"bench: the open-file limit ({hard}) is below {args.max + 100}; raise it (ulimit -n)")
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    work = tempfile.mkdtemp(prefix="mailflow-idle-bench-")
    port = free_port()
    config = os.path.join(work, "mailflow.toml")
    with open(config, "w") as f:
        f.write(f"""hostname = "idle.bench.test"
data_dir = "data"

[[receive_connector]]
name = "Idle"
bind = "127.0.0.1:{port}"
protocol_log = false
max_connections = {args.max + 100}
max_connections_per_ip = {args.max + 100}
max_connections_per_network = {args.max + 100}
command_timeout = "1h"

[delivery]
dns_server = "127.0.0.1:9"

[web]
enabled = false
""")
    log = open(os.path.join(work, "serve.log"), "w")
    proc = subprocess.Popen([os.path.join(args.root, "mailflow"), "serve", "--config", config], stdout=log,
                            stderr=subprocess.STDOUT, preexec_fn=lambda: resource.setrlimit(
                                resource.RLIMIT_NOFILE, (hard, hard)))
    deadline = time.time() + 120
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if time.time() > deadline:
                raise SystemExit("bench: the server did not start")
            time.sleep(0.2)
    java_pid = proc.pid
    rows = []
    open_sockets = []
    try:
        time.sleep(2)
        for level in [lv for lv in LEVELS if lv <= args.max]:
            while len(open_sockets) < level:
                open_sockets.append(connect(port, SOURCES[len(open_sockets) % len(SOURCES)]))
            time.sleep(3)  # let the server settle (GC) before reading its RSS
            waits = [new_connection_wait(port) for _ in range(5)]
            rows.append((level, rss_kib(java_pid), max(waits)))
            print(f"{level:6d} idle connections: RSS {rows[-1][1] / 1024:7.1f} MiB, a new connection's 220 within "
                  f"{rows[-1][2] * 1000:6.1f} ms", flush=True)
    finally:
        for s in open_sockets:
            s.close()
        proc.terminate()
        proc.wait(timeout=60)
        log.close()
    version = subprocess.run([os.path.join(args.root, "mailflow"), "--version"], capture_output=True,
                             text=True).stdout.strip()
    base = rows[0][1]
    per = [(r[1] - base) / r[0] for r in rows if r[0] > 0]
    if args.out:
        table = "\n".join(f"| {r[0]:,} | {r[1] / 1024:.0f} | {(r[1] - base) / r[0] if r[0] else 0:.1f} |"
                          f" {r[2] * 1000:.0f} |" for r in rows)
        section = f"""
## Idle connections

RSS of `mailflow serve` (default JVM options of the launcher) with idle SMTP connections open:
each connected from one of 127.0.0.2 to 127.0.0.11, greeted, past EHLO, then silent; and the
longest of five new connections' waits for its 220 at each level (`bench/idle_connections.py`).

- Date: {datetime.date.today().isoformat()}; {machine()}; {version}
- Command: `python3 bench/idle_connections.py --max {args.max} --out docs/performance.md`

| idle connections | RSS (MiB) | KiB per connection | new connection's 220 (ms) |
| --- | --- | --- | --- |
{table}
"""
        old = open(args.out).read() if os.path.exists(args.out) else "# Performance\n"
        if "\n## Idle connections\n" in old:
            start = old.index("\n## Idle connections\n")
            nxt = old.find("\n## ", start + 1)
            old = old[:start] + (old[nxt:] if nxt >= 0 else "")
        at = old.find("\n## Notes")
        new = old[:at] + section + old[at:] if at >= 0 else old.rstrip("\n") + "\n" + section
        with open(args.out, "w") as f:
            f.write(new)
        print(f"bench: wrote {args.out}")
    print("KiB per connection: " + ", ".join(f"{p:.1f}" for p in per))


if __name__ == "__main__":
    main()
