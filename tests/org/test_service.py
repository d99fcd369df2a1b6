"""Applying imports to real databases (SQLite and PostgreSQL): all or nothing, upserts, deactivation."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from conftest import database_fingerprint
from factories import TEAMS_HEADER, person, small_org, small_teams, to_csv
from tandem.db import transaction
from tandem.org.importer import ImportRejectedError
from tandem.org.models import OrgImport, Person, PersonAlias, Team
from tandem.org.service import ImportOutcome, import_org, load_org_snapshot


def run_import(
    engine: Engine, people: list[dict[str, str]], teams: list[dict[str, str]] | None = None, dry_run: bool = False
) -> ImportOutcome:
    with transaction(engine) as session:
        return import_org(
            session,
            people_data=to_csv(people),
            people_file="people.csv",
            teams_data=to_csv(teams, TEAMS_HEADER) if teams is not None else None,
            teams_file="teams.csv" if teams is not None else None,
            imported_by="tester",
            dry_run=dry_run,
        )


def people_by_id(session: Session) -> dict[str, Person]:
    return {p.id: p for p in session.scalars(select(Person))}


def test_a_first_import_creates_people_and_teams(engine: Engine, session: Session) -> None:
    outcome = run_import(engine, small_org(), small_teams())
    assert outcome.plan.counts()["people_created"] == 7
    team = session.scalars(select(Team)).one()
    assert (team.name, team.product_lead_id, team.engineering_lead_id) == ("Payments", "pm1", "em1")
    assert (team.jira_projects, team.github_repos) == (["PAY"], ["acme/payments"])
    assert people_by_id(session)["dev1"].team_id == team.id


def test_each_import_is_recorded_with_who_when_hashes_and_counts(engine: Engine, session: Session) -> None:
    outcome = run_import(engine, small_org(), small_teams())
    record = session.scalars(select(OrgImport)).one()
    assert record.imported_by == "tester"
    assert record.people_sha256 == outcome.org.people_sha256
    assert record.teams_sha256 == outcome.org.teams_sha256
    assert record.counts["people_created"] == 7
    assert record.imported_at.tzinfo is not None


def test_reimport_updates_changed_fields_only(engine: Engine, session: Session) -> None:
    run_import(engine, small_org(), small_teams())
    changed = small_org()
    changed[6]["level"] = "5"
    changed[6]["title"] = "Senior Engineer"
    outcome = run_import(engine, changed, small_teams())
    counts = outcome.plan.counts()
    assert (counts["people_updated"], counts["people_unchanged"], counts["people_created"]) == (1, 6, 0)
    assert outcome.plan.people_updated[0].fields == {"level": (4, 5), "title": (None, "Senior Engineer")}
    dev = people_by_id(session)["dev1"]
    assert (dev.level, dev.title) == (5, "Senior Engineer")


def test_people_absent_from_a_reimport_become_inactive_not_deleted(engine: Engine, session: Session) -> None:
    run_import(engine, small_org(), small_teams())
    outcome = run_import(engine, small_org()[:6], small_teams())
    assert outcome.plan.people_deactivated == ["dev1"]
    people = people_by_id(session)
    assert len(people) == 7
    assert people["dev1"].active is False


def test_a_returning_person_is_reactivated(engine: Engine, session: Session) -> None:
    run_import(engine, small_org(), small_teams())
    run_import(engine, small_org()[:6], small_teams())
    outcome = run_import(engine, small_org(), small_teams())
    assert outcome.plan.people_updated[0].fields == {"active": (False, True)}
    assert people_by_id(session)["dev1"].active is True


def test_an_inactive_persons_email_can_be_taken_by_a_new_record(engine: Engine, session: Session) -> None:
    run_import(engine, small_org(), small_teams())
    rows = [*small_org()[:6], person("dev1-new", "em1", email="dev1@example.com")]
    run_import(engine, rows, small_teams())
    people = people_by_id(session)
    assert (people["dev1"].active, people["dev1-new"].active) == (False, True)


def test_two_people_can_swap_emails_in_one_import(engine: Engine, session: Session) -> None:
    run_import(engine, small_org(), small_teams())
    rows = small_org()
    rows[4]["email"], rows[5]["email"] = rows[5]["email"], rows[4]["email"]
    run_import(engine, rows, small_teams())
    people = people_by_id(session)
    assert (people["pm1"].email, people["em1"].email) == ("em1@example.com", "pm1@example.com")


def test_a_manager_change_to_a_new_person_is_applied(engine: Engine, session: Session) -> None:
    run_import(engine, small_org(), small_teams())
    rows = [*small_org()[:6], person("lead2", "em1", level=5), person("dev1", "lead2", level=4, team="Payments")]
    run_import(engine, rows, small_teams())
    assert people_by_id(session)["dev1"].manager_id == "lead2"


def test_aliases_follow_the_file(engine: Engine, session: Session) -> None:
    run_import(engine, small_org(), small_teams())
    rows = small_org()
    rows[4]["aliases"] = "pmone;pm-new"
    rows[5]["aliases"] = "557058:aa"  # moves from pm1 to em1
    run_import(engine, rows, small_teams())
    aliases = dict(session.execute(select(PersonAlias.alias, PersonAlias.person_id)).all())
    assert aliases == {"pmone": "pm1", "pm-new": "pm1", "557058:aa": "em1"}


def test_aliases_of_people_who_left_are_kept(engine: Engine, session: Session) -> None:
    run_import(engine, small_org(), small_teams())
    run_import(engine, [r for r in small_org() if r["id"] != "em1" and r["manager_id"] != "em1"], None)
    aliases = dict(session.execute(select(PersonAlias.alias, PersonAlias.person_id)).all())
    assert aliases["emone"] == "em1"


def test_a_teams_file_deactivates_teams_it_no_longer_names(engine: Engine, session: Session) -> None:
    teams = [*small_teams(), dict(small_teams()[0], team="Checkout", jira_projects="CHK", github_repos="")]
    run_import(engine, small_org(), teams)
    outcome = run_import(engine, small_org(), small_teams())
    assert outcome.plan.teams_deactivated == ["Checkout"]
    assert {t.name: t.active for t in session.scalars(select(Team))} == {"Payments": True, "Checkout": False}


def test_without_a_teams_file_existing_leads_are_kept(engine: Engine, session: Session) -> None:
    run_import(engine, small_org(), small_teams())
    outcome = run_import(engine, small_org(), None)
    assert outcome.plan.counts()["teams_updated"] == 0
    team = session.scalars(select(Team)).one()
    assert (team.product_lead_id, team.engineering_lead_id) == ("pm1", "em1")


def test_a_lead_who_left_stays_on_the_team_and_shows_as_inactive(engine: Engine, session: Session) -> None:
    run_import(engine, small_org(), small_teams())
    run_import(engine, [r for r in small_org() if r["id"] != "dev1"] + [person("dev1", "gm")], None)
    rows = [r for r in small_org() if r["id"] not in ("em1", "dev1")]
    run_import(engine, rows, None)
    snapshot = load_org_snapshot(session)
    (team,) = snapshot.teams
    assert team.engineering_lead_id == "em1"
    assert snapshot.people["em1"].active is False


def test_a_rejected_import_leaves_the_database_unchanged(engine: Engine) -> None:
    run_import(engine, small_org(), small_teams())
    before = database_fingerprint(engine)
    bad = [*small_org()[:6], person("dev1", "nobody"), person("new", "em1", level=9)]
    with pytest.raises(ImportRejectedError):
        run_import(engine, bad, small_teams())
    assert database_fingerprint(engine) == before


def test_a_dry_run_writes_nothing_but_reports_the_changes(engine: Engine) -> None:
    run_import(engine, small_org(), small_teams())
    before = database_fingerprint(engine)
    outcome = run_import(engine, [*small_org(), person("dev2", "em1")], small_teams(), dry_run=True)
    assert outcome.record is None
    assert [p.id for p in outcome.plan.people_created] == ["dev2"]
    assert database_fingerprint(engine) == before


def test_a_failure_while_writing_rolls_back_the_whole_import(engine: Engine) -> None:
    before = database_fingerprint(engine)
    with pytest.raises(RuntimeError), transaction(engine) as session:
        import_org(session, people_data=to_csv(small_org()), people_file="people.csv", imported_by="t")
        raise RuntimeError("the process died half way")
    assert database_fingerprint(engine) == before


def test_the_snapshot_round_trips_the_org(engine: Engine, session: Session) -> None:
    run_import(engine, small_org(), small_teams())
    snapshot = load_org_snapshot(session)
    assert snapshot.people["pm1"].team == "Payments"
    assert snapshot.people["dev1"].manager_id == "em1"
    assert snapshot.teams[0].product_lead_id == "pm1"


def test_a_move_between_teams_is_shown_by_team_name(engine: Engine, session: Session) -> None:
    run_import(engine, small_org(), small_teams())
    rows = small_org()
    rows[6]["team"] = "Search"
    outcome = run_import(engine, rows, small_teams())
    assert outcome.plan.people_updated[0].fields == {"team": ("Payments", "Search")}
    dev = people_by_id(session)["dev1"]
    assert dev.team is not None and dev.team.name == "Search"


def test_a_team_named_only_by_people_is_created_without_leads_with_a_warning(engine: Engine) -> None:
    rows = [*small_org(), person("dev2", "em1", team="Search")]
    outcome = run_import(engine, rows, small_teams())
    assert [str(w) for w in outcome.plan.warnings] == [
        "people.csv:9:8: team 'Search' is not in teams.csv; it is created without leads"
    ]
    assert "Search" in outcome.plan.teams_created


def test_a_new_team_without_a_teams_file_is_a_warning(engine: Engine) -> None:
    rows = [*small_org(), person("dev2", "em1", team="Search")]
    outcome = run_import(engine, rows, None)
    assert "people.csv:9:8: team 'Search' is new; it is created without leads" in [
        str(w) for w in outcome.plan.warnings
    ]


def test_a_team_left_out_of_a_teams_file_but_named_by_people_keeps_its_leads(engine: Engine, session: Session) -> None:
    teams = [*small_teams(), {"team": "Search", "product_lead": "cpo", "engineering_lead": "cto"}]
    run_import(engine, [*small_org(), person("dev2", "em1", team="Search")], teams)
    outcome = run_import(engine, [*small_org(), person("dev2", "em1", team="Search")], small_teams())
    assert [str(w) for w in outcome.plan.warnings] == [
        "people.csv:9:8: team 'Search' is not in teams.csv; it keeps its current leads"
    ]
    search = session.scalars(select(Team).where(Team.name == "Search")).one()
    assert (search.product_lead_id, search.engineering_lead_id, search.active) == ("cpo", "cto", True)


def test_team_names_match_the_database_whatever_their_case(engine: Engine, session: Session) -> None:
    run_import(engine, small_org(), small_teams())
    rows = small_org()
    for row in rows:
        if row["team"]:
            row["team"] = "payments"
    outcome = run_import(engine, rows, None)
    assert outcome.plan.counts()["teams_created"] == 0
    assert [t.name for t in session.scalars(select(Team))] == ["Payments"]


def test_a_teams_file_can_change_a_teams_case(engine: Engine, session: Session) -> None:
    run_import(engine, small_org(), small_teams())
    run_import(engine, small_org(), [dict(small_teams()[0], team="PAYMENTS")])
    teams = list(session.scalars(select(Team)))
    assert [(t.name, t.active) for t in teams] == [("PAYMENTS", True)]
    assert people_by_id(session)["dev1"].team_id == teams[0].id


def test_an_alias_only_change_counts_as_an_update(engine: Engine) -> None:
    run_import(engine, small_org(), small_teams())
    rows = small_org()
    rows[5]["aliases"] = "emone;em-1"
    outcome = run_import(engine, rows, small_teams())
    assert [(c.key, c.fields) for c in outcome.plan.people_updated] == [("em1", {"aliases": ("emone", "em-1;emone")})]
