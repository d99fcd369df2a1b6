"""Importing a decision log (a JSON array of past decisions) as decisions with their history.

All or nothing: every record is checked and every problem collected, each located as ``file:line:1`` (the line
where that decision's object starts) with a JSON path such as ``[3].scores[2].factor`` (0-based indexes) at the
start of its message; a file with any problem is rejected whole and nothing is written. Anywhere in a record, a
whole number too long to convert (more than :func:`sys.get_int_max_str_digits` digits) and a string or key that
is not valid Unicode (a lone surrogate such as ``"\\ud800"``) are problems too.

The step functions of :mod:`tandem.decisions.service` are not used: they act *now*, check the current state and
send notifications. The importer writes each decision's final state and its historical events directly, each
event at its original time.

**State** of an imported decision, the first rule that applies:

1. ``closed_at`` → closed (only an agreed or decided decision can be closed);
2. ``decided_at`` with ``decided_by`` → decided, by the team's accountable manager (never a lead), at or after
   ``escalated_at``, which is required: only the accountable manager decides, and only an escalated decision;
3. both leads signed the same option → agreed (resolved at the later sign-off, that option chosen);
   ``decided_at`` without ``decided_by`` is allowed only here, and must be that time (the agreement);
4. ``escalated_at`` → escalated (not at or after both leads signed the same option);
5. both leads signed different options → contested (contested at the later sign-off);
6. otherwise open.

No sign-off is dated after ``escalated_at`` or ``decided_at`` (an escalated decision takes no sign-offs), so
states the app could never reach are rejected: a disagreement "agreed" without a decider, a decision without an
escalation, an escalation after the agreement. A sign-off's ``stance`` is exactly ``agree`` or
``disagree_and_commit``; when it is absent (or null) it is ``agree``.

A decision whose two sign-offs differ keeps ``contested_at`` (the later sign-off) even when it was decided later.
The events ("created", "opened", one "scored" per score, "signed", "escalated", "decided", "closed") carry the
state the same rules give for the history up to that event, so the last one matches the decision's state; a
final "imported" event records the file.

**Idempotent**: a decision's ``import_key`` is the SHA-256 of ``team_id|title|opened_at`` (``opened_at`` in UTC,
ISO 8601). A record whose key is already in the database is counted unchanged and left as it is: a decision's
history is append-only, so a re-import never rewrites an imported decision (fix one by hand, in the app). Such a
record is still checked on its own (its format, its times, its steps in order) but not against today's org: its
sign-offs need not be by today's leads, nor its decider today's accountable manager, since teams change.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Table, insert, select
from sqlalchemy.orm import Session

from tandem.audit import service as audit
from tandem.db import Base, utcnow
from tandem.decisions.facts import DecisionState, Factor, Stance
from tandem.decisions.models import Decision, DecisionEvent, DecisionScore, DecisionSignoff
from tandem.decisions.service import SCORE_RANGE, team_roles
from tandem.org.importer import ImportRejectedError, Problem
from tandem.org.models import Person, PersonAlias, Team

S = DecisionState
REQUIRED = ("team", "title", "opened_at", "decide_by", "options")
OPTIONAL = (
    "context",
    "scores",
    "preferences",
    "signoffs",
    "escalated_at",
    "decided_at",
    "decided_by",
    "chosen_option",
    "rationale",
    "closed_at",
)
SCORE_KEYS = ("by", "option", "factor", "score", "rationale")
PREFERENCE_KEYS = ("by", "option")
SIGNOFF_KEYS = ("by", "at", "option", "stance")
MAX_TITLE, MAX_OPTION, MAX_RATIONALE = 300, 200, 300
ESCALATION_REASON = "imported"
WRITE_BATCH = 1_000
_EVENT_ORDER = {"created": 0, "opened": 1, "scored": 2, "signed": 3, "escalated": 4, "decided": 5, "closed": 6}
"""Events at the same moment happen in this order."""
_WHITESPACE = re.compile(r"[ \t\n\r]*")


@dataclass(frozen=True)
class DecisionImportReport:
    created: int
    unchanged: int
    warnings: list[Problem]


@dataclass(frozen=True)
class _Score:
    person_id: str
    option: str
    factor: Factor
    score: int
    rationale: str


@dataclass(frozen=True)
class _Signoff:
    person_id: str
    option: str
    stance: Stance
    at: datetime


@dataclass
class _Record:
    """One checked decision, ready to be written."""

    line: int
    team_id: int
    leads: tuple[str, str]
    title: str
    context: str
    options: list[str]
    opened_at: datetime
    decide_by: datetime
    escalated_at: datetime | None
    decided_at: datetime | None
    decided_by: str | None
    chosen_option: str | None
    rationale: str | None
    closed_at: datetime | None
    scores: list[_Score]
    signoffs: list[_Signoff]
    preferences: dict[str, str]
    import_key: str = ""


@dataclass
class _History:
    """What has happened to a decision so far, for the state rules."""

    signed: dict[str, str] = field(default_factory=dict)
    escalated: bool = False
    decided: bool = False
    decided_by: bool = False
    closed: bool = False


def _state(history: _History, leads: tuple[str, str]) -> DecisionState:
    """The state rules of the module docstring, applied to a history."""
    product, engineering = leads
    both = product in history.signed and engineering in history.signed
    if history.closed:
        return S.CLOSED
    if history.decided and history.decided_by:
        return S.DECIDED
    if both and history.signed[product] == history.signed[engineering]:
        return S.AGREED
    if history.escalated:
        return S.ESCALATED
    return S.CONTESTED if both else S.OPEN


def import_key(team_id: int, title: str, opened_at: datetime) -> str:
    return hashlib.sha256(f"{team_id}|{title}|{opened_at.astimezone(UTC).isoformat()}".encode()).hexdigest()


@dataclass(frozen=True)
class _HugeNumber:
    """A JSON whole number with too many digits to convert to an int, kept as its digit count."""

    digits: int

    def __str__(self) -> str:
        return f"<a number of {self.digits} digits>"


def _parse_int(text: str) -> int | _HugeNumber:
    try:
        return int(text)
    except ValueError:  # more digits than sys.get_int_max_str_digits() allows
        return _HugeNumber(len(text.lstrip("-")))


def _is_unicode(text: str) -> bool:
    """No lone surrogate: the text can be encoded (in UTF-8, for the database and the terminal)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _printable(text: str) -> str:
    """The text with any lone surrogate escaped (``\\ud800``), safe to put in a message."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float | _HugeNumber):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return "an array" if isinstance(value, list) else "an object"


def _show(value: object) -> str:
    if isinstance(value, str):
        shown = value
    else:
        try:
            shown = json.dumps(value, ensure_ascii=False, default=str)
        except RecursionError:
            shown = f"<{_json_type(value)} nested too deeply>"
    shown = _printable(shown)
    return f"'{shown[:80]}…'" if len(shown) > 80 else f"'{shown}'"


class _Org:
    """People, teams and team roles, looked up once per import."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.ids: set[str] = set()
        self.emails: dict[str, str] = {}
        for person_id, email in session.execute(select(Person.id, Person.email).order_by(Person.active, Person.id)):
            self.ids.add(person_id)
            self.emails[email.lower()] = person_id  # active people come last, so their address wins
        self.aliases = {
            alias.lower(): person_id
            for alias, person_id in session.execute(select(PersonAlias.alias, PersonAlias.person_id))
        }
        self.teams = {team.name.lower(): team for team in session.scalars(select(Team))}
        self._roles: dict[int, tuple[tuple[str, str] | None, str | None]] = {}

    def person(self, value: str) -> str | None:
        if value in self.ids:
            return value
        key = value.strip().lower()
        return self.emails.get(key) or self.aliases.get(key)

    def roles(self, team: Team) -> tuple[tuple[str, str] | None, str | None]:
        """The team's (product lead, engineering lead), None when a seat is empty, and its accountable manager."""
        if team.id not in self._roles:
            roles = team_roles(self.session, team)
            leads = (
                (roles.product_lead, roles.engineering_lead)
                if roles.product_lead is not None and roles.engineering_lead is not None
                else None
            )
            self._roles[team.id] = (leads, roles.accountable_manager)
        return self._roles[team.id]


class _Checker:
    """Checks one record, reporting each problem at the record's line with its JSON path."""

    def __init__(self, name: str, line: int, index: int, org: _Org, now: datetime, existing: AbstractSet[str]) -> None:
        self.name, self.line, self.index, self.org, self.now = name, line, index, org, now
        self.existing = existing
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []
        self.key: str = ""
        """The record's import key, once its team, title and opened_at are good."""
        self.known = False
        """Whether that key is already in the database: the record is then not checked against today's org."""
        self._unreadable: set[str] = set()
        """Paths of values reported by :meth:`scan`, about which the other checks say nothing more."""

    def path(self, *parts: str | int) -> str:
        text = f"[{self.index}]"
        for part in parts:
            text += f"[{part}]" if isinstance(part, int) else f".{_printable(part)}"
        return text

    def problem(self, path: str, message: str) -> None:
        if path not in self._unreadable:
            self.problems.append(Problem(self.name, self.line, 1, f"{path}: {message}"))

    def warn(self, path: str, message: str) -> None:
        if path not in self._unreadable:
            self.warnings.append(Problem(self.name, self.line, 1, f"{path}: {message}"))

    def scan(self, element: object) -> None:
        """Report, anywhere in the record (unknown keys too), every whole number too long to convert and every
        string or key that is not valid Unicode, in document order."""

        def unreadable(parts: tuple[str | int, ...], message: str) -> None:
            path = self.path(*parts)
            self.problem(path, message)
            self._unreadable.add(path)

        stack: list[tuple[tuple[str | int, ...], object]] = [((), element)]
        while stack:
            parts, value = stack.pop()
            if isinstance(value, _HugeNumber):
                limit = sys.get_int_max_str_digits()
                unreadable(parts, f"is a whole number of {value.digits} digits; the most is {limit}")
            elif isinstance(value, str) and not _is_unicode(value):
                unreadable(parts, "is not valid Unicode")
            elif isinstance(value, list):
                stack.extend(((*parts, position), item) for position, item in reversed(list(enumerate(value))))
            elif isinstance(value, dict):
                children: list[tuple[tuple[str | int, ...], object]] = []
                for key, item in value.items():
                    if _is_unicode(key):
                        children.append(((*parts, key), item))
                    else:
                        unreadable((*parts, key), "the key is not valid Unicode")
                stack.extend(reversed(children))

    def unknown_keys(self, item: Mapping[str, Any], known: Iterable[str], *parts: str | int) -> None:
        known_keys = set(known)
        for key in item:
            if key not in known_keys:
                self.warn(self.path(*parts, key), "unknown key is ignored")

    def text(self, value: object, path: str, limit: int, *, required: bool) -> str | None:
        """A string, stripped; None (after reporting) when it is missing, not a string, too long, has a NUL or is
        not valid Unicode."""
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.problem(path, "is required")
            return None
        if not isinstance(value, str):
            self.problem(path, f"must be a string, not {_json_type(value)}")
            return None
        value = value.strip()
        if "\x00" in value:
            self.problem(path, "contains a NUL character")
            return None
        if not _is_unicode(value):
            self.problem(path, "is not valid Unicode")
            return None
        if len(value) > limit:
            self.problem(path, f"is {len(value)} characters long; the most is {limit}")
            return None
        return value

    def time(self, value: object, path: str, *, required: bool, past: bool = True) -> datetime | None:
        if value is None:
            if required:
                self.problem(path, "is required")
            return None
        if not isinstance(value, str):
            self.problem(path, f"must be an ISO 8601 time string, not {_json_type(value)}")
            return None
        try:
            parsed = datetime.fromisoformat(value.strip())
        except ValueError:
            self.problem(path, f"{_show(value)} is not an ISO 8601 time (like 2025-03-14T09:30:00Z)")
            return None
        if parsed.tzinfo is None or parsed.utcoffset() is None:
            self.problem(path, f"{_show(value)} has no time zone; end it with Z or an offset such as +01:00")
            return None
        try:
            parsed = parsed.astimezone(UTC)
        except OverflowError:  # in UTC it would be before year 1 or after year 9999
            self.problem(path, f"{_show(value)} is out of range")
            return None
        if past and parsed > self.now:
            self.problem(path, f"{_show(value)} is in the future")
            return None
        return parsed

    def person(self, value: object, path: str) -> str | None:
        name = self.text(value, path, 320, required=True)
        if name is None:
            return None
        person_id = self.org.person(name)
        if person_id is None:
            self.problem(path, f"unknown person {_show(name)} (not the id, e-mail or alias of anyone in the org)")
        return person_id

    def lead(self, value: object, path: str, team_name: str, leads: tuple[str, str] | None) -> str | None:
        """One of the team's leads; for a record already imported, anyone in the org (the leads may have changed)."""
        person_id = self.person(value, path)
        if person_id is None or self.known:
            return person_id
        if leads is None:
            return None
        if person_id not in leads:
            self.problem(path, f"{_show(person_id)} is not one of team {team_name}'s leads ({', '.join(leads)})")
            return None
        return person_id

    def option(self, value: object, path: str, options: list[str] | None) -> str | None:
        option = self.text(value, path, MAX_OPTION, required=True)
        if option is None or options is None:
            return None
        if option not in options:
            self.problem(path, f"{_show(option)} is not one of this decision's options: {', '.join(options)}")
            return None
        return option

    def objects(self, record: Mapping[str, Any], key: str) -> list[tuple[int, Mapping[str, Any]]]:
        """The objects of an optional array of objects, each with its index."""
        value = record.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.problem(self.path(key), f"must be an array, not {_json_type(value)}")
            return []
        items: list[tuple[int, Mapping[str, Any]]] = []
        for position, item in enumerate(value):
            if isinstance(item, dict):
                items.append((position, item))
            else:
                self.problem(self.path(key, position), f"must be an object, not {_json_type(item)}")
        return items

    def options(self, value: object) -> list[str] | None:
        path = self.path("options")
        if value is None:
            self.problem(path, "is required")
            return None
        if not isinstance(value, list):
            self.problem(path, f"must be an array of option names, not {_json_type(value)}")
            return None
        cleaned: list[str] = []
        good = True
        for position, item in enumerate(value):
            option = self.text(item, self.path("options", position), MAX_OPTION, required=True)
            if option is None:
                good = False
            elif option in cleaned:
                self.warn(self.path("options", position), f"{_show(option)} is listed twice; counted once")
            else:
                cleaned.append(option)
        if not good:
            return None
        if len(cleaned) < 2:
            self.problem(path, "a decision needs at least two different options")
            return None
        return cleaned

    def check(self, record: Mapping[str, Any]) -> _Record | None:
        """The record ready to be written; None when it has a problem or is already imported (:attr:`known`)."""
        self.unknown_keys(record, REQUIRED + OPTIONAL)
        # The import key first: a record already imported is not checked against today's org.
        team_name = self.text(record.get("team"), self.path("team"), 200, required=True)
        team = self.org.teams.get(team_name.lower()) if team_name is not None else None
        if team_name is not None and team is None:
            self.problem(self.path("team"), f"unknown team {_show(team_name)}")
        title = self.text(record.get("title"), self.path("title"), MAX_TITLE, required=True)
        opened_at = self.time(record.get("opened_at"), self.path("opened_at"), required=True)
        if team is not None and title is not None and opened_at is not None:
            self.key = import_key(team.id, title, opened_at)
            self.known = self.key in self.existing
        # The team's leads and accountable manager, as of today.
        leads: tuple[str, str] | None = None
        manager: str | None = None
        if team is not None and not self.known:
            leads, manager = self.org.roles(team)
            if leads is None:
                self.problem(self.path("team"), f"team {team.name} needs both a product lead and an engineering lead")
            elif leads[0] == leads[1]:
                self.problem(
                    self.path("team"),
                    f"{leads[0]} holds both lead seats of team {team.name}: a two-in-a-box decision needs two people",
                )
                leads = None
        shown_team = team.name if team is not None else ""
        context = self.text(record.get("context"), self.path("context"), 100_000, required=False) or ""
        rationale = self.text(record.get("rationale"), self.path("rationale"), 100_000, required=False)
        options = self.options(record.get("options"))
        # The other times.
        decide_by = self.time(record.get("decide_by"), self.path("decide_by"), required=True, past=False)
        escalated_at = self.time(record.get("escalated_at"), self.path("escalated_at"), required=False)
        decided_at = self.time(record.get("decided_at"), self.path("decided_at"), required=False)
        closed_at = self.time(record.get("closed_at"), self.path("closed_at"), required=False)
        # Scores, preferences and sign-offs.
        scores: list[_Score] = []
        first_score: dict[tuple[str, str, Factor], int] = {}
        for position, item in self.objects(record, "scores"):
            self.unknown_keys(item, SCORE_KEYS, "scores", position)
            by = self.lead(item.get("by"), self.path("scores", position, "by"), shown_team, leads)
            option = self.option(item.get("option"), self.path("scores", position, "option"), options)
            factor = self._factor(item.get("factor"), self.path("scores", position, "factor"))
            value = item.get("score")
            if isinstance(value, bool) or not isinstance(value, int) or value not in SCORE_RANGE:
                self.problem(
                    self.path("scores", position, "score"), f"{_show(value)} is not a whole number from -2 to 2"
                )
                value = None
            why = self.text(
                item.get("rationale"), self.path("scores", position, "rationale"), MAX_RATIONALE, required=False
            )
            if by is None or option is None or factor is None or value is None:
                continue
            if (by, option, factor) in first_score:
                self.problem(
                    self.path("scores", position),
                    f"a second score by {by} of {_show(option)} on {factor.value} "
                    f"(first at {self.path('scores', first_score[by, option, factor])})",
                )
                continue
            first_score[by, option, factor] = position
            scores.append(_Score(by, option, factor, value, why or ""))
        preferences: dict[str, str] = {}
        for position, item in self.objects(record, "preferences"):
            self.unknown_keys(item, PREFERENCE_KEYS, "preferences", position)
            by = self.lead(item.get("by"), self.path("preferences", position, "by"), shown_team, leads)
            option = self.option(item.get("option"), self.path("preferences", position, "option"), options)
            if by is not None and by in preferences:
                self.problem(self.path("preferences", position, "by"), f"a second preference by {by}")
            elif by is not None and option is not None:
                preferences[by] = option
        signoffs: list[_Signoff] = []
        for position, item in self.objects(record, "signoffs"):
            self.unknown_keys(item, SIGNOFF_KEYS, "signoffs", position)
            by = self.lead(item.get("by"), self.path("signoffs", position, "by"), shown_team, leads)
            at_path = self.path("signoffs", position, "at")
            at = self.time(item.get("at"), at_path, required=True)
            option = self.option(item.get("option"), self.path("signoffs", position, "option"), options)
            stance_value = item.get("stance")
            stance = (
                Stance.AGREE
                if stance_value is None
                else self._stance(stance_value, self.path("signoffs", position, "stance"))
            )
            if at is not None and opened_at is not None and at < opened_at:
                self.problem(at_path, f"{_show(item['at'])} is before opened_at")
            if at is not None and escalated_at is not None and at > escalated_at:
                self.problem(
                    at_path, f"{_show(item['at'])} is after escalated_at: an escalated decision takes no sign-off"
                )
            elif at is not None and decided_at is not None and at > decided_at:
                self.problem(at_path, f"{_show(item['at'])} is after decided_at")
            if by is not None and any(signoff.person_id == by for signoff in signoffs):
                self.problem(self.path("signoffs", position, "by"), f"a second sign-off by {by}")
            elif by is not None and at is not None and option is not None and stance is not None:
                signoffs.append(_Signoff(by, option, stance, at))
        # Who decided what.
        decided_by = None
        if record.get("decided_by") is not None:
            decided_by = self.person(record.get("decided_by"), self.path("decided_by"))
            if record.get("decided_at") is None:
                self.problem(self.path("decided_by"), "requires decided_at")
            if record.get("escalated_at") is None:
                self.problem(
                    self.path("decided_by"),
                    "requires escalated_at: only the accountable manager decides, and only an escalated decision",
                )
        chosen_option = None
        if record.get("chosen_option") is not None:
            chosen_option = self.option(record.get("chosen_option"), self.path("chosen_option"), options)
            if record.get("decided_at") is None:
                self.problem(self.path("chosen_option"), "requires decided_at")
        if leads is not None:
            self._check_roles(leads, manager, shown_team, escalated_at, decided_by)
        if leads is not None or self.known:
            self._check_outcome(
                options_ok=options is not None,
                signoffs=signoffs,
                signoffs_complete=len(signoffs) == len(raw)
                if isinstance(raw := record.get("signoffs"), list)
                else True,
                decided_at=decided_at,
                decided_by_given=record.get("decided_by") is not None,
                chosen_option=chosen_option,
                chosen_given=record.get("chosen_option") is not None,
                closed_at=closed_at,
                record=record,
            )
        self._check_order(opened_at, decide_by, escalated_at, decided_at, closed_at, signoffs, record)
        if self.problems or self.known:
            return None
        assert team is not None and leads is not None and title is not None and options is not None
        assert opened_at is not None and decide_by is not None
        return _Record(
            line=self.line,
            team_id=team.id,
            leads=leads,
            title=title,
            context=context,
            options=options,
            opened_at=opened_at,
            decide_by=decide_by,
            escalated_at=escalated_at,
            decided_at=decided_at,
            decided_by=decided_by,
            chosen_option=chosen_option,
            rationale=rationale,
            closed_at=closed_at,
            scores=scores,
            signoffs=signoffs,
            preferences=preferences,
            import_key=self.key,
        )

    def _factor(self, value: object, path: str) -> Factor | None:
        if isinstance(value, str) and value.strip().lower() in {f.value for f in Factor}:
            return Factor(value.strip().lower())
        self.problem(path, f"{_show(value)} is not one of {', '.join(f.value for f in Factor)}")
        return None

    def _stance(self, value: object, path: str) -> Stance | None:
        """Exactly one of the stances: nothing else (an empty string, a number, a list) is read as agreeing."""
        if isinstance(value, str) and value in {s.value for s in Stance}:
            return Stance(value)
        self.problem(path, f"{_show(value)} is not one of {', '.join(s.value for s in Stance)}")
        return None

    def _check_roles(
        self,
        leads: tuple[str, str],
        manager: str | None,
        team_name: str,
        escalated_at: datetime | None,
        decided_by: str | None,
    ) -> None:
        """The escalation and the decider against the team's roles today (a record not yet imported)."""
        if escalated_at is not None and manager is None:
            self.problem(self.path("escalated_at"), f"team {team_name} has no accountable manager to escalate to")
        if decided_by is None:
            return
        if manager is not None and decided_by != manager:  # never a lead: team_roles keeps them apart
            self.problem(
                self.path("decided_by"),
                f"{_show(decided_by)} is not team {team_name}'s accountable manager ({manager}), "
                "who decides an escalated decision",
            )
        elif decided_by in leads:
            self.problem(
                self.path("decided_by"),
                f"{_show(decided_by)} is one of team {team_name}'s leads; only the accountable manager decides, "
                "never a lead",
            )

    def _check_outcome(
        self,
        *,
        options_ok: bool,
        signoffs: list[_Signoff],
        signoffs_complete: bool,
        decided_at: datetime | None,
        decided_by_given: bool,
        chosen_option: str | None,
        chosen_given: bool,
        closed_at: datetime | None,
        record: Mapping[str, Any],
    ) -> None:
        """The decision and closing fit the sign-offs; only checked where the parts they need are good."""
        if not (options_ok and signoffs_complete):
            return
        agreed = _agreed_option(signoffs)
        if decided_at is not None and not decided_by_given:
            if agreed is None and len(signoffs) == 2:
                self.problem(
                    self.path("decided_by"),
                    "is required: the leads signed different options, and only the accountable manager decides "
                    "a disagreement (after escalated_at)",
                )
            elif agreed is None:
                self.problem(
                    self.path("decided_by"),
                    "is required with decided_at unless both leads signed the same option "
                    "(decided_at is then when they agreed)",
                )
            elif decided_at > (agreed_at := max(s.at for s in signoffs)):
                self.problem(
                    self.path("decided_at"),
                    f"{_show(record['decided_at'])} is after both leads had agreed ({agreed_at.isoformat()}); "
                    "without decided_by, decided_at is when they agreed (the later sign-off)",
                )
        if decided_at is not None and not chosen_given and (decided_by_given or agreed is None):
            self.problem(self.path("chosen_option"), "is required when decided_at is set")
        if agreed is not None and not decided_by_given and chosen_option is not None and chosen_option != agreed:
            self.problem(
                self.path("chosen_option"),
                f"{_show(chosen_option)} is not the option both leads signed ({_show(agreed)})",
            )
        if closed_at is not None and decided_at is None and agreed is None:
            self.problem(
                self.path("closed_at"),
                "only an agreed or decided decision can be closed (no decided_at, and the leads' sign-offs differ)",
            )

    def _check_order(
        self,
        opened_at: datetime | None,
        decide_by: datetime | None,
        escalated_at: datetime | None,
        decided_at: datetime | None,
        closed_at: datetime | None,
        signoffs: list[_Signoff],
        record: Mapping[str, Any],
    ) -> None:
        """No step before the decision was opened, no decision before its escalation, nothing after closing, no
        escalation once both leads agreed (a sign-off after the escalation or the decision is reported at it)."""
        if opened_at is not None:
            for key, at in (
                ("decide_by", decide_by),
                ("escalated_at", escalated_at),
                ("decided_at", decided_at),
                ("closed_at", closed_at),
            ):
                if at is not None and at < opened_at:
                    self.problem(self.path(key), f"{_show(record[key])} is before opened_at")
        if escalated_at is not None and decided_at is not None and decided_at < escalated_at:
            self.problem(self.path("decided_at"), f"{_show(record['decided_at'])} is before escalated_at")
        if closed_at is not None:
            earlier = [("escalated_at", escalated_at), ("decided_at", decided_at)]
            earlier += [("the last sign-off", max(s.at for s in signoffs))] if signoffs else []
            for what, at in earlier:
                if at is not None and closed_at < at:
                    self.problem(self.path("closed_at"), f"{_show(record['closed_at'])} is before {what}")
        if escalated_at is not None and _agreed_option(signoffs) is not None:
            agreed_at = max(s.at for s in signoffs)
            if escalated_at > agreed_at:
                self.problem(
                    self.path("escalated_at"),
                    f"{_show(record['escalated_at'])} is after both leads had agreed ({agreed_at.isoformat()})",
                )
            elif escalated_at == agreed_at:
                self.problem(
                    self.path("escalated_at"),
                    f"{_show(record['escalated_at'])} is when both leads agreed: an agreed decision is not escalated",
                )


def _agreed_option(signoffs: Sequence[_Signoff]) -> str | None:
    """The option both leads signed, when they signed the same one. Each sign-off is by a lead (of the team as it
    was, for a record already imported) and no one signs twice, so two sign-offs are both leads'."""
    options = {s.option for s in signoffs}
    return options.pop() if len(signoffs) == 2 and len(options) == 1 else None


def _decode(data: bytes, name: str) -> tuple[str | None, Problem | None]:
    body = data.removeprefix(b"\xef\xbb\xbf")  # a byte-order mark is fine, and is not part of line 1
    try:
        return body.decode("utf-8"), None
    except UnicodeDecodeError as error:
        line = body.count(b"\n", 0, error.start) + 1
        column = len(body[body.rfind(b"\n", 0, error.start) + 1 : error.start].decode("utf-8", "replace")) + 1
        return None, Problem(
            name, line, column, f"the file is not UTF-8 (byte 0x{body[error.start]:02x}); save it as UTF-8"
        )


def _elements(text: str, name: str) -> list[tuple[int, object]]:
    """The array's elements, each with the line it starts on; ImportRejectedError when the file is not one."""
    decoder = json.JSONDecoder()
    try:
        try:
            document = decoder.decode(text)
        except json.JSONDecodeError:
            raise
        except ValueError:
            # A whole number too long to convert: decode again, keeping such numbers for the checks to report.
            decoder = json.JSONDecoder(parse_int=_parse_int)
            document = decoder.decode(text)
    except json.JSONDecodeError as error:
        raise ImportRejectedError([Problem(name, error.lineno, error.colno, f"invalid JSON: {error.msg}")]) from error
    except RecursionError as error:
        raise ImportRejectedError([Problem(name, 1, 1, "invalid JSON: nested too deeply")]) from error
    except ValueError as error:  # anything else json cannot convert: one problem for the file
        raise ImportRejectedError([Problem(name, 1, 1, f"invalid JSON: {_printable(str(error))}")]) from error
    position = _skip(text, 0)
    if not isinstance(document, list):
        line = text.count("\n", 0, position) + 1
        column = position - text.rfind("\n", 0, position)
        message = f"the file must hold a JSON array of decisions, not {_json_type(document)}"
        raise ImportRejectedError([Problem(name, line, column, message)])
    # The document is valid, so decoding it element by element cannot fail; it tells where each element starts.
    elements: list[tuple[int, object]] = []
    line, counted = 1, 0
    position = _skip(text, position + 1)
    while text[position] != "]":
        line += text.count("\n", counted, position)
        counted = position
        element, position = decoder.raw_decode(text, position)
        elements.append((line, element))
        position = _skip(text, position)
        if text[position] == ",":
            position = _skip(text, position + 1)
    return elements


def _skip(text: str, position: int) -> int:
    match = _WHITESPACE.match(text, position)
    return match.end() if match else position


@dataclass(frozen=True)
class _Log:
    """A checked file: the records to create, how many are already imported, and the warnings."""

    new: list[_Record]
    unchanged: int
    warnings: list[Problem]


def _existing_keys(session: Session, org: _Org, elements: Sequence[tuple[int, object]]) -> set[str]:
    """The import keys already in the database of the teams the file names. One scan of those teams' keys: a
    long ``IN`` list of keys can be planned as a sequential scan per batch right after a big import, before
    statistics."""
    teams: set[int] = set()
    for _, element in elements:
        name = element.get("team") if isinstance(element, dict) else None
        if isinstance(name, str) and (team := org.teams.get(name.strip().lower())) is not None:
            teams.add(team.id)
    if not teams:
        return set()
    found = session.scalars(
        select(Decision.import_key).where(Decision.team_id.in_(sorted(teams)), Decision.import_key.is_not(None))
    )
    return {key for key in found if key is not None}


def read_decision_log(session: Session, data: bytes, name: str) -> _Log:
    """Parse and check a whole file against the database: the org for new records, the import keys for those
    already imported; ImportRejectedError with every problem when anything is wrong."""
    text, problem = _decode(data, name)
    if text is None:
        assert problem is not None
        raise ImportRejectedError([problem])
    elements = _elements(text, name)
    org = _Org(session)
    existing = _existing_keys(session, org, elements)
    now = utcnow()
    problems: list[Problem] = []
    warnings: list[Problem] = []
    records: list[_Record] = []
    unchanged = 0
    first: dict[str, tuple[int, int]] = {}
    if not elements:
        warnings.append(Problem(name, 1, 1, "the file has no decisions"))
    for index, (line, element) in enumerate(elements):
        checker = _Checker(name, line, index, org, now, existing)
        checker.scan(element)
        if not isinstance(element, dict):
            checker.problem(checker.path(), f"a decision must be a JSON object, not {_json_type(element)}")
            problems += checker.problems
            continue
        record = checker.check(element)
        if checker.key in first:
            other_index, other_line = first[checker.key]
            checker.problem(
                checker.path(),
                f"a duplicate of [{other_index}] on line {other_line} (the same team, title and opened_at)",
            )
        elif checker.key:
            first[checker.key] = (index, line)
        problems += checker.problems
        warnings += checker.warnings
        if checker.problems:
            continue
        if checker.known:
            unchanged += 1
        elif record is not None:
            records.append(record)
    if problems:
        raise ImportRejectedError(problems)
    return _Log(records, unchanged, sorted(warnings))


def _columns(record: _Record, actor: str, now: datetime) -> dict[str, Any]:
    """The decision row: its final state by the rules in the module docstring."""
    history = _History(
        signed={s.person_id: s.option for s in record.signoffs},
        escalated=record.escalated_at is not None,
        decided=record.decided_at is not None,
        decided_by=record.decided_by is not None,
        closed=record.closed_at is not None,
    )
    agreed = _agreed_option(record.signoffs)
    last_signoff = max((s.at for s in record.signoffs), default=None)
    both_signed = set(record.leads) <= history.signed.keys()
    resolved_at: datetime | None = None
    chosen_option: str | None = None
    if record.decided_at is not None and record.decided_by is not None:
        resolved_at, chosen_option = record.decided_at, record.chosen_option
    elif agreed is not None:
        resolved_at, chosen_option = last_signoff, agreed
    return {
        "team_id": record.team_id,
        "title": record.title,
        "context": record.context,
        "options": record.options,
        "links": [],
        "state": _state(history, record.leads),
        "decide_by": record.decide_by,
        "created_by": actor,
        "created_at": record.opened_at,
        "updated_at": now,
        "opened_at": record.opened_at,
        "contested_at": last_signoff if both_signed and agreed is None else None,
        "escalated_at": record.escalated_at,
        "escalation_reason": ESCALATION_REASON if record.escalated_at is not None else None,
        "resolved_at": resolved_at,
        "closed_at": record.closed_at,
        "decided_by_id": record.decided_by if record.decided_at is not None else None,
        "chosen_option": chosen_option,
        "rationale": record.rationale,
        "stated_preferences": record.preferences,
        "import_key": record.import_key,
        "version": 1,
    }


def _events(record: _Record, decision_id: int, actor: str, name: str, now: datetime) -> list[dict[str, Any]]:
    """The decision's history in time order, each event with the state the rules give for the history so far."""
    steps: list[tuple[datetime, int, int, str, str, dict[str, Any]]] = []

    def step(at: datetime, kind: str, who: str, **data: Any) -> None:
        steps.append((at, _EVENT_ORDER[kind], len(steps), kind, who, data))

    step(record.opened_at, "created", actor, options=record.options)
    step(record.opened_at, "opened", actor, decide_by=record.decide_by.isoformat())
    for item in record.scores:
        step(
            record.opened_at,
            "scored",
            f"person:{item.person_id}",
            option=item.option,
            factor=item.factor.value,
            score=item.score,
        )
    for signoff in record.signoffs:
        step(signoff.at, "signed", f"person:{signoff.person_id}", option=signoff.option, stance=signoff.stance.value)
    if record.escalated_at is not None:
        step(record.escalated_at, "escalated", actor, reason=ESCALATION_REASON)
    if record.decided_at is not None:
        who = f"person:{record.decided_by}" if record.decided_by is not None else actor
        step(
            record.decided_at,
            "decided",
            who,
            option=record.chosen_option or _agreed_option(record.signoffs),
        )
    if record.closed_at is not None:
        step(record.closed_at, "closed", actor)
    history = _History()
    events: list[dict[str, Any]] = []
    state = S.DRAFT
    for at, _, _, kind, who, data in sorted(steps, key=lambda s: s[:3]):
        if kind == "signed":
            history.signed[who.removeprefix("person:")] = data["option"]
        history.escalated |= kind == "escalated"
        history.decided |= kind == "decided"
        history.decided_by |= kind == "decided" and record.decided_by is not None
        history.closed |= kind == "closed"
        state = S.DRAFT if kind == "created" else _state(history, record.leads)
        events.append({"decision_id": decision_id, "at": at, "actor": who, "kind": kind, "state": state, "data": data})
    events.append(
        {
            "decision_id": decision_id,
            "at": now,
            "actor": actor,
            "kind": "imported",
            "state": state,
            "data": {"file": name},
        }
    )
    return events


def _table(model: type[Base]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


def _write(session: Session, records: Sequence[_Record], actor: str, name: str, now: datetime) -> None:
    """Insert decisions and their rows with a few multi-row statements (Core: the ORM would insert one decision
    at a time to read back its id)."""
    decisions = _table(Decision)
    inserted = session.execute(
        insert(decisions).returning(decisions.c.id, decisions.c.import_key),
        [_columns(record, actor, now) for record in records],
    )
    ids: dict[str, int] = {key: decision_id for decision_id, key in inserted}
    scores: list[dict[str, Any]] = []
    signoffs: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    for record in records:
        decision_id = ids[record.import_key]
        scores += [
            {
                "decision_id": decision_id,
                "person_id": s.person_id,
                "option": s.option,
                "factor": s.factor,
                "score": s.score,
                "rationale": s.rationale,
                "scored_at": record.opened_at,
            }
            for s in record.scores
        ]
        signoffs += [
            {
                "decision_id": decision_id,
                "person_id": s.person_id,
                "option": s.option,
                "stance": s.stance,
                "signed_at": s.at,
            }
            for s in record.signoffs
        ]
        events += _events(record, decision_id, actor, name, now)
    for table, rows in (
        (_table(DecisionScore), scores),
        (_table(DecisionSignoff), signoffs),
        (_table(DecisionEvent), events),
    ):
        if rows:
            session.execute(insert(table), rows)


def import_decision_log(
    session: Session, *, data: bytes, name: str, actor: str, dry_run: bool = False
) -> DecisionImportReport:
    """Check the whole file (ImportRejectedError lists every problem), then create the decisions not yet
    imported, each with its scores, sign-offs and history, in the caller's transaction. A dry run writes nothing."""
    log = read_decision_log(session, data, name)
    new, unchanged, warnings = log.new, log.unchanged, log.warnings
    if dry_run or not new:
        return DecisionImportReport(created=len(new), unchanged=unchanged, warnings=warnings)
    now = utcnow()
    for start in range(0, len(new), WRITE_BATCH):
        _write(session, new[start : start + WRITE_BATCH], actor, name, now)
    audit.record(
        session,
        actor=actor,
        action="decisions.import",
        entity="decision_log",
        entity_id=name[-320:],
        after={"created": len(new), "unchanged": unchanged},
    )
    return DecisionImportReport(created=len(new), unchanged=unchanged, warnings=warnings)
