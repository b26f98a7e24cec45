#!/usr/bin/env python3
"""Where a Mailflow server's CPU went, from a flight recording of bench/auth-overhead.sh --jfr.

Usage: bench/jfr_breakdown.py FILE.jfr [--jfr PATH-TO-jfr-TOOL]

Prints the share of the Java execution samples (jdk.ExecutionSample) spent inside each part of
email authentication (a sample counts for a part when the part's method is on its stack), and
of the rest of the per-message work for comparison. Samples of the start (under Main.main:
configuration, the dummy password hash) are left out, so the shares are of the time spent
serving mail.
"""
import argparse
import collections
import json
import os
import shutil
import subprocess
import sys

# (label, methods on the stack (| between alternatives; a class counts for all its methods)[, a method that
# must be on the stack too])
PARTS = [
    ("email authentication, all", "dev.mailflow.server.EmailAuthentication.onMail|dev.mailflow.server.EmailAuthentication.onEndOfData"),
    ("SPF at MAIL", "dev.mailflow.server.EmailAuthentication.onMail"),
    ("  SPF record from the DNS cache", "dev.mailflow.auth.spf.Evaluation.fetchRecord"),
    ("  SPF record parsed", "dev.mailflow.auth.spf.SpfRecord.parse"),
    ("end of data", "dev.mailflow.server.EmailAuthentication.onEndOfData"),
    ("  spooled message read back", "dev.mailflow.server.Session$1.open|java.io.InputStream.readAllBytes",
     "dev.mailflow.server.EmailAuthentication.onEndOfData"),
    ("  DKIM verification", "dev.mailflow.auth.dkim.DkimVerifier.verify"),
    ("    DKIM-Signature parsed", "dev.mailflow.auth.dkim.DkimSignature.parse|dev.mailflow.auth.dkim.DkimSignature.names"),
    ("    key: DNS cache lookup", "dev.mailflow.auth.DnsKeyLookup.lookup"),
    ("    key: record parsed into a PublicKey", "dev.mailflow.auth.dkim.DkimKey.parse"),
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


if __name__ == "__main__":
    sys.exit(main())
