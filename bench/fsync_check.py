#!/usr/bin/env python3
"""Every 250 after its fsync: the benchmark's servers traced with strace.

Mailflow (started by its launcher, as in bench/postfix-compare.sh) and Postfix each receive N
messages from smtp-source (10 sessions, 1 KiB) under `strace -f -ttt -T -y`, which records
every rename, fsync and socket write with its start, its end and the file or socket of each
descriptor. For every "250" that accepts a message the trace is checked:

- Mailflow: the reply names the message's InternalId; its queue file messages/<id>.msg was
  renamed into place, then fsynced, and an fsync of the messages/ directory that began after
  the rename ended, all before the reply was written.
- Postfix: the reply names its queue id; the queue file of that id was fsynced before the
  reply was written (Postfix fsyncs the file; it does not fsync the directory on Linux).

Writes "## Every 250 after its fsync" of docs/performance.md.
"""
import argparse
import datetime
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from compare_postfix import Mailflow, Postfix, count, free_port, machine, process_tree, tool, wait_port, write_section  # noqa: E402

TRACE = ["-f", "-ttt", "-T", "-y", "-s", "256",
         "-e", "trace=fsync,fdatasync,rename,renameat,renameat2,write,writev,sendto,sendmsg"]
LINE = re.compile(r"^(\d+)\s+(\d+\.\d+)\s+(.*)$")
RESUMED = re.compile(r"^<\.\.\. (\w+) resumed>(.*)$")
DURATION = re.compile(r"<(\d+\.\d+)>\s*$")
RESULT = re.compile(r"\)\s+=\s+(-?\d+)")


def calls(path):
    """(name, text, start, end) of every traced call that succeeded, in the order they ended."""
    pending = {}
    with open(path, errors="replace") as f:
        for raw in f:
            m = LINE.match(raw.rstrip("\n"))
            if not m:
                continue
            pid, t, body = m.group(1), float(m.group(2)), m.group(3)
            if body.endswith("<unfinished ...>"):
                pending[pid] = (t, body[: -len("<unfinished ...>")])
                continue
            r = RESUMED.match(body)
            if r:
                if pid not in pending:
                    continue
                start, head = pending.pop(pid)
                body, end = head + r.group(2), t
            else:
                d = DURATION.search(body)
                start, end = t, t + (float(d.group(1)) if d else 0.0)
            res = RESULT.search(body)
            if not res or int(res.group(1)) < 0:
                continue
            yield body.split("(", 1)[0], body, start, end


def check_mailflow(trace):
    renamed, file_synced, replies, dir_syncs = {}, {}, {}, []
    for name, text, start, end in calls(trace):
        if name.startswith("rename"):
            m = re.search(r'"[^"]*/queue/messages/(\d+)\.msg"', text)
            if m:
                renamed.setdefault(m.group(1), end)
        elif name in ("fsync", "fdatasync"):
            m = re.search(r"</[^>]*/queue/messages/(\d+)\.msg>", text)
            if m:
                file_synced.setdefault(m.group(1), end)
            elif re.search(r"</[^>]*/queue/messages>", text):
                dir_syncs.append((start, end))
        elif re.match(r"\w+\(\d+<(socket|TCP)", text) and "250 2.6.0" in text:
            for qid in re.findall(r"InternalId=(\d+)", text):
                replies.setdefault(qid, start)
    ok = {"file": 0, "dir": 0}
    for qid, at in replies.items():
        r = renamed.get(qid)
        if r is not None and r <= at and file_synced.get(qid, at + 1) <= at:
            ok["file"] += 1
            if any(s >= r and e <= at for s, e in dir_syncs):
                ok["dir"] += 1
    fsyncs = len(file_synced) + len(dir_syncs)
    return {"replies": len(replies), "file": ok["file"], "dir": ok["dir"], "fsyncs": fsyncs,
            "dir_fsyncs": len(dir_syncs)}


def check_postfix(trace):
    synced, replies, fsyncs = {}, {}, 0
    for name, text, start, end in calls(trace):
        if name in ("fsync", "fdatasync"):
            fsyncs += 1
            m = re.search(r"</[^>]*/queue/\w+/(?:[0-9A-F]/)*([0-9A-Za-z]+)>", text)
            if m:
                synced.setdefault(m.group(1), end)
        elif re.match(r"\w+\(\d+<(socket|TCP)", text) and "250 2.0.0 Ok: queued as" in text:
            for qid in re.findall(r"queued as ([0-9A-Za-z]+)", text):
                replies.setdefault(qid, start)
    ok = sum(1 for qid, at in replies.items() if synced.get(qid, at + 1) <= at)
    return {"replies": len(replies), "file": ok, "fsyncs": fsyncs}


def send(port, messages):
    r = subprocess.run([tool("smtp-source"), "-s", "10", "-m", str(messages), "-l", "1024", "-f", "load@source.test",
                        "-t", "bench@bench.test", f"127.0.0.1:{port}"], capture_output=True, text=True, timeout=600)
    if r.returncode != 0:
        raise SystemExit(f"bench: smtp-source failed: {r.stderr.strip()}")


def wait_delivered(server, messages):
    deadline = time.monotonic() + 300
    while count(server.maildir) < messages and time.monotonic() < deadline:
        time.sleep(0.05)
    return count(server.maildir)


def main():
    ap = argparse.ArgumentParser(prog="bench/fsync-check.sh", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--root", required=True, help=argparse.SUPPRESS)  # given by bench/fsync-check.sh
    ap.add_argument("--messages", type=int, default=500)
    ap.add_argument("--out", default=None)
    ap.add_argument("--traces", default=None, help="a directory to keep the two strace files in")
    args = ap.parse_args()
    out = args.out or os.path.join(args.root, "docs", "performance.md")
    strace = shutil.which("strace")
    work = tempfile.mkdtemp(prefix="mailflow-fsync-")
    os.chmod(work, 0o755)
    sink_port = free_port()
    mf = postfix = None
    try:
        # Mailflow under strace, started by its launcher (without the AOT cache's training run,
        # whose child JVM would only add to the trace).
        mf = Mailflow(work, args.root, sink_port)
        mf_trace = os.path.join(work, "mailflow.strace")
        env = dict(os.environ, MAILFLOW_AOT_CACHE="off")
        mf.log = open(os.path.join(mf.base, "serve.log"), "w")
        mf.proc = subprocess.Popen([strace, *TRACE, "-o", mf_trace, os.path.join(args.root, "mailflow"), "serve",
                                    "--config", mf.config], stdout=mf.log, stderr=subprocess.STDOUT, env=env)
        wait_port(mf.port, timeout=180)
        send(mf.port, args.messages)
        mf_delivered = wait_delivered(mf, args.messages)
        # SIGTERM to the traced JVM (strace's child), not to strace, which would only detach.
        for pid in process_tree(mf.proc.pid):
            if pid != mf.proc.pid:
                os.kill(pid, signal.SIGTERM)
        mf.proc.wait(timeout=120)
        mf.log.close()
        version = mf.version()

        # Postfix: strace attached to its master, so that every smtpd and cleanup it starts is traced.
        postfix = Postfix(work, sink_port)
        postfix.start()
        pf_trace = os.path.join(work, "postfix.strace")
        tracer = subprocess.Popen([strace, *TRACE, "-o", pf_trace, "-p", str(postfix.pid)],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(1.0)
        try:
            send(postfix.port, args.messages)
            pf_delivered = wait_delivered(postfix, args.messages)
        finally:
            tracer.send_signal(signal.SIGINT)
            tracer.wait(timeout=60)
            postfix.stop()
        pf_version = postfix.version()
        m, p = check_mailflow(mf_trace), check_postfix(pf_trace)
        if args.traces:
            os.makedirs(args.traces, exist_ok=True)
            shutil.copy(mf_trace, args.traces)
            shutil.copy(pf_trace, args.traces)
    finally:
        if mf is not None and getattr(mf, "proc", None) is not None and mf.proc.poll() is None:
            for pid in reversed(process_tree(mf.proc.pid)):
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
        if postfix is not None:
            postfix.stop()
        shutil.rmtree(work, ignore_errors=True)

    n = args.messages
    print(f"Mailflow: {m}; delivered {mf_delivered}", flush=True)
    print(f"Postfix: {p}; delivered {pf_delivered}", flush=True)
    failed = m["replies"] != n or m["file"] != n or m["dir"] != n
    shown, skip = [], False
    for a in sys.argv[1:]:
        if skip:
            skip = False
        elif a in ("--root", "--out", "--traces"):
            skip = True
        elif not a.startswith(("--root=", "--out=", "--traces=")):
            shown.append(a)
    command = "bench/fsync-check.sh " + " ".join(shown)
    section = f"""
## Every 250 after its fsync

Both servers receive {n:,} messages from smtp-source (10 sessions, 1 KiB) under
`strace -f -ttt -T -y`, which records every rename, fsync and socket write with its start, its
end and the file or socket of its descriptor; each 250 that accepted a message is matched to
its queue file by the id in the reply. Mailflow is started by its launcher as in the
benchmarks above (`MAILFLOW_AOT_CACHE=off`); Postfix is traced from its master, so every
smtpd and cleanup it starts is too.

- Date: {datetime.date.today().isoformat()}; {machine()}; {version}; {pf_version}
- Command (as root): `{command.strip()}`

| | 250 replies seen | queue file fsynced before its 250 | directory fsynced after the rename and before the 250 | fsyncs (of which directory) | per message | delivered |
| --- | --- | --- | --- | --- | --- | --- |
| Mailflow | {m['replies']:,} | {m['file']:,} | {m['dir']:,} | {m['fsyncs']:,} ({m['dir_fsyncs']:,}) | {m['fsyncs'] / n:.2f} | {mf_delivered:,} |
| Postfix | {p['replies']:,} | {p['file']:,} | not done on Linux | {p['fsyncs']:,} | {p['fsyncs'] / n:.2f} | {pf_delivered:,} |

The check fails the script unless every one of Mailflow's {n:,} replies is seen and on disk
before it. Postfix is the reference: the trace, attached to its running master, may hold fewer
of its replies than it sent{"" if p["replies"] == n else f" ({p['replies']:,} of {n:,} here)"}, and every one it holds comes after its fsync.
Mailflow's directory fsyncs are shared: one fsync of `queue/messages/` that begins after a
message's rename covers every message renamed before it began (group commit), so there are
fewer directory fsyncs than messages under concurrent load, and never a 250 before one.
"""
    write_section(out, "Every 250 after its fsync", section)
    if failed:
        raise SystemExit("bench: a 250 was sent before its message was on disk, or replies are missing (table above)")


if __name__ == "__main__":
    main()
