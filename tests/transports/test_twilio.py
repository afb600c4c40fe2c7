"""WhatsApp/SMS through Twilio, end to end: signed webhooks into the real HTTP server, the pipeline in a
burst rq worker, the real twilio client against a fake REST API (tests/fakes/twilio_api.py).

Groups (config/example.areas.toml): WhatsApp lists sur-es (+16125559101, 9102; around 38th & Chicago) and
eastside-es (+16515559201, 9202, 9203; around Payne & Maryland)."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator

import pytest
import redis
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from alertrelay.bot.ingest import message_key
from alertrelay.bot.keys import twilio as tk
from alertrelay.bot.transports import twilio_inbound, twilio_limits, twilio_sender, twilio_status
from alertrelay.bot.transports.keywords import route_keyword
from alertrelay.config.settings import Settings
from tests.transports.twilio_harness import ACCOUNT, TEMPLATE_ES, TwilioRelay, keys_snapshot

SUR = ["whatsapp:+16125559101", "whatsapp:+16125559102"]
EAST = ["whatsapp:+16515559201", "whatsapp:+16515559202", "whatsapp:+16515559203"]
SUR_1 = ("la migra en la 38 y chicago, 3 camionetas", "+16125550011")
SUR_2 = ("ICE at 38th St & Chicago Ave right now, agents detaining someone", "+16125550012")
EAST_1 = ("ICE at Payne & Maryland, 3 unmarked SUVs", "+16515550021")
EAST_2 = ("migra en payne y maryland ahorita, agentes", "+16515550022")
PIN_38_CHICAGO = {"Latitude": "44.93445", "Longitude": "-93.26256", "MessageType": "location"}


@pytest.fixture
def tr(settings: Settings, conn: redis.Redis) -> Iterator[TwilioRelay]:
    relay = TwilioRelay(settings, conn)
    yield relay
    relay.close()


def processed(tr: TwilioRelay) -> int:
    """Messages the pipeline has processed (the inbox stream deletes them once done)."""
    return int(tr.conn.get("relay:stats:processed") or 0)


def alerts_to(tr: TwilioRelay) -> Counter[str]:
    return Counter(s.to for s in tr.sent("alert"))


# ------------------------------------------------------------------------------------------ end to end

def test_two_independent_reports_reach_every_member_of_each_list_once(tr: TwilioRelay) -> None:
    for text, sender in (SUR_1, SUR_2, EAST_1, EAST_2):
        response = tr.whatsapp(text, sender=sender)
        assert response.status_code == 200 and response.text.endswith("<Response />")
        assert response.headers["Content-Type"].startswith("text/xml")
    assert alerts_to(tr) == Counter(SUR + EAST)
    tr.work()
    assert alerts_to(tr) == Counter(SUR + EAST)  # nothing is sent twice
    first = tr.sent("alert")[0]
    # members never wrote to the bot: outside the 24-hour window, so the approved template goes out
    assert first.form["ContentSid"] == TEMPLATE_ES and "Body" not in first.form
    assert json.loads(first.form["ContentVariables"])["1"]
    assert first.form["ValidityPeriod"] == "1800" and first.form["From"] == "whatsapp:+14155238886"
    assert first.form["StatusCallback"].startswith("https://relay.example.org/twilio/status?")
    # reporters wrote in the last minute: their acknowledgements are free text
    replies = {s.to: s.form["Body"] for s in tr.sent("reply")}
    assert set(replies) == {f"whatsapp:{s}" for _, s in (SUR_1, SUR_2, EAST_1, EAST_2)}


def test_a_reply_to_an_alert_counts_against_its_incident(tr: TwilioRelay) -> None:
    tr.whatsapp(*SUR_1[:1], sender=SUR_1[1])
    tr.whatsapp(*SUR_2[:1], sender=SUR_2[1])
    alert = tr.sent("alert")[0]
    # the member swipe-replies to the alert they got
    tr.whatsapp("ya se fueron, todo tranquilo", sender=alert.to.split(":")[1], OriginalRepliedMessageSid=alert.sid)
    assert tr.conn.hget(tk.sent_message(alert.sid), "alert") == b"a1"
    # the sender handed the MessageSid back, so delivery could map a quote of it to the incident
    incident = tr.conn.get("relay:ref:" + message_key("whatsapp", alert.sid))
    assert incident is not None and tr.conn.exists(f"relay:incident:{incident.decode()}")
    assert processed(tr) == 3


def test_the_same_message_sid_three_times_counts_once(tr: TwilioRelay) -> None:
    sid = "SM" + "ab" * 16
    results = []
    threads = [threading.Thread(target=lambda: results.append(tr.whatsapp(SUR_1[0], sender=SUR_1[1], sid=sid,
                                                                          work=False)))
               for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [r.status_code for r in results] == [200, 200, 200]
    tr.work()
    assert processed(tr) == 1
    assert len(tr.sent("reply")) == 1
    # a keyword redelivered is acted on once too
    stop_sid = "SM" + "cd" * 16
    for _ in range(3):
        tr.whatsapp("STOP", sender="+16125559101", sid=stop_sid)
    assert processed(tr) == 1


def test_a_bad_signature_gets_403_and_leaves_no_trace(tr: TwilioRelay) -> None:
    before = keys_snapshot(tr.conn)
    sid = "SM" + "ef" * 16
    params = {"MessageSid": sid, "From": "whatsapp:+16125550011", "To": "whatsapp:+14155238886",
              "Body": SUR_1[0], "AccountSid": ACCOUNT, "NumMedia": "0"}
    good = tr.sign("/twilio/inbound", params)
    attempts = [
        tr.post(params, signature="not-a-signature"),
        tr.post(params, signature=""),
        tr.post({**params, "Body": "ICE at Lake & Hiawatha"}, signature=good),      # a field changed
        tr.post({**params, "Extra": "1"}, signature=good),                          # a field added
        tr.post(params, signature=tr.sign("/twilio/inbound/", params)),             # another URL
        tr.post(params, signature=good, path="/twilio/status"),                     # another endpoint
        tr.http.post("/twilio/inbound?x=1", data=params, headers={"X-Twilio-Signature": good}),  # query added
        tr.post(params, signature=good.encode("utf-8").hex()),
    ]
    assert [a.status_code for a in attempts] == [403] * len(attempts)
    assert all(a.content == b"" for a in attempts)
    assert keys_snapshot(tr.conn) == before and tr.api.requests == 0
    assert tr.post(params, signature=good).status_code == 200  # the genuine one still goes through


def test_stop_stops_alerts_to_that_member_and_start_resumes(tr: TwilioRelay) -> None:
    response = tr.whatsapp("  Stop. ", sender="+16125559101")
    assert "<Message>" in response.text and "START" in response.text
    assert processed(tr) == 0  # a keyword never reaches the report parser
    tr.whatsapp(*SUR_1[:1], sender=SUR_1[1])
    tr.whatsapp(*SUR_2[:1], sender=SUR_2[1])
    assert alerts_to(tr) == Counter(["whatsapp:+16125559102"])
    assert twilio_limits.is_suppressed(tr.conn, tr.rt.identity, "whatsapp:+16125559101")
    assert not twilio_limits.is_suppressed(tr.conn, tr.rt.identity, "+16125559101", "sms")

    tr.whatsapp("COMENZAR", sender="+16125559101")
    tr.whatsapp(*EAST_1[:1], sender=EAST_1[1])
    assert not twilio_limits.is_suppressed(tr.conn, tr.rt.identity, "whatsapp:+16125559101")


def test_sms_stop_is_recorded_without_a_reply_of_our_own(tr: TwilioRelay) -> None:
    response = tr.sms("STOP", sender="+16125559101")
    assert response.text.endswith("<Response />")  # Twilio's STOP filtering answers on SMS
    assert twilio_limits.is_suppressed(tr.conn, tr.rt.identity, "+16125559101", "sms")
    assert tr.sms("ALTO por favor", sender="+16125550044").status_code == 200  # not a keyword: goes to ingest
    assert processed(tr) == 1


def test_a_location_pin_with_empty_text_is_a_report(tr: TwilioRelay) -> None:
    tr.whatsapp("", sender="+16125550031", **PIN_38_CHICAGO, Address="", Label="")
    tr.whatsapp("", sender="+16125550032", **PIN_38_CHICAGO)
    assert alerts_to(tr) == Counter(SUR)


def test_a_member_inside_the_window_gets_text_others_the_template(tr: TwilioRelay) -> None:
    tr.whatsapp("ayuda", sender="+16125559102")  # opens 9102's 24-hour window
    tr.whatsapp(*SUR_1[:1], sender=SUR_1[1])
    tr.whatsapp(*SUR_2[:1], sender=SUR_2[1])
    by_to = {s.to: s.form for s in tr.sent("alert")}
    assert "Body" in by_to["whatsapp:+16125559102"] and "ContentSid" not in by_to["whatsapp:+16125559102"]
    assert by_to["whatsapp:+16125559101"]["ContentSid"] == TEMPLATE_ES


def test_21610_suppresses_the_member_and_the_rest_still_get_it(tr: TwilioRelay) -> None:
    tr.api.fail["whatsapp:+16125559101"] = 21610
    tr.whatsapp(*SUR_1[:1], sender=SUR_1[1])
    tr.whatsapp(*SUR_2[:1], sender=SUR_2[1])
    assert alerts_to(tr) == Counter(["whatsapp:+16125559102"])
    assert twilio_limits.is_suppressed(tr.conn, tr.rt.identity, "+16125559101", "whatsapp")
    rejected = len(tr.api.rejected)
    tr.whatsapp(*EAST_1[:1], sender=EAST_1[1])
    tr.whatsapp("", sender="+16125550031", **PIN_38_CHICAGO)  # another report at the first incident
    assert len(tr.api.rejected) == rejected  # never asked again


def test_a_refused_member_does_not_hold_back_the_rest_of_the_list(tr: TwilioRelay) -> None:
    tr.api.fail["whatsapp:+16125559101"] = 21211  # invalid number: permanent, for this member only
    tr.whatsapp(*SUR_1[:1], sender=SUR_1[1])
    tr.whatsapp(*SUR_2[:1], sender=SUR_2[1])
    assert alerts_to(tr) == Counter(["whatsapp:+16125559102"])


def test_63016_at_create_falls_back_to_the_template(tr: TwilioRelay) -> None:
    tr.whatsapp("hola", sender="+16125559101")     # we think 9101's window is open, Twilio says it is not
    tr.api.window = {"whatsapp:" + SUR_1[1], "whatsapp:" + SUR_2[1]}
    tr.whatsapp(*SUR_1[:1], sender=SUR_1[1])
    tr.whatsapp(*SUR_2[:1], sender=SUR_2[1])
    assert [(code, form["To"]) for code, form in tr.api.rejected] == [(63016, "whatsapp:+16125559101")]
    by_to = {s.to: s.form for s in tr.sent("alert")}
    assert by_to.keys() == set(SUR) and all(f["ContentSid"] == TEMPLATE_ES for f in by_to.values())
    assert not tr.conn.exists(tk.window(tr.rt.identity.pseudonym("+16125559101")))


def test_63016_in_a_status_callback_resends_as_the_template(tr: TwilioRelay) -> None:
    tr.whatsapp("hola", sender="+16125559101")
    tr.whatsapp(*SUR_1[:1], sender=SUR_1[1])
    tr.whatsapp(*SUR_2[:1], sender=SUR_2[1])
    text = next(s for s in tr.sent("alert") if s.to == "whatsapp:+16125559101")
    assert "Body" in text.form
    assert tr.receipt(text, "failed", error=63016) == 200
    assert tr.receipt(text, "failed", error=63016) == 200  # repeated receipt: one resend
    tr.work()
    again = [s for s in tr.sent("alert") if s.to == "whatsapp:+16125559101"]
    assert len(again) == 2 and again[1].form["ContentSid"] == TEMPLATE_ES
    member = tr.rt.identity.pseudonym("+16125559101")
    tr.receipt(again[1], "delivered")
    report = twilio_status.delivery_report(tr.conn, "a1")[f"alert:{member}"]
    assert report["status"] == "delivered" and report["sid"] == again[1].sid
    tr.receipt(text, "undelivered", error=63016)  # a late receipt of the first attempt changes nothing
    assert twilio_status.delivery_report(tr.conn, "a1")[f"alert:{member}"]["status"] == "delivered"


def test_429_backs_off_and_retries(tr: TwilioRelay, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = Counter[str]()

    def busy_twice(form: dict[str, str]) -> int | None:
        calls[form["To"]] += 1
        return 20429 if calls[form["To"]] <= 2 else None

    tr.api.hook = busy_twice
    monkeypatch.setattr(twilio_sender.TwilioSender, "BACKOFF_S", 0.01)
    tr.whatsapp(*SUR_1[:1], sender=SUR_1[1])
    tr.whatsapp(*SUR_2[:1], sender=SUR_2[1])
    assert alerts_to(tr) == Counter(SUR)
    assert Counter(code for code, _ in tr.api.rejected)[20429] == 2 * 4  # 2 replies + 2 alerts, twice each


def test_63018_slows_the_sender_and_warns_admins(tr: TwilioRelay) -> None:
    tr.whatsapp(*SUR_1[:1], sender=SUR_1[1])
    tr.whatsapp(*SUR_2[:1], sender=SUR_2[1])
    sent = tr.sent("alert")[0]
    assert tr.receipt(sent, "failed", error=63018) == 200
    assert tr.conn.exists(tk.slowdown("whatsapp"))
    (warning,) = tr.conn.xrange(tk.WARNINGS)
    assert b"63018" in warning[1][b"text"]


def test_status_callbacks_are_idempotent_and_order_free(tr: TwilioRelay) -> None:
    tr.whatsapp(*SUR_1[:1], sender=SUR_1[1])
    tr.whatsapp(*SUR_2[:1], sender=SUR_2[1])
    sent = tr.sent("alert")[0]
    for status in ("delivered", "sent", "queued", "delivered", "read", "sent"):
        assert tr.receipt(sent, status) == 200
    member = sent.query["m"]
    assert twilio_status.delivery_report(tr.conn, "a1")[f"alert:{member}"]["status"] == "read"
    assert tr.conn.hget(tk.sent_message(sent.sid), "status") == b"read"
    # unsigned receipts are refused and change nothing
    forged = {"MessageSid": sent.sid, "MessageStatus": "failed", "ErrorCode": "21610"}
    assert tr.post(forged, path="/twilio/status", signature="x").status_code == 403
    assert not twilio_limits.is_suppressed(tr.conn, tr.rt.identity, sent.to)


def test_subscribe_and_unsubscribe_lists(tr: TwilioRelay) -> None:
    newcomer = "+16125550077"
    response = tr.whatsapp("SUSCRIBIR Powderhorn Park", sender=newcomer)
    assert "sur-es" in response.text
    tr.whatsapp(*SUR_1[:1], sender=SUR_1[1])
    tr.whatsapp(*SUR_2[:1], sender=SUR_2[1])
    assert alerts_to(tr)[f"whatsapp:{newcomer}"] == 1
    assert "sur-es" in tr.whatsapp("salir sur-es", sender=newcomer).text
    assert "eastside-es" in tr.whatsapp("subscribe nowhere", sender=newcomer).text  # lists the lists
    tr.whatsapp(*EAST_1[:1], sender=EAST_1[1])
    tr.whatsapp(*EAST_2[:1], sender=EAST_2[1])
    assert alerts_to(tr)[f"whatsapp:{newcomer}"] == 1
    assert processed(tr) == 4  # keywords never reached the report parser


@pytest.mark.parametrize("text,channel,action", [
    ("STOP", "whatsapp", "stop"), ("alto!", "whatsapp", "stop"), ("Unsubscribe", "sms", "stop"),
    ("start", "whatsapp", "start"), ("YES", "sms", "start"), ("yes", "whatsapp", None),
    ("AYUDA", "whatsapp", "help"), ("info", "sms", "help"), ("stop them at lake st", "whatsapp", None),
    ("Suscribir Powderhorn Park", "whatsapp", "subscribe"), ("salir", "whatsapp", "unsubscribe"),
    ("\u202estop\u200b", "whatsapp", "stop"), ("", "whatsapp", None), ("ICE at Lake & Chicago", "sms", None),
])
def test_keyword_router(text: str, channel: str, action: str | None) -> None:
    keyword = route_keyword(text, channel=channel)
    assert (keyword.action if keyword else None) == action


# ------------------------------------------------------------------------------------------ hostile input

def test_hostile_requests_get_4xx_fast_and_change_nothing(tr: TwilioRelay, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(twilio_inbound, "BODY_READ_TIMEOUT_S", 0.5)
    base = {"MessageSid": "SM" + "12" * 16, "From": "whatsapp:+16125550011", "To": "whatsapp:+14155238886",
            "AccountSid": ACCOUNT, "Body": "hola"}
    sig = tr.sign("/twilio/inbound", base)
    headers = {"X-Twilio-Signature": sig}
    started = time.monotonic()
    statuses = {
        "json": tr.http.post("/twilio/inbound", json=base, headers=headers).status_code,
        "text/plain": tr.http.post("/twilio/inbound", content=b"Body=x", headers={
            **headers, "Content-Type": "text/plain"}).status_code,
        "invalid utf-8": tr.http.post("/twilio/inbound", content=b"Body=%ff%fe&From=\xff", headers={
            **headers, "Content-Type": "application/x-www-form-urlencoded"}).status_code,
        "5 MB": tr.http.post("/twilio/inbound", content=b"Body=" + b"a" * (5 * 1024 * 1024), headers={
            **headers, "Content-Type": "application/x-www-form-urlencoded"}).status_code,
        "many fields": tr.http.post("/twilio/inbound", content="&".join(f"f{i}=1" for i in range(5000)).encode(),
                                    headers={**headers, "Content-Type": "application/x-www-form-urlencoded"}
                                    ).status_code,
    }
    signed = {
        "no MessageSid": {k: v for k, v in base.items() if k != "MessageSid"},
        "no From": {k: v for k, v in base.items() if k != "From"},
        "From not a number": {**base, "From": "whatsapp:alice"},
        "nothing": {},
    }
    for name, params in signed.items():
        statuses[name] = tr.post(params).status_code
    # a body that never finishes arriving
    with socket.create_connection(("127.0.0.1", tr.server.port), timeout=5) as raw:
        raw.sendall(b"POST /twilio/inbound HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                    b"X-Twilio-Signature: " + sig.encode() + b"\r\nContent-Length: 1000\r\n\r\nBody=slow")
        statuses["slow body"] = int(raw.recv(100).split()[1])
    assert statuses == {"json": 415, "text/plain": 415, "invalid utf-8": 400, "5 MB": 413, "many fields": 400,
                        "no MessageSid": 400, "no From": 400, "From not a number": 400, "nothing": 415,
                        "slow body": 408}
    assert time.monotonic() - started < 10
    tr.work()
    assert tr.api.requests == 0 and not tr.conn.exists("relay:inbox")


def test_odd_but_signed_fields_are_accepted_safely(tr: TwilioRelay) -> None:
    odd = [
        {"Body": "x" * 64 * 1024},
        {"Body": "", "Latitude": "nan", "Longitude": "-93.26"},
        {"Body": "", "Latitude": "1e999", "Longitude": "-1e999"},
        {"Body": "", "Latitude": "91", "Longitude": "-93.26", "MessageType": "location"},
        {"Body": "", "Latitude": "44.93,5", "Longitude": "abc"},
        {"Body": "\u202eICE at 38th & Chicago\u202c\u200b\u2066", "NumMedia": "999", "Forwarded": "maybe"},
        {"Body": "\x00\x01\x7f", "ChannelMetadata": "{not json", "OriginalRepliedMessageSid": "' OR 1=1"},
        {"Body": "hola", "ChannelMetadata": json.dumps({"data": []}), "NumMedia": "-5"},
    ]
    for k, fields in enumerate(odd):
        response = tr.whatsapp(sender=f"+1612555010{k}", **fields)
        assert response.status_code == 200, fields
    assert tr.sent("alert") == []
    tr.whatsapp(*SUR_1[:1], sender=SUR_1[1])
    tr.whatsapp(*SUR_2[:1], sender=SUR_2[1])
    assert alerts_to(tr) == Counter(SUR)


FIELDS = ["Body", "From", "MessageSid", "Latitude", "Longitude", "Address", "Label", "NumMedia", "Forwarded",
          "FrequentlyForwarded", "OriginalRepliedMessageSid", "ChannelMetadata", "ButtonText", "OptOutType",
          "ProfileName", "MessageType", "WaId"]
HOSTILE = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200b\u200c\u200d\u200e\u200f\ufeff\x00\n\r\t%&=+"
hostile_text = st.text(alphabet=st.one_of(st.characters(blacklist_categories=("Cs",)), st.sampled_from(HOSTILE)),
                       max_size=300)
coordinate = st.one_of(hostile_text, st.floats(allow_nan=True, allow_infinity=True).map(repr),
                       st.sampled_from(["", "10.5", "-20.25", "1e308", "-0", "0x10", "4" * 40]))
number = st.sampled_from(["+16125550201", "whatsapp:+16125550202", "+16515550203", "whatsapp:", "+1", "abc"])
sid = st.one_of(st.just("SM").flatmap(lambda p: st.text("0123456789abcdef", min_size=32, max_size=32)
                                      .map(lambda h: p + h)), hostile_text)
form = st.fixed_dictionaries({}, optional={
    "Body": hostile_text, "From": number, "MessageSid": sid, "Latitude": coordinate, "Longitude": coordinate,
    "Address": hostile_text, "Label": hostile_text, "NumMedia": hostile_text, "Forwarded": hostile_text,
    "OriginalRepliedMessageSid": sid, "ChannelMetadata": hostile_text, "ButtonText": hostile_text,
    "OptOutType": st.sampled_from(["STOP", "START", "HELP", "", "x"]), "ProfileName": hostile_text,
})


def test_property_no_signed_or_unsigned_form_gets_a_5xx_or_an_alert(tr: TwilioRelay) -> None:
    seen: Counter[int] = Counter()

    @hsettings(max_examples=50, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
    @given(params=form, signed=st.booleans())
    def post_one(params: dict[str, str], signed: bool) -> None:
        response = tr.post(params, signature=None if signed else "bogus")
        seen[response.status_code] += 1
        assert response.status_code < 500
        assert signed or response.status_code in (403, 415)  # 415: an empty form has no type

    post_one()
    tr.work()
    assert set(seen) <= {200, 400, 403, 415} and seen[403] >= 1
    assert tr.sent("alert") == [] and not tr.conn.keys("relay:alert:*")
    tr.whatsapp(*SUR_1[:1], sender=SUR_1[1])
    tr.whatsapp(*SUR_2[:1], sender=SUR_2[1])
    assert alerts_to(tr) == Counter(SUR)


# ------------------------------------------------------------------------------------------ rate limiter

def test_the_rate_limiter_spaces_sends_across_workers(conn: redis.Redis) -> None:
    limiters = [twilio_limits.RateLimiter(conn, "whatsapp", 100.0) for _ in range(2)]
    started = time.monotonic()
    threads = [threading.Thread(target=lambda lim=lim: [lim.acquire() for _ in range(25)]) for lim in limiters]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    assert 0.48 <= elapsed < 1.5  # 50 slots at 100/s, whichever worker takes them


def test_a_whatsapp_member_subscribes_by_command_and_gets_the_next_alert(tr: TwilioRelay) -> None:
    newcomer = "+16125550077"
    tr.whatsapp("/suscribir Central", sender=newcomer)
    (answer,) = [s for s in tr.sent("reply") if s.to == f"whatsapp:{newcomer}"]
    assert "sur-es" in answer.form["Body"]
    tr.whatsapp(*SUR_1[:1], sender=SUR_1[1])
    tr.whatsapp(*SUR_2[:1], sender=SUR_2[1])
    assert alerts_to(tr) == Counter(SUR + [f"whatsapp:{newcomer}"])


def test_a_resend_queued_before_the_split_still_finds_its_job() -> None:
    from alertrelay.bot.transports import twilio, twilio_resend

    assert twilio.resend_job is twilio_resend.resend_job  # jobs in Redis name bot.transports.twilio.resend_job
