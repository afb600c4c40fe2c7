"""One exception tree. Third-party errors are translated at the adapter that meets them.

RelayError
 ├── TransientError        retry later (network, 5xx, rate limit)
 │    └── RateLimited      carries retry_after_s
 └── PermanentError        retrying cannot help (bad input, refused recipient)
      └── BadInput         a message or command that cannot be used; the sender gets told why
"""


class RelayError(Exception):
    pass


class TransientError(RelayError):
    pass


class RateLimited(TransientError):
    def __init__(self, message: str, retry_after_s: float | None = None):
        super().__init__(message)
        self.retry_after_s = retry_after_s


class PermanentError(RelayError):
    pass


class BadInput(PermanentError):
    pass
