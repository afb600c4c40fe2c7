"""The coordinator map in headless Chromium (Debian's package, driven by Playwright), against the real
server over a real Redis: no token no data, the verified incident appears within 5 s of the alert and
turns to cleared after the all-clear without a reload, and the page never holds a phone number."""

from __future__ import annotations

import os
import re
import shutil
import time
from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import Relay
from tests.map.map_harness import MAP_TOKEN, MapServer

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
if not os.path.exists(CHROMIUM):
    if not os.environ.get("CI"):
        pytest.skip("Debian's chromium is not installed (apt-get install chromium); CI installs it",
                    allow_module_level=True)
    raise RuntimeError(f"CI: the map test needs {CHROMIUM} (.ci/run installs it)")

from playwright.sync_api import Browser, Page, sync_playwright  # noqa: E402

REPORT_A = "ICE at Franklin & Chicago rn, 2 unmarked SUVs by the bus stop, agents asking people for ID"
REPORT_B = "la migra en la franklin con chicago, estan parando a la gente, 2 camionetas sin placas"
NUMBERS = ("+16125550011", "+16125550012", "+16125550013", "+16125559001")
ADMIN = "+16125559001"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1200, "height": 800})
    yield context.new_page()
    context.close()


def no_numbers(text: str) -> None:
    digits = re.sub(r"\D", "", text)
    for number in NUMBERS:
        assert number[2:] not in digits and number[-7:] not in text


def test_no_token_no_data(page: Page, map_relay: Relay, map_server: MapServer, http: httpx.Client) -> None:
    map_relay.send(REPORT_A, sender="+16125550011", group="franklin-en", minutes=0)
    map_relay.send(REPORT_B, sender="+16125550012", channel="whatsapp", minutes=3)
    response = page.goto(f"{map_server.url}/map")
    assert response is not None and response.status == 403
    source = page.content()
    assert "data-incident-id" not in source and "a1" not in source and "Franklin" not in source
    page.goto(f"{map_server.url}/map?token=wrong")
    assert "data-incident-id" not in page.content()
    for path in ("/map/data.json", "/map/events", "/map/areas.geojson", "/map/why/i1.json"):
        assert http.get(path).status_code == 403, path
    assert http.get("/map/data.json", cookies={"alertrelay_map": "x.y"}).status_code == 403


def test_live_verified_then_cleared_without_reload(page: Page, map_relay: Relay, map_server: MapServer) -> None:
    response = page.goto(f"{map_server.url}/map?token={MAP_TOKEN}")
    assert response is not None and response.status == 200 and page.url.endswith("/map")  # token not kept in the URL
    page.wait_for_selector("#status:has-text('Live')")
    page.evaluate("window.__sameLoad = 1")

    map_relay.send(REPORT_A, sender="+16125550011", group="franklin-en", minutes=0)
    page.wait_for_selector('#incidents li[data-incident-id="i1"][data-state="pending"]', timeout=5000)
    map_relay.send(REPORT_B, sender="+16125550012", channel="whatsapp", minutes=3)
    alerted = time.monotonic()
    item = page.wait_for_selector('#incidents li[data-incident-id="i1"][data-state="verified"][data-alert-id="a1"]',
                                  timeout=5000)
    assert time.monotonic() - alerted < 5
    assert item is not None and "2 independent reports" in item.inner_text()
    assert page.query_selector('.leaflet-marker-icon[data-incident-id="i1"][data-state="verified"]') is not None
    assert "franklin-en" in item.inner_text()

    item.click()  # its /why: pseudonyms and times, never a number
    why = page.wait_for_selector("#why:not([hidden]) li")
    assert why is not None and "first-hand report" in page.inner_text("#why")
    no_numbers(page.inner_text("#why"))

    map_relay.send("they left franklin & chicago", sender="+16125550013", group="franklin-en", minutes=20)
    map_relay.send("ya se fueron", sender="+16125550012", channel="whatsapp", minutes=21)
    page.wait_for_selector('#incidents li[data-incident-id="i1"][data-state="cleared"]', timeout=5000)
    assert page.evaluate("window.__sameLoad") == 1  # no reload
    assert "alert" in page.inner_text('#incidents li[data-incident-id="i1"]')
    no_numbers(page.content())
    # Spanish, and the list without the map (screen readers, phones)
    page.click("#lang")
    assert "despejado" in page.inner_text('#incidents li[data-incident-id="i1"]')
    page.click("#toggle-map")
    assert not page.is_visible("#map") and page.is_visible('#incidents li[data-incident-id="i1"] button')


def test_a_map_link_from_chat_opens_a_session(page: Page, map_relay: Relay, map_server: MapServer) -> None:
    map_relay.send("/map", sender="+16125550011", channel="whatsapp", minutes=0)
    assert map_relay.answers()[-1]["text"].startswith("Only verifiers")
    map_relay.send("/mapa", sender=ADMIN, channel="whatsapp", minutes=1)
    text = map_relay.answers()[-1]["text"]
    link = re.search(r"http\S+/map\?k=\S+", text)
    assert link and text.startswith("Su enlace al mapa")
    path = link.group(0).split("/map", 1)[1]
    tampered = path[:-3] + ("AAA" if not path.endswith("AAA") else "BBB")
    assert page.goto(f"{map_server.url}/map{tampered}").status == 403  # type: ignore[union-attr]
    assert page.goto(f"{map_server.url}/map{path}").status == 200  # type: ignore[union-attr]
    page.wait_for_selector("#status:has-text('Live')")
    map_relay.send("/map", sender=ADMIN, group="franklin-en", minutes=2)  # in a group: never a link
    assert "/map?k=" not in map_relay.out[-1]["text"]


STREETS_DRAWN = """() => {
  const canvas = document.querySelector('.leaflet-streets-pane canvas');
  if (!canvas || !canvas.width) { return false; }
  const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  for (let i = 3; i < pixels.length; i += 4) { if (pixels[i]) { return true; } }
  return false;
}"""


def test_street_centre_lines_are_drawn_by_default(page: Page, map_server: MapServer) -> None:
    with page.expect_response(lambda r: r.url.endswith("/map/static/streets.geojson")) as streets:
        page.goto(f"{map_server.url}/map?token={MAP_TOKEN}")
    assert streets.value.status == 200
    page.wait_for_function(STREETS_DRAWN, timeout=5000)  # on one canvas under the areas, no tile server needed
    assert "City of Minneapolis" in page.inner_text(".leaflet-control-attribution")
    overlays = page.text_content(".leaflet-control-layers-overlays") or ""  # the layer switch (folded)
    assert "Streets" in overlays and "Group areas" in overlays


def test_a_configured_tile_layer_replaces_the_streets(page: Page, map_server: MapServer) -> None:
    map_server.ctx.settings = map_server.ctx.settings.model_copy(update={
        "map_tiles_url": f"{map_server.url}/tiles/{{z}}/{{x}}/{{y}}.png", "map_tiles_attribution": "Our tiles"})
    page.goto(f"{map_server.url}/map?token={MAP_TOKEN}")
    page.wait_for_selector(".leaflet-tile-pane img", state="attached", timeout=5000)
    page.wait_for_selector(".leaflet-control-attribution:has-text('Our tiles')")
    boxes = page.evaluate("""() => Array.from(document.querySelectorAll('.leaflet-control-layers-overlays label'))
      .map(l => [l.textContent.trim(), l.querySelector('input').checked])""")
    assert ["Streets", False] in boxes and ["Base map", True] in boxes and ["Group areas", True] in boxes
    assert not page.evaluate(STREETS_DRAWN)
