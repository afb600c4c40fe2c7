"""compose.yaml has what a deployment needs (read with PyYAML), and `docker compose config` accepts it
(.ci/run installs the compose plugin where it is missing)."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
import yaml

from tests.conftest import REPO

COMPOSE = REPO / "compose.yaml"


def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))  # merge keys (<<: *relay) are resolved


def test_the_services_a_deployment_needs() -> None:
    services = compose()["services"]
    assert {"redis", "signal-api", "bot", "worker"} <= set(services)
    redis_command = " ".join(services["redis"]["command"])
    assert "--appendonly yes" in redis_command and "--appendfsync everysec" in redis_command  # doctor's checks
    assert services["redis"]["healthcheck"]["test"]
    assert services["signal-api"]["environment"]["MODE"] == "json-rpc"
    assert re.search(r":0\.1\d\d$", services["signal-api"]["image"])  # a pinned tag ≥ 0.100, never latest
    for name in ("bot", "worker"):
        service = services[name]
        assert service["environment"]["ALERTRELAY_REDIS_URL"] == "redis://redis:6379/0"
        assert "ALERTRELAY_SECRET_KEY" in service["environment"]  # the same key for the bot and every worker
        assert service["depends_on"]["redis"]["condition"] == "service_healthy"
    assert services["bot"]["command"][:2] == ["alertrelay", "run"]
    assert services["worker"]["command"] == ["alertrelay", "worker"]
    assert services["bot"]["environment"]["ALERTRELAY_SIGNAL_WEBHOOK_TOKEN"]


def test_every_named_volume_is_declared() -> None:
    data = compose()
    used = {mount.split(":")[0] for service in data["services"].values() for mount in service.get("volumes", [])
            if not mount.startswith((".", "/"))}
    assert used <= set(data["volumes"])


@pytest.mark.skipif(shutil.which("docker") is None, reason="docker is not installed")
def test_docker_compose_accepts_it_where_the_plugin_is_installed() -> None:
    if subprocess.run(["docker", "compose", "version"], capture_output=True).returncode != 0:
        pytest.skip("the docker compose plugin is not installed")
    env = {"ALERTRELAY_SECRET_KEY": "x" * 32, "SIGNAL_NUMBER": "+16125550100", "SIGNAL_WEBHOOK_TOKEN": "t" * 24,
           "PATH": "/usr/bin:/bin:/usr/local/bin"}
    result = subprocess.run(["docker", "compose", "-f", str(COMPOSE), "config", "--quiet"], env=env,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
