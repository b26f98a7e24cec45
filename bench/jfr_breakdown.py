#!/usr/bin/env python3
"""Where a Mailflow server's CPU went, from a flight recording of bench/auth-overhead.sh --jfr.

Usage: bench/jfr_breakdown.py FILE.jfr [--jfr PATH-TO-jfr-TOOL] [--threads]

Prints the share of the Java execution samples (jdk.ExecutionSample) spent inside each part of
email authentication (a sample counts for a part when the part's method is on its stack), and
of the rest of the per-message work for comparison. Samples of the start (under Main.main:
configuration, the dummy password hash) are left out, so the shares are of the time spent
serving mail. The checks at the end of data run on a virtual thread of their own (for their
deadline), so their samples are found by MessageAuthenticator.check, not by the hook.

--threads adds where the JVM's CPU went by thread kind (jdk.ThreadCPULoad: the virtual threads'
carriers, the JIT compiler threads, the rest) and the garbage collector's pauses: a server that
runs more code per message keeps its compiler threads busy for longer after a start.
"""
import argparse
import collections
import json
import os
import re
import shutil
import subprocess
import sys

# (label, methods on the stack (| between alternatives; a class counts for all its methods)[, a method that
# must be on the stack too])
PARTS = [
    ("email authentication, all", "dev.mailflow.server.EmailAuthentication|dev.mailflow.auth.MessageAuthenticator"),
    ("SPF at MAIL", "dev.mailflow.server.EmailAuthentication.onMail"),
    ("  SPF record from the DNS cache", "dev.mailflow.auth.spf.Evaluation.fetchRecord"),
    ("  SPF record parsed", "dev.mailflow.auth.spf.SpfRecord.parse|dev.mailflow.auth.spf.SpfRecord.parseCached"),
    ("end of data", "dev.mailflow.server.EmailAuthentication.onEndOfData|dev.mailflow.auth.MessageAuthenticator.check"),
    ("  spooled message read back", "dev.mailflow.server.Session$1.open|java.io.InputStream.readAllBytes",
     "dev.mailflow.server.EmailAuthentication"),
    ("  header section split", "dev.mailflow.auth.dkim.ParsedMessage"),
    ("  DKIM verification", "dev.mailflow.auth.dkim.DkimVerifier.verify"),
    ("    DKIM-Signature parsed", "dev.mailflow.auth.dkim.DkimSignature.parse|dev.mailflow.auth.dkim.DkimSignature.names"),
    ("    key: DNS cache lookup", "dev.mailflow.auth.DnsKeyLookup.lookup"),
    ("    key: record parsed into a PublicKey", "dev.mailflow.auth.dkim.DkimKey.parse|dev.mailflow.auth.dkim.DkimKey.parseCached"),
    ("    body hash", "dev.mailflow.auth.dkim.SignedData.bodyHash"),
    ("    public-key verification", "dev.mailflow.auth.dkim.DkimAlgorithm.verify"),
    ("  ARC", "dev.mailflow.auth.arc.ArcVerifier.verify"),
    ("  DMARC", "dev.mailflow.auth.dmarc.Dmarc.evaluate"),
    ("  Authentication-Results rendered", "dev.mailflow.auth.AuthenticationResults.value"),
    ("  summary for queue, tracking, console", "dev.mailflow.server.EmailAuthentication.summary"),
    ("  /metrics counters", "dev.mailflow.server.ServerStats.authenticated"),
    ("queue file committed", "dev.mailflow.queue.FileQueueStore$FileIncoming.commit"),
    ("tracking event written", "dev.mailflow.queue.TrackingLog.write"),
    ("SMTP sessions, all", "dev.mailflow.server.ReceiveConnector"),
    ("queue scheduler and local delivery, all", "dev.mailflow.queue.Scheduler"),
]

STARTUP = "dev.mailflow.app.Main.main"


def frames(event):
    stack = event["values"].get("stackTrace")
    if not stack:
        return []
    return [f["method"]["type"]["name"].replace("/", ".") + "." + f["method"]["name"] for f in stack["frames"]]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("recording")
    ap.add_argument("--jfr", default=None)
    ap.add_argument("--threads", action="store_true", help="CPU by thread kind and GC pauses too")
    args = ap.parse_args()
    jfr = args.jfr or (os.path.join(os.environ["JAVA_HOME"], "bin", "jfr") if "JAVA_HOME" in os.environ
                       else shutil.which("jfr"))
    if not jfr or not os.path.exists(jfr):
        raise SystemExit("jfr_breakdown: no jfr tool: set JAVA_HOME to a JDK or give --jfr")
    r = subprocess.run([jfr, "print", "--json", "--stack-depth", "256", "--events", "jdk.ExecutionSample",
                        args.recording], capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit(f"jfr_breakdown: jfr print failed: {r.stderr.strip()}")
    events = json.loads(r.stdout)["recording"]["events"]
    if not events:
        raise SystemExit("jfr_breakdown: no execution samples in the recording")
    hits = collections.Counter()
    stacks = [frames(e) for e in events]
    stacks = [st for st in stacks if not any(f.startswith(STARTUP) for f in st)]
    if not stacks:
        raise SystemExit("jfr_breakdown: only samples of the start in the recording")
    for stack in stacks:
        for label, methods, *within in PARTS:
            if within and within[0] not in stack:
                continue
            # a method (package.Class.method), or a class or package: any of its methods
            if any(f == w or f.startswith(w + ".") for w in methods.split("|") for f in stack):
                hits[label] += 1
    print(f"{len(stacks)} Java execution samples serving mail ({len(events) - len(stacks)} of the start left out) "
          f"in {args.recording}")
    for label, *_ in PARTS:
        print(f"{100 * hits[label] / len(stacks):6.1f} %  {label}")
    if args.threads:
        threads(jfr, args.recording)


def seconds(iso):
    """An ISO-8601 duration as jfr prints it (PT0.0012S, PT1M2.5S), in seconds."""
    m = re.match(r"PT(?:(\d+)H)?(?:(\d+)M)?(?:([\d.]+)S)?$", iso or "")
    return 0.0 if not m else int(m.group(1) or 0) * 3600 + int(m.group(2) or 0) * 60 + float(m.group(3) or 0)


def threads(jfr, recording):
    r = subprocess.run([jfr, "print", "--json", "--events", "jdk.ThreadCPULoad,jdk.GarbageCollection", recording],
                       capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit(f"jfr_breakdown: jfr print failed: {r.stderr.strip()}")
    load, pauses, collections_ = collections.Counter(), 0.0, 0
    for e in json.loads(r.stdout)["recording"]["events"]:
        v = e["values"]
        if e["type"] == "jdk.GarbageCollection":
            collections_ += 1
            pauses += seconds(v.get("sumOfPauses"))
            continue
        t = v.get("eventThread") or {}
        name = t.get("javaName") or t.get("osName") or "?"
        kind = ("JIT compiler threads" if "CompilerThread" in name
                else "virtual threads' carriers (SMTP, checks, delivery)" if name.startswith("ForkJoinPool-")
                else "other threads")
        load[kind] += v["user"] + v["system"]  # a share of one CPU per sampling period
    total = sum(load.values()) or 1
    print("CPU by thread kind (jdk.ThreadCPULoad, summed over the recording):")
    for kind, n in load.most_common():
        print(f"{100 * n / total:6.1f} %  {kind}")
    print(f"garbage collections: {collections_}, pauses {pauses:.2f} s in all")


if __name__ == "__main__":
    sys.exit(main())
