"""Reading and validating the people and teams CSV files, with no database in sight.

Every problem in a file is collected, each with its line and column, so that a user fixes the whole file in
one pass; a file with any problem is rejected whole.
"""

from __future__ import annotations

import csv
import hashlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
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

    def cell(self, line_and_row: tuple[int, list[str]], column: str) -> str:
        index = self.columns.get(column)
        _, row = line_and_row
        if index is None or index >= len(row):
            return ""
        return row[index].strip()

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

    def snapshot(self) -> OrgSnapshot:
        """The org as the pure analysis sees it, straight from the files (no database)."""
        people = [
            PersonNode(p.id, p.name, p.function, p.level, p.manager_id, title=p.title, team=p.team) for p in self.people
        ]
        teams = [TeamNode(t.team, t.product_lead, t.engineering_lead, t.accountable_manager) for t in self.teams or []]
        return OrgSnapshot.of(people, teams)


def _decode(data: bytes, name: str) -> tuple[str | None, Problem | None]:
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        return None, Problem(
            name, line, column, f"the file is not UTF-8 (byte 0x{data[error.start]:02x}); save it as UTF-8"
        )


def _records(text: str) -> Iterator[tuple[int, list[str]]]:
    """Yield (first line, fields) for each non-blank record; quoted fields may span lines."""
    reader = csv.reader(text.splitlines(keepends=True), strict=True)
    previous_end = 0
    for record in reader:
        start = previous_end + 1
        previous_end = reader.line_num
        if record and any(cell.strip() for cell in record):
            yield start, record


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
    except csv.Error as error:
        parsed.problems.append(Problem(name, _line_of_csv_error(text, error), 1, f"malformed CSV: {error}"))
    if on_progress is not None:
        on_progress(len(parsed.rows) % 1000)
    return parsed


def _line_of_csv_error(text: str, error: csv.Error) -> int:
    # csv.Error carries no position; re-read up to the failure to count the lines consumed.
    reader = csv.reader(text.splitlines(keepends=True), strict=True)
    try:
        for _ in reader:
            pass
    except csv.Error:
        return reader.line_num
    return 1


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
    for count, record in enumerate(parsed.rows, start=1):
        line = record[0]
        ok = True
        person_id = parsed.cell(record, "id")
        if not person_id:
            parsed.problem(line, "id", "is required")
            ok = False
        elif person_id in first_line_of_id:
            parsed.problem(line, "id", f"duplicate id '{person_id}' (first on line {first_line_of_id[person_id]})")
            ok = False
        else:
            first_line_of_id[person_id] = line
        person_name = parsed.cell(record, "name")
        if not person_name:
            parsed.problem(line, "name", "is required")
            ok = False
        raw_email = parsed.cell(record, "email")
        email = _valid_email(raw_email) if raw_email else None
        if not raw_email:
            parsed.problem(line, "email", "is required")
            ok = False
        elif email is None:
            parsed.problem(line, "email", f"'{raw_email}' is not a valid e-mail address")
            ok = False
        elif email in first_line_of_email:
            parsed.problem(line, "email", f"duplicate email '{raw_email}' (first on line {first_line_of_email[email]})")
            ok = False
        else:
            first_line_of_email[email] = line
        raw_function = parsed.cell(record, "function").lower()
        if raw_function not in FUNCTIONS:
            parsed.problem(
                line,
                "function",
                f"'{parsed.cell(record, 'function')}' is not one of {', '.join(f.value for f in Function)}",
            )
            ok = False
        raw_level = parsed.cell(record, "level")
        level = int(raw_level) if raw_level.isdigit() else 0
        if level < 1:
            parsed.problem(line, "level", f"'{raw_level}' is not a whole number of 1 or more")
            ok = False
        aliases = tuple(alias.lower() for alias in split_list(parsed.cell(record, "aliases")))
        for alias in aliases:
            if alias in owner_of_alias and owner_of_alias[alias][0] != person_id:
                owner, owner_line = owner_of_alias[alias]
                parsed.problem(line, "aliases", f"alias '{alias}' already belongs to '{owner}' (line {owner_line})")
                ok = False
            else:
                owner_of_alias[alias] = (person_id, line)
        if ok:
            assert email is not None
            people.append(
                PersonRow(
                    id=person_id,
                    name=person_name,
                    email=email,
                    function=Function(raw_function),
                    level=level,
                    manager_id=parsed.cell(record, "manager_id") or None,
                    title=parsed.cell(record, "title") or None,
                    team=parsed.cell(record, "team") or None,
                    aliases=tuple(a for a in aliases if a != email),
                    line=line,
                )
            )
        if on_progress is not None and count % 1000 == 0:
            on_progress(1000)
    _check_aliases_against_emails(parsed, people, first_line_of_email)
    _check_reporting_lines(parsed, people, first_line_of_id)
    return people


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


def _check_reporting_lines(parsed: ParsedFile, people: list[PersonRow], id_line: dict[str, int]) -> None:
    """Unknown managers, self-management, zero or several roots, and cycles."""
    manager_of: dict[str, str | None] = {}
    line_of = {person.id: person.line for person in people}
    roots: list[PersonRow] = []
    for person in people:
        if person.manager_id is None:
            roots.append(person)
            manager_of[person.id] = None
        elif person.manager_id == person.id:
            parsed.problem(person.line, "manager_id", f"'{person.id}' cannot be their own manager")
        elif person.manager_id not in id_line:
            parsed.problem(person.line, "manager_id", f"unknown manager '{person.manager_id}'")
        else:
            manager_of[person.id] = person.manager_id
    if not roots and people:
        parsed.problem(people[0].line, "manager_id", "no root: exactly one person must have an empty manager_id")
    for extra in roots[1:]:
        parsed.problem(
            extra.line,
            "manager_id",
            f"a second root: '{extra.id}' has no manager, but '{roots[0].id}' on line {roots[0].line} "
            "is already the root",
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
                first = min(cycle, key=lambda pid: line_of.get(pid, 0))
                rotated = cycle[cycle.index(first) :] + cycle[: cycle.index(first)]
                parsed.problem(
                    line_of[first],
                    "manager_id",
                    "management cycle: " + " → ".join([*rotated, first]),
                )
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
    by_id = {parsed_id for record in people_file.rows if (parsed_id := people_file.cell(record, "id"))}
    by_email = {
        people_file.cell(record, "email").lower(): people_file.cell(record, "id") for record in people_file.rows
    }

    def resolve(line: int, column: str, value: str) -> tuple[bool, str | None]:
        if not value or not people_file.header_ok:  # an unreadable people file is already reported
            return True, None
        if value in by_id:
            return True, value
        if value.lower() in by_email:
            return True, by_email[value.lower()]
        parsed.problem(line, column, f"'{value}' is not in the people file (by id or email)")
        return False, None

    teams: list[TeamRow] = []
    first_line_of_team: dict[str, int] = {}
    tracker_owner: dict[tuple[str, str], tuple[str, int]] = {}
    for record in parsed.rows:
        line = record[0]
        ok = True
        team = parsed.cell(record, "team")
        if not team:
            parsed.problem(line, "team", "is required")
            ok = False
        elif team.lower() in first_line_of_team:
            parsed.problem(line, "team", f"duplicate team '{team}' (first on line {first_line_of_team[team.lower()]})")
            ok = False
        else:
            first_line_of_team[team.lower()] = line
        resolved: dict[str, str | None] = {}
        for column in ("product_lead", "engineering_lead", "accountable_manager"):
            found, person_id = resolve(line, column, parsed.cell(record, column))
            ok = ok and found
            resolved[column] = person_id
        lists: dict[str, tuple[str, ...]] = {}
        for column in TRACKER_COLUMNS:
            lists[column] = split_list(parsed.cell(record, column))
            for key in lists[column]:
                owner = tracker_owner.setdefault((column, key.lower()), (team, line))
                if owner[0] != team:
                    parsed.problem(line, column, f"'{key}' is already mapped to team '{owner[0]}' (line {owner[1]})")
                    ok = False
        if ok:
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
        named = {team.team for team in teams}
        for person in people:
            if person.team is not None and person.team not in named:
                named.add(person.team)
                warnings.append(
                    Problem(
                        people_name,
                        person.line,
                        people_file.column_number("team"),
                        f"team '{person.team}' is not in {teams_name}; it is created without leads",
                    )
                )
    if problems:
        raise ImportRejectedError(problems)
    return OrgFile(
        people=people,
        teams=teams,
        people_sha256=people_file.sha256,
        teams_sha256=teams_sha256,
        warnings=sorted(warnings),
    )
