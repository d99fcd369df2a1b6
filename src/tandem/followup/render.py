"""A comparison as ``tandem walk --compare`` prints it after the walk: plain text lines, or Markdown."""

from __future__ import annotations

from tandem.followup.analysis import ARROWS, ActionOutcome, ActionStatus, Comparison, FindingChange, FindingStatus


def _when(comparison: Comparison) -> str:
    return f"{comparison.previous.generated_at:%Y-%m-%d %H:%M} UTC"


def counts_text(comparison: Comparison) -> str:
    return ", ".join(f"{comparison.counts[status]} {status.value}" for status in FindingStatus)


def severity_text(change: FindingChange) -> str:
    before, after = change.previous_severity, change.current_severity
    if before is not None and after is not None and before != after:
        return f"{before:.2f} → {after:.2f}"
    value = after if after is not None else before
    return f"{value:.2f}"


def action_status_text(action: ActionOutcome) -> str:
    return f"{action.status.value}, overdue" if action.overdue else action.status.value


def finding_outcome_text(action: ActionOutcome) -> str:
    if action.finding_resolved:
        return "finding gone"
    return f"finding {action.finding_status.value if action.finding_status else 'present'}"


def action_counts_text(comparison: Comparison) -> str:
    counts = {status: sum(1 for a in comparison.actions if a.status is status) for status in ActionStatus}
    gone = sum(1 for a in comparison.actions if a.finding_resolved)
    shown = ", ".join(f"{counts[status]} {status.value}" for status in ActionStatus)
    return f"{len(comparison.actions)} ({shown}); {gone} with the finding gone"


def _signed(delta: int) -> str:
    return f"+{delta}" if delta > 0 else str(delta)


def _score(value: int | None) -> str:
    return "—" if value is None else str(value)


def moved_scores(comparison: Comparison) -> list[tuple[str, str]]:
    """Per team whose scores moved (or gained or lost evidence): the team and ``practice a → b (±d)`` parts."""
    rows = []
    for team, changes in comparison.scorecards.items():
        parts = []
        for key, change in changes.items():
            if change.previous == change.current:
                continue
            delta = f" ({_signed(change.delta)})" if change.delta is not None else ""
            parts.append(f"{key} {_score(change.previous)} → {_score(change.current)}{delta}")
        if parts:
            rows.append((team, ", ".join(parts)))
    return rows


def text(comparison: Comparison) -> str:
    """The comparison as plain lines: the counts, each finding with its arrow, the actions, the scores that moved."""
    lines = [f"Compared with {comparison.previous.label} (walked {_when(comparison)}): {counts_text(comparison)}."]
    for change in comparison.findings:
        lines.append(
            f"  {ARROWS[change.status]} {change.status.value:<10}  {severity_text(change):<11}  "
            f"{change.title}  [{change.id}]"
        )
    if comparison.actions:
        lines.append(f"Actions: {action_counts_text(comparison)}.")
        for action in comparison.actions:
            lines.append(
                f"  #{action.id} {action_status_text(action)}, due {action.due:%Y-%m-%d}, {action.owner_name}: "
                f"{action.title} → {finding_outcome_text(action)}"
            )
    moved = moved_scores(comparison)
    if moved:
        lines.append("Scores that moved:")
        lines.extend(f"  {team}: {parts}" for team, parts in moved)
    return "\n".join(lines) + "\n"


def _cell(value: str) -> str:
    return value.replace("|", "\\|").replace("\n", " ")


def markdown(comparison: Comparison) -> str:
    """The same as Markdown: a section to append to the walk's Markdown report."""
    lines = [
        f"## Compared with {_cell(comparison.previous.label)} (walked {_when(comparison)})",
        "",
        f"{counts_text(comparison).capitalize()}.",
        "",
        "| | status | severity | finding | id |",
        "|---|---|---|---|---|",
    ]
    for change in comparison.findings:
        lines.append(
            f"| {ARROWS[change.status]} | {change.status.value} | {severity_text(change)} | {_cell(change.title)} "
            f"| `{change.id}` |"
        )
    if comparison.actions:
        lines += ["", f"**Actions:** {action_counts_text(comparison)}.", ""]
        lines += ["| action | status | due | owner | finding | outcome |", "|---|---|---|---|---|---|"]
        for action in comparison.actions:
            lines.append(
                f"| #{action.id} | {action_status_text(action)} | {action.due:%Y-%m-%d} | {_cell(action.owner_name)} "
                f"| {_cell(action.title)} | {finding_outcome_text(action)} |"
            )
    moved = moved_scores(comparison)
    if moved:
        lines += ["", "**Scores that moved:**", ""]
        lines.extend(f"- {_cell(team)}: {parts}" for team, parts in moved)
    return "\n".join(lines) + "\n"
