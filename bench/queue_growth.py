#!/usr/bin/env python3
"""How Mailflow's costs grow with a large deferred queue.

One Mailflow on 127.0.0.1 accepts mail for bench.test (delivered to a Maildir) and relays
far.test to a smart host that refuses connections, so that every message to far.test waits
as deferred (one attempt, then a retry an hour later). Measured with an empty queue and with
N deferred messages: the accept-and-deliver rate of a local load (smtp-source), the heap
after a full collection and the PSS, one `mailflow queue list` page, and a restart (until
the port answers, and until the queue is back in memory). Writes the "## Queue growth"
section of docs/performance.md.
"""
import argparse
import datetime
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from compare_postfix import (Mailflow, free_port, machine, process_tree, pss_kib, run_load, tool,  # noqa: E402
                             write_section)


def java_pid(pid):
    for p in process_tree(pid):
        try:
            with open(f"/proc/{p}/comm") as f:
                if f.read().strip() == "java":
                    return p
        except OSError:
            pass
    return pid


def jcmd():
    here = os.environ.get("JAVA_HOME") or "/usr/lib/jvm/temurin-25-jdk-amd64"
    return os.path.join(here, "bin", "jcmd")


def heap_after_gc_kib(pid):
    """Used heap after a full collection (jcmd GC.run, then GC.heap_info)."""
    subprocess.run([jcmd(), str(pid), "GC.run"], capture_output=True, timeout=60)
    out = subprocess.run([jcmd(), str(pid), "GC.heap_info"], capture_output=True, text=True, timeout=60).stdout
    for line in out.splitlines():
        line = line.strip()
        if " used " in line and ("heap" in line.split()[0].lower() or line.startswith("garbage-first")):
            parts = line.replace(",", "").split()
            i = parts.index("used")
            return int(parts[i + 1].rstrip("K"))
    # Serial/Parallel: sum the generations' "used".
    total = 0
    for line in out.splitlines():
        parts = line.replace(",", "").split()
        if "used" in parts:
            i = parts.index("used")
            v = parts[i + 1]
            if v.endswith("K"):
                total += int(v[:-1])
    return total


def listing(mf):
    r = subprocess.run([os.path.join(mf.root, "mailflow"), "queue", "list", "--json", "--limit", "1",
                        "--config", mf.config], capture_output=True, text=True, timeout=120)
    return json.loads(r.stdout)["listing"]


def deferred(mf):
    return listing(mf)["counts"].get("DEFERRED", 0)


def fill(mf, n):
    """n messages to far.test, which cannot be reached: each ends deferred."""
    start = time.monotonic()
    r = subprocess.run([tool("smtp-source"), "-s", "20", "-m", str(n), "-l", "1024", "-f", "load@source.test",
                        "-t", "someone@far.test", f"127.0.0.1:{mf.port}"], capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit(f"bench: smtp-source failed: {r.stderr.strip()}")
    deadline = time.monotonic() + 1800
    while deferred(mf) < n:
        if time.monotonic() > deadline:
            raise SystemExit(f"bench: only {deferred(mf)} of {n} deferred after 30 minutes")
        time.sleep(2)
    return time.monotonic() - start


def timed_list(mf, reps=3):
    """Seconds for one `queue list` page of 1,000 (the command's whole run, JVM start included)."""
    times = []
    for _ in range(reps):
        start = time.monotonic()
        r = subprocess.run([os.path.join(mf.root, "mailflow"), "queue", "list", "--limit", "1000", "--state",
                            "deferred", "--config", mf.config], capture_output=True, text=True, timeout=300)
        times.append(time.monotonic() - start)
        if r.returncode != 0:
            raise SystemExit(f"bench: queue list failed: {r.stderr.strip()}")
    return min(times)


def timed_page(mf, reps=3):
    """Seconds for one page of 1,000 deferred messages asked of the running server's admin channel."""
    import socket as s_
    path = os.path.join(mf.base, "data", "admin", "queue.sock")
    times = []
    for _ in range(reps):
        start = time.monotonic()
        with s_.socket(s_.AF_UNIX, s_.SOCK_STREAM) as c:
            c.connect(path)
            c.sendall(b'{"op":"list","state":"deferred","limit":1000}\n')
            data = b""
            while not data.endswith(b"\n"):
                chunk = c.recv(1 << 16)
                if not chunk:
                    break
                data += chunk
        times.append(time.monotonic() - start)
        if not json.loads(data).get("ok"):
            raise SystemExit(f"bench: the admin channel said {data[:200]!r}")
    return min(times)


def main():
    ap = argparse.ArgumentParser(prog="bench/queue-growth.sh", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--root", required=True, help=argparse.SUPPRESS)  # given by bench/queue-growth.sh
    ap.add_argument("--deferred", type=int, default=100_000)
    ap.add_argument("--messages", type=int, default=3000)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--warmup", type=int, default=10000)
    ap.add_argument("--out", default=None)
    args = ap.parse_args()
    out = args.out or os.path.join(args.root, "docs", "performance.md")
    work = tempfile.mkdtemp(prefix="mailflow-growth-")
    os.chmod(work, 0o755)
    closed = free_port()  # nothing listens there: far.test's mail is deferred

    def server(where):
        os.makedirs(where)
        m = Mailflow(where, args.root, closed)
        text = open(m.config).read().replace('domains = ["sink.test"]', 'domains = ["far.test"]')
        text = text.replace("[delivery]\n", "[queue]\nretry_intervals = [\"1h\"]\n\n[delivery]\n")
        with open(m.config, "w") as f:
            f.write(text)
        return m

    # mf gets the deferred queue; twin, the same server with an empty queue, runs beside it and
    # takes turns with it, so that both have had the same local load when their rates are compared.
    mf, twin = server(os.path.join(work, "full")), server(os.path.join(work, "empty"))
    rates = {"empty": [], "full": []}
    try:
        mf.start()
        twin.start()
        for m in (mf, twin):
            run_load(m, 10, 1024, args.warmup)  # the JIT has compiled the hot path (see "The slow start")
        pid = java_pid(mf.pid)
        heap_empty, pss_empty = heap_after_gc_kib(pid), pss_kib(process_tree(mf.pid))
        list_empty, page_empty = timed_list(mf), timed_page(mf)
        fill_s = fill(mf, args.deferred)
        print(f"bench: {args.deferred} deferred in {fill_s:.0f} s", flush=True)
        run_load(twin, 10, 1024, args.warmup)  # as many local messages since the start as mf
        for _ in range(args.reps):
            rates["full"].append(run_load(mf, 10, 1024, args.messages)["accept_rate"])
            rates["empty"].append(run_load(twin, 10, 1024, args.messages)["accept_rate"])
        twin.stop()
        heap_full, pss_full = heap_after_gc_kib(pid), pss_kib(process_tree(mf.pid))
        list_full, page_full = timed_list(mf), timed_page(mf)
        # Restart with the queue full and the page cache dropped (as after a reboot): until the
        # port answers, and until the server has read the whole queue (its log says so).
        mf.stop()
        subprocess.run(["sync"])
        cold = True
        try:
            with open("/proc/sys/vm/drop_caches", "w") as f:
                f.write("3\n")
        except OSError:
            cold = False
        start = time.monotonic()
        mf.start()
        listening = time.monotonic() - start
        recovered = None
        deadline = time.monotonic() + 300
        log = os.path.join(mf.base, "serve.log")
        while time.monotonic() < deadline:
            with open(log, errors="replace") as f:
                if "recovered in" in f.read():
                    recovered = time.monotonic() - start
                    break
            time.sleep(0.05)
        counted = deferred(mf)
        version = mf.version()
    finally:
        for m in (mf, twin):
            try:
                m.stop()
            except Exception as e:  # noqa: BLE001
                print(f"bench: stopping Mailflow: {e}", file=sys.stderr)
        shutil.rmtree(work, ignore_errors=True)

    med = lambda v: sorted(v)[len(v) // 2]  # noqa: E731
    e, f_ = med(rates["empty"]), med(rates["full"])
    n = args.deferred
    per_msg_heap = (heap_full - heap_empty) * 1024 / n
    per_msg_pss = (pss_full - pss_empty) * 1024 / n
    command = "bench/queue-growth.sh " + " ".join(a for a in sys.argv[1:] if a != args.root and not a.startswith("--root"))
    section = f"""
## Queue growth

One Mailflow with {n:,} deferred messages (1 KiB each, to a domain whose smart host refuses
connections, retried an hour later) beside the same server with an empty queue, both running
at once and taking turns; each rate is smtp-source sending {args.messages} local messages over 10
sessions, accepted and delivered to a Maildir, median of {args.reps}, after {args.warmup:,} local
messages of warm-up on each server.

- Date: {datetime.date.today().isoformat()}; {machine()}; {version}
- Command (as root): `{command.strip()}`

| | empty queue | {n:,} deferred | growth |
| --- | --- | --- | --- |
| accepted/s (local load) | {e:.0f} | {f_:.0f} | {100 * (f_ - e) / e:+.1f} % |
| heap after a full GC | {heap_empty / 1024:.0f} MiB | {heap_full / 1024:.0f} MiB | {per_msg_heap:.0f} bytes per message |
| PSS | {pss_empty / 1024:.0f} MiB | {pss_full / 1024:.0f} MiB | {per_msg_pss:.0f} bytes per message |
| a page of 1,000 from the running server (admin channel) | {page_empty * 1000:.0f} ms | {page_full * 1000:.0f} ms | |
| `queue list --limit 1000` (the command's whole run, its JVM start included) | {list_empty:.2f} s | {list_full:.2f} s | |

Restart with the {n:,} messages queued{" and the page cache dropped" if cold else ""} (the listeners
open once the queue is listed; the messages are read after, a deferred one from its status file):
the SMTP port answers {listening:.1f} s after the start, and the server has read all of them
{recovered if recovered is not None else float('nan'):.1f} s after it ({counted:,} deferred counted by `queue list` then).
"""
    write_section(out, "Queue growth", section)


if __name__ == "__main__":
    main()
