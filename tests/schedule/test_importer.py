"""Importing tracker history into the database: mapping to teams and people, idempotency, all or nothing."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select, update
from sqlalchemy.orm import Session

from conftest import database_fingerprint
from factories import TEAMS_HEADER, small_org, small_teams, to_csv
from tandem.audit.models import AuditEvent
from tandem.db import transaction
from tandem.org.models import Person, Team
from tandem.org.service import import_org
from tandem.schedule import importer
from tandem.schedule.importer import TrackerImportOutcome, import_tracker
from tandem.schedule.models import ScheduleChange, TrackerImport, TrackerItem
from tandem.schedule.trackers import Source, TrackerFormatError

FIXTURES = Path(__file__).parent / "fixtures"


def run(engine: Engine, source: Source, path: Path) -> TrackerImportOutcome:
    with transaction(engine) as session:
        return import_tracker(session, source, path, imported_by="test")


def changes(session: Session) -> dict[str, tuple[Any, ...]]:
    rows = session.scalars(select(ScheduleChange).order_by(ScheduleChange.id))
    return {c.external_id: (c.field, c.from_value, c.to_value, c.actor, c.person_id, c.function) for c in rows}


def tracker_items(session: Session) -> dict[str, TrackerItem]:
    return {i.key: i for i in session.scalars(select(TrackerItem).order_by(TrackerItem.id))}


def payments_id(session: Session) -> int:
    team_id = session.scalar(select(Team.id).where(Team.name == "Payments"))
    assert team_id is not None
    return team_id


def load_org_with_linear(engine: Engine, linear_teams: str) -> None:
    teams = [dict(small_teams()[0], linear_teams=linear_teams)]
    with transaction(engine) as session:
        import_org(
            session,
            people_data=to_csv(small_org()),
            people_file="people.csv",
            teams_data=to_csv(teams, [*TEAMS_HEADER, "linear_teams"]),
            teams_file="teams.csv",
            imported_by="test",
        )


def jira_pages(tmp_path: Path) -> Path:
    pages = tmp_path / "jira"
    shutil.copytree(FIXTURES / "jira", pages)
    return pages


# --- Jira -----------------------------------------------------------------------------------------------------------


def test_a_jira_export_maps_changes_to_teams_and_people(engine: Engine, org: None, session: Session) -> None:
    outcome = run(engine, "jira", FIXTURES / "jira")
    assert outcome.record.counts == {
        "items_read": 3,
        "items_added": 3,
        "items_updated": 0,
        "items_unchanged": 0,
        "items_completed": 1,
        "changes_read": 10,
        "changes_added": 10,
        "changes_already_present": 0,
        "changes_added_by_field": {
            "due_date": 3,
            "scope_added": 1,
            "scope_removed": 1,
            "sprint": 3,
            "target_date": 2,
        },
    }
    assert changes(session) == {
        # Jira Cloud hid the e-mail: the account id is pm1's alias
        "jira:PAY-101:20001:0": ("due_date", None, "2024-03-15", "557058:aa", "pm1", "product"),
        "jira:PAY-101:20001:1": ("sprint", None, "PAY Sprint 14", "557058:aa", "pm1", "product"),
        # "EM1@Example.com" is em1's e-mail, whatever the case
        "jira:PAY-101:20002:1": ("due_date", "2024-03-15", "2024-03-22", "EM1@Example.com", "em1", "engineering"),
        "jira:PAY-101:20003:0": (
            "sprint", "PAY Sprint 14", "PAY Sprint 14, PAY Sprint 15", "557058:ffff", None, None,
        ),
        "jira:PAY-101:20003:1": ("scope_removed", "2024.02", None, "557058:ffff", None, None),
        "jira:PAY-101:20003:2": ("scope_added", None, "2024.03", "557058:ffff", None, None),
        # Jira Server: the user name "emone" is em1's alias
        "jira:PAY-101:20004:0": ("target_date", None, "2024-03-29", "emone", "em1", "engineering"),
        "jira:PAY-102:20010:0": ("target_date", None, "2024-03-11", "557058:aa", "pm1", "product"),
        "jira:PAY-102:20011:0": ("due_date", None, "2024-04-05", "(unknown)", None, None),
        "jira:OPS-7:30001:0": ("sprint", None, "OPS Sprint 3", "dev1@example.com", "dev1", "engineering"),
    }  # fmt: skip
    payments = payments_id(session)
    teams = {c.external_id: c.team_id for c in session.scalars(select(ScheduleChange))}
    assert teams["jira:PAY-101:20001:0"] == payments
    assert teams["jira:OPS-7:30001:0"] is None
    found = tracker_items(session)
    assert {key: (i.project, i.team_id, i.status) for key, i in found.items()} == {
        "PAY-101": ("PAY", payments, "Done"),
        "PAY-102": ("PAY", payments, "In Progress"),
        "OPS-7": ("OPS", None, "To Do"),
    }
    assert found["PAY-101"].completed_at is not None
    assert found["PAY-101"].completed_at.isoformat() == "2024-03-20T16:45:10+00:00"


def test_unknown_actors_and_unmapped_projects_are_counted(engine: Engine, org: None) -> None:
    outcome = run(engine, "jira", FIXTURES / "jira")
    assert outcome.record.unknown_actors == {"557058:ffff": 3, "(unknown)": 1}
    assert outcome.actor_names == {"557058:ffff": "Zed Outsider"}
    assert outcome.record.unmapped_projects == {"OPS": 1}


def test_a_re_import_adds_nothing_and_says_so(engine: Engine, org: None, session: Session) -> None:
    run(engine, "jira", FIXTURES / "jira")
    again = run(engine, "jira", FIXTURES / "jira").record.counts
    assert (again["changes_read"], again["changes_added"], again["changes_already_present"]) == (10, 0, 10)
    assert (again["items_added"], again["items_updated"], again["items_unchanged"]) == (0, 0, 3)
    assert session.scalar(select(func.count()).select_from(ScheduleChange)) == 10
    assert session.scalar(select(func.count()).select_from(TrackerImport)) == 2


def test_a_re_import_brings_completion_and_titles_up_to_date(engine: Engine, org: None, tmp_path: Path) -> None:
    pages = jira_pages(tmp_path)
    run(engine, "jira", pages)
    page = json.loads((pages / "search-page-1.json").read_text())
    fields = page["issues"][1]["fields"]
    fields.update(resolutiondate="2024-04-02T10:00:00.000+0000", status={"name": "Done"}, summary="Payout retries")
    (pages / "search-page-1.json").write_text(json.dumps(page))
    counts = run(engine, "jira", pages).record.counts
    assert (counts["items_added"], counts["items_updated"], counts["items_unchanged"]) == (0, 1, 2)
    with transaction(engine) as session:
        item = tracker_items(session)["PAY-102"]
        assert (item.title, item.status) == ("Payout retries", "Done")
        assert item.completed_at is not None and item.completed_at.isoformat() == "2024-04-02T10:00:00+00:00"


def test_new_history_in_a_later_export_is_added(engine: Engine, org: None, tmp_path: Path) -> None:
    pages = jira_pages(tmp_path)
    run(engine, "jira", pages)
    page = json.loads((pages / "search-page-2.json").read_text())
    histories = page["issues"][0]["changelog"]["histories"]
    histories.append(dict(histories[0], id="30002", created="2024-03-19T10:00:00.000+0000"))
    (pages / "search-page-2.json").write_text(json.dumps(page))
    counts = run(engine, "jira", pages).record.counts
    assert (counts["changes_read"], counts["changes_added"], counts["changes_already_present"]) == (11, 1, 10)


def test_small_batches_give_the_same_result(engine: Engine, org: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(importer, "BATCH", 2)
    first = run(engine, "jira", FIXTURES / "jira").record.counts
    again = run(engine, "jira", FIXTURES / "jira").record.counts
    assert (first["items_added"], first["changes_added"]) == (3, 10)
    assert (again["items_unchanged"], again["changes_already_present"]) == (3, 10)


def test_the_same_page_twice_in_one_import_adds_each_change_once(
    engine: Engine, org: None, tmp_path: Path, session: Session
) -> None:
    pages = jira_pages(tmp_path)
    shutil.copy(pages / "search-page-2.json", pages / "search-page-3.json")
    counts = run(engine, "jira", pages).record.counts
    assert (counts["changes_read"], counts["changes_added"], counts["changes_already_present"]) == (11, 10, 1)
    assert session.scalar(select(func.count()).select_from(TrackerItem)) == 3


def test_only_active_people_and_teams_match(engine: Engine, org: None, session: Session) -> None:
    with transaction(engine) as writing:
        writing.execute(update(Person).where(Person.id == "em1").values(active=False))
    run(engine, "jira", FIXTURES / "jira")
    found = changes(session)
    assert found["jira:PAY-101:20002:1"][4:] == (None, None)  # em1 by e-mail
    assert found["jira:PAY-101:20004:0"][4:] == (None, None)  # em1 by alias
    assert found["jira:PAY-101:20001:0"][4:] == ("pm1", "product")
    with transaction(engine) as writing:
        writing.execute(update(Team).values(active=False))
    outcome = run(engine, "jira", FIXTURES / "jira")
    assert outcome.record.unmapped_projects == {"PAY": 2, "OPS": 1}


def test_malformed_input_writes_nothing(engine: Engine, org: None, tmp_path: Path) -> None:
    pages = jira_pages(tmp_path)
    (pages / "search-page-2.json").write_text('{"issues": [{"key": "OPS-7", "fields": {]}')
    before = database_fingerprint(engine)
    with pytest.raises(TrackerFormatError, match=r"search-page-2\.json:1:\d+: invalid JSON"):
        run(engine, "jira", pages)  # page 1 was read and written inside the transaction first
    assert database_fingerprint(engine) == before


def test_a_long_sprint_list_is_clipped_to_its_column(engine: Engine, org: None, tmp_path: Path) -> None:
    page = json.loads((FIXTURES / "jira" / "search-page-2.json").read_text())
    sprints = ", ".join(f"OPS Sprint {n}" for n in range(1, 80))
    page["issues"][0]["changelog"]["histories"][0]["items"][0]["toString"] = sprints
    path = tmp_path / "page.json"
    path.write_text(json.dumps(page))
    run(engine, "jira", path)
    with transaction(engine) as session:
        (value,) = session.scalars(select(ScheduleChange.to_value))
    assert value is not None and len(value) == 500 and value.endswith("…")


def test_the_import_is_audited(engine: Engine, org: None, session: Session) -> None:
    record = run(engine, "jira", FIXTURES / "jira").record
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "schedule.tracker_import")).one()
    assert (event.actor, event.entity_id) == ("test", str(record.id))
    assert event.after is not None and event.after["changes_added"] == 10


def test_an_import_before_any_org_keeps_everything_unmapped(engine: Engine, session: Session) -> None:
    outcome = run(engine, "jira", FIXTURES / "jira")
    assert outcome.record.unmapped_projects == {"PAY": 2, "OPS": 1}
    assert sum(outcome.record.unknown_actors.values()) == 10


# --- GitHub and Linear ----------------------------------------------------------------------------------------------


def test_a_github_export_maps_logins_and_repos(engine: Engine, org: None, session: Session) -> None:
    outcome = run(engine, "github", FIXTURES / "github")
    counts = outcome.record.counts
    assert (counts["items_read"], counts["items_added"], counts["items_completed"]) == (3, 3, 2)
    assert (counts["changes_read"], counts["changes_added"], counts["changes_already_present"]) == (5, 4, 1)
    assert counts["pull_requests_skipped"] == 1
    assert outcome.warnings == ["1 pull request(s) skipped: only issues are work items"]
    assert outcome.record.unknown_actors == {"octo-outsider": 1}
    assert outcome.record.unmapped_projects == {"acme/website": 1}
    assert changes(session) == {
        "github:acme/payments:9010": ("scope_removed", "2024.03", None, "emone", "em1", "engineering"),
        "github:acme/payments:9011": ("scope_added", None, "2024.04", "emone", "em1", "engineering"),
        "github:acme/payments:9001": ("scope_added", None, "2024.03", "pmone", "pm1", "product"),
        "github:acme/payments:9006": ("scope_removed", "2024.03", None, "octo-outsider", None, None),
    }
    found = tracker_items(session)
    assert found["acme/payments#42"].team_id == payments_id(session)
    assert (found["acme/payments#43"].status, found["acme/payments#43"].completed_at) == ("open", None)


@pytest.mark.parametrize("linear_teams", ["Payments", "eng"])
def test_a_linear_export_maps_by_team_name_or_team_key(engine: Engine, session: Session, linear_teams: str) -> None:
    load_org_with_linear(engine, linear_teams)
    outcome = run(engine, "linear", FIXTURES / "linear" / "issues.csv")
    counts = outcome.record.counts
    assert (counts["items_read"], counts["items_added"], counts["items_completed"]) == (4, 4, 2)
    assert (counts["changes_read"], counts["changes_added"]) == (0, 0)
    assert outcome.record.unmapped_projects == {"Platform": 1}
    payments = payments_id(session)
    assert {k: i.team_id for k, i in tracker_items(session).items()} == {
        "ENG-12": payments,
        "ENG-13": payments,
        "PLT-3": None,
        "ENG-14": payments,
    }


def test_each_identity_is_tried_in_turn(engine: Engine, org: None, tmp_path: Path, session: Session) -> None:
    page = json.loads((FIXTURES / "jira" / "search-page-2.json").read_text())
    author = page["issues"][0]["changelog"]["histories"][0]["author"]
    author.update(emailAddress="pat.old@elsewhere.test", accountId="557058:AA")  # an old e-mail; pm1's account id
    path = tmp_path / "page.json"
    path.write_text(json.dumps(page))
    run(engine, "jira", path)
    assert changes(session)["jira:OPS-7:30001:0"][3:] == ("pat.old@elsewhere.test", "pm1", "product")
