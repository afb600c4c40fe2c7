"""A fake Twilio REST API on 127.0.0.1, for the real twilio client (notes/twilio.md §4).

`POST /2010-04-01/Accounts/{AccountSid}/Messages.json` with HTTP Basic auth: records the form, answers 201
with the message JSON, or the legacy error JSON Twilio sends (21610 unsubscribed, 63016 outside the
WhatsApp window, 429/20429 over the rate). `GET` of the same path lists what was sent, newest first, as
Twilio's paged list (`messages`, `next_page_uri` …) filtered by `To`, `From` and `DateSent` / `DateSent<` /
`DateSent>` (GMT dates, "on", "on or before", "on or after"; a message still queued has no DateSent and
is left out by those filters). The rate is a token bucket (`rate_per_s`, `burst`); requests over
it are answered 429 and counted. `receipts()` posts signed status callbacks back to the bot, in any order.
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlencode, urlsplit

import httpx
from twilio.request_validator import RequestValidator

ERRORS = {
    21610: (400, "Attempt to send to unsubscribed recipient"),
    21211: (400, "Invalid 'To' Phone Number"),
    63016: (400, "Failed to send freeform message because you are outside the allowed window. "
                 "If you are using WhatsApp, please use a Message Template."),
    63018: (400, "Rate limit exceeded for Channel"),
    20429: (429, "Too Many Requests"),
    20500: (500, "Internal Server Error"),
}


@dataclass
class Sent:
    sid: str
    form: dict[str, str]
    at: float
    created: datetime = field(default_factory=lambda: datetime.now(UTC))
    date_sent: datetime | None = None

    @property
    def body(self) -> str:
        """What Twilio shows as the body: the text, or a template rendered with its variables."""
        if "ContentSid" in self.form:
            variables = json.loads(self.form.get("ContentVariables") or "{}")
            return f"Alerta / Alert: {variables.get('1', '')}. {variables.get('2', '')}"
        return self.form.get("Body", "")

    @property
    def to(self) -> str:
        return self.form.get("To", "")

    @property
    def query(self) -> dict[str, str]:
        return dict(parse_qsl(urlsplit(self.form.get("StatusCallback", "")).query))


@dataclass
class FakeTwilio:
    account_sid: str
    auth_token: str
    rate_per_s: float | None = None
    burst: int = 1
    latency_s: float = 0.0
    fail: dict[str, int] = field(default_factory=dict)
    """To address -> error code answered to every create for it."""
    window: set[str] | None = None
    """WhatsApp addresses inside the 24-hour window; None: everyone is. Free text to others gets 63016."""
    hook: Callable[[dict[str, str]], int | None] | None = None
    """Per request: an error code to answer, or None."""
    account_status: str = "active"
    """What `GET /2010-04-01/Accounts/{sid}.json` answers (active, suspended, closed)."""
    accepted: Callable[[Sent], None] | None = None
    """Called once a message is created, before the 201 goes back (fault injection: Redis fails now)."""
    queued: bool = False
    """New messages stay queued (no DateSent yet), as when Twilio's sender queue is long."""
    fail_after_create: list[int] = field(default_factory=list)
    """Error codes answered (one per create, in turn) *after* the message was created: a 5xx from Twilio
    or a proxy in front of it, with the message on its way all the same."""

    def __post_init__(self) -> None:
        self.sent: list[Sent] = []
        self.rejected: list[tuple[int, dict[str, str]]] = []
        self.requests = 0
        self.lists = 0
        self._lock = threading.Lock()
        self._tokens = float(self.burst)
        self._last = time.monotonic()
        self._server: ThreadingHTTPServer | None = None

    # -- lifecycle
    def start(self) -> FakeTwilio:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                authorization = self.headers.get("Authorization", "")
                if self.path.split("?")[0].endswith("/Messages.json"):
                    self._answer(*fake.list(self.path, authorization))
                else:
                    self._answer(*fake.fetch(self.path, authorization))

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode()
                self._answer(*fake.handle(self.path, self.headers.get("Authorization", ""), raw))

            def _answer(self, status: int, payload: dict[str, object]) -> None:
                body = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                # headers and body in one write: two small writes meet the client's delayed ACK (~40 ms)
                self._headers_buffer.append(b"\r\n" + body)  # type: ignore[attr-defined]
                self.flush_headers()

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    # -- the API
    def _take_token(self) -> bool:
        if self.rate_per_s is None:
            return True
        with self._lock:
            now = time.monotonic()
            self._tokens = min(float(self.burst), self._tokens + (now - self._last) * self.rate_per_s)
            self._last = now
            if self._tokens >= 1:
                self._tokens -= 1
                return True
            return False

    def _error(self, code: int) -> tuple[int, dict[str, object]]:
        status, message = ERRORS.get(code, (400, "Error"))
        return status, {"code": code, "message": message, "more_info": f"https://www.twilio.com/docs/errors/{code}",
                        "status": status}

    @property
    def messages_path(self) -> str:
        return f"/2010-04-01/Accounts/{self.account_sid}/Messages.json"

    def _refuse(self, path: str, expected_path: str, authorization: str) -> tuple[int, dict[str, object]] | None:
        """Twilio's answers to a wrong path (404, code 20404) and to wrong credentials (401, code 20003)."""
        if path != expected_path:
            return 404, {"code": 20404, "message": "The requested resource was not found", "status": 404}
        expected = "Basic " + base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        if authorization != expected:
            return 401, {"code": 20003, "message": "Authenticate", "status": 401}
        return None

    def fetch(self, path: str, authorization: str) -> tuple[int, dict[str, object]]:
        """GET of the Account resource (what `client.api.v2010.accounts(sid).fetch()` calls)."""
        refused = self._refuse(path.split("?")[0], f"/2010-04-01/Accounts/{self.account_sid}.json", authorization)
        if refused:
            return refused
        return 200, {"sid": self.account_sid, "status": self.account_status, "type": "Full",
                     "friendly_name": "alertrelay test", "uri": f"/2010-04-01/Accounts/{self.account_sid}.json"}

    def handle(self, path: str, authorization: str, raw: str) -> tuple[int, dict[str, object]]:
        with self._lock:
            self.requests += 1
        refused = self._refuse(path, self.messages_path, authorization)
        if refused:
            return refused
        form = dict(parse_qsl(raw, keep_blank_values=True))
        if self.latency_s:
            time.sleep(self.latency_s)
        code = None
        if not self._take_token():
            code = 20429
        elif form.get("To") in self.fail:
            code = self.fail[form["To"]]
        elif self.hook is not None:
            code = self.hook(form)
        if code is None and "To" not in form:
            code = 21211
        if (code is None and self.window is not None and form["To"].startswith("whatsapp:")
                and form["To"] not in self.window and "ContentSid" not in form):
            code = 63016
        if code is not None:
            with self._lock:
                self.rejected.append((code, form))
            return self._error(code)
        sid = "SM" + secrets.token_hex(16)
        sent = Sent(sid, form, time.monotonic())
        if not self.queued:
            sent.date_sent = sent.created
        with self._lock:
            self.sent.append(sent)
        if self.accepted is not None:
            self.accepted(sent)
        if self.fail_after_create:
            return self._error(self.fail_after_create.pop(0))
        payload = self._resource(sent)
        payload.update(date_sent=None, status="accepted" if "From" not in form else "queued")
        return 201, payload

    def _resource(self, sent: Sent) -> dict[str, object]:
        form, sid = sent.form, sent.sid
        return {
            "account_sid": self.account_sid, "api_version": "2010-04-01", "body": sent.body,
            "date_created": formatdate(sent.created.timestamp(), usegmt=True),
            "date_sent": formatdate(sent.date_sent.timestamp(), usegmt=True) if sent.date_sent else None,
            "date_updated": formatdate(sent.created.timestamp(), usegmt=True),
            "direction": "outbound-api", "error_code": None, "error_message": None, "from": form.get("From"),
            "messaging_service_sid": form.get("MessagingServiceSid"), "num_media": "0", "num_segments": "1",
            "price": None, "price_unit": "USD", "sid": sid,
            "status": "sent" if sent.date_sent else "queued",
            "subresource_uris": {"media": f"/2010-04-01/Accounts/{self.account_sid}/Messages/{sid}/Media.json"},
            "to": form.get("To"), "uri": f"/2010-04-01/Accounts/{self.account_sid}/Messages/{sid}.json",
        }

    def list(self, path: str, authorization: str) -> tuple[int, dict[str, object]]:
        """GET Messages.json: Twilio's filters and paging (PageSize ≤ 1000, Page, next_page_uri)."""
        with self._lock:
            self.requests += 1
            self.lists += 1
        base, _, query_string = path.partition("?")
        refused = self._refuse(base, self.messages_path, authorization)
        if refused:
            return refused
        query = dict(parse_qsl(query_string, keep_blank_values=True))
        try:
            size = max(1, min(1000, int(query.get("PageSize", "50"))))
            page = max(0, int(query.get("Page", "0")))
            bounds = {op: date.fromisoformat(query[name][:10]) for op, name in
                      (("=", "DateSent"), ("<", "DateSent<"), (">", "DateSent>")) if query.get(name)}
        except ValueError:
            return 400, {"code": 20001, "message": "Invalid parameter", "status": 400}

        def wanted(sent: Sent) -> bool:
            if "To" in query and sent.to != query["To"]:
                return False
            if "From" in query and sent.form.get("From") != query["From"]:
                return False
            if bounds and sent.date_sent is None:
                return False
            day = sent.date_sent.date() if sent.date_sent else None
            return all((op == "=" and day == d) or (op == "<" and day <= d) or (op == ">" and day >= d)  # type: ignore[operator]
                       for op, d in bounds.items())

        with self._lock:
            matching = [s for s in reversed(self.sent) if wanted(s)]
        chunk = matching[page * size:(page + 1) * size]
        def uri(n: int) -> str:
            rest = {k: v for k, v in query.items() if k not in ("Page", "PageToken")}
            return f"{base}?{urlencode({**rest, 'PageSize': size, 'Page': n})}"
        more = (page + 1) * size < len(matching)
        return 200, {"messages": [self._resource(s) for s in chunk], "page": page, "page_size": size,
                     "start": page * size, "end": page * size + max(len(chunk) - 1, 0), "uri": uri(page),
                     "first_page_uri": uri(0), "previous_page_uri": uri(page - 1) if page else None,
                     "next_page_uri": uri(page + 1) if more else None}

    # -- status callbacks back to the bot
    def receipt(self, sent: Sent, status: str, *, local_base: str, public_base: str, error: int | None = None,
                client: httpx.Client | None = None) -> int:
        """POST one signed status callback for `sent` to the bot (its public URL rewritten to local_base)."""
        url = sent.form["StatusCallback"]
        params = {"MessageSid": sent.sid, "SmsSid": sent.sid, "MessageStatus": status, "SmsStatus": status,
                  "AccountSid": self.account_sid, "From": sent.form.get("From", ""), "To": sent.to,
                  "ApiVersion": "2010-04-01"}
        if sent.to.startswith("whatsapp:"):
            params.update(ChannelPrefix="whatsapp", ChannelToAddress=sent.to[len("whatsapp:"):],
                          StructuredMessage="false")
        if error is not None:
            params.update(ErrorCode=str(error), ErrorMessage=ERRORS.get(error, (0, "Error"))[1])
        signature = RequestValidator(self.auth_token).compute_signature(url, params)
        http = client or httpx.Client()
        response = http.post(local_base + url[len(public_base):], data=params,
                             headers={"X-Twilio-Signature": signature})
        return response.status_code
