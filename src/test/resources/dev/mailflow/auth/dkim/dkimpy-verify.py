# Verifies every DKIM signature of the message on standard input with dkimpy (Debian's
# python3-dkim), looking keys up with dnspython in the DNS server at 127.0.0.1:PORT only.
# Prints one line per signature, "pass" or "fail" and dkimpy's words; exits 0 when all passed.
# Usage: python3 dkimpy-verify.py PORT < message
import sys

import dkim
import dns.resolver

resolver = dns.resolver.Resolver(configure=False)
resolver.nameservers = ["127.0.0.1"]
resolver.port = int(sys.argv[1])


def txt(name, timeout=5):
    try:
        answer = resolver.resolve(name.decode("ascii"), "TXT", lifetime=timeout)
    except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
        return None
    return b"".join(answer[0].strings)


class Log:
    def __init__(self):
        self.lines = []

    def debug(self, *a):
        pass

    info = warning = debug

    def error(self, msg, *a):
        self.lines.append(str(msg) % a if a else str(msg))


message = sys.stdin.buffer.read()
log = Log()
d = dkim.DKIM(message, logger=log, minkey=1024)
count = sum(1 for name, _ in d.headers if name.lower() == b"dkim-signature")
if count == 0:
    print("none")
    sys.exit(1)
ok = True
for i in range(count):
    try:
        good = d.verify(idx=i, dnsfunc=txt)
    except dkim.DKIMException as e:
        good = False
        log.lines.append(str(e))
    ok = ok and good
    print(("pass" if good else "fail") + " " + "; ".join(log.lines))
    log.lines.clear()
sys.exit(0 if ok else 1)
