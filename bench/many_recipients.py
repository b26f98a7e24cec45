#!/usr/bin/env python3
"""One message to many local recipients: Mailflow (hard links, and written copies) beside Postfix.

Both servers accept mail for bench.test, where r0 ... r{N-1} are mailboxes of their own;
one SMTP session sends one 4 KiB message to all of them. The time runs from the connection
until the last copy is in its Maildir. Mailflow runs twice: with its default
(maildir_link_from = 10: one file hard-linked into every mailbox) and with
maildir_link_from = 0 (one written file per mailbox, as Postfix's virtual(8) does).
Writes the "## Many recipients" section of docs/performance.md.
"""
import argparse
import datetime
import os
import shutil
import smtplib
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from compare_postfix import Mailflow, Postfix, free_port, machine, tool, write_section  # noqa: E402


def postfix_for(work, sink_port, n):
    pf = Postfix(work, sink_port)
    main_cf = os.path.join(pf.conf, "main.cf")
    text = open(main_cf).read().replace("virtual_mailbox_maps = static:bench/",
                                        f"virtual_mailbox_maps = texthash:{pf.conf}/vmailbox")
    text += f"smtpd_recipient_limit = {max(n, 1000)}\n"
    with open(main_cf, "w") as f:
        f.write(text)
    # virtual(8) refuses regexp substitutions: one line per mailbox (texthash needs no postmap).
    with open(os.path.join(pf.conf, "vmailbox"), "w") as f:
        f.write("".join(f"r{i}@bench.test many/r{i}/\n" for i in range(n)))
    pf.boxes = lambda: os.path.join(pf.base, "mail", "many")
    return pf


def mailflow_for(work, root, sink_port, n, link_from, label):
    os.makedirs(os.path.join(work, label))
    mf = Mailflow(os.path.join(work, label), root, sink_port)
    text = open(mf.config).read()
    text = text.replace("max_connections_per_ip = 1000\n", f"max_connections_per_ip = 1000\nmax_recipients = {n}\n")
    text = text.replace("[delivery]\n", f"[delivery]\nmaildir_link_from = {link_from}\n")
    text += "".join(f'\n[[mailbox]]\naddress = "r{i}@bench.test"\n' for i in range(n))
    with open(mf.config, "w") as f:
        f.write(text)
    mf.name = label
    mf.boxes = lambda: os.path.join(mf.base, "data", "mailboxes", "bench.test")
    return mf


def delivered(boxes, n):
    total = 0
    for i in range(n):
        d = os.path.join(boxes, f"r{i}", "new")
        if os.path.isdir(d):
            total += len(os.listdir(d))
    return total


def clear(boxes):
    """Empties the mailboxes, keeping their directories (as a reader that deletes its mail does)."""
    if not os.path.isdir(boxes):
        return
    for box in os.listdir(boxes):
        for sub in ("new", "cur", "tmp"):
            d = os.path.join(boxes, box, sub)
            if os.path.isdir(d):
                for name in os.listdir(d):
                    os.unlink(os.path.join(d, name))


def one_message(server, n, body):
    """Seconds from the connection until all n copies are in their mailboxes."""
    clear(server.boxes())
    rcpts = [f"r{i}@bench.test" for i in range(n)]
    start = time.monotonic()
    with smtplib.SMTP("127.0.0.1", server.port, timeout=120) as s:
        s.sendmail("load@source.test", rcpts, body)
    deadline = time.monotonic() + 300
    while delivered(server.boxes(), n) < n:
        if time.monotonic() > deadline:
            raise SystemExit(f"bench: {server.name}: {delivered(server.boxes(), n)} of {n} copies after 300 s")
        time.sleep(0.005)
    return time.monotonic() - start


def files_and_links(boxes, n):
    """Distinct files (inodes) behind the n copies."""
    inodes = set()
    for i in range(n):
        d = os.path.join(boxes, f"r{i}", "new")
        for name in os.listdir(d):
            inodes.add(os.stat(os.path.join(d, name)).st_ino)
    return len(inodes)


def main():
    ap = argparse.ArgumentParser(prog="bench/many-recipients.sh", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--root", required=True, help=argparse.SUPPRESS)  # given by bench/many-recipients.sh
    ap.add_argument("--recipients", type=int, default=1000)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--out", default=None)
    args = ap.parse_args()
    out = args.out or os.path.join(args.root, "docs", "performance.md")
    n = args.recipients
    body = ("From: load@source.test\r\nTo: everyone@bench.test\r\nSubject: to all\r\n\r\n"
            + ("x" * 76 + "\r\n") * 52).encode()
    work = tempfile.mkdtemp(prefix="mailflow-many-")
    os.chmod(work, 0o755)
    sink_port = free_port()
    servers = [postfix_for(work, sink_port, n), mailflow_for(work, args.root, sink_port, n, 10, "Mailflow"),
               mailflow_for(work, args.root, sink_port, n, 0, "Mailflow-copies")]
    times = {s.name: [] for s in servers}
    files = {}
    try:
        for s in servers:
            s.start()
        for s in servers:  # warm-up
            one_message(s, n, body)
        for rep in range(args.reps):
            order = servers if rep % 2 == 0 else list(reversed(servers))
            for s in order:
                t = one_message(s, n, body)
                times[s.name].append(t)
                print(f"rep {rep + 1} {s.name:16} {n} recipients in {t:6.2f} s", flush=True)
        for s in servers:
            files[s.name] = files_and_links(s.boxes(), n)
        versions = {s.name: s.version() for s in servers}
    finally:
        for s in servers:
            try:
                s.stop()
            except Exception as e:  # keep stopping the others
                print(f"bench: stopping {s.name}: {e}", file=sys.stderr)
        shutil.rmtree(work, ignore_errors=True)

    med = {k: statistics.median(v) for k, v in times.items()}
    pf, mf, mc = med["Postfix"], med["Mailflow"], med["Mailflow-copies"]
    command = "bench/many-recipients.sh " + " ".join(a for a in sys.argv[1:]
                                                     if a != args.root and not a.startswith("--root"))
    section = f"""
## Many recipients

One SMTP session sends one 4 KiB message to {n} local recipients (`r0` ... `r{n - 1}@bench.test`,
each a mailbox of its own); the time runs from the connection until the last copy is in its
Maildir. Postfix delivers with virtual(8), one written file per mailbox. Mailflow keeps the
message once in its queue and, by default (`maildir_link_from = 10`), writes it once and
hard-links it into every mailbox; `maildir_link_from = 0` writes a copy per mailbox, as
Postfix does. {args.reps} repetitions after one warm-up message each, alternating the order;
medians.

- Date: {datetime.date.today().isoformat()}; {machine()}; {versions['Mailflow']}; {versions['Postfix']}
- Command (as root): `{command.strip()}`

| server | files behind the {n} copies | seconds | ratio (Postfix's time / this one) |
| --- | --- | --- | --- |
| Postfix (virtual) | {files['Postfix']} | {pf:.2f} | 1.00 |
| Mailflow, hard links | {files['Mailflow']} | {mf:.2f} | **{pf / mf:.2f}** |
| Mailflow, a copy per mailbox | {files['Mailflow-copies']} | {mc:.2f} | {pf / mc:.2f} |

Written one by one, each copy is a file write and an fsync on one delivery thread, where
Postfix runs several virtual(8) processes at once; linked, the message is written and forced
to disk once, and each mailbox costs a link(2) and its share of one fsync of each new/
directory.
"""
    write_section(out, "Many recipients", section)


if __name__ == "__main__":
    main()
