#!/usr/bin/env python3
"""Mailflow and Postfix side by side: acceptance rate, time until delivered, peak memory.

Both servers listen on 127.0.0.1 only, accept mail for bench.test and deliver it to a
Maildir; both fsync a message before their 250. smtp-source (Postfix's load generator)
sends the same load to each, in interleaved repetitions. The table goes to
docs/performance.md with the machine and the command.
"""
import argparse
import itertools
import datetime
import os
import platform
import shutil
import signal
import socket
import stat
import statistics
import subprocess
import sys
import tempfile
import threading
import time

POINTS = [(1, 1024), (10, 1024), (50, 1024), (1, 65536), (10, 65536), (50, 65536)]
# Outbound: both servers relay everything for sink.test to one smtp-sink.
OUT_POINTS = [(10, 1024), (50, 1024), (10, 65536)]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"bench: nothing listens on 127.0.0.1:{port}")


def tool(name):
    return shutil.which(name) or f"/usr/sbin/{name}"


def process_tree(pid):
    """pid and all its descendants, from /proc."""
    children = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry))
        except (OSError, ValueError, IndexError):
            pass
    tree, todo = [], [pid]
    while todo:
        p = todo.pop()
        tree.append(p)
        todo.extend(children.get(p, []))
    return tree


def pss_kib(pids):
    """Proportional set size of the processes, summed (shared pages counted once)."""
    total = 0
    for p in pids:
        try:
            with open(f"/proc/{p}/smaps_rollup") as f:
                for line in f:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1])
                        break
        except OSError:
            pass
    return total


class MemorySampler(threading.Thread):
    def __init__(self, pid):
        super().__init__(daemon=True)
        self.pid, self.peak, self.stop_flag = pid, 0, threading.Event()

    def run(self):
        while not self.stop_flag.is_set():
            self.peak = max(self.peak, pss_kib(process_tree(self.pid)))
            time.sleep(0.05)

    def stop(self):
        self.stop_flag.set()
        self.join()
        self.peak = max(self.peak, pss_kib(process_tree(self.pid)))
        return self.peak


def count(directory):
    try:
        return len(os.listdir(directory))
    except FileNotFoundError:
        return 0


_set_aside = itertools.count(1)


def clear(directory):
    """Empties a Maildir's new/ for the next run without deleting a file: the directory is
    renamed away (the whole work directory goes at the end) and made again with its owner and
    mode. On ext4 without a journal (this machine's) every inode allocation in the 30 seconds
    after a delete skips the freed inodes one by one, so deleting the last run's thousands of
    messages here would charge both servers' next run for the bench's own cleanup."""
    if not os.path.isdir(directory):
        return
    st = os.stat(directory)
    os.rename(directory, f"{directory}.done{next(_set_aside)}")
    os.mkdir(directory, stat.S_IMODE(st.st_mode))
    os.chown(directory, st.st_uid, st.st_gid)


class Postfix:
    name = "Postfix"

    def __init__(self, work, sink_port):
        self.base = os.path.join(work, "postfix")
        self.port = free_port()
        conf = os.path.join(self.base, "conf")
        for d in ("conf", "queue", "data", "mail"):
            os.makedirs(os.path.join(self.base, d))
        os.chmod(work, 0o755)
        os.chmod(self.base, 0o755)
        shutil.chown(os.path.join(self.base, "data"), user="postfix")
        shutil.chown(os.path.join(self.base, "mail"), user=65534, group=65534)
        b = self.base
        with open(os.path.join(conf, "main.cf"), "w") as f:
            f.write(f"""compatibility_level = 3.6
queue_directory = {b}/queue
data_directory = {b}/data
mail_owner = postfix
setgid_group = postdrop
myhostname = pf.bench.test
mydomain = bench.test
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
virtual_mailbox_domains = bench.test
virtual_mailbox_base = {b}/mail
virtual_mailbox_maps = static:bench/
virtual_uid_maps = static:65534
virtual_gid_maps = static:65534
virtual_minimum_uid = 100
maillog_file = {b}/postfix.log
maillog_file_prefixes = {b}
relayhost = [127.0.0.1]:{sink_port}
smtp_dns_support_level = disabled
alias_maps =
alias_database =
local_recipient_maps =
biff = no
default_process_limit = 200
""")
        with open("/etc/postfix/master.cf") as f:
            master = f.read().splitlines()
        out = []
        for line in master:
            fields = line.split()
            if fields and not line.startswith(("#", " ", "\t")) and len(fields) >= 8:
                if fields[0] == "smtp" and fields[1] == "inet":
                    fields[0] = f"127.0.0.1:{self.port}"
                fields[4] = "n"  # no chroot: the private queue is outside /var/spool/postfix
                line = "  ".join(fields)
            out.append(line)
        with open(os.path.join(conf, "master.cf"), "w") as f:
            f.write("\n".join(out) + "\n")
        self.conf = conf
        self.maildir = os.path.join(b, "mail", "bench", "new")

    def start(self):
        subprocess.run([tool("postfix"), "-c", self.conf, "start"], check=True, capture_output=True)
        wait_port(self.port)
        with open(os.path.join(self.base, "queue", "pid", "master.pid")) as f:
            self.pid = int(f.read().strip())

    def stop(self):
        subprocess.run([tool("postfix"), "-c", self.conf, "stop"], capture_output=True)

    def version(self):
        r = subprocess.run([tool("postconf"), "-c", self.conf, "-h", "mail_version"], capture_output=True, text=True)
        return "Postfix " + r.stdout.strip()

    def queued(self):
        n = 0
        for d in ("maildrop", "incoming", "active", "deferred", "hold"):
            for _, _, files in os.walk(os.path.join(self.base, "queue", d)):
                n += len(files)
        return n


class Mailflow:
    name = "Mailflow"

    def __init__(self, work, root, sink_port):
        self.base = os.path.join(work, "mailflow")
        os.makedirs(self.base)
        self.root = root
        self.port = free_port()
        self.config = os.path.join(self.base, "mailflow.toml")
        with open(self.config, "w") as f:
            f.write(f"""hostname = "mf.bench.test"
data_dir = "data"

[[receive_connector]]
name = "Bench"
bind = "127.0.0.1:{self.port}"
protocol_log = false
max_connections_per_ip = 1000
relay_from = ["127.0.0.0/8"]

[[accepted_domain]]
name = "bench.test"

[[mailbox]]
address = "bench@bench.test"

[delivery]
dns_server = "127.0.0.1:9"

[web]
enabled = false

[[send_connector]]
name = "Sink"
domains = ["sink.test"]
smart_host = "127.0.0.1:{sink_port}"
""")
        self.maildir = os.path.join(self.base, "data", "mailboxes", "bench.test", "bench", "new")

    def start(self):
        self.log = open(os.path.join(self.base, "serve.log"), "w")
        self.proc = subprocess.Popen([os.path.join(self.root, "mailflow"), "serve", "--config", self.config],
                                     stdout=self.log, stderr=subprocess.STDOUT)
        wait_port(self.port)
        self.pid = self.proc.pid

    def stop(self):
        if not hasattr(self, "proc"):
            return
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=60)
        self.log.close()

    def version(self):
        r = subprocess.run([os.path.join(self.root, "mailflow"), "--version"], capture_output=True, text=True)
        return r.stdout.strip()

    def queued(self):
        return count(os.path.join(self.base, "data", "queue", "messages"))


def inject(server, sessions, size, messages, recipient):
    """smtp-source against the server with memory sampled; returns (sampler, start, seconds until the last 250)."""
    sampler = MemorySampler(server.pid)
    sampler.start()
    start = time.monotonic()
    r = subprocess.run([tool("smtp-source"), "-s", str(sessions), "-m", str(messages), "-l", str(size),
                        "-f", "load@source.test", "-t", recipient, f"127.0.0.1:{server.port}"],
                       capture_output=True, text=True)
    accepted = time.monotonic() - start
    if r.returncode != 0:
        sampler.stop()
        raise SystemExit(f"bench: smtp-source against {server.name} failed: {r.stderr.strip()}")
    return sampler, start, accepted


def run_load(server, sessions, size, messages):
    clear(server.maildir)
    sampler, start, accepted = inject(server, sessions, size, messages, "bench@bench.test")
    deadline = start + 300
    while count(server.maildir) < messages and time.monotonic() < deadline:
        time.sleep(0.005)
    delivered = time.monotonic() - start
    peak = sampler.stop()
    got = count(server.maildir)
    if got != messages:
        raise SystemExit(f"bench: {server.name} delivered {got} of {messages} within 300 s")
    return {"accept_rate": messages / accepted, "deliver_rate": messages / delivered,
            "delivered_s": delivered, "peak_kib": peak}


def run_outbound(server, sessions, size, messages):
    """Relay to the sink: rate until smtp-source had its 250s, and until the queue is empty."""
    sampler, start, accepted = inject(server, sessions, size, messages, "user@sink.test")
    deadline = start + 300
    time.sleep(0.01)
    while server.queued() > 0 and time.monotonic() < deadline:
        time.sleep(0.005)
    relayed = time.monotonic() - start
    peak = sampler.stop()
    if server.queued() > 0:
        raise SystemExit(f"bench: {server.name} still holds {server.queued()} messages after 300 s")
    return {"accept_rate": messages / accepted, "relay_rate": messages / relayed, "relayed_s": relayed,
            "peak_kib": peak}


def write_section(out, heading, section):
    """Puts `section` (which starts with "## heading") into docs/performance.md in place of the
    old one, or before the hand-written notes."""
    old = open(out).read() if os.path.exists(out) else "# Performance\n"
    marker = f"\n## {heading}\n"
    if marker in old:
        start = old.index(marker)
        nxt = old.find("\n## ", start + 1)
        old = old[:start] + (old[nxt:] if nxt >= 0 else "")
    at = old.find("\n## Notes")
    new = old[:at] + section + old[at:] if at >= 0 else old.rstrip("\n") + "\n" + section
    with open(out, "w") as f:
        f.write(new)
    print(f"bench: wrote {out}")


def machine():
    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    with open("/proc/meminfo") as f:
        mem_kib = int(f.readline().split()[1])
    java = subprocess.run(["bash", "-c", "source /dev/null; " + "\"${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java\" -version 2>&1 | head -1"],
                          capture_output=True, text=True).stdout.strip()
    fs = subprocess.run(["df", "-T", tempfile.gettempdir()], capture_output=True, text=True).stdout.splitlines()[-1].split()[1]
    return (f"{os.cpu_count()} CPUs ({cpu}), {mem_kib // 1024 // 1024} GiB RAM, Linux {platform.release()}, "
            f"{fs} file system for both spools, {java}")


def main():
    ap = argparse.ArgumentParser(prog="bench/postfix-compare.sh", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--root", required=True, help=argparse.SUPPRESS)  # given by bench/postfix-compare.sh
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--messages-1k", type=int, default=2000)
    ap.add_argument("--messages-64k", type=int, default=500)
    ap.add_argument("--out", default=None)
    args = ap.parse_args()
    out = args.out or os.path.join(args.root, "docs", "performance.md")

    work = tempfile.mkdtemp(prefix="mailflow-bench-")
    os.chmod(work, 0o755)
    sink_port = free_port()
    sink = subprocess.Popen([tool("smtp-sink"), "-u", "postfix", f"127.0.0.1:{sink_port}", "1024"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_port(sink_port)
    postfix, mailflow = Postfix(work, sink_port), Mailflow(work, args.root, sink_port)
    servers = [postfix, mailflow]
    results = {(s.name, p): [] for s in servers for p in POINTS}
    out_results = {(s.name, p): [] for s in servers for p in OUT_POINTS}
    try:
        # Mailflow's launcher records its first run after a build and writes the AOT cache when
        # that run stops; a server in service runs from the cache after its first stop. So the
        # recording run is a start, a load and a stop of its own, before the measured start.
        mailflow.start()
        run_load(mailflow, 10, 1024, 2000)
        mailflow.stop()
        for s in servers:
            s.start()
        # Warm-up: both servers have started their processes and, for the JVM, compiled the hot path.
        for s in servers:
            run_load(s, 10, 1024, 2000)
            run_load(s, 10, 65536, 200)
        for rep in range(args.reps):
            for point in POINTS:
                order = servers if rep % 2 == 0 else list(reversed(servers))
                for s in order:
                    n = args.messages_1k if point[1] == 1024 else args.messages_64k
                    r = run_load(s, point[0], point[1], n)
                    results[(s.name, point)].append(r)
                    print(f"rep {rep + 1} {s.name:8} c={point[0]:<3} {point[1] // 1024:>3} KiB: "
                          f"{r['accept_rate']:7.0f} msg/s accepted, all delivered in {r['delivered_s']:6.2f} s, "
                          f"peak {r['peak_kib'] / 1024:6.1f} MiB", flush=True)
            for point in OUT_POINTS:
                order = servers if rep % 2 == 0 else list(reversed(servers))
                for s in order:
                    n = args.messages_1k if point[1] == 1024 else args.messages_64k
                    r = run_outbound(s, point[0], point[1], n)
                    out_results[(s.name, point)].append(r)
                    print(f"rep {rep + 1} {s.name:8} outbound c={point[0]:<3} {point[1] // 1024:>3} KiB: "
                          f"{r['accept_rate']:7.0f} msg/s accepted, all relayed in {r['relayed_s']:6.2f} s",
                          flush=True)
        versions = {s.name: s.version() for s in servers}
    finally:
        for s in servers:
            try:
                s.stop()
            except Exception as e:  # keep stopping the other one
                print(f"bench: stopping {s.name}: {e}", file=sys.stderr)
        sink.terminate()
        shutil.rmtree(work, ignore_errors=True)

    def med(name, point, key, table=results):
        return statistics.median(r[key] for r in table[(name, point)])

    out_rows = []
    for point in OUT_POINTS:
        c, size = point
        n = args.messages_1k if size == 1024 else args.messages_64k
        pr, mr = med("Postfix", point, "relay_rate", out_results), med("Mailflow", point, "relay_rate", out_results)
        out_rows.append(f"| {c} | {size // 1024} KiB | {n} | {pr:.0f} | {mr:.0f} | **{mr / pr:.2f}** |")

    rows = []
    below = []
    for point in POINTS:
        c, size = point
        pa, ma = med("Postfix", point, "accept_rate"), med("Mailflow", point, "accept_rate")
        pd, md = med("Postfix", point, "deliver_rate"), med("Mailflow", point, "deliver_rate")
        pm, mm = med("Postfix", point, "peak_kib"), med("Mailflow", point, "peak_kib")
        n = args.messages_1k if size == 1024 else args.messages_64k
        rows.append(f"| {c} | {size // 1024} KiB | {n} | {pa:.0f} | {ma:.0f} | **{ma / pa:.2f}** | "
                    f"{n / pd:.2f} | {n / md:.2f} | **{md / pd:.2f}** | {pm / 1024:.0f} | {mm / 1024:.0f} | {mm / pm:.1f} |")
        if ma < pa:
            below.append(f"accepted at c={c}, {size // 1024} KiB ({ma / pa:.2f})")
        if md < pd:
            below.append(f"delivered at c={c}, {size // 1024} KiB ({md / pd:.2f})")

    # Hand-written notes (from a "## Notes" heading on) survive a new run, and so does the section
    # bench/auth-overhead.sh writes (from "## Email authentication overhead" on), wherever it is.
    notes = ""
    if os.path.exists(out):
        with open(out) as f:
            old = f.read()
        kept = [old.index(h) for h in ("\n## Notes", "\n## Email authentication overhead", "\n## Cluster", "\n## Idle connections", "\n## Many recipients", "\n## Queue growth") if h in old]
        if kept:
            notes = old[min(kept):]
    command = "bench/postfix-compare.sh " + " ".join(a for a in sys.argv[1:] if not a.startswith("--root")
                                                         and a != args.root)
    today = datetime.date.today().isoformat()
    with open(out, "w") as f:
        f.write(f"""# Performance

Mailflow against Postfix, run side by side on the same machine by `bench/postfix-compare.sh`.

- Date: {today}
- Machine: {machine()}
- Versions: {versions['Mailflow']}; {versions['Postfix']}
- Command (as root, from the project directory): `{command.strip()}`

## How it is measured

Both servers listen on 127.0.0.1 only, accept mail for `bench.test` and deliver it to one
Maildir; both make a message durable (fsync) before their 250. Postfix runs a private
instance configured by the script (virtual(8) Maildir delivery, its own queue and log file,
no chroot); Mailflow runs with `./mailflow serve` and its protocol log off (Postfix logs one
line per message, as Mailflow's tracking log does), from the AOT cache its launcher wrote at
the end of a first start of its own (2,000 messages, then a stop), as a server runs after its
first stop (see "The slow start"). Load comes from Postfix's own
`smtp-source`: one message per connection, `-s` connections at once. Each point runs
{args.reps} times, Postfix and Mailflow alternating who goes first; the table shows medians.
Both servers get the same warm-up first (2,000 + 200 messages). Between runs the Maildir's
`new/` is renamed away and made again, not emptied: deleting thousands of files would make
both servers' file creations in the next 30 seconds slower on this machine's file system
(ext4 without a journal, see "Notes").

- accepted: messages per second until smtp-source had its last 250.
- delivered: seconds from the first connection until the last message was in the Maildir.
- memory: peak proportional set size (PSS) of the server's whole process tree during the run
  (Postfix: master and every daemon it started; Mailflow: the JVM, default heap settings).
- ratio: Mailflow / Postfix for rates (above 1: Mailflow faster), Mailflow / Postfix for
  memory (above 1: Mailflow uses more).

## Results

| sessions | size | messages | Postfix accepted/s | Mailflow accepted/s | ratio | Postfix delivered (s) | Mailflow delivered (s) | ratio (rate) | Postfix MiB | Mailflow MiB | memory ratio |
| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |
""")
        f.write("\n".join(rows) + "\n\n")
        if below:
            f.write("Points where Mailflow is below Postfix: " + "; ".join(below) + ".\n")
        else:
            f.write("Mailflow is at least equal to Postfix at every point, accepted and delivered.\n")
        f.write(f"""
## Outbound (relay to smtp-sink)

The same servers relay mail for `sink.test` to one `smtp-sink` on 127.0.0.1 (Postfix through
`relayhost`, Mailflow through a `[[send_connector]]`); smtp-source injects, and the rate is
messages per second from the first connection until the server's queue is empty again.

| sessions | size | messages | Postfix relayed/s | Mailflow relayed/s | ratio |
| --- | --- | --- | --- | --- | --- |
""")
        f.write("\n".join(out_rows) + "\n")
        f.write(notes)
    print(f"bench: wrote {out}")


if __name__ == "__main__":
    main()
