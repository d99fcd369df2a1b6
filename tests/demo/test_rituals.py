"""The demo's team calendars: deterministic, real iCalendar, planted where they say, steady where healthy."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
import recurring_ical_events  # type: ignore[import-untyped]

from tandem.demo.generator import DemoOrg, generate_org
from tandem.demo.rituals import (
    DAYS,
    ENGINEERING_ABSENT,
    FRACTURE,
    PRODUCT_ABSENT,
    DemoCalendars,
    generate_calendars,
)
from tandem.overlap.facts import DISCOVERY_KINDS, PRODUCT_PRESENCE_KINDS, RitualKind
from tandem.overlap.kinds import KindRules, team_prefix
from tandem.workdays import add_working_days

NOW = datetime(2026, 11, 20, 14, 0, tzinfo=UTC)
WINDOW = timedelta(days=90)
RULES = KindRules.of()


@dataclass(frozen=True)
class Occurrence:
    team: str
    kind: RitualKind | None
    start: datetime
    present: frozenset[str]
    """E-mail addresses of the organiser and the attendees who did not decline."""
    all_day: bool


def _address(value: object) -> str:
    return str(value).removeprefix("mailto:").lower()


def _expand(data: bytes, since: datetime, until: datetime) -> list[Occurrence]:
    calendar = icalendar.Calendar.from_ical(data)
    team = str(calendar["X-WR-CALNAME"]).removesuffix(" team")
    found = []
    for event in recurring_ical_events.of(calendar).between(since, until):
        if str(event.get("STATUS", "")).upper() == "CANCELLED":
            continue
        start = event["DTSTART"].dt
        attendees = event.get("ATTENDEE", [])
        attendees = attendees if isinstance(attendees, list) else [attendees]
        declined = {_address(a) for a in attendees if a.params.get("PARTSTAT") == "DECLINED"}
        present = {_address(a) for a in attendees} - declined
        organiser = _address(event["ORGANIZER"]) if event.get("ORGANIZER") else None
        if organiser and organiser not in declined:
            present.add(organiser)
        _prefix, summary = team_prefix(str(event["SUMMARY"]))
        all_day = not isinstance(start, datetime)
        found.append(
            Occurrence(
                team=team,
                kind=RULES.kind_of(summary),
                start=datetime.combine(start, datetime.min.time(), UTC) if all_day else start.astimezone(UTC),
                present=frozenset(present),
                all_day=all_day,
            )
        )
    return found


@dataclass(frozen=True)
class Demo:
    org: DemoOrg
    calendars: DemoCalendars
    occurrences: dict[str, list[Occurrence]]
    """Team -> its occurrences in the year before NOW (and a year after, to show there are none)."""
    plants: dict[str, str]
    """Planted kind -> team."""

    def emails(self, predicate: Callable[[dict[str, str]], bool]) -> set[str]:
        return {p["email"].lower() for p in self.org.people if predicate(p)}

    def share(self, team: str, kinds: tuple[RitualKind, ...], side: set[str], since: datetime) -> float:
        judged = [o for o in self.occurrences[team] if o.kind in kinds and o.start >= since]
        return sum(bool(o.present & side) for o in judged) / len(judged)


@pytest.fixture(scope="module")
def demo() -> Demo:
    org = generate_org(7)
    calendars = generate_calendars(org, 7, now=NOW, avoid=set())
    occurrences: dict[str, list[Occurrence]] = {}
    for data in calendars.files.values():
        expanded = _expand(data, NOW - timedelta(days=2 * DAYS), NOW + timedelta(days=DAYS))
        occurrences[expanded[0].team] = expanded
    return Demo(org, calendars, occurrences, {p.kind: str(p.team) for p in calendars.planted})


def test_same_seed_same_bytes(demo: Demo) -> None:
    assert generate_calendars(demo.org, 7, now=NOW, avoid=set()).files == demo.calendars.files


def test_three_problems_on_distinct_teams_outside_avoid() -> None:
    org = generate_org(7)
    avoid = {row["team"] for row in org.teams[:10]}
    planted = generate_calendars(org, 7, now=NOW, avoid=avoid).planted
    assert sorted(p.kind for p in planted) == sorted([ENGINEERING_ABSENT, PRODUCT_ABSENT, FRACTURE])
    assert len({p.team for p in planted}) == 3 and not {p.team for p in planted} & avoid


def test_one_google_style_export_per_team_with_two_leads(demo: Demo) -> None:
    two_leads = {row["team"] for row in demo.org.teams if row["product_lead"] and row["engineering_lead"]}
    assert set(demo.occurrences) <= two_leads and len(demo.occurrences) >= len(two_leads) - 1
    for name, data in demo.calendars.files.items():
        calendar = icalendar.Calendar.from_ical(data)
        assert name.endswith(".ics") and "/" not in name
        ZoneInfo(str(calendar["X-WR-TIMEZONE"]))  # a real IANA zone
        assert {str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")} == {str(calendar["X-WR-TIMEZONE"])}


def test_everything_happens_in_the_year_before_now(demo: Demo) -> None:
    for occurrences in demo.occurrences.values():
        assert all(NOW - timedelta(days=DAYS) <= o.start < NOW for o in occurrences)
        assert sum(o.kind is RitualKind.STANDUP for o in occurrences) >= 240


def test_every_ritual_is_recognised_and_the_rest_is_not(demo: Demo) -> None:
    for occurrences in demo.occurrences.values():
        kinds = {o.kind for o in occurrences if not o.all_day}
        assert set(RitualKind) - {RitualKind.OTHER} <= kinds | {None}
        assert {RitualKind.STANDUP, RitualKind.PLANNING, RitualKind.DEMO, RitualKind.RETRO} <= kinds
        assert RitualKind.DISCOVERY in kinds and None in kinds  # the 1:1 and the lunch match no rule
        assert 2 <= sum(o.kind is RitualKind.INCIDENT for o in occurrences) <= 5
        assert any(o.all_day for o in occurrences)  # the offsite


def test_engineers_skip_discovery_on_the_planted_team_only(demo: Demo) -> None:
    engineers = demo.emails(lambda p: p["function"] == "engineering")
    since = NOW - WINDOW
    planted = demo.plants[ENGINEERING_ABSENT]
    assert demo.share(planted, DISCOVERY_KINDS, engineers, since) < 0.5
    for team in set(demo.occurrences) - {planted}:
        assert demo.share(team, DISCOVERY_KINDS, engineers, since) >= 0.7, team


def test_product_skips_delivery_on_the_planted_team_only(demo: Demo) -> None:
    product = demo.emails(lambda p: p["function"] == "product")
    since = NOW - WINDOW
    planted = demo.plants[PRODUCT_ABSENT]
    assert demo.share(planted, PRODUCT_PRESENCE_KINDS, product, since) < 0.3
    for team in set(demo.occurrences) - {planted}:
        assert demo.share(team, PRODUCT_PRESENCE_KINDS, product, since) >= 0.6, team


def _standups_inside_and_outside(demo: Demo, team: str) -> tuple[float, int, float, int]:
    """Product's standup attendance in the ten working days after each incident review, and elsewhere."""
    product = demo.emails(lambda p: p["function"] == "product")
    occurrences = demo.occurrences[team]
    incidents = [o.start for o in occurrences if o.kind is RitualKind.INCIDENT]
    inside: list[bool] = []
    outside: list[bool] = []
    for o in occurrences:
        if o.kind is RitualKind.STANDUP:
            pressured = any(at <= o.start <= add_working_days(at, 10) for at in incidents)
            (inside if pressured else outside).append(bool(o.present & product))
    return sum(inside) / len(inside), len(inside), sum(outside) / len(outside), len(outside)


def test_product_leaves_standups_after_incidents_on_the_fractured_team(demo: Demo) -> None:
    inside, inside_n, outside, _ = _standups_inside_and_outside(demo, demo.plants[FRACTURE])
    assert inside_n >= 30 and inside <= 0.25 and outside - inside >= 0.5


def test_other_teams_behave_the_same_after_incidents(demo: Demo) -> None:
    for team in set(demo.occurrences) - {demo.plants[FRACTURE]}:  # well short of a marked change (0.2)
        inside, inside_n, outside, _ = _standups_inside_and_outside(demo, team)
        assert inside_n >= 15 and abs(inside - outside) < 0.15, team
