"""One doctor check: a name, a one-line verdict and the fix (workers/ops/doctor.py, store_checks.py)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Check:
    name: str
    ok: bool
    verdict: str
    fix: str = ""
    needed: bool = True
    """False: advice only; doctor still exits 0 when it fails."""


def passed(name: str, verdict: str) -> Check:
    return Check(name, True, verdict)


def failed(name: str, verdict: str, fix: str, needed: bool = True) -> Check:
    return Check(name, False, verdict, fix, needed)
