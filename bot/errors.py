"""One exception tree. Third-party errors are translated at the adapter that meets them.

RelayError
 ├── TransientError        retry later; the request MAY have reached the provider (timeout after sending,
 │    │                    5xx, a dropped connection, anything unknown). A send that failed so is never
 │    │                    retried blind: the delivery claim is kept and the provider is asked first.
 │    └── NotSent          retry later; the request certainly never reached the provider, or the provider
 │         │               said it did not take it (connection refused, our own Redis down before the
 │         │               request, 429). The delivery claim is released.
 │         └── RateLimited carries retry_after_s
 ├── PermanentError        retrying cannot help (bad input, refused recipient); nothing was sent
 │    └── BadInput         a message or command that cannot be used; the sender gets told why
 └── CannotTell            Sender.find: the provider keeps no record we can ask whether a message went out
"""


class RelayError(Exception):
    pass


class TransientError(RelayError):
    pass


class NotSent(TransientError):
    pass


class RateLimited(NotSent):
    def __init__(self, message: str, retry_after_s: float | None = None):
        super().__init__(message)
        self.retry_after_s = retry_after_s


class PermanentError(RelayError):
    pass


class BadInput(PermanentError):
    pass


class CannotTell(RelayError):
    pass
