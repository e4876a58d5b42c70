"""Bench (run by `make bench`; never part of the test suite): how long the sign-up page takes to
answer for a taken address and for a free one, with the production password hasher.

    DATABASE_URL=postgres://…/omst_<you> .venv/bin/python bench/registry_signup_timing.py [N] [pbkdf2|md5]

With ``md5`` (the test suite's hasher) the hashing all but vanishes and what is left is the
rest of the work of each path (the database writes of a new account among it).

Uses a test database of its own (test_<db>, kept between runs), posts the form N times for
each path, alternating (taken, free, taken, …) so that drift in load hits both alike, and prints
mean, median and p90 in ms and the differences. Mail is the in-memory backend and tasks run
eagerly (as in the test settings), so each path's one mail is built and "sent" inside the
request on both paths; in production both paths instead publish one task.
"""

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "omstallning.settings.test")


PBKDF2 = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
MD5 = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def mean(values):
    return sum(values) / len(values)


def median(values):
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def main(n: int, hashers: list[str]) -> None:
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import override_settings, setup_test_environment

    setup_test_environment()
    connection.creation.create_test_db(verbosity=0, keepdb=True)
    from django.contrib.auth import get_user_model

    from registry import models

    RegistrationCase = models.RegistrationCase
    PendingSignup = getattr(models, "PendingSignup", None)  # absent before the sweep (to time old code)

    User = get_user_model()
    url = "/registrera-omstallningsorganisation/skapa-konto/"
    base = {
        "first_name": "Karin",
        "last_name": "Ek",
        "password1": "grön-tallskog-7-vinter",
        "password2": "grön-tallskog-7-vinter",
        "organisation_name": "Trygghetsfonden Exempel",
        "org_number": "8020000009",
        "authorised": "on",
    }
    taken = "taken.timing@fonden.example"  # kept: the owner of the taken address

    def clean():
        ids = list(User.objects.filter(email__endswith="@timing.example").values_list("pk", flat=True))
        if PendingSignup is not None:
            PendingSignup.objects.filter(user_id__in=ids).delete()
        RegistrationCase.objects.filter(applicant_id__in=ids).delete()
        User.objects.filter(pk__in=ids).delete()

    # by default the production hasher (Django's default list), not the test suite's MD5
    with override_settings(PASSWORD_HASHERS=hashers):
        clean()
        if not User.objects.filter(email=taken).exists():
            User.objects.create_user(username="timing-owner", email=taken, password="x-irrelevant-1234")
        client = Client()
        times = {"taken": [], "free": []}
        for i in range(n + 5):  # the first 5 of each warm up
            for kind in ("taken", "free"):
                email = taken if kind == "taken" else f"free{i}-{time.time_ns()}@timing.example"
                start = time.perf_counter()
                response = client.post(url, {**base, "email": email})
                elapsed = (time.perf_counter() - start) * 1000
                assert response.status_code == 302, response.status_code
                if i >= 5:
                    times[kind].append(elapsed)
        clean()
    print(f"hasher {hashers[0].rsplit('.', 1)[1]}, n={n} per path, load {os.getloadavg()}")
    for kind, values in times.items():
        values.sort()
        print(
            f"{kind:5}: mean {mean(values):.2f} ms, median {median(values):.2f} ms, "
            f"p90 {values[int(len(values) * 0.9)]:.2f} ms"
        )
    t, f = times["taken"], times["free"]
    print(f"free - taken: mean {mean(f) - mean(t):+.2f} ms, median {median(f) - median(t):+.2f} ms")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100, MD5 if sys.argv[2:] == ["md5"] else PBKDF2)
