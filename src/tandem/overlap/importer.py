"""Importing rituals from real calendars: iCalendar exports (Google Calendar, Outlook/Exchange) or a curated CSV.

**iCalendar** (``.ics``, one or several ``VCALENDAR``s): every ``VEVENT`` is expanded into its occurrences in
``[since, until)`` (``RRULE``, ``RDATE``, ``EXDATE`` and moved or cancelled instances, ``RECURRENCE-ID``, by
``recurring_ical_events``). An occurrence becomes a ritual when:

- it is timed: all-day events (a ``DTSTART`` that is a date) are ignored and counted;
- it is not ``STATUS:CANCELLED``: a cancelled one is skipped and counted, and removed if an earlier import
  stored it;
- it has a team: the ``[Team name]`` its summary starts with (an active team, case-insensitive), else the
  organiser's team. A prefix that names no team, or no prefix and an organiser with no team, is *unmatched*:
  counted, never guessed;
- it has a kind: :meth:`tandem.overlap.kinds.KindRules.kind_of` on the summary (without the prefix) and the
  ``CATEGORIES``; no match is counted too.

Times with a zone (``TZID`` with or without its ``VTIMEZONE``, Windows names such as "W. Europe Standard Time"
included, or UTC) are stored in UTC; a floating time is read in the calendar's ``X-WR-TIMEZONE``, else UTC. The
duration is ``DTEND`` - ``DTSTART`` (or ``DURATION``) in whole minutes, at least 1. People are matched by
e-mail or alias: the organiser (``organiser_email`` keeps the address, ``organiser_id`` is None when no one
matches) and every ``ATTENDEE`` who did not decline (no ``PARTSTAT`` is attending). The organiser is present
unless they are listed as an attendee who declined. Addresses that match no one (rooms, resources, guests) are
not stored; the report counts them.

An occurrence's identity is the SHA-256 of ``ics``, its ``UID`` and its recurrence id (the original start in
UTC; empty for an event that does not recur, so a one-off meeting moved to another time is the same meeting):
re-importing a file changes nothing, and an occurrence whose time, length, summary, team, kind, organiser or
attendees changed is updated in place. Occurrences outside ``[since, until)`` are not touched.

**CSV** (UTF-8, header row, columns in any order, case-insensitive)::

    start, end, team, kind, organiser, attendees

``start``/``end`` ISO 8601 times with a zone (``Z`` or an offset), the end after the start, the start not in
the future; ``team`` a team's name; ``kind`` a :class:`~tandem.overlap.facts.RitualKind`; ``organiser`` a
person's id, e-mail or alias, or empty; ``attendees`` people by id, e-mail or alias separated by ``;`` (the
organiser counts as present too). A CSV is curated, so anything unknown is a problem. Its identity is the
SHA-256 of ``csv``, the start (UTC), team, kind and organiser.

Both forms are **all or nothing** (every problem reported as ``file:line:column: message``; a rejected file
writes nothing) and run in the caller's transaction (nothing is committed here). A dry run writes nothing.

:func:`to_ics` and :func:`to_csv` write these formats from plain data, with no database (the demo uses them).
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import icalendar
import recurring_ical_events  # type: ignore[import-untyped]
from sqlalchemy import Table, bindparam, delete, insert, select, update
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Session

from tandem.audit import service as audit
from tandem.db import Base, utcnow
from tandem.org.importer import ImportRejectedError, ParsedFile, Problem, RowChecker, read_csv, split_list
from tandem.org.models import Person, PersonAlias, Team
from tandem.overlap.facts import RitualKind
from tandem.overlap.kinds import KindRules, team_prefix
from tandem.overlap.models import RitualAttendance, RitualImport, RitualOccurrence

CSV_COLUMNS = ("start", "end", "team", "kind", "organiser", "attendees")
"""The CSV form's columns, all required, in the order :func:`to_csv` writes them."""
KINDS = {kind.value: kind for kind in RitualKind}
WRITE_BATCH = 1_000
MAX_EXAMPLES = 10
UNMATCHED_TEAM = "unmatched_team"
UNMATCHED_KIND = "unmatched_kind"
PRODID = "-//Tandem//Rituals//EN"
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_QUOTED = re.compile(r"'([^']{3,})'")
_NOT_PEOPLE = {"ROOM", "RESOURCE"}
_FIELDS = ("team_id", "kind", "summary", "starts_at", "minutes", "organiser_id", "organiser_email")
"""The columns of an occurrence an import sets; any difference (or in the attendees) is an update."""


@dataclass(frozen=True)
class RitualImportReport:
    """What an import did (or, dry, would do) and what it skipped."""

    created: int
    updated: int
    unchanged: int
    removed: int
    """Occurrences an earlier import stored that the file now marks cancelled."""
    all_day_ignored: int = 0
    cancelled_skipped: int = 0
    unmatched_team: int = 0
    unmatched_kind: int = 0
    unknown_attendees: int = 0
    """Distinct attendee addresses (of the occurrences stored) that match no one in the org."""
    examples: dict[str, list[str]] = field(default_factory=dict)
    """``unmatched_team`` / ``unmatched_kind`` -> up to 10 distinct summaries."""
    by_kind: dict[str, int] = field(default_factory=dict)
    """Occurrences of the file stored (created, updated or unchanged) per kind."""
    warnings: list[Problem] = field(default_factory=list)

    @property
    def skipped(self) -> int:
        return (
            self.all_day_ignored
            + self.cancelled_skipped
            + self.unmatched_team
            + self.unmatched_kind
            + self.unknown_attendees
        )

    def counts(self) -> dict[str, Any]:
        """The figures as JSON (the import record and the audit log keep them)."""
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "removed": self.removed,
            "all_day_ignored": self.all_day_ignored,
            "cancelled_skipped": self.cancelled_skipped,
            "unmatched_team": self.unmatched_team,
            "unmatched_kind": self.unmatched_kind,
            "unknown_attendees": self.unknown_attendees,
            "by_kind": dict(self.by_kind),
        }


# --- writers (pure) ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CalendarEvent:
    """One ``VEVENT`` as :func:`to_ics` writes it: a meeting, or a recurring series with its exceptions."""

    uid: str
    summary: str
    start: datetime
    """Aware; written in ``tzid`` when given (with its ``VTIMEZONE``), else in UTC."""
    minutes: int
    organiser_email: str | None = None
    attendees: list[tuple[str, str]] = field(default_factory=list)
    """(e-mail, PARTSTAT) pairs, e.g. ("em1@example.com", "DECLINED"); an empty PARTSTAT is left out."""
    rrule: dict[str, Any] | None = None
    """e.g. ``{"freq": "weekly", "byday": ["MO", "TH"], "count": 10}``."""
    exdates: list[datetime] = field(default_factory=list)
    tzid: str | None = None
    categories: list[str] = field(default_factory=list)
    status: str | None = None
    """e.g. "CANCELLED"."""
    recurrence_id: datetime | None = None
    """For a moved or cancelled instance of a series: the instance's original start (same ``uid``)."""


def _zoned(moment: datetime, tzid: str | None) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("naive datetimes are ambiguous; pass an aware datetime")
    return moment.astimezone(ZoneInfo(tzid) if tzid else UTC)


def to_ics(events: Iterable[CalendarEvent], *, name: str | None = None) -> bytes:
    """A calendar export (``VERSION:2.0``, a ``PRODID``, a ``VTIMEZONE`` per zone used). Pure: no database."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if name:
        calendar.add("x-wr-calname", name)
    for item in events:
        event = icalendar.Event()
        start = _zoned(item.start, item.tzid)
        event.add("uid", item.uid)
        event.add("dtstamp", item.start.astimezone(UTC))
        event.add("dtstart", start)
        event.add("dtend", start + timedelta(minutes=item.minutes))
        if item.recurrence_id is not None:
            event.add("recurrence-id", _zoned(item.recurrence_id, item.tzid))
        event.add("summary", item.summary)
        if item.organiser_email:
            event.add("organizer", icalendar.vCalAddress(f"mailto:{item.organiser_email}"))
        for email, partstat in item.attendees:
            attendee = icalendar.vCalAddress(f"mailto:{email}")
            if partstat:
                attendee.params["PARTSTAT"] = partstat
            event.add("attendee", attendee)
        if item.rrule:
            event.add("rrule", item.rrule)
        if item.exdates:
            event.add("exdate", [_zoned(moment, item.tzid) for moment in item.exdates])
        if item.categories:
            event.add("categories", list(item.categories))
        if item.status:
            event.add("status", item.status)
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return bytes(calendar.to_ical())


@dataclass(frozen=True)
class RitualRow:
    """One occurrence of the CSV form, as :func:`to_csv` writes it. People by id, e-mail or alias."""

    start: datetime
    end: datetime
    team: str
    kind: RitualKind | str
    organiser: str | None = None
    attendees: Sequence[str] = ()


def _iso(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("naive datetimes are ambiguous; pass an aware datetime")
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def to_csv(rows: Iterable[RitualRow]) -> bytes:
    """Rituals in the CSV form, UTF-8 with a header row. Pure: no database."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        kind = row.kind.value if isinstance(row.kind, RitualKind) else row.kind
        writer.writerow([_iso(row.start), _iso(row.end), row.team, kind, row.organiser or "", ";".join(row.attendees)])
    return buffer.getvalue().encode("utf-8")


# --- the org, looked up once ------------------------------------------------------------------------------------


class _Org:
    """People (inactive ones too: a calendar is history; an active person's address wins) and teams."""

    def __init__(self, session: Session) -> None:
        self.ids: set[str] = set()
        self.addresses: dict[str, str] = {}
        self.email_of: dict[str, str] = {}
        self.person_team: dict[str, int | None] = {}
        for person_id, email, team_id in session.execute(
            select(Person.id, Person.email, Person.team_id).order_by(Person.active, Person.id)
        ):
            self.ids.add(person_id)
            self.email_of[person_id] = email.lower()
            self.person_team[person_id] = team_id
            self.addresses[email.strip().lower()] = person_id  # active people come last, so their address wins
        for alias, person_id in session.execute(select(PersonAlias.alias, PersonAlias.person_id)):
            self.addresses.setdefault(alias.strip().lower(), person_id)
        self.active_teams: dict[str, tuple[int, str]] = {}
        self.active_names: dict[int, str] = {}
        self.teams: dict[str, tuple[int, str]] = {}
        for team_id, name, active in session.execute(select(Team.id, Team.name, Team.active).order_by(Team.id)):
            self.teams.setdefault(name.casefold(), (team_id, name))
            if active:
                self.active_teams.setdefault(name.casefold(), (team_id, name))
                self.active_names[team_id] = name

    def address(self, value: str) -> str | None:
        """The person a calendar address (e-mail or alias) names."""
        return self.addresses.get(value.strip().lower())

    def person(self, value: str) -> str | None:
        """The person an id, e-mail or alias names."""
        value = value.strip()
        return value if value in self.ids else self.address(value)

    def team_of(self, person_id: str | None) -> tuple[int, str] | None:
        team_id = self.person_team.get(person_id) if person_id else None
        if team_id is None or team_id not in self.active_names:
            return None
        return team_id, self.active_names[team_id]


# --- what both forms produce ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Ready:
    """One occurrence checked and resolved, ready to be compared with the database and written."""

    import_key: str
    team_id: int
    kind: RitualKind
    summary: str
    starts_at: datetime
    minutes: int
    organiser_id: str | None
    organiser_email: str | None
    attendees: frozenset[str]

    def values(self) -> tuple[Any, ...]:
        return (*(getattr(self, name) for name in _FIELDS), self.attendees)


@dataclass
class _Read:
    ready: list[_Ready] = field(default_factory=list)
    cancelled: list[str] = field(default_factory=list)
    """Keys of the cancelled occurrences in the window (removed if stored)."""
    skipped: Counter[str] = field(default_factory=Counter)
    examples: dict[str, list[str]] = field(default_factory=dict)
    unknown: set[str] = field(default_factory=set)
    warnings: list[Problem] = field(default_factory=list)
    sha256: str = ""
    source: str = ""

    def skip(self, reason: str, summary: str | None = None) -> None:
        self.skipped[reason] += 1
        if summary is not None:
            examples = self.examples.setdefault(reason, [])
            if summary not in examples and len(examples) < MAX_EXAMPLES:
                examples.append(summary)


def _key(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def _utc(moment: date | datetime) -> datetime:
    """A calendar time in UTC; a floating one (already read in X-WR-TIMEZONE when the calendar has one) as UTC,
    a date as its midnight UTC."""
    if not isinstance(moment, datetime):
        return datetime(moment.year, moment.month, moment.day, tzinfo=UTC)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _moment(component: icalendar.Component, name: str) -> date | datetime | None:
    """A date-time property's value (None when absent or not a date or time)."""
    value: Any = component.get(name)
    moment = getattr(value, "dt", None)
    return moment if isinstance(moment, date) else None


def _minutes(start: date | datetime, end: date | datetime) -> int:
    return max(1, int((_utc(end) - _utc(start)).total_seconds() // 60))


def _source(kind: str, name: str) -> str:
    return f"{kind}:{name[-(500 - len(kind) - 1) :]}"


# --- iCalendar --------------------------------------------------------------------------------------------------


class _Text:
    """The file's physical lines, to point problems at a line: where each VCALENDAR begins, and each VEVENT's span
    (found by their BEGIN and END lines, in file order: icalendar's order too)."""

    def __init__(self, text: str) -> None:
        self.lines = _LINE_BREAK.split(text)
        self.events: list[tuple[int, int]] = []
        self.calendars: list[int] = []
        begin: int | None = None
        for number, line in enumerate(self.lines, start=1):
            upper = line.strip().upper()
            if upper == "BEGIN:VCALENDAR":
                self.calendars.append(number)
            elif upper == "BEGIN:VEVENT":
                begin = number
            elif upper == "END:VEVENT" and begin is not None:
                self.events.append((begin, number))
                begin = None
        if begin is not None:
            self.events.append((begin, len(self.lines)))

    def find(self, name: str, begin: int = 1, end: int | None = None) -> int | None:
        """The first line in [begin, end] holding the property ``name``."""
        prefix = name.upper()
        for number in range(begin, (end or len(self.lines)) + 1):
            line = self.lines[number - 1]
            if line[: len(prefix)].upper() == prefix and line[len(prefix) : len(prefix) + 1] in (":", ";"):
                return number
        return None

    def containing(self, fragment: str) -> int | None:
        fragment = fragment[:40]
        return next((n for n, line in enumerate(self.lines, start=1) if fragment and fragment in line), None)

    def event(self, index: int, name: str | None = None) -> int:
        """The line of VEVENT number ``index`` (from 0, in file order), or of its property ``name``."""
        if index >= len(self.events):
            return 1
        begin, end = self.events[index]
        return (self.find(name, begin, end) if name else None) or begin


def _address(value: Any) -> str:
    """A calendar address without ``mailto:``, lower-cased."""
    text = str(value).strip()
    if text.lower().startswith("mailto:"):
        text = text[7:]
    return text.strip().lower()[:320]


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _categories(component: icalendar.Component) -> list[str]:
    names: list[str] = []
    for value in _as_list(component.get("CATEGORIES")):
        cats = getattr(value, "cats", None)
        names += [str(cat) for cat in cats] if cats is not None else [str(value)]
    return names


def _param(value: Any, name: str, default: str) -> str:
    params = getattr(value, "params", None) or {}
    return str(params.get(name, default)).strip().upper()


class _CalendarReader:
    """Checks every VEVENT of a file, expands the good ones in the window, and resolves their occurrences."""

    def __init__(self, org: _Org, rules: KindRules, name: str, since: datetime, until: datetime) -> None:
        self.org, self.rules, self.name = org, rules, name
        self.since, self.until = since, until
        self.problems: list[Problem] = []
        self.read = _Read(source=_source("ics", name))
        self.seen: set[str] = set()
        self.meetings: dict[tuple[int, ...], tuple[tuple[Any, ...], _Meeting | tuple[str, str]]] = {}

    def problem(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.name, line, 1, message))

    def run(self, data: bytes) -> _Read:
        self.read.sha256 = hashlib.sha256(data).hexdigest()
        body = data.removeprefix(b"\xef\xbb\xbf")
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError as error:
            line = body.count(b"\n", 0, error.start) + 1
            self.problem(line, f"the file is not UTF-8 (byte 0x{body[error.start]:02x}); save it as UTF-8")
            raise ImportRejectedError(self.problems) from None
        source = _Text(text)
        try:
            calendars = icalendar.Calendar.from_ical(body, multiple=True)
        except (ValueError, KeyError, IndexError, TypeError) as error:
            quoted = _QUOTED.search(str(error))
            line = (source.containing(quoted.group(1)) if quoted else None) or 1
            self.problem(line, f"not valid iCalendar: {error}")
            raise ImportRejectedError(self.problems) from None
        if len(calendars) < max(1, len(source.calendars)):
            # icalendar drops a VCALENDAR whose BEGIN and END lines do not pair up; say which one went missing
            line = source.calendars[len(calendars)] if len(calendars) < len(source.calendars) else 1
            self.problem(line, "not valid iCalendar: this VCALENDAR is incomplete (every BEGIN needs its END)")
            raise ImportRejectedError(self.problems)
        index = 0
        checked: list[tuple[icalendar.Calendar, list[tuple[int, icalendar.Component]]]] = []
        for calendar in calendars:
            readable = self._check_calendar(calendar, source)
            events = []
            for event in calendar.walk("VEVENT"):
                if self._check_event(event, index, source):
                    events.append((index, event))
                index += 1
            if readable:
                checked.append((calendar, events))
        for calendar, events in checked:
            self._expand(calendar, events, source)
        if self.problems:
            raise ImportRejectedError(self.problems)
        return self.read

    def _check_calendar(self, calendar: icalendar.Calendar, source: _Text) -> bool:
        """Report what makes a calendar unreadable (its own properties, its time zones); True when it is fine."""
        before = len(self.problems)
        for component in calendar.walk():
            if component.name in ("VCALENDAR", "VTIMEZONE", "STANDARD", "DAYLIGHT"):
                for prop, message in component.errors:
                    line = (source.find(prop) if prop else None) or 1
                    self.problem(line, f"{prop or component.name}: {message}")
        zone = calendar.get("X-WR-TIMEZONE")
        if zone is not None:
            try:
                ZoneInfo(str(zone))
            except (ZoneInfoNotFoundError, ValueError):
                self.problem(source.find("X-WR-TIMEZONE") or 1, f"X-WR-TIMEZONE: unknown time zone '{zone}'")
        return len(self.problems) == before

    def _check_event(self, event: icalendar.Component, index: int, source: _Text) -> bool:
        """Report what makes an event unreadable; True when it is fine."""
        before = len(self.problems)
        for prop, message in event.errors:
            self.problem(source.event(index, prop), f"{prop or 'VEVENT'}: {message}")
        if not str(event.get("UID", "")).strip():
            self.problem(source.event(index), "the event has no UID")
        broken = {prop for prop, _ in event.errors}
        for prop in ("DTSTART", "DTEND", "RECURRENCE-ID"):
            value = event.get(prop)
            if value is None:
                if prop == "DTSTART":
                    self.problem(source.event(index), "the event has no DTSTART")
                continue
            if prop in broken:
                continue
            tzid = getattr(value, "params", {}).get("TZID")
            moment = getattr(value, "dt", None)
            if tzid and isinstance(moment, datetime) and moment.tzinfo is None:
                self.problem(
                    source.event(index, prop),
                    f"{prop}: unknown time zone '{tzid}' (no VTIMEZONE for it in the file, and not a zone name)",
                )
        if len(self.problems) == before:
            start, end = _moment(event, "DTSTART"), _moment(event, "DTEND")
            if start is not None and end is not None and _utc(end) < _utc(start):
                self.problem(source.event(index, "DTEND"), "DTEND: the event ends before it starts")
        return len(self.problems) == before

    def _expand(
        self, calendar: icalendar.Calendar, events: list[tuple[int, icalendar.Component]], source: _Text
    ) -> None:
        """Expand each series (the VEVENTs sharing a UID) on its own, so that a bad one is named by its line."""
        series: dict[str, list[tuple[int, icalendar.Component]]] = {}
        for index, event in events:
            series.setdefault(str(event["UID"]).strip(), []).append((index, event))
        zone = calendar.get("X-WR-TIMEZONE")
        # A day's margin either way: floating and all-day times are read in a zone only after the expansion.
        low, high = self.since - timedelta(days=1), self.until + timedelta(days=1)
        for uid, members in series.items():
            single = icalendar.Calendar()
            if zone is not None:
                single.add("X-WR-TIMEZONE", zone)
            for _, event in members:
                single.add_component(event)
            recurs = any(event.get(p) is not None for _, event in members for p in ("RRULE", "RDATE", "RECURRENCE-ID"))
            try:
                occurrences = recurring_ical_events.of(single).between(low, high)
            except (ValueError, KeyError, TypeError, OverflowError) as error:
                self.problem(source.event(members[0][0]), f"the event {uid} cannot be expanded: {error}")
                continue
            for occurrence in occurrences:
                self._occurrence(uid, occurrence, recurs=recurs)
            self.meetings.clear()

    def _occurrence(self, uid: str, component: icalendar.Component, *, recurs: bool) -> None:
        read = self.read
        start = _moment(component, "DTSTART")
        if start is None:
            return
        all_day = not isinstance(start, datetime) or (
            str(component.get("X-MICROSOFT-CDO-ALLDAYEVENT", "")).upper() == "TRUE"
        )
        starts_at = _utc(start)
        if not self.since <= starts_at < self.until:
            return
        recurrence_id = _utc(_moment(component, "RECURRENCE-ID") or start).isoformat() if recurs else ""
        key = _key("ics", uid, recurrence_id)
        if key in self.seen:  # the same meeting twice (several calendars exported into one file)
            return
        self.seen.add(key)
        if all_day:
            read.skip("all_day_ignored")
            return
        if str(component.get("STATUS", "")).strip().upper() == "CANCELLED":
            read.skip("cancelled_skipped")
            read.cancelled.append(key)
            return
        meeting = self._meeting(component)
        if isinstance(meeting, tuple):
            read.skip(*meeting)
            return
        read.unknown |= meeting.unknown
        end = _moment(component, "DTEND")
        read.ready.append(
            _Ready(
                import_key=key,
                team_id=meeting.team_id,
                kind=meeting.kind,
                summary=meeting.summary,
                starts_at=starts_at,
                minutes=_minutes(start, end) if isinstance(end, datetime) else 1,
                organiser_id=meeting.organiser_id,
                organiser_email=meeting.organiser_email,
                attendees=meeting.attendees,
            )
        )

    def _meeting(self, component: icalendar.Component) -> _Meeting | tuple[str, str]:
        """What every occurrence of a series shares, resolved once: the instances the expansion returns are
        shallow copies of their VEVENT, so the same property objects mean the same answer. The cache holds those
        objects, so their ids stay theirs while it lives (one series)."""
        values = tuple(component.get(name) for name in ("SUMMARY", "CATEGORIES", "ORGANIZER", "ATTENDEE"))
        cache_key = tuple(id(value) for value in values)
        cached = self.meetings.get(cache_key)
        if cached is None:
            cached = (values, self._resolve(component))
            self.meetings[cache_key] = cached
        return cached[1]

    def _resolve(self, component: icalendar.Component) -> _Meeting | tuple[str, str]:
        """The occurrence's team, kind and people, or (the reason it is skipped, its summary)."""
        summary = " ".join(str(component.get("SUMMARY", "")).replace("\x00", "").split())
        prefix, rest = team_prefix(summary)
        organiser = component.get("ORGANIZER")
        organiser_email = _address(organiser) if organiser is not None else None
        organiser_id = self.org.address(organiser_email) if organiser_email else None
        team = self.org.active_teams.get(prefix.casefold()) if prefix else self.org.team_of(organiser_id)
        if team is None:
            return UNMATCHED_TEAM, summary
        kind = self.rules.kind_of(rest, _categories(component), team[1])
        if kind is None:
            return UNMATCHED_KIND, summary
        present: set[str] = set()
        declined: set[str] = set()
        unknown: set[str] = set()
        for attendee in _as_list(component.get("ATTENDEE")):
            address = _address(attendee)
            person_id = self.org.address(address)
            if _param(attendee, "PARTSTAT", "NEEDS-ACTION") == "DECLINED":
                declined.add(address)
                if person_id is not None:
                    declined.add(person_id)
            elif person_id is None or _param(attendee, "CUTYPE", "INDIVIDUAL") in _NOT_PEOPLE:
                unknown.add(address)
            else:
                present.add(person_id)
        if organiser_id is not None and organiser_id not in declined and organiser_email not in declined:
            present.add(organiser_id)
        return _Meeting(
            team_id=team[0],
            kind=kind,
            summary=summary,
            organiser_id=organiser_id,
            organiser_email=organiser_email or None,
            attendees=frozenset(present),
            unknown=frozenset(unknown),
        )


@dataclass(frozen=True)
class _Meeting:
    """What the occurrences of one VEVENT share."""

    team_id: int
    kind: RitualKind
    summary: str
    organiser_id: str | None
    organiser_email: str | None
    attendees: frozenset[str]
    unknown: frozenset[str]


def _read_calendar(
    session: Session, *, data: bytes, name: str, rules: KindRules, since: datetime, until: datetime
) -> _Read:
    """Parse, check and resolve a whole iCalendar file; ImportRejectedError with every problem."""
    since, until = _aware(since), _aware(until)
    return _CalendarReader(_Org(session), rules, name, since, until).run(data)


def _aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


# --- CSV --------------------------------------------------------------------------------------------------------


class _Checker(RowChecker):
    """Checks one CSV row against the org."""

    def __init__(self, parsed: ParsedFile, record: tuple[int, list[str]], org: _Org, now: datetime) -> None:
        super().__init__(parsed, record)
        self.org, self.now = org, now

    def time(self, column: str) -> datetime | None:
        value = self.text(column, required=True)
        if value is None:
            return None
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            self.problem(column, f"'{value}' is not an ISO 8601 time (like 2026-03-02T09:30:00Z)")
            return None
        if "T" not in value.upper() and " " not in value:
            self.problem(column, f"'{value}' is a date; give the time too (like 2026-03-02T09:30:00Z)")
            return None
        return self.in_utc(column, value, parsed)

    def person(self, column: str, value: str) -> str | None:
        return self.person_in(column, value, self.org.person)

    def check(self) -> _Ready | None:
        start, end = self.time("start"), self.time("end")
        if start is not None and start > self.now:
            self.problem("start", f"'{self.parsed.cell(self.record, 'start')}' is in the future")
        if start is not None and end is not None and end <= start:
            self.problem("end", "is not after start")
        team_name = self.text("team", required=True)
        team = self.org.teams.get(team_name.casefold()) if team_name else None
        if team_name and team is None:
            self.problem("team", f"unknown team '{team_name}'")
        raw_kind = self.text("kind", required=True)
        kind = KINDS.get(raw_kind.lower()) if raw_kind else None
        if raw_kind and kind is None:
            self.problem("kind", f"'{raw_kind}' is not one of {', '.join(KINDS)}")
        organiser_text = self.text("organiser", required=False)
        organiser = self.person("organiser", organiser_text) if organiser_text else None
        present: set[str] = set()
        for item in split_list(self.parsed.cell(self.record, "attendees")):
            person_id = self.person("attendees", item)
            if person_id is not None:
                present.add(person_id)
        if not self.ok:
            return None
        assert start is not None and end is not None and team is not None and kind is not None
        if organiser is not None:
            present.add(organiser)
        return _Ready(
            import_key=_key("csv", start.isoformat(), str(team[0]), kind.value, organiser or ""),
            team_id=team[0],
            kind=kind,
            summary="",
            starts_at=start,
            minutes=_minutes(start, end),
            organiser_id=organiser,
            organiser_email=self.org.email_of[organiser] if organiser else None,
            attendees=frozenset(present),
        )


def _read_csv(session: Session, *, data: bytes, name: str) -> _Read:
    """Parse and check a whole CSV file against the org; ImportRejectedError with every problem."""
    parsed = read_csv(data, name, CSV_COLUMNS, ())
    read = _Read(sha256=parsed.sha256, source=_source("csv", name))
    if parsed.header_ok:
        org, now = _Org(session), utcnow()
        first: dict[str, int] = {}
        for record in parsed.rows:
            row = _Checker(parsed, record, org, now).check()
            if row is None:
                continue
            if row.import_key in first:
                message = f"a duplicate of line {first[row.import_key]} (the same start, team, kind and organiser)"
                parsed.problems.append(Problem(name, record[0], 1, message))
                continue
            first[row.import_key] = record[0]
            read.ready.append(row)
        if parsed.complete and not parsed.rows and not parsed.misshapen_rows:
            parsed.warnings.append(Problem(name, 1, 1, "the file has no rituals"))
    if parsed.problems:
        raise ImportRejectedError(parsed.problems)
    read.warnings = sorted(parsed.warnings)
    return read


# --- writing ----------------------------------------------------------------------------------------------------


def _table(model: type[Base]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


_OCCURRENCES = _table(RitualOccurrence)
_ATTENDANCES = _table(RitualAttendance)


def _batches(items: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), WRITE_BATCH):
        yield items[start : start + WRITE_BATCH]


def _existing(session: Session, keys: Sequence[str]) -> dict[str, tuple[int, tuple[Any, ...]]]:
    """key -> (id, the values an import sets, attendees) of the occurrences already stored, in batches."""
    found: dict[str, tuple[int, list[Any]]] = {}
    columns = [_OCCURRENCES.c[name] for name in _FIELDS]
    for batch in _batches(keys):
        rows = session.execute(
            select(_OCCURRENCES.c.import_key, _OCCURRENCES.c.id, *columns).where(_OCCURRENCES.c.import_key.in_(batch))
        )
        for key, occurrence_id, *values in rows:
            found[key] = (occurrence_id, values)
    by_id = {occurrence_id: key for key, (occurrence_id, _) in found.items()}
    people: dict[int, set[str]] = {occurrence_id: set() for occurrence_id in by_id}
    for batch in _batches(list(by_id)):
        for occurrence_id, person_id in session.execute(
            select(_ATTENDANCES.c.occurrence_id, _ATTENDANCES.c.person_id).where(
                _ATTENDANCES.c.occurrence_id.in_(batch)
            )
        ):
            people[occurrence_id].add(person_id)
    return {
        key: (occurrence_id, (*values, frozenset(people[occurrence_id])))
        for key, (occurrence_id, values) in found.items()
    }


def _attendances(ids: dict[str, int], rows: Iterable[_Ready]) -> list[dict[str, Any]]:
    return [
        {"occurrence_id": ids[row.import_key], "person_id": person_id}
        for row in rows
        for person_id in sorted(row.attendees)
    ]


def _custom_plans(session: Session, *, on: bool) -> None:
    """On PostgreSQL, plan each execution afresh (or, off, go back to the default) for the rest of the transaction.

    The lookups and deletes by key or id repeat one statement per batch, which psycopg prepares after five runs; a
    generic plan made while the tables were small (the first import on a pooled connection) would go on scanning the
    whole attendance table for every batch once it is large. The inserts keep their cheap cached plans."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(sql_text(f"SET LOCAL plan_cache_mode = {'force_custom_plan' if on else 'DEFAULT'}"))


def _write(session: Session, read: _Read, *, dry_run: bool) -> tuple[int, int, int, int]:
    """Delete the stored occurrences now cancelled, update the changed ones (their attendances replaced) and insert
    the new ones, with multi-row statements. (created, updated, unchanged, removed)"""
    _custom_plans(session, on=True)
    existing = _existing(session, [row.import_key for row in read.ready] + read.cancelled)
    new = [row for row in read.ready if row.import_key not in existing]
    changed = [row for row in read.ready if row.import_key in existing and existing[row.import_key][1] != row.values()]
    removed = [existing[key][0] for key in read.cancelled if key in existing]
    counts = (len(new), len(changed), len(read.ready) - len(new) - len(changed), len(removed))
    if dry_run:
        _custom_plans(session, on=False)
        return counts
    changed_ids = {row.import_key: existing[row.import_key][0] for row in changed}
    for batch in _batches(removed):
        session.execute(delete(_ATTENDANCES).where(_ATTENDANCES.c.occurrence_id.in_(batch)))
        session.execute(delete(_OCCURRENCES).where(_OCCURRENCES.c.id.in_(batch)))
    for batch in _batches(list(changed_ids.values())):
        session.execute(delete(_ATTENDANCES).where(_ATTENDANCES.c.occurrence_id.in_(batch)))
    _custom_plans(session, on=False)
    now = utcnow()
    statement = (
        update(_OCCURRENCES)
        .where(_OCCURRENCES.c.id == bindparam("occurrence_id"))
        .values({name: bindparam(f"new_{name}") for name in (*_FIELDS, "updated_at")})
    )
    for batch in _batches(changed):
        session.execute(
            statement,
            [
                {
                    "occurrence_id": changed_ids[row.import_key],
                    **{f"new_{name}": getattr(row, name) for name in _FIELDS},
                    "new_updated_at": now,
                }
                for row in batch
            ],
        )
    attendances = _attendances(changed_ids, changed)
    for batch in _batches(new):
        inserted = session.execute(
            insert(_OCCURRENCES).returning(_OCCURRENCES.c.id, _OCCURRENCES.c.import_key),
            [
                {
                    **{name: getattr(row, name) for name in _FIELDS},
                    "import_key": row.import_key,
                    "source": read.source,
                    "imported_at": now,
                    "updated_at": now,
                }
                for row in batch
            ],
        )
        attendances += _attendances({key: occurrence_id for occurrence_id, key in inserted}, batch)
    for batch in _batches(attendances):
        session.execute(insert(_ATTENDANCES), batch)
    return counts


def _apply(session: Session, read: _Read, *, name: str, actor: str, dry_run: bool) -> RitualImportReport:
    created, updated, unchanged, removed = _write(session, read, dry_run=dry_run)
    by_kind = Counter(row.kind.value for row in read.ready)
    report = RitualImportReport(
        created=created,
        updated=updated,
        unchanged=unchanged,
        removed=removed,
        all_day_ignored=read.skipped["all_day_ignored"],
        cancelled_skipped=read.skipped["cancelled_skipped"],
        unmatched_team=read.skipped[UNMATCHED_TEAM],
        unmatched_kind=read.skipped[UNMATCHED_KIND],
        unknown_attendees=len(read.unknown),
        examples={reason: list(examples) for reason, examples in sorted(read.examples.items())},
        by_kind={kind.value: by_kind[kind.value] for kind in RitualKind if by_kind[kind.value]},
        warnings=read.warnings,
    )
    if dry_run or not (created or updated or removed):
        return report  # a re-import that changes nothing leaves the database exactly as it was
    record = RitualImport(imported_by=actor[:320], file=name[-500:], sha256=read.sha256, counts=report.counts())
    session.add(record)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="rituals.import",
        entity="ritual_import",
        entity_id=str(record.id),
        after={"file": record.file, **report.counts()},
    )
    return report


def import_calendar(
    session: Session,
    *,
    data: bytes,
    name: str,
    actor: str,
    rules: KindRules,
    since: datetime,
    until: datetime,
    dry_run: bool = False,
) -> RitualImportReport:
    """Import the occurrences in [since, until) of an iCalendar file, in the caller's transaction: all or nothing
    (ImportRejectedError lists every problem), idempotent; a dry run writes nothing."""
    read = _read_calendar(session, data=data, name=name, rules=rules, since=since, until=until)
    return _apply(session, read, name=name, actor=actor, dry_run=dry_run)


def import_ritual_csv(
    session: Session, *, data: bytes, name: str, actor: str, dry_run: bool = False
) -> RitualImportReport:
    """Import rituals in the CSV form, in the caller's transaction: all or nothing, idempotent; a dry run writes
    nothing."""
    read = _read_csv(session, data=data, name=name)
    return _apply(session, read, name=name, actor=actor, dry_run=dry_run)


def is_calendar(data: bytes) -> bool:
    """Whether a file is iCalendar: it starts with BEGIN:VCALENDAR (after a byte-order mark and white space)."""
    return data.removeprefix(b"\xef\xbb\xbf").lstrip()[:15].upper() == b"BEGIN:VCALENDAR"


def import_rituals(
    session: Session,
    *,
    data: bytes,
    name: str,
    actor: str,
    rules: KindRules,
    since: datetime,
    until: datetime,
    dry_run: bool = False,
) -> RitualImportReport:
    """Import a calendar export or a CSV, told apart by content (the window applies to calendars only)."""
    if is_calendar(data):
        return import_calendar(
            session, data=data, name=name, actor=actor, rules=rules, since=since, until=until, dry_run=dry_run
        )
    return import_ritual_csv(session, data=data, name=name, actor=actor, dry_run=dry_run)
