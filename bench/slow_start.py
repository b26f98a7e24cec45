#!/usr/bin/env python3
"""The slow start, side by side with Postfix.

Each variant starts a fresh Postfix and a fresh Mailflow (new spools, new processes) and sends
both the same local load (smtp-source, 10 sessions, 1 KiB, accepted and delivered to a Maildir)
in blocks, the two servers taking turns block by block: first N messages (the rate right after
a start), then three steady blocks. Mailflow is started by its launcher, with the launcher's
defaults, in three variants: without the AOT cache (MAILFLOW_AOT_CACHE=off); its first start
after a build, which records the run and writes the AOT cache at exit (JDK 25, JEP 483/514/515:
classes loaded and linked, and method profiles); and the start after it, from that cache.
Writes "## The slow start" of docs/performance.md.
"""
import argparse
import datetime
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from compare_postfix import Mailflow, Postfix, free_port, machine, run_load, tool, wait_port, write_section  # noqa: E402

def start_mailflow(work, root, sink_port, aot_cache):
    """Mailflow with the launcher's defaults; aot_cache is MAILFLOW_AOT_CACHE (a file or "off")."""
    saved = os.environ.pop("MAILFLOW_JAVA_OPTS", None)
    os.environ["MAILFLOW_AOT_CACHE"] = aot_cache
    try:
        mf = Mailflow(work, root, sink_port)
        t = time.monotonic()
        mf.start()
        return mf, time.monotonic() - t
    finally:
        del os.environ["MAILFLOW_AOT_CACHE"]
        if saved is not None:
            os.environ["MAILFLOW_JAVA_OPTS"] = saved


def blocks(servers, first, block, steady):
    """Per server: the rates of the first blocks and of the steady ones (messages per second, delivered)."""
    rates = {s.name: {"first": [], "steady": []} for s in servers}
    for phase, n, count in (("first", block, first // block), ("steady", steady, 3)):
        for i in range(count):
            order = servers if i % 2 == 0 else list(reversed(servers))
            for s in order:
                r = run_load(s, 10, 1024, n)
                rates[s.name][phase].append(r["deliver_rate"])
                print(f"{phase} {i + 1:2} {s.name:8} {r['deliver_rate']:7.0f} msg/s", flush=True)
    return rates


def overall(rates, n_each):
    """Messages per second over the whole phase (total messages over total time)."""
    return len(rates) * n_each / sum(n_each / r for r in rates)


def main():
    ap = argparse.ArgumentParser(prog="bench/slow-start.sh", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--root", required=True, help=argparse.SUPPRESS)  # given by bench/slow-start.sh
    ap.add_argument("--first", type=int, default=10000)
    ap.add_argument("--block", type=int, default=1000)
    ap.add_argument("--steady", type=int, default=3000)
    ap.add_argument("--out", default=None)
    args = ap.parse_args()
    out = args.out or os.path.join(args.root, "docs", "performance.md")
    work = tempfile.mkdtemp(prefix="mailflow-start-")
    os.chmod(work, 0o755)
    sink_port = free_port()
    sink = subprocess.Popen([tool("smtp-sink"), "-u", "postfix", f"127.0.0.1:{sink_port}", "1024"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_port(sink_port)
    aot = os.path.join(work, "mailflow.aot")
    results = []
    try:
        # The launcher trains when its cache is missing (the first start after a build) and
        # writes it when the JVM exits; the next start maps it.
        variants = [("without the AOT cache", "off"), ("first start: records, writes the cache at exit", aot),
                    ("second start: from the cache", aot)]
        aot_mib, stop_seconds = 0, 0
        for n, (label, cache) in enumerate(variants):
            where = os.path.join(work, f"variant-{n}")
            os.makedirs(where)
            postfix = Postfix(where, sink_port)
            postfix.start()
            mf, started = start_mailflow(where, args.root, sink_port, cache)
            try:
                rates = blocks([postfix, mf], args.first, args.block, args.steady)
            finally:
                t = time.monotonic()
                mf.stop()
                if n == 1:
                    stop_seconds = time.monotonic() - t
                postfix.stop()
            results.append((label, started, rates))
            if n == 1:
                if not os.path.exists(aot):
                    raise SystemExit(f"bench: the first start wrote no AOT cache ({aot}); see {mf.base}/serve.log")
                aot_mib = os.path.getsize(aot) / (1 << 20)
        version = mf.version()
    finally:
        sink.terminate()
        shutil.rmtree(work, ignore_errors=True)

    table, detail = [], []
    for label, started, r in results:
        pf, m = r["Postfix"], r["Mailflow"]
        f_pf, f_mf = overall(pf["first"], args.block), overall(m["first"], args.block)
        s_pf, s_mf = overall(pf["steady"], args.steady), overall(m["steady"], args.steady)
        table.append(f"| {label} | {started:.1f} s | {m['first'][0]:.0f} | {f_mf:.0f} | {f_pf:.0f} | **{f_mf / f_pf:.2f}** "
                     f"| {s_mf:.0f} | {s_pf:.0f} | **{s_mf / s_pf:.2f}** | {f_mf / s_mf:.2f} |")
        detail.append(f"- {label}: Mailflow " + ", ".join(f"{x:.0f}" for x in m["first"])
                      + "; Postfix " + ", ".join(f"{x:.0f}" for x in pf["first"]))
    table, detail = "\n".join(table), "\n".join(detail)
    command = "bench/slow-start.sh " + " ".join(a for a in sys.argv[1:] if a != args.root and not a.startswith("--root"))
    section = f"""
## The slow start

A fresh Postfix and a fresh Mailflow (new spools, new processes) side by side, taking turns;
smtp-source sends local mail (10 sessions, 1 KiB, accepted and delivered to a Maildir): first
{args.first:,} messages in blocks of {args.block:,} right after the start, then three steady
blocks of {args.steady:,}. Rates are messages per second until the last one was in the Maildir,
over the whole phase. Mailflow runs with its launcher's defaults: without the AOT cache
(`MAILFLOW_AOT_CACHE=off`); on the first start after a build, when the launcher records the run
(`-XX:AOTCacheOutput`) and the JVM writes the cache as it exits ({aot_mib:.0f} MiB; that stop took
{stop_seconds:.1f} s); and on the next start, from that cache (`-XX:AOTCache`; JDK 25: classes
loaded and linked ahead of time, and method profiles).

- Date: {datetime.date.today().isoformat()}; {machine()}; {version}
- Command (as root): `{command.strip()}`

| Mailflow started | port open after | first block (msg/s) | first {args.first:,}: Mailflow | Postfix | ratio | steady: Mailflow | Postfix | ratio | first / steady |
| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |
{table}

The first blocks, one by one (messages per second):

{detail}
"""
    write_section(out, "The slow start", section)


if __name__ == "__main__":
    main()
