"""Who may open the map, over HTTP on the real server: a personal link stops working when it expires, and
never worked for someone who is not an admin or a verifier; a session cookie is checked the same way."""

from __future__ import annotations

import re
import time

import httpx

from alertrelay.bot.map.access import Signer
from alertrelay.bot.map.web import COOKIE
from tests.conftest import Relay
from tests.map.map_harness import MapServer

ADMIN = "+16125559001"


def admin_link(relay: Relay) -> str:
    relay.send("/map", sender=ADMIN, channel="whatsapp", minutes=0)
    found = re.search(r"/map\?k=(\S+)", relay.answers()[-1]["text"])
    assert found
    return found.group(1)


def test_links_expire_and_need_a_role(map_relay: Relay, map_server: MapServer, http: httpx.Client) -> None:
    signer = Signer(map_server.ctx.settings.secret_bytes())
    who = signer.verify(admin_link(map_relay), "link", time.time())
    assert who is not None
    expired = signer.sign(who[0], time.time() - 1, "link")
    assert http.get("/map", params={"k": expired}, follow_redirects=False).status_code == 403
    stranger = signer.sign("r0000000", time.time() + 3600, "link")  # well signed, but no admin or verifier
    assert http.get("/map", params={"k": stranger}, follow_redirects=False).status_code == 403
    as_link = signer.sign(who[0], time.time() + 3600, "link")  # a link is not a session cookie
    assert http.get("/map/data.json", cookies={COOKIE: as_link}).status_code == 403
    stranger_session = signer.sign("r0000000", time.time() + 3600, "session")
    assert http.get("/map/data.json", cookies={COOKIE: stranger_session}).status_code == 403
    opened = http.get("/map", params={"k": as_link}, follow_redirects=False)
    assert opened.status_code == 303 and "HttpOnly" in opened.headers["set-cookie"]
    assert http.get("/map/data.json", cookies=opened.cookies).status_code == 200
