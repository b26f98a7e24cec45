# Runs pyspf (Debian's python3-spf) on SPF cases read as JSON lines from stdin, with its DNS
# pointed at the loopback server whose port is the first argument; prints one JSON line each.
# Both DNS libraries pyspf may use are pointed there, so nothing asks any other server.
import json
import sys

port = int(sys.argv[1])
import spf

try:
    import dns.resolver
    r = dns.resolver.Resolver(configure=False)
    r.nameservers = ['127.0.0.1']
    r.port = port
    r.timeout = 1
    r.lifetime = 2
    dns.resolver.default_resolver = r
except ImportError:
    pass
try:
    import DNS
    DNS.defaults['server'] = ['127.0.0.1']
    DNS.defaults['port'] = port
except ImportError:
    pass

for line in sys.stdin:
    c = json.loads(line)
    q = spf.query(i=c['i'], s=c['s'], h=c['h'], timeout=2)
    res, code, exp = q.check()
    print(json.dumps({'result': res, 'explanation': exp}), flush=True)
