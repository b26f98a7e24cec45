#!/usr/bin/env python3
"""What email authentication costs per message: Mailflow with authentication "off" against
"record" (and "enforce" when asked), side by side in one run.

Every server listens on 127.0.0.1 only, takes mail from strangers (no relay_from, so the
checks run) for bench.test and delivers it to a Maildir. DNS is a private dnsmasq on a
loopback port serving sender.test's SPF, DMARC and DKIM keys with a day's TTL, so that after
the warm-up every answer comes from Mailflow's cache; the queries that still reach dnsmasq
during the measured runs are counted and reported. Loads:

- smtp-source (Postfix's load generator): unsigned messages, so SPF and DMARC;
- the injector below with the same kind of unsigned message (to show that it is not the
  bottleneck: its rate in off mode is compared with smtp-source's);
- the injector with one message signed once by dkimsign (dkimpy), RSA 2048 and Ed25519, sent
  again and again over parallel connections: SPF, DKIM verification, DMARC.

The table goes into the "## Email authentication overhead" section of docs/performance.md;
the rest of the file is kept as it is.
"""
import argparse
import base64
import collections
import datetime
import getpass
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from compare_postfix import MemorySampler, clear, count, free_port, machine, process_tree, tool, wait_port  # noqa: E402

DOMAIN = "sender.test"
SENDER = f"load@{DOMAIN}"
RECIPIENT = "bench@bench.test"
SECTION = "## Email authentication overhead"
# Hand-written findings inside the section, from this heading on, survive a new run.
FINDINGS = "### What the figures say"
TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    """User and system CPU time of the process tree, in seconds."""
    total = 0
    for p in process_tree(pid):
        try:
            with open(f"/proc/{p}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except (OSError, ValueError, IndexError):
            pass
    return total / TICKS


# The JVM's threads by what they do (their names, as /proc shows the first 15 characters).
THREAD_KINDS = (("JIT compilers", ("C1 CompilerThre", "C2 CompilerThre")),
                ("VM thread (serial GC)", ("VM Thread",)),
                ("carriers (sessions, checks)", ("ForkJoinPool",)))
OTHER_THREADS = "other threads"


def thread_kind(comm):
    for kind, prefixes in THREAD_KINDS:
        if comm.startswith(prefixes):
            return kind
    return OTHER_THREADS


def thread_cpu(pid):
    """CPU ticks of each live thread of the JVM (pid): {tid: (kind, ticks)}."""
    threads = {}
    for p in process_tree(pid):
        try:
            tids = os.listdir(f"/proc/{p}/task")
        except OSError:
            continue
        for tid in tids:
            try:
                with open(f"/proc/{p}/task/{tid}/stat") as f:
                    text = f.read()
                comm = text[text.index("(") + 1:text.rindex(")")]
                fields = text.rsplit(")", 1)[1].split()
                threads[(p, tid)] = (thread_kind(comm), int(fields[11]) + int(fields[12]))
            except (OSError, ValueError, IndexError):
                pass
    return threads


def cpu_by_kind(before, after, total_ticks):
    """Ticks per kind between two thread_cpu snapshots; threads that ended in between are the
    difference to the process total."""
    kinds = {kind: 0 for kind, _ in THREAD_KINDS}
    kinds[OTHER_THREADS] = 0
    for key, (kind, ticks) in after.items():
        kinds[kind] += ticks - before.get(key, (kind, 0))[1]
    kinds["threads that ended"] = max(0, total_ticks - sum(kinds.values()))
    return kinds


class Dns:
    """dnsmasq on a loopback port, authoritative for .test: the sender domain's records, a day's
    TTL for them and for negative answers, queries logged."""

    def __init__(self, work, records):
        self.port = free_port()
        self.log = os.path.join(work, "dnsmasq.log")
        cmd = [tool("dnsmasq"), "--keep-in-foreground", f"--port={self.port}", "--listen-address=127.0.0.1",
               "--bind-interfaces", "--no-resolv", "--no-hosts", "--conf-file=/dev/null", "--pid-file=",
               f"--user={getpass.getuser()}", "--local-ttl=86400", "--log-queries",
               # Authoritative for .test: a name that does not exist gets NXDOMAIN with the SOA
               # (minimum a day), which a resolver may cache (RFC 2308 5); --local gives none.
               "--auth-server=ns.test,127.0.0.1", "--auth-zone=test", "--auth-ttl=86400",
               f"--log-facility={self.log}"]
        cmd += [f"--txt-record={name},{','.join(strings)}" for name, strings in records]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.time() + 10
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"bench: dnsmasq ended at start: {self.proc.stderr.read().decode().strip()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.05)
        raise SystemExit(f"bench: dnsmasq does not listen on 127.0.0.1:{self.port}")

    def queries(self):
        """The queries dnsmasq has logged so far, as "TYPE name"."""
        try:
            with open(self.log) as f:
                return [m.group(1) + " " + m.group(2) for m in (re.search(r" query\[(\w+)\] (\S+)", line) for line in f)
                        if m]
        except FileNotFoundError:
            return []

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)


class Mailflow:
    def __init__(self, work, root, mode, dns_port, jfr=None):
        self.mode = mode
        self.jfr = jfr
        self.name = f"authentication={mode}"
        self.base = os.path.join(work, f"mailflow-{mode}")
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
max_connections_per_network = 1000
authentication = "{mode}"

[[accepted_domain]]
name = "bench.test"

[[mailbox]]
address = "{RECIPIENT}"

[delivery]
dns_server = "127.0.0.1:{dns_port}"

[web]
enabled = false
""")
        self.maildir = os.path.join(self.base, "data", "mailboxes", "bench.test", "bench", "new")

    def start(self):
        self.log = open(os.path.join(self.base, "serve.log"), "w")
        env = dict(os.environ)
        if self.jfr:
            # The launcher's defaults, plus a flight recording (Java stacks sampled every 2 ms) written at exit.
            env["MAILFLOW_JAVA_OPTS"] = ("-XX:+UseSerialGC -Xms48m -Xmn24m -XX:MaxRAMPercentage=25 "
                                         f"-XX:StartFlightRecording=filename={self.jfr}/{self.mode}.jfr,"
                                         "settings=profile,jdk.ExecutionSample#period=2ms,dumponexit=true")
        self.proc = subprocess.Popen([os.path.join(self.root, "mailflow"), "serve", "--config", self.config],
                                     stdout=self.log, stderr=subprocess.STDOUT, env=env)
        wait_port(self.port)
        self.pid = self.proc.pid

    def stop(self):
        if not hasattr(self, "proc"):
            return
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=60)
        self.log.close()


def keygen(root, work, algorithm, selector):
    """A key from `mailflow dkim keygen`: (PEM file, the TXT record's strings)."""
    pem = os.path.join(work, f"{selector}.pem")
    args = [os.path.join(root, "mailflow"), "dkim", "keygen", "--domain", DOMAIN, "--selector", selector,
            "--algorithm", algorithm, "--out", pem]
    r = subprocess.run(args, capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit(f"bench: mailflow dkim keygen failed: {r.stderr.strip()}")
    record = re.search(r'IN TXT \((.*?)\)', r.stdout, re.S)
    if not record:
        raise SystemExit(f"bench: no TXT record in the output of mailflow dkim keygen:\n{r.stdout}")
    value = "".join(re.findall(r'"([^"]*)"', record.group(1)))
    return pem, [value[i:i + 255] for i in range(0, len(value), 255)]


def ed25519_seed(pem, work):
    """dkimpy takes an Ed25519 key as the base64 of its 32-byte seed, the end of the PKCS#8 DER."""
    with open(pem) as f:
        der = base64.b64decode("".join(line for line in f.read().splitlines() if not line.startswith("-----")))
    path = pem + ".seed"
    with open(path, "w") as f:
        f.write(base64.b64encode(der[-32:]).decode())
    os.chmod(path, 0o600)
    return path


def base_message(size):
    """A message like smtp-source's: From, To, Date, Message-ID and `size` octets of text."""
    date = datetime.datetime.now(datetime.timezone.utc).strftime("%a, %d %b %Y %H:%M:%S +0000")
    head = (f"From: <{SENDER}>\r\nTo: <{RECIPIENT}>\r\nSubject: authentication overhead\r\nDate: {date}\r\n"
            f"Message-ID: <bench.{os.getpid()}@{DOMAIN}>\r\n\r\n")
    lines, left, n = [], size, 0
    while left > 0:
        n += 1
        line = (str(n) + "X" * 78)[:min(78, max(1, left - 2))]
        lines.append(line)
        left -= len(line) + 2
    return (head + "\r\n".join(lines) + "\r\n").encode("ascii")


def dkimsign(message, selector, key, algorithm):
    r = subprocess.run([tool("dkimsign"), "--hcanon", "relaxed", "--bcanon", "relaxed", "--signalg", algorithm,
                        selector, DOMAIN, key], input=message, capture_output=True)
    if r.returncode != 0 or not r.stdout.startswith(b"DKIM-Signature:"):
        raise SystemExit(f"bench: dkimsign ({algorithm}) failed: {r.stderr.decode().strip()}")
    return r.stdout


def data_block(message):
    """The DATA content on the wire: CRLF line ends, dot-stuffed, ending with CRLF.CRLF."""
    lines = message.replace(b"\r\n", b"\n").rstrip(b"\n").split(b"\n")
    return b"".join((b"." + l if l.startswith(b".") else l) + b"\r\n" for l in lines) + b".\r\n"


class Injector:
    """One message per connection, commands one at a time (as smtp-source does), `sessions`
    connections at once, the same DATA content every time."""

    def __init__(self, port, data, sessions, messages):
        self.port, self.data, self.sessions, self.messages = port, data, sessions, messages
        self.next, self.lock, self.errors = 0, threading.Lock(), []
        self.commands = (b"EHLO client.bench.example\r\n", f"MAIL FROM:<{SENDER}>\r\n".encode(),
                         f"RCPT TO:<{RECIPIENT}>\r\n".encode(), b"DATA\r\n")

    @staticmethod
    def reply(f):
        while True:
            line = f.readline()
            if len(line) < 4:
                raise OSError(f"connection closed or short reply {line!r}")
            if line[3:4] != b"-":
                return line

    def expect(self, f, code, what):
        line = self.reply(f)
        if not line.startswith(code):
            raise OSError(f"{what}: {line.decode(errors='replace').strip()}")

    def one(self):
        with socket.create_connection(("127.0.0.1", self.port), timeout=60) as s:
            f = s.makefile("rb")
            self.expect(f, b"220", "greeting")
            for command, code in zip(self.commands, (b"250", b"250", b"250", b"354")):
                s.sendall(command)
                self.expect(f, code, command.split()[0].decode())
            s.sendall(self.data)
            self.expect(f, b"250", "end of data")
            s.sendall(b"QUIT\r\n")
            self.reply(f)

    def worker(self):
        while True:
            with self.lock:
                if self.next >= self.messages or self.errors:
                    return
                self.next += 1
            try:
                self.one()
            except OSError as e:
                with self.lock:
                    self.errors.append(str(e))

    def run(self):
        threads = [threading.Thread(target=self.worker, daemon=True) for _ in range(self.sessions)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if self.errors:
            raise SystemExit(f"bench: the injector failed: {self.errors[0]}")


def run_load(server, load, sessions, messages):
    """One load against one server: time per message accepted and delivered, CPU, peak memory."""
    clear(server.maildir)
    sampler = MemorySampler(server.pid)
    sampler.start()
    cpu0 = cpu_seconds(server.pid)
    threads0 = thread_cpu(server.pid)
    start = time.monotonic()
    if load["data"] is None:
        r = subprocess.run([tool("smtp-source"), "-s", str(sessions), "-m", str(messages), "-l", str(load["size"]),
                            "-f", SENDER, "-t", RECIPIENT, f"127.0.0.1:{server.port}"], capture_output=True, text=True)
        if r.returncode != 0:
            sampler.stop()
            raise SystemExit(f"bench: smtp-source against {server.name} failed: {r.stderr.strip()}")
    else:
        Injector(server.port, load["data"], sessions, messages).run()
    accepted = time.monotonic() - start
    deadline = start + 300
    while count(server.maildir) < messages and time.monotonic() < deadline:
        time.sleep(0.005)
    delivered = time.monotonic() - start
    cpu = cpu_seconds(server.pid) - cpu0
    by_kind = cpu_by_kind(threads0, thread_cpu(server.pid), round(cpu * TICKS))
    peak = sampler.stop()
    got = count(server.maildir)
    if got != messages:
        raise SystemExit(f"bench: {server.name} delivered {got} of {messages} within 300 s")
    return {"accepted_ms": accepted * 1000 / messages, "delivered_ms": delivered * 1000 / messages,
            "cpu_ms": cpu * 1000 / messages, "peak_kib": peak,
            "cpu_by_kind": {k: v * 1000 / TICKS / messages for k, v in by_kind.items()}}


def results_header(server):
    """The Authentication-Results field of one delivered message (unfolded), or None."""
    names = sorted(os.listdir(server.maildir))
    if not names:
        raise SystemExit(f"bench: nothing delivered by {server.name}")
    with open(os.path.join(server.maildir, names[-1]), "rb") as f:
        head = f.read().replace(b"\r\n", b"\n").split(b"\n\n", 1)[0].decode("ascii", "replace")
    m = re.search(r"^Authentication-Results:(.*(?:\n[ \t].*)*)", head, re.M)
    return None if m is None else " ".join(m.group(1).split())


def check_results(server, load):
    """Makes sure that the checks ran (or did not, when off) and passed: else the figures mean nothing."""
    ar = results_header(server)
    if server.mode == "off":
        if ar is not None:
            raise SystemExit(f"bench: {server.name} added Authentication-Results: {ar}")
        return None
    expected = ["spf=pass", "dmarc=pass"] + ([f"dkim=pass", f"header.a={load['algorithm']}"] if load["algorithm"] else [])
    if ar is None or any(e not in ar for e in expected):
        raise SystemExit(f"bench: {server.name}, load {load['name']}: expected {' '.join(expected)} in "
                         f"Authentication-Results, got: {ar}")
    return ar


def write_section(out, text):
    """Puts the section into the file: in place of the old one (keeping its findings), or at the end."""
    old = ""
    if os.path.exists(out):
        with open(out) as f:
            old = f.read()
    findings = ""
    if f"\n{SECTION}\n" in old:
        start = old.index(f"\n{SECTION}\n") + 1
        nxt = old.find("\n## ", start + len(SECTION))
        end = len(old) if nxt < 0 else nxt + 1
        section = old[start:end]
        if f"\n{FINDINGS}\n" in section:
            findings = section[section.index(f"\n{FINDINGS}\n") + 1:].rstrip("\n") + "\n"
        new = old[:start] + text + ("\n" + findings if findings else "") + ("\n" + old[end:] if end < len(old) else "")
    else:
        new = old.rstrip("\n") + "\n\n" + text if old else "# Performance\n\n" + text
    with open(out, "w") as f:
        f.write(new)


def main():
    ap = argparse.ArgumentParser(prog="bench/auth-overhead.sh", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--root", required=True, help=argparse.SUPPRESS)  # given by bench/auth-overhead.sh
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--messages", type=int, default=2000)
    ap.add_argument("--sessions", type=int, default=10)
    ap.add_argument("--size", type=int, default=1024)
    ap.add_argument("--modes", default="off,record")
    ap.add_argument("--warmup", type=int, default=20000,
                    help="messages of each load sent to each server before the measured runs (JIT and DNS cache warm: HotSpot compiles a method run once per message with C2 after some 10,000 calls, and the checks are not in the AOT cache's training)")
    ap.add_argument("--out", default=None)
    ap.add_argument("--loads", default=None, help="only the loads whose names contain one of these (comma-separated)")
    ap.add_argument("--jfr", default=None, help="a directory: each server writes a flight recording MODE.jfr there")
    ap.add_argument("--no-write", action="store_true", help="print the section, leave docs/performance.md alone")
    args = ap.parse_args()
    modes = args.modes.split(",")
    if modes[0] != "off" or len(modes) < 2 or any(m not in ("off", "record", "quarantine", "enforce") for m in modes):
        raise SystemExit("bench: --modes is off followed by one or more of record, quarantine, enforce")
    out = args.out or os.path.join(args.root, "docs", "performance.md")

    work = tempfile.mkdtemp(prefix="mailflow-auth-bench-")
    servers, dns = [], None
    try:
        rsa_pem, rsa_txt = keygen(args.root, work, "rsa", "rsa2048")
        ed_pem, ed_txt = keygen(args.root, work, "ed25519", "ed25519")
        plain = base_message(args.size)
        loads = [
            {"name": "smtp-source", "data": None, "size": args.size, "algorithm": None,
             "checks": "SPF, DMARC"},
            {"name": "injector, unsigned", "data": data_block(plain), "algorithm": None,
             "checks": "SPF, DMARC"},
            {"name": "injector, DKIM rsa-sha256 (2048)", "algorithm": "rsa-sha256",
             "data": data_block(dkimsign(plain, "rsa2048", rsa_pem, "rsa-sha256")),
             "checks": "SPF, DKIM, DMARC"},
            {"name": "injector, DKIM ed25519-sha256", "algorithm": "ed25519-sha256",
             "data": data_block(dkimsign(plain, "ed25519", ed25519_seed(ed_pem, work), "ed25519-sha256")),
             "checks": "SPF, DKIM, DMARC"},
        ]
        if args.loads:
            loads = [l for l in loads if any(w in l["name"] for w in args.loads.split(","))]
        if args.jfr:
            os.makedirs(args.jfr, exist_ok=True)
            args.jfr = os.path.abspath(args.jfr)
        dns = Dns(work, [(DOMAIN, ["v=spf1 ip4:127.0.0.0/8 -all"]), (f"_dmarc.{DOMAIN}", ["v=DMARC1; p=reject"]),
                         (f"rsa2048._domainkey.{DOMAIN}", rsa_txt), (f"ed25519._domainkey.{DOMAIN}", ed_txt)])
        servers = [Mailflow(work, args.root, m, dns.port, args.jfr) for m in modes]
        for s in servers:
            s.start()
        # Warm-up: the JIT has compiled the hot paths and the DNS cache holds every record. HotSpot
        # compiles a method that runs once per message with C2 only after some 10,000 calls, and a
        # record server has more such methods than an off one: with 1,000 messages of each load
        # its compiler threads were still busy in the measured runs, which counted their CPU time
        # as the checks' (bench/jfr_breakdown.py --threads shows it).
        samples = {}
        for s in servers:
            for load in loads:
                run_load(s, load, args.sessions, args.warmup)
                ar = check_results(s, load)
                if ar:
                    samples.setdefault(load["name"], ar)
        time.sleep(0.5)
        queries_after_warmup = len(dns.queries())
        results = {(s.mode, l["name"]): [] for s in servers for l in loads}
        load_before = os.getloadavg()[0]
        for rep in range(args.reps):
            order = servers[rep % len(servers):] + servers[:rep % len(servers)]
            for load in loads:
                for s in order:
                    r = run_load(s, load, args.sessions, args.messages)
                    results[(s.mode, load["name"])].append(r)
                    print(f"rep {rep + 1} {s.name:23} {load['name']:33} {r['accepted_ms']:6.3f} ms/msg accepted, "
                          f"{r['delivered_ms']:6.3f} delivered, {r['cpu_ms']:6.3f} CPU "
                          f"({', '.join(f'{k.split()[0]} {v:.3f}' for k, v in r['cpu_by_kind'].items())}), "
                          f"peak {r['peak_kib'] / 1024:5.0f} MiB", flush=True)
        time.sleep(0.5)
        late = dns.queries()[queries_after_warmup:]
        measured_queries = len(late)
        uncached = ", ".join(f"{q} ({n})" for q, n in collections.Counter(late).most_common(5))
        load_after = os.getloadavg()[0]
        version = subprocess.run([os.path.join(args.root, "mailflow"), "--version"], capture_output=True,
                                 text=True).stdout.strip()
    finally:
        for s in servers:
            try:
                s.stop()
            except Exception as e:  # keep stopping the others
                print(f"bench: stopping {s.name}: {e}", file=sys.stderr)
        if dns:
            dns.stop()
        shutil.rmtree(work, ignore_errors=True)

    def med(mode, load, key):
        return statistics.median(r[key] for r in results[(mode, load)])

    def spread(mode, load, key):
        values = [r[key] for r in results[(mode, load)]]
        return f"{min(values):.3f}–{max(values):.3f}"

    rows, worst = [], []
    for load in loads:
        name = load["name"]
        base = {k: med("off", name, k) for k in ("accepted_ms", "delivered_ms", "cpu_ms")}
        for mode in modes:
            cells = []
            for k in ("accepted_ms", "delivered_ms", "cpu_ms"):
                v = med(mode, name, k)
                delta = "" if mode == "off" else f" ({(v / base[k] - 1) * 100:+.1f} %)"
                cells.append(f"{v:.3f}{delta}")
                if mode != "off" and k != "cpu_ms":
                    worst.append(((v / base[k] - 1) * 100, f"{name}, {mode}, {k.split('_')[0]}"))
            rows.append(f"| {name} | {load['checks'] if mode != 'off' else '—'} | {mode} | {cells[0]} | "
                        f"{spread(mode, name, 'accepted_ms')} | {cells[1]} | {cells[2]} | "
                        f"{med(mode, name, 'peak_kib') / 1024:.0f} |")
    # The injector's speed against smtp-source's, when both loads ran (--loads may leave one out).
    calibration = (med("off", "injector, unsigned", "accepted_ms") / med("off", "smtp-source", "accepted_ms")
                   if ("off", "injector, unsigned") in results and ("off", "smtp-source") in results else None)
    top = max(worst)
    command = "bench/auth-overhead.sh " + " ".join(a for a in sys.argv[1:] if not a.startswith("--root")
                                                        and a != args.root and a != "--no-write")
    kinds = [k for k, _ in THREAD_KINDS] + [OTHER_THREADS, "threads that ended"]
    thread_rows = []
    for load in loads:
        for mode in modes:
            cells = [statistics.median(r["cpu_by_kind"][k] for r in results[(mode, load["name"])]) for k in kinds]
            thread_rows.append(f"| {load['name']} | {mode} | " + " | ".join(f"{c:.3f}" for c in cells) + " |")
    sample_lines = "\n".join(f"- {name}: `Authentication-Results:{ar}`" for name, ar in samples.items())
    text = f"""{SECTION}

Mailflow with `authentication = "off"` against {', '.join(f'`"{m}"`' for m in modes[1:])} on the same
machine in the same run, by `bench/auth-overhead.sh`.

- Date: {datetime.date.today().isoformat()}
- Machine: {machine()}
- Version: {version}
- Command (from the project directory): `{command.strip()}`
- Load average (1 min) of the machine: {load_before:.1f} before the measured runs, {load_after:.1f} after

How it is measured: one Mailflow server per mode, all running at once, each on its own
loopback port, spool and Maildir; the clients are strangers (no `relay_from`), so every
message is checked. DNS is a private dnsmasq on a loopback port with `{DOMAIN}`'s SPF
(`v=spf1 ip4:127.0.0.0/8 -all`), DMARC (`v=DMARC1; p=reject`) and two DKIM keys made by
`mailflow dkim keygen`, all with a TTL of a day, negative answers too (dnsmasq
authoritative for `.test`, `--auth-ttl=86400`, so NXDOMAIN comes with a SOA, as RFC 2308
caching needs, for names such as `_dmarc.test` of the DMARC tree walk); after the warm-up
({args.warmup:,} messages of each load on each server) the measured runs sent
**{measured_queries} queries** to dnsmasq: {"every answer came from Mailflow's cache" if not late
else "not every answer came from Mailflow's cache (" + uncached + ")"}. Each
load sends {args.messages} messages of about {args.size // 1024} KiB to `{RECIPIENT}`, one per connection,
{args.sessions} connections at once; {args.reps} repetitions, the modes taking turns to go first; the
table shows medians.

- smtp-source: Postfix's load generator, unsigned messages from `{SENDER}`.
- injector: the script's own client (one message per connection, one command at a time, as
  smtp-source), sending one message signed once by dkimsign (dkimpy, relaxed/relaxed) again
  and again. {"Its speed against smtp-source's was not measured (--loads left one of them out)."
  if calibration is None else f"In off mode it needs {calibration:.2f} times smtp-source's time per message for"
  + " an unsigned message of the same size, " + ("so it is not what limits the rate" if calibration <= 1.1
  else "so it may be what limits the rate: give it more --sessions") + "."}
- accepted: wall-clock time per message until the client had its last 250; delivered:
  until the last message was in the Maildir; CPU: user + system CPU time of the server's
  JVM per message (the most stable of the three on a shared machine); memory: peak PSS.
- In parentheses: the difference to off mode, the overhead of the checks.

| load | checks | mode | accepted (ms/msg) | accepted, range of runs | delivered (ms/msg) | server CPU (ms/msg) | peak MiB |
| --- | --- | --- | --- | --- | --- | --- | --- |
""" + "\n".join(rows) + f"""

Largest overhead in wall-clock time per message: {top[0]:+.1f} % ({top[1]}).

The server's CPU per message by thread (ms/msg, medians; from /proc/PID/task: the JIT's
compiler threads, the VM thread that also runs the serial collector, the carrier threads that
run every virtual thread (the SMTP sessions and the checks), the other platform threads
(delivery, logs), and threads that ended during the run):

| load | mode | """ + " | ".join(kinds) + """ |
| --- | --- | """ + " | ".join("---" for _ in kinds) + """ |
""" + "\n".join(thread_rows) + f"""

Authentication-Results of one message of each load (record mode):

{sample_lines}
"""
    print()
    print(text)
    if not args.no_write:
        write_section(out, text)
        print(f"bench: wrote the section to {out}")


if __name__ == "__main__":
    main()
