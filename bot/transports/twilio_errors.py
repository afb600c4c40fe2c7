"""The twilio client's errors, translated once into bot.errors (httpx's map_httpcore_exceptions is the
model): what the sender does about each (suppress, switch to the template, back off) reads our tree."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from alertrelay.bot.errors import AlertrelayError, NotSent, ProviderRefused, RateLimited, TransientError

OPTED_OUT = 21610
"""The member sent STOP: Twilio refuses every message to them."""
OUTSIDE_WINDOW = 63016
"""Free text outside WhatsApp's 24-hour window: only the approved template goes."""
TOO_MANY_REQUESTS = 20429
SLOW_DOWN_CODES = (63018, 30001, 21611)
"""Twilio's own rate limit, a full queue, too much queued for one sender: send slower for a while."""
SLOW_DOWN_RETRY_AFTER_S = 30


@contextmanager
def map_twilio_errors() -> Iterator[None]:
    """Inside: a twilio client call. Out: TwilioException as RateLimited (429, the slow-down codes),
    TransientError (5xx or no status: the message may have been created) or ProviderRefused; requests'
    errors as NotSent when the connection was never made, else TransientError (it may have been sent)."""
    from twilio.base.exceptions import TwilioException

    try:
        yield
    except AlertrelayError:
        raise
    except TwilioException as exc:
        code = int(getattr(exc, "code", 0) or 0)
        status = int(getattr(exc, "status", 0) or 0)
        if status == 429 or code == TOO_MANY_REQUESTS:
            raise RateLimited(f"twilio 429 {code}", code=code) from exc
        if code in SLOW_DOWN_CODES:
            raise RateLimited(f"twilio {code}", retry_after_s=SLOW_DOWN_RETRY_AFTER_S, code=code) from exc
        if status >= 500 or status == 0:  # may have been created: the caller asks before resending
            raise TransientError(f"twilio {status} {code}") from exc
        raise ProviderRefused(f"twilio refused the message: {status} {code}", status=status, code=code) from exc
    except Exception as exc:  # requests' connection errors and timeouts
        if _never_connected(exc):
            raise NotSent(f"twilio unreachable: {type(exc).__name__}") from exc
        raise TransientError(f"twilio: no answer ({type(exc).__name__}); it may have been sent") from exc


def _never_connected(exc: BaseException) -> bool:
    """requests' errors that prove the request never reached Twilio: the connection was never made."""
    import requests
    from urllib3.exceptions import NewConnectionError

    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return True
    cause: BaseException | None = exc
    for _ in range(8):  # requests → urllib3 MaxRetryError(reason=NewConnectionError) → socket error
        if cause is None:
            break
        if isinstance(cause, NewConnectionError):
            return True
        reason = getattr(cause, "reason", None)
        if isinstance(reason, NewConnectionError):
            return True
        cause = cause.__cause__ or cause.__context__ or (cause.args[0] if cause.args and isinstance(
            cause.args[0], BaseException) else None)
    return False
