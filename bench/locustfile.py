"""Load test: officials browsing the registry through the production server (locust).

Run it with bench/load.sh, which keeps it headless, bounded in users and time, aimed at this machine
only, and prints the 95th percentiles and the error count:

    bench/load.sh                          # 50 users, 10 more a second, 60 s, http://127.0.0.1:8000
    ANJU_LOAD_USERS=20 ANJU_LOAD_TIME=30s bench/load.sh http://127.0.0.1:8731

The server: `scripts/serve` (the demo) or `scripts/serve --production`; over plain HTTP the
production settings need ANJU_SECURE_COOKIES=0, or the session cookie never comes back.

Each simulated user logs in with one of the accounts in ANJU_LOAD_ACCOUNTS (default: the demo's
county, bureau, town and site accounts, password ANJU_LOAD_PASSWORD, the demo's by default — see
README.md), learns some households, persons, sites and units from the API and the site list, then
browses: the household list and the API lists, details, the site list, summaries (page and API),
and exports (?export=xlsx). Requests are grouped by page in the statistics (`name=`).
"""

from __future__ import annotations

import itertools
import json
import math
import os
import random
import re

from locust import HttpUser, between, events, task

ACCOUNTS = itertools.cycle(os.environ.get("ANJU_LOAD_ACCOUNTS", "leader,xczx,town,site").split(","))
PASSWORD = os.environ.get("ANJU_LOAD_PASSWORD", "Anju@2026demo")
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
SUMMARY_KEY = re.compile(r"/registry/summary/([usgb]\d+)/")

# Browsing once every user has arrived, without the logins: a login hashes the password (Argon2,
# 0.05 s of CPU by design) once a session. The ramp (users logging in and learning ids) is kept
# apart, so both are printed by bench/load.sh.
browsing: list[float] = []
browsing_errors = 0
ramp: list[float] = []
ramp_errors = 0
arrived = False


@events.spawning_complete.add_listener
def _arrived(user_count, **_kwargs):
    global arrived
    arrived = True


@events.request.add_listener
def _record(name, response_time, exception, **_kwargs):
    global browsing_errors, ramp_errors
    if not arrived or name.startswith("/login/"):
        ramp.append(response_time)
        ramp_errors += exception is not None
        return
    browsing.append(response_time)
    browsing_errors += exception is not None


def _p95(times: list[float]) -> float | None:
    ordered = sorted(times)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)] if ordered else None


@events.quitting.add_listener
def _write_browsing(environment, **_kwargs):
    target = os.environ.get("ANJU_LOAD_RESULT")
    if not target:
        return
    with open(target, "w", encoding="utf-8") as out:
        json.dump(
            {
                "requests": len(browsing),
                "errors": browsing_errors,
                "p95_ms": _p95(browsing),
                "ramp_requests": len(ramp),
                "ramp_errors": ramp_errors,
                "ramp_p95_ms": _p95(ramp),
            },
            out,
        )


class Official(HttpUser):
    # A person reads a page before opening the next one.
    wait_time = between(1, 3)

    def on_start(self) -> None:
        self.account = next(ACCOUNTS)
        page = self.client.get("/login/", name="/login/")
        token = CSRF.search(page.text).group(1)
        response = self.client.post(
            "/login/",
            data={"csrfmiddlewaretoken": token, "username": self.account, "password": PASSWORD},
            headers={"Referer": f"{self.host}/login/"},
            name="/login/ (POST)",
        )
        if "/login/" in response.url:
            raise RuntimeError(f"{self.account} 登录失败，检查 ANJU_LOAD_ACCOUNTS 与密码")
        self.households = self._ids("/api/households/")
        self.persons = self._ids("/api/persons/")
        self.sites = self._ids("/api/sites/")
        sites_page = self.client.get("/registry/sites/", name="/registry/sites/").text
        # The user's own units first (county, town …), then its sites: all are summary keys.
        self.units = list(dict.fromkeys(SUMMARY_KEY.findall(sites_page))) or ["s0"]

    def _ids(self, url: str) -> list[int]:
        response = self.client.get(url, name=url)
        return [row["id"] for row in response.json().get("results", [])] or [0]

    def _unit(self) -> str:
        return random.choice(self.units)

    # Lists.
    @task(6)
    def household_list(self):
        self.client.get(f"/registry/?page={random.randint(1, 5)}", name="/registry/")

    @task(2)
    def household_search(self):
        self.client.get(f"/registry/?q={random.choice('张王李刘高')}", name="/registry/?q=")

    @task(4)
    def api_households(self):
        self.client.get(f"/api/households/?page={random.randint(1, 5)}", name="/api/households/")

    @task(4)
    def api_persons(self):
        self.client.get(f"/api/persons/?page={random.randint(1, 5)}", name="/api/persons/")

    # Details.
    @task(4)
    def household_detail(self):
        pk = random.choice(self.households)
        self.client.get(f"/registry/households/{pk}/", name="/registry/households/[id]/")

    @task(2)
    def person_detail(self):
        pk = random.choice(self.persons)
        self.client.get(f"/registry/persons/{pk}/", name="/registry/persons/[id]/")

    @task(2)
    def api_household_detail(self):
        pk = random.choice(self.households)
        self.client.get(f"/api/households/{pk}/", name="/api/households/[id]/")

    # Summaries and the site list.
    @task(3)
    def site_list(self):
        self.client.get("/registry/sites/", name="/registry/sites/")

    @task(3)
    def summary_page(self):
        self.client.get(f"/registry/summary/{self._unit()}/", name="/registry/summary/[unit]/")

    @task(3)
    def api_summary(self):
        key = self._unit()
        # `unit` is the API's name for it; `node` its older name (either works where both exist).
        self.client.get(
            f"/api/registry/summary/?unit={key}&node={key}", name="/api/registry/summary/"
        )

    # Exports.
    @task(1)
    def summary_export(self):
        self.client.get(
            f"/registry/summary/{self._unit()}/?export=xlsx",
            name="/registry/summary/[unit]/?export=xlsx",
        )

    @task(1)
    def site_list_export(self):
        self.client.get("/registry/sites/?export=xlsx", name="/registry/sites/?export=xlsx")

    @task(1)
    def ledger_export(self):
        # One site's household ledger: a county's whole ledger is a download, not a page view.
        site = random.choice(self.sites)
        self.client.get(f"/registry/?site={site}&export=xlsx", name="/registry/?site=&export=xlsx")
