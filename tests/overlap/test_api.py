"""The overlap page and its /api/v1 routes on both databases: figures equal to a count of the rituals inserted,
pressure, findings, the ritual list's paging and filters, and who may read them.

The figures come from the cached walk, whose key moves with calendar imports, not with the rows the factory adds:
every test adds its rituals before its first request."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from overlap.factories import add_occurrence
from tandem.accounts.models import Role
from tandem.config import Settings
from tandem.db import transaction, utcnow
from tandem.overlap.facts import RitualKind
from webfixtures import Headers

K = RitualKind
API = "/api/v1/teams/Payments/overlap"
RITUALS = "/api/v1/teams/Payments/rituals"
PAGE = "/teams/Payments/overlap"
SIDE = {"pm1": "product", "cpo": "product", "em1": "engineering", "dev1": "engineering", "gm": "other"}
"""Who speaks for which side on Payments: pm1 and em1 by their lead seats, the others by their function."""
DISCOVERY = {K.DISCOVERY, K.PLANNING}
DELIVERY = {K.STANDUP, K.RETRO, K.DEMO, K.INCIDENT}


@dataclass(frozen=True)
class Spec:
    kind: RitualKind
    days_ago: float
    attendees: tuple[str, ...]
    organiser: str | None

    def has(self, side: str) -> bool:
        return any(SIDE[person] == side for person in self.attendees)


PAYMENTS = [
    Spec(K.DISCOVERY, 2, ("pm1", "dev1"), "pm1"),
    Spec(K.DISCOVERY, 9, ("pm1", "em1"), "pm1"),
    Spec(K.DISCOVERY, 16, ("pm1",), "pm1"),
    Spec(K.DISCOVERY, 23, ("pm1", "gm"), "gm"),
    Spec(K.PLANNING, 5, ("pm1", "em1", "dev1"), "em1"),
    Spec(K.PLANNING, 12, ("em1",), "em1"),
    Spec(K.STANDUP, 1, ("em1", "dev1"), "em1"),
    Spec(K.STANDUP, 3, ("em1", "dev1"), "em1"),
    Spec(K.STANDUP, 8, ("em1", "dev1"), "em1"),
    Spec(K.STANDUP, 4, ("pm1", "dev1"), "dev1"),
    Spec(K.STANDUP, 10, ("pm1", "dev1"), None),
    Spec(K.RETRO, 14, ("pm1", "em1"), "pm1"),
    Spec(K.DEMO, 20, ("dev1",), "dev1"),
    Spec(K.INCIDENT, 30, ("em1", "cpo"), "em1"),
    Spec(K.OTHER, 40, ("pm1", "em1"), "cpo"),
]
"""Payments' rituals in the last 90 days (the overlap window)."""
OLD = Spec(K.RETRO, 200, ("pm1", "em1"), "pm1")
"""Before the window, inside the trend's twelve months and the heatmap's 52 weeks."""


def share(count: int, total: int) -> float | None:
    return round(count / total, 4) if total else None


def add(engine: Engine, team: str, specs: Sequence[Spec], now: datetime) -> None:
    with transaction(engine) as session:
        for spec in specs:
            add_occurrence(
                session, team, spec.kind, now - timedelta(days=spec.days_ago), spec.attendees, spec.organiser
            )


@pytest.fixture
def now() -> datetime:
    return utcnow()


@pytest.fixture
def rituals(engine: Engine, web_org: None, now: datetime) -> None:
    """Payments' rituals (``PAYMENTS`` and ``OLD``) and one Search standup."""
    add(engine, "Payments", [*PAYMENTS, OLD], now)
    add(engine, "Search", [Spec(K.STANDUP, 1, ("pm2", "em2"), "pm2")], now)


@pytest.fixture
def client(anonymous: TestClient, api: Headers) -> Callable[[str], Any]:
    """GET as pm1 (Payments' product lead), the JSON of a 200 answer."""

    def get(url: str) -> Any:
        response = anonymous.get(url, headers=api["pm1"])
        assert response.status_code == 200, response.text
        return response.json()

    return get


# --- the figures ------------------------------------------------------------------------------------------------


def test_the_presence_figures_equal_a_count_of_the_rituals_in_the_window(
    rituals: None, client: Callable[[str], Any]
) -> None:
    discovery = [s for s in PAYMENTS if s.kind in DISCOVERY]
    delivery = [s for s in PAYMENTS if s.kind in DELIVERY]
    figures = client(API)["figures"]
    assert {key: figures[key] for key in ("occurrences", "discovery_occurrences", "delivery_occurrences")} == {
        "occurrences": len(PAYMENTS),
        "discovery_occurrences": len(discovery),
        "delivery_occurrences": len(delivery),
    }
    assert figures["discovery_with_engineer"] == share(sum(s.has("engineering") for s in discovery), len(discovery))
    assert figures["delivery_with_product"] == share(sum(s.has("product") for s in delivery), len(delivery))
    both = sum(s.has("product") and s.has("engineering") for s in PAYMENTS)
    assert figures["joint"] == share(both, len(PAYMENTS))
    assert figures["by_kind"] == {kind.value: n for kind, n in Counter(s.kind for s in PAYMENTS).items()}


def test_lead_attendance_is_each_leads_share_of_the_rituals_of_each_kind(
    rituals: None, client: Callable[[str], Any]
) -> None:
    kinds = Counter(s.kind for s in PAYMENTS)
    attendance = client(API)["figures"]["lead_attendance"]
    for seat, lead in (("product", "pm1"), ("engineering", "em1")):
        attended = Counter(s.kind for s in PAYMENTS if lead in s.attendees)
        assert attendance[seat] == {
            "person": lead,
            "by_kind": {kind.value: share(attended[kind], n) for kind, n in kinds.items()},
        }


def test_organisers_are_counted_by_the_side_they_speak_for(rituals: None, client: Callable[[str], Any]) -> None:
    sides = Counter(SIDE[s.organiser] if s.organiser else "unknown" for s in PAYMENTS)
    figures = client(API)["figures"]
    assert figures["organisers"] == dict(sides)
    assert figures["organiser_product_share"] == share(sides["product"], sides["product"] + sides["engineering"])


def test_the_monthly_trend_counts_rituals_before_the_window_too(
    rituals: None, client: Callable[[str], Any], now: datetime
) -> None:
    trend = client(API)["figures"]["trend"]
    month = (now - timedelta(days=OLD.days_ago)).strftime("%Y-%m")
    assert len(trend) == 12 and list(trend) == sorted(trend)
    assert sum(m["occurrences"] for m in trend.values()) == len(PAYMENTS) + 1
    in_month = [s for s in [*PAYMENTS, OLD] if (now - timedelta(days=s.days_ago)).strftime("%Y-%m") == month]
    assert trend[month]["occurrences"] == len(in_month)
    assert trend[month]["delivery_with_product"] is not None


def test_the_heatmap_counts_every_ritual_of_the_last_52_weeks_once_per_side(
    rituals: None, client: Callable[[str], Any]
) -> None:
    heatmap = client(API)["heatmap"]["data"][0]
    held = {label: sum(cell[1] for cell in row) for label, row in zip(heatmap["y"], heatmap["customdata"], strict=True)}
    present = {
        label: sum(cell[0] for cell in row) for label, row in zip(heatmap["y"], heatmap["customdata"], strict=True)
    }
    everything = [*PAYMENTS, OLD]
    for kind in Counter(s.kind for s in everything):
        for side in ("product", "engineering"):
            assert held[f"{kind.value} · {side}"] == sum(s.kind is kind for s in everything)
            assert present[f"{kind.value} · {side}"] == sum(s.kind is kind and s.has(side) for s in everything)


def test_the_thresholds_come_from_the_settings(rituals: None, client: Callable[[str], Any], settings: Settings) -> None:
    thresholds = client(API)["thresholds"]
    assert thresholds["discovery_engineer_share"] == settings.thresholds.discovery_engineer_share
    assert thresholds["delivery_product_share"] == settings.thresholds.delivery_product_share


# --- pressure and findings --------------------------------------------------------------------------------------


def test_an_incident_review_opens_a_pressure_period_with_too_little_evidence_to_compare(
    rituals: None, client: Callable[[str], Any]
) -> None:
    pressure = client(API)["pressure"]
    assert (pressure["pressure_periods"], pressure["measures"], pressure["alpha_each"]) == (1, {}, None)
    assert pressure["periods"][0]["reasons"] == ["incident"]


@pytest.fixture
def fractured(engine: Engine, web_org: None, now: datetime) -> None:
    """Payments' standups: both leads at ten before an incident review, the engineering lead alone at ten after it
    (inside the pressure period the review opens); the review itself had both sides."""
    before = [Spec(K.STANDUP, day, ("pm1", "em1"), "em1") for day in range(50, 60)]
    after = [Spec(K.STANDUP, day, ("em1",), "em1") for day in range(20, 30)]
    add(engine, "Payments", [Spec(K.INCIDENT, 30.5, ("em1", "cpo"), "em1"), *before, *after], now)


def test_joint_rituals_are_compared_inside_and_outside_pressure(fractured: None, client: Callable[[str], Any]) -> None:
    joint = client(API)["pressure"]["measures"]["joint_rituals"]
    assert (joint["inside_hits"], joint["inside_n"], joint["outside_hits"], joint["outside_n"]) == (1, 11, 10, 10)
    assert joint["change"] == round(1 / 11 - 1, 4)
    assert joint["fractured"] is True


def test_a_fracture_under_pressure_is_among_the_teams_findings(fractured: None, client: Callable[[str], Any]) -> None:
    assert "fracture_under_pressure" in [f["kind"] for f in client(API)["findings"]]


def test_a_team_without_a_pressure_period_has_no_pressure_figures(rituals: None, client: Callable[[str], Any]) -> None:
    assert client("/api/v1/teams/Search/overlap")["pressure"] is None


def test_the_findings_are_the_walks_overlap_findings_about_the_team(
    engine: Engine, web_org: None, now: datetime, client: Callable[[str], Any]
) -> None:
    add(engine, "Search", [Spec(K.DISCOVERY, day, ("pm2",), "pm2") for day in (1, 8, 15, 22)], now)
    findings = client("/api/v1/teams/Search/overlap")["findings"]
    assert [f["kind"] for f in findings] == ["engineering_absent_from_discovery"]  # not Search's power gap
    assert findings[0]["evidence"]["occurrences"] == 4


def test_a_member_reads_the_figures_but_not_the_walks_findings(
    rituals: None, anonymous: TestClient, api: Headers
) -> None:
    overlap = anonymous.get(API, headers=api["member"]).json()
    assert overlap["findings"] is None
    assert overlap["figures"]["occurrences"] == len(PAYMENTS)


def test_a_team_without_rituals_has_zero_figures_and_an_empty_heatmap(
    web_org: None, client: Callable[[str], Any]
) -> None:
    overlap = client(API)
    assert overlap["figures"]["occurrences"] == 0
    assert overlap["figures"]["discovery_with_engineer"] is None
    assert overlap["heatmap"]["data"][0]["y"] == []


# --- who may read ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [API, RITUALS])
def test_a_member_may_not_read_another_teams_overlap(
    rituals: None, anonymous: TestClient, api: Headers, url: str
) -> None:
    assert anonymous.get(url, headers=api["member"]).status_code == 200
    assert anonymous.get(url.replace("Payments", "Search"), headers=api["member"]).status_code == 403


@pytest.mark.parametrize("url", [API, RITUALS])
def test_an_unknown_team_is_not_found(anonymous: TestClient, api: Headers, url: str) -> None:
    assert anonymous.get(url.replace("Payments", "Nowhere"), headers=api["executive"]).status_code == 404


@pytest.mark.parametrize("url", [API, RITUALS])
def test_without_a_token_the_api_asks_for_one(anonymous: TestClient, url: str) -> None:
    response = anonymous.get(url)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"


# --- the ritual list ----------------------------------------------------------------------------------------------


def test_rituals_are_listed_newest_first_with_who_was_there(rituals: None, client: Callable[[str], Any]) -> None:
    listed = client(RITUALS)
    assert listed["total"] == len(PAYMENTS) + 1
    starts = [datetime.fromisoformat(item["start"]) for item in listed["items"]]
    assert starts == sorted(starts, reverse=True) and len(starts) == len(PAYMENTS) + 1
    newest = listed["items"][0]
    assert (newest["team"], newest["kind"], newest["attendees"], newest["organiser"]) == (
        "Payments",
        "standup",
        ["dev1", "em1"],
        "em1",
    )
    assert (newest["product_present"], newest["engineer_present"]) == (False, True)


def test_a_product_manager_who_is_not_the_lead_counts_as_product_present(
    rituals: None, client: Callable[[str], Any]
) -> None:
    incident = client(RITUALS + "?kind=incident")["items"][0]
    assert (incident["attendees"], incident["product_present"]) == (["cpo", "em1"], True)


def test_rituals_come_in_pages_of_the_servers_page_size(
    rituals: None, client: Callable[[str], Any], settings: Settings
) -> None:
    settings.web.page_size = 4
    first = client(RITUALS)
    last = client(RITUALS + "?offset=12")
    assert (len(first["items"]), first["limit"], first["offset"], first["total"]) == (4, 4, 0, 16)
    assert (len(last["items"]), last["offset"]) == (4, 12)
    everything = client(RITUALS + "?limit=100")["items"]
    assert [i["id"] for i in first["items"]] == [i["id"] for i in everything[:4]]
    assert [i["id"] for i in last["items"]] == [i["id"] for i in everything[12:]]


def test_the_kind_filter_lists_one_kind_only(rituals: None, client: Callable[[str], Any]) -> None:
    listed = client(RITUALS + "?kind=standup")
    assert listed["total"] == sum(s.kind is K.STANDUP for s in PAYMENTS)
    assert {item["kind"] for item in listed["items"]} == {"standup"}


def test_since_and_until_are_days_both_included(rituals: None, client: Callable[[str], Any], now: datetime) -> None:
    since = (now - timedelta(days=10)).date()
    until = (now - timedelta(days=2)).date()
    listed = client(RITUALS + f"?since={since.isoformat()}&until={until.isoformat()}&limit=100")
    expected = [s for s in PAYMENTS if since <= (now - timedelta(days=s.days_ago)).astimezone(UTC).date() <= until]
    assert listed["total"] == len(expected)
    assert sorted(item["kind"] for item in listed["items"]) == sorted(s.kind.value for s in expected)


def test_an_unknown_kind_is_refused(rituals: None, anonymous: TestClient, api: Headers) -> None:
    assert anonymous.get(RITUALS + "?kind=party", headers=api["pm1"]).status_code == 422


# --- the page ------------------------------------------------------------------------------------------------------


def test_the_page_shows_the_headline_shares_against_the_thresholds(
    rituals: None, signed_in: Callable[[Role], TestClient]
) -> None:
    html = signed_in(Role.LEAD).get(PAGE).text
    assert "Payments: overlap between product and engineering" in html
    assert "Discovery and planning with an engineer" in html and "67%" in html  # 4 of 6
    assert "at or above 50%" in html
    assert '<span class="figure">50%</span> <span class="muted">of 8</span>' in html  # delivery with product


def test_the_page_has_a_table_beside_each_chart(rituals: None, signed_in: Callable[[Role], TestClient]) -> None:
    html = signed_in(Role.LEAD).get(PAGE).text
    for element in ('id="overlap-trend"', 'id="overlap-heatmap"', 'table class="overlap-trend"', "overlap-calendar"):
        assert element in html
    assert 'src="/assets/plotly.min.js"' in html and 'src="/static/overlap.js"' in html


def test_the_page_lists_the_pressure_comparison_or_says_why_there_is_none(
    rituals: None, signed_in: Callable[[Role], TestClient]
) -> None:
    client = signed_in(Role.EXECUTIVE)
    assert "Too little evidence to compare" in client.get(PAGE).text
    assert "No pressure period in the last 365 days" in client.get("/teams/Search/overlap").text


def test_the_page_tabulates_each_measure_inside_and_outside_pressure(
    fractured: None, signed_in: Callable[[Role], TestClient]
) -> None:
    html = signed_in(Role.LEAD).get(PAGE).text
    row = html.split("Rituals with both sides present", 1)[1].split("</tr>", 1)[0]
    for cell in ("100%", "9%", "-91 pts", "10 / 11", "fractured"):
        assert cell in row
    assert "after an incident" in html


def test_the_page_of_a_team_without_rituals_draws_no_chart(
    web_org: None, signed_in: Callable[[Role], TestClient]
) -> None:
    html = signed_in(Role.LEAD).get(PAGE).text
    assert "No rituals recorded in the last 90 days" in html
    assert "plotly.min.js" not in html


def test_the_team_page_links_to_the_overlap_page(web_org: None, signed_in: Callable[[Role], TestClient]) -> None:
    assert f'href="{PAGE}"' in signed_in(Role.MEMBER).get("/teams/Payments").text


def test_a_member_may_not_open_another_teams_overlap_page(
    web_org: None, signed_in: Callable[[Role], TestClient]
) -> None:
    assert signed_in(Role.MEMBER).get("/teams/Search/overlap").status_code == 403
