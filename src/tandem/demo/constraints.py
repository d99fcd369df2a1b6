"""Two seeded months of the demo org's constraints boards, as a blockers log, with hidden constraints planted.

Pure: the same org, seed and ``now`` give the same rows. On every team with both leads, both sides post: each
engineer now and then, the product lead once or twice; the counterpart lead acknowledges within a working day
and most are resolved a few days later. Planted, on two teams not in ``avoid`` (``hidden_constraints``):

- ``product_never_posts``: engineers post four constraints, product none — product's constraints stay hidden;
- ``slow_acknowledgement``: both sides post, but the counterpart lead takes about eight working days to respond.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time

import numpy as np

from tandem.constraints.importer import LogRow
from tandem.demo.decisions import _pairs
from tandem.demo.generator import DemoOrg, PlantedProblem

HIDDEN_CONSTRAINTS = "hidden_constraints"
PRODUCT_NEVER_POSTS = "product_never_posts"
SLOW_ACKNOWLEDGEMENT = "slow_acknowledgement"
WINDOW_WORKING_DAYS = 40
_TEXTS = {
    "blocked": ("Waiting on the staging environment", "Blocked on the partner's API keys", "Needs a security review"),
    "overloaded": (
        "On call and two launches this week",
        "Interviewing four days out of five",
        "Too many parallel asks",
    ),
    "uncertain": ("Unclear which pricing model we commit to", "Scope of the beta is still moving", "No owner for SSO"),
}


def _day(now: datetime, back: int) -> date:
    return np.busday_offset(np.datetime64(now.date(), "D"), -back, roll="backward").astype(date)  # type: ignore[no-any-return]


def _later(day: date, working_days: int) -> date:
    return np.busday_offset(np.datetime64(day, "D"), working_days, roll="forward").astype(date)  # type: ignore[no-any-return]


def _at(day: date, rng: random.Random) -> datetime:
    return datetime.combine(day, time(rng.randint(8, 17), rng.randint(0, 59)), UTC)


def generate_constraints(
    org: DemoOrg, seed: int, *, now: datetime, avoid: set[str] | frozenset[str]
) -> tuple[list[LogRow], list[PlantedProblem]]:
    """The blockers log for every team with both leads, and the two planted problems."""
    now = now.replace(tzinfo=UTC) if now.tzinfo is None else now.astimezone(UTC)
    rng = random.Random(f"{seed}:constraints")
    pairs = _pairs(org)
    engineers = {
        pair.team: [p["id"] for p in org.people if p["team"] == pair.team and p["function"] == "engineering"]
        for pair in pairs
    }
    candidates = sorted(pair.team for pair in pairs if pair.team not in avoid and len(engineers[pair.team]) >= 2)
    chosen = rng.sample(candidates, min(2, len(candidates)))
    plants = dict(zip(chosen, (PRODUCT_NEVER_POSTS, SLOW_ACKNOWLEDGEMENT), strict=False))

    rows: list[LogRow] = []
    seen: set[tuple[str, str, datetime]] = set()
    for pair in pairs:
        team_rng = random.Random(f"{seed}:constraints:{pair.team}")
        plant = plants.get(pair.team)
        delay = (7, 9) if plant == SLOW_ACKNOWLEDGEMENT else (0, 1)
        posters = [(e, pair.product) for e in engineers[pair.team] if e != pair.engineering]
        posters = team_rng.sample(posters, min(len(posters), 4 if plant == PRODUCT_NEVER_POSTS else 3))
        if plant != PRODUCT_NEVER_POSTS:
            posters += [(pair.product, pair.engineering)] * team_rng.randint(1, 2)
        for by, counterpart in posters:
            kind = team_rng.choice(sorted(_TEXTS))
            posted = _day(now, team_rng.randint(12, WINDOW_WORKING_DAYS))
            while (pair.team, by, _at(posted, random.Random(f"{seed}:{by}:{posted}"))) in seen:  # one post a day each
                posted = _later(posted, 1)
            posted_at = _at(posted, random.Random(f"{seed}:{by}:{posted}"))
            seen.add((pair.team, by, posted_at))
            acknowledged = _later(posted, team_rng.randint(*delay))
            resolved = _later(acknowledged, team_rng.randint(1, 3)) if team_rng.random() < 0.7 else None
            rows.append(
                LogRow(
                    posted_at=posted_at,
                    team=pair.team,
                    by=by,
                    kind=kind,
                    text=team_rng.choice(_TEXTS[kind]),
                    acknowledged_at=datetime.combine(acknowledged, time(18, 30), UTC),
                    acknowledged_by=counterpart,
                    resolved_at=datetime.combine(resolved, time(19, 0), UTC) if resolved else None,
                )
            )
    rows.sort(key=lambda row: (str(row.posted_at), row.team, row.by))
    return rows, [PlantedProblem(HIDDEN_CONSTRAINTS, team, detail) for team, detail in plants.items()]
