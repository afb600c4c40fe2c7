"""`alertrelay rotate-key`: move every relay key to a new secret key without losing who is who.

The secret key does two things (bot/identity.py): it makes pseudonyms (HMAC of an address) and seals
addresses (Fernet). Rotating means, in every relay:* key, its name and its value:
  * every sealed value that opens with the old key is sealed again with the new one (member numbers,
    verifier addresses, Signal reaction targets, Twilio resend addresses, numbers in queued commands);
  * every pseudonym whose address the relay can learn is replaced by the new pseudonym of that address.
    Addresses come from the sealed values themselves, from areas.toml (admins, verifiers) and from
    `--person` (admins added by chat, whose address the relay never kept);
  * reporters of open incidents whose address was never kept (the relay drops a message's address once
    it is processed) cannot be re-keyed: they keep their old pseudonym, and the old *pseudonym* key
    (never the sealing key) is kept, sealed with the new key, until their incidents expire
    (report_ttl_s), so that their next report still counts as the same person (Identity.carry_over).

Crash-safe by being re-runnable: a marker (keys.ROTATION) names both keys' check values while it runs;
each key is rewritten in one transaction; the rewrite is idempotent (a value already sealed with the new
key, or a pseudonym already new, is left as it is), and the address book is rebuilt from values sealed with
either key. Run it again with the same two keys after a crash and it finishes. The relay must be stopped:
no rq worker, nothing queued, an empty inbox."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass, field

import redis
from cryptography.fernet import Fernet, InvalidToken
from redis.crc import key_slot
from rq import Queue, Worker
from rq.registry import ScheduledJobRegistry, StartedJobRegistry

from alertrelay.bot import keys, replies
from alertrelay.bot.core.areas import AreasFile
from alertrelay.bot.errors import InvalidAddress, RotationError
from alertrelay.bot.identity import Identity, normalise_address
from alertrelay.bot.queues import make_queue
from alertrelay.bot.regions import all_regions
from alertrelay.bot.scripts import is_cluster
from alertrelay.workers.ops.keycheck import key_check_value, stored_key_check
from alertrelay.workers.redis_conn import as_fields, watch

# A Fernet token (version byte 0x80 → "gAAAAA") or a pseudonym, whichever starts first: a token is consumed
# whole, so a pseudonym-like run inside one is never touched.
_TOKEN_OR_PSEUDONYM = re.compile(r"(gAAAAA[A-Za-z0-9_=-]{40,})|(?<![0-9A-Za-z])(r[0-9a-f]{24})(?![0-9a-f])")
_SKIPPED = (keys.ROTATION,)


@dataclass
class RotationReport:
    keys_rewritten: int = 0
    reseals: int = 0
    people_rekeyed: int = 0
    carried: set[str] = field(default_factory=set)
    resumed: bool = False
    already_done: bool = False

    def summary(self) -> str:
        if self.already_done:
            return "this Redis is already on the new key"
        return (f"{'resumed: ' if self.resumed else ''}{self.keys_rewritten} keys rewritten, {self.reseals} sealed "
                f"values resealed, {self.people_rekeyed} people re-keyed, {len(self.carried)} reporters of open "
                f"incidents keep their pseudonym until those expire")


class _Rekey:
    """The rewrite of one string: tokens resealed, known pseudonyms replaced."""

    def __init__(self, old: Identity, new: Identity, old_fernet: Fernet, new_fernet: Fernet):
        self.old, self.new = old, new
        self.old_fernet, self.new_fernet = old_fernet, new_fernet
        self.pseudonyms: dict[str, str] = {}
        self.unknown: set[str] = set()
        self.reseals = 0

    def opened(self, token: str) -> str | None:
        for fernet in (self.old_fernet, self.new_fernet):
            try:
                return fernet.decrypt(token.encode()).decode()
            except (InvalidToken, ValueError):
                continue
        return None

    def learn(self, address: str) -> None:
        try:
            canonical = normalise_address(address)
        except InvalidAddress:
            return
        self.pseudonyms[self.old.pseudonym(canonical)] = self.new.pseudonym(canonical)

    def learn_from_sealed(self, plain: str) -> None:
        """A sealed value is an address, or JSON holding addresses (a Signal reaction target)."""
        self.learn(plain)
        if plain.startswith("{"):
            try:
                values = json.loads(plain).values()
            except (ValueError, AttributeError):
                return
            for value in values:
                if isinstance(value, str):
                    self.learn(value)

    def scan(self, text: str) -> None:
        for match in _TOKEN_OR_PSEUDONYM.finditer(text):
            if match.group(1):
                plain = self.opened(match.group(1))
                if plain is not None:
                    self.learn_from_sealed(plain)

    def __call__(self, text: str) -> str:
        def replace(match: re.Match[str]) -> str:
            token, pseudonym = match.group(1), match.group(2)
            if token:
                try:
                    plain = self.old_fernet.decrypt(token.encode())
                except (InvalidToken, ValueError):
                    return token  # sealed with the new key already (a resumed run), or not ours
                self.reseals += 1
                return self.new_fernet.encrypt(plain).decode()
            if pseudonym in self.pseudonyms:
                return self.pseudonyms[pseudonym]
            if pseudonym not in self.pseudonyms.values():
                self.unknown.add(pseudonym)
            return pseudonym

        return _TOKEN_OR_PSEUDONYM.sub(replace, text)


def _str(raw: bytes) -> str:
    return raw.decode("utf-8", "surrogateescape")


def _bytes(text: str) -> bytes:
    return text.encode("utf-8", "surrogateescape")


def _fernet_of(secret: bytes) -> Fernet:
    import base64
    import hashlib

    return Fernet(base64.urlsafe_b64encode(hashlib.sha256(b"alertrelay/seal\0" + secret).digest()))


def relay_keys(conn: redis.Redis) -> list[str]:
    return sorted(_str(k) for k in conn.scan_iter(match=f"{keys.PREFIX}:*", count=1000)
                  if _str(k) not in _SKIPPED)


@dataclass(frozen=True)
class _String:
    value: bytes


@dataclass(frozen=True)
class _Hash:
    value: dict[bytes, bytes]


@dataclass(frozen=True)
class _Set:
    value: set[bytes]


@dataclass(frozen=True)
class _ZSet:
    value: list[tuple[bytes, float]]


@dataclass(frozen=True)
class _List:
    value: list[bytes]


@dataclass(frozen=True)
class _Stream:
    value: list[tuple[bytes, dict[bytes, bytes]]]


_Stored = _String | _Hash | _Set | _ZSet | _List | _Stream
"""One key's value as read, by the type Redis answers for it."""


def _fields(reply: object) -> dict[bytes, bytes]:
    if not isinstance(reply, dict):
        raise TypeError(f"a Redis hash reply expected, not {type(reply).__name__}")
    return {replies.raw(k): replies.raw(v) for k, v in reply.items()}


def _scored(reply: object) -> tuple[bytes, float]:
    if not isinstance(reply, tuple):
        raise TypeError(f"a (member, score) reply expected, not {type(reply).__name__}")
    member, score = reply
    return replies.raw(member), float(score)


def _read(conn: redis.Redis, name: str) -> _Stored | None:
    kind = replies.text(conn.type(name))
    if kind == "string":
        value = conn.get(name)
        return None if value is None else _String(replies.raw(value))
    if kind == "hash":
        return _Hash(_fields(conn.hgetall(name)))
    if kind == "set":
        return _Set({replies.raw(m) for m in conn.smembers(name)})
    if kind == "zset":
        return _ZSet([_scored(pair) for pair in conn.zrange(name, 0, -1, withscores=True)])
    if kind == "list":
        return _List([replies.raw(v) for v in conn.lrange(name, 0, -1)])
    if kind == "stream":
        return _Stream([(replies.raw(entry_id), _fields(fields)) for entry_id, fields in conn.xrange(name) or []])
    return None


def _all_text(stored: _Stored | None) -> Iterable[str]:
    if stored is None:
        return
    if isinstance(stored, _String):
        yield _str(stored.value)
    elif isinstance(stored, _Hash):
        for k, v in stored.value.items():
            yield _str(k)
            yield _str(v)
    elif isinstance(stored, _Set | _List):
        yield from (_str(v) for v in stored.value)
    elif isinstance(stored, _ZSet):
        yield from (_str(member) for member, _ in stored.value)
    else:
        for _, fields in stored.value:
            for v in fields.values():
                yield _str(v)


def _rewrite_key(conn: redis.Redis, name: str, rekey: _Rekey) -> bool:
    """Rewrite one key (its name and every element) in one transaction. True if anything changed."""
    with conn.pipeline(transaction=True) as pipe:
        watch(pipe, name)
        stored = _read(pipe, name)
        if stored is None:
            return False
        new_name = rekey(name)
        ttl_ms = pipe.pttl(name)

        def b(raw: bytes) -> bytes:
            return _bytes(rekey(_str(raw)))

        new: _Stored
        if isinstance(stored, _String):
            new = _String(b(stored.value))
        elif isinstance(stored, _Hash):
            new = _Hash({b(k): b(v) for k, v in stored.value.items()})
        elif isinstance(stored, _Set):
            new = _Set({b(v) for v in stored.value})
        elif isinstance(stored, _ZSet):
            new = _ZSet([(b(m), s) for m, s in stored.value])
        elif isinstance(stored, _List):
            new = _List([b(v) for v in stored.value])
        else:  # stream: same entry ids, fields rewritten; consumer groups are recreated where they were
            new = _Stream([(entry_id, {k: b(v) for k, v in fields.items()}) for entry_id, fields in stored.value])
        if new == stored and new_name == name:
            pipe.unwatch()
            return False
        groups = pipe.xinfo_groups(name) if isinstance(stored, _Stream) else []
        # a Redis Cluster moves no key to another slot in one transaction: there the new key is written in
        # its own, then the old one deleted (a re-run after a crash between the two writes it again)
        apart = new_name != name and is_cluster(conn) and key_slot(_bytes(name)) != key_slot(_bytes(new_name))
        if apart:
            pipe.unwatch()
            write = conn.pipeline(transaction=True)
            if isinstance(new, _List | _Stream):  # not merged twice
                write.delete(new_name)
        else:
            pipe.multi()
            pipe.delete(name)
            write = pipe
        if isinstance(new, _String):
            write.set(new_name, new.value)
        elif isinstance(new, _Hash):
            write.hset(new_name, mapping=as_fields(new.value))
        elif isinstance(new, _Set):
            write.sadd(new_name, *new.value)
        elif isinstance(new, _ZSet):
            write.zadd(new_name, {m: s for m, s in new.value})
        elif isinstance(new, _List):
            write.rpush(new_name, *new.value)
        else:
            for entry_id, fields in new.value:
                write.xadd(new_name, as_fields(fields), id=entry_id)
            for group in groups:
                write.xgroup_create(new_name, group["name"], id=group["last-delivered-id"], mkstream=True)
        if ttl_ms > 0:
            write.pexpire(new_name, ttl_ms)
        write.execute()
        if apart:
            conn.delete(name)
        return True


def _check_stopped(conn: redis.Redis, queue_conn: redis.Redis | None = None) -> None:
    """Queued jobs and unread messages carry sealed values and pseudonyms the rewrite cannot reach.
    `queue_conn`: rq's Redis when it is not the store's."""
    rq_conn = conn if queue_conn is None else queue_conn
    queue: Queue = make_queue(rq_conn)
    busy = []
    if Worker.all(connection=rq_conn):
        busy.append(f"{len(Worker.all(connection=rq_conn))} rq worker(s) running")
    if queue.count:
        busy.append(f"{queue.count} job(s) queued")
    scheduled: ScheduledJobRegistry = queue.scheduled_job_registry  # (rq's constructor is unannotated)
    if StartedJobRegistry(queue=queue).count or scheduled.count:
        busy.append("jobs running or scheduled for retry")
    waiting = sum(conn.xlen(region.inbox) for region in all_regions(conn) if conn.exists(region.inbox))
    if waiting:
        busy.append(f"{waiting} inbound message(s) not processed yet")
    if busy:
        raise RotationError("stop the bot first and let the workers finish (`alertrelay worker --burst`): "
                            + ", ".join(busy))


def rotate_key(conn: redis.Redis, old_secret: bytes, new_secret: bytes, *, areas: AreasFile | None = None,
               people: Iterable[str] = (), report_ttl_s: int = 72 * 3600,
               now: float | None = None, queue_conn: redis.Redis | None = None) -> RotationReport:
    report = RotationReport()
    old_check, new_check = key_check_value(old_secret), key_check_value(new_secret)
    if old_check == new_check:
        raise RotationError("the new key is the current key")
    marker = conn.hgetall(keys.ROTATION)
    stored = stored_key_check(conn)
    if marker:
        if marker.get(b"new") != new_check.encode() or marker.get(b"old") != old_check.encode():
            raise RotationError("a rotation to another key is half done: run it again with the same old and new "
                                "keys as the first time (they must both be kept until it says done)")
        report.resumed = True
    else:
        if stored == new_check:
            report.already_done = True
            return report
        if stored is not None and stored != old_check:
            raise RotationError("the current secret key is not the one that sealed this Redis")
        if conn.exists(keys.CARRIED):
            until = float(conn.hget(keys.CARRIED, "until") or 0)
            raise RotationError("the last rotation still carries over reporters of incidents open then, until "
                                f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime(until))}: rotate again after that")
        _check_stopped(conn, queue_conn)

    old, new = Identity(old_secret), Identity(new_secret)
    rekey = _Rekey(old, new, _fernet_of(old_secret), _fernet_of(new_secret))
    for person in [*(p.sender for p in (areas.admin + areas.verifier if areas else [])), *people]:
        rekey.learn(person)
    names = relay_keys(conn)
    for name in names:  # the address book: every sealed value, under either key
        for text in _all_text(_read(conn, name)):
            rekey.scan(text)
    # roles are kept for good: an admin or verifier whose address is unknown must be named, not carried
    roles = {_str(replies.raw(p)) for p in conn.smembers(keys.ADMINS) | conn.smembers(keys.VERIFIERS)}
    unknown_roles = roles - set(rekey.pseudonyms) - set(rekey.pseudonyms.values())
    if unknown_roles:
        raise RotationError(f"{len(unknown_roles)} admin(s)/verifier(s) whose address this relay does not hold "
                            "(added by chat): name each with --person NUMBER (or Signal UUID)")
    report.people_rekeyed = len(rekey.pseudonyms)

    if not marker:
        conn.hset(keys.ROTATION, mapping={"old": old_check, "new": new_check, "started": repr(time.time())})
    for name in names:
        if _rewrite_key(conn, name, rekey):
            report.keys_rewritten += 1
    report.reseals = rekey.reseals
    # whoever is still known only by an old pseudonym: reporters of open incidents. Their incidents live at
    # most report_ttl_s more; until then the old pseudonym key (sealed with the new key) recognises them.
    report.carried = rekey.unknown - set(rekey.pseudonyms.values())
    until = (now if now is not None else time.time()) + report_ttl_s
    pipe = conn.pipeline(transaction=True)
    if report.carried:
        pipe.hset(keys.CARRIED, mapping={"key": rekey.new_fernet.encrypt(old.pseudonym_key).decode(),
                                         "until": repr(until)})
        pipe.sadd(keys.CARRIED_PSEUDONYMS, *report.carried)
        pipe.expire(keys.CARRIED, report_ttl_s)
        pipe.expire(keys.CARRIED_PSEUDONYMS, report_ttl_s)
    pipe.set(keys.KEY_CHECK, new_check)
    pipe.delete(keys.ROTATION)
    pipe.execute()
    return report


def load_carried(conn: redis.Redis, identity: Identity, secret: bytes) -> None:
    """At start: the pseudonyms a past rotation carried over, into this process's Identity."""
    raw = conn.hgetall(keys.CARRIED)
    if not raw:
        return
    try:
        previous = _fernet_of(secret).decrypt(raw[b"key"])
    except (InvalidToken, KeyError):
        return  # sealed with another key: nothing to carry (the key check tells the operator)
    pseudonyms = frozenset(_str(replies.raw(p)) for p in conn.smembers(keys.CARRIED_PSEUDONYMS))
    identity.carry_over(previous, pseudonyms, float(raw.get(b"until", b"0")))
