"""How long the trust part of the walk takes on a large org: loading pulses, the privacy gate, the detectors.

    python benchmarks/trust_walk.py [--groups 30] [--teams-per-group 10]

Builds a demo org (about 9 people a team), imports a year of fortnightly pulses for every team through
``tandem pulse import``'s code path into a fresh SQLite database, then times, each as the median of three runs:
loading the facts, ``trust_metrics`` (every figure through the gate), ``trust_breakdown`` and ``trust_asymmetry``.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from scratch import timed
from tandem.db import make_engine, transaction, upgrade
from tandem.demo.generator import generate_org, people_csv, teams_csv
from tandem.demo.trust import generate_pulses
from tandem.org.service import import_org
from tandem.trust import analysis, service
from tandem.trust.facts import TrustFacts, TrustThresholds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--groups", type=int, default=30)
    parser.add_argument("--teams-per-group", type=int, default=10)
    args = parser.parse_args()
    org = generate_org(seed=11, groups=args.groups, teams_per_group=args.teams_per_group, plant=False)
    now = datetime(2026, 11, 20, 14, tzinfo=UTC)
    with tempfile.TemporaryDirectory() as directory:
        engine = make_engine(f"sqlite:///{Path(directory) / 'bench.db'}")
        upgrade(engine)
        with transaction(engine) as session:
            import_org(
                session,
                people_data=people_csv(org),
                people_file="people.csv",
                teams_data=teams_csv(org),
                teams_file="teams.csv",
                imported_by="bench",
            )
            managers = {team: chain[0] if chain else None for team, chain in service.manager_chains(session).items()}
        pulses = generate_pulses(org, 11, now=now, managers=managers, avoid=set())
        start = time.perf_counter()
        with transaction(engine) as session:
            report = service.import_answers(session, pulses.csv.encode(), name="pulses.csv", actor_label="bench")
        imported = time.perf_counter() - start
        print(
            f"org: {len(org.people):,} people, {len(org.teams):,} teams; {report.pulses_created:,} pulses, "
            f"{report.responses:,} responses, {report.answers:,} answers"
        )
        print(f"import (pulse import path): {imported:.1f} s ({report.answers / imported:,.0f} answers/s)")
        thresholds = TrustThresholds()

        def load() -> object:
            with transaction(engine) as session:
                return service.load_trust_facts(session)

        seconds, facts = timed(load)
        print(f"load facts: {seconds:.2f} s")
        assert isinstance(facts, TrustFacts)
        for name, work in (
            ("trust_metrics (every figure through the gate)", lambda: analysis.trust_metrics(facts, thresholds)),
            ("trust_breakdown", lambda: analysis.trust_breakdown(facts, thresholds)),
            ("trust_asymmetry", lambda: analysis.trust_asymmetry(facts, thresholds)),
        ):
            seconds, result = timed(work)
            size = len(result) if isinstance(result, (list, dict)) else 0
            print(f"{name}: {seconds:.2f} s ({size} results)")
        engine.dispose()


if __name__ == "__main__":
    main()
