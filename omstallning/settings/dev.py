"""Settings for `make run` on a developer's machine: DEBUG on, console e-mail, demo log-ins."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
