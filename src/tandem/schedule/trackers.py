"""Reading tracker exports (Jira, GitHub, Linear) as plain records, streaming, with no database in sight.

Each reader yields :class:`TrackerItemRecord` (an issue: what completion history is made of) and
:class:`ScheduleChangeRecord` (a change to when something is due or what is in a release). JSON is streamed with
ijson (the yajl2_c backend) one issue or event at a time, so memory does not grow with the file: a 1 GB export
imports in the same ~20 MB as a 50 MB one (benchmarks/tracker_import.py). The GitHub reader is the one exception,
by necessity: completion comes from close and reopen events that can arrive after the issue, so it keeps one small
record per issue until the end.

A file that cannot be read is a :class:`TrackerFormatError` naming the file and, where known, the line and column
(bytes) of a JSON syntax error, the CSV line, or the issue's index and key.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, BinaryIO, Literal

import ijson  # type: ignore[import-untyped]  # ships no type information

Source = Literal["jira", "github", "linear"]
SOURCES: tuple[Source, ...] = ("jira", "github", "linear")
FIELDS = ("due_date", "target_date", "fix_version", "sprint", "milestone", "scope_added", "scope_removed")
"""Every value of ``ScheduleChange.field``."""

ProgressCallback = Callable[[int], None]
"""Called with how many more bytes of the input were read."""

JIRA_CHANGELOG_FIELDS = {
    "duedate": "due_date",
    "target end": "target_date",  # "Target start" is when work begins, not a date promised: not a change
    "fix version": "fix_version",
    "sprint": "sprint",
}
"""Jira changelog ``field`` (case-insensitive) -> our field; a Fix Version item becomes scope_added or
scope_removed when one of its sides is empty (Jira records a version move as a removal and an addition)."""

LINEAR_REQUIRED = ("ID", "Team", "Title", "Status", "Created", "Completed")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_JS_DATE = re.compile(
    r"(?:[A-Z][a-z]{2},? )?([A-Z][a-z]{2}) (\d{1,2}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT([+-])(\d{2}):?(\d{2})"
)
_MONTHS = {
    m: i for i, m in enumerate(("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1)
}
_REPO_IN_URL = re.compile(r"/repos/([^/]+)/([^/?#]+)")
_TIMELINE_FILE = re.compile(r"(\d+)\.timeline\.json$", re.IGNORECASE)
_DIGITS = re.compile(r"(\d+)")


@dataclass(frozen=True, slots=True)
class TrackerItemRecord:
    """One issue as the tracker last described it."""

    source: Source
    key: str
    project: str
    title: str
    status: str
    created_at: datetime | None
    completed_at: datetime | None


@dataclass(frozen=True, slots=True)
class ScheduleChangeRecord:
    """One change to an issue's dates, sprint or release; ``actors`` are the identities to try, in order."""

    source: Source
    external_id: str
    item_key: str
    project: str
    field: str
    from_value: str | None
    to_value: str | None
    actors: tuple[str, ...]
    at: datetime


Record = TrackerItemRecord | ScheduleChangeRecord


@dataclass
class ReadNotes:
    """What a reader noticed but did not reject: things the user may want to fix in the export."""

    truncated_changelogs: int = 0
    """Jira issues whose changelog has more histories than the export holds (the search API stops at 100)."""
    truncated_examples: list[str] = field(default_factory=list)
    """The first few of those issues' keys."""
    pull_requests_skipped: int = 0
    """Pull requests in a GitHub issues file (the issues API lists them too); they are not work items."""


class TrackerFormatError(Exception):
    """The input is not a readable export; nothing was imported."""

    def __init__(self, file: str, message: str, line: int | None = None, column: int | None = None) -> None:
        self.file, self.message, self.line, self.column = file, message, line, column
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}" + (f":{self.column}" if self.column is not None else "")
        return f"{where}: {self.message}"


class _InvalidRecordError(Exception):
    """A problem inside one record; the file reader adds where the record is (``column``: a CSV cell, 0-based)."""

    def __init__(self, message: str, column: int | None = None) -> None:
        super().__init__(message)
        self.column = column


# --- values -------------------------------------------------------------------------------------------------------


def parse_timestamp(value: str) -> datetime:
    """An aware UTC datetime from ISO 8601 (Jira's ``+0000`` offsets included) or JavaScript's ``Date`` string
    ("Tue Mar 05 2024 10:15:30 GMT+0000 (Coordinated Universal Time)"); a time without an offset is UTC."""
    text = value.strip()
    js = _JS_DATE.match(text)
    if js:
        month = _MONTHS.get(js[1])
        if month is None:
            raise ValueError(value)
        sign = 1 if js[7] == "+" else -1
        zone = timezone(sign * timedelta(hours=int(js[8]), minutes=int(js[9])))
        parsed = datetime(int(js[3]), month, int(js[2]), int(js[4]), int(js[5]), int(js[6]), tzinfo=zone)
    else:
        if len(text) < 10 or not _ISO_DATE.match(text):
            raise ValueError(value)
        parsed = datetime.fromisoformat(text)  # Python 3.11 reads "Z", "+0000" and "+00:00" alike
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _text(value: Any) -> str:
    """A JSON scalar as text (ijson gives numbers as int or Decimal); absent or null is ''."""
    if type(value) is str:  # the common case first: this runs for every field of every changelog item
        return value.strip()
    if value is None or isinstance(value, (dict, list)):
        return ""
    return str(value).strip()


def _timestamp(value: Any, where: str, *, required: bool = False) -> datetime | None:
    text = _text(value)
    if not text:
        if required:
            raise _InvalidRecordError(f"{where} is missing")
        return None
    try:
        return parse_timestamp(text)
    except ValueError:
        raise _InvalidRecordError(f"{where}: {text!r} is not a timestamp") from None


def _object(value: Any, where: str) -> Mapping[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _InvalidRecordError(f"{where} is not an object")
    return value


def _list(value: Any, where: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise _InvalidRecordError(f"{where} is not a list")
    return value


# --- Jira -----------------------------------------------------------------------------------------------------------


def jira_issue_records(issue: Mapping[str, Any], notes: ReadNotes | None = None) -> Iterator[Record]:
    """One issue of a Jira search response (``expand=changelog``): the item, then its schedule changes."""
    key = _text(issue.get("key"))
    if not key:
        raise _InvalidRecordError("the issue has no key")
    fields = _object(issue.get("fields"), "fields")
    project = _text(_object(fields.get("project"), "fields.project").get("key")) or key.rpartition("-")[0] or key
    yield TrackerItemRecord(
        source="jira",
        key=key,
        project=project,
        title=_text(fields.get("summary")),
        status=_text(_object(fields.get("status"), "fields.status").get("name")),
        created_at=_timestamp(fields.get("created"), "fields.created"),
        completed_at=_timestamp(fields.get("resolutiondate"), "fields.resolutiondate"),
    )
    changelog = _object(issue.get("changelog"), "changelog")
    histories = _list(changelog.get("histories"), "changelog.histories")
    total = changelog.get("total")
    if notes is not None and isinstance(total, int) and total > len(histories):
        notes.truncated_changelogs += 1
        if len(notes.truncated_examples) < 5:
            notes.truncated_examples.append(key)
    for h, history in enumerate(histories):
        where = f"changelog.histories[{h}]"
        history = _object(history, where)
        changes = [
            (index, change)
            for index, item in enumerate(_list(history.get("items"), f"{where}.items"))
            if (change := _jira_change(_object(item, f"{where}.items[{index}]"))) is not None
        ]
        if not changes:
            continue
        history_id = _text(history.get("id"))
        if not history_id:
            raise _InvalidRecordError(f"{where} has no id")
        at = _timestamp(history.get("created"), f"{where}.created", required=True)
        assert at is not None
        actors = _jira_actors(_object(history.get("author"), f"{where}.author"))
        for index, (name, before, after) in changes:
            yield ScheduleChangeRecord(
                source="jira",
                external_id=f"jira:{key}:{history_id}:{index}",
                item_key=key,
                project=project,
                field=name,
                from_value=before,
                to_value=after,
                actors=actors,
                at=at,
            )


def _jira_change(item: Mapping[str, Any]) -> tuple[str, str | None, str | None] | None:
    """(field, from, to) for a changelog item we keep; None for every other field (status, assignee, ...)."""
    name = JIRA_CHANGELOG_FIELDS.get(_text(item.get("field")).casefold())
    if name is None:
        return None
    before, after = _text(item.get("fromString")) or None, _text(item.get("toString")) or None
    if name in ("due_date", "target_date"):
        before, after = _date_value(item.get("from"), before), _date_value(item.get("to"), after)
    if before is None and after is None:
        return None  # nothing to say (a sprint Jira no longer names, say)
    if name == "fix_version" and before is None:
        return "scope_added", None, after
    if name == "fix_version" and after is None:
        return "scope_removed", before, None
    return name, before, after


def _date_value(raw: Any, shown: str | None) -> str | None:
    """A date change's value as YYYY-MM-DD when Jira gives one (``to`` "2024-03-08", ``toString``
    "2024-03-08 00:00:00.0"), else the text Jira shows."""
    for candidate in (_text(raw), shown or ""):
        if _ISO_DATE.match(candidate):
            return candidate[:10]
    return shown or _text(raw) or None


def _jira_actors(author: Mapping[str, Any]) -> tuple[str, ...]:
    """The author's identities in the order to try them: e-mail, account id, user name and key, display name."""
    found = (_text(author.get(k)) for k in ("emailAddress", "accountId", "name", "key", "displayName"))
    return tuple(dict.fromkeys(value for value in found if value))


def read_jira(path: Path, progress: ProgressCallback | None = None, notes: ReadNotes | None = None) -> Iterator[Record]:
    """Records from a Jira search response, or from each page file of a directory (JSON, in name order)."""
    for file in tracker_files("jira", path):
        yield from _read_jira_file(file, progress, notes)


def _read_jira_file(path: Path, progress: ProgressCallback | None, notes: ReadNotes | None) -> Iterator[Record]:
    with path.open("rb") as raw:
        first = _start_of_json(raw, path)
        if first != b"{":
            raise TrackerFormatError(
                str(path), 'expected a Jira search response (a JSON object with an "issues" list), found a JSON array'
            )
        reader = _CountingReader(raw, progress)
        count = 0
        try:
            for issue in ijson.items(reader, "issues.item", multiple_values=True):
                try:
                    yield from jira_issue_records(_object(issue, "the issue"), notes)
                except _InvalidRecordError as error:
                    key = _text(issue.get("key")) if isinstance(issue, dict) else ""
                    label = f"issues[{count}]" + (f" ({key})" if key else "")
                    raise TrackerFormatError(str(path), f"{label}: {error}") from None
                count += 1
        except ijson.JSONError as error:
            raise _json_error(path, reader, error) from None
    if count == 0 and not _has_top_level_key(path, "issues"):
        raise TrackerFormatError(
            str(path), 'no "issues" list: expected a Jira search response (/rest/api/3/search?expand=changelog)'
        )


# --- GitHub ---------------------------------------------------------------------------------------------------------


@dataclass
class _GitHubIssues:
    """What completion needs until the end of the input: each issue, and its last close and reopen."""

    items: dict[str, TrackerItemRecord] = field(default_factory=dict)
    embedded: dict[str, TrackerItemRecord] = field(default_factory=dict)
    closed: dict[str, datetime] = field(default_factory=dict)
    reopened: dict[str, datetime] = field(default_factory=dict)

    def records(self) -> Iterator[TrackerItemRecord]:
        """Each issue once (an issues file wins over the copy inside an event), completed at its last close if
        that came after its last reopen."""
        for key, item in {**self.embedded, **self.items}.items():
            closes = [t for t in (self.closed.get(key), item.completed_at) if t is not None]
            last_close = max(closes) if closes else None
            reopened = self.reopened.get(key)
            completed = last_close if last_close and (reopened is None or last_close > reopened) else None
            yield TrackerItemRecord(
                source="github",
                key=key,
                project=item.project,
                title=item.title,
                status="closed" if completed else "open",
                created_at=item.created_at,
                completed_at=completed,
            )


def github_issue_record(issue: Mapping[str, Any]) -> TrackerItemRecord | None:
    """An issue from the REST issues API; None for a pull request (the issues API lists those too)."""
    if issue.get("pull_request"):
        return None
    repo = _repo(issue.get("repository_url"), "repository_url")
    number = _number(issue.get("number"), "number")
    state = _text(issue.get("state"))
    return TrackerItemRecord(
        source="github",
        key=f"{repo}#{number}",
        project=repo,
        title=_text(issue.get("title")),
        status=state,
        created_at=_timestamp(issue.get("created_at"), "created_at"),
        completed_at=_timestamp(issue.get("closed_at"), "closed_at") if state == "closed" else None,
    )


def _repo(url: Any, where: str) -> str:
    match = _REPO_IN_URL.search(_text(url))
    if not match:
        raise _InvalidRecordError(f"{where}: {_text(url)!r} does not name a repository (…/repos/OWNER/REPO)")
    return f"{match[1]}/{match[2]}"


def _number(value: Any, where: str) -> int:
    text = _text(value)
    if not text.isdigit():
        raise _InvalidRecordError(f"{where}: {text!r} is not an issue number")
    return int(text)


def _github_event(event: Mapping[str, Any], number: int | None, state: _GitHubIssues) -> ScheduleChangeRecord | None:
    """Note a close or reopen; return the change a (de)milestoned event records. ``number`` is the issue's
    number for a timeline event (which carries no ``issue``); an issue event names its own issue."""
    kind = _text(event.get("event"))
    if kind not in ("milestoned", "demilestoned", "closed", "reopened"):
        return None
    embedded = event.get("issue")
    if embedded:
        issue = _object(embedded, "issue")
        if issue.get("pull_request"):
            return None
        repo, number = (
            _repo(issue.get("repository_url"), "issue.repository_url"),
            _number(issue.get("number"), "issue.number"),
        )
        item = github_issue_record(issue)
        if item is not None:
            state.embedded.setdefault(item.key, item)
    elif number is None:
        raise _InvalidRecordError(
            "an event without an 'issue' is a timeline event: name its file <number>.timeline.json "
            "(e.g. 42.timeline.json)"
        )
    else:
        repo = _repo(event.get("url"), "url")
    key = f"{repo}#{number}"
    at = _timestamp(event.get("created_at"), "created_at", required=True)
    assert at is not None
    if kind in ("closed", "reopened"):
        seen = state.closed if kind == "closed" else state.reopened
        if key not in seen or seen[key] < at:
            seen[key] = at
        return None
    event_id = _text(event.get("id"))
    if not event_id:
        raise _InvalidRecordError("the event has no id")
    milestone = _text(_object(event.get("milestone"), "milestone").get("title")) or None
    login = _text(_object(event.get("actor"), "actor").get("login"))
    return ScheduleChangeRecord(
        source="github",
        external_id=f"github:{repo}:{event_id}",
        item_key=key,
        project=repo,
        field="scope_added" if kind == "milestoned" else "scope_removed",
        from_value=milestone if kind == "demilestoned" else None,
        to_value=milestone if kind == "milestoned" else None,
        actors=(login,) if login else (),
        at=at,
    )


def read_github(
    path: Path, progress: ProgressCallback | None = None, notes: ReadNotes | None = None
) -> Iterator[Record]:
    """Records from GitHub REST exports: issues, repository issue events and issue timelines, each file a JSON
    array (or arrays back to back, as ``gh api --paginate`` writes them); what a file holds is told from its
    objects. Changes stream out as read; the issues come last, once every close and reopen has been seen."""
    state = _GitHubIssues()
    for file in tracker_files("github", path):
        yield from _read_github_file(file, state, progress, notes)
    yield from state.records()


def _read_github_file(
    path: Path, state: _GitHubIssues, progress: ProgressCallback | None, notes: ReadNotes | None
) -> Iterator[Record]:
    timeline = _TIMELINE_FILE.search(path.name)
    number = int(timeline[1]) if timeline else None
    with path.open("rb") as raw:
        if _start_of_json(raw, path) != b"[":
            raise TrackerFormatError(str(path), "expected a JSON array of GitHub issues or issue events")
        reader = _CountingReader(raw, progress)
        index = 0
        try:
            for obj in ijson.items(reader, "item", multiple_values=True):
                try:
                    obj = _object(obj, "the element")
                    if "event" in obj:
                        change = _github_event(obj, number, state)
                        if change is not None:
                            yield change
                    elif "number" in obj and "repository_url" in obj:
                        item = github_issue_record(obj)
                        if item is None:
                            if notes is not None:
                                notes.pull_requests_skipped += 1
                        else:
                            state.items[item.key] = item
                    else:
                        raise _InvalidRecordError(
                            "neither an issue (number, repository_url) nor an issue event (event)"
                        )
                except _InvalidRecordError as error:
                    raise TrackerFormatError(str(path), f"[{index}]: {error}") from None
                index += 1
        except ijson.JSONError as error:
            raise _json_error(path, reader, error) from None


# --- Linear ---------------------------------------------------------------------------------------------------------


def read_linear(path: Path, progress: ProgressCallback | None = None) -> Iterator[Record]:
    """Items from Linear's CSV export (Settings → Import / Export → Export CSV). It holds no change history, so
    it yields no schedule changes. Columns are found by name; a row one field short of the header (as some real
    exports are) reads the missing trailing cells as empty."""
    (file,) = tracker_files("linear", path)
    with file.open("rb") as raw:
        reader = csv.reader(_decoded_lines(raw, file, progress), strict=True)
        end = 0
        try:
            header = next(reader, None)
            if header is None:
                raise TrackerFormatError(str(file), "the file is empty")
            end = reader.line_num
            columns = {name.strip().casefold(): i for i, name in enumerate(header)}
            missing = [name for name in LINEAR_REQUIRED if name.casefold() not in columns]
            if missing:
                raise TrackerFormatError(
                    str(file), f"missing column(s) {', '.join(missing)}: expected Linear's CSV export", line=1
                )
            for row in reader:
                line, end = end + 1, reader.line_num
                if not any(cell.strip() for cell in row):
                    continue
                if len(row) > len(header):
                    raise TrackerFormatError(
                        str(file), f"the row has {len(row)} fields; the header has {len(header)}", line=line
                    )
                try:
                    yield linear_row_record(row, columns)
                except _InvalidRecordError as error:
                    column = None if error.column is None else error.column + 1
                    raise TrackerFormatError(str(file), str(error), line=line, column=column) from None
        except csv.Error as error:
            raise TrackerFormatError(str(file), f"malformed CSV: {error}", line=end + 1) from None


def linear_row_record(row: list[str], columns: Mapping[str, int]) -> TrackerItemRecord:
    """One row of Linear's export, its columns found by (case-insensitive) name."""

    def cell(name: str) -> str:
        index = columns[name.casefold()]
        value = row[index].strip() if index < len(row) else ""
        return value[1:] if value[:2] in ("'=", "'+", "'-", "'@") else value  # Linear's spreadsheet-formula guard

    def when(name: str) -> datetime | None:
        value = cell(name)
        try:
            return parse_timestamp(value) if value else None
        except ValueError:
            raise _InvalidRecordError(f"{name}: {value!r} is not a timestamp", columns[name.casefold()]) from None

    key = cell("ID")
    if not key:
        raise _InvalidRecordError("ID is empty", columns["id"])
    return TrackerItemRecord(
        source="linear",
        key=key,
        project=cell("Team"),
        title=cell("Title"),
        status=cell("Status"),
        created_at=when("Created"),
        completed_at=when("Completed"),
    )


def _decoded_lines(raw: BinaryIO, file: Path, progress: ProgressCallback | None) -> Iterator[str]:
    """The file's lines as text for the csv module, counting bytes as they go; a BOM is skipped."""
    for number, line in enumerate(raw, start=1):
        if progress is not None:
            progress(len(line))
        if number == 1:
            line = line.removeprefix(b"\xef\xbb\xbf")
        try:
            yield line.decode("utf-8")
        except UnicodeDecodeError as error:
            raise TrackerFormatError(
                str(file),
                f"not UTF-8 (byte 0x{line[error.start]:02x}); save the export as UTF-8",
                number,
                error.start + 1,
            ) from None


# --- files ----------------------------------------------------------------------------------------------------------


def read_tracker(
    source: Source, path: Path, progress: ProgressCallback | None = None, notes: ReadNotes | None = None
) -> Iterator[Record]:
    """The reader for ``source``."""
    if source == "jira":
        return read_jira(path, progress, notes)
    if source == "github":
        return read_github(path, progress, notes)
    return read_linear(path, progress)


def tracker_files(source: Source, path: Path) -> list[Path]:
    """The files an import reads: the file itself, or a directory's ``*.json`` files in natural name order
    (page-2 before page-10). Linear takes one CSV file."""
    if path.is_dir():
        if source == "linear":
            raise TrackerFormatError(str(path), "is a directory; Linear's export is one CSV file")
        files = [
            p for p in path.iterdir() if p.is_file() and p.suffix.lower() == ".json" and not p.name.startswith(".")
        ]
        if not files:
            raise TrackerFormatError(str(path), "the directory holds no .json files")
        return sorted(files, key=_natural)
    if not path.is_file():
        raise TrackerFormatError(str(path), "no such file or directory")
    return [path]


def _natural(path: Path) -> list[tuple[int, str]]:
    return [(int(part), "") if part.isdigit() else (-1, part) for part in _DIGITS.split(path.name)]


def input_size(source: Source, path: Path) -> int:
    """Bytes an import will read (the progress bar's total)."""
    return sum(file.stat().st_size for file in tracker_files(source, path))


class _CountingReader:
    """A binary file that reports bytes read and keeps the last chunk, to place a JSON syntax error."""

    def __init__(self, raw: BinaryIO, progress: ProgressCallback | None) -> None:
        self.raw, self.progress = raw, progress
        self.offset = raw.tell()
        self.chunk, self.chunk_start = b"", self.offset

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        if data:
            self.chunk, self.chunk_start = data, self.offset
            self.offset += len(data)
            if self.progress is not None:
                self.progress(len(data))
        return data


def _start_of_json(raw: BinaryIO, path: Path) -> bytes:
    """The first significant byte, leaving the file positioned after any byte-order mark."""
    head = raw.read(4096)
    start = 3 if head.startswith(b"\xef\xbb\xbf") else 0
    raw.seek(start)
    first = head[start:].lstrip()[:1]
    if not first:
        raise TrackerFormatError(str(path), "the file is empty")
    return first


def _has_top_level_key(path: Path, key: str) -> bool:
    with path.open("rb") as raw:
        _start_of_json(raw, path)
        try:
            for prefix, event, value in ijson.parse(raw, multiple_values=True):
                if prefix == "" and event == "map_key" and value == key:
                    return True
        except ijson.JSONError:
            return False
    return False


def _json_error(path: Path, reader: _CountingReader, error: Exception) -> TrackerFormatError:
    """A syntax error at its line and column. yajl reports the error with the text around it and a caret;
    that text is found in the chunk being parsed to get the byte offset (the end of the file for a file that
    stops early)."""
    message, _, context = str(error).partition("\n")
    offset = _locate(reader, context)
    if offset is None and ("premature EOF" in message or "Incomplete" in message):
        offset = reader.offset
    if offset is None:
        return TrackerFormatError(str(path), f"invalid JSON near byte {reader.chunk_start:,}: {message}")
    line, column = _line_and_column(path, offset)
    return TrackerFormatError(str(path), f"invalid JSON: {message.removeprefix('parse error: ')}", line, column)


def _locate(reader: _CountingReader, context: str) -> int | None:
    lines = context.split("\n")
    if len(lines) < 2 or "^" not in lines[1]:
        return None
    needle = lines[0][: lines[1].index("^") + 1].lstrip(" ").encode("utf-8", "replace")
    if len(needle) < 2:
        return None
    haystack = reader.chunk.replace(b"\n", b" ").replace(b"\r", b" ")
    found = haystack.find(needle)
    if found < 0 or haystack.find(needle, found + 1) >= 0:
        return None
    return reader.chunk_start + found + len(needle) - 2  # the caret sits just past the offending byte


def _line_and_column(path: Path, offset: int) -> tuple[int, int]:
    """1-based line and byte column of ``offset``, counting newlines without holding the file."""
    line, line_start, position = 1, 0, 0
    with path.open("rb") as raw:
        while position < offset:
            block = raw.read(min(1 << 20, offset - position))
            if not block:
                break
            newlines = block.count(b"\n")
            if newlines:
                line += newlines
                line_start = position + block.rindex(b"\n") + 1
            position += len(block)
    return line, offset - line_start + 1
