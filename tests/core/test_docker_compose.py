"""docker-compose.yml stays in step with the settings. No Docker engine runs here, so the file is
parsed and checked (and `docker compose config` is used when the client can run it offline)."""

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_services(compose):
    services = compose["services"]
    assert set(services) >= {"db", "redis", "web", "worker", "beat"}
    assert services["db"]["image"].startswith("postgres:16")
    assert services["redis"]["image"].startswith("redis:7")
    redis_cmd = " ".join(services["redis"]["command"])
    for option in ["--appendonly yes", "--appendfsync everysec", "--maxmemory-policy noeviction"]:
        assert option in redis_cmd
    assert "gunicorn" in " ".join(services["web"]["command"])
    assert "worker" in services["worker"]["command"]
    assert "beat" in services["beat"]["command"]
    # exactly one beat: never scaled
    assert services["beat"].get("deploy", {}).get("replicas", 1) == 1
    for name in ("db", "redis", "web"):
        assert "healthcheck" in services[name], name


def test_migrations_run_on_start_before_web_workers(compose):
    services = compose["services"]
    assert "migrate" in " ".join(services["migrate"]["command"])
    for name in ("web", "worker", "beat"):
        assert services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"


def test_environment_matches_production_settings(compose):
    from tests.core.test_settings import PRODUCTION_ENV

    anchors = compose["x-app"]["environment"]
    for variable in PRODUCTION_ENV:
        assert variable in anchors, variable
    assert anchors["DJANGO_SETTINGS_MODULE"] == "omstallning.settings.production"
    assert anchors["DATABASE_URL"].startswith("postgres://")
    assert anchors["REDIS_URL"].startswith("redis://redis:6379")


def test_docker_compose_config_when_the_client_can_validate_offline():
    docker = shutil.which("docker")
    if docker is None:
        pytest.skip("docker client not installed; the YAML checks above still ran")
    version = subprocess.run([docker, "compose", "version"], capture_output=True, text=True, timeout=30)
    if version.returncode != 0:
        pytest.skip("the docker compose plugin is not installed; the YAML checks above still ran")
    out = subprocess.run([docker, "compose", "config", "-q"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
