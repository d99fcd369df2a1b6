"""What every rendering of the walk shows first and last, from the ``WalkReport`` alone (pure, no database):

the executive summary (findings per practice, the worst findings, the model pairs, the practices with the lowest
median team score) and the scorecards as table cells, a missing score shown as "—", never as healthy.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass

from tandem.walk.findings import Finding, ModelPair, Practice, Scorecard, WalkReport, worst_first
from tandem.walk.report import by_practice

TOP_FINDINGS = 5
"""How many findings the executive summary names, worst first."""
WHY_IN_SUMMARY = 2
"""How many of a model pair's ``why`` lines the executive summary quotes (the model pairs section has them all)."""
LOWEST_PRACTICES = 3
MISSING = "—"
"""A score the walk had no evidence for: shown as missing, never as healthy."""

SHORT_TITLES: dict[Practice, str] = {
    Practice.EQUAL_POWER: "Equal power",
    Practice.TRUST: "Trust",
    Practice.COMMON_MANAGER: "Common manager",
    Practice.SHARED_GOAL: "Shared goal",
    Practice.JOINT_SCHEDULE: "Joint schedule",
    Practice.OVERLAP: "Overlap",
    Practice.ONE_TEAM: "One team",
    Practice.RELATIONSHIPS: "Relationships",
}
"""Column headings for the scorecards and the heatmap, where the practices' full titles do not fit."""


def counts_by_practice(report: WalkReport) -> list[tuple[Practice, int]]:
    """Every practice with its number of findings: those with findings as ``by_practice`` orders them, then the
    others (none) in the practices' order."""
    counted = [(practice, len(findings)) for practice, findings in by_practice(report)]
    seen = {practice for practice, _ in counted}
    return counted + [(practice, 0) for practice in Practice if practice not in seen]


def top_findings(report: WalkReport, count: int = TOP_FINDINGS) -> list[Finding]:
    return sorted(report.findings, key=worst_first)[:count]


def teams_of(finding: Finding) -> str:
    """The teams a finding is about, or ``org-wide`` for a finding about the org as a whole."""
    return ", ".join(finding.scope.teams) or "org-wide"


@dataclass(frozen=True)
class PracticeMedian:
    """A practice's median score over the teams with evidence for it, and how many teams had none."""

    practice: Practice
    median: float
    mean: float
    teams: int
    missing: int

    def describe(self) -> str:
        without = f", {self.missing} without evidence" if self.missing else ""
        teams = f"{self.teams} team{'s' if self.teams != 1 else ''}"
        return f"median {self.median:g} (mean {self.mean:g}) over {teams}{without}"


def practice_medians(scorecards: list[Scorecard]) -> list[PracticeMedian]:
    """Per practice with at least one score, the median team score; lowest first (ties: the lower mean first, then
    the practices' order). A missing score is left out, never counted as 100."""
    medians = []
    for practice in Practice:
        known = [score for card in scorecards if (score := card.scores.get(practice)) is not None]
        if known:
            medians.append(
                PracticeMedian(
                    practice=practice,
                    median=float(statistics.median(known)),
                    mean=round(statistics.fmean(known), 1),
                    teams=len(known),
                    missing=len(scorecards) - len(known),
                )
            )
    return sorted(medians, key=lambda m: (m.median, m.mean, list(Practice).index(m.practice)))


def lowest_practices(report: WalkReport, count: int = LOWEST_PRACTICES) -> list[PracticeMedian]:
    return practice_medians(report.scorecards)[:count]


def lead(name: str | None, person_id: str | None, seat: str) -> str:
    """A lead as ``Name (seat, id)``; ``id (seat)`` without a name; "nobody (seat)" for an empty seat."""
    if person_id is None:
        return f"nobody ({seat})"
    return f"{name} ({seat}, {person_id})" if name else f"{person_id} ({seat})"


def pair_leads(pair: ModelPair) -> str:
    return (
        f"{lead(pair.product_lead_name, pair.product_lead, 'product')} and "
        f"{lead(pair.engineering_lead_name, pair.engineering_lead, 'engineering')}"
    )


def score_cell(score: int | None) -> str:
    return MISSING if score is None else str(score)


def scorecard_row(card: Scorecard) -> list[str]:
    """A team's scorecard as table cells: the team, each practice in the practices' order, the overall score."""
    return [card.team, *(score_cell(card.scores.get(practice)) for practice in Practice), score_cell(card.overall)]


SCORECARD_COLUMNS = ["team", *(SHORT_TITLES[practice] for practice in Practice), "overall"]
