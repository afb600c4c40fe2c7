"""A fake signal-cli-rest-api (≥ 0.101, MODE=json-rpc) over real HTTP and websockets, for the real signalbot.

Follows ../shared/notes/signal.md §1–§5: 204 health, the five-key /v1/about, full group entries, a receive
websocket that fans every frame out to all clients and drops it when none is attached (as the Go server
does), /v2/send answering 201 with a JSON array and the real server's 400 checks, reactions, typing,
receipts, and switches for 429 / 400 / slow sends. With `webhook_url` set it also posts every `receive`
line to it, JSON-RPC wrapped, like RECEIVE_WEBHOOK_URL. Request bodies are parsed as JSON whatever their
content type (signalbot sends text/plain).

It runs on its own thread and event loop; every public method is safe to call from the test thread.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import itertools
import json
import re
import threading
import time
import uuid as uuidlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web

_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_NUMBER = re.compile(r"^\+[1-9]\d{7,14}$")
_USERNAME = re.compile(r"^[A-Za-z\d_]{3,32}\.\d{2,9}$")


@dataclass
class FakeGroup:
    name: str
    internal_id: str
    members: list[str] = field(default_factory=list)

    @property
    def id(self) -> str:
        return "group." + base64.b64encode(self.internal_id.encode()).decode()

    def entry(self, admin: str) -> dict[str, Any]:
        return {"name": self.name, "description": "", "id": self.id, "internal_id": self.internal_id,
                "members": list(self.members), "blocked": False, "member": True, "pending_invites": [],
                "pending_requests": [], "invite_link": "", "admins": [admin],
                "permissions": {"add_members": "only-admins", "edit_group": "only-admins",
                                "send_messages": "every-member"}}


def make_group(name: str, members: list[str] | None = None) -> FakeGroup:
    """A group with a realistic internal id (base64 of 32 bytes, derived from the name)."""
    internal = base64.b64encode(hashlib.sha256(b"fake-group\0" + name.encode()).digest()).decode()
    return FakeGroup(name=name, internal_id=internal, members=list(members or []))


_clock = itertools.count(int(time.time() * 1000))


def next_ts() -> int:
    """A fresh Signal-style millisecond timestamp (unique within the test run)."""
    return next(_clock)


def envelope(text: str | None, *, number: str | None, uuid: str | None, group: FakeGroup | None = None,
             timestamp: int | None = None, name: str = "Someone", quote: dict[str, Any] | None = None,
             attachments: int = 0, mentions: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """A data message envelope with every field signalbot requires (§2.2). `number=None`: the sender hides
    their number (Signal's default since 2024): no sourceNumber, and `source` is the uuid."""
    ts = timestamp or next_ts()
    data: dict[str, Any] = {"timestamp": ts, "message": text, "expiresInSeconds": 0, "viewOnce": False}
    if group is not None:
        data["groupInfo"] = {"groupId": group.internal_id, "groupName": group.name, "revision": 3,
                             "type": "DELIVER"}
    if quote is not None:
        data["quote"] = quote
    if mentions:
        data["mentions"] = mentions
    if attachments:
        data["attachments"] = [{"contentType": "image/jpeg", "filename": None, "id": f"att{ts}{i}.jpg",
                                "size": 1000, "width": 10, "height": 10, "caption": None,
                                "uploadTimestamp": ts, "isVoiceNote": False} for i in range(attachments)]
    env: dict[str, Any] = {"sourceName": name, "sourceDevice": 1, "timestamp": ts,
                           "serverReceivedTimestamp": ts + 150, "serverDeliveredTimestamp": ts + 300,
                           "dataMessage": data}
    if number:
        env["source"] = number
        env["sourceNumber"] = number
    if uuid:
        env["sourceUuid"] = uuid
        env.setdefault("source", uuid)
    return env


def quote_of(env: dict[str, Any]) -> dict[str, Any]:
    """The `quote` block of a reply to the message in `env`."""
    return {"id": env["dataMessage"]["timestamp"], "author": env.get("sourceUuid") or env.get("sourceNumber"),
            "authorNumber": env.get("sourceNumber"), "authorUuid": env.get("sourceUuid"),
            "text": env["dataMessage"].get("message"), "attachments": []}


def quote_of_sent(timestamp: int, bot_number: str, bot_uuid: str, text: str = "") -> dict[str, Any]:
    """The `quote` block of a reply to a message the bot sent (what /v2/send returned)."""
    return {"id": timestamp, "author": bot_number, "authorNumber": bot_number, "authorUuid": bot_uuid,
            "text": text, "attachments": []}


def sync_envelope(text: str, *, bot_number: str, bot_uuid: str, group: FakeGroup | None = None,
                  destination: str | None = None) -> dict[str, Any]:
    """What the bot account's other device sent: a syncMessage.sentMessage (§2.3)."""
    ts = next_ts()
    sent: dict[str, Any] = {"destination": destination, "destinationNumber": destination, "destinationUuid": None,
                            "timestamp": ts, "message": text, "expiresInSeconds": 0, "viewOnce": False}
    if group is not None:
        sent["groupInfo"] = {"groupId": group.internal_id, "groupName": group.name, "revision": 3,
                             "type": "DELIVER"}
    return {"source": bot_number, "sourceNumber": bot_number, "sourceUuid": bot_uuid, "sourceName": "Bot",
            "sourceDevice": 2, "timestamp": ts, "serverReceivedTimestamp": ts + 150,
            "serverDeliveredTimestamp": ts + 300, "syncMessage": {"sentMessage": sent}}


class FakeSignalApi:
    def __init__(self, number: str, groups: list[FakeGroup], *, webhook_url: str | None = None):
        self.number = number
        self.uuid = str(uuidlib.uuid5(uuidlib.NAMESPACE_URL, "fake-bot" + number))
        self.groups = groups
        self.webhook_url = webhook_url
        self.mode = "json-rpc"
        self.version = "0.101"
        self.send_delay_s = 0.0
        self.registered = True
        """False: GET /v1/accounts does not list the bot number (registration lost or never done)."""
        # recordings (appended on the server thread, read from the test thread)
        self.requests: list[tuple[str, str]] = []
        self.sends: list[dict[str, Any]] = []
        self.send_attempts: list[dict[str, Any]] = []
        self.reactions: list[dict[str, Any]] = []
        self.typing: list[tuple[str, dict[str, Any]]] = []
        self.receipts: list[dict[str, Any]] = []
        self.dropped: list[str] = []
        self.webhook_posts: list[int] = []
        self.ws_connects = 0
        self._failures: list[int] = []
        self._clients: dict[web.WebSocketResponse, web.Request] = {}
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="fake-signal-api", daemon=True)
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None
        self.port = 0

    # ---- lifecycle ----------------------------------------------------------------------------------

    def start(self) -> FakeSignalApi:
        self._thread.start()
        self._call(self._start())
        return self

    def stop(self) -> None:
        self._call(self._stop())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)
        self._loop.close()

    @property
    def service(self) -> str:
        return f"127.0.0.1:{self.port}"

    def _call(self, coro: Any, timeout: float = 10.0) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout)

    async def _start(self) -> None:
        app = web.Application(client_max_size=4 * 1024 * 1024)
        r = app.router
        r.add_get("/v1/health", self._health)
        r.add_get("/v1/about", self._about)
        r.add_get("/v1/accounts", self._accounts)
        r.add_get("/v1/groups/{number}", self._groups)
        r.add_get("/v1/groups/{number}/{group_id}", self._group)
        r.add_get("/v1/receive/{number}", self._receive)
        r.add_post("/v2/send", self._send)
        r.add_post("/v1/reactions/{number}", self._react)
        r.add_delete("/v1/reactions/{number}", self._react)
        r.add_put("/v1/typing-indicator/{number}", self._typing)
        r.add_delete("/v1/typing-indicator/{number}", self._typing)
        r.add_post("/v1/receipts/{number}", self._receipt)
        r.add_delete("/v1/remote-delete/{number}", self._remote_delete)
        r.add_get("/v1/attachments/{id}", self._attachment)
        r.add_delete("/v1/attachments/{id}", self._no_content)
        r.add_post("/v1/accounts/{number}/rate-limit-challenge", self._challenge)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]

    async def _stop(self) -> None:
        for ws in list(self._clients):
            await ws.close()
        if self._session is not None:
            await self._session.close()
        if self._runner is not None:
            await self._runner.cleanup()

    # ---- test controls ------------------------------------------------------------------------------

    def push(self, env: dict[str, Any]) -> int:
        """One inbound Signal event: to every websocket client (dropped if none), then to the webhook."""
        params = {"envelope": env, "account": self.number}
        line = json.dumps({"jsonrpc": "2.0", "method": "receive", "params": params})
        return self._call(self._push(json.dumps(params), webhook=line))

    def push_raw(self, text: str, *, webhook: str | None = None) -> int:
        """A frame as is (bad frames, `{"error": …}`): websocket only unless `webhook` is given."""
        return self._call(self._push(text, webhook=webhook))

    def fail_sends(self, status: int, times: int = 1) -> None:
        self._failures.extend([status] * times)

    def disconnect_clients(self, *, clean: bool = False) -> None:
        """Drop every websocket: abruptly (TCP closed, no close frame: a restart or network cut) or with a
        clean close frame."""
        self._call(self._disconnect(clean))

    def client_count(self) -> int:
        return len(self._clients)

    def wait_for_ws_client(self, timeout: float = 10.0, *, after: int = 0) -> None:
        """Until a websocket client is attached (and at least `after` connections were made)."""
        wait_until(lambda: self._clients and self.ws_connects >= after, timeout, "a websocket client")

    def sent_to(self, recipient: str) -> list[dict[str, Any]]:
        return [s for s in list(self.sends) if recipient in s["recipients"]]

    async def _push(self, text: str, *, webhook: str | None) -> int:
        delivered = 0
        for ws in list(self._clients):
            try:
                await ws.send_str(text)
                delivered += 1
            except (ConnectionError, RuntimeError):
                pass
        if not delivered:
            self.dropped.append(text[:200])
        if webhook is not None and self.webhook_url:
            if self._session is None:
                self._session = aiohttp.ClientSession()
            try:
                async with self._session.post(self.webhook_url, data=webhook,
                                              headers={"Content-Type": "application/json"}) as resp:
                    self.webhook_posts.append(resp.status)
            except aiohttp.ClientError:
                self.webhook_posts.append(0)
        return delivered

    async def _disconnect(self, clean: bool) -> None:
        for ws, request in list(self._clients.items()):
            if clean:
                await ws.close()
            elif request.transport is not None:
                request.transport.close()
        self._clients.clear()

    # ---- handlers -----------------------------------------------------------------------------------

    def _log(self, request: web.Request) -> None:
        self.requests.append((request.method, request.path))

    async def _body(self, request: web.Request) -> Any:
        try:
            return json.loads(await request.text())
        except ValueError:
            return None

    def _bad_number(self, request: web.Request) -> bool:
        return request.match_info.get("number") != self.number

    async def _health(self, request: web.Request) -> web.Response:
        self._log(request)
        return web.Response(status=204)

    async def _about(self, request: web.Request) -> web.Response:
        self._log(request)
        return web.json_response({"versions": ["v1", "v2"], "build": 2, "mode": self.mode, "version": self.version,
                                  "capabilities": {"v2/send": ["quotes", "mentions"]}})

    async def _accounts(self, request: web.Request) -> web.Response:
        self._log(request)
        return web.json_response([self.number] if self.registered else [])

    async def _groups(self, request: web.Request) -> web.Response:
        self._log(request)
        if self._bad_number(request):
            return web.json_response({"error": "unknown account"}, status=400)
        return web.json_response([g.entry(self.number) for g in self.groups])

    async def _group(self, request: web.Request) -> web.Response:
        self._log(request)
        for g in self.groups:
            if g.id == request.match_info["group_id"]:
                return web.json_response(g.entry(self.number))
        return web.json_response({"error": "No group with that id found"}, status=404)

    async def _receive(self, request: web.Request) -> web.StreamResponse:
        self._log(request)
        if self._bad_number(request):
            return web.json_response({"error": "unknown account"}, status=400)
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        self._clients[ws] = request
        self.ws_connects += 1
        try:
            async for _ in ws:  # clients only ping
                pass
        finally:
            self._clients.pop(ws, None)
        return ws

    def _valid_recipient(self, recipient: str) -> bool:
        if recipient.startswith("group."):
            return any(g.id == recipient for g in self.groups)
        return bool(_NUMBER.match(recipient) or _UUID.match(recipient) or _USERNAME.match(recipient))

    async def _send(self, request: web.Request) -> web.Response:
        self._log(request)
        body = await self._body(request)
        invalid = web.json_response({"error": "Couldn't process request - invalid request"}, status=400)
        if not isinstance(body, dict) or not isinstance(body.get("recipients", []), list):
            return invalid
        self.send_attempts.append(body)
        recipients = body.get("recipients") or []
        if not recipients:
            return web.json_response({"error": "Couldn't process request - please provide at least one recipient"},
                                     status=400)
        if not body.get("number"):
            return web.json_response({"error": "Couldn't process request - number missing"}, status=400)
        if body.get("view_once") and not body.get("base64_attachments"):
            return web.json_response({"error": "'view_once' can only be set for image attachments"}, status=400)
        groups = [r for r in recipients if str(r).startswith("group.")]
        if groups and len(groups) != len(recipients):
            return web.json_response({"error": "Signal Messenger Groups and phone numbers cannot be specified "
                                               "together in one request! Please split them up into multiple "
                                               "REST API calls."}, status=400)
        if len(groups) > 1:
            return web.json_response({"error": "A signal message cannot be sent to more than one group at once! "
                                               "Please use multiple REST API calls for that."}, status=400)
        for recipient in recipients:
            if not self._valid_recipient(str(recipient)):
                # what signal-cli says when an internal group id is taken for a username (rest-api #719)
                return web.json_response({"error": "Failed to send message: MissingSeparatorException: "
                                                   "Username must contain a '.'"}, status=400)
        if self.send_delay_s:
            await asyncio.sleep(self.send_delay_s)
        if self._failures:
            status = self._failures.pop(0)
            if status == 429:
                return web.json_response({"error": "Failed to send message due to rate limiting. Use the attached "
                                                   "challenge tokens to lift the rate limit.",
                                          "challenge_tokens": ["challenge-token-1"], "account": self.number},
                                         status=429)
            return web.json_response({"error": "Failed to send message"}, status=status)
        ts = next_ts()
        self.sends.append({**body, "timestamp": ts})
        return web.json_response([{"timestamp": str(ts)}], status=201)

    async def _react(self, request: web.Request) -> web.Response:
        self._log(request)
        body = await self._body(request)
        if (not isinstance(body, dict) or self._bad_number(request) or not body.get("recipient")
                or not body.get("target_author") or not body.get("timestamp")
                or (request.method == "POST" and not body.get("reaction"))):
            return web.json_response({"error": "Couldn't process request - invalid request"}, status=400)
        if not self._valid_recipient(str(body["recipient"])):
            return web.json_response({"error": "Failed to send reaction"}, status=400)
        self.reactions.append({**body, "method": request.method})
        return web.Response(status=204)

    async def _typing(self, request: web.Request) -> web.Response:
        self._log(request)
        body = await self._body(request)
        if not isinstance(body, dict) or not body.get("recipient"):
            return web.json_response({"error": "Couldn't process request - invalid request"}, status=400)
        self.typing.append((request.method, body))
        return web.Response(status=204)

    async def _receipt(self, request: web.Request) -> web.Response:
        self._log(request)
        body = await self._body(request)
        if not isinstance(body, dict) or body.get("receipt_type") not in ("read", "viewed"):
            return web.json_response({"error": "Couldn't process request - invalid receipt type"}, status=400)
        self.receipts.append(body)
        return web.Response(status=204)

    async def _remote_delete(self, request: web.Request) -> web.Response:
        self._log(request)
        return web.json_response({"timestamp": str(next_ts())}, status=201)

    async def _attachment(self, request: web.Request) -> web.Response:
        self._log(request)
        return web.json_response({"error": "attachment not found"}, status=404)

    async def _no_content(self, request: web.Request) -> web.Response:
        self._log(request)
        return web.Response(status=204)

    async def _challenge(self, request: web.Request) -> web.Response:
        self._log(request)
        self._failures = [s for s in self._failures if s != 429]
        return web.Response(status=204)


def wait_until(predicate: Callable[[], Any], timeout: float = 10.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.02)
