"""The top-level `statistics` app shadows the standard library's module; both must keep working."""

import math
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def test_statistics_is_the_project_package_and_keeps_stdlib_functions():
    import statistics

    assert Path(statistics.__file__).resolve() == ROOT / "statistics" / "__init__.py"
    assert statistics.mean([1, 2, 3, 4]) == 2.5
    assert statistics.median([5, 1, 3]) == 3
    assert math.isclose(statistics.pstdev([2, 4, 4, 4, 5, 5, 7, 9]), 2.0)
    assert math.isclose(statistics.variance([1, 2, 3, 4]), 5 / 3)
    assert statistics.NormalDist(0, 1).cdf(0) == 0.5


def test_the_django_app_statistics_is_installed():
    from django.apps import apps

    config = apps.get_app_config("statistics")
    assert config.name == "statistics"
    assert Path(config.path).resolve() == ROOT / "statistics"


def test_sqlite_backend_loads_and_uses_stdlib_functions_in_a_fresh_process(tmp_path):
    """Django's SQLite backend imports `statistics` and registers pstdev & co as SQL functions."""
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='omstallning.settings.test';"
        f"os.environ['DATABASE_URL']='sqlite:///{tmp_path / 'x.sqlite3'}';"
        "django.setup();"
        "from django.db import connection;"
        "c = connection.cursor();"
        "c.execute('CREATE TABLE t (v REAL)');"
        "c.executemany('INSERT INTO t VALUES (%s)', [(2,),(4,),(4,),(4,),(5,),(5,),(7,),(9,)]);"
        "c.execute('SELECT STDDEV_POP(v), VAR_SAMP(v) FROM t'); print(c.fetchone())"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    pop, var = eval(out.stdout.strip())  # noqa: S307 - a tuple of two floats printed above
    assert math.isclose(pop, 2.0)
    assert math.isclose(var, 4.571428571428571)


def test_stdlib_imported_before_the_project_is_replaced_by_the_package():
    code = (
        "import sys; sys.path.remove(sys.path[0]) if sys.path[0] == '' else None;"
        "import importlib.util, sysconfig;"
        # simulate a library that imported the standard module before the project was loaded
        "path = sysconfig.get_paths()['stdlib'] + '/statistics.py';"
        "spec = importlib.util.spec_from_file_location('statistics', path);"
        "m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m); sys.modules['statistics'] = m;"
        f"sys.path.insert(0, {str(ROOT)!r});"
        "import os; os.environ['DJANGO_SETTINGS_MODULE']='omstallning.settings.test';"
        "import django; django.setup();"
        "import statistics; from django.apps import apps;"
        "print(hasattr(statistics, '__path__'), apps.get_app_config('statistics').name, statistics.mean([1, 3]))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd="/", capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["True", "statistics", "2"]


@pytest.mark.django_db
def test_stddev_aggregate_works_on_the_configured_database():
    from django.contrib.auth import get_user_model
    from django.db.models import StdDev

    User = get_user_model()
    for i in (2, 4, 4, 4, 5, 5, 7, 9):
        User.objects.create(username=f"u{i}-{User.objects.count()}", first_name=str(i))
    result = User.objects.aggregate(sd=StdDev("id"))
    assert result["sd"] is not None
    assert connection.vendor in {"postgresql", "sqlite"}
