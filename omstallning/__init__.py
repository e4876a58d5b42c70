"""Omställningsportalen: the Django project package."""

import sys

# The project has a top-level Django app called `statistics` (the design card's layout), which
# shadows the standard library's `statistics` module. Our package re-exports the standard
# library's functions (see statistics/__init__.py), so code that expects the standard module,
# such as Django's SQLite backend, keeps working. If something imported the standard module
# before the project was loaded, drop it from the import cache so that `statistics` resolves to
# the project's package from now on; objects that already hold the old module keep it.
_early = sys.modules.get("statistics")
if _early is not None and not hasattr(_early, "__path__"):
    del sys.modules["statistics"]

from .celery import app as celery_app  # noqa: E402

__all__ = ["celery_app"]
