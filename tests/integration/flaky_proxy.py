#!/usr/bin/env python3
"""flaky_proxy.py UPSTREAM DROP_N OUTDIR - an HTTP proxy in front of one `omb worker` that
forwards everything, except that the DROP_N-th /period-stats answer is read from the
worker and then thrown away (the connection is closed with no reply), as a network failure
would. Writes OUTDIR/port (its port), OUTDIR/dropped.json and OUTDIR/retried.json (the
lost answer and the answer to the next /period-stats) and OUTDIR/seqs (X-Omb-Seq of each
/period-stats request). For tests/integration/t_dist_retry.sh."""
import http.client, http.server, os, sys, threading, urllib.parse

upstream = urllib.parse.urlparse(sys.argv[1])
drop_n, out = int(sys.argv[2]), sys.argv[3]
count, lock, state = 0, threading.Lock(), {"dropped": False, "retried": False}

class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *a): pass
    def forward(self):
        global count
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else None
        hdrs = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")}
        c = http.client.HTTPConnection(upstream.hostname, upstream.port, timeout=30)
        c.request(self.command, self.path, body=body, headers=hdrs)
        r = c.getresponse()
        data = r.read()
        if self.path == "/period-stats":
            with lock:
                count += 1
                with open(os.path.join(out, "seqs"), "a") as f:
                    f.write(str(self.headers.get("X-Omb-Seq")) + "\n")
                if count == drop_n:
                    open(os.path.join(out, "dropped.json"), "wb").write(data)
                    self.close_connection = True
                    return  # no reply at all
                if count == drop_n + 1:
                    open(os.path.join(out, "retried.json"), "wb").write(data)
        self.send_response(r.status)
        for k, v in r.getheaders():
            if k.lower() in ("content-type", "x-omb-worker"):
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
    do_GET = do_POST = forward

s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
open(os.path.join(out, "port.tmp"), "w").write(str(s.server_address[1]))
os.rename(os.path.join(out, "port.tmp"), os.path.join(out, "port"))
s.serve_forever()
