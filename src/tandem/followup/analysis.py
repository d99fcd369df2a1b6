"""Comparing two walks, pure: what became of each finding, of each action, and of each team's scores.

A finding's id is stable across runs (``finding_id(kind, subject)``), so two reports are compared by id: a finding
only in the current walk is ``new``; one in both is ``persisting`` when its severity moved by at most
``TOLERANCE``, else ``improved`` (it fell) or ``worsened`` (it rose); one only in the previous walk is ``resolved``.
Nothing here reads the database: the reports and the actions come in as plain data.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, Field

from tandem.walk.findings import Finding, Practice, Scorecard, WalkReport

TOLERANCE = 0.05
"""A severity that moved by at most this much is the same finding persisting, not improved or worsened."""


class ActionStatus(StrEnum):
    OPEN = "open"
    DONE = "done"
    DROPPED = "dropped"


class FindingStatus(StrEnum):
    NEW = "new"
    PERSISTING = "persisting"
    IMPROVED = "improved"
    WORSENED = "worsened"
    RESOLVED = "resolved"


ARROWS: dict[FindingStatus, str] = {
    FindingStatus.NEW: "+",
    FindingStatus.PERSISTING: "=",
    FindingStatus.IMPROVED: "↓",
    FindingStatus.WORSENED: "↑",
    FindingStatus.RESOLVED: "✓",
}
"""How the text report marks each status (severity down is better)."""


def status_of(previous: float | None, current: float | None) -> FindingStatus:
    """A finding's status from its severity in the previous and the current walk (``None``: not in that walk)."""
    if previous is None and current is None:
        raise ValueError("a finding must be in at least one of the two walks")
    if previous is None:
        return FindingStatus.NEW
    if current is None:
        return FindingStatus.RESOLVED
    change = round(current - previous, 9)  # 0.75 - 0.70 is 0.05000000000000004 in floating point
    if change < -TOLERANCE:
        return FindingStatus.IMPROVED
    if change > TOLERANCE:
        return FindingStatus.WORSENED
    return FindingStatus.PERSISTING


@dataclass(frozen=True)
class ActionFacts:
    """An action as the comparison needs it."""

    id: int
    finding_id: str
    title: str
    team: str | None
    owner: str
    owner_name: str
    due: date
    status: ActionStatus
    created_at: datetime
    closed_at: datetime | None = None


class WalkRef(BaseModel):
    """One side of the comparison."""

    label: str = Field(description='What it is: "snapshot 3", a file name, or "this walk".')
    snapshot_id: int | None = Field(None, description="The saved snapshot, if it is one.")
    generated_at: datetime


class FindingChange(BaseModel):
    id: str
    kind: str
    practice: Practice
    title: str = Field(description="The current title, or the previous one for a resolved finding.")
    teams: list[str]
    status: FindingStatus
    previous_severity: float | None
    current_severity: float | None
    change: float | None = Field(description="current - previous severity, when it is in both walks.")


class ActionOutcome(BaseModel):
    id: int
    finding_id: str
    title: str
    team: str | None
    owner: str
    owner_name: str
    due: date
    status: ActionStatus
    overdue: bool = Field(description="Still open after its due date (as of the current walk).")
    finding_status: FindingStatus | None = Field(
        description="What became of its finding between the two walks; null when it was in neither."
    )
    finding_resolved: bool = Field(description="Its finding is not in the current walk: it went away.")


class ScoreChange(BaseModel):
    previous: int | None
    current: int | None
    delta: int | None = Field(description="current - previous; null when either is missing.")


class Comparison(BaseModel):
    """Two walks compared: ``tandem walk --compare`` prints it, and adds it to the JSON as ``comparison``."""

    previous: WalkRef
    current: WalkRef
    counts: dict[FindingStatus, int] = Field(description="Findings per status; every status is present.")
    findings: list[FindingChange] = Field(
        description="The current walk's findings worst first, then the resolved ones, worst first."
    )
    actions: list[ActionOutcome] = Field(
        description="Every action live between the two walks: open, or closed or taken since the previous one."
    )
    scorecards: dict[str, dict[str, ScoreChange]] = Field(
        description="Per team, per practice and overall: the score in each walk and the change."
    )


def _change(finding: Finding, status: FindingStatus, previous: float | None, current: float | None) -> FindingChange:
    return FindingChange(
        id=finding.id,
        kind=finding.kind,
        practice=finding.practice,
        title=finding.title,
        teams=list(finding.scope.teams),
        status=status,
        previous_severity=previous,
        current_severity=current,
        change=round(current - previous, 3) if previous is not None and current is not None else None,
    )


def finding_changes(previous: Sequence[Finding], current: Sequence[Finding]) -> list[FindingChange]:
    """Each finding of either walk with its status: the current ones in their order, then the resolved ones."""
    before = {f.id: f for f in previous}
    now = {f.id for f in current}
    changes = []
    for finding in current:
        old = before.get(finding.id)
        was = old.severity if old is not None else None
        changes.append(_change(finding, status_of(was, finding.severity), was, finding.severity))
    for finding in previous:
        if finding.id not in now:
            changes.append(_change(finding, FindingStatus.RESOLVED, finding.severity, None))
    return changes


def _live_between(action: ActionFacts, start: datetime, end: datetime) -> bool:
    """Taken by the end of the interval and not closed before its start."""
    return action.created_at <= end and (action.closed_at is None or action.closed_at >= start)


def action_outcomes(
    actions: Iterable[ActionFacts], changes: Sequence[FindingChange], start: datetime, end: datetime
) -> list[ActionOutcome]:
    """The actions live between two walks, each with what became of its finding; open ones first, by due date."""
    status = {change.id: change.status for change in changes}
    current = {change.id for change in changes if change.status is not FindingStatus.RESOLVED}
    outcomes = [
        ActionOutcome(
            id=action.id,
            finding_id=action.finding_id,
            title=action.title,
            team=action.team,
            owner=action.owner,
            owner_name=action.owner_name,
            due=action.due,
            status=action.status,
            overdue=action.status is ActionStatus.OPEN and action.due < end.date(),
            finding_status=status.get(action.finding_id),
            finding_resolved=action.finding_id not in current,
        )
        for action in actions
        if _live_between(action, start, end)
    ]
    return sorted(outcomes, key=lambda o: (o.status is not ActionStatus.OPEN, o.due, o.id))


def _scores(card: Scorecard | None) -> dict[str, int | None]:
    if card is None:
        return {}
    return {**{practice.value: score for practice, score in card.scores.items()}, "overall": card.overall}


def scorecard_changes(previous: Sequence[Scorecard], current: Sequence[Scorecard]) -> dict[str, dict[str, ScoreChange]]:
    """Per team (of either walk), per practice and ``overall``: both scores and the change; a missing score (no
    evidence, or the team not in that walk) stays ``None`` and so does its change."""
    before = {card.team: card for card in previous}
    after = {card.team: card for card in current}
    order = [*(p.value for p in Practice), "overall"]
    changes: dict[str, dict[str, ScoreChange]] = {}
    for team in sorted(before.keys() | after.keys()):
        old, new = _scores(before.get(team)), _scores(after.get(team))
        keys = sorted(old.keys() | new.keys(), key=order.index)
        changes[team] = {}
        for key in keys:
            was, now = old.get(key), new.get(key)
            delta = now - was if was is not None and now is not None else None
            changes[team][key] = ScoreChange(previous=was, current=now, delta=delta)
    return changes


def compare(
    previous: WalkReport,
    current: WalkReport,
    *,
    previous_ref: WalkRef | None = None,
    current_ref: WalkRef | None = None,
    actions: Iterable[ActionFacts] = (),
) -> Comparison:
    """Compare two walks: every finding's status, the actions live between them, the scorecards' changes."""
    changes = finding_changes(previous.findings, current.findings)
    counts = dict.fromkeys(FindingStatus, 0)
    for change in changes:
        counts[change.status] += 1
    return Comparison(
        previous=previous_ref or WalkRef(label="the previous walk", generated_at=previous.generated_at),
        current=current_ref or WalkRef(label="this walk", generated_at=current.generated_at),
        counts=counts,
        findings=changes,
        actions=action_outcomes(actions, changes, previous.generated_at, current.generated_at),
        scorecards=scorecard_changes(previous.scorecards, current.scorecards),
    )
