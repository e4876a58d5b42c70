"""Settings come from the environment; production refuses to start with missing or wrong values."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "omstallning.settings.production",
    "DJANGO_SECRET_KEY": "k9#Qz2v!Lp8@Xw4$Rt6^Yh1&Nm3*Bc5(Df7)Gj0_Sa-Ue+Io=Pl~Kb%Vn?Wq",
    "DJANGO_ALLOWED_HOSTS": "portal.example.se",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/omstallning",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "EMAIL_URL": "smtp://mail.example.se:25",
    "STATISTICS_PSEUDONYM_KEY": "pq8Zr3Wm7Kx2Vn5Tb9Yc4Hd6Jf1Lg0Sa-test-only",
}


def run_manage(args, env_overrides, drop=()):
    # DJANGO_ALLOW_ASYNC_UNSAFE is set by the browser tests' fixture and must never reach production
    env = {k: v for k, v in os.environ.items() if k not in PRODUCTION_ENV and k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(PRODUCTION_ENV)
    env.update(env_overrides)
    for key in drop:
        env.pop(key, None)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_is_clean_with_production_settings():
    out = run_manage(["check", "--deploy", "--fail-level", "WARNING"], {})
    assert out.returncode == 0, out.stdout + out.stderr
    assert "no issues" in out.stdout + out.stderr


@pytest.mark.parametrize(
    "name",
    [
        "DJANGO_SECRET_KEY",
        "DJANGO_ALLOWED_HOSTS",
        "DATABASE_URL",
        "REDIS_URL",
        "EMAIL_URL",
        "STATISTICS_PSEUDONYM_KEY",
    ],
)
def test_production_stops_when_a_variable_is_missing(name):
    out = run_manage(["check"], {}, drop=[name])
    assert out.returncode != 0
    assert f"The environment variable {name} must be set" in out.stderr


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DJANGO_SECRET_KEY", "short"),
        ("DATABASE_URL", "sqlite:///x.sqlite3"),
        ("REDIS_URL", "http://127.0.0.1:6379"),
        ("DJANGO_ALLOWED_HOSTS", "*"),
        ("DJANGO_DEBUG", "true"),
        ("STATISTICS_PSEUDONYM_KEY", "too-short"),
    ],
)
def test_production_stops_when_a_variable_is_wrong(name, value):
    out = run_manage(["check"], {name: value})
    assert out.returncode != 0
    assert f"The environment variable {name} is wrong" in out.stderr


def test_database_follows_database_url():
    engine = settings.DATABASES["default"]["ENGINE"]
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        assert engine == "django.db.backends.postgresql"
        assert "pool" in settings.DATABASES["default"]["OPTIONS"]
        assert settings.DATABASES["default"]["CONN_MAX_AGE"] == 0
    else:
        assert engine == "django.db.backends.sqlite3"


def test_celery_is_configured_for_reliability():
    from omstallning.celery import app

    conf = app.conf
    assert conf.task_serializer == "json"
    assert conf.accept_content == ["json"]
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.worker_prefetch_multiplier == 1
    assert conf.task_time_limit and conf.task_soft_time_limit < conf.task_time_limit
    assert app.task_cls == "celery.contrib.django.task:DjangoTask"
    # every scheduled task exists
    app.loader.import_default_modules()
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in app.tasks, entry["task"]


def test_without_redis_tasks_run_eagerly_and_the_broker_is_in_memory():
    code = (
        "import os; os.environ.pop('REDIS_URL', None); os.environ.pop('DATABASE_URL', None);"
        "os.environ['DJANGO_SETTINGS_MODULE']='omstallning.settings.dev';"
        "import django; django.setup(); from django.conf import settings as s;"
        "print(s.CELERY_TASK_ALWAYS_EAGER, s.CELERY_BROKER_URL, s.DATABASES['default']['ENGINE'], s.DEBUG)"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")}
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["True", "memory://", "django.db.backends.sqlite3", "True"]


@pytest.mark.django_db
def test_every_page_carries_a_nonce_csp_without_unsafe_inline_scripts(client):
    response = client.get("/")
    policy = response.headers["Content-Security-Policy"]
    script_src = next(d for d in policy.split(";") if d.strip().startswith("script-src"))
    assert "'unsafe-inline'" not in script_src
    assert "frame-ancestors 'none'" in policy
    assert b"<script>" not in response.content  # no inline scripts
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
