"""Redis replies as text. The relay's connections return bytes (no decode_responses); redis-py types a
string reply as `bytes | str`, so the decoding happens once here, with a check instead of a guess."""

from __future__ import annotations


def text(reply: object) -> str:
    """A string reply (a GET, an HGET, a member of a set or sorted set) as str."""
    if isinstance(reply, bytes):
        return reply.decode()
    if isinstance(reply, str):
        return reply
    raise TypeError(f"expected a Redis string reply, not {type(reply).__name__}")


def raw(reply: object) -> bytes:
    """A reply (a value, a field, a member) as the bytes it is: the connections return bytes, but
    redis-py's types say `bytes | str` (or a union with the scored and nested forms)."""
    if not isinstance(reply, bytes):
        raise TypeError(f"expected a Redis reply of bytes, not {type(reply).__name__}")
    return reply


def text_or_none(reply: object) -> str | None:
    """`text`, with a missing key (None) kept as None."""
    return None if reply is None else text(reply)
