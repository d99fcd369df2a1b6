"""A seeded year of trust pulses for the demo org, in the ``tandem pulse import`` format, with problems planted.

Pure: the same org, seed and ``now`` give the same CSV. Every team with both leads answers a pulse every ten
working days for a year; its product and engineering people all answer (``respondent`` is their person id, which
the import hashes and never stores). Each person's answers are their own but steady from pulse to pulse, so a
healthy team shows no trend at all. Planted, on teams not in ``avoid``:

- ``trust_breakdown`` / ``low_trust_in_product``: a team with at least five engineers whose engineers rate product
  about 3.4 of 7;
- ``trust_asymmetry`` / ``product_trusts_engineering_more``: every team under one accountable manager (with five or
  more product people between them, so the pooled group can be shown; it may hold teams with other kinds of
  problems): product rates engineering 6, engineering rates product about 4.6 — a gap, not a breakdown.
"""

from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

import numpy as np

from tandem.demo.decisions import _pairs
from tandem.demo.generator import DemoOrg, PlantedProblem
from tandem.trust.instrument import DEFAULT_INSTRUMENT

TRUST_BREAKDOWN = "trust_breakdown"
TRUST_ASYMMETRY = "trust_asymmetry"
PULSES = 25
EVERY_WORKING_DAYS = 10
MIN_GROUP = 5


@dataclass(frozen=True)
class DemoPulses:
    csv: str
    planted: list[PlantedProblem]
    affected_teams: list[str]
    """Teams some planted trust finding names (a pooled asymmetry names every team of its group)."""


def _day(now: datetime, back: int) -> date:
    return np.busday_offset(np.datetime64(now.date(), "D"), -back, roll="backward").astype(date)  # type: ignore[no-any-return]


def _poolable(group: list[str], members: dict[str, dict[str, list[str]]]) -> bool:
    """Whether the privacy gate can show this group pooled once its small engineering teams stay silent (see
    ``_silent``): five or more product people in all, and some team with enough engineers to be shown."""
    product = sum(len(members[t]["product"]) for t in group)
    return len(group) >= 2 and product >= MIN_GROUP and any(len(members[t]["engineering"]) >= MIN_GROUP for t in group)


def _silent(team: str, function: str, asymmetric: set[str], members: dict[str, dict[str, list[str]]]) -> bool:
    """In the asymmetric group, engineers of teams too small to be shown alone do not answer: were they counted
    in the pool, pool minus the teams shown alone would single them out, and the gate would (rightly) refuse
    the pool. A group whose small teams stay quiet is common enough."""
    return team in asymmetric and function == "engineering" and len(members[team][function]) < MIN_GROUP


def generate_pulses(
    org: DemoOrg, seed: int, *, now: datetime, managers: dict[str, str | None], avoid: set[str] | frozenset[str]
) -> DemoPulses:
    """The answers CSV; ``managers`` maps each team to its accountable manager (the pooling unit)."""
    now = now.replace(tzinfo=UTC) if now.tzinfo is None else now.astimezone(UTC)
    rng = random.Random(f"{seed}:trust")
    teams = [pair.team for pair in _pairs(org)]
    members: dict[str, dict[str, list[str]]] = {team: {"product": [], "engineering": []} for team in teams}
    for person in org.people:
        if person["team"] in members and person["function"] in ("product", "engineering"):
            members[person["team"]][person["function"]].append(person["id"])

    groups: dict[str, list[str]] = {}
    for team in teams:
        manager = managers.get(team)
        if manager is not None:
            groups.setdefault(manager, []).append(team)
    eligible = sorted(
        (manager for manager, group in groups.items() if _poolable(group, members)),
        key=lambda m: (-len(groups[m]), m),
    )  # fmt: skip
    asymmetric = set(groups[eligible[0]]) if eligible else set()
    candidates = sorted(
        team
        for team in teams
        if team not in avoid and team not in asymmetric and len(members[team]["engineering"]) >= 6
    )
    broken = rng.choice(candidates) if candidates else None

    planted = []
    if broken:
        planted.append(PlantedProblem(TRUST_BREAKDOWN, broken, "low_trust_in_product"))
    if asymmetric:
        anchor = sorted(asymmetric)[0]
        planted.append(PlantedProblem(TRUST_ASYMMETRY, anchor, f"product_trusts_engineering_more:{eligible[0]}"))

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["submitted_at", "team", "function", "item", "score", "respondent", "pulse"])
    items = DEFAULT_INSTRUMENT.item_ids
    for team in teams:
        for function, people in members[team].items():
            if _silent(team, function, asymmetric, members):
                continue
            for person_id in people:
                choices: tuple[int, ...]
                if team == broken and function == "engineering":
                    choices = (3, 3, 4)
                elif team in asymmetric:
                    choices = (6,) if function == "product" else (4, 5, 5)
                else:
                    choices = (5, 6, 6, 7)
                person_rng = random.Random(f"{seed}:trust:{person_id}")
                baseline = person_rng.choice(choices)  # one view of the other side, worded five ways: items agree
                answers = {item: min(7, max(1, baseline + person_rng.choice((-1, 0, 0, 0, 1)))) for item in items}
                for pulse in range(PULSES):
                    day = _day(now, 2 + EVERY_WORKING_DAYS * pulse)
                    moment = datetime.combine(day, time(9 + rng.randint(0, 7), rng.randint(0, 59)), UTC)
                    stamp = moment.isoformat().replace("+00:00", "Z")
                    writer.writerows(
                        [stamp, team, function, item, answers[item], person_id, day.isoformat()] for item in items
                    )
    return DemoPulses(
        csv=buffer.getvalue(),
        planted=planted,
        affected_teams=sorted(asymmetric | ({broken} if broken else set())),
    )
