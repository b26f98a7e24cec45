# ARC with dkimpy (Debian's python3-dkim), keys looked up with dnspython in the DNS server at
# 127.0.0.1:PORT only. The message comes on standard input.
#   dkimpy-arc.py verify PORT
#       prints "cv=pass|fail|none <dkimpy's reason>"; exits 0 for pass, 1 otherwise
#   dkimpy-arc.py seal PORT SELECTOR DOMAIN KEYFILE SRV-ID rsa-sha256|ed25519-sha256
#       prints the message with dkimpy's next ARC set on top. dkimpy seals only a message
#       carrying an Authentication-Results field of SRV-ID, and takes cv= from its arc= result.
import sys

import dkim
import dns.resolver

resolver = dns.resolver.Resolver(configure=False)
resolver.nameservers = ["127.0.0.1"]
resolver.port = int(sys.argv[2])


def txt(name, timeout=5):
    try:
        answer = resolver.resolve(name.decode("ascii"), "TXT", lifetime=timeout)
    except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
        return None
    return b"".join(answer[0].strings)


message = sys.stdin.buffer.read()
if sys.argv[1] == "verify":
    a = dkim.ARC(message, minkey=1024)
    try:
        cv, results, reason = a.verify(dnsfunc=txt)
    except dkim.DKIMException as e:
        cv, reason = b"fail", str(e)
    word = cv.decode("ascii") if cv else "fail"
    print("cv=" + word + " " + str(reason))
    sys.exit(0 if word == "pass" else 1)
else:
    selector, domain, keyfile, srv_id, alg = sys.argv[3:8]
    with open(keyfile, "rb") as f:
        key = f.read()
    a = dkim.ARC(message, signature_algorithm=alg.encode("ascii"))
    headers = a.sign(selector.encode("ascii"), domain.encode("ascii"), key, srv_id.encode("ascii"),
                     include_headers=a.default_sign_headers())
    if not headers:
        print("dkimpy sealed nothing", file=sys.stderr)
        sys.exit(2)
    sys.stdout.buffer.write(b"".join(headers) + message)
