"""How fast a year of calendars imports, and how long the overlap part of the walk takes, on a large org.

    python benchmarks/rituals.py [--groups 30] [--teams-per-group 10]

Builds a demo org (about 9 people a team), writes a year of every team's calendar as Google-style ``.ics`` exports
(the demo's generator: daily standups, fortnightly planning, reviews and retros, weekly discovery, incident
reviews, declined instances as overrides), imports them through ``tandem rituals import``'s code path into a fresh
SQLite database (and PostgreSQL when ``TANDEM_TEST_POSTGRES_URL`` names a server), re-imports them (idempotent:
nothing changes), then times, each as the median of three runs: loading the overlap facts, the overlap metrics,
both absence detectors, loading the pressure facts (schedule, decisions, rituals, pulses) and the pressure test.
"""

from __future__ import annotations

import argparse
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, text

from scratch import backends, timed
from tandem.config import Thresholds
from tandem.db import make_engine, transaction
from tandem.demo.generator import generate_org, people_csv, teams_csv
from tandem.demo.rituals import generate_calendars
from tandem.org.service import import_org
from tandem.overlap import analysis, pressure
from tandem.overlap.facts import OverlapFacts, PressureFacts
from tandem.overlap.importer import import_calendar
from tandem.overlap.kinds import KindRules
from tandem.overlap.service import load_overlap_facts, load_pressure_facts

NOW = datetime(2026, 11, 20, 14, tzinfo=UTC)


def run(engine: Engine, label: str, org_args: tuple[int, int]) -> None:
    org = generate_org(seed=11, groups=org_args[0], teams_per_group=org_args[1], plant=False)
    with transaction(engine) as session:
        import_org(
            session,
            people_data=people_csv(org),
            people_file="people.csv",
            teams_data=teams_csv(org),
            teams_file="teams.csv",
            imported_by="bench",
        )
    start = time.perf_counter()
    calendars = generate_calendars(org, 11, now=NOW, avoid=set())
    generated = time.perf_counter() - start
    size = sum(len(data) for data in calendars.files.values())
    rules = KindRules.of()

    def import_all() -> tuple[int, int, int]:
        created = unchanged = attendances = 0
        with transaction(engine) as session:
            for name, data in sorted(calendars.files.items()):
                report = import_calendar(
                    session,
                    data=data,
                    name=name,
                    actor="bench",
                    rules=rules,
                    since=NOW - timedelta(days=365),
                    until=NOW,
                )
                created += report.created
                unchanged += report.unchanged
            attendances = session.execute(text("SELECT count(*) FROM ritual_attendances")).scalar_one()
        return created, unchanged, attendances

    start = time.perf_counter()
    created, _, attendances = import_all()
    first = time.perf_counter() - start
    start = time.perf_counter()
    _, unchanged, _ = import_all()
    again = time.perf_counter() - start
    print(f"[{label}] org: {len(org.people):,} people, {len(org.teams):,} teams; {len(calendars.files)} calendars")
    print(f"[{label}] generate .ics: {generated:.1f} s ({size / 1e6:.1f} MB)")
    print(
        f"[{label}] first import: {first:.1f} s — {created:,} occurrences ({created / first:,.0f}/s), "
        f"{attendances:,} attendances"
    )
    print(f"[{label}] re-import: {again:.1f} s — {unchanged:,} unchanged ({unchanged / again:,.0f}/s)")
    thresholds = Thresholds()

    def load_overlap() -> OverlapFacts:
        with transaction(engine) as session:
            return load_overlap_facts(session, NOW)

    def load_pressure() -> PressureFacts:
        with transaction(engine) as session:
            return load_pressure_facts(session, NOW)

    seconds, overlap = timed(load_overlap)
    print(f"[{label}] load overlap facts: {seconds:.2f} s")
    assert isinstance(overlap, OverlapFacts)
    for name, work in (
        ("overlap metrics", lambda: analysis.team_metrics(overlap, thresholds)),
        ("engineering_absent_from_discovery", lambda: analysis.engineering_absent_from_discovery(overlap, thresholds)),
        ("product_absent_from_delivery", lambda: analysis.product_absent_from_delivery(overlap, thresholds)),
    ):
        seconds, _ = timed(work)
        print(f"[{label}] {name}: {seconds:.2f} s")
    seconds, facts = timed(load_pressure)
    print(f"[{label}] load pressure facts (schedule, decisions, rituals, pulses): {seconds:.2f} s")
    assert isinstance(facts, PressureFacts)
    seconds, compared = timed(lambda: pressure.compare_under_pressure(facts, thresholds))
    assert isinstance(compared, dict)
    print(f"[{label}] pressure test: {seconds:.2f} s ({len(compared)} teams with pressure periods)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--groups", type=int, default=30)
    parser.add_argument("--teams-per-group", type=int, default=10)
    args = parser.parse_args()
    for label, database in backends():
        with database() as url:
            engine = make_engine(url)
            run(engine, label, (args.groups, args.teams_per_group))
            engine.dispose()


if __name__ == "__main__":
    main()
