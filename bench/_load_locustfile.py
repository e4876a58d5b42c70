"""The locust users of bench/load.py. LOAD_SCENARIO picks the scenario:

- open: applicants who think 1-3 s between requests; each round runs the public pre-check (GET,
  POST) and the whole application (new draft, three steps, review, submit).
- saturation: applicants who submit complete drafts (seeded) back to back, no think time.

LOAD_SEED is the JSON written by _load_seed.py; LOAD_OUT receives every request's
(name, milliseconds, ok) so that load.py computes exact percentiles.
"""

import datetime
import itertools
import json
import os
import random
import re
import time

import gevent
from locust import FastHttpUser, between, constant, events, task
from locust.exception import StopUser

SCENARIO = os.environ.get("LOAD_SCENARIO", "open")
SEED = json.loads(open(os.environ["LOAD_SEED"]).read())  # noqa: SIM115
USERNAMES = sorted(SEED["tokens"]) if SCENARIO == "saturation" else sorted(SEED["users"])
_next_user = itertools.count()
RECORDS = []
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
DRAFT = re.compile(r"/ansok/(\d+)/")


@events.request.add_listener
def _record(request_type, name, response_time, response_length, exception, **kwargs):
    RECORDS.append((name, response_time, exception is None, time.time()))


@events.quitting.add_listener
def _dump(environment, **kwargs):
    with open(os.environ["LOAD_OUT"], "w") as out:
        json.dump(RECORDS, out)


def precheck_data(csrf):
    today = datetime.date.today()
    return {
        "csrfmiddlewaretoken": csrf,
        "service": "radgivning",
        "situation": "uppsagd_arbetsbrist",
        "birth_date": "1975-05-17",
        "employment_end_date": (today + datetime.timedelta(days=30)).isoformat(),
        "active_in_sweden": "yes",
        "registered_with_skatteverket": "yes",
        "kollektivavtal": "no",
        "finances_registered_organisation": "no",
        "same_every_month": "on",
        "same_hours": "165",
        "same_income": "32000",
    }


class Applicant(FastHttpUser):
    wait_time = between(1, 3) if SCENARIO == "open" else constant(0)

    def on_start(self):
        index = next(_next_user)
        if index >= len(USERNAMES):
            raise StopUser
        self.username = USERNAMES[index]
        self.tokens = list(SEED["tokens"].get(self.username, []))
        page = self.client.get("/konto/logga-in/", name="log in (not measured)")
        csrf = CSRF.search(page.text).group(1)
        with self.client.post(
            "/konto/logga-in/",
            data={"csrfmiddlewaretoken": csrf, "username": self.username, "password": SEED["password"]},
            allow_redirects=False,
            name="log in (not measured)",
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"log-in refused: {response.status_code}")
                raise StopUser
        # The CSRF secret that the log-in rotated, from its cookie (Django accepts the unmasked
        # secret as the form token). Reading it from a page instead cost the saturation users a
        # render of "Apply", which lists their hundreds of stocked drafts, inside the measured window.
        cookie = next((c.value for c in self.client.cookiejar if c.name.endswith("csrftoken")), None)
        if cookie is None:
            raise StopUser
        self.csrf = cookie

    def think(self):
        if SCENARIO == "open":
            gevent.sleep(random.uniform(1, 3))

    def post(self, path, data, name, expect=302):
        data = {"csrfmiddlewaretoken": self.csrf, **data}
        with self.client.post(path, data=data, allow_redirects=False, name=name, catch_response=True) as response:
            if response.status_code != expect:
                response.failure(f"{name}: HTTP {response.status_code}")
            return response

    @task
    def round(self):
        if SCENARIO == "saturation":
            if not self.tokens:
                raise StopUser
            self.post("/ansok/skicka/", {"token": self.tokens.pop(), "confirm": "on"}, "submit (saturation)")
            return
        # the public pre-check
        page = self.client.get("/kan-jag-fa-stod/", name="pre-check: page")
        self.think()
        with self.client.post(
            "/kan-jag-fa-stod/", data=precheck_data(self.csrf), name="pre-check: check", catch_response=True
        ) as response:
            if response.status_code != 200 or 'id="outcome"' not in response.text:
                response.failure("pre-check: no outcome")
        del page
        self.think()
        # the application, step by step, and the submit
        response = self.post("/ansok/", {"service": "radgivning"}, "apply: new draft")
        match = DRAFT.search(response.headers.get("Location", ""))
        if not match:
            return
        base = f"/ansok/{match.group(1)}"
        form = SEED["form"]
        for slug, data in (
            ("om-dig", form["about"]),
            ("anstallning", form["employment"]),
            ("arbetshistorik", form["history"]),
        ):
            self.think()
            self.post(f"{base}/{slug}/", data, f"apply: step {slug}")
        self.think()
        review = self.client.get(f"{base}/granska/", name="apply: review")
        token = re.search(r'name="token" value="([^"]+)"', review.text)
        self.think()
        self.post("/ansok/skicka/", {"token": token.group(1) if token else "", "confirm": "on"}, "apply: submit")
