"""Every Redis key template the relay writes, in one place (bot/ and workers/ both import it; rq's own
rq:* keys are rq's). The Lua scripts in workers/ are passed these names in KEYS; only the keys of incidents
they find by id in a region's sets are built inside them, from the region's prefix (so with its hash tag).

Regions (areas.toml `region = "north"` on a group): each region has its own inbox, drain lease, incident
set and sender keys, under the prefix `relay:{north}`: the braces are a Redis Cluster hash tag, so every
key of a region lives in one slot and a region's Lua scripts touch one slot. The default region (groups
with no region) keeps the prefix `relay`, so a deployment without regions has the key names it always had.
Incident and alert ids of a named region end in `-<region>` (`i7-north`, `a3-north`): the key of an
incident or alert follows from its id alone (`incident`, `alert`), wherever the id comes from (a command,
a delivery job, the map). Configuration, roles, the audit trail and the transports' keys are global.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PREFIX = "relay"
REGION_NAME = re.compile(r"^[a-z][a-z0-9]{0,15}$")
"""A region's name: it is a hash tag, an id suffix and a job id part, so short, lowercase, no separators."""
_ID_REGION = re.compile(r"-([a-z][a-z0-9]{0,15})$")


@dataclass(frozen=True)
class Region:
    """The keys of one region's pipeline; `Region("")` is the default region (today's key names)."""

    name: str = ""

    @property
    def prefix(self) -> str:
        return f"{PREFIX}:{{{self.name}}}" if self.name else PREFIX

    @property
    def id_suffix(self) -> str:
        """What ends the ids of this region's incidents and alerts."""
        return f"-{self.name}" if self.name else ""

    @property
    def inbox(self) -> str:
        return f"{self.prefix}:inbox"

    @property
    def drain_pending(self) -> str:
        return f"{self.prefix}:inbox:drain-pending"

    @property
    def drain_seq(self) -> str:
        return f"{self.prefix}:inbox:drain-seq"

    @property
    def drainer(self) -> str:
        return f"{self.prefix}:inbox:drainer"

    @property
    def processed_count(self) -> str:
        return f"{self.prefix}:stats:processed"

    @property
    def latency(self) -> str:
        return f"{self.prefix}:stats:latency_ms"

    @property
    def incident_seq(self) -> str:
        return f"{self.prefix}:incident:seq"

    @property
    def alert_seq(self) -> str:
        return f"{self.prefix}:alert:seq"

    @property
    def incidents_rev(self) -> str:
        return f"{self.prefix}:incidents:rev"

    @property
    def incidents_changed(self) -> str:
        return f"{self.prefix}:incidents:changed"

    @property
    def incidents_changed_floor(self) -> str:
        return f"{self.prefix}:incidents:changed:floor"

    @property
    def incidents_active(self) -> str:
        return f"{self.prefix}:incidents:active"

    @property
    def incidents_epoch(self) -> str:
        return f"{self.prefix}:incidents:epoch"

    @property
    def incidents_epoch_seq(self) -> str:
        return f"{self.prefix}:incidents:epoch:seq"

    @property
    def listening_since(self) -> str:
        return f"{self.prefix}:senders:since"

    def seen_message(self, message_key: str) -> str:
        return f"{self.prefix}:seen:{message_key}"

    def sender_first_seen(self, reporter: str) -> str:
        return f"{self.prefix}:sender:{reporter}:first-seen"

    def pending_place(self, reporter: str) -> str:
        return f"{self.prefix}:pending:{reporter}"

    def reporter_incident(self, reporter: str) -> str:
        return f"{self.prefix}:reporter:{reporter}:incident"

    def message_ref(self, ref: str) -> str:
        return f"{self.prefix}:ref:{ref}"

    def drain_job_id(self, n: int | str) -> str:
        return f"drain-{self.name}-{n}" if self.name else f"drain-{n}"


DEFAULT_REGION = Region()


def region(name: str) -> Region:
    if name and not REGION_NAME.match(name):
        raise ValueError(f"bad region name {name!r}: lowercase letters and digits, starting with a letter")
    return Region(name)


def region_of_id(incident_or_alert_id: str) -> Region:
    """The region an incident or alert id belongs to (`i7-north` → north, `i7` → the default region)."""
    match = _ID_REGION.search(incident_or_alert_id)
    return Region(match.group(1)) if match else DEFAULT_REGION


def _incident_prefix(incident_id: str) -> str:
    return region_of_id(incident_id).prefix


# Inbound: a stream drained in batches by `drain_inbox` jobs (one rq job per batch, not per message).
INBOX = DEFAULT_REGION.inbox
INBOX_GROUP = "pipeline"
INBOX_DRAIN_PENDING = DEFAULT_REGION.drain_pending
"""The id of the drain job queued for new messages (one per burst); it lives claim_idle_s, and the
recovery pass clears it early when that job is neither queued nor running (workers/recovery.py)."""
INBOX_DRAIN_SEQ = DEFAULT_REGION.drain_seq
"""Numbers the drain jobs: drain-<n>, so a drain-pending flag names the one job it stands for."""
INBOX_DRAINER = DEFAULT_REGION.drainer
"""Lease of the one drain job at work (token, expires after claim_idle_s unless renewed)."""
INBOX_MAXLEN = 100_000
INBOX_SWEEP_FIELD = b"sweep"
"""Inbox entry field of a drill message (bot/ingest.py: ingest_on_message_clock): a JSON list of ISO times
at which the drainer runs the quiet-period expiry, in order, just before deciding the message, so message
time is the clock. Messages arriving now have none: the ticker sweeps on wall time."""
PROCESSED_COUNT = DEFAULT_REGION.processed_count

# Incidents
INCIDENT_SEQ = DEFAULT_REGION.incident_seq
ALERT_SEQ = DEFAULT_REGION.alert_seq
INCIDENTS_REV = DEFAULT_REGION.incidents_rev
"""The global incident revision: bumped by every change to any incident (workers/changed.lua). A drainer's
copy of the open incidents is as of one revision; an apply decided on an older one is refused."""
INCIDENTS_CHANGED = DEFAULT_REGION.incidents_changed
"""zset incident id -> revision of its latest change, capped (workers/changed.lua): a stale copy reads
only these. INCIDENTS_CHANGED_FLOOR is the highest revision dropped from it; a copy older reloads all."""
INCIDENTS_CHANGED_FLOOR = DEFAULT_REGION.incidents_changed_floor
INCIDENTS_EPOCH = DEFAULT_REGION.incidents_epoch
"""Set on first use: a copy from another epoch (the data was flushed or replaced) reloads all."""
INCIDENTS_EPOCH_SEQ = DEFAULT_REGION.incidents_epoch_seq
INCIDENTS_ACTIVE = DEFAULT_REGION.incidents_active

# Configuration state (seeded from areas.toml, then changed by chat commands). Every key of it shares the
# hash tag {config}: it is read and changed in transactions over several of them (workers/config_state.py),
# which on a Redis Cluster must stay in one slot. Before that tag the names were relay:config:…
# (workers/key_names.py moves them once).
CONFIG_PREFIX = f"{PREFIX}:{{config}}"
CONFIG_SEEDED = f"{CONFIG_PREFIX}:seeded"
CONFIG_REV = f"{CONFIG_PREFIX}:rev"
GROUPS = f"{CONFIG_PREFIX}:groups"
REGIONS = f"{CONFIG_PREFIX}:regions"
"""hash of the [regions] table of areas.toml (`direct`: the region of a direct message whose place does
not tell); the regions themselves are the groups' (GROUPS)."""
POLICY = f"{CONFIG_PREFIX}:policy"
ADMINS = f"{CONFIG_PREFIX}:admins"
VERIFIERS = f"{CONFIG_PREFIX}:verifiers"
PLACES = f"{CONFIG_PREFIX}:places"
AUDIT = f"{PREFIX}:audit"
AUDIT_MAXLEN = 10_000


def seen_message(message_key: str) -> str:
    return DEFAULT_REGION.seen_message(message_key)


def incident(incident_id: str) -> str:
    return f"{_incident_prefix(incident_id)}:incident:{incident_id}"


def incident_reporters(incident_id: str) -> str:
    """zset reporter -> message time of their first counted report."""
    return f"{_incident_prefix(incident_id)}:incident:{incident_id}:reporters"


def incident_clears(incident_id: str) -> str:
    return f"{_incident_prefix(incident_id)}:incident:{incident_id}:clears"


def incident_disputes(incident_id: str) -> str:
    return f"{_incident_prefix(incident_id)}:incident:{incident_id}:disputes"


def incident_texts(incident_id: str) -> str:
    """list of JSON {reporter, text}: every report-like text seen for the incident, for copy detection."""
    return f"{_incident_prefix(incident_id)}:incident:{incident_id}:texts"


def incident_messages(incident_id: str) -> str:
    """set of message keys already applied to the incident (replays are no-ops)."""
    return f"{_incident_prefix(incident_id)}:incident:{incident_id}:messages"


def incident_forwarders(incident_id: str) -> str:
    """set of people who forwarded or pasted a report of the incident: never its independent reporters."""
    return f"{_incident_prefix(incident_id)}:incident:{incident_id}:forwarders"


def first_report_arrival(incident_id: str) -> str:
    """Wall time (s) the incident's first counted report was admitted: where the alert-latency histogram
    starts (bot/metrics.py). Lives report_ttl_s."""
    return f"{_incident_prefix(incident_id)}:incident:{incident_id}:first-arrival"


def incident_newcomers(incident_id: str) -> str:
    """set of the incident's reporters who were first-time senders when they reported (bot/core/decide.py)."""
    return f"{_incident_prefix(incident_id)}:incident:{incident_id}:newcomers"


def incident_why(incident_id: str) -> str:
    """list of JSON {r: pseudonym, t: message time, k: kind, c: counted 0/1, w: why, n: first-time 0/1},
    one per message applied, oldest first, capped at WHY_MAX (apply_report.lua): what /why shows.
    Never a text or a number."""
    return f"{_incident_prefix(incident_id)}:incident:{incident_id}:why"


WHY_MAX = 200

# Senders: when the relay first heard from each (bot/ingest.py), for the first-time burst rule
LISTENING_SINCE = DEFAULT_REGION.listening_since
"""Message time of the oldest first-heard time the relay noted: before it has listened for
first_time_hours, nobody is a first-time sender (everyone would be)."""
FIRST_SEEN_TTL_S = 30 * 24 * 3600
"""A sender silent this long is new again. Longer than report_ttl_s and than Policy.first_time_hours."""


def sender_first_seen(reporter: str) -> str:
    """Message time of the first message from this pseudonym (any message: a report, chatter, a command);
    its TTL (FIRST_SEEN_TTL_S) starts again with each message."""
    return DEFAULT_REGION.sender_first_seen(reporter)


SIGNAL_PAIRING_TTL_S = FIRST_SEEN_TTL_S
"""How long a number↔uuid pairing outlives the last message that used it. As long as the relay remembers
anyone at all (past that a sender is new again, so continuity costs nothing), and bounded so a number that
changed hands does not point at its old owner for ever."""


def signal_pairing(address_pseudonym: str) -> str:
    """A Signal person's other address: keyed by the pseudonym (keyed hash) of their uuid or number, the value
    is the pseudonym of the other one, never the address. Both directions are written when an envelope shows
    both: number → uuid gives a number-only message the uuid's pseudonym, uuid → number lets a role given
    to the number (areas.toml, /admin add +1…) hold when the number is hidden (bot/ingest.py)."""
    return f"{PREFIX}:{{signal}}:pairing:{address_pseudonym}"


def message_ref(ref: str) -> str:
    """A message (ours or a reporter's) that replies can quote -> incident id."""
    return DEFAULT_REGION.message_ref(ref)


def sender_region(reporter: str) -> str:
    """The region a direct message of this sender was last routed to by its place (bot/regions.py): global,
    read by ingest before it admits the message into that region."""
    return f"{PREFIX}:sender:{reporter}:region"


def pending_place(reporter: str) -> str:
    return DEFAULT_REGION.pending_place(reporter)


def reporter_incident(reporter: str) -> str:
    """The incident this reporter last spoke about: an "ya se fueron" with no place refers to it."""
    return DEFAULT_REGION.reporter_incident(reporter)


def alert(alert_id: str) -> str:
    return f"{_incident_prefix(alert_id)}:alert:{alert_id}"


def delivery_claim(alert_id: str, state: str, group_id: str, recipient: str) -> str:
    """recipient: the member's pseudonym (list positions shift when members leave); "0" for a group.
    Value: "sending:<token>:<started_ms>" | "unsure:<token>:<started_ms>" | "sent" | "refused" | "unknown"
    (workers/delivery.py _claim). reply_claim holds the same."""
    return f"{PREFIX}:sent:{alert_id}:{state}:{group_id}:{recipient}"



# --- chat commands (issue 6) ---------------------------------------------------------------------------
NAMED_AREAS = f"{CONFIG_PREFIX}:areas"
"""hash: area name an admin gave (/area add) -> AreaSpec JSON (a neighbourhood name, circle or polygon)."""
AREA_POLICIES = f"{CONFIG_PREFIX}:area-policies"
"""hash: area name -> Policy JSON, for incidents inside that area (/policy set <area> …)."""
RIGHTS = f"{CONFIG_PREFIX}:rights"
"""hash: language -> know-your-rights text with the hotline (/rights set)."""
VERIFIER_INFO = f"{CONFIG_PREFIX}:verifier-info"
"""hash: verifier pseudonym -> JSON {sealed, channel, language, areas}: where dispatches go."""


def dispatch_claim(incident_id: str, verifier: str) -> str:
    """SET NX: at most one dispatch per incident per verifier."""
    return f"{PREFIX}:dispatch:{incident_id}:{verifier}"


INBOX_DEAD = f"{PREFIX}:inbox:dead"
"""Messages that failed MAX_DELIVERIES times, kept for a person to look at."""
LATENCY = DEFAULT_REGION.latency
"""Arrival → decision, milliseconds, newest first (the last 100,000)."""


def reply_claim(message_key: str) -> str:
    return f"{PREFIX}:sent:reply:{message_key}"


DELIVERY_WARNINGS = f"{PREFIX}:delivery:warnings"
"""stream of {at, channel, text}: sends whose outcome nobody can tell (not resent), for admins to check."""
DELIVERY_WARNINGS_MAXLEN = 1000


def signal_target(message_key: str) -> str:
    """Sealed {group, author, timestamp} of a Signal group message, to react to it later."""
    return f"{PREFIX}:signal:target:{message_key}"


def signal_counted(incident_id: str) -> str:
    """set of message keys of the Signal group reports counted for an incident (they get the ✅)."""
    return f"{PREFIX}:signal:counted:{incident_id}"


def signal_reacted(message_key: str) -> str:
    return f"{PREFIX}:signal:reacted:{message_key}"


TWILIO = f"{PREFIX}:{{twilio}}"
"""Every Twilio key shares the hash tag {twilio}: its scripts (rate limiter, status record) use two at once."""


class twilio:  # noqa: N801  (a namespace: bot.transports.twilio uses these as tk.<name>)
    """Keys of the Twilio transport. No key or value holds a clear phone number: members are pseudonyms,
    addresses needed for a later resend are sealed."""

    WARNINGS = f"{TWILIO}:warnings"
    """stream of operator warnings (63018 rate/tier limits, template missing …) for admins."""
    WARNINGS_MAXLEN = 1000

    @staticmethod
    def suppressed(channel: str) -> str:
        """set of member pseudonyms who sent STOP on `channel` (or Twilio answered 21610). Beside the
        configuration ({config}): `alertrelay import` restores them in the same transaction."""
        return f"{CONFIG_PREFIX}:twilio:suppressed:{channel}"

    @staticmethod
    def window(member: str) -> str:
        """WhatsApp 24-hour session of a member: exists (value = epoch s of their last message) while open."""
        return f"{TWILIO}:window:{member}"

    @staticmethod
    def rate(channel: str) -> str:
        """GCRA state of the outbound rate limiter of one sender (theoretical arrival time, µs)."""
        return f"{TWILIO}:rate:{channel}"

    @staticmethod
    def slowdown(channel: str) -> str:
        """Present after a 63018: the limiter runs at a fraction of the configured rate until it expires."""
        return f"{TWILIO}:slowdown:{channel}"

    @staticmethod
    def sent_message(message_sid: str) -> str:
        """hash: what one outbound MessageSid was (alert, kind, group, member, sealed address, lang, text)."""
        return f"{TWILIO}:msg:{message_sid}"

    @staticmethod
    def sent_token(token: str) -> str:
        """MessageSid of the send that carried this delivery token (from its status callback's `t`)."""
        return f"{TWILIO}:token:{token}"

    @staticmethod
    def delivery(alert_id: str) -> str:
        """hash `{kind}:{member}` -> "attempt|rank|status|sid|error": best known delivery state per member."""
        return f"{TWILIO}:delivery:{alert_id}"


# --- the coordinator map and open feeds (issue 12) --------------------------------------------------------
FEEDS_MODE = f"{CONFIG_PREFIX}:feeds"
"""off | token | public, set by /feeds; unset: ALERTRELAY_FEEDS decides."""
EXERCISE = f"{CONFIG_PREFIX}:exercise"
"""Present when everything in this database is a rehearsal (`alertrelay drill`): CAP says status Exercise."""

# Crash recovery (workers/recovery.py): our own worker liveness, finer than rq's worker keys.
WORKER_BEATS = f"{PREFIX}:workers:beats"
"""Sorted set: rq worker name → its last heartbeat (Redis time, s). A worker silent for claim_idle_s / 2 is
dead; its started and dequeued jobs are put back on the queue."""
RECOVERY_LOCK = f"{PREFIX}:workers:recovery-lock"
"""One recovery pass at a time across all workers."""
STRANDED_SEEN = f"{PREFIX}:workers:stranded-seen"
"""Hash: job id → when a recovery pass first saw it in rq's intermediate queue with no worker running it."""
RECOVERIES = f"{PREFIX}:stats:recoveries"
"""The latest recovery actions, newest first (JSON: at, what, job), for operators and the crash test."""
RECOVERIES_MAX = 1000

# --- operations (issue 13: workers/ops/) --------------------------------------------------------------------
KEY_CHECK = f"{CONFIG_PREFIX}:key-check"
"""HMAC of a constant under the secret key, written at first start: a later start, `doctor` or `import`
with another key is told so before it seals or pseudonymises anything the old data cannot match."""
ROTATION = f"{CONFIG_PREFIX}:ops:rotation"
"""hash: a key rotation in progress (workers/ops/rotate.py): the new key's check value and the steps done.
Present only between the start and the end of `alertrelay rotate-key`; a re-run resumes from it."""
CARRIED = f"{CONFIG_PREFIX}:ops:carried"
"""hash {key, until} after a rotation: the previous pseudonym key (sealed with the new secret key) for the
reporters in CARRIED_PSEUDONYMS, until their incidents have expired (bot/identity.py Identity.carry_over)."""
CARRIED_PSEUDONYMS = f"{CONFIG_PREFIX}:ops:carried:pseudonyms"
