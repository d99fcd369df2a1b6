"""How fast an org imports: people/second for a first import and a re-import, on SQLite and PostgreSQL.

    python benchmarks/org_import.py [--people 100000]

The org comes from the demo generator (about ten people a team). PostgreSQL is measured when
TANDEM_TEST_POSTGRES_URL names a server; the benchmark creates and drops its own database there.
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager

from sqlalchemy import Engine

from scratch import backends
from tandem.db import make_engine, transaction
from tandem.demo.generator import DemoOrg, generate_org, people_csv, teams_csv
from tandem.org.importer import read_org
from tandem.org.service import import_org


def org_of_about(people: int) -> DemoOrg:
    """A demo org of roughly ``people`` people: groups of 10 teams, about 91 people a group."""
    return generate_org(seed=11, groups=max(1, round(people / 91.3)), teams_per_group=10)


def changed_copy(org: DemoOrg) -> list[dict[str, str]]:
    """1% of people change level and title, 1% leave (leaves of the tree only, so no one loses a manager)."""
    rng = random.Random(5)
    managers = {row["manager_id"] for row in org.people}
    leads = {row[k] for row in org.teams for k in ("product_lead", "engineering_lead", "accountable_manager")}
    leaves = [row["id"] for row in org.people if row["id"] not in managers and row["id"] not in leads]
    leaving = set(rng.sample(leaves, len(org.people) // 100))
    rows = []
    for row in org.people:
        if row["id"] in leaving:
            continue
        if rng.random() < 0.01:
            row = dict(row, level=str(int(row["level"]) + 1), title=row["title"] + " (promoted)")
        rows.append(row)
    return rows


@contextmanager
def engine_of(database: Callable[[], AbstractContextManager[str]]) -> Iterator[Engine]:
    with database() as url:
        engine = make_engine(url)
        yield engine
        engine.dispose()


def timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def run_import(engine: Engine, people: bytes, teams: bytes) -> None:
    with transaction(engine) as session:
        import_org(
            session,
            people_data=people,
            people_file="people.csv",
            teams_data=teams,
            teams_file="teams.csv",
            imported_by="benchmark",
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, default=100_000)
    args = parser.parse_args()

    started = time.perf_counter()
    org = org_of_about(args.people)
    people, teams = people_csv(org), teams_csv(org)
    changed = people_csv(DemoOrg(changed_copy(org), org.teams, org.planted, org.healthy_teams, org.seed))
    count = len(org.people)
    print(
        f"org: {count:,} people, {len(org.teams):,} teams ({len(people) / 1e6:.1f} MB CSV), "
        f"generated in {time.perf_counter() - started:.1f} s"
    )
    validate = timed(lambda: read_org(people, "people.csv", teams, "teams.csv"))
    print(f"{'validate only (no database)':<30} {validate:7.2f} s {count / validate:>10,.0f} people/s")

    found = backends()
    print(f"{'backend / step':<30} {'seconds':>9} {'people/s':>10}")
    for name, database in found:
        with engine_of(database) as engine:
            first = timed(lambda: run_import(engine, people, teams))
            again = timed(lambda: run_import(engine, people, teams))
            upsert = timed(lambda: run_import(engine, changed, teams))
        steps = (("first import", first), ("re-import, unchanged", again), ("re-import, 1% changed", upsert))
        for step, seconds in steps:
            print(f"{name + ': ' + step:<30} {seconds:7.2f} s {count / seconds:>10,.0f}")


if __name__ == "__main__":
    main()
