"""Importing rituals from real calendar exports and the CSV form, on real databases.

``data/google.ics`` is pm1's Google Calendar export (X-WR-TIMEZONE Europe/London). Within the window used here,
2026-01-01 to 2026-04-01 (UTC), it holds:

- "Monday stand-up", organised by pm1 (no prefix: the organiser's team, Payments), weekly on Mondays at 09:30
  London from 5 January: 13 Mondays (5, 12, 19, 26 Jan; 2, 9, 16, 23 Feb; 2, 9, 16, 23, 30 Mar), minus the
  EXDATE of 16 February = 12 instances; the 2 March one moved to Tuesday 3 March 10:00 (RECURRENCE-ID, with dev1
  accepting), the 9 March one cancelled (RECURRENCE-ID, STATUS:CANCELLED): 11 stand-ups stored, 1 cancelled.
  Attendees: pm1 (organiser, accepted), em1 accepted, dev1 declined, a Google room resource.
- "[Payments] Sprint planning", organised by em1, every other Wednesday 14:00 London, COUNT=6: 7 and 21 Jan,
  4 and 18 Feb, 4 and 18 Mar = 6 plannings; pm1 accepted, dev1 tentative.
- "Sprint retro" (one-off, 27 Mar 16:00 London, organised by pm1, who declined it; em1 and dev1 accepted).
- "Sprint demo" (one-off, 31 Mar 15:00 London = BST, organised by em1; pm1 and a guest from a customer).
- "Payments offsite": all-day (ignored). "Lunch": no ritual kind. "[Growth] Customer interview": a prefix that
  names no team. "Quarterly planning review": organised by gm, who has no team. "Demo day": cancelled.
- "Stand-up before the winter freeze" on 15 December 2025: outside the window.

So: 11 + 6 + 1 + 1 = 19 created; 1 all-day; 2 cancelled (the 9 March stand-up and "Demo day"); 2 without a team;
1 without a kind; 2 unknown attendee addresses among the stored occurrences (the room, the customer's guest; the
Growth interview's guest is not counted: that event is not stored).

``data/outlook.ics`` is em1's Outlook export (W. Europe Standard Time, em1 as em.one@example.com, an SMTP alias):

- "Daily scrum", daily at 09:30 from Monday 23 March, COUNT=10 (23 Mar - 1 Apr): 9 in the window (1 April is
  not), 08:30 UTC until Saturday 28 March and 07:30 UTC from Sunday 29 March (summer time);
- "[Payments] Postmortem: checkout outage" (18 Mar 15:00 CET, an incident; a room as a resource attendee);
- "Sprint wrap-up" with CATEGORIES:Retrospective (a retro by its category);
- "Three amigos" (no ritual kind) and "Company offsite" (all-day, X-MICROSOFT-CDO-ALLDAYEVENT).

So: 9 + 1 + 1 = 11 created, 1 all-day, 1 without a kind, 1 unknown address (the room).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from conftest import database_fingerprint
from factories import load_org, small_org
from tandem.audit.models import AuditEvent
from tandem.db import transaction
from tandem.org.importer import ImportRejectedError
from tandem.overlap.facts import RitualKind
from tandem.overlap.importer import (
    CalendarEvent,
    RitualImportReport,
    RitualRow,
    import_rituals,
    is_calendar,
    to_csv,
    to_ics,
)
from tandem.overlap.kinds import KindRules
from tandem.overlap.models import RitualImport, RitualOccurrence

DATA = Path(__file__).parent / "data"
SINCE = datetime(2026, 1, 1, tzinfo=UTC)
UNTIL = datetime(2026, 4, 1, tzinfo=UTC)
K = RitualKind


def google() -> bytes:
    return (DATA / "google.ics").read_bytes()


def outlook() -> bytes:
    return (DATA / "outlook.ics").read_bytes()


def edited(data: bytes, *changes: tuple[str, str]) -> bytes:
    """The file with each (old, new) text replaced exactly once."""
    text = data.decode()
    for old, new in changes:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text.encode()


def run(
    engine: Engine,
    data: bytes,
    *,
    name: str = "google.ics",
    rules: KindRules | None = None,
    since: datetime = SINCE,
    until: datetime = UNTIL,
    dry_run: bool = False,
) -> RitualImportReport:
    with transaction(engine) as session:
        return import_rituals(
            session,
            data=data,
            name=name,
            actor="cli:test",
            rules=rules or KindRules.of(),
            since=since,
            until=until,
            dry_run=dry_run,
        )


def rejected(engine: Engine, data: bytes, name: str = "google.ics") -> list[str]:
    with pytest.raises(ImportRejectedError) as caught:
        run(engine, data, name=name)
    return [str(problem) for problem in caught.value.problems]


def stored(session: Session, summary: str | None = None) -> list[RitualOccurrence]:
    query = select(RitualOccurrence).order_by(RitualOccurrence.starts_at, RitualOccurrence.id)
    if summary is not None:
        query = query.where(RitualOccurrence.summary == summary)
    return list(session.scalars(query))


def people(occurrence: RitualOccurrence) -> list[str]:
    return [attendance.person_id for attendance in occurrence.attendances]


def utc(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


@pytest.fixture
def exchange_org(engine: Engine) -> None:
    """The small org, with em1 also known by the SMTP alias their Exchange account uses."""
    rows = small_org()
    for row in rows:
        if row["id"] == "em1":
            row["aliases"] = "emone;em.one@example.com"
    load_org(engine, rows)


# --- Google Calendar --------------------------------------------------------------------------------------------


def test_a_google_export_stores_each_occurrence_by_kind(engine: Engine, org: None) -> None:
    report = run(engine, google())
    assert (report.created, report.updated, report.unchanged, report.removed) == (19, 0, 0, 0)
    assert report.by_kind == {"planning": 6, "standup": 11, "retro": 1, "demo": 1}
    assert report.warnings == []


def test_a_google_export_counts_what_it_skips(engine: Engine, org: None) -> None:
    report = run(engine, google())
    assert (
        report.all_day_ignored,
        report.cancelled_skipped,
        report.unmatched_team,
        report.unmatched_kind,
        report.unknown_attendees,
    ) == (1, 2, 2, 1, 2)
    assert report.examples == {
        "unmatched_kind": ["Lunch"],
        "unmatched_team": ["[Growth] Customer interview", "Quarterly planning review"],
    }


def test_a_series_keeps_its_exdate_moved_and_cancelled_instances(engine: Engine, org: None) -> None:
    run(engine, google())
    with transaction(engine) as session:
        standups = [o for o in stored(session) if o.kind is K.STANDUP]
        # 09:30 GMT is 09:30 UTC; no 16 Feb (EXDATE) and no 9 Mar (cancelled); 2 Mar moved to 3 Mar 10:00; on
        # 30 March London is on summer time, so 09:30 BST is 08:30 UTC.
        assert [o.starts_at for o in standups] == [
            utc(1, 5, 9, 30),
            utc(1, 12, 9, 30),
            utc(1, 19, 9, 30),
            utc(1, 26, 9, 30),
            utc(2, 2, 9, 30),
            utc(2, 9, 9, 30),
            utc(2, 23, 9, 30),
            utc(3, 3, 10),
            utc(3, 16, 9, 30),
            utc(3, 23, 9, 30),
            utc(3, 30, 8, 30),
        ]
        assert {o.minutes for o in standups} == {15}
        assert standups[7].summary == "Monday stand-up (moved: bank holiday cover)"
        assert {o.team.name for o in standups} == {"Payments"}


def test_the_team_comes_from_the_prefix_else_the_organiser(engine: Engine, org: None) -> None:
    run(engine, google())
    with transaction(engine) as session:
        planning = stored(session, "[Payments] Sprint planning")
        assert [(o.team.name, o.kind, o.minutes) for o in planning] == [("Payments", K.PLANNING, 90)] * 6
        assert [o.starts_at for o in planning] == [
            utc(1, 7, 14),
            utc(1, 21, 14),
            utc(2, 4, 14),
            utc(2, 18, 14),
            utc(3, 4, 14),
            utc(3, 18, 14),
        ]


def test_attendees_are_who_did_not_decline_and_the_organiser(engine: Engine, org: None) -> None:
    run(engine, google())
    with transaction(engine) as session:
        standups = stored(session, "Monday stand-up")
        # dev1 declined the series; the room is no one; pm1 organises (and is listed, as Google does)
        assert {tuple(people(o)) for o in standups} == {("em1", "pm1")}
        (moved,) = stored(session, "Monday stand-up (moved: bank holiday cover)")
        assert people(moved) == ["dev1", "em1", "pm1"]  # dev1 accepted the moved instance
        # dev1 is tentative: tentative attends
        assert {tuple(people(o)) for o in stored(session, "[Payments] Sprint planning")} == {("dev1", "em1", "pm1")}
        (retro,) = stored(session, "Sprint retro")
        assert (retro.organiser_id, people(retro)) == ("pm1", ["dev1", "em1"])  # the organiser declined
        (demo,) = stored(session, "Sprint demo")
        assert people(demo) == ["em1", "pm1"]  # the customer's guest is no one in the org
        assert (demo.organiser_id, demo.organiser_email) == ("em1", "em1@example.com")


def test_occurrences_outside_the_window_are_not_read(engine: Engine, org: None) -> None:
    # From 1 March: stand-ups on 3 (moved), 16, 23 and 30 March (9 March cancelled), plannings on 4 and 18 March,
    # the retro and the demo: 8. "Demo day" (26 February) and the offsite (12 February) are before the window.
    report = run(engine, google(), since=utc(3, 1, 0))
    assert (report.created, report.cancelled_skipped, report.all_day_ignored) == (8, 1, 0)
    with transaction(engine) as session:
        assert min(o.starts_at for o in stored(session)) == utc(3, 3, 10)


# --- Outlook / Exchange -----------------------------------------------------------------------------------------


def test_an_outlook_export_stores_each_occurrence_by_kind(engine: Engine, exchange_org: None) -> None:
    report = run(engine, outlook(), name="outlook.ics")
    assert (report.created, report.updated, report.unchanged, report.removed) == (11, 0, 0, 0)
    assert report.by_kind == {"standup": 9, "retro": 1, "incident": 1}
    assert (report.all_day_ignored, report.unmatched_kind, report.unknown_attendees) == (1, 1, 1)
    assert report.examples == {"unmatched_kind": ["Three amigos"]}


def test_windows_time_zones_convert_to_utc_across_summer_time(engine: Engine, exchange_org: None) -> None:
    run(engine, outlook(), name="outlook.ics")
    with transaction(engine) as session:
        scrums = stored(session, "Daily scrum")
        # 09:30 in W. Europe Standard Time: CET (UTC+1) until Saturday 28 March, CEST (UTC+2) from Sunday 29 March
        assert [o.starts_at for o in scrums] == [
            *(utc(3, day, 8, 30) for day in range(23, 29)),
            *(utc(3, day, 7, 30) for day in range(29, 32)),
        ]
        (postmortem,) = stored(session, "[Payments] Postmortem: checkout outage")
        assert (postmortem.kind, postmortem.starts_at, postmortem.minutes) == (K.INCIDENT, utc(3, 18, 14), 60)


def test_an_organiser_is_matched_by_alias_and_keeps_their_address(engine: Engine, exchange_org: None) -> None:
    run(engine, outlook(), name="outlook.ics")
    with transaction(engine) as session:
        scrum = stored(session, "Daily scrum")[0]
        assert (scrum.organiser_id, scrum.organiser_email) == ("em1", "em.one@example.com")
        # Outlook does not list the organiser; pm1 has no PARTSTAT (attending), dev1 accepted
        assert people(scrum) == ["dev1", "em1", "pm1"]


def test_categories_name_the_kind(engine: Engine, exchange_org: None) -> None:
    run(engine, outlook(), name="outlook.ics")
    with transaction(engine) as session:
        (wrap_up,) = stored(session, "Sprint wrap-up")
        assert (wrap_up.kind, wrap_up.starts_at, wrap_up.minutes) == (K.RETRO, utc(3, 20, 15), 30)


def test_several_calendars_in_one_file_are_all_read(engine: Engine, exchange_org: None) -> None:
    report = run(engine, google() + outlook(), name="both.ics")
    assert report.created == 19 + 11
    assert report.by_kind == {"planning": 6, "standup": 11 + 9, "retro": 1 + 1, "demo": 1, "incident": 1}


def test_floating_times_are_read_in_x_wr_timezone_else_utc(engine: Engine, org: None) -> None:
    def calendar(zone: str) -> bytes:
        return (
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Example//EN\r\n"
            f"{zone}"
            "BEGIN:VEVENT\r\nUID:float-1\r\nDTSTAMP:20260301T000000Z\r\n"
            "DTSTART:20260302T093000\r\nDTEND:20260302T100000\r\n"
            "ORGANIZER:mailto:pm1@example.com\r\nSUMMARY:Retro\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
        ).encode()

    run(engine, calendar("X-WR-TIMEZONE:America/New_York\r\n"), name="new-york.ics")
    with transaction(engine) as session:
        assert [(o.starts_at, o.minutes) for o in stored(session)] == [(utc(3, 2, 14, 30), 30)]  # EST is UTC-5
    report = run(engine, calendar(""), name="floating.ics")
    assert (report.created, report.updated) == (0, 1)  # the same UID: the meeting moved
    with transaction(engine) as session:
        assert [o.starts_at for o in stored(session)] == [utc(3, 2, 9, 30)]


def test_a_team_rule_is_checked_before_the_defaults(engine: Engine, org: None) -> None:
    # Payments' "Monday stand-up" is their weekly planning: the team's rule wins over the default "stand-up"
    rules = KindRules.of(team_keywords={"payments": {"planning": ["monday stand-up"]}})
    report = run(engine, google(), rules=rules)
    assert report.by_kind == {"planning": 6 + 11, "retro": 1, "demo": 1}


# --- idempotency and updates ------------------------------------------------------------------------------------


def test_reimporting_the_same_file_changes_nothing(engine: Engine, org: None) -> None:
    run(engine, google())
    before = database_fingerprint(engine)
    report = run(engine, google())
    assert (report.created, report.updated, report.unchanged, report.removed) == (0, 0, 19, 0)
    assert database_fingerprint(engine) == before


def test_an_edited_export_updates_occurrences_in_place(engine: Engine, org: None) -> None:
    run(engine, google())
    with transaction(engine) as session:
        ids = {o.summary: o.id for o in stored(session) if o.summary in ("Sprint retro", "[Payments] Sprint planning")}
    later = edited(
        google(),
        # the one-off retro moves an hour earlier
        ("DTSTART;TZID=Europe/London:20260327T160000", "DTSTART;TZID=Europe/London:20260327T150000"),
        ("DTEND;TZID=Europe/London:20260327T170000", "DTEND;TZID=Europe/London:20260327T160000"),
        # dev1 now declines every sprint planning
        ("PARTSTAT=TENTATIVE;CN=Dev O", "PARTSTAT=DECLINED;CN=Dev O"),
    )
    report = run(engine, later)
    # the retro and the 6 plannings are updated; the other 12 occurrences are unchanged
    assert (report.created, report.updated, report.unchanged, report.removed) == (0, 7, 12, 0)
    with transaction(engine) as session:
        (retro,) = stored(session, "Sprint retro")
        assert (retro.id, retro.starts_at, people(retro)) == (ids["Sprint retro"], utc(3, 27, 15), ["dev1", "em1"])
        planning = stored(session, "[Payments] Sprint planning")
        assert {tuple(people(o)) for o in planning} == {("em1", "pm1")}
        assert ids["[Payments] Sprint planning"] in {o.id for o in planning}
        assert len(stored(session)) == 19


def test_a_cancelled_occurrence_removes_what_an_earlier_import_stored(engine: Engine, org: None) -> None:
    run(engine, google())
    later = edited(google(), ("STATUS:CONFIRMED\r\nSUMMARY:Sprint demo", "STATUS:CANCELLED\r\nSUMMARY:Sprint demo"))
    report = run(engine, later)
    assert (report.created, report.updated, report.unchanged, report.removed) == (0, 0, 18, 1)
    assert report.cancelled_skipped == 3
    with transaction(engine) as session:
        assert stored(session, "Sprint demo") == []


def test_a_cancellation_outside_the_window_removes_nothing_there(engine: Engine, org: None) -> None:
    run(engine, google())
    # the whole planning series is cancelled, but read only from 1 March: the 4 and 18 March plannings go, the
    # four in January and February stay
    later = edited(
        google(),
        (
            "STATUS:CONFIRMED\r\nSUMMARY:[Payments] Sprint planning",
            "STATUS:CANCELLED\r\nSUMMARY:[Payments] Sprint planning",
        ),
    )
    report = run(engine, later, since=utc(3, 1, 0))
    assert report.removed == 2
    with transaction(engine) as session:
        assert [o.starts_at for o in stored(session, "[Payments] Sprint planning")] == [
            utc(1, 7, 14),
            utc(1, 21, 14),
            utc(2, 4, 14),
            utc(2, 18, 14),
        ]


def test_an_import_is_recorded_and_audited(engine: Engine, org: None) -> None:
    run(engine, google())
    with transaction(engine) as session:
        (record,) = session.scalars(select(RitualImport)).all()
        assert (record.file, record.imported_by, len(record.sha256)) == ("google.ics", "cli:test", 64)
        assert (record.counts["created"], record.counts["by_kind"]["standup"]) == (19, 11)
        actions = session.scalars(select(AuditEvent.action).where(AuditEvent.action == "rituals.import")).all()
        assert actions == ["rituals.import"]


def test_a_dry_run_counts_and_writes_nothing(engine: Engine, org: None) -> None:
    before = database_fingerprint(engine)
    report = run(engine, google(), dry_run=True)
    assert (report.created, report.unmatched_team, report.by_kind["standup"]) == (19, 2, 11)
    assert database_fingerprint(engine) == before


# --- rejected files ---------------------------------------------------------------------------------------------


def test_an_event_without_uid_or_dtstart_rejects_the_whole_file(engine: Engine, org: None) -> None:
    before = database_fingerprint(engine)
    broken = edited(
        google(),
        # the retro's VEVENT begins on line 130 and loses its DTSTART (line 131) ...
        ("DTSTART;TZID=Europe/London:20260327T160000\r\n", ""),
        # ... and Lunch, whose VEVENT began on line 183, is on line 182 once that line is gone; it loses its UID
        ("UID:8h6f4d2b0z8x6v4t2r0p@google.com\r\n", ""),
    )
    assert rejected(engine, broken) == [
        "google.ics:130:1: the event has no DTSTART",
        "google.ics:182:1: the event has no UID",
    ]
    assert database_fingerprint(engine) == before


def test_a_malformed_time_is_reported_at_its_line(engine: Engine, org: None) -> None:
    broken = edited(google(), ("DTEND;TZID=Europe/London:20260331T154500", "DTEND;TZID=Europe/London:2026-03-31 15:45"))
    (problem,) = rejected(engine, broken)
    assert problem.startswith("google.ics:152:1: DTEND: ")  # the demo's DTEND line
    assert "2026-03-31 15:45" in problem


def test_an_unknown_time_zone_is_a_problem(engine: Engine, org: None) -> None:
    broken = edited(
        google(), ("DTSTART;TZID=Europe/London:20260210T123000", "DTSTART;TZID=Europe/Lndon:20260210T123000")
    )
    assert rejected(engine, broken) == [
        "google.ics:184:1: DTSTART: unknown time zone 'Europe/Lndon' (no VTIMEZONE for it in the file, and not a "
        "zone name)"
    ]


def test_an_incomplete_calendar_is_rejected(engine: Engine, org: None) -> None:
    truncated = google()[:5000]  # cut in the middle of the stand-up series
    assert rejected(engine, truncated) == [
        "google.ics:1:1: not valid iCalendar: this VCALENDAR is incomplete (every BEGIN needs its END)"
    ]


# --- writing .ics -----------------------------------------------------------------------------------------------


def test_to_ics_writes_a_calendar_the_importer_reads(engine: Engine, org: None) -> None:
    start = datetime(2026, 3, 16, 10, tzinfo=UTC)  # 11:00 in Berlin (CET)
    data = to_ics(
        [
            CalendarEvent(
                uid="retro-1@tandem.example",
                summary="[Payments] Retro",
                start=start,
                minutes=45,
                organiser_email="pm1@example.com",
                attendees=[("pm1@example.com", "ACCEPTED"), ("em1@example.com", "DECLINED"), ("dev1@example.com", "")],
                rrule={"freq": "weekly", "count": 3},
                exdates=[start + timedelta(days=7)],
                tzid="Europe/Berlin",
            )
        ],
        name="Payments",
    )
    assert data.startswith(b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Tandem//Rituals//EN\r\n")
    assert b"BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin" in data
    report = run(engine, data, name="written.ics")
    assert report.by_kind == {"retro": 2}
    with transaction(engine) as session:
        # 16 March 11:00 CET; 23 March excluded; 30 March 11:00 CEST is 09:00 UTC
        assert [(o.starts_at, o.minutes, people(o)) for o in stored(session)] == [
            (utc(3, 16, 10), 45, ["dev1", "pm1"]),
            (utc(3, 30, 9), 45, ["dev1", "pm1"]),
        ]


def test_files_are_told_apart_by_their_content() -> None:
    assert is_calendar(b"\xef\xbb\xbf\r\n  BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")
    assert is_calendar(b"begin:vcalendar\n")
    assert not is_calendar(b"start,end,team,kind,organiser,attendees\n")


# --- CSV --------------------------------------------------------------------------------------------------------

CSV_HEADER = "start,end,team,kind,organiser,attendees\n"


def csv_rows(dev1_attends: bool = True) -> bytes:
    return to_csv(
        [
            RitualRow(utc(3, 2, 9, 30), utc(3, 2, 9, 45), "Payments", K.STANDUP, "em1", ["PMONE", "dev1@example.com"]),
            RitualRow(
                utc(3, 4, 14),
                utc(3, 4, 15, 30),
                "payments",
                "Planning",
                "pm1@example.com",
                ["emone", *(["dev1"] if dev1_attends else [])],
            ),
            RitualRow(utc(3, 6, 16), utc(3, 6, 17), "Payments", "retro", None, ["em1", "pm1"]),
        ]
    )


def test_a_csv_imports_with_people_by_id_email_or_alias(engine: Engine, org: None) -> None:
    report = run(engine, csv_rows(), name="rituals.csv")
    assert (report.created, report.by_kind) == (3, {"planning": 1, "standup": 1, "retro": 1})
    with transaction(engine) as session:
        assert [(o.kind, o.starts_at, o.minutes, o.organiser_id, people(o)) for o in stored(session)] == [
            (K.STANDUP, utc(3, 2, 9, 30), 15, "em1", ["dev1", "em1", "pm1"]),
            (K.PLANNING, utc(3, 4, 14), 90, "pm1", ["dev1", "em1", "pm1"]),
            (K.RETRO, utc(3, 6, 16), 60, None, ["em1", "pm1"]),
        ]
        assert [o.source for o in stored(session)] == ["csv:rituals.csv"] * 3


def test_reimporting_a_csv_changes_nothing(engine: Engine, org: None) -> None:
    run(engine, csv_rows(), name="rituals.csv")
    before = database_fingerprint(engine)
    report = run(engine, csv_rows(), name="rituals.csv")
    assert (report.created, report.updated, report.unchanged) == (0, 0, 3)
    assert database_fingerprint(engine) == before


def test_a_csv_row_with_other_attendees_is_updated(engine: Engine, org: None) -> None:
    run(engine, csv_rows(), name="rituals.csv")
    report = run(engine, csv_rows(dev1_attends=False), name="rituals.csv")
    assert (report.created, report.updated, report.unchanged) == (0, 1, 2)
    with transaction(engine) as session:
        planning = [o for o in stored(session) if o.kind is K.PLANNING]
        assert [people(o) for o in planning] == [["em1", "pm1"]]


def test_a_bad_csv_lists_every_problem_by_line_and_column(engine: Engine, org: None) -> None:
    before = database_fingerprint(engine)
    bad = (
        CSV_HEADER
        + "2026-03-02T09:30:00Z,2026-03-02T09:45:00Z,Payments,standup,em1,pm1;dev1\n"  # line 2: fine
        + "2026-03-03T09:30:00,2026-03-03T09:45:00Z,Growth,standup,em1,pm1\n"  # line 3: no zone; no such team
        + "2026-03-04T09:30:00Z,2026-03-04T09:00:00Z,Payments,huddle,em1,pm1\n"  # line 4: ends first; bad kind
        + "2026-03-05T09:30:00Z,2026-03-05T09:45:00Z,Payments,retro,nobody,pm1;ghost@example.com\n"  # line 5
        + "2026-03-02T09:30:00+00:00,2026-03-02T10:00:00Z,payments,STANDUP,em1@example.com,pm1\n"  # line 6
    ).encode()
    assert rejected(engine, bad, name="rituals.csv") == [
        "rituals.csv:3:1: start: '2026-03-03T09:30:00' has no time zone; end it with Z or an offset such as +01:00",
        "rituals.csv:3:3: team: unknown team 'Growth'",
        "rituals.csv:4:2: end: is not after start",
        "rituals.csv:4:4: kind: 'huddle' is not one of discovery, planning, standup, retro, demo, incident, other",
        "rituals.csv:5:5: organiser: unknown person 'nobody' (not the id, e-mail or alias of anyone in the org)",
        "rituals.csv:5:6: attendees: unknown person 'ghost@example.com' (not the id, e-mail or alias of anyone in "
        "the org)",
        "rituals.csv:6:1: a duplicate of line 2 (the same start, team, kind and organiser)",
    ]
    assert database_fingerprint(engine) == before
