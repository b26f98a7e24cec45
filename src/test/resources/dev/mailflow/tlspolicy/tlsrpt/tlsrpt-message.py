# Reads a TLS-RPT report message (RFC 8460 5.3) with Python's email package and prints what
# it found, one "key: value" a line, for ReportMessageTest.
import base64, email, email.policy, gzip, json, sys

msg = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=email.policy.default)
print("defects:", len(msg.defects))
print("content-type:", msg.get_content_type())
print("report-type:", msg.get_param("report-type"))
for name in ("From", "To", "Subject", "TLS-Report-Domain", "TLS-Report-Submitter", "Message-ID", "Auto-Submitted"):
    print(name.lower() + ":", msg[name])
print("date-parsed:", msg["Date"].datetime.isoformat())
for i, part in enumerate(msg.iter_parts()):
    print("part%d:" % i, part.get_content_type(), part.get("Content-Transfer-Encoding"),
          part.get_content_disposition(), part.get_filename(), len(part.defects))
    if part.get_content_type() == "application/tlsrpt+gzip":
        report = json.loads(gzip.decompress(part.get_payload(decode=True)))
        print("report-id:", report["report-id"])
        print("policies:", len(report["policies"]))
    elif part.get_content_type() == "text/plain":
        print("text:", " ".join(part.get_content().split()))
