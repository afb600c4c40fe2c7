"""One exception tree for alertrelay. Third-party errors are translated once, at the edge that meets them
(bot/transports/twilio_errors.py for the twilio client, SignalSender's for httpx), the way httpx's
`map_httpcore_exceptions` does it.

AlertrelayError
 ├── TransientError        a send to retry later; the request MAY have reached the provider (timeout after
 │    │                    sending, 5xx, a dropped connection, anything unknown). A send that failed so is
 │    │                    never retried blind: the delivery claim is kept and the provider is asked first.
 │    └── NotSent          retry later; the request certainly never reached the provider, or the provider
 │         │               said it did not take it (connection refused, our own Redis down before the
 │         │               request, 429). The delivery claim is released.
 │         └── RateLimited carries retry_after_s
 ├── PermanentError        a send that retrying cannot help (refused recipient, no sender configured);
 │    │                    nothing was sent
 │    └── ProviderRefused  the provider said no; carries its status and error code
 ├── CannotTell            Sender.find: the provider keeps no record we can ask whether a message went out
 ├── BadInput              what came in cannot be used (nothing is retried, nothing is sent)
 │    ├── InvalidAddress   not a phone number or Signal UUID (bot/identity.py)
 │    ├── BadForm          a Twilio webhook form that describes no message
 │    └── BadLine          an `alertrelay classify` input line that is not a message
 ├── CommandError          a chat command that did not run; its sender is told why, nothing changed
 │    ├── UnknownCommand   carries the word
 │    ├── BadArgument      carries what was wrong in English and Spanish
 │    └── Refused          the same, and what the audit log says
 ├── ConfigError           configuration the relay cannot run with
 │    ├── AreasFileError   areas.toml unreadable or invalid
 │    ├── UnknownArea      an area name no shape answers to
 │    └── WrongSecretKey   ALERTRELAY_SECRET_KEY is not the key the data was sealed with
 └── OperationError        an operator's command (`alertrelay …`) that cannot complete
      ├── BackupError      a config backup that cannot be read or imported
      ├── RotationError    a key rotation refused before it started
      └── DrillError       a drill scenario that cannot be run

The errors that were ValueError or RuntimeError before the tree still are (BadInput, UnknownCommand,
BadArgument, AreasFileError, UnknownArea, BackupError are ValueErrors; WrongSecretKey and RotationError
RuntimeErrors), so that code catching those, pydantic's validators among it, sees them as before.
"""

from __future__ import annotations


class AlertrelayError(Exception):
    pass


# ---- sending -------------------------------------------------------------------------------------------

class TransientError(AlertrelayError):
    pass


class NotSent(TransientError):
    pass


class RateLimited(NotSent):
    def __init__(self, message: str, retry_after_s: float | None = None, *, code: int = 0):
        super().__init__(message)
        self.retry_after_s = retry_after_s
        self.code = code
        """The provider's error code (Twilio's 20429, 63018, …), 0 for none."""


class PermanentError(AlertrelayError):
    pass


class ProviderRefused(PermanentError):
    def __init__(self, message: str, *, status: int = 0, code: int = 0):
        super().__init__(message)
        self.status, self.code = status, code


class CannotTell(AlertrelayError):
    pass


# ---- input ---------------------------------------------------------------------------------------------

class BadInput(AlertrelayError, ValueError):
    pass


class InvalidAddress(BadInput):
    pass


class BadForm(BadInput):
    pass


class BadLine(BadInput):
    """An input line that is not a message: the reason names the line."""


# ---- chat commands -------------------------------------------------------------------------------------

class CommandError(AlertrelayError):
    pass


class UnknownCommand(CommandError, ValueError):
    def __init__(self, word: str):
        super().__init__(word)
        self.word = word[:30]


class BadArgument(CommandError, ValueError):
    """What was wrong with a command's arguments, in both languages. Nothing was changed."""

    def __init__(self, en: str, es: str):
        super().__init__(en)
        self.en, self.es = en, es

    def say(self, lang: str) -> str:
        return self.es if lang == "es" else self.en


class Refused(CommandError):
    def __init__(self, en: str, es: str, detail: str):
        super().__init__(detail)
        self.en, self.es, self.detail = en, es, detail


# ---- configuration -------------------------------------------------------------------------------------

class ConfigError(AlertrelayError):
    pass


class AreasFileError(ConfigError, ValueError):
    pass


class UnknownArea(ConfigError, ValueError):
    pass


class WrongSecretKey(ConfigError, RuntimeError):
    pass


# ---- operators' commands -------------------------------------------------------------------------------

class OperationError(AlertrelayError):
    pass


class BackupError(OperationError, ValueError):
    pass


class RotationError(OperationError, RuntimeError):
    pass


class DrillError(OperationError):
    pass
