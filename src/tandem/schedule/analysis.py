"""The schedule findings and metrics: pure functions over ``ScheduleFacts``, no database.

A schedule is joint when a change one function makes is met by the other side within
``silo_answer_working_days``: the counterpart lead's signature on a commitment revision, or a change to the same
tracker item by the counterpart lead (or, when the change was a lead's, by anyone of the counterpart function:
a lead answering an engineer's slip makes both changes joint).
Everything else is a change made alone, and who makes them alone tells the story: product setting dates
engineering never agreed to, or engineering slipping dates product never hears about.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np

from tandem.config import Thresholds
from tandem.memo import remember_last
from tandem.schedule.facts import FUNCTIONS, ChangeFacts, ChangeTable, RevisionFacts, ScheduleFacts, counterpart
from tandem.walk.findings import Finding, Practice, Recommendation, Scope, finding_id, worst_first
from tandem.workdays import span, working_days_between, working_place

MAX_LISTED = 10
"""The most changes a finding's evidence lists, newest first."""
DATE_FIELDS = frozenset({"due_date", "target_date"})
_EPSILON = 1e-9


@dataclass(frozen=True)
class _Change:
    """A tracker change or a commitment revision, judged joint or made alone."""

    item: str
    field: str
    at: datetime
    actor: str
    function: str | None
    source: str
    from_value: str | None
    to_value: str | None
    joint: bool
    kind: str
    """What the change did: date_set, pulled_in, slipped, planned, scope_added, scope_removed, other."""

    def evidence(self) -> dict[str, Any]:
        return {
            "item": self.item,
            "field": self.field,
            "at": self.at.isoformat(),
            "actor": self.actor,
            "function": self.function,
            "source": self.source,
            "from": self.from_value,
            "to": self.to_value,
            "kind": self.kind,
        }


def _as_date(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value.strip()[:10])
    except ValueError:
        return None


_TRAILING_NUMBER = re.compile(r"(\d+)\s*$")


def change_kind(field: str, from_value: str | None, to_value: str | None) -> str:
    """What a change did to the schedule, in the words the evidence uses.

    A date set for the first time is ``date_set``; moved earlier ``pulled_in``; moved later, or cleared, or an
    item carried out of the sprint (or version) it was in, ``slipped``; a first sprint or version ``planned``.
    """
    if field in DATE_FIELDS:
        before, after = _as_date(from_value), _as_date(to_value)
        if before is None:
            return "date_set" if after is not None else "other"
        if after is None or after > before:
            return "slipped"
        return "pulled_in" if after < before else "other"
    if field in ("sprint", "fix_version", "milestone"):
        return "slipped" if from_value else "planned"
    if field in ("scope_added", "scope_removed"):
        return field
    return "other"


def _judged(change: ChangeFacts, joint: bool) -> _Change:
    return _Change(
        item=change.item,
        field=change.field,
        at=change.at,
        actor=change.person_id or change.actor,
        function=change.function,
        source=change.source,
        from_value=change.from_value,
        to_value=change.to_value,
        joint=joint,
        kind=change_kind(change.field, change.from_value, change.to_value),
    )


_FUNCTION_CODES = {function: code for code, function in enumerate(FUNCTIONS)}
"""product 0, engineering 1 (the counterpart of code ``c`` is ``1 - c``); -1 in the arrays for neither."""


@dataclass(frozen=True)
class JudgedTracker:
    """Every tracker change up to ``now``, judged joint or alone once, in columns sorted by team then time: the
    siloed-schedule finding, the schedule metrics and the pressure test count slices of it, and only a finding's
    evidence turns changes back into objects."""

    table: ChangeTable
    order: np.ndarray[Any, np.dtype[np.intp]]
    """Row ``i`` below is row ``order[i]`` of the table."""
    at: np.ndarray[Any, np.dtype[np.float64]]
    """POSIX seconds, for windows."""
    function: np.ndarray[Any, np.dtype[np.int8]]
    joint: np.ndarray[Any, np.dtype[np.bool_]]
    bounds: dict[str, tuple[int, int]]
    """Team -> its rows, ``[start, stop)``."""

    def window(self, team: str, since: datetime | None = None) -> slice:
        """The team's rows from ``since`` (included) on."""
        start, stop = self.bounds.get(team, (0, 0))
        if since is not None:
            start += int(np.searchsorted(self.at[start:stop], since.timestamp(), side="left"))
        return slice(start, stop)

    def alone(self, rows: slice, function: str) -> int:
        return int(np.count_nonzero((self.function[rows] == _FUNCTION_CODES[function]) & ~self.joint[rows]))

    def moments(self, rows: slice) -> list[datetime]:
        return [self.table.at[index] for index in self.order[rows].tolist()]

    def judged(self, rows: slice) -> list[_Change]:
        return [
            _judged(self.table[index], joint)
            for index, joint in zip(self.order[rows].tolist(), self.joint[rows].tolist(), strict=True)
        ]


def joint_answers(
    item: np.ndarray[Any, np.dtype[np.int64]],
    function: np.ndarray[Any, np.dtype[np.int8]],
    by_lead: np.ndarray[Any, np.dtype[np.bool_]],
    day: np.ndarray[Any, np.dtype[np.int64]],
    fraction: np.ndarray[Any, np.dtype[np.float64]],
    answer_days: int,
) -> np.ndarray[Any, np.dtype[np.bool_]]:
    """Per change, whether it was answered: a change by the other function to the same item (``item`` codes) within
    ``answer_days`` working days either way, by that function's lead unless this change was itself a lead's.

    Places on the working-day count (``workdays.working_place``) come as ``day`` and ``fraction``. Each change
    looks only at its nearest possible answer on either side in time (found by binary search in the answers
    sorted by item, function and time), so a year of changes is judged in O(n log n), exactly as
    ``workdays.working_days_between`` would judge each pair.
    """
    joint = np.zeros(len(item), dtype=bool)
    if not len(item):
        return joint
    clock = (day - day.min()) + fraction
    width = float(clock.max()) + 2.0
    """Group codes are spaced this far apart on one axis, so sorting by ``group * width + clock`` sorts by group
    then time."""
    has_function = function >= 0
    for answers, asking in ((has_function, has_function & by_lead), (has_function & by_lead, has_function & ~by_lead)):
        pool = np.flatnonzero(answers)
        askers = np.flatnonzero(asking)
        if not len(pool) or not len(askers):
            continue
        keys = (item[pool] * 2 + function[pool]) * width + clock[pool]
        order = np.argsort(keys, kind="stable")
        pool, keys = pool[order], keys[order]
        wanted = (item[askers] * 2 + (1 - function[askers])) * width + clock[askers]
        position = np.searchsorted(keys, wanted, side="left")
        for neighbour in (position - 1, position):
            inside = (neighbour >= 0) & (neighbour < len(pool))
            other = pool[np.clip(neighbour, 0, len(pool) - 1)]
            same = inside & (item[other] == item[askers]) & (function[other] == 1 - function[askers])
            later = (day[other] > day[askers]) | ((day[other] == day[askers]) & (fraction[other] >= fraction[askers]))
            early, late = np.where(later, askers, other), np.where(later, other, askers)
            apart = span(day[early], fraction[early], day[late], fraction[late])
            joint[askers[same & (apart <= answer_days)]] = True
    return joint


@remember_last
def judged_tracker_changes(facts: ScheduleFacts, answer_days: int) -> JudgedTracker:
    """Every tracker change up to ``now``, judged against the whole history read (an answer the day before a window
    opens still makes a change joint). Judged once per walk: the siloed-schedule finding, the schedule metrics and
    the pressure test all read it."""
    table = ChangeTable.of(facts.changes)
    size = len(table)
    teams: dict[str, int] = {}
    team = np.fromiter((teams.setdefault(name, len(teams)) for name in table.team), np.int64, size)
    at = np.fromiter((moment.timestamp() for moment in table.at), np.float64, size)
    order = np.lexsort((at, team))
    order = order[at[order] <= facts.now.timestamp()]
    items: dict[tuple[str, str], int] = {}
    item = np.fromiter(
        (items.setdefault(key, len(items)) for key in zip(table.team, table.item, strict=True)), np.int64, size
    )
    function = np.fromiter((_FUNCTION_CODES.get(f or "", -1) for f in table.function), np.int8, size)
    leads = facts.leads
    by_lead = np.fromiter(
        (
            person is not None and person == leads.get(name, {}).get(f or "")
            for name, person, f in zip(table.team, table.person_id, table.function, strict=True)
        ),
        bool,
        size,
    )
    places = [working_place(moment) for moment in table.at]
    day = np.fromiter((place for place, _ in places), np.int64, size)
    fraction = np.fromiter((part for _, part in places), np.float64, size)
    del places
    function, at, team = function[order], at[order], team[order]
    joint = joint_answers(item[order], function, by_lead[order], day[order], fraction[order], answer_days)
    names = list(teams)
    starts = np.flatnonzero(np.diff(team, prepend=-1))
    stops = [*starts[1:].tolist(), len(order)] if len(starts) else []
    bounds = {names[team[start]]: (start, stop) for start, stop in zip(starts.tolist(), stops, strict=True)}
    return JudgedTracker(table=table, order=order, at=at, function=function, joint=joint, bounds=bounds)


def _revision_changes(revisions: Sequence[RevisionFacts], answer_days: int, now: datetime) -> list[_Change]:
    judged = []
    previous: dict[int, RevisionFacts] = {}
    for rev in sorted(revisions, key=lambda r: (r.commitment_id, r.number)):
        other = rev.signature(counterpart(rev.initiated_function))
        answered = other.signed_at if other is not None else None
        joint = answered is not None and working_days_between(rev.created_at, answered) <= answer_days
        before = previous.get(rev.commitment_id)
        previous[rev.commitment_id] = rev
        before_date = before.target_date.isoformat() if before else None
        judged.append(
            _Change(
                item=f"commitment {rev.commitment_id}: {rev.title}",
                field="target_date",
                at=rev.created_at,
                actor=rev.initiated_by,
                function=rev.initiated_function,
                source="tandem",
                from_value=before_date,
                to_value=rev.target_date.isoformat(),
                joint=joint,
                kind=change_kind("target_date", before_date, rev.target_date.isoformat()),
            )
        )
    return judged


def changes_made_alone(facts: ScheduleFacts, thresholds: Thresholds) -> list[tuple[str, datetime, bool]]:
    """Every change by product or engineering (tracker changes and commitment revisions up to ``now``), judged as
    the siloed-schedule detector judges them: ``(team, when, made alone)``. The pressure test compares the share
    made alone inside and outside pressure periods."""
    days = thresholds.silo_answer_working_days
    tracker = judged_tracker_changes(facts, days)
    revisions: dict[str, list[RevisionFacts]] = defaultdict(list)
    for rev in facts.revisions:
        if rev.created_at <= facts.now:
            revisions[rev.team].append(rev)
    judged = []
    for team in sorted(set(tracker.bounds) | set(revisions)):
        rows = tracker.window(team)
        judged += [
            (team, moment, not joint)
            for moment, joint, function in zip(
                tracker.moments(rows), tracker.joint[rows].tolist(), tracker.function[rows].tolist(), strict=True
            )
            if function >= 0
        ]
        judged += [
            (team, c.at, not c.joint)
            for c in _revision_changes(revisions[team], days, facts.now)
            if c.function in FUNCTIONS
        ]
    return judged


def _story(function: str, kinds: Counter[str]) -> str:
    """Which of the two stories a one-sided schedule tells, from what the lone changes did."""
    setting = kinds["date_set"] + kinds["pulled_in"] + kinds["scope_added"] + kinds["planned"]
    slipping = kinds["slipped"] + kinds["scope_removed"]
    if function == "product" and setting >= slipping:
        return "product_sets_dates"
    if function == "engineering" and slipping >= setting:
        return "engineering_slips_silently"
    return f"{function}_changes_alone"


STORY_TITLES = {
    "product_sets_dates": "product sets dates and scope that engineering never agreed to",
    "engineering_slips_silently": "engineering slips dates and scope without product hearing of it",
    "product_changes_alone": "product moves the schedule alone",
    "engineering_changes_alone": "engineering moves the schedule alone",
}


def siloed_schedules(facts: ScheduleFacts, thresholds: Thresholds) -> list[Finding]:
    """Teams where one function owns the schedule: the date is theirs, not a commitment both made.

    One finding per team when either holds (``reasons`` in the evidence):

    - ``one_sided_changes``: of the team's schedule changes in the last ``schedule_window_days`` (tracker changes
      and commitment revisions; at least ``silo_min_changes``), one function made ``silo_share`` or more alone —
      the counterpart lead neither signed nor touched the same item within ``silo_answer_working_days``;
    - ``unsigned_commitment``: a commitment in force that the counterpart lead now in the seat never signed (it
      was signed by a predecessor, or by someone who was never the lead).

    Changes by actors no one could match, or by other functions, count in the total but for neither side.
    Severity: ``0.4 + 0.6 * share`` for a one-sided team, at least 0.6 with an unsigned commitment.
    """
    since = facts.now - timedelta(days=thresholds.schedule_window_days)
    tracker = judged_tracker_changes(facts, thresholds.silo_answer_working_days)
    windows = {team: tracker.window(team, since) for team in tracker.bounds}
    revisions_by_team: dict[str, list[RevisionFacts]] = defaultdict(list)
    for rev in facts.revisions:
        revisions_by_team[rev.team].append(rev)
    findings = []
    for team in sorted({team for team, rows in windows.items() if rows.stop > rows.start} | set(revisions_by_team)):
        leads = facts.leads.get(team, {})
        recent_revisions = [r for r in revisions_by_team[team] if since <= r.created_at <= facts.now]
        revised = _revision_changes(recent_revisions, thresholds.silo_answer_working_days, facts.now)
        unsigned = _unsigned_in_force(revisions_by_team[team], leads)
        rows = windows.get(team, slice(0, 0))
        total = rows.stop - rows.start + len(revised)
        alone = {f: tracker.alone(rows, f) + sum(c.function == f and not c.joint for c in revised) for f in FUNCTIONS}
        if not unsigned and not _lone_side(total, alone, thresholds)[2]:
            continue  # counted in columns: only a finding's changes become objects
        finding = _team_silo(team, tracker.judged(rows) + revised, unsigned, thresholds)
        if finding is not None:
            findings.append(finding)
    return sorted(findings, key=worst_first)


def _unsigned_in_force(revisions: Iterable[RevisionFacts], leads: dict[str, str | None]) -> list[dict[str, Any]]:
    unsigned = []
    for rev in revisions:
        if not rev.in_force:
            continue
        for function in FUNCTIONS:
            lead = leads.get(function)
            signature = rev.signature(function)
            if lead is not None and (signature is None or signature.person_id != lead):
                unsigned.append(
                    {
                        "commitment": rev.commitment_id,
                        "title": rev.title,
                        "revision": rev.number,
                        "target_date": rev.target_date.isoformat(),
                        "unsigned_function": function,
                        "current_lead": lead,
                        "signed_by": signature.person_id if signature else None,
                    }
                )
    return unsigned


def _lone_side(total: int, alone: dict[str, int], thresholds: Thresholds) -> tuple[str, dict[str, float], bool]:
    """The function with the larger share of changes made alone, every function's share, and whether the team's
    schedule is one-sided (enough changes, and that share at ``silo_share`` or more)."""
    shares = {f: alone[f] / total if total else 0.0 for f in FUNCTIONS}
    function = max(FUNCTIONS, key=lambda f: (shares[f], f == "product"))
    return (
        function,
        shares,
        total >= thresholds.silo_min_changes and shares[function] + _EPSILON >= thresholds.silo_share,
    )


def _team_silo(
    team: str, judged: list[_Change], unsigned: list[dict[str, Any]], thresholds: Thresholds
) -> Finding | None:
    total = len(judged)
    alone = {f: [c for c in judged if c.function == f and not c.joint] for f in FUNCTIONS}
    made = {f: sum(1 for c in judged if c.function == f) for f in FUNCTIONS}
    function, shares, one_sided = _lone_side(total, {f: len(alone[f]) for f in FUNCTIONS}, thresholds)
    if not one_sided and not unsigned:
        return None
    reasons = (["one_sided_changes"] if one_sided else []) + (["unsigned_commitment"] if unsigned else [])
    kinds = {f: Counter(c.kind for c in alone[f]) for f in FUNCTIONS}
    story = _story(function, kinds[function]) if one_sided else None
    severity = 0.4 + 0.6 * shares[function] if one_sided else 0.0
    if unsigned:
        severity = max(severity, 0.6)
    if story is not None:
        title = f"{team}: {STORY_TITLES[story]} ({len(alone[function])} of {total} schedule changes made alone)"
    else:
        title = f"{team}: a commitment is in force that the {unsigned[0]['unsigned_function']} lead never signed"
    lone = sorted(alone[function] if one_sided else [], key=lambda c: c.at, reverse=True)
    step = {
        "product_sets_dates": (
            "Before a date goes into the tracker, have engineering estimate the scope and sign the commitment in "
            "Tandem; product ranks, engineering estimates, both sign."
        ),
        "engineering_slips_silently": (
            "Make every slip a commitment revision the product lead signs within two working days, with the "
            "reason: a moved date is a decision both make, not news product discovers."
        ),
    }.get(
        story or "",
        "Bring every date and scope change to both leads: a change one side makes alone is a broken commitment.",
    )
    if unsigned:
        step += " Have the current leads re-sign (or revise) every commitment in force that one of them never signed."
    return Finding(
        id=finding_id("siloed_schedule", f"team:{team}"),
        kind="siloed_schedule",
        practice=Practice.JOINT_SCHEDULE,
        severity=round(min(1.0, severity), 3),
        title=title,
        scope=Scope(teams=[team]),
        evidence={
            "reasons": reasons,
            "story": story,
            "function": function if one_sided else None,
            "changes_in_window": total,
            "window_days": thresholds.schedule_window_days,
            "alone_share": round(shares[function], 4) if total else None,
            "by_function": {
                f: {"changes": made[f], "alone": len(alone[f]), **dict(sorted(kinds[f].items()))} for f in FUNCTIONS
            },
            "unattributed": sum(1 for c in judged if c.function not in FUNCTIONS),
            "changes": [c.evidence() for c in lone[:MAX_LISTED]],
            "unsigned_commitments": unsigned,
            "threshold_share": thresholds.silo_share,
            "threshold_min_changes": thresholds.silo_min_changes,
            "threshold_answer_working_days": thresholds.silo_answer_working_days,
        },
        recommendation=Recommendation(practice=Practice.JOINT_SCHEDULE, step=step),
    )


# --- unrealistic commitments --------------------------------------------------------------------------------------


def unrealistic_commitments(facts: ScheduleFacts, thresholds: Thresholds) -> list[Finding]:
    """Commitments in force whose date was earlier than the forecast's P50 when they were signed.

    "When they were signed" is the signature that put the revision in force (the later of the two): the P50 it
    recorded, from the plan's estimates or the team's throughput. Better than even odds of missing the date was
    known on the day both leads promised it. Severity ``min(1, 0.5 + gap / 40)`` with the gap in working days.
    """
    findings = []
    for rev in facts.revisions:
        if not rev.in_force or not rev.signatures:
            continue
        sealing = max(rev.signatures, key=lambda s: s.signed_at)
        if sealing.forecast_p50 is None or rev.target_date >= sealing.forecast_p50:
            continue
        gap = int(np.busday_count(rev.target_date, sealing.forecast_p50))
        findings.append(
            Finding(
                id=finding_id("unrealistic_commitment", f"commitment:{rev.commitment_id}:{rev.number}"),
                kind="unrealistic_commitment",
                practice=Practice.JOINT_SCHEDULE,
                severity=round(min(1.0, 0.5 + gap / 40), 3),
                title=(
                    f"{rev.team}: '{rev.title}' was promised for {rev.target_date.isoformat()}, "
                    f"{gap} working day{'s' if gap != 1 else ''} before its forecast P50"
                ),
                scope=Scope(teams=[rev.team], people=sorted({s.person_id for s in rev.signatures})),
                evidence={
                    "commitment": rev.commitment_id,
                    "revision": rev.number,
                    "target_date": rev.target_date.isoformat(),
                    "confidence": rev.confidence,
                    "scope_items": rev.scope_size,
                    "signed_at": sealing.signed_at.isoformat(),
                    "forecast_p50_at_signing": sealing.forecast_p50.isoformat(),
                    "forecast_method": sealing.forecast_method,
                    "gap_working_days": gap,
                    "signatures": [
                        {"function": s.function, "person": s.person_id, "signed_at": s.signed_at.isoformat()}
                        for s in rev.signatures
                    ],
                },
                recommendation=Recommendation(
                    practice=Practice.JOINT_SCHEDULE,
                    step=(
                        "Re-plan together: product cuts scope to the forecast's cut line at the committed "
                        "confidence, or both sign a later date; a date below the P50 is a coin flip lost in advance."
                    ),
                ),
            )
        )
    return sorted(findings, key=worst_first)


# --- metrics ----------------------------------------------------------------------------------------------------


def team_metrics(facts: ScheduleFacts, thresholds: Thresholds) -> dict[str, dict[str, float | int | None]]:
    """Per team: schedule changes in the window, the share each function made alone, commitments in force."""
    since = facts.now - timedelta(days=thresholds.schedule_window_days)
    figures: dict[str, dict[str, float | int | None]] = {}
    tracker = judged_tracker_changes(facts, thresholds.silo_answer_working_days)
    revisions_by_team: dict[str, list[RevisionFacts]] = defaultdict(list)
    for rev in facts.revisions:
        revisions_by_team[rev.team].append(rev)
    teams = sorted(set(ChangeTable.of(facts.changes).team) | set(revisions_by_team))
    for team in teams:
        revisions = revisions_by_team[team]
        rows = tracker.window(team, since)
        revised = _revision_changes(
            [r for r in revisions if since <= r.created_at <= facts.now], thresholds.silo_answer_working_days, facts.now
        )
        total = rows.stop - rows.start + len(revised)
        joint = int(np.count_nonzero(tracker.joint[rows])) + sum(c.joint for c in revised)
        alone = {f: tracker.alone(rows, f) + sum(c.function == f and not c.joint for c in revised) for f in FUNCTIONS}
        figures[team] = {
            "schedule_changes": total,
            "joint_share": round(joint / total, 4) if total else None,
            **{f"{f}_alone_share": (round(alone[f] / total, 4) if total else None) for f in FUNCTIONS},
            "commitments_in_force": sum(r.in_force for r in revisions),
        }
    return figures
