"""A seeded year of the demo org's team calendars, as Google Calendar exports, with overlap problems planted.

Pure: the same org, seed and ``now`` give the same bytes; nothing touches a database. Every team with both leads
gets one ``.ics`` export of its team calendar for the year before ``now`` (nothing after it), in its group's time
zone: a daily standup (holidays left out with ``EXDATE``), fortnightly sprint planning, sprint review and retro,
a weekly customer interview and a fortnightly problem framing called by the product lead, two to five incident
reviews called by the engineering lead, and what no ritual rule recognises (a 1:1 of the leads, a team lunch, an
all-day offsite, and the meetings it cancelled). Attendance is written the way calendars hold it: each series lists
the team as attendees who accepted; an instance someone skipped is an override (the same ``UID`` with a
``RECURRENCE-ID``) in which they declined.

Who turns up is spread evenly over the year (instance *i* of a series is attended when ``frac(offset + i * φ)``
is below the team's share): every stretch of a few weeks shows about the same share, so a healthy team behaves
the same in and out of pressure and the pressure test finds nothing there by chance. Healthy teams have an
engineer in 75-90% of discovery and planning sessions and product in 72-90% of standups, retros and sprint
reviews. Planted, on three distinct teams not in ``avoid``:

- ``engineering_absent_from_discovery``: engineers in 15-25% of discovery and planning sessions, all year;
- ``product_absent_from_delivery``: the product lead in 15-25% of standups, retros and sprint reviews, all year;
- ``fracture_under_pressure``: four or five incident reviews, and in the ten working days after each the product
  lead drops out of standups and retros (15% instead of about 85%); healthy everywhere else.

The absences are steady all year, so those teams do not fracture either: their pressure periods (before the
commitment's date, after their incident reviews) look like the rest of their year.
"""

from __future__ import annotations

import math
import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import icalendar

from tandem.demo.decisions import _pairs
from tandem.demo.generator import DemoOrg, PlantedProblem
from tandem.overlap.importer import CalendarEvent, to_ics
from tandem.workdays import add_working_days

ENGINEERING_ABSENT = "engineering_absent_from_discovery"
PRODUCT_ABSENT = "product_absent_from_delivery"
FRACTURE = "fracture_under_pressure"
ENGINEERS_SKIP_DISCOVERY = "engineers_skip_discovery"
PRODUCT_SKIPS_DELIVERY = "product_skips_delivery"
PRODUCT_LEAVES_AFTER_INCIDENTS = "product_leaves_standups_after_incidents"
_PLANTS = (
    (ENGINEERING_ABSENT, ENGINEERS_SKIP_DISCOVERY),
    (PRODUCT_ABSENT, PRODUCT_SKIPS_DELIVERY),
    (FRACTURE, PRODUCT_LEAVES_AFTER_INCIDENTS),
)
DAYS = 365
AFTER_INCIDENT_WORKING_DAYS = 10
"""The pressure test's period after an incident (``pressure_after_event_working_days``)."""
_GOLDEN = (math.sqrt(5.0) - 1.0) / 2.0
_ZONES = (
    "Europe/London",
    "America/New_York",
    "Europe/Berlin",
    "America/Chicago",
    "Europe/Amsterdam",
    "America/Los_Angeles",
)
_FIXED_HOLIDAYS = {
    "Europe/London": ((1, 1), (12, 25), (12, 26)),
    "Europe/Berlin": ((1, 1), (5, 1), (10, 3), (12, 25), (12, 26)),
    "Europe/Amsterdam": ((1, 1), (4, 27), (12, 25), (12, 26)),
}
_US_HOLIDAYS = ((1, 1), (7, 4), (12, 25))
_INCIDENTS = (
    "payment timeouts",
    "search outage",
    "failed nightly export",
    "login errors after deploy",
    "delayed notifications",
    "duplicate charges",
    "stale cache in checkout",
    "expired TLS certificate",
)
_MO, _TU, _WE, _TH, _FR = range(5)
_BYDAY = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


@dataclass(frozen=True)
class DemoCalendars:
    """One ``.ics`` export per team (file name -> bytes), and what is wrong with them."""

    files: dict[str, bytes]
    planted: list[PlantedProblem]
    affected_teams: list[str]
    """Teams some planted overlap or pressure finding names."""


class _Presence:
    """Whether someone turns up to the next instance of a series: spread evenly, about ``share`` of the time."""

    def __init__(self, share: float, rng: random.Random) -> None:
        self.share, self.offset, self.count = share, rng.random(), 0

    def __call__(self) -> bool:
        value = (self.offset + self.count * _GOLDEN) % 1.0
        self.count += 1
        return value < self.share


@dataclass
class _Team:
    name: str
    slug: str
    zone: str
    product: str
    engineering: str
    engineers: list[str]
    others: list[str]
    """Designers and data scientists."""
    plant: str | None
    rng: random.Random

    @property
    def everyone(self) -> list[str]:
        return [self.product, self.engineering, *self.engineers, *self.others]

    def uid(self) -> str:
        """A Google-style event id."""
        return f"{self.rng.getrandbits(104):026x}@google.com"


def _slug(team: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", team.lower()).strip("-")


def _nth_weekday(year: int, month: int, weekday: int, nth: int) -> date:
    """The ``nth`` ``weekday`` of a month (``nth`` -1 is the last)."""
    if nth > 0:
        first = date(year, month, 1)
        return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (nth - 1))
    last = date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)
    return last - timedelta(days=(last.weekday() - weekday) % 7)


def _holidays(zone: str, years: set[int]) -> set[date]:
    days: set[date] = set()
    for year in years:
        if zone.startswith("America/"):
            days |= {date(year, m, d) for m, d in _US_HOLIDAYS}
            days |= {_nth_weekday(year, 9, _MO, 1), _nth_weekday(year, 11, _TH, 4)}
        else:
            days |= {date(year, m, d) for m, d in _FIXED_HOLIDAYS[zone]}
        if zone == "Europe/London":
            days |= {_nth_weekday(year, 5, _MO, -1), _nth_weekday(year, 8, _MO, -1)}
    return days


def _group_zones(org: DemoOrg) -> dict[str, str]:
    """Each team's time zone: its group's (the General Manager its engineering lead's chain reaches)."""
    people = {person["id"]: person for person in org.people}
    groups: dict[str, str] = {}
    zones: dict[str, str] = {}
    for row in org.teams:
        person_id, seen, group = row["engineering_lead"] or row["product_lead"], set(), ""
        while person_id and person_id not in seen and person_id in people:
            seen.add(person_id)
            title = people[person_id]["title"]
            if title.startswith("General Manager, "):
                group = title.removeprefix("General Manager, ")
                break
            person_id = people[person_id]["manager_id"]
        zone = groups.setdefault(group, _ZONES[len(groups) % len(_ZONES)])
        zones[row["team"]] = zone
    return zones


def _dates(first: date, last: date, weekdays: tuple[int, ...], every_weeks: int) -> list[date]:
    """The days a weekly rule (``BYDAY`` ``weekdays``, ``INTERVAL`` ``every_weeks``) starting ``first`` hits."""
    monday = first - timedelta(days=first.weekday())
    days = []
    day = first
    while day <= last:
        if day.weekday() in weekdays and ((day - monday).days // 7) % every_weeks == 0:
            days.append(day)
        day += timedelta(days=1)
    return days


def _first(start: date, weekday: int) -> date:
    return start + timedelta(days=(weekday - start.weekday()) % 7)


@dataclass
class _Calendar:
    """One team's events as they are built, and the window they live in."""

    team: _Team
    emails: dict[str, str]
    now: datetime
    start: date
    closed: set[date]
    """Holidays: recurring instances on them are left out with EXDATE."""
    offsite: set[date]
    """Days of the offsite: recurring instances on them are cancelled."""
    events: list[CalendarEvent] = field(default_factory=list)

    def at(self, day: date, clock: time) -> datetime:
        return datetime.combine(day, clock, ZoneInfo(self.team.zone))

    def attendees(self, invited: list[str], declined: set[str]) -> list[tuple[str, str]]:
        return [(self.emails[p], "DECLINED" if p in declined else "ACCEPTED") for p in dict.fromkeys(invited)]

    def series(
        self,
        summary: str,
        organiser: str,
        invited: list[str],
        *,
        weekdays: tuple[int, ...],
        clock: time,
        minutes: int,
        every_weeks: int = 1,
        first: date | None = None,
        declines: Callable[[datetime], set[str]] | None = None,
    ) -> None:
        """A recurring series until ``now``, its holidays excluded, and an override for each instance someone
        declined or the offsite cancelled."""
        team, tzid = self.team, self.team.zone
        first = first or _first(self.start, weekdays[0])
        days = [day for day in _dates(first, self.now.date(), weekdays, every_weeks) if self.at(day, clock) < self.now]
        if not days:
            return
        uid = team.uid()
        invited = [organiser, *(p for p in invited if p != organiser)]
        rule: dict[str, object] = {"freq": "weekly", "byday": [_BYDAY[d] for d in weekdays]}
        if every_weeks > 1:
            rule["interval"] = every_weeks
        rule["until"] = self.at(days[-1], clock).astimezone(UTC)
        excluded = [self.at(day, clock) for day in days if day in self.closed]
        self.events.append(
            CalendarEvent(
                uid=uid,
                summary=summary,
                start=self.at(days[0], clock),
                minutes=minutes,
                organiser_email=self.emails[organiser],
                attendees=self.attendees(invited, set()),
                rrule=rule,
                exdates=excluded,
                tzid=tzid,
            )
        )
        for day in days:
            if day in self.closed:
                continue
            start = self.at(day, clock)
            if day in self.offsite:
                status, declined = "CANCELLED", set()
            else:
                status, declined = None, declines(start.astimezone(UTC)) if declines else set()
                if not declined:
                    continue
            self.events.append(
                CalendarEvent(
                    uid=uid,
                    summary=summary,
                    start=start,
                    minutes=minutes,
                    organiser_email=self.emails[organiser],
                    attendees=self.attendees(invited, declined),
                    tzid=tzid,
                    status=status,
                    recurrence_id=start,
                )
            )

    def meeting(
        self, summary: str, organiser: str, invited: list[str], start: datetime, minutes: int, declined: set[str]
    ) -> None:
        invited = [organiser, *(p for p in invited if p != organiser)]
        self.events.append(
            CalendarEvent(
                uid=self.team.uid(),
                summary=summary,
                start=start,
                minutes=minutes,
                organiser_email=self.emails[organiser],
                attendees=self.attendees(invited, declined),
                tzid=self.team.zone,
            )
        )


def _incidents(team: _Team, now: datetime, count: int) -> list[date]:
    """``count`` days (Monday to Thursday) for incident reviews, one in each equal slice of the year, more than
    two weeks apart (so that their pressure periods never overlap), none in the last three weeks."""
    low, high = now.date() - timedelta(days=DAYS - 20), now.date() - timedelta(days=21)
    width = (high - low).days // count
    days = []
    for slot in range(count):
        day = low + timedelta(days=slot * width + team.rng.randint(0, max(0, width - 20)))
        while day.weekday() >= _FR:
            day += timedelta(days=1)
        days.append(day)
    return days


def _calendar(team: _Team, emails: dict[str, str], now: datetime) -> bytes:
    """The team's export: its rituals, the events no rule recognises, and the offsite."""
    rng = team.rng
    start = (now - timedelta(days=DAYS - 1)).date()
    closed = _holidays(team.zone, {start.year, now.year})
    offsite_day = _first(start + timedelta(days=rng.randint(40, 300)), _TU)
    offsite = {offsite_day, offsite_day + timedelta(days=1)}
    calendar = _Calendar(team, emails, now, start, closed - offsite, offsite - closed)
    prefix = f"[{team.name}] " if rng.random() < 0.4 else ""
    plant = team.plant

    product_share = rng.uniform(0.15, 0.25) if plant == PRODUCT_ABSENT else rng.uniform(0.72, 0.9)
    engineering_share = rng.uniform(0.15, 0.25) if plant == ENGINEERING_ABSENT else rng.uniform(0.75, 0.9)
    incident_days = _incidents(team, now, rng.choice((4, 5)) if plant == FRACTURE else rng.randint(2, 5))
    incidents = [calendar.at(day, time(14)).astimezone(UTC) for day in incident_days]
    periods = [(at, add_working_days(at, AFTER_INCIDENT_WORKING_DAYS)) for at in incidents]

    def under_pressure(at: datetime) -> bool:
        return plant == FRACTURE and any(begin <= at <= end for begin, end in periods)

    def delivery(engineering_skip: float) -> Callable[[datetime], set[str]]:
        """Declines at a delivery ritual: product as its share says (off under pressure on the fractured team),
        engineers now and then, never all of them."""
        usual = _Presence(product_share, rng)
        pressed = _Presence(rng.uniform(0.1, 0.2), rng)

        def declines(at: datetime) -> set[str]:
            declined = set() if (pressed if under_pressure(at) else usual)() else {team.product}
            engineers = [team.engineering, *team.engineers]
            skipped = {p for p in engineers if rng.random() < engineering_skip}
            if len(skipped) == len(engineers):
                skipped.discard(team.engineering)
            declined |= skipped
            declined |= {p for p in team.others if rng.random() < 0.04}
            return declined

        return declines

    def discovery(invited: list[str]) -> Callable[[datetime], set[str]]:
        """Declines at a discovery or planning session: the engineering side as its share says, all together."""
        present = _Presence(engineering_share, rng)
        engineers = [p for p in invited if p == team.engineering or p in team.engineers]

        def declines(_at: datetime) -> set[str]:
            if not present():
                declined = set(engineers)
            else:
                declined = {p for p in engineers if rng.random() < 0.05}
                if len(declined) == len(engineers):
                    declined.discard(team.engineering)
            return declined | {p for p in invited if p in team.others and rng.random() < 0.05}

        return declines

    standup = rng.choice(("Daily standup", "Daily stand-up", "Standup"))
    calendar.series(
        standup,
        team.engineering,
        team.everyone,
        weekdays=(_MO, _TU, _WE, _TH, _FR),
        clock=time(9, 30),
        minutes=15,
        declines=delivery(0.015),
    )
    sprint = _first(start, _MO)
    calendar.series(
        prefix + "Sprint planning",
        team.product,
        team.everyone,
        weekdays=(_MO,),
        clock=time(10, 30),
        minutes=60,
        every_weeks=2,
        first=sprint,
        declines=discovery(team.everyone),
    )
    review = sprint + timedelta(days=11)
    calendar.series(
        prefix + rng.choice(("Sprint review", "Sprint review & demo")),
        team.engineering,
        team.everyone,
        weekdays=(_FR,),
        clock=time(14),
        minutes=45,
        every_weeks=2,
        first=review,
        declines=delivery(0.03),
    )
    calendar.series(
        prefix + rng.choice(("Retro", "Sprint retro", "Retrospective")),
        team.engineering,
        [team.product, team.engineering, *team.engineers, *team.others[:1]],
        weekdays=(_FR,),
        clock=time(15),
        minutes=45,
        every_weeks=2,
        first=review,
        declines=delivery(0.03),
    )
    interviewers = [
        team.product,
        *team.others[:1],
        team.engineering,
        *rng.sample(team.engineers, min(1, len(team.engineers))),
    ]
    calendar.series(
        "Customer interview",
        team.product,
        interviewers,
        weekdays=(_WE,),
        clock=time(11),
        minutes=45,
        declines=discovery(interviewers),
    )
    framers = [team.product, *team.others, team.engineering, *rng.sample(team.engineers, min(2, len(team.engineers)))]
    calendar.series(
        prefix + "Problem framing",
        team.product,
        framers,
        weekdays=(_TH,),
        clock=time(13),
        minutes=60,
        every_weeks=2,
        declines=discovery(framers),
    )
    incident_declines = delivery(0.05)
    for day in incident_days:
        at = calendar.at(day, time(14))
        calendar.meeting(
            prefix + f"Incident review: {rng.choice(_INCIDENTS)}",
            team.engineering,
            [team.engineering, *team.engineers, team.product],
            at,
            60,
            incident_declines(at.astimezone(UTC)),
        )
    calendar.series(
        "1:1 product / engineering leads",
        team.engineering,
        [team.product],
        weekdays=(_TU,),
        clock=time(16),
        minutes=30,
    )
    calendar.series(
        "Team lunch", team.product, team.everyone, weekdays=(_TH,), clock=time(12, 30), minutes=60, every_weeks=4
    )
    data = to_ics(calendar.events, name=f"{team.name} team")
    return _finish(data, team, offsite_day, now)


def _finish(data: bytes, team: _Team, offsite_day: date, now: datetime) -> bytes:
    """What :func:`to_ics` does not write: the calendar's ``X-WR-TIMEZONE`` (as Google exports it) and the all-day
    offsite."""
    header_end = data.index(b"\r\nBEGIN:", len(b"BEGIN:VCALENDAR")) + 2
    data = data[:header_end] + f"X-WR-TIMEZONE:{team.zone}\r\n".encode() + data[header_end:]
    offsite = icalendar.Event()
    offsite.add("uid", team.uid())
    offsite.add("dtstamp", now.replace(microsecond=0))
    offsite.add("dtstart", offsite_day)
    offsite.add("dtend", offsite_day + timedelta(days=2))
    offsite.add("summary", "Team offsite")
    offsite.add("transp", "TRANSPARENT")
    end = data.rindex(b"END:VCALENDAR")
    return data[:end] + bytes(offsite.to_ical()) + data[end:]


def generate_calendars(org: DemoOrg, seed: int, *, now: datetime, avoid: set[str] | frozenset[str]) -> DemoCalendars:
    """Every team with both leads: a year of its calendar up to ``now``; three problems planted outside ``avoid``."""
    now = now.replace(tzinfo=UTC) if now.tzinfo is None else now.astimezone(UTC)
    rng = random.Random(f"{seed}:rituals")
    pairs = _pairs(org)
    candidates = sorted(pair.team for pair in pairs if pair.team not in avoid)
    chosen = rng.sample(candidates, min(len(_PLANTS), len(candidates)))
    plants = dict(zip(chosen, _PLANTS, strict=False))
    zones = _group_zones(org)
    emails = {person["id"]: person["email"] for person in org.people}
    files: dict[str, bytes] = {}
    for pair in pairs:
        members = [p for p in org.people if p["team"] == pair.team and p["id"] not in (pair.product, pair.engineering)]
        team = _Team(
            name=pair.team,
            slug=_slug(pair.team),
            zone=zones[pair.team],
            product=pair.product,
            engineering=pair.engineering,
            engineers=[p["id"] for p in members if p["function"] == "engineering"],
            others=[p["id"] for p in members if p["function"] in ("design", "data")],
            plant=plants[pair.team][0] if pair.team in plants else None,
            rng=random.Random(f"{seed}:rituals:{pair.team}"),
        )
        files[f"{team.slug}.ics"] = _calendar(team, emails, now)
    planted = [PlantedProblem(kind, team, detail) for team, (kind, detail) in plants.items()]
    return DemoCalendars(files=files, planted=planted, affected_teams=sorted(plants))
