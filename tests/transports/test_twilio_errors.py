"""The twilio client's errors, translated once (bot/transports/twilio_errors.py)."""

import pytest
import requests
from twilio.base.exceptions import TwilioRestException
from urllib3.exceptions import MaxRetryError, NewConnectionError

from alertrelay.bot.errors import AlertrelayError, NotSent, PermanentError, ProviderRefused, RateLimited, TransientError
from alertrelay.bot.transports.twilio_errors import map_twilio_errors


def _mapped(exc: BaseException) -> AlertrelayError:
    with pytest.raises(AlertrelayError) as caught, map_twilio_errors():
        raise exc
    assert caught.value.__cause__ is exc
    return caught.value


@pytest.mark.parametrize("status, code, kind", [
    (400, 21610, ProviderRefused), (400, 63016, ProviderRefused), (400, 21211, ProviderRefused),
    (429, 20429, RateLimited), (429, 0, RateLimited), (400, 63018, RateLimited), (400, 30001, RateLimited),
    (503, 20003, TransientError), (500, 0, TransientError),
])
def test_a_twilio_answer_maps_by_status_and_code(status: int, code: int, kind: type) -> None:
    error = _mapped(TwilioRestException(status, "/Messages.json", "no", code=code, method="POST"))
    assert type(error) is kind
    assert getattr(error, "code", code) == code
    if kind is ProviderRefused:
        assert isinstance(error, PermanentError) and error.status == status  # type: ignore[attr-defined]


def test_a_connection_never_made_is_not_sent_and_a_lost_answer_may_have_been() -> None:
    refused = requests.exceptions.ConnectionError(MaxRetryError(None, "/", NewConnectionError(None, "refused")))
    assert type(_mapped(refused)) is NotSent
    assert type(_mapped(requests.exceptions.ConnectTimeout())) is NotSent
    lost = _mapped(requests.exceptions.ReadTimeout())
    assert type(lost) is TransientError and "may have been sent" in str(lost)


def test_our_own_errors_pass_through_unchanged() -> None:
    error = PermanentError("no sender")
    with pytest.raises(PermanentError) as caught, map_twilio_errors():
        raise error
    assert caught.value is error
