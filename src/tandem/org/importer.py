"""Reading and validating the people and teams CSV files, with no database in sight.

Every problem in a file is collected, each with its line and column, so that a user fixes the whole file in
one pass; a file with any problem is rejected whole.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import lru_cache

from email_validator import EmailNotValidError, validate_email

from tandem.org.analysis import OrgSnapshot, PersonNode, TeamNode
from tandem.org.models import Function

ProgressCallback = Callable[[int], None]
"""Called with how many more rows are done."""

PEOPLE_REQUIRED = ("id", "name", "email", "function", "level", "manager_id")
PEOPLE_OPTIONAL = ("title", "team", "aliases")
TEAMS_REQUIRED = ("team",)
TEAMS_OPTIONAL = (
    "product_lead",
    "engineering_lead",
    "accountable_manager",
    "jira_projects",
    "github_repos",
    "linear_teams",
)
TRACKER_COLUMNS = ("jira_projects", "github_repos", "linear_teams")
FUNCTIONS = {f.value for f in Function}
MAX_LENGTH = {"id": 128, "name": 300, "email": 320, "title": 300, "team": 200, "manager_id": 128}
"""The longest value each column may hold (the database's column sizes)."""
MAX_ITEM_LENGTH = 200
"""The longest alias or tracker key in a semicolon list."""
MAX_LEVEL = 999
_LEVEL = re.compile(r"[0-9]{1,3}")


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong (or worth a warning) in an input file, located as ``file:line:column``."""

    file: str
    line: int
    column: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.message}"


class ImportRejectedError(Exception):
    """The input has problems; nothing was written."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems)
        super().__init__(f"{len(self.problems)} problem(s) in the input; nothing was written")


@dataclass(frozen=True)
class PersonRow:
    id: str
    name: str
    email: str
    function: Function
    level: int
    manager_id: str | None
    title: str | None
    team: str | None
    aliases: tuple[str, ...]
    line: int


@dataclass(frozen=True)
class TeamRow:
    team: str
    product_lead: str | None
    engineering_lead: str | None
    accountable_manager: str | None
    jira_projects: tuple[str, ...]
    github_repos: tuple[str, ...]
    linear_teams: tuple[str, ...]
    line: int


@dataclass
class ParsedFile:
    """A CSV file's header and rows, each row paired with the line it starts on."""

    name: str
    sha256: str
    columns: dict[str, int]
    rows: list[tuple[int, list[str]]]
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    header_ok: bool = True
    """False when a required column is missing: then row-by-row checks would only repeat that one problem."""
    complete: bool = True
    """False when malformed CSV stopped the reading: checks across rows would report false problems."""
    misshapen_rows: list[tuple[int, list[str]]] = field(default_factory=list)
    """Rows with the wrong number of fields: reported, but their ids still count as known to other rows."""

    def cell(self, line_and_row: tuple[int, list[str]], column: str) -> str:
        index = self.columns.get(column)
        _, row = line_and_row
        if index is None or index >= len(row):
            return ""
        return row[index].strip()

    def value(self, line_and_row: tuple[int, list[str]], column: str) -> str | None:
        """A cell checked for what the database cannot hold (NUL, over-long); None after reporting it."""
        value = self.cell(line_and_row, column)
        if "\x00" in value:
            self.problem(line_and_row[0], column, "contains a NUL character")
            return None
        limit = MAX_LENGTH.get(column)
        if limit is not None and len(value) > limit:
            self.problem(line_and_row[0], column, f"is {len(value)} characters long; the most is {limit}")
            return None
        return value

    def column_number(self, column: str) -> int:
        """1-based position of a column in the header (1 when the column is absent)."""
        return self.columns.get(column, 0) + 1

    def problem(self, line: int, column: str, message: str) -> None:
        self.problems.append(Problem(self.name, line, self.column_number(column), f"{column}: {message}"))


@dataclass(frozen=True)
class OrgFile:
    """A validated org: every row good, every reference resolved."""

    people: list[PersonRow]
    teams: list[TeamRow] | None
    people_sha256: str
    teams_sha256: str | None
    warnings: list[Problem]
    people_file: str = "people.csv"
    teams_file: str = "teams.csv"
    team_column: int = 1
    """Where the people file's ``team`` column is, for warnings about teams found while planning."""

    def snapshot(self) -> OrgSnapshot:
        """The org as the pure analysis sees it, straight from the files (no database)."""
        people = [
            PersonNode(p.id, p.name, p.function, p.level, p.manager_id, title=p.title, team=p.team) for p in self.people
        ]
        teams = [TeamNode(t.team, t.product_lead, t.engineering_lead, t.accountable_manager) for t in self.teams or []]
        return OrgSnapshot.of(people, teams)


def _decode(data: bytes, name: str) -> tuple[str | None, Problem | None]:
    body = data.removeprefix(b"\xef\xbb\xbf")  # a byte-order mark is fine, and is not part of line 1
    try:
        return body.decode("utf-8"), None
    except UnicodeDecodeError as error:
        line = body.count(b"\n", 0, error.start) + 1
        line_start = body.rfind(b"\n", 0, error.start) + 1
        column = len(body[line_start : error.start].decode("utf-8", errors="replace")) + 1
        return None, Problem(
            name, line, column, f"the file is not UTF-8 (byte 0x{body[error.start]:02x}); save it as UTF-8"
        )


class _MalformedRecordError(Exception):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line


def _records(text: str) -> Iterator[tuple[int, list[str]]]:
    """Yield (first line, fields) for each non-blank record; quoted fields may span lines.

    Lines end only at CR, LF or CRLF (``str.splitlines`` would also split at U+2028 and friends, which are
    ordinary characters inside a value).
    """
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    previous_end = 0
    while True:
        start = previous_end + 1
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise _MalformedRecordError(start, str(error)) from error
        previous_end = reader.line_num
        if record and any(cell.strip() for cell in record):
            yield start, record


class RowChecker:
    """Checks one row of a parsed CSV file, each problem reported at its line and the column of the field: what the
    history importers (constraints, rituals) share; each adds the checks of its own columns."""

    def __init__(self, parsed: ParsedFile, record: tuple[int, list[str]]) -> None:
        self.parsed, self.record = parsed, record
        self.line = record[0]
        self.ok = True

    def problem(self, column: str, message: str) -> None:
        self.ok = False
        self.parsed.problem(self.line, column, message)

    def text(self, column: str, *, required: bool, limit: int | None = None) -> str | None:
        """The cell, or None (reported when required, NUL or longer than ``limit``)."""
        value = self.parsed.cell(self.record, column)
        if not value:
            if required:
                self.problem(column, "is required")
            return None
        if "\x00" in value:
            self.problem(column, "contains a NUL character")
            return None
        if limit is not None and len(value) > limit:
            self.problem(column, f"is {len(value)} characters long; the most is {limit}")
            return None
        return value

    def in_utc(self, column: str, value: str, moment: datetime) -> datetime | None:
        """``moment`` (parsed from ``value``) in UTC; None, reported, when it names no zone or is out of range."""
        if moment.tzinfo is None or moment.utcoffset() is None:
            self.problem(column, f"'{value}' has no time zone; end it with Z or an offset such as +01:00")
            return None
        try:
            return moment.astimezone(UTC)
        except OverflowError:
            self.problem(column, f"'{value}' is out of range")
            return None

    def person_in(self, column: str, value: str, person: Callable[[str], str | None]) -> str | None:
        """The person ``value`` names (``person``: the importer's lookup by id, e-mail or alias), else reported."""
        person_id = person(value)
        if person_id is None:
            self.problem(column, f"unknown person '{value}' (not the id, e-mail or alias of anyone in the org)")
        return person_id


def read_csv(
    data: bytes,
    name: str,
    required: tuple[str, ...],
    optional: tuple[str, ...],
    on_progress: ProgressCallback | None = None,
) -> ParsedFile:
    """Decode and split a CSV file; header problems and malformed rows are recorded, not raised."""
    parsed = ParsedFile(name=name, sha256=hashlib.sha256(data).hexdigest(), columns={}, rows=[])
    text, problem = _decode(data, name)
    if text is None:
        assert problem is not None
        parsed.header_ok = False
        parsed.problems.append(problem)
        return parsed
    records = _records(text)
    try:
        header_line, header = next(records, (1, []))
        for index, raw in enumerate(header):
            column = raw.strip().lower()
            if column in parsed.columns:
                parsed.problems.append(Problem(name, header_line, index + 1, f"column '{column}' appears twice"))
            elif column in required or column in optional:
                parsed.columns[column] = index
            else:
                parsed.warnings.append(
                    Problem(name, header_line, index + 1, f"unknown column '{raw.strip()}' is ignored")
                )
        for column in required:
            if column not in parsed.columns:
                parsed.header_ok = False
                parsed.problems.append(
                    Problem(name, header_line, len(header) + 1, f"missing required column '{column}'")
                )
        width = len(header)
        for count, (line, record) in enumerate(records, start=1):
            if len(record) != width:
                parsed.misshapen_rows.append((line, record))
                parsed.problems.append(
                    Problem(
                        name,
                        line,
                        min(len(record), width) + 1,
                        f"the row has {len(record)} fields but the header has {width}",
                    )
                )
            else:
                parsed.rows.append((line, record))
            if on_progress is not None and count % 1000 == 0:
                on_progress(1000)
    except _MalformedRecordError as error:
        parsed.complete = False
        parsed.problems.append(
            Problem(name, error.line, 1, f"malformed CSV in the record starting here: {error}; reading stopped")
        )
    if on_progress is not None:
        on_progress(len(parsed.rows) % 1000)
    return parsed


def split_list(value: str) -> tuple[str, ...]:
    """A semicolon-separated cell as a tuple of its non-empty, stripped items (order kept, repeats dropped)."""
    return tuple(dict.fromkeys(item.strip() for item in value.split(";") if item.strip()))


# An ASCII dot-atom local part, which email_validator accepts as it is; anything else takes the full check.
_PLAIN_LOCAL_PART = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")


@lru_cache(maxsize=4096)
def _valid_domain(domain: str) -> str | None:
    """A domain checked once per import (a company's people share a few): its normalised form, or None."""
    try:
        return validate_email(f"postmaster@{domain}", check_deliverability=False).domain.lower()
    except EmailNotValidError:
        return None


def _valid_email(value: str) -> str | None:
    """The address, normalised and lower-cased, or None when it is not valid."""
    local, at, domain = value.rpartition("@")
    if at and len(local) <= 64 and len(value) <= 254 and _PLAIN_LOCAL_PART.fullmatch(local):
        normalised_domain = _valid_domain(domain)
        return f"{local.lower()}@{normalised_domain}" if normalised_domain else None
    try:
        return validate_email(value, check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        return None


def parse_people(data: bytes, name: str = "people.csv", on_progress: ProgressCallback | None = None) -> ParsedFile:
    return read_csv(data, name, PEOPLE_REQUIRED, PEOPLE_OPTIONAL, on_progress)


def validate_people(parsed: ParsedFile, on_progress: ProgressCallback | None = None) -> list[PersonRow]:
    """Check every row and the reporting lines as a whole; problems go into ``parsed.problems``."""
    if not parsed.header_ok:
        return []
    people: list[PersonRow] = []
    first_line_of_id: dict[str, int] = {}
    first_line_of_email: dict[str, int] = {}
    owner_of_alias: dict[str, tuple[str, int]] = {}
    reporting: list[tuple[str, str | None, int]] = []  # (id, manager id, line) of every row with a usable id
    for count, record in enumerate(parsed.rows, start=1):
        line = record[0]
        problems_before = len(parsed.problems)
        person_id = parsed.value(record, "id")
        if person_id == "":
            parsed.problem(line, "id", "is required")
        elif person_id is not None and person_id in first_line_of_id:
            parsed.problem(line, "id", f"duplicate id '{person_id}' (first on line {first_line_of_id[person_id]})")
        elif person_id is not None:
            first_line_of_id[person_id] = line
            reporting.append((person_id, parsed.cell(record, "manager_id") or None, line))
        person_name = parsed.value(record, "name")
        if person_name == "":
            parsed.problem(line, "name", "is required")
        email = _checked_email(parsed, record, first_line_of_email)
        raw_function = parsed.cell(record, "function")
        if raw_function.lower() not in FUNCTIONS:
            choices = ", ".join(f.value for f in Function)
            parsed.problem(line, "function", f"'{raw_function}' is not one of {choices}")
        raw_level = parsed.cell(record, "level")
        level = int(raw_level) if _LEVEL.fullmatch(raw_level) else 0
        if not 1 <= level <= MAX_LEVEL:
            parsed.problem(line, "level", f"'{raw_level}' is not a whole number from 1 to {MAX_LEVEL}")
        title, team = parsed.value(record, "title"), parsed.value(record, "team")
        aliases = _checked_aliases(parsed, record, person_id or "", owner_of_alias)
        if len(parsed.problems) == problems_before:
            assert person_id and person_name and email
            people.append(
                PersonRow(
                    id=person_id,
                    name=person_name,
                    email=email,
                    function=Function(raw_function.lower()),
                    level=level,
                    manager_id=parsed.cell(record, "manager_id") or None,
                    title=title or None,
                    team=team or None,
                    aliases=tuple(a for a in aliases if a != email),
                    line=line,
                )
            )
        if on_progress is not None and count % 1000 == 0:
            on_progress(1000)
    # A row with the wrong number of fields is already reported; its id still exists for the rows below it.
    for record in parsed.misshapen_rows:
        person_id = parsed.cell(record, "id")
        if person_id and person_id not in first_line_of_id:
            first_line_of_id[person_id] = record[0]
            reporting.append((person_id, parsed.cell(record, "manager_id") or None, record[0]))
    _check_aliases_against_emails(parsed, people, first_line_of_email)
    if parsed.complete:
        _check_reporting_lines(parsed, sorted(reporting, key=lambda entry: entry[2]))
    return people


def _checked_email(
    parsed: ParsedFile, record: tuple[int, list[str]], first_line_of_email: dict[str, int]
) -> str | None:
    line = record[0]
    raw_email = parsed.value(record, "email")
    if raw_email is None:
        return None
    if not raw_email:
        parsed.problem(line, "email", "is required")
        return None
    email = _valid_email(raw_email)
    if email is None:
        parsed.problem(line, "email", f"'{raw_email}' is not a valid e-mail address")
    elif email in first_line_of_email:
        parsed.problem(line, "email", f"duplicate email '{raw_email}' (first on line {first_line_of_email[email]})")
        return None
    else:
        first_line_of_email[email] = line
    return email


def _checked_aliases(
    parsed: ParsedFile,
    record: tuple[int, list[str]],
    person_id: str,
    owner_of_alias: dict[str, tuple[str, int]],
) -> tuple[str, ...]:
    line = record[0]
    aliases = tuple(dict.fromkeys(alias.lower() for alias in split_list(parsed.value(record, "aliases") or "")))
    for alias in aliases:
        if len(alias) > MAX_ITEM_LENGTH:
            parsed.problem(line, "aliases", f"alias '{alias[:20]}…' is longer than {MAX_ITEM_LENGTH} characters")
        elif alias in owner_of_alias and owner_of_alias[alias][0] != person_id:
            owner, owner_line = owner_of_alias[alias]
            parsed.problem(line, "aliases", f"alias '{alias}' already belongs to '{owner}' (line {owner_line})")
        else:
            owner_of_alias[alias] = (person_id, line)
    return aliases


def _check_aliases_against_emails(parsed: ParsedFile, people: list[PersonRow], email_line: dict[str, int]) -> None:
    owner_of_email = {person.email: person.id for person in people}
    for person in people:
        for alias in person.aliases:
            owner = owner_of_email.get(alias)
            if owner is not None and owner != person.id:
                parsed.problem(
                    person.line,
                    "aliases",
                    f"alias '{alias}' is the email of '{owner}' (line {email_line[alias]})",
                )


def _check_reporting_lines(parsed: ParsedFile, reporting: list[tuple[str, str | None, int]]) -> None:
    """Unknown managers, self-management, zero or several roots, and cycles, over every row with an id."""
    line_of = {person_id: line for person_id, _, line in reporting}
    manager_of: dict[str, str | None] = {}
    roots: list[tuple[str, int]] = []
    for person_id, manager_id, line in reporting:
        if manager_id is None:
            roots.append((person_id, line))
            manager_of[person_id] = None
        elif manager_id == person_id:
            parsed.problem(line, "manager_id", f"'{person_id}' cannot be their own manager")
        elif manager_id not in line_of:
            parsed.problem(line, "manager_id", f"unknown manager '{manager_id}'")
        else:
            manager_of[person_id] = manager_id
    if not parsed.rows and not parsed.misshapen_rows:
        parsed.problems.append(Problem(parsed.name, 1, 1, "the file has no people"))
    elif not roots and reporting:
        parsed.problem(reporting[0][2], "manager_id", "no root: exactly one person must have an empty manager_id")
    for extra_id, extra_line in roots[1:]:
        parsed.problem(
            extra_line,
            "manager_id",
            f"a second root: '{extra_id}' has no manager, "
            f"but '{roots[0][0]}' on line {roots[0][1]} is already the root",
        )
    # Walk up from everyone; a walk that meets its own path has found a cycle (reported once, at its first line).
    settled: set[str] = set()
    for start in manager_of:
        path: list[str] = []
        on_path: set[str] = set()
        current: str | None = start
        while current is not None and current not in settled and current in manager_of:
            if current in on_path:
                cycle = path[path.index(current) :]
                first = min(cycle, key=line_of.__getitem__)
                rotated = cycle[cycle.index(first) :] + cycle[: cycle.index(first)]
                parsed.problem(line_of[first], "manager_id", "management cycle: " + " → ".join([*rotated, first]))
                break
            path.append(current)
            on_path.add(current)
            current = manager_of[current]
        settled.update(path)


def parse_teams(data: bytes, name: str = "teams.csv") -> ParsedFile:
    return read_csv(data, name, TEAMS_REQUIRED, TEAMS_OPTIONAL)


def validate_teams(parsed: ParsedFile, people_file: ParsedFile) -> list[TeamRow]:
    """Check every team row; leads and managers must be people in the people file (by id or e-mail)."""
    if not parsed.header_ok:
        return []
    people_rows = people_file.rows + people_file.misshapen_rows
    by_id = {person_id for record in people_rows if (person_id := people_file.cell(record, "id"))}
    by_email = {people_file.cell(record, "email").lower(): people_file.cell(record, "id") for record in people_rows}
    # An unreadable or cut-short people file is already reported; resolving against it would only add noise.
    can_resolve = people_file.header_ok and people_file.complete

    def resolve(line: int, column: str, value: str) -> str | None:
        if value in by_id:
            return value
        if value.lower() in by_email:
            return by_email[value.lower()]
        parsed.problem(line, column, f"'{value}' is not in the people file (by id or email)")
        return None

    teams: list[TeamRow] = []
    first_line_of_team: dict[str, int] = {}
    tracker_owner: dict[tuple[str, str], tuple[str, int]] = {}
    for record in parsed.rows:
        line = record[0]
        problems_before = len(parsed.problems)
        team = parsed.value(record, "team")
        if team == "":
            parsed.problem(line, "team", "is required")
        elif team is not None and team.lower() in first_line_of_team:
            parsed.problem(line, "team", f"duplicate team '{team}' (first on line {first_line_of_team[team.lower()]})")
        elif team is not None:
            first_line_of_team[team.lower()] = line
        resolved: dict[str, str | None] = {}
        for column in ("product_lead", "engineering_lead", "accountable_manager"):
            value = parsed.cell(record, column)
            resolved[column] = resolve(line, column, value) if value and can_resolve else None
        lists: dict[str, tuple[str, ...]] = {}
        for column in TRACKER_COLUMNS:
            first_spelling: dict[str, str] = {}
            for key in split_list(parsed.value(record, column) or ""):
                first_spelling.setdefault(key.lower(), key)  # tracker keys are case-insensitive
            lists[column] = tuple(first_spelling.values())
            for key in lists[column]:
                owner = tracker_owner.setdefault((column, key.lower()), (team or "", line))
                if len(key) > MAX_ITEM_LENGTH:
                    parsed.problem(line, column, f"'{key[:20]}…' is longer than {MAX_ITEM_LENGTH} characters")
                elif owner[1] != line:
                    parsed.problem(line, column, f"'{key}' is already mapped to team '{owner[0]}' (line {owner[1]})")
        if len(parsed.problems) == problems_before:
            assert team
            teams.append(
                TeamRow(
                    team=team,
                    product_lead=resolved["product_lead"],
                    engineering_lead=resolved["engineering_lead"],
                    accountable_manager=resolved["accountable_manager"],
                    jira_projects=lists["jira_projects"],
                    github_repos=lists["github_repos"],
                    linear_teams=lists["linear_teams"],
                    line=line,
                )
            )
    return teams


def same_team_names(people: list[PersonRow], known: Iterable[str]) -> list[PersonRow]:
    """People with their team spelled as already known (team names are case-insensitive), else as first seen."""
    canonical: dict[str, str] = {}
    for name in known:
        canonical.setdefault(name.lower(), name)
    result = []
    for person in people:
        if person.team is not None:
            spelling = canonical.setdefault(person.team.lower(), person.team)
            if spelling != person.team:
                person = replace(person, team=spelling)
        result.append(person)
    return result


def read_org(
    people_data: bytes,
    people_name: str = "people.csv",
    teams_data: bytes | None = None,
    teams_name: str = "teams.csv",
    on_progress: ProgressCallback | None = None,
) -> OrgFile:
    """Parse and validate an org; raises ImportRejectedError with every problem of both files."""
    people_file = parse_people(people_data, people_name, on_progress)
    people = validate_people(people_file, on_progress)
    problems = list(people_file.problems)
    warnings = list(people_file.warnings)
    teams: list[TeamRow] | None = None
    teams_sha256 = None
    if teams_data is not None:
        teams_file = parse_teams(teams_data, teams_name)
        teams = validate_teams(teams_file, people_file)
        problems += teams_file.problems
        warnings += teams_file.warnings
        teams_sha256 = teams_file.sha256
        people = same_team_names(people, (team.team for team in teams))
    else:
        people = same_team_names(people, ())
    if problems:
        raise ImportRejectedError(problems)
    return OrgFile(
        people=people,
        teams=teams,
        people_sha256=people_file.sha256,
        teams_sha256=teams_sha256,
        warnings=sorted(warnings),
        people_file=people_name,
        teams_file=teams_name,
        team_column=people_file.column_number("team"),
    )
