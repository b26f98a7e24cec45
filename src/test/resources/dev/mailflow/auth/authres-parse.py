# Parses the Authentication-Results field on standard input with authres (Debian's
# python3-authres, the RFC 8601 parser dkimpy uses) and prints the authserv-id, then one line
# per result: "method=result ptype.property=value ...". Exits 1 when authres refuses the field.
import sys

import authres

field = sys.stdin.read()
try:
    header = authres.AuthenticationResultsHeader.parse(field)
except Exception as e:  # authres raises several kinds of syntax errors
    print("refused: %s" % e)
    sys.exit(1)
print(header.authserv_id)
for r in header.results:
    print(" ".join(["%s=%s" % (r.method, r.result)]
                   + ["%s.%s=%s" % (p.type, p.name, p.value) for p in r.properties]))
