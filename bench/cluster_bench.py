#!/usr/bin/env python3
"""The cluster point of the benchmark: relay rate of three Mailflow nodes sharing one queue in
PostgreSQL (127.0.0.2, 127.0.0.3, 127.0.0.4), beside one node with the file queue, both
relaying to one smtp-sink, loaded by smtp-source. Writes the "## Cluster" section of
docs/performance.md (the rest of the file is kept).
"""
import argparse
import datetime
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from compare_postfix import free_port, machine, tool, write_section  # noqa: E402


def wait_port(host, port, timeout=90):
    import socket
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with socket.create_connection((host, port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"bench: nothing listens on {host}:{port}")


class Postgres:
    def __init__(self, work, pgbin):
        self.dir, self.bin, self.port = os.path.join(work, "pg"), pgbin, free_port()
        os.makedirs(self.dir)
        shutil.chown(self.dir, "postgres", "postgres")
        self.run("initdb", "-D", os.path.join(self.dir, "data"), "-A", "trust", "-U", "postgres", "-E", "UTF8",
                 "--locale=C")
        # fsync and synchronous_commit stay on: a commit is as durable as the file queue's fsync.
        self.run("pg_ctl", "-D", os.path.join(self.dir, "data"), "-w", "-l", os.path.join(self.dir, "log"), "-o",
                 f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c max_connections=200", "start")
        self.psql("CREATE ROLE mailflow LOGIN", "postgres")
        self.psql("CREATE DATABASE mail OWNER mailflow", "postgres")

    def run(self, name, *args):
        subprocess.run(["runuser", "-u", "postgres", "--", os.path.join(self.bin, name), *args], check=True,
                       capture_output=True)

    def psql(self, sql, db="mail"):
        r = subprocess.run(["runuser", "-u", "postgres", "--", os.path.join(self.bin, "psql"), "-h", self.dir,
                            "-p", str(self.port), "-d", db, "-At", "-c", sql], check=True, capture_output=True,
                           text=True)
        return r.stdout.strip()

    def stop(self):
        self.run("pg_ctl", "-D", os.path.join(self.dir, "data"), "-m", "fast", "-w", "stop")


def node_config(path, name, address, port, sink_port, queue):
    with open(path, "w") as f:
        f.write(f"""hostname = "{name}.bench.test"
data_dir = "{name}-data"

[[receive_connector]]
name = "Bench"
bind = "{address}:{port}"
protocol_log = false
max_connections_per_ip = 1000
relay_from = ["127.0.0.0/8"]
authentication = "off"

[[send_connector]]
name = "Sink"
domains = ["sink.test"]
smart_host = "127.0.0.1:{sink_port}"

[delivery]
dns_server = "127.0.0.1:9"

[web]
enabled = false
{queue}""")


class Node:
    def __init__(self, root, base, name, address, sink_port, queue):
        self.root, self.address, self.port = root, address, free_port()
        self.config = os.path.join(base, name + ".toml")
        self.data = os.path.join(base, name + "-data")
        node_config(self.config, name, address, self.port, sink_port, queue)
        self.log = open(os.path.join(base, name + ".log"), "w")
        self.proc = subprocess.Popen([os.path.join(root, "mailflow"), "serve", "--config", self.config],
                                     stdout=self.log, stderr=subprocess.STDOUT)
        wait_port(address, self.port)

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=60)
        self.log.close()


def load(nodes, sessions, messages):
    """smtp-source against each node at once (sessions and messages split between them)."""
    procs = [subprocess.Popen([tool("smtp-source"), "-s", str(max(1, sessions // len(nodes))), "-m",
                               str(messages // len(nodes)), "-l", "1024", "-f", "load@source.test", "-t",
                               "user@sink.test", f"{n.address}:{n.port}"], stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True) for n in nodes]
    for p in procs:
        _, err = p.communicate()
        if p.returncode != 0:
            raise SystemExit(f"bench: smtp-source failed: {err.strip()}")


def relay_rate(nodes, sessions, messages, left):
    start = time.monotonic()
    load(nodes, sessions, messages)
    accepted = time.monotonic() - start
    deadline = start + 300
    while left() > 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    if left() > 0:
        raise SystemExit(f"bench: {left()} messages still queued after 300 s")
    total = messages // len(nodes) * len(nodes)
    return total / accepted, total / (time.monotonic() - start)


def file_queue_left(node):
    d = os.path.join(node.data, "queue", "messages")
    return len(os.listdir(d)) if os.path.isdir(d) else 0


def main():
    ap = argparse.ArgumentParser(prog="bench/cluster.sh", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--root", required=True, help=argparse.SUPPRESS)  # given by bench/cluster.sh
    ap.add_argument("--pgbin", required=True, help=argparse.SUPPRESS)  # found by bench/cluster.sh
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--messages", type=int, default=3000)
    ap.add_argument("--sessions", type=int, default=30)
    ap.add_argument("--out", default=None)
    args = ap.parse_args()
    out = args.out or os.path.join(args.root, "docs", "performance.md")
    work = tempfile.mkdtemp(prefix="mailflow-cluster-bench-")
    os.chmod(work, 0o755)
    sink_port = free_port()
    sink = subprocess.Popen([tool("smtp-sink"), "-u", "postfix", f"127.0.0.1:{sink_port}", "1024"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    pg, nodes, single = None, [], None
    results = {"single": [], "cluster": []}
    try:
        pg = Postgres(work, args.pgbin)
        url = f"jdbc:postgresql://127.0.0.1:{pg.port}/mail"
        single = Node(args.root, work, "single", "127.0.0.1", sink_port, "")
        for i in range(3):
            nodes.append(Node(args.root, work, f"mx{i + 1}", f"127.0.0.{i + 2}", sink_port,
                              f'\n[queue]\nstore = "postgresql"\nurl = "{url}"\nuser = "mailflow"\n'
                              f'node_id = "mx{i + 1}"\n'))
        cluster_left = lambda: int(pg.psql("SELECT count(*) FROM mailflow_queue"))  # noqa: E731
        # The same warm-up for both.
        relay_rate([single], args.sessions, 1000, lambda: file_queue_left(single))
        relay_rate(nodes, args.sessions, 1000, cluster_left)
        for rep in range(args.reps):
            for kind in (["single", "cluster"] if rep % 2 == 0 else ["cluster", "single"]):
                if kind == "single":
                    r = relay_rate([single], args.sessions, args.messages, lambda: file_queue_left(single))
                else:
                    r = relay_rate(nodes, args.sessions, args.messages, cluster_left)
                results[kind].append(r)
                print(f"rep {rep + 1} {kind:8} {r[0]:7.0f} msg/s accepted, {r[1]:7.0f} msg/s relayed", flush=True)
        version = subprocess.run([os.path.join(args.root, "mailflow"), "--version"], capture_output=True,
                                 text=True).stdout.strip()
        pg_version = pg.psql("SHOW server_version")
    finally:
        for n in nodes + ([single] if single else []):
            try:
                n.stop()
            except Exception as e:
                print(f"bench: stopping a node: {e}", file=sys.stderr)
        if pg:
            pg.stop()
        sink.terminate()
        shutil.rmtree(work, ignore_errors=True)

    def med(kind, i):
        return statistics.median(r[i] for r in results[kind])

    command = "bench/cluster.sh " + " ".join(a for a in sys.argv[1:] if a not in (args.root, args.pgbin)
                                             and not a.startswith("--root") and not a.startswith("--pgbin"))
    section = f"""
## Cluster

Three Mailflow nodes on 127.0.0.2, 127.0.0.3 and 127.0.0.4, sharing one queue in a private
PostgreSQL {pg_version} (fsync and `synchronous_commit` on: each 250 follows a durable COMMIT),
beside one node with the file queue, both relaying 1 KiB messages for `sink.test` to one
`smtp-sink`. smtp-source sends {args.messages} messages over {args.sessions} sessions (split
evenly between the three nodes); the rate runs until the queue is empty again (the file
queue's directory, or `mailflow_queue`). {args.reps} repetitions after a 1,000-message warm-up,
alternating who goes first; medians. Everything runs on the one machine below, the three
JVMs and PostgreSQL sharing its cores, so the cluster's figure is the cost of sharing the
queue, not the gain of more machines.

- Date: {datetime.date.today().isoformat()}; {machine()}; {version}
- Command (as root): `{command.strip()}`

| queue | nodes | accepted/s | relayed/s | ratio (relayed) |
| --- | --- | --- | --- | --- |
| file | 1 | {med('single', 0):.0f} | {med('single', 1):.0f} | 1.00 |
| PostgreSQL | 3 | {med('cluster', 0):.0f} | {med('cluster', 1):.0f} | {med('cluster', 1) / med('single', 1):.2f} |

Where the difference goes: with the shared queue every message costs two durable commits in
PostgreSQL (the INSERT of envelope and content before the 250, the DELETE once it is
delivered), each a WAL write and fsync in the database server, against one file write, fsync
and rename in the file queue; and the three JVMs and PostgreSQL share this machine's cores.
On separate machines the nodes add their CPU, and the database's group commit is what
bounds the cluster.
"""
    write_section(out, "Cluster", section)


if __name__ == "__main__":
    main()
