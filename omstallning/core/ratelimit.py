"""Rate limits on Django's cache (Redis in production): a view decorator and a DRF throttle.

Usage in a view module::

    from omstallning.core.ratelimit import rate_limit

    @rate_limit(group="eligibility-precheck", rate="30/m", key="ip", methods=("POST",))
    def precheck(request): ...

* ``rate`` is ``"<count>/<s|m|h|d>"`` (e.g. ``"10/m"``, ``"100/h"``); a fixed window per period.
* ``key`` says whose requests are counted together: ``"ip"`` (the client address, see
  ``PORTAL_TRUSTED_PROXY_COUNT``), ``"user"`` (the signed-in user, anonymous requests by address),
  or a function ``request -> str``.
* ``methods``: only these methods count (``None``: all).
* Over the limit the view is not called; the answer is 429 with ``Retry-After``.

API views get ``PortalAPIThrottle`` by default (REST_FRAMEWORK settings); a view may set
``portal_rate = "60/m"`` to change its own limit. ``PORTAL_RATELIMIT_ENABLED = False`` (the test
settings only) turns every limit off; tests of a limit turn it on with the ``settings`` fixture.
Identities are hashed before they become cache keys, so no address or user id is stored in clear.
"""

import functools
import hashlib
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render
from rest_framework.throttling import BaseThrottle

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """``"10/m"`` -> (10, 60). Raises ValueError for anything else."""
    try:
        count_text, period_text = rate.split("/")
        count = int(count_text)
        period = PERIODS[period_text.strip().lower()[0]]
    except (ValueError, KeyError, IndexError):
        raise ValueError(f"rate must look like '10/m', got {rate!r}") from None
    if count < 1:
        raise ValueError(f"rate must allow at least one request, got {rate!r}")
    return count, period


def client_ip(request) -> str:
    """The client's address. Behind PORTAL_TRUSTED_PROXY_COUNT proxies that append to
    X-Forwarded-For, the entry that the nearest trusted proxy saw; otherwise REMOTE_ADDR."""
    proxies = settings.PORTAL_TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if p.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")


def _identity(request, key) -> str:
    if callable(key):
        return f"f:{key(request)}"
    user = getattr(request, "user", None)
    if key == "user" and user is not None and user.is_authenticated:
        return f"u:{user.pk}"
    if key in ("ip", "user"):
        return f"ip:{client_ip(request)}"
    raise ValueError(f"unknown rate-limit key {key!r}")


@dataclass(frozen=True)
class Hit:
    allowed: bool
    count: int
    limit: int
    retry_after: int


def hit(*, group: str, identity: str, rate: str, now: float | None = None) -> Hit:
    """Counts one request of `identity` in `group` and says whether it is within `rate`."""
    limit, period = parse_rate(rate)
    now = time.time() if now is None else now
    window = int(now // period)
    digest = hashlib.sha256(identity.encode()).hexdigest()[:32]
    cache_key = f"ratelimit:{group}:{period}:{window}:{digest}"
    cache.add(cache_key, 0, timeout=period + 1)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, timeout=period + 1)
        count = 1
    retry_after = max(1, int((window + 1) * period - now))
    return Hit(allowed=count <= limit, count=count, limit=limit, retry_after=retry_after)


def is_rate_limited(request, *, group: str, rate: str, key="ip") -> bool:
    """Counts this request and returns True when it is over the limit (for use inside a view,
    e.g. to count only failed attempts)."""
    if not settings.PORTAL_RATELIMIT_ENABLED:
        return False
    return not hit(group=group, identity=_identity(request, key), rate=rate).allowed


def too_many_requests(request, retry_after: int):
    response = render(request, "core/too_many_requests.html", {"retry_after": retry_after}, status=429)
    response["Retry-After"] = str(retry_after)
    return response


def rate_limit(*, group: str, rate: str, key="ip", methods=("POST",)):
    parse_rate(rate)  # fail at import time on a malformed rate
    counted = None if methods is None else {m.upper() for m in methods}

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            if settings.PORTAL_RATELIMIT_ENABLED and (counted is None or request.method in counted):
                result = hit(group=group, identity=_identity(request, key), rate=rate)
                if not result.allowed:
                    return too_many_requests(request, result.retry_after)
            return view(request, *args, **kwargs)

        wrapped.rate_limit = {"group": group, "rate": rate, "key": key, "methods": methods}
        return wrapped

    return decorator


class PortalAPIThrottle(BaseThrottle):
    """DRF throttle for every API view: PORTAL_API_RATE per client (token/user, else address)."""

    def allow_request(self, request, view):
        self._wait = None
        if not settings.PORTAL_RATELIMIT_ENABLED:
            return True
        rate = getattr(view, "portal_rate", None) or settings.PORTAL_API_RATE
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            identity = f"u:{user.pk}"
        elif getattr(request, "auth", None) is not None and getattr(request.auth, "pk", None) is not None:
            identity = f"t:{type(request.auth).__name__}:{request.auth.pk}"
        else:
            identity = f"ip:{client_ip(request)}"
        result = hit(group=f"api:{type(view).__name__}", identity=identity, rate=rate)
        if not result.allowed:
            self._wait = result.retry_after
        return result.allowed

    def wait(self):
        return self._wait
