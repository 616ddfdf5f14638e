"""Real servers for the delivery tests: an SMTP server (aiosmtpd) and a LINE-shaped HTTP server."""

from __future__ import annotations

import email
import email.policy
import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    """The SMTP handler: keeps every accepted message (parsed); ``before_accept`` may refuse one."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.before_accept = None
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        if self.before_accept is not None:
            answer = self.before_accept(len(self.messages))
            if answer:
                return answer
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append(message)
        return "250 OK"


class SmtpServer:
    def __init__(self):
        self.inbox = Inbox()
        self.port = free_port()
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()


class LineServer:
    """Answers POST /v2/bot/message/push like LINE; records each request; ``status`` to answer."""

    def __init__(self, token: str):
        self.token, self.requests, self.status = token, [], 200
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                outer.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
                problems = outer.check(self.path, self.headers, body)
                status = 400 if problems else outer.status
                payload = json.dumps({"message": "; ".join(problems)} if problems else {}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def check(self, path, headers, body) -> list[str]:
        """The request shape of the Messaging API's push endpoint."""
        problems = []
        if path != "/v2/bot/message/push":
            problems.append(f"path {path}")
        if headers.get("Authorization") != f"Bearer {self.token}":
            problems.append("Authorization")
        if not headers.get("Content-Type", "").startswith("application/json"):
            problems.append("Content-Type")
        if len(headers.get("X-Line-Retry-Key", "")) != 36:
            problems.append("X-Line-Retry-Key")
        try:
            data = json.loads(body)
        except ValueError:
            return [*problems, "body is not JSON"]
        if set(data) != {"to", "messages"} or not str(data["to"]).startswith("U"):
            problems.append("to/messages")
        messages = data.get("messages") or []
        if not 1 <= len(messages) <= 5 or any(m.get("type") != "text" or not m.get("text") for m in messages):
            problems.append("messages")
        return problems

    def __enter__(self):
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()
