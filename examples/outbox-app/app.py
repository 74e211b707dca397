#!/usr/bin/env python3
"""An application that sends its mail through Genro Mail Relay, the way the relay's README recommends.

  python3 app.py init                                   # the outbox database
  python3 app.py register --relay URL --admin-token T --public-url URL --smtp-host H --smtp-port P
  python3 app.py serve --listen 127.0.0.1:8081          # proxy_sync + attachments endpoint, and the flusher
  python3 app.py send --to a@example.com --subject Hi --body Hello [--attach FILE]
  python3 app.py status [--json]

Python 3.8+ standard library only.  See README.md for the ten-minute walkthrough.
"""
import argparse
import base64
import hmac
import json
import os
import secrets
import sys
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from outbox import Outbox

BATCH = 1000  # add-messages takes at most 1,000 messages per call
SYNC_USER = "mailproxy"


class Relay:
    """The calls the application makes to the relay, with its tenant key."""

    def __init__(self, outbox):
        self.url = outbox.setting("relay_url", "").rstrip("/")
        self.tenant = outbox.setting("tenant_id", "")
        self.key = outbox.setting("api_key", "")

    def call(self, method, path, body=None, token=None, timeout=60):
        """Returns (status, JSON answer); raises OSError when the relay cannot be reached."""
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url + path, data=data, method=method)
        req.add_header("X-API-Token", token or self.key)
        if data is not None:
            req.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(req, timeout=timeout) as res:
                return res.status, json.loads(res.read() or b"{}")
        except urllib.error.HTTPError as err:
            text = err.read()
            try:
                return err.code, json.loads(text)
            except ValueError:
                return err.code, {"detail": text.decode("utf-8", "replace")}


class Flusher:
    """Hands `new` outbox rows to the relay in batches, then asks it to send now (run-now)."""

    def __init__(self, outbox):
        self.outbox = outbox
        self.lock = threading.Lock()  # the timer and proxy_sync both flush: one at a time

    def flush(self):
        """Returns how many messages the relay queued; rows stay `new` when the relay cannot be reached."""
        with self.lock:
            relay = Relay(self.outbox)
            queued = 0
            while True:
                batch = self.outbox.pending(BATCH)
                if not batch:
                    break
                try:
                    status, answer = relay.call("POST", "/commands/add-messages?tenant_id=" + relay.tenant, {"messages": [dict(m, account_id="main") for m in batch]})
                except OSError as err:
                    print("relay unreachable, will retry: %s" % err, file=sys.stderr)
                    break
                # 200: {ok, queued, rejected}; 400 when all were rejected: {"detail": {"rejected": [...]}}
                detail = answer.get("detail") if isinstance(answer.get("detail"), dict) else {}
                rejected = answer.get("rejected") or detail.get("rejected") or []
                if status >= 400 and not rejected:
                    print("add-messages refused (%s): %s" % (status, answer), file=sys.stderr)
                    break
                # "already sent" / "already sending": the relay has it from an earlier flush that crashed before we marked it
                held = {"already sent", "already sending"}
                failures = [(r["id"], r["reason"]) for r in rejected if r.get("id") and r.get("reason") not in held]
                refused = {i for i, _ in failures}
                self.outbox.mark_failed(failures)
                self.outbox.mark_handed([m["id"] for m in batch if m["id"] not in refused])
                queued += int(answer.get("queued") or 0)
            if queued:
                try:
                    relay.call("POST", "/commands/run-now?tenant_id=" + relay.tenant)
                except OSError:
                    pass  # the relay sends on its own schedule anyway
            return queued


def make_handler(outbox, flusher):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, fmt, *args):
            pass

        def reply(self, status, body, content_type="application/json"):
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self):
            # read at each call: `register` (another process) sets or rotates the password while we run
            password = outbox.setting("sync_password", "")
            expected = "Basic " + base64.b64encode(("%s:%s" % (SYNC_USER, password)).encode()).decode()
            if not password or not hmac.compare_digest(self.headers.get("Authorization", "").encode(), expected.encode()):
                return self.reply(401, {"error": "authentication required"})
            try:
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
            except ValueError:
                return self.reply(400, {"error": "the body is not JSON"})
            if self.path == "/proxy_sync":
                return self.proxy_sync(body)
            if self.path == "/proxy_get_attachments":
                return self.attachment(body)
            return self.reply(404, {"error": "no such endpoint"})

        def proxy_sync(self, body):
            items = body.get("delivery_report")
            if not isinstance(items, list):
                return self.reply(400, {"error": "delivery_report must be a list"})
            failed, not_found = outbox.apply_report([i for i in items if isinstance(i, dict)])
            # like Genropy, hand over waiting mail inside the sync; queued > 0 makes the relay sync again
            queued = flusher.flush()
            answer = {"queued": queued}
            if failed:
                answer["error"] = failed
            if not_found:
                answer["not_found"] = not_found
            if not failed and not not_found:
                answer["ok"] = True
            return self.reply(200, answer)

        def attachment(self, body):
            storage_path = body.get("storage_path")
            if not isinstance(storage_path, str) or not storage_path:
                return self.reply(400, {"error": "storage_path missing"})
            path = outbox.attachment_path(storage_path)
            if path is None:
                return self.reply(404, {"error": "Attachment not found: %s" % storage_path})
            with open(path, "rb") as f:
                return self.reply(200, f.read(), "application/octet-stream")

    return Handler


def serve(outbox, listen, interval):
    host, _, port = listen.rpartition(":")
    flusher = Flusher(outbox)
    server = ThreadingHTTPServer((host or "127.0.0.1", int(port)), make_handler(outbox, flusher))
    print("listening on http://%s:%d" % server.server_address[:2], flush=True)

    def loop():
        while True:
            try:
                flusher.flush()
            except Exception as err:  # a bad row or a full disk must not end the flushing for good
                print("flush failed, will retry: %r" % err, file=sys.stderr, flush=True)
            time.sleep(interval)

    threading.Thread(target=loop, daemon=True).start()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


def register(outbox, args):
    """Registers the application as a tenant of the relay (its endpoint, its Basic auth) and its SMTP account."""
    password = outbox.setting("sync_password") or secrets.token_urlsafe(24)
    outbox.set_settings({"relay_url": args.relay, "tenant_id": args.tenant, "sync_password": password})
    relay = Relay(outbox)
    tenant = {"id": args.tenant, "client_base_url": args.public_url.rstrip("/"), "client_sync_path": "/proxy_sync", "client_attachment_path": "/proxy_get_attachments", "client_auth": {"method": "basic", "user": SYNC_USER, "password": password}}
    status, answer = relay.call("POST", "/tenant", tenant, token=args.admin_token)
    if status != 200 or not answer.get("api_key"):
        sys.exit("tenant registration failed (%s): %s" % (status, answer))
    outbox.set_settings({"api_key": answer["api_key"]})
    account = {"id": "main", "tenant_id": args.tenant, "host": args.smtp_host, "port": args.smtp_port, "use_tls": args.tls}
    if args.smtp_user:
        account.update(user=args.smtp_user, password=args.smtp_password or "")
    status, answer = Relay(outbox).call("POST", "/account", account)
    if status != 200:
        sys.exit("account registration failed (%s): %s" % (status, answer))
    print("registered tenant %r at %s" % (args.tenant, args.relay))


def main(argv):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--db", default="outbox.db")
    p.add_argument("--files", default="files", help="attachments folder")
    sub = p.add_subparsers(dest="command", required=True)
    sub.add_parser("init")
    r = sub.add_parser("register")
    r.add_argument("--relay", required=True)
    r.add_argument("--admin-token", required=True)
    r.add_argument("--public-url", required=True, help="where the relay reaches this application")
    r.add_argument("--tenant", default="outbox-app")
    r.add_argument("--smtp-host", required=True)
    r.add_argument("--smtp-port", type=int, required=True)
    r.add_argument("--smtp-user")
    r.add_argument("--smtp-password")
    r.add_argument("--tls", action="store_true")
    s = sub.add_parser("serve")
    s.add_argument("--listen", default="127.0.0.1:8081")
    s.add_argument("--flush-interval", type=float, default=2.0)
    m = sub.add_parser("send")
    m.add_argument("--from", dest="sender", default="app@example.com")
    m.add_argument("--to", action="append", required=True)
    m.add_argument("--subject", required=True)
    m.add_argument("--body", required=True)
    m.add_argument("--attach")
    st = sub.add_parser("status")
    st.add_argument("--json", action="store_true")
    args = p.parse_args(argv)

    outbox = Outbox(args.db, args.files)
    if args.command == "init":
        outbox.init()
    elif args.command == "register":
        register(outbox, args)
    elif args.command == "serve":
        serve(outbox, args.listen, args.flush_interval)
    elif args.command == "send":
        print(outbox.add(args.sender, args.to, args.subject, args.body, args.attach))
    elif args.command == "status":
        rows = outbox.rows()
        if args.json:
            print(json.dumps(rows))
        else:
            for r in rows:
                print("%-22s %-7s %s%s" % (r["id"], r["state"], r["subject"], "  (%s)" % r["error"] if r["error"] else ""))


if __name__ == "__main__":
    main(sys.argv[1:])
