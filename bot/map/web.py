"""HTTP routes of the coordinator map (/map …) and the open feeds (/feeds …) on the bot's server.

One poller per process reads what changed in Redis (bot/map/reader.py: one GET while nothing changes) and
wakes the map's server-sent-event streams; viewers never make the server read Redis per viewer. Static
files (Leaflet 1.9.4 from npm, our page) are served from the package, gzipped once in memory: no CDN.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import logging
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import web

from alertrelay.bot.map import access
from alertrelay.bot.map.areas import AreaBook
from alertrelay.bot.map.cap import CapMessage, alerts_geojson, atom_xml, cap_xml, messages
from alertrelay.bot.map.reader import MapState
from alertrelay.bot.server import BotContext

log = logging.getLogger(__name__)

STATIC = Path(__file__).parent / "static"
COOKIE = "alertrelay_map"
POLL_S = 0.5
KEEPALIVE_S = 15.0
MAP_KEEP_CLOSED_S = 12 * 3600
"""Cleared, expired and retracted incidents stay on the map this long after their last event."""
MAX_STREAMS = 200
CONTENT_TYPES = {".js": "application/javascript", ".css": "text/css", ".png": "image/png",
                 ".html": "text/html; charset=utf-8", ".geojson": "application/geo+json"}
FORBIDDEN_PAGE = """<!doctype html><html lang="en"><meta charset="utf-8"><title>alertrelay map</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<p>This map is for the network's admins and verifiers. Send <b>/map</b> to the bot in a direct message
for a personal link.</p>
<p lang="es">Este mapa es para los administradores y verificadores de la red. Mande <b>/mapa</b> al bot en
un mensaje directo para recibir un enlace personal.</p></html>"""


def _static_files() -> dict[str, tuple[bytes, bytes]]:
    """name -> (raw bytes, gzipped bytes), under static/ (images/ too). A file shipped gzipped
    (streets.geojson.gz) is served under its name without .gz, as it is."""
    out = {}
    for path in sorted(STATIC.rglob("*")):
        name = path.relative_to(STATIC).as_posix()
        if path.is_file() and path.suffix == ".gz" and Path(path.stem).suffix in CONTENT_TYPES:
            packed = path.read_bytes()
            out[name.removesuffix(".gz")] = (gzip.decompress(packed), packed)
        elif path.is_file() and path.suffix in CONTENT_TYPES:
            raw = path.read_bytes()
            out[name] = (raw, gzip.compress(raw, 9, mtime=0))
    return out


def _respond(request: web.Request, raw: bytes, content_type: str, status: int = 200,
             headers: dict[str, str] | None = None, packed: bytes | None = None) -> web.Response:
    headers = dict(headers or {})
    body = raw
    if "gzip" in request.headers.get("Accept-Encoding", "") and (packed is not None or len(raw) > 1024):
        body = packed if packed is not None else gzip.compress(raw, 6)
        headers["Content-Encoding"] = "gzip"
        headers["Vary"] = "Accept-Encoding"
    return web.Response(body=body, status=status, content_type=content_type.split(";")[0],
                        charset="utf-8" if "charset" in content_type else None, headers=headers)


def _json(request: web.Request, data: object, **kw: dict[str, str]) -> web.Response:
    raw = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
    return _respond(request, raw, "application/json", headers={"Cache-Control": "no-store", **kw.get("headers", {})})


@dataclass
class MapService:
    ctx: BotContext
    book: AreaBook
    why_words: dict[str, tuple[str, str]]
    kind_words: dict[str, tuple[str, str]]
    clock: Callable[[], float] = time.time
    """Now, for ages and the feeds' 24 h: the wall clock, or a drill's last message time."""
    wall: Callable[[], float] = time.time
    """Now, for link and session expiry."""
    state: MapState = field(init=False)
    changed: asyncio.Condition = field(init=False)
    streams: int = 0
    closing: bool = False
    static: dict[str, tuple[bytes, bytes]] = field(default_factory=_static_files)

    def __post_init__(self) -> None:
        self.state = MapState(self.ctx.conn, self.ctx.settings.quiet_period_s)
        self.signer = access.Signer(self.ctx.settings.secret_bytes())
        self.refresh_lock = asyncio.Lock()
        self.changed = asyncio.Condition()

    # --- data ------------------------------------------------------------------------------------------

    def _refresh(self) -> bool:
        books = self.book.refresh()
        return self.state.refresh() or books

    async def refresh(self) -> bool:
        async with self.refresh_lock:
            changed = await asyncio.to_thread(self._refresh)
        if changed:
            async with self.changed:
                self.changed.notify_all()
        return changed

    async def poll(self) -> None:
        while True:
            try:
                await self.refresh()
            except RuntimeError:  # the interpreter is shutting down (no more threads): stop quietly
                return
            except Exception:
                log.warning("map: reading incidents failed; retrying", exc_info=True)
            await asyncio.sleep(POLL_S)

    def snapshot(self) -> dict[str, Any]:
        now = self.clock()
        items = []
        for r in self.state.recent(now, MAP_KEEP_CLOSED_S):
            items.append({
                "id": r.id, "alert_id": r.alert_id, "state": r.state, "disputed": r.disputed,
                "lat": r.shown_lat, "lon": r.shown_lon, "place": r.place,
                "neighbourhood": r.neighbourhood or r.area_name, "first_at": r.first_at,
                "last_report_at": r.last_report_at, "reports": r.reports, "by_verifier": r.by_verifier,
                "groups": list(r.groups),
                "lifecycle": [{"kind": s.kind, "at": s.at, "reports": s.reports} for s in r.lifecycle()],
            })
        settings = self.ctx.settings
        return {"now": now, "version": self.state.version, "exercise": self.state.exercise, "incidents": items,
                "tiles": {"url": settings.map_tiles_url, "attribution": settings.map_tiles_attribution}
                if settings.map_tiles_url else None}

    def why(self, incident_id: str) -> list[dict[str, Any]] | None:
        """The decision log behind /why (pseudonyms, times, reasons), as the chat command words it."""
        from alertrelay.bot import keys

        raw = self.ctx.conn.lrange(keys.incident_why(incident_id), 0, -1)
        if not raw:
            return None
        out: list[dict[str, Any]] = []
        for e in map(json.loads, raw):
            words = self.why_words.get(e.get("w", ""), (e.get("w", "?"), e.get("w", "?")))
            kind = self.kind_words.get(e.get("k", ""))
            if kind and e.get("w") not in ("all_clear", "dispute"):
                words = (f"{kind[0]}, {words[0]}", f"{kind[1]}, {words[1]}")
            out.append({"who": str(e.get("r", ""))[:9], "at": float(e["t"]), "counted": bool(e.get("c")),
                        "first_time": bool(e.get("n")), "en": words[0], "es": words[1]})
        return out

    # --- access ----------------------------------------------------------------------------------------

    def _secure(self) -> bool:
        return (self.ctx.settings.public_url or "").startswith("https://")

    async def viewer(self, request: web.Request) -> str | None:
        found = self.signer.verify(request.cookies.get(COOKIE), "session", self.wall())
        if found is None:
            return None
        who = found[0]
        if not await asyncio.to_thread(access.may_see_map, self.ctx.conn, who):
            return None
        return who

    def _open_session(self, who: str, expires_at: float) -> web.Response:
        response = web.HTTPSeeOther("/map")
        response.set_cookie(COOKIE, self.signer.sign(who, expires_at, "session"), httponly=True,
                            samesite="Strict", secure=self._secure(), path="/",
                            max_age=max(1, int(expires_at - self.wall())))
        response.headers["Cache-Control"] = "no-store"
        response.headers["Referrer-Policy"] = "no-referrer"
        return response

    def link_for(self, who: str, base_url: str) -> str:
        """A personal map link (what /map sends in chat), valid for map_link_ttl_s."""
        token = self.signer.sign(who, self.wall() + self.ctx.settings.map_link_ttl_s, "link")
        return f"{base_url.rstrip('/')}/map?k={token}"

    def _forbidden(self, request: web.Request) -> web.Response:
        return _respond(request, FORBIDDEN_PAGE.encode(), "text/html; charset=utf-8", status=403,
                        headers={"Cache-Control": "no-store"})

    # --- handlers --------------------------------------------------------------------------------------

    async def page(self, request: web.Request) -> web.StreamResponse:
        settings = self.ctx.settings
        link = request.query.get("k")
        token = request.query.get("token")
        if link:
            found = self.signer.verify(link, "link", self.wall())
            if found:
                allowed = await asyncio.to_thread(access.may_see_map, self.ctx.conn, found[0])
                if allowed:
                    return self._open_session(*found)
            log.info("map: refused an invalid or expired link")
            return self._forbidden(request)
        if token:
            expected = settings.map_token.get_secret_value() if settings.map_token else None
            if access.token_matches(token, expected):
                return self._open_session(access.DASHBOARD, self.wall() + settings.map_link_ttl_s)
            log.info("map: refused a wrong dashboard token")
            return self._forbidden(request)
        if await self.viewer(request) is None:
            return self._forbidden(request)
        raw, packed = self.static["map.html"]
        return _respond(request, raw, CONTENT_TYPES[".html"], packed=packed,
                        headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"})

    async def static_file(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        if name not in self.static or name == "map.html":
            raise web.HTTPNotFound()
        raw, packed = self.static[name]
        return _respond(request, raw, CONTENT_TYPES[Path(name).suffix], packed=packed,
                        headers={"Cache-Control": "public, max-age=86400"})

    async def data(self, request: web.Request) -> web.Response:
        if await self.viewer(request) is None:
            raise web.HTTPForbidden()
        await self.refresh()
        return _json(request, self.snapshot())

    async def outlines(self, request: web.Request) -> web.Response:
        if await self.viewer(request) is None:
            raise web.HTTPForbidden()
        await self.refresh()
        return _json(request, self.book.outlines())

    async def why_handler(self, request: web.Request) -> web.Response:
        if await self.viewer(request) is None:
            raise web.HTTPForbidden()
        incident_id = request.match_info["incident"]
        if not incident_id[:1] == "i" or not incident_id[1:].isdigit():
            raise web.HTTPNotFound()
        entries = await asyncio.to_thread(self.why, incident_id)
        if entries is None:
            raise web.HTTPNotFound()
        return _json(request, {"incident": incident_id, "entries": entries})

    async def events(self, request: web.Request) -> web.StreamResponse:
        if await self.viewer(request) is None:
            raise web.HTTPForbidden()
        if self.streams >= MAX_STREAMS:
            raise web.HTTPServiceUnavailable(text="too many map viewers")
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-store",
                                               "X-Accel-Buffering": "no"})
        await response.prepare(request)
        self.streams += 1
        try:
            sent = -1
            while not self.closing:
                if self.state.version != sent:
                    sent = self.state.version
                    payload = json.dumps(self.snapshot(), ensure_ascii=False, separators=(",", ":"))
                    await response.write(f"event: snapshot\ndata: {payload}\n\n".encode())

                def moved(seen: int = sent) -> bool:  # bound now: `sent` is the loop's
                    return self.state.version != seen or self.closing

                async with self.changed:
                    try:
                        await asyncio.wait_for(self.changed.wait_for(moved), KEEPALIVE_S)
                    except TimeoutError:
                        await response.write(b": keepalive\n\n")
        except (ConnectionResetError, asyncio.CancelledError):
            pass
        finally:
            self.streams -= 1
        return response

    # --- feeds -----------------------------------------------------------------------------------------

    async def _feed_allowed(self, request: web.Request) -> None:
        settings = self.ctx.settings
        mode = await asyncio.to_thread(access.feeds_mode, self.ctx.conn, settings.feeds)
        if mode == "off":
            raise web.HTTPNotFound(text="feeds are off")
        if mode == "token":
            given = request.query.get("token")
            header = request.headers.get("Authorization", "")
            if header.lower().startswith("bearer "):
                given = header[7:].strip()
            expected = settings.map_token.get_secret_value() if settings.map_token else None
            if not access.token_matches(given, expected):
                raise web.HTTPForbidden(text="a valid token is needed (?token= or Authorization: Bearer)")
        await self.refresh()

    def _base_url(self, request: web.Request) -> str:
        return (self.ctx.settings.public_url or f"{request.scheme}://{request.host}").rstrip("/")

    def _sender(self, request: web.Request) -> str:
        host = self._base_url(request).split("://", 1)[-1].split("/")[0].split(":")[0] or "localhost"
        return f"alertrelay@{host}"

    def _all_messages(self) -> list[CapMessage]:
        return [m for r in self.state.incidents.values() for m in messages(r)]

    async def cap_atom(self, request: web.Request) -> web.Response:
        await self._feed_allowed(request)
        body = atom_xml(self._all_messages(), now=self.clock(), base_url=self._base_url(request),
                        sender=self._sender(request))
        return _respond(request, body, "application/atom+xml", headers=_feed_headers())

    async def cap_message(self, request: web.Request) -> web.Response:
        await self._feed_allowed(request)
        wanted = request.match_info["message"]
        for m in self._all_messages():
            if m.identifier == wanted:
                body = cap_xml(m, self.book, sender=self._sender(request), exercise=self.state.exercise,
                               quiet_period_s=self.ctx.settings.quiet_period_s)
                return _respond(request, body, "application/cap+xml", headers=_feed_headers())
        raise web.HTTPNotFound(text="no such CAP message")

    async def geojson(self, request: web.Request) -> web.Response:
        await self._feed_allowed(request)
        data = alerts_geojson(list(self.state.incidents.values()), self.book)
        raw = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
        return _respond(request, raw, "application/geo+json", headers=_feed_headers())


def _feed_headers() -> dict[str, str]:
    return {"Access-Control-Allow-Origin": "*", "Cache-Control": "max-age=15"}


def register(app: web.Application, service: MapService) -> None:
    app.router.add_get("/map", service.page)
    app.router.add_get("/map/data.json", service.data)
    app.router.add_get("/map/areas.geojson", service.outlines)
    app.router.add_get("/map/events", service.events)
    app.router.add_get(r"/map/why/{incident}.json", service.why_handler)
    app.router.add_get(r"/map/static/{name:.+}", service.static_file)
    app.router.add_get("/feeds/cap.atom", service.cap_atom)
    app.router.add_get(r"/feeds/cap/{message:[a-z0-9-]+}.xml", service.cap_message)
    app.router.add_get("/feeds/alerts.geojson", service.geojson)

    async def start(app: web.Application) -> AsyncIterator[None]:
        task = asyncio.create_task(service.poll())
        yield
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)

    async def close_streams(app: web.Application) -> None:
        # the server is stopping: end every event stream now, or shutdown waits for viewers to leave
        service.closing = True
        async with service.changed:
            service.changed.notify_all()

    app.cleanup_ctx.append(start)
    app.on_shutdown.append(close_streams)
