"""Validation of the people and teams files: every problem found at once, each at its line and column."""

from __future__ import annotations

import pytest
from email_validator import EmailNotValidError, validate_email

from factories import TEAMS_HEADER, person, small_org, small_teams, to_csv
from tandem.org.importer import ImportRejectedError, OrgFile, Problem, _valid_email, read_org
from tandem.org.models import Function


def rejected(people: bytes, teams: bytes | None = None) -> list[str]:
    with pytest.raises(ImportRejectedError) as caught:
        read_org(people, "people.csv", teams, "teams.csv")
    return [str(problem) for problem in caught.value.problems]


def test_a_good_org_is_read_with_its_fields() -> None:
    org = read_org(to_csv(small_org()), "people.csv", to_csv(small_teams(), TEAMS_HEADER), "teams.csv")
    pm = next(p for p in org.people if p.id == "pm1")
    assert (pm.function, pm.level, pm.manager_id, pm.team) == (Function.PRODUCT, 6, "gm", "Payments")
    assert pm.aliases == ("pmone", "557058:aa")
    assert org.teams is not None
    assert org.teams[0].engineering_lead == "em1"  # given by e-mail, resolved to the id
    assert org.teams[0].jira_projects == ("PAY",)


def test_column_order_is_free_and_function_is_case_insensitive() -> None:
    rows = small_org()
    rows[1]["function"] = "Product"
    header = ["level", "manager_id", "id", "email", "function", "name"]
    org = read_org(to_csv(rows, header), "people.csv")
    assert next(p for p in org.people if p.id == "cpo").function == Function.PRODUCT


def test_unknown_columns_are_ignored_with_a_warning() -> None:
    rows = [dict(r, cost_center="42") for r in small_org()]
    org = read_org(to_csv(rows), "people.csv")
    assert [str(w) for w in org.warnings] == ["people.csv:1:10: unknown column 'cost_center' is ignored"]


def test_a_missing_required_column_is_reported_on_the_header_line() -> None:
    header = ["id", "name", "email", "function", "manager_id"]
    assert rejected(to_csv(small_org(), header)) == ["people.csv:1:6: missing required column 'level'"]


def test_duplicate_id_names_both_lines() -> None:
    rows = [*small_org(), person("dev1", "em1", email="other@example.com")]
    assert rejected(to_csv(rows)) == ["people.csv:9:1: id: duplicate id 'dev1' (first on line 8)"]


def test_duplicate_email_is_case_insensitive() -> None:
    rows = [*small_org(), person("dev2", "em1", email="DEV1@example.com")]
    assert rejected(to_csv(rows)) == ["people.csv:9:3: email: duplicate email 'DEV1@example.com' (first on line 8)"]


def test_an_invalid_email_is_reported() -> None:
    rows = [*small_org(), person("dev2", "em1", email="not-an-address")]
    assert rejected(to_csv(rows)) == ["people.csv:9:3: email: 'not-an-address' is not a valid e-mail address"]


def test_a_bad_function_is_reported() -> None:
    rows = [*small_org(), person("dev2", "em1", function="sales")]
    assert rejected(to_csv(rows)) == [
        "people.csv:9:4: function: 'sales' is not one of product, engineering, design, data, other"
    ]


@pytest.mark.parametrize("level", ["0", "-1", "senior", "4.5", "", "²", "1000", "9" * 5000])
def test_a_bad_level_is_reported(level: str) -> None:
    rows = [*small_org(), dict(person("dev2", "em1"), level=level)]
    assert rejected(to_csv(rows)) == [f"people.csv:9:5: level: '{level}' is not a whole number from 1 to 999"]


def test_a_file_with_only_a_header_is_rejected_rather_than_emptying_the_org() -> None:
    assert rejected(b"id,name,email,function,level,manager_id\n\n\n") == ["people.csv:1:1: the file has no people"]


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("id", "x" * 129, "id: is 129 characters long; the most is 128"),
        ("name", "n" * 301, "name: is 301 characters long; the most is 300"),
        ("team", "t" * 201, "team: is 201 characters long; the most is 200"),
        ("name", "Nul\x00Byte", "name: contains a NUL character"),
    ],
)
def test_values_the_database_cannot_hold_are_reported(column: str, value: str, message: str) -> None:
    rows = [*small_org(), person("dev2", "em1", **{column: value})]
    column_number = list(rows[0]).index(column) + 1
    assert rejected(to_csv(rows)) == [f"people.csv:9:{column_number}: {message}"]


def test_a_misshapen_row_still_counts_as_a_manager_for_the_rows_below() -> None:
    data = to_csv(small_org()) + b"lead,Lead,lead@example.com,engineering,6,em1\n"
    data += to_csv([person("dev2", "lead")]).split(b"\n", 1)[1]
    assert rejected(data) == ["people.csv:9:7: the row has 6 fields but the header has 9"]


def test_an_invalid_root_row_does_not_add_a_false_no_root() -> None:
    rows = small_org()
    rows[0]["email"] = "not-an-address"
    assert rejected(to_csv(rows)) == ["people.csv:2:3: email: 'not-an-address' is not a valid e-mail address"]


def test_malformed_csv_is_reported_where_its_record_starts_and_stops_cross_row_checks() -> None:
    data = to_csv(small_org()).replace(b"Person DEV1", b'"Dev"x')
    assert rejected(data) == [
        "people.csv:8:1: malformed CSV in the record starting here: ',' expected after '\"'; reading stopped"
    ]


def test_an_unterminated_quote_is_reported_where_it_opens() -> None:
    data = to_csv(small_org()).replace(b"Person DEV1", b'"Dev') + to_csv([person("dev2", "em1")]).split(b"\n", 1)[1]
    assert rejected(data)[0].startswith("people.csv:8:1: malformed CSV in the record starting here")


def test_unicode_line_separators_inside_values_are_just_characters() -> None:
    rows = small_org()
    rows[6]["name"] = "Ro\u2028o\x0ct\x1ex"
    org = read_org(to_csv(rows), "people.csv")
    assert next(p for p in org.people if p.id == "dev1").name == "Ro\u2028o\x0ct\x1ex"


def test_crlf_line_endings_are_read() -> None:
    org = read_org(to_csv(small_org()).replace(b"\n", b"\r\n"), "people.csv")
    assert len(org.people) == 7


def test_a_non_utf8_byte_is_located_in_characters_not_bytes() -> None:
    data = to_csv(small_org()).replace(b"Person DEV1", "Jösé Ü ".encode() + b"\xe9")
    assert rejected(data) == ["people.csv:8:13: the file is not UTF-8 (byte 0xe9); save it as UTF-8"]


def test_a_byte_order_mark_does_not_shift_the_first_line() -> None:
    data = b"\xef\xbb\xbfid,na\xe9me,email,function,level,manager_id\n"
    assert rejected(data) == ["people.csv:1:6: the file is not UTF-8 (byte 0xe9); save it as UTF-8"]


def test_an_unknown_manager_is_reported() -> None:
    rows = [*small_org(), person("dev2", "nobody")]
    assert rejected(to_csv(rows)) == ["people.csv:9:6: manager_id: unknown manager 'nobody'"]


def test_a_management_cycle_is_reported_once_at_its_first_line() -> None:
    rows = [*small_org(), person("a", "c"), person("b", "a"), person("c", "b")]
    assert rejected(to_csv(rows)) == ["people.csv:9:6: manager_id: management cycle: a → c → b → a"]


def test_someone_managing_themselves_is_reported() -> None:
    rows = [*small_org(), person("a", "a")]
    assert rejected(to_csv(rows)) == ["people.csv:9:6: manager_id: 'a' cannot be their own manager"]


def test_two_roots_are_reported_at_the_second() -> None:
    rows = [*small_org(), person("founder", "")]
    assert rejected(to_csv(rows)) == [
        "people.csv:9:6: manager_id: a second root: 'founder' has no manager, but 'ceo' on line 2 is already the root"
    ]


def test_an_unreadable_encoding_is_reported_at_its_byte() -> None:
    data = to_csv(small_org()).replace(b"Person DEV1", "Ren\xe9e".encode("latin-1"))
    assert rejected(data) == ["people.csv:8:9: the file is not UTF-8 (byte 0xe9); save it as UTF-8"]


def test_a_byte_order_mark_is_accepted() -> None:
    org = read_org(b"\xef\xbb\xbf" + to_csv(small_org()), "people.csv")
    assert len(org.people) == 7


def test_a_row_with_too_many_fields_is_reported() -> None:
    data = to_csv(small_org()) + b"x,X,x@example.com,engineering,4,em1,,,,extra\n"
    assert rejected(data) == ["people.csv:9:10: the row has 10 fields but the header has 9"]


def test_line_numbers_count_quoted_multi_line_fields() -> None:
    rows = small_org()
    rows[1]["title"] = "Chief\nProduct Officer"
    rows.append(person("dev2", "nobody"))
    assert rejected(to_csv(rows)) == ["people.csv:10:6: manager_id: unknown manager 'nobody'"]


def test_an_alias_held_by_two_people_is_reported() -> None:
    rows = [*small_org(), person("dev2", "em1", aliases="emone")]
    assert rejected(to_csv(rows)) == ["people.csv:9:9: aliases: alias 'emone' already belongs to 'em1' (line 7)"]


def test_every_problem_is_reported_in_one_pass() -> None:
    rows = [
        *small_org(),
        person("dev2", "nobody"),
        person("dev3", "em1", function="sales"),
        person("dev1", "em1", email="x@example.com"),
    ]
    assert rejected(to_csv(rows)) == [
        "people.csv:9:6: manager_id: unknown manager 'nobody'",
        "people.csv:10:4: function: 'sales' is not one of product, engineering, design, data, other",
        "people.csv:11:1: id: duplicate id 'dev1' (first on line 8)",
    ]


def test_a_lead_not_in_the_people_file_is_reported() -> None:
    teams = small_teams()
    teams[0]["engineering_lead"] = "ghost@example.com"
    assert rejected(to_csv(small_org()), to_csv(teams, TEAMS_HEADER)) == [
        "teams.csv:2:3: engineering_lead: 'ghost@example.com' is not in the people file (by id or email)"
    ]


def test_a_duplicate_team_is_reported() -> None:
    teams = [*small_teams(), dict(small_teams()[0], team="payments", jira_projects="", github_repos="")]
    assert rejected(to_csv(small_org()), to_csv(teams, TEAMS_HEADER)) == [
        "teams.csv:3:1: team: duplicate team 'payments' (first on line 2)"
    ]


def test_a_tracker_project_mapped_to_two_teams_is_reported() -> None:
    teams = [*small_teams(), dict(small_teams()[0], team="Checkout", github_repos="")]
    assert rejected(to_csv(small_org()), to_csv(teams, TEAMS_HEADER)) == [
        "teams.csv:3:5: jira_projects: 'PAY' is already mapped to team 'Payments' (line 2)"
    ]


def test_team_names_are_spelled_as_in_the_teams_file() -> None:
    rows = [*small_org(), person("dev2", "em1", team="PAYMENTS")]
    org = read_org(to_csv(rows), "people.csv", to_csv(small_teams(), TEAMS_HEADER), "teams.csv")
    assert {p.team for p in org.people if p.team} == {"Payments"}


def test_tracker_keys_repeated_in_another_case_are_kept_once() -> None:
    teams = [dict(small_teams()[0], jira_projects="PAY;pay;Core")]
    org = read_org(to_csv(small_org()), "people.csv", to_csv(teams, TEAMS_HEADER), "teams.csv")
    assert org.teams is not None and org.teams[0].jira_projects == ("PAY", "Core")


def test_problems_in_both_files_are_reported_together() -> None:
    teams = small_teams()
    teams[0]["product_lead"] = "nobody"
    rows = [*small_org(), person("dev2", "em1", level=0)]
    assert rejected(to_csv(rows), to_csv(teams, TEAMS_HEADER)) == [
        "people.csv:9:5: level: '0' is not a whole number from 1 to 999",
        "teams.csv:2:2: product_lead: 'nobody' is not in the people file (by id or email)",
    ]


def test_problem_renders_as_file_line_column() -> None:
    assert str(Problem("p.csv", 3, 4, "level: bad")) == "p.csv:3:4: level: bad"


def test_read_org_returns_hashes_of_both_files() -> None:
    org: OrgFile = read_org(to_csv(small_org()), "people.csv", to_csv(small_teams(), TEAMS_HEADER), "teams.csv")
    assert len(org.people_sha256) == 64
    assert org.teams_sha256 is not None
    assert org.teams_sha256 != org.people_sha256


@pytest.mark.parametrize(
    "address",
    [
        "a@b.com",
        "A.B@Example.COM",
        "a..b@x.com",
        ".a@x.com",
        "a.@x.com",
        "a@x",
        "a@-x.com",
        "a@x..com",
        "a b@x.com",
        '"q"@x.com',
        "ü@x.com",
        "a@xn--bcher-kva.ch",
        "a@bücher.ch",
        "x@localhost",
        "a+tag@sub.example.org",
        "o'neil@x.ie",
        "a@[1.2.3.4]",
        "a" * 65 + "@x.com",
        "a@x.123",
    ],
)
def test_the_fast_email_check_agrees_with_email_validator(address: str) -> None:
    try:
        expected: str | None = validate_email(address, check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        expected = None
    assert _valid_email(address) == expected
