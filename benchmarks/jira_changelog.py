"""What the benchmarks that write a Jira export share: an issue's changelog as Jira's search API returns it with
``expand=changelog`` (five histories of two items each: planned into a sprint, a due date and target end set, the
due date slipped with the sprint, the fix version moved, resolved or blocked)."""

from __future__ import annotations

from datetime import datetime
from typing import Any


def jira_time(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000+0000")


def changelog_item(field: str, field_id: str, before: Any, before_s: Any, after: Any, after_s: Any) -> dict[str, Any]:
    fieldtype = "custom" if field_id.startswith("customfield") else "jira"
    return {"field": field, "fieldtype": fieldtype, "fieldId": field_id, "from": before, "fromString": before_s,
            "to": after, "toString": after_s}  # fmt: skip


def five_histories(
    project: str, sprint: int, version: int, due1: str, due2: str, target: str, *, done: bool
) -> list[list[dict[str, Any]]]:
    """The items of the issue's five histories, in order; the caller draws the values and the times."""
    item = changelog_item
    s1, s2 = f"{project} Sprint {sprint}", f"{project} Sprint {sprint + 1}"
    return [
        [item("Sprint", "customfield_10020", "", "", str(sprint), s1),
         item("status", "status", "10000", "To Do", "3", "In Progress")],
        [item("duedate", "duedate", None, None, due1, f"{due1} 00:00:00.0"),
         item("Target end", "customfield_10023", None, None, target, target)],
        [item("duedate", "duedate", due1, f"{due1} 00:00:00.0", due2, f"{due2} 00:00:00.0"),
         item("Sprint", "customfield_10020", str(sprint), s1, f"{sprint}, {sprint + 1}", f"{s1}, {s2}")],
        [item("Fix Version", "fixVersions", str(10000 + version), f"v{version}", None, None),
         item("Fix Version", "fixVersions", None, None, str(10001 + version), f"v{version + 1}")],
        [item("status", "status", "3", "In Progress", "10002", "Done" if done else "Blocked"),
         item("resolution", "resolution", None, None, "10000" if done else None, "Done" if done else None)],
    ]  # fmt: skip
