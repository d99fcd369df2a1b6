"""A seeded synthetic organisation with structural problems planted in it, and the ground truth to check against.

Pure: the same seed gives the same rows, nothing touches a database, and only ``write_demo`` writes files. The
ground truth lets a demo (or a test) show that the walk finds exactly what was planted and nothing in the
healthy teams, including near-threshold ones (leads one level apart) that must not be flagged.

Shape: a CEO over a CTO, a CPO, design and data heads, and one General Manager per business group. Each group
has its own head of product and head of engineering under its GM, so a healthy team's two leads meet at the
GM, two hops up. Planted problems bend exactly one thing per team.
"""

from __future__ import annotations

import csv
import io
import json
import random
import re
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path

from faker import Faker

from tandem.org.importer import PEOPLE_OPTIONAL, PEOPLE_REQUIRED, TEAMS_OPTIONAL, TEAMS_REQUIRED

PEOPLE_COLUMNS = PEOPLE_REQUIRED + PEOPLE_OPTIONAL
TEAMS_COLUMNS = TEAMS_REQUIRED + TEAMS_OPTIONAL

POWER_GAP = "power_gap"
DISTANT_ACCOUNTABLE_MANAGER = "distant_accountable_manager"
MISSING_COUNTERPART = "missing_counterpart"

# The team problems, in planting order: one of each kind comes first so that a small org still gets variety.
_TEAM_PLANTS: tuple[tuple[str, str], ...] = (
    (POWER_GAP, "level_gap"),
    (DISTANT_ACCOUNTABLE_MANAGER, "distant"),
    (MISSING_COUNTERPART, "no_engineering_lead"),
    (POWER_GAP, "reports_to_counterpart"),
    (POWER_GAP, "level_gap"),
    (DISTANT_ACCOUNTABLE_MANAGER, "distant"),
    (MISSING_COUNTERPART, "no_product_lead"),
    (MISSING_COUNTERPART, "same_person_in_both_seats"),
    (POWER_GAP, "level_gap"),
    (DISTANT_ACCOUNTABLE_MANAGER, "distant"),
)
_HEALTHY_RESERVE = 2
"""Teams never planted, so that even a tiny org keeps healthy near-threshold confounders."""

# (product lead level, engineering lead level) for a planted level gap: two or more apart, either way round.
_LEVEL_GAPS = ((4, 6), (4, 7), (5, 7), (7, 5))

_PRODUCT_LEAD_TITLES = {
    4: "Associate Product Manager",
    5: "Product Manager",
    6: "Senior Product Manager",
    7: "Principal Product Manager",
}
_ENGINEERING_LEAD_TITLES = {5: "Tech Lead", 6: "Engineering Manager", 7: "Senior Engineering Manager"}
_ENGINEER_TITLES = {3: "Associate Software Engineer", 4: "Software Engineer", 5: "Senior Software Engineer"}
_DESIGNER_TITLES = {4: "Product Designer", 5: "Senior Product Designer"}
_DATA_TITLES = {4: "Data Scientist", 5: "Senior Data Scientist"}
_SRE_TITLES = {4: "Site Reliability Engineer", 5: "Senior Site Reliability Engineer"}

_COMPANIES = (
    ("northwindlabs.com", "northwind"),
    ("brightpath.io", "brightpath"),
    ("lumencommerce.com", "lumen"),
    ("tidewater.dev", "tidewater"),
    ("kestrelhq.com", "kestrel"),
)

_GROUP_NAMES = (
    "Commerce",
    "Growth",
    "Marketplace",
    "Core Experience",
    "Trust",
    "Insights",
    "Mobile",
    "Enterprise",
    "Consumer",
    "Financial Services",
    "Logistics",
    "Creator Tools",
    "Advertising",
    "Collaboration",
    "Developer Platform",
    "Health",
    "Travel",
    "Learning",
    "Media",
    "Security",
)

_TEAM_NAMES = (
    "Payments",
    "Checkout",
    "Search Relevance",
    "Onboarding",
    "Identity",
    "Notifications",
    "Billing",
    "Pricing",
    "Recommendations",
    "Catalog",
    "Inventory",
    "Fulfilment",
    "Shipping",
    "Returns",
    "Loyalty",
    "Referrals",
    "Messaging",
    "Profiles",
    "Reviews",
    "Fraud Detection",
    "Risk",
    "Compliance",
    "Reporting",
    "Analytics Platform",
    "Experimentation",
    "Growth Marketing",
    "Activation",
    "Retention",
    "Subscriptions",
    "Invoicing",
    "Tax",
    "Payouts",
    "Merchant Tools",
    "Seller Onboarding",
    "Partner APIs",
    "Integrations",
    "Mobile Apps",
    "Web Platform",
    "Design System",
    "Accessibility",
    "Localisation",
    "Content Management",
    "Media Pipeline",
    "Search Infrastructure",
    "Maps",
    "Routing",
    "Scheduling",
    "Calendar",
    "Permissions",
    "Admin Console",
    "Audit Log",
    "Data Ingestion",
    "Machine Learning Platform",
    "Personalisation",
    "Ads Delivery",
    "Ads Measurement",
    "Support Tools",
    "Help Center",
    "Community",
    "Developer Experience",
    "Observability",
    "Release Engineering",
    "Storage",
    "Sharing",
)


@dataclass(frozen=True)
class PlantedProblem:
    """One structural problem put in on purpose: what a detector of ``kind`` should report for ``team``."""

    kind: str
    team: str | None
    detail: str


@dataclass(frozen=True)
class DemoOrg:
    """The rows of ``people.csv`` and ``teams.csv``, and what is (and is not) wrong with them."""

    people: list[dict[str, str]]
    teams: list[dict[str, str]]
    planted: list[PlantedProblem]
    healthy_teams: list[str]
    seed: int

    def truth(self) -> dict[str, object]:
        """The ground truth as JSON-able data, to check a walk's findings against."""
        return {
            "seed": self.seed,
            "planted": [asdict(problem) for problem in self.planted],
            "healthy_teams": list(self.healthy_teams),
        }


def _roman(number: int) -> str:
    numerals = ((10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))
    out = ""
    for value, numeral in numerals:
        while number >= value:
            out += numeral
            number -= value
    return out


def _names(pool: tuple[str, ...], count: int, rng: random.Random) -> list[str]:
    """``count`` distinct names from a shuffled pool; once it runs out, the pool again with " II", " III", ..."""
    shuffled = list(pool)
    rng.shuffle(shuffled)
    return [
        shuffled[i % len(shuffled)] + ("" if i < len(shuffled) else f" {_roman(i // len(shuffled) + 1)}")
        for i in range(count)
    ]


def _letters(text: str) -> str:
    return re.sub(r"[^a-z]", "", text.lower())


def _unique(base: str, taken: set[str]) -> str:
    """``base``, or ``base`` with the smallest numeric suffix (from 2) that is not taken; the result is taken."""
    candidate, suffix = base, 2
    while candidate in taken:
        candidate, suffix = f"{base}{suffix}", suffix + 1
    taken.add(candidate)
    return candidate


def _tracker_key(name: str, taken: set[str]) -> str:
    """A Jira- or Linear-style project key: "PAY" for Payments, "SR" for Search Relevance."""
    words = re.findall(r"[A-Za-z]+", re.sub(r" [IVX]+$", "", name))
    compact = "".join(words).upper()
    first = words[0][:3].upper() if len(words) == 1 else "".join(word[0] for word in words).upper()
    for candidate in (first, compact[:4], compact[:5]):
        if candidate not in taken:
            taken.add(candidate)
            return candidate
    return _unique(first, taken)


@dataclass
class _Builder:
    """Hires people one at a time, keeping ids, e-mails and aliases unique."""

    rng: random.Random
    faker: Faker
    domain: str
    people: list[dict[str, str]] = field(default_factory=list)
    emails: set[str] = field(default_factory=set)
    aliases: set[str] = field(default_factory=set)

    def hire(self, function: str, level: int, title: str, manager: str | None, team: str = "") -> str:
        person_id = f"p{len(self.people) + 1:04d}"
        first, last = self.faker.first_name(), self.faker.last_name()
        email = _unique(f"{_letters(first)}.{_letters(last)}", self.emails) + f"@{self.domain}"
        style = self.rng.randrange(4)
        handle_base = (
            f"{_letters(first)[0]}{_letters(last)}",
            f"{_letters(first)}{_letters(last)[0]}",
            f"{_letters(first)}-{_letters(last)}",
            f"{_letters(first)}{_letters(last)}",
        )[style]
        handle = _unique(handle_base, self.aliases)
        jira = _unique(f"557058:{uuid.UUID(int=self.rng.getrandbits(128), version=4)}", self.aliases)
        self.people.append(
            {
                "id": person_id,
                "name": f"{first} {last}",
                "email": email,
                "function": function,
                "level": str(level),
                "manager_id": manager or "",
                "title": title,
                "team": team,
                "aliases": f"{handle};{jira}",
            }
        )
        return person_id


@dataclass(frozen=True)
class _Group:
    name: str
    gm: str
    head_of_product: str
    head_of_engineering: str
    design_manager: str
    data_manager: str


def _spread(layout: list[list[str]], rng: random.Random) -> list[str]:
    """All teams, one from each group per round, so planted problems land in different groups."""
    shuffled = [rng.sample(teams, len(teams)) for teams in layout]
    order = rng.sample(range(len(layout)), len(layout))
    rounds = max(len(teams) for teams in layout)
    return [shuffled[g][r] for r in range(rounds) for g in order if r < len(shuffled[g])]


def _lead_levels(detail: str | None, confounder: bool, rng: random.Random) -> tuple[int, int]:
    if detail == "level_gap":
        return rng.choice(_LEVEL_GAPS)
    if detail == "reports_to_counterpart":
        return 6, 5
    if confounder:
        return rng.choice(((5, 6), (6, 5)))
    return rng.choice((5, 6)), rng.choice((5, 6))


def _staff_team(
    builder: _Builder,
    team: str,
    group: _Group,
    detail: str | None,
    confounder: bool,
    central_product: str,
) -> tuple[str, str]:
    """Hire a team's leads and members, bent by ``detail``; returns (product lead, engineering lead) ids."""
    rng = builder.rng
    product_level, engineering_level = _lead_levels(detail, confounder, rng)
    product_lead = engineering_lead = ""
    if detail == "same_person_in_both_seats":
        product_lead = engineering_lead = builder.hire(
            "engineering", 6, "Engineering Manager (acting Product Manager)", group.head_of_engineering, team
        )
    else:
        if detail != "no_product_lead":
            # A distant team's product lead reports through the central product chain, not the group.
            manager = central_product if detail == "distant" else group.head_of_product
            product_lead = builder.hire("product", product_level, _PRODUCT_LEAD_TITLES[product_level], manager, team)
        if detail != "no_engineering_lead":
            manager = product_lead if detail == "reports_to_counterpart" else group.head_of_engineering
            engineering_lead = builder.hire(
                "engineering", engineering_level, _ENGINEERING_LEAD_TITLES[engineering_level], manager, team
            )
    for _ in range(rng.randint(3, 8)):
        level = rng.choices((3, 4, 5), weights=(1, 2, 2))[0]
        builder.hire("engineering", level, _ENGINEER_TITLES[level], engineering_lead or group.head_of_engineering, team)
    if rng.random() < 0.75:
        level = rng.choice((4, 5))
        builder.hire("design", level, _DESIGNER_TITLES[level], group.design_manager, team)
    if rng.random() < 0.35:
        level = rng.choice((4, 5))
        builder.hire("data", level, _DATA_TITLES[level], group.data_manager, team)
    return product_lead, engineering_lead


def generate_org(
    seed: int = 7,
    *,
    groups: int = 6,
    teams_per_group: int = 5,
    plant: bool = True,
    org_power_gap: bool = True,
) -> DemoOrg:
    """Build the demo org for ``seed``.

    With ``plant``, ten teams (fewer in an org too small to keep two healthy ones) get one problem each; with
    ``org_power_gap``, the senior product leader is a VP reporting to the CTO instead of a CPO peer.
    """
    if groups < 1 or teams_per_group < 1:
        raise ValueError("an org needs at least one group of at least one team")
    rng = random.Random(seed)
    faker = Faker("en_US")
    faker.seed_instance(seed)
    domain, github_org = rng.choice(_COMPANIES)
    builder = _Builder(rng, faker, domain)
    hire = builder.hire

    ceo = hire("other", 10, "Chief Executive Officer", None)
    cto = hire("engineering", 9, "Chief Technology Officer", ceo)
    if org_power_gap:
        product_head = hire("product", 8, "VP Product", cto)
    else:
        product_head = hire("product", 9, "Chief Product Officer", ceo)
    design_head = hire("design", 8, "VP Design", ceo)
    data_head = hire("data", 8, "VP Data", ceo)
    hire("other", 7, "Chief of Staff", ceo)
    central_product = hire("product", 7, "Director of Product, Platform", product_head)
    hire("product", 5, "Product Operations Manager", product_head)
    hire("engineering", 8, "Principal Engineer", cto)
    infrastructure = hire("engineering", 7, "Director of Engineering, Infrastructure", cto)
    for _ in range(rng.randint(3, 5)):
        level = rng.choice((4, 5))
        hire("engineering", level, _SRE_TITLES[level], infrastructure)

    names = _names(_TEAM_NAMES, groups * teams_per_group, rng)
    layout = [names[g * teams_per_group : (g + 1) * teams_per_group] for g in range(groups)]
    spread = _spread(layout, rng)
    count = min(len(_TEAM_PLANTS), max(0, len(spread) - _HEALTHY_RESERVE)) if plant else 0
    problems = dict(zip(spread[:count], _TEAM_PLANTS[:count], strict=True))
    confounders = [team for team in spread if team not in problems][:2]

    planted = [PlantedProblem(POWER_GAP, None, "senior_leaders_not_peers")] if org_power_gap else []
    planted += [PlantedProblem(kind, team, detail) for team, (kind, detail) in problems.items()]

    teams: list[dict[str, str]] = []
    keys: set[str] = set()
    repos: set[str] = set()
    for group_name, group_teams in zip(_names(_GROUP_NAMES, groups, rng), layout, strict=True):
        gm = hire("other", 8, f"General Manager, {group_name}", ceo)
        group = _Group(
            name=group_name,
            gm=gm,
            head_of_product=hire("product", 7, f"Group Product Manager, {group_name}", gm),
            head_of_engineering=hire("engineering", 7, f"Director of Engineering, {group_name}", gm),
            design_manager=hire("design", 6, f"Design Manager, {group_name}", design_head),
            data_manager=hire("data", 6, f"Data Science Manager, {group_name}", data_head),
        )
        for team in group_teams:
            detail = problems[team][1] if team in problems else None
            product_lead, engineering_lead = _staff_team(
                builder, team, group, detail, team in confounders, central_product
            )
            key = _tracker_key(team, keys)
            repo = _unique(f"{github_org}/{re.sub(r'[^a-z0-9]+', '-', team.lower()).strip('-')}", repos)
            teams.append(
                {
                    "team": team,
                    "product_lead": product_lead,
                    "engineering_lead": engineering_lead,
                    "accountable_manager": "",
                    "jira_projects": key,
                    "github_repos": repo,
                    "linear_teams": key,
                }
            )

    return DemoOrg(
        people=builder.people,
        teams=teams,
        planted=planted,
        healthy_teams=[team for team in names if team not in problems],
        seed=seed,
    )


def _csv(rows: list[dict[str, str]], columns: tuple[str, ...]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def people_csv(org: DemoOrg) -> bytes:
    """The people file, as the importer reads it."""
    return _csv(org.people, PEOPLE_COLUMNS)


def teams_csv(org: DemoOrg) -> bytes:
    """The teams file, as the importer reads it."""
    return _csv(org.teams, TEAMS_COLUMNS)


def write_demo(org: DemoOrg, directory: Path) -> tuple[Path, Path, Path]:
    """Write ``people.csv``, ``teams.csv`` and ``truth.json`` into ``directory`` (created if missing)."""
    directory.mkdir(parents=True, exist_ok=True)
    people, teams, truth = directory / "people.csv", directory / "teams.csv", directory / "truth.json"
    people.write_bytes(people_csv(org))
    teams.write_bytes(teams_csv(org))
    truth.write_text(json.dumps(org.truth(), indent=2) + "\n", encoding="utf-8")
    return people, teams, truth
