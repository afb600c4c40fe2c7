"""The bot's real HTTP server with the Twilio routes, the real twilio client against tests/fakes/twilio_api.py,
rq jobs run by an in-process burst worker. Groups from config/example.areas.toml."""

from __future__ import annotations

import secrets

import httpx
import redis
from pydantic import SecretStr
from rq import SimpleWorker
from rq.serializers import JSONSerializer
from twilio.request_validator import RequestValidator

from alertrelay.bot.server import BotContext
from alertrelay.bot.transports import twilio as twilio_transport
from alertrelay.config.areas import load_areas
from alertrelay.config.settings import Settings
from alertrelay.workers.config_state import seed_config
from alertrelay.workers.runtime import Runtime, set_runtime
from tests.conftest import enqueue_due_retries
from tests.fakes.twilio_api import FakeTwilio, Sent
from tests.server_thread import ServerThread

PUBLIC = "https://relay.example.org"
ACCOUNT = "AC" + "0123456789abcdef" * 2
WA_FROM = "whatsapp:+14155238886"
SMS_FROM = "+16125550100"
TEMPLATE_ES, TEMPLATE_EN = "HX" + "e5" * 16, "HX" + "e6" * 16


def twilio_settings(base: Settings, api_url: str, token: str, **extra: object) -> Settings:
    return base.model_copy(update={
        "outbox": None, "twilio_account_sid": ACCOUNT, "twilio_auth_token": SecretStr(token),
        "twilio_whatsapp_from": WA_FROM, "twilio_sms_from": SMS_FROM, "twilio_api_url": api_url,
        "public_url": PUBLIC, "twilio_content_sid_es": TEMPLATE_ES, "twilio_content_sid_en": TEMPLATE_EN,
        "twilio_whatsapp_rate_per_s": 500.0, "twilio_sms_rate_per_s": 500.0, **extra})


class TwilioRelay:
    def __init__(self, base: Settings, conn: redis.Redis, **extra: object):
        self.token = secrets.token_hex(16)
        self.api = FakeTwilio(ACCOUNT, self.token).start()
        self.settings = twilio_settings(base, self.api.url, self.token, **extra)
        self.conn = conn
        self.rt = Runtime(self.settings, conn=conn)
        seed_config(conn, load_areas(self.settings.areas), self.rt.identity)
        set_runtime(self.rt)
        self.server = ServerThread(BotContext(self.settings, conn, self.rt.queue, self.rt.identity),
                                   [twilio_transport.register_routes]).start()
        self.http = httpx.Client(base_url=self.server.url, timeout=30)
        self.count = 0

    def close(self) -> None:
        set_runtime(None)
        self.http.close()
        self.server.stop()
        self.api.stop()

    # -- inbound
    def sign(self, path: str, params: object, query: str = "") -> str:
        return RequestValidator(self.token).compute_signature(PUBLIC + path + query, params)

    def post(self, params: dict[str, str], *, path: str = "/twilio/inbound", signature: str | None = None,
             **kwargs: object) -> httpx.Response:
        sig = self.sign(path, params) if signature is None else signature
        return self.http.post(path, data=params, headers={"X-Twilio-Signature": sig}, **kwargs)  # type: ignore[arg-type]

    def whatsapp(self, text: str = "", *, sender: str = "+16125550001", sid: str | None = None,
                 work: bool = True, **fields: str) -> httpx.Response:
        self.count += 1
        sid = sid or "SM" + secrets.token_hex(16)
        params = {"SmsMessageSid": sid, "NumMedia": "0", "ProfileName": "Someone", "MessageType": "text",
                  "SmsSid": sid, "WaId": sender.lstrip("+"), "SmsStatus": "received", "Body": text,
                  "To": WA_FROM, "NumSegments": "1", "ReferralNumMedia": "0", "MessageSid": sid,
                  "AccountSid": ACCOUNT, "From": f"whatsapp:{sender}", "ApiVersion": "2010-04-01",
                  "Forwarded": "false", "FrequentlyForwarded": "false", **fields}
        response = self.post(params)
        if work:
            self.work()
        return response

    def sms(self, text: str, *, sender: str = "+16125550001", sid: str | None = None) -> httpx.Response:
        sid = sid or "SM" + secrets.token_hex(16)
        params = {"ToCountry": "US", "SmsMessageSid": sid, "NumMedia": "0", "SmsSid": sid, "SmsStatus": "received",
                  "Body": text, "To": SMS_FROM, "NumSegments": "1", "MessageSid": sid, "AccountSid": ACCOUNT,
                  "From": sender, "ApiVersion": "2010-04-01"}
        response = self.post(params)
        self.work()
        return response

    def work(self) -> None:
        enqueue_due_retries(self.rt.queue)
        SimpleWorker([self.rt.queue], connection=self.conn, serializer=JSONSerializer).work(burst=True)

    # -- outbound, as the fake API saw it
    def sent(self, kind: str | None = None) -> list[Sent]:
        return [s for s in self.api.sent if kind is None or s.query.get("k") == kind]

    def receipt(self, sent: Sent, status: str, error: int | None = None) -> int:
        return self.api.receipt(sent, status, local_base=self.server.url, public_base=PUBLIC, error=error,
                                client=self.http)


def keys_snapshot(conn: redis.Redis) -> dict[bytes, bytes]:
    """Every key the relay owns, and rq's queues, with a digest of their values.

    rq's own liveness keys (worker registrations, the scheduler's lock and heartbeat) come and go on
    their own clock, whatever a request does, so they are left out."""
    liveness = (b"rq:worker", b"rq:scheduler")
    return {k: conn.dump(k) or b"" for k in conn.keys("*") if not k.startswith(liveness)}


