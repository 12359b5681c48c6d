#!/usr/bin/env python3
# fakesmtp.py DIR -- a tiny SMTP server for the deliver tests (standard
# library only). Listens on 127.0.0.1, an ephemeral port written to
# DIR/port. Each connection N logs to DIR/N/:
#   log    the commands received, one a line ("EHLO x", "MAIL FROM:<a>")
#   data   the message as received after DATA, un-dot-stuffed, CRLF -> LF
#   bare   present when a line of the message ended in a bare LF
#   done   present when the transaction ended (QUIT or disconnect)
# DIR/mode (read at each connection) says how to misbehave, one rule a
# line: "STEP CODE TEXT" answers CODE TEXT at STEP (GREETING, EHLO, HELO,
# MAIL, RCPT, DATA, DOT; "\n" in TEXT makes a multi-line reply); "SILENT" never sends a greeting (timeouts).
# Exits by itself after 300 s so that a broken test cannot leave it.
import os
import socketserver
import sys
import threading

DIR = sys.argv[1]
counter = [0]
lock = threading.Lock()


def rules():
    r = {}
    try:
        with open(os.path.join(DIR, "mode")) as f:
            for line in f:
                w = line.strip().split(" ", 1)
                if w and w[0]:
                    r[w[0].upper()] = (w[1] if len(w) > 1 else "").replace(
                        "\\n", "\n")
    except FileNotFoundError:
        pass
    return r


class Handler(socketserver.StreamRequestHandler):
    timeout = 20

    def reply(self, text):
        # "250-a\n250 b": multi-line replies
        self.wfile.write(text.replace("\n", "\r\n").encode() + b"\r\n")
        self.wfile.flush()

    def step(self, r, name, ok):
        if name in r:
            self.reply(r[name])
            return False
        self.reply(ok)
        return True

    def handle(self):
        with lock:
            n = counter[0]
            counter[0] += 1
        d = os.path.join(DIR, str(n))
        os.mkdir(d)
        log = open(os.path.join(d, "log"), "w")
        r = rules()
        try:
            if "SILENT" in r:
                self.rfile.readline()
                return
            if not self.step(r, "GREETING",
                             "220-fake.example ESMTP\n220 hello"):
                return
            while True:
                line = self.rfile.readline(4096)
                if not line:
                    return
                cmd = line.decode("utf-8", "replace").rstrip("\r\n")
                log.write(cmd + "\n")
                log.flush()
                verb = cmd.split(" ", 1)[0].upper()
                if verb == "EHLO":
                    self.step(r, "EHLO", "250-fake.example\n250-8BITMIME\n"
                              "250-PIPELINING\n250 SIZE 10000000")
                elif verb == "HELO":
                    self.step(r, "HELO", "250 fake.example")
                elif verb == "MAIL":
                    self.step(r, "MAIL", "250 2.1.0 ok")
                elif verb == "RCPT":
                    self.step(r, "RCPT", "250 2.1.5 ok")
                elif verb == "DATA":
                    if not self.step(r, "DATA", "354 go ahead"):
                        continue
                    data = b""
                    bare = False
                    while True:
                        l = self.rfile.readline(65536)
                        if not l:
                            return
                        if l == b".\r\n":
                            break
                        if not l.endswith(b"\r\n"):
                            bare = True
                        if l.startswith(b"."):
                            l = l[1:]
                        data += l.replace(b"\r\n", b"\n")
                    with open(os.path.join(d, "data"), "wb") as f:
                        f.write(data)
                    if bare:
                        open(os.path.join(d, "bare"), "w").close()
                    self.step(r, "DOT", "250 2.0.0 queued as X1")
                elif verb == "QUIT":
                    self.reply("221 2.0.0 bye")
                    return
                elif verb in ("RSET", "NOOP"):
                    self.reply("250 ok")
                else:
                    self.reply("502 5.5.2 unknown command")
        except OSError:
            pass
        finally:
            log.close()
            open(os.path.join(d, "done"), "w").close()


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


srv = Server(("127.0.0.1", 0), Handler)
t = threading.Timer(300, lambda: os._exit(0))
t.daemon = True
t.start()
with open(os.path.join(DIR, "port.tmp"), "w") as f:
    f.write("%d\n" % srv.server_address[1])
os.rename(os.path.join(DIR, "port.tmp"), os.path.join(DIR, "port"))
srv.serve_forever()
