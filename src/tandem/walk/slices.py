"""Walking a part of the org: the teams under a person, or named teams, and the walk report cut down to them.

The walk always runs over the whole org — trust figures are gated over the whole catalogue, org medians and pools
need every team — and a slice keeps what concerns its teams: the findings whose scope names one of them, their
metrics, scorecards and model pairs. Org-wide findings (the senior leaders' alignment) are kept only when the
slice's root is an ancestor of both senior leaders, i.e. the slice is the whole top of the org.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from tandem.org.models import Person, Team
from tandem.walk.findings import WalkReport


def teams_under(
    root: str,
    managers: Mapping[str, str | None],
    leads: Mapping[str, tuple[str | None, str | None]],
    members: Mapping[str, Iterable[str]] = {},
) -> set[str]:
    """The teams in ``root``'s part of the org: a team is under a person when either lead reports to them
    (directly or not), is them, or the person is a member of it. ``managers`` maps person -> their manager."""

    def below(person: str | None) -> bool:
        seen = set()
        while person is not None and person not in seen:
            if person == root:
                return True
            seen.add(person)
            person = managers.get(person)
        return False

    found = {team for team, (product, engineering) in leads.items() if below(product) or below(engineering)}
    found |= {team for team, people in members.items() if root in set(people)}
    return found


def restrict(report: WalkReport, teams: set[str], *, keep_org_wide: bool = False) -> WalkReport:
    """The report cut down to ``teams`` (see the module docstring)."""
    findings = [f for f in report.findings if set(f.scope.teams) & teams or (keep_org_wide and not f.scope.teams)]
    metrics = {
        domain: {team: figures for team, figures in by_team.items() if team in teams}
        for domain, by_team in report.metrics.items()
    }
    return report.model_copy(
        update={
            "findings": findings,
            "metrics": metrics,
            "scorecards": [card for card in report.scorecards if card.team in teams],
            "model_pairs": [pair for pair in report.model_pairs if pair.team in teams],
        }
    )


def slice_of(session: Session, *, under: str | None = None, team_names: Iterable[str] = ()) -> tuple[set[str], bool]:
    """The active teams a slice names — those under a person (by id) and/or named ones — and whether org-wide
    findings belong to it (the person is a root of the org). Raises ``LookupError`` with a clear message for an
    unknown person or team."""
    names = {name.casefold(): name for name in session.scalars(select(Team.name).where(Team.active))}
    chosen: set[str] = set()
    for name in team_names:
        if name.casefold() not in names:
            raise LookupError(f"no active team is called {name}")
        chosen.add(names[name.casefold()])
    keep_org_wide = False
    if under is not None:
        person = session.get(Person, under)
        if person is None:
            raise LookupError(f"no one in the org is {under}")
        managers = {pid: manager for pid, manager in session.execute(select(Person.id, Person.manager_id))}  # noqa: C416
        leads = {
            name: (product, engineering)
            for name, product, engineering in session.execute(
                select(Team.name, Team.product_lead_id, Team.engineering_lead_id).where(Team.active)
            )
        }
        members: dict[str, list[str]] = {}
        for pid, team in session.execute(
            select(Person.id, Team.name).join(Team, Team.id == Person.team_id).where(Person.active)
        ):
            members.setdefault(team, []).append(pid)
        chosen |= teams_under(person.id, managers, leads, members)
        keep_org_wide = person.manager_id is None
    return chosen, keep_org_wide
