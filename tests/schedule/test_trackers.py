"""Reading Jira, GitHub and Linear exports into records, with no database: shapes, fields, times and errors."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tandem.schedule.trackers import (
    FIELDS,
    ReadNotes,
    Record,
    ScheduleChangeRecord,
    TrackerFormatError,
    TrackerItemRecord,
    jira_issue_records,
    parse_timestamp,
    read_github,
    read_jira,
    read_linear,
    tracker_files,
)

FIXTURES = Path(__file__).parent / "fixtures"
JIRA_PAGE = FIXTURES / "jira" / "search-page-1.json"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def items(records: list[Record]) -> list[TrackerItemRecord]:
    return [r for r in records if isinstance(r, TrackerItemRecord)]


def changes(records: list[Record]) -> list[ScheduleChangeRecord]:
    return [r for r in records if isinstance(r, ScheduleChangeRecord)]


def error_of(reader: Any, path: Path) -> str:
    with pytest.raises(TrackerFormatError) as caught:
        list(reader(path))
    return str(caught.value)


def jira_issue(*histories: dict[str, Any], key: str = "PAY-1", **fields: Any) -> dict[str, Any]:
    return {
        "id": "10001",
        "key": key,
        "changelog": {
            "startAt": 0,
            "maxResults": len(histories),
            "total": len(histories),
            "histories": list(histories),
        },
        "fields": {
            "summary": "An issue",
            "project": {"key": "PAY"},
            "created": "2024-03-01T09:00:00.000+0000",
            **fields,
        },
    }


def history(*items: dict[str, Any], hid: str | int = "500", author: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "id": hid,
        "author": author or {"accountId": "557058:aa", "displayName": "Pat Manager"},
        "created": "2024-03-05T10:15:30.000+0000",
        "items": list(items),
    }


def item(field: str, from_string: str | None, to_string: str | None, **raw: Any) -> dict[str, Any]:
    return {
        "field": field,
        "fieldtype": "jira",
        "from": None,
        "fromString": from_string,
        "to": None,
        "toString": to_string,
        **raw,
    }


def write_json(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data, indent=2))
    return path


# --- times ----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-03-05T10:15:30.000+0000", "2024-03-05T10:15:30"),  # Jira: no colon in the offset
        ("2024-03-05T11:15:30.000+0100", "2024-03-05T10:15:30"),
        ("2024-03-05T05:15:30.000-0500", "2024-03-05T10:15:30"),
        ("2024-03-05T10:15:30Z", "2024-03-05T10:15:30"),  # GitHub, Linear
        ("2024-03-05T10:15:30.250Z", "2024-03-05T10:15:30.250"),
        ("2024-03-05T10:15:30+00:00", "2024-03-05T10:15:30"),
        ("Tue Mar 05 2024 10:15:30 GMT+0000 (Coordinated Universal Time)", "2024-03-05T10:15:30"),
        ("Tue Mar 05 2024 11:15:30 GMT+0100 (Central European Standard Time)", "2024-03-05T10:15:30"),
        ("2024-03-05T10:15:30", "2024-03-05T10:15:30"),  # no offset: UTC
    ],
)
def test_timestamps_become_aware_utc(text: str, expected: str) -> None:
    parsed = parse_timestamp(text)
    assert parsed == at(expected)
    assert parsed.tzinfo is UTC


@pytest.mark.parametrize(
    "text", ["yesterday", "05/03/2024", "2024-13-05T10:00:00Z", "Tue Foo 05 2024 10:15:30 GMT+0000"]
)
def test_a_bad_timestamp_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_timestamp(text)


# --- Jira -----------------------------------------------------------------------------------------------------------


def test_a_jira_page_yields_each_issue_then_its_schedule_changes() -> None:
    records = list(read_jira(JIRA_PAGE))
    assert [(type(r).__name__, r.key if isinstance(r, TrackerItemRecord) else r.external_id) for r in records] == [
        ("TrackerItemRecord", "PAY-101"),
        ("ScheduleChangeRecord", "jira:PAY-101:20001:0"),
        ("ScheduleChangeRecord", "jira:PAY-101:20001:1"),
        ("ScheduleChangeRecord", "jira:PAY-101:20002:1"),  # item 0 of history 20002 is a status change
        ("ScheduleChangeRecord", "jira:PAY-101:20003:0"),
        ("ScheduleChangeRecord", "jira:PAY-101:20003:1"),
        ("ScheduleChangeRecord", "jira:PAY-101:20003:2"),
        ("ScheduleChangeRecord", "jira:PAY-101:20004:0"),
        ("TrackerItemRecord", "PAY-102"),
        ("ScheduleChangeRecord", "jira:PAY-102:20010:0"),
        ("ScheduleChangeRecord", "jira:PAY-102:20011:0"),
    ]
    assert records[0] == TrackerItemRecord(
        source="jira",
        key="PAY-101",
        project="PAY",
        title="Card tokenisation for recurring payments",
        status="Done",
        created_at=at("2024-02-12T09:00:00"),
        completed_at=at("2024-03-20T16:45:10"),
    )
    assert items(records)[1].created_at == at("2024-03-01T10:20:00")  # "+0100" read as an offset
    assert items(records)[1].completed_at is None


def test_jira_changelog_items_map_to_our_fields() -> None:
    found = {(c.external_id, c.field, c.from_value, c.to_value) for c in changes(list(read_jira(JIRA_PAGE)))}
    assert found == {
        ("jira:PAY-101:20001:0", "due_date", None, "2024-03-15"),
        ("jira:PAY-101:20001:1", "sprint", None, "PAY Sprint 14"),
        ("jira:PAY-101:20002:1", "due_date", "2024-03-15", "2024-03-22"),
        ("jira:PAY-101:20003:0", "sprint", "PAY Sprint 14", "PAY Sprint 14, PAY Sprint 15"),
        ("jira:PAY-101:20003:1", "scope_removed", "2024.02", None),  # a version move is a removal...
        ("jira:PAY-101:20003:2", "scope_added", None, "2024.03"),  # ...and an addition, kept as Jira wrote them
        ("jira:PAY-101:20004:0", "target_date", None, "2024-03-29"),  # Target end; the date, not "29/Mar/24"
        ("jira:PAY-102:20010:0", "target_date", None, "2024-03-11"),
        ("jira:PAY-102:20011:0", "due_date", None, "2024-04-05"),
    }


def test_target_start_is_not_a_schedule_change() -> None:
    issue = jira_issue(history(item("Target start", None, "2024-03-11")))
    assert changes(list(jira_issue_records(issue))) == []


def test_a_fix_version_item_with_both_sides_is_a_fix_version_change() -> None:
    issue = jira_issue(history(item("Fix Version", "2024.02", "2024.03")))
    (change,) = changes(list(jira_issue_records(issue)))
    assert (change.field, change.from_value, change.to_value) == ("fix_version", "2024.02", "2024.03")


def test_every_field_a_reader_produces_is_a_known_field() -> None:
    produced = {c.field for c in changes([*read_jira(FIXTURES / "jira"), *read_github(FIXTURES / "github")])}
    assert produced <= set(FIELDS)
    assert produced >= {"due_date", "target_date", "sprint", "scope_added", "scope_removed"}


def test_jira_field_names_match_case_insensitively_and_other_or_empty_items_are_ignored() -> None:
    issue = jira_issue(
        history(
            item("DueDate", None, "2024-04-01 00:00:00.0"),
            item("status", "To Do", "Done"),
            item("assignee", None, "Pat Manager"),
            item("SPRINT", None, "PAY Sprint 16"),
            item("Sprint", "", ""),  # says nothing: dropped
        )
    )
    assert [(c.field, c.to_value) for c in changes(list(jira_issue_records(issue)))] == [
        ("due_date", "2024-04-01"),
        ("sprint", "PAY Sprint 16"),
    ]


def test_jira_actors_are_tried_email_account_name_key_then_display_name() -> None:
    author = {
        "self": "https://jira.acme.test/rest/api/2/user?username=pat",
        "name": "pat",
        "key": "JIRAUSER1",
        "emailAddress": "pat@acme.test",
        "accountId": "557058:aa",
        "displayName": "Pat Manager",
    }
    issue = jira_issue(history(item("duedate", None, "2024-04-01"), author=author))
    (change,) = changes(list(jira_issue_records(issue)))
    assert change.actors == ("pat@acme.test", "557058:aa", "pat", "JIRAUSER1", "Pat Manager")


def test_a_change_without_an_author_has_no_actors() -> None:
    hist = history(item("duedate", None, "2024-04-01"))
    del hist["author"]
    (change,) = changes(list(jira_issue_records(jira_issue(hist))))
    assert change.actors == ()


def test_numbers_from_ijson_are_read_as_text(tmp_path: Path) -> None:
    issue = jira_issue(history(item("duedate", None, "2024-04-01"), hid=20001), customfield_10016=5.5)
    issue["id"] = 10001
    path = write_json(tmp_path / "page.json", {"startAt": 0, "maxResults": 1.0, "total": 1, "issues": [issue]})
    (change,) = changes(list(read_jira(path)))
    assert change.external_id == "jira:PAY-1:20001:0"


def test_a_directory_of_pages_is_read_in_natural_name_order(tmp_path: Path) -> None:
    for number in (10, 2, 1):
        write_json(tmp_path / f"page-{number}.json", {"issues": [jira_issue(key=f"PAY-{number}")]})
    (tmp_path / "notes.txt").write_text("not a page")
    assert [path.name for path in tracker_files("jira", tmp_path)] == ["page-1.json", "page-2.json", "page-10.json"]
    assert [r.key for r in items(list(read_jira(tmp_path)))] == ["PAY-1", "PAY-2", "PAY-10"]


def test_an_empty_last_page_is_fine(tmp_path: Path) -> None:
    path = write_json(tmp_path / "page.json", {"startAt": 100, "maxResults": 50, "total": 100, "issues": []})
    assert list(read_jira(path)) == []


def test_an_issue_whose_changelog_was_cut_short_is_noted() -> None:
    issue = jira_issue(history(item("duedate", None, "2024-04-01")))
    issue["changelog"]["total"] = 140
    notes = ReadNotes()
    list(jira_issue_records(issue, notes))
    assert (notes.truncated_changelogs, notes.truncated_examples) == (1, ["PAY-1"])


def test_reading_streams_issue_by_issue(tmp_path: Path) -> None:
    """The first records come out long before the file has been read: memory does not grow with the file."""
    many = [jira_issue(history(item("duedate", None, "2024-04-01")), key=f"PAY-{n}") for n in range(3000)]
    path = write_json(tmp_path / "big.json", {"issues": many})
    read: list[int] = []
    records = read_jira(path, progress=read.append)
    next(records)
    assert 0 < sum(read) < path.stat().st_size / 10
    assert sum(1 for _ in records) == 2 * 3000 - 1
    assert sum(read) == path.stat().st_size


def test_malformed_json_names_the_file_line_and_column(tmp_path: Path) -> None:
    text = JIRA_PAGE.read_text()
    broken = text.replace('"summary": "Payout retries with back-off",', '"summary": "Payout retries with back-off"', 1)
    path = tmp_path / "page.json"
    path.write_text(broken)
    line = next(n for n, content in enumerate(broken.splitlines(), 1) if '"summary": "Payout retries' in content)
    message = error_of(read_jira, path)
    assert message.startswith(f"{path}:{line + 1}:")
    assert "invalid JSON" in message


def test_a_truncated_file_is_an_error_at_its_end(tmp_path: Path) -> None:
    path = tmp_path / "page.json"
    path.write_text('{"issues": [\n  {"key": "PAY-1"')
    assert error_of(read_jira, path) == f"{path}:2:18: invalid JSON: premature EOF"  # just past the end


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "the file is empty"),
        ("[]", 'expected a Jira search response (a JSON object with an "issues" list), found a JSON array'),
        ('{"values": []}', 'no "issues" list: expected a Jira search response (/rest/api/3/search?expand=changelog)'),
    ],
)
def test_a_file_that_is_not_a_jira_search_response_is_refused(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "page.json"
    path.write_text(content)
    assert error_of(read_jira, path) == f"{path}: {message}"


def test_a_bad_value_names_the_issue_and_the_field(tmp_path: Path) -> None:
    bad = jira_issue(history(item("Sprint", None, "PAY Sprint 3")), key="PAY-2")
    bad["changelog"]["histories"][0]["created"] = "last Tuesday"
    path = write_json(tmp_path / "page.json", {"issues": [jira_issue(), bad]})
    assert error_of(read_jira, path) == (
        f"{path}: issues[1] (PAY-2): changelog.histories[0].created: 'last Tuesday' is not a timestamp"
    )


def test_an_issue_without_a_key_is_refused(tmp_path: Path) -> None:
    path = write_json(tmp_path / "page.json", {"issues": [{"id": "1", "fields": {}}]})
    assert error_of(read_jira, path) == f"{path}: issues[0]: the issue has no key"


def test_a_missing_path_is_refused(tmp_path: Path) -> None:
    assert error_of(read_jira, tmp_path / "nope.json") == f"{tmp_path / 'nope.json'}: no such file or directory"


# --- GitHub ---------------------------------------------------------------------------------------------------------


def test_github_issues_events_and_timelines_read_together() -> None:
    notes = ReadNotes()
    records = list(read_github(FIXTURES / "github", notes=notes))
    assert [(c.external_id, c.item_key, c.field, c.from_value, c.to_value, c.actors) for c in changes(records)] == [
        ("github:acme/payments:9001", "acme/payments#42", "scope_added", None, "2024.03", ("pmone",)),  # timeline
        ("github:acme/payments:9010", "acme/payments#42", "scope_removed", "2024.03", None, ("emone",)),
        ("github:acme/payments:9011", "acme/payments#42", "scope_added", None, "2024.04", ("emone",)),
        ("github:acme/payments:9001", "acme/payments#42", "scope_added", None, "2024.03", ("pmone",)),  # events
        ("github:acme/payments:9006", "acme/payments#43", "scope_removed", "2024.03", None, ("octo-outsider",)),
    ]
    assert notes.pull_requests_skipped == 1


def test_github_completion_is_the_last_close_after_the_last_reopen() -> None:
    found = {r.key: (r.status, r.completed_at) for r in items(list(read_github(FIXTURES / "github")))}
    assert found == {
        "acme/payments#42": ("closed", at("2024-03-18T12:00:00")),  # open in the issues file; closed by an event
        "acme/payments#43": ("open", None),  # closed, then reopened
        "acme/website#7": ("closed", at("2024-02-09T17:30:00")),  # closed_at, no events
    }


def test_a_github_issue_known_only_from_its_events_is_an_item(tmp_path: Path) -> None:
    shutil.copy(FIXTURES / "github" / "events.json", tmp_path / "events.json")
    keys = [r.key for r in items(list(read_github(tmp_path)))]
    assert keys == ["acme/payments#42", "acme/payments#43"]  # the pull request (#44) is not


def test_paginated_gh_output_with_arrays_back_to_back_is_read(tmp_path: Path) -> None:
    issues = json.loads((FIXTURES / "github" / "issues.json").read_text())
    path = tmp_path / "issues.json"
    path.write_text(json.dumps(issues[:2]) + "\n" + json.dumps(issues[2:]) + "\n")
    assert [r.key for r in items(list(read_github(path)))] == ["acme/payments#42", "acme/payments#43", "acme/website#7"]


def test_a_timeline_needs_its_issue_number_in_the_file_name(tmp_path: Path) -> None:
    timeline = json.loads((FIXTURES / "github" / "42.timeline.json").read_text())
    path = write_json(tmp_path / "timeline.json", timeline)
    assert error_of(read_github, path) == (
        f"{path}: [1]: an event without an 'issue' is a timeline event: name its file <number>.timeline.json "
        "(e.g. 42.timeline.json)"
    )
    renamed = write_json(tmp_path / "payments-42.timeline.json", timeline)
    assert {c.item_key for c in changes(list(read_github(renamed)))} == {"acme/payments#42"}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"total_count": 0, "items": []}', "expected a JSON array of GitHub issues or issue events"),
        ('[{"name": "payments"}]', "[0]: neither an issue (number, repository_url) nor an issue event (event)"),
        ('[{"number": 1, "repository_url": "https://example.com/x"}]',
         "[0]: repository_url: 'https://example.com/x' does not name a repository (…/repos/OWNER/REPO)"),
    ],
)  # fmt: skip
def test_a_file_that_is_not_a_github_export_is_refused(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "issues.json"
    path.write_text(content)
    assert error_of(read_github, path) == f"{path}: {message}"


# --- Linear ---------------------------------------------------------------------------------------------------------


def test_linear_rows_are_items_and_nothing_else() -> None:
    records = list(read_linear(FIXTURES / "linear" / "issues.csv"))
    assert records == [
        TrackerItemRecord("linear", "ENG-12", "Payments", "Retry failed payouts", "Done",
                          at("2024-03-01T09:00:00"), at("2024-03-12T15:30:00")),
        TrackerItemRecord("linear", "ENG-13", "Payments", 'Refund "partial" captures, then notify', "In Progress",
                          at("2024-03-02T11:00:00"), None),
        # Linear's formula guard (a leading ') is removed; JavaScript Date strings are read too
        TrackerItemRecord("linear", "PLT-3", "Platform", "=SUM(A1:A2) shows in the ledger export", "Done",
                          at("2024-03-05T10:15:30"), at("2024-03-08T17:00:00")),
        # one field short of the header, as some real exports are
        TrackerItemRecord("linear", "ENG-14", "Payments", "Payout statement PDF", "Todo",
                          at("2024-03-09T12:00:00"), None),
    ]  # fmt: skip


def linear_file(tmp_path: Path, *rows: str, header: str | None = None) -> Path:
    first = header or (FIXTURES / "linear" / "issues.csv").read_text().splitlines()[0]
    path = tmp_path / "linear.csv"
    path.write_bytes(("\n".join([first, *rows]) + "\n").encode())
    return path


def linear_row(**cells: str) -> str:
    values = {"ID": "ENG-1", "Team": "Payments", "Title": "A", "Status": "Todo", "Created": "2024-03-01T09:00:00Z"}
    values.update(cells)
    header = (FIXTURES / "linear" / "issues.csv").read_text().splitlines()[0].split(",")
    return ",".join(values.get(name, "") for name in header)


def test_a_linear_file_with_a_bom_and_crlf_lines_is_read(tmp_path: Path) -> None:
    path = linear_file(tmp_path, linear_row())
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes().replace(b"\n", b"\r\n"))
    assert [r.key for r in items(list(read_linear(path)))] == ["ENG-1"]


def test_a_linear_file_missing_a_column_is_refused_on_the_header_line(tmp_path: Path) -> None:
    path = linear_file(tmp_path, "ENG-1,Payments,A", header="ID,Team,Title")
    assert error_of(read_linear, path) == (
        f"{path}:1: missing column(s) Status, Created, Completed: expected Linear's CSV export"
    )


def test_a_bad_linear_timestamp_names_its_line_and_column(tmp_path: Path) -> None:
    path = linear_file(tmp_path, linear_row(), linear_row(ID="ENG-2", Completed="soon"))
    assert error_of(read_linear, path) == f"{path}:3:21: Completed: 'soon' is not a timestamp"


def test_an_unterminated_quote_is_malformed_csv(tmp_path: Path) -> None:
    path = linear_file(tmp_path, linear_row(), linear_row(ID="ENG-2", Title='"never closed'))
    assert error_of(read_linear, path).startswith(f"{path}:3: malformed CSV: ")


def test_a_row_wider_than_the_header_is_refused(tmp_path: Path) -> None:
    path = linear_file(tmp_path, linear_row() + ",extra,cells")
    assert error_of(read_linear, path) == f"{path}:2: the row has 32 fields; the header has 30"


def test_a_linear_file_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    path = linear_file(tmp_path, linear_row(Title="Cafe"))
    path.write_bytes(path.read_bytes().replace(b"Cafe", b"Caf\xe9"))  # Latin-1, not UTF-8
    assert error_of(read_linear, path) == f"{path}:2:19: not UTF-8 (byte 0xe9); save the export as UTF-8"


def test_linear_takes_one_file_not_a_directory(tmp_path: Path) -> None:
    assert error_of(read_linear, tmp_path) == f"{tmp_path}: is a directory; Linear's export is one CSV file"


def test_progress_reports_every_byte(tmp_path: Path) -> None:
    for reader, path in (
        (read_jira, FIXTURES / "jira"),
        (read_github, FIXTURES / "github"),
        (read_linear, FIXTURES / "linear" / "issues.csv"),
    ):
        read: list[int] = []
        list(reader(path, read.append))
        expected = sum(p.stat().st_size for p in (path.iterdir() if path.is_dir() else [path]))
        assert sum(read) == expected
