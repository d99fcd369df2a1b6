"""Trust pulses on the database: the instrument's versions, opening a pulse, answering it, importing answers, and
the facts the analysis reads. Every figure shown anywhere comes from ``released_figures`` (the privacy gate).

Anonymity by construction: an answer is stored with a random response id, its pulse, direction and day only.
The invitation that let it in is marked used (never when), and a keyed hash of (pulse, person) refuses a second
answer without pointing at the first.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import os
import secrets
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import quote

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from tandem.audit import service as audit
from tandem.config import Thresholds
from tandem.db import utcnow
from tandem.decisions.service import reporting_line, resolve_roles
from tandem.org.models import Function, Person, Team
from tandem.trust.facts import ResponseFacts, TrustFacts, TrustThresholds
from tandem.trust.instrument import DEFAULT_INSTRUMENT, Direction, Instrument, InstrumentError, Item, validate
from tandem.trust.models import (
    InstrumentVersion,
    Pulse,
    PulseAnswer,
    PulseComment,
    PulseInvitation,
    PulseKey,
    PulseRespondentMark,
    PulseResponse,
    PulseSchedule,
)
from tandem.trust.privacy import Gate, Slice
from tandem.workdays import add_working_days

COMMENT_LIMIT = 2_000
IMPORT_COLUMNS = ("submitted_at", "team", "function", "item", "score")


class PulseError(ValueError):
    """A step that cannot be taken; the message is safe to show (and never says who answered what)."""


def trust_thresholds(thresholds: Thresholds) -> TrustThresholds:
    """The walk's settings as the trust analysis and its privacy gate read them."""
    return TrustThresholds(
        breakdown_index=thresholds.trust_breakdown_index,
        breakdown_lower_bound=thresholds.trust_breakdown_lower_bound,
        asymmetry_gap=thresholds.trust_asymmetry_gap,
        min_group_size=thresholds.min_group_size,
        min_comment_group_size=thresholds.min_comment_group_size,
        trend_window=thresholds.trust_trend_pulses,
    )


# --- the instrument ---------------------------------------------------------------------------------------------


def _item_row(item: Item) -> dict[str, Any]:
    return {
        "id": item.id,
        "subscale": item.subscale,
        "text_for": {direction.value: text for direction, text in item.text_for.items()},
        "reverse": item.reverse,
    }


def _item(row: Mapping[str, Any]) -> Item:
    return Item(
        id=row["id"],
        subscale=row["subscale"],
        text_for={Direction(direction): text for direction, text in row["text_for"].items()},
        reverse=bool(row.get("reverse", False)),
    )


def instrument(session: Session, version: int | None = None) -> Instrument:
    """An instrument version (the newest by default); version 1 is the built-in default."""
    if version is None:
        version = session.scalar(select(func.max(InstrumentVersion.version))) or 1
    if version == 1:
        return DEFAULT_INSTRUMENT
    row = session.get(InstrumentVersion, version)
    if row is None:
        raise PulseError(f"there is no instrument version {version}")
    return Instrument(version, tuple(_item(item) for item in row.items))


def _ensure_default(session: Session) -> None:
    if session.get(InstrumentVersion, 1) is None:
        session.add(
            InstrumentVersion(
                version=1, items=[_item_row(i) for i in DEFAULT_INSTRUMENT.items], created_by="tandem", new_subscales=[]
            )
        )
        session.flush()


def add_custom_item(session: Session, item: Item, *, actor_label: str, new_subscale: bool = False) -> Instrument:
    """A new instrument version with one more item (admins only: the caller checks the role)."""
    _ensure_default(session)
    current = instrument(session)
    try:
        extended = current.extended([item], new_subscales=[item.subscale] if new_subscale else [])
        validate(extended)
    except InstrumentError as error:
        raise PulseError(str(error)) from error
    session.add(
        InstrumentVersion(
            version=extended.version,
            items=[_item_row(i) for i in extended.items],
            new_subscales=[item.subscale] if new_subscale else [],
            created_by=actor_label,
        )
    )
    session.flush()
    audit.record(
        session, actor=actor_label, action="pulse.instrument", entity="pulse_instrument",
        entity_id=str(extended.version), after=_item_row(item),
    )  # fmt: skip
    return extended


# --- respondent marks -------------------------------------------------------------------------------------------


def _key(session: Session) -> bytes:
    """``TANDEM_PULSE_KEY`` (64 hex digits) when set — keep it out of the database, so that whoever reads a
    backup cannot recompute marks — else a random key made once in the database."""
    configured = os.environ.get("TANDEM_PULSE_KEY")
    if configured:
        try:
            key = bytes.fromhex(configured)
        except ValueError as error:
            raise PulseError("TANDEM_PULSE_KEY must be 64 hexadecimal digits") from error
        if len(key) != 32:
            raise PulseError("TANDEM_PULSE_KEY must be 64 hexadecimal digits")
        return key
    row = session.get(PulseKey, 1)
    if row is None:
        row = PulseKey(id=1, key=secrets.token_hex(32))
        session.add(row)
        session.flush()
    return bytes.fromhex(row.key)


def respondent_mark(session: Session, pulse_id: int, respondent: str) -> str:
    """HMAC-SHA256 of (pulse, respondent) under the database's key: equal for a second answer, meaningless alone."""
    return hmac.new(_key(session), f"{pulse_id}\x1f{respondent}".encode(), hashlib.sha256).hexdigest()


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# --- pulses -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Link:
    """A personal, single-use link to give to one person (the token exists only here, never in the database)."""

    person_id: str
    email: str
    name: str
    token: str


def invitees(session: Session, team: Team) -> list[Person]:
    """The team's active product and engineering people: those whose team it is, so that everyone answers for
    one team only (a person counted in two teams would count twice in a pool of both, and the privacy gate
    counts people per team)."""
    people = session.scalars(
        select(Person).where(
            Person.active,
            Person.function.in_([Function.PRODUCT, Function.ENGINEERING]),
            Person.team_id == team.id,
        )
    ).all()
    return sorted(people, key=lambda p: p.id)


def open_pulse(
    session: Session,
    team: Team,
    *,
    actor_label: str,
    now: datetime | None = None,
    open_working_days: int = 5,
) -> tuple[Pulse, list[Link]]:
    """A pulse open from ``now`` for ``open_working_days``, and one personal link per invitee."""
    now = now or utcnow()
    if open_working_days < 1:
        raise PulseError("a pulse must stay open at least one working day")
    people = invitees(session, team)
    if not people:
        raise PulseError(f"{team.name} has no active product or engineering people to ask")
    _ensure_default(session)
    pulse = Pulse(
        team_id=team.id,
        instrument_version=instrument(session).version,
        opens_at=now,
        closes_at=add_working_days(now, open_working_days),
        source="tandem",
        created_by=actor_label,
    )
    session.add(pulse)
    session.flush()
    links = []
    for person in people:
        token = secrets.token_urlsafe(24)
        session.add(
            PulseInvitation(
                pulse_id=pulse.id,
                person_id=person.id,
                direction=Direction.of(person.function.value).value,
                token_hash=_token_hash(token),
            )
        )
        links.append(Link(person.id, person.email, person.name, token))
    session.flush()
    audit.record(
        session,
        actor=actor_label,
        action="pulse.open",
        entity="pulse",
        entity_id=str(pulse.id),
        after={"team": team.name, "invited": len(links), "closes_at": pulse.closes_at.isoformat()},
    )
    return pulse, links


def reissue_links(session: Session, pulse: Pulse, *, actor_label: str = "tandem") -> list[Link]:
    """New links for everyone who has not answered (their old links stop working): tokens are never stored, so a
    lost link is replaced, not looked up."""
    links = []
    for invitation in session.scalars(
        select(PulseInvitation).where(PulseInvitation.pulse_id == pulse.id, ~PulseInvitation.used)
    ):
        person = session.get_one(Person, invitation.person_id)
        token = secrets.token_urlsafe(24)
        invitation.token_hash = _token_hash(token)
        links.append(Link(person.id, person.email, person.name, token))
    session.flush()
    audit.record(
        session, actor=actor_label, action="pulse.reissue_links", entity="pulse", entity_id=str(pulse.id),
        after={"links": len(links)},
    )  # fmt: skip
    return links


@dataclass(frozen=True)
class OpenInvitation:
    """What the answer page needs: the pulse, the questions in the respondent's direction, the team's name."""

    invitation: PulseInvitation
    pulse: Pulse
    team: str
    direction: Direction
    instrument: Instrument


def invitation_for(session: Session, token: str, *, now: datetime | None = None) -> OpenInvitation:
    """The open, unused invitation behind a link; one message for every way a link can be unusable."""
    now = now or utcnow()
    invitation = session.scalars(
        select(PulseInvitation).where(PulseInvitation.token_hash == _token_hash(token))
    ).first()
    pulse = session.get(Pulse, invitation.pulse_id) if invitation is not None else None
    if invitation is None or pulse is None or invitation.used or not pulse.opens_at <= now < pulse.closes_at:
        raise PulseError("this link has been used, has expired, or is not a pulse link")
    team = session.get_one(Team, pulse.team_id)
    return OpenInvitation(
        invitation, pulse, team.name, Direction(invitation.direction), instrument(session, pulse.instrument_version)
    )


def answer(
    session: Session,
    token: str,
    answers: Mapping[str, int],
    *,
    comment: str = "",
    now: datetime | None = None,
) -> None:
    """Store one anonymous response: every item answered on the scale, once per person per pulse."""
    now = now or utcnow()
    opened = invitation_for(session, token, now=now)
    questions = opened.instrument
    missing = [item for item in questions.item_ids if item not in answers]
    unknown = sorted(set(answers) - set(questions.item_ids))
    if missing or unknown:
        raise PulseError("answer every statement (and only those on the page)")
    if any(not questions.scale_min <= answers[item] <= questions.scale_max for item in questions.item_ids):
        raise PulseError(f"answers go from {questions.scale_min} to {questions.scale_max}")
    comment = comment.strip()
    if len(comment) > COMMENT_LIMIT or "\x00" in comment:
        raise PulseError(f"a comment can be at most {COMMENT_LIMIT} characters of text")
    # One invitation per person per pulse (a unique constraint), used once: no mark is written, since a mark's
    # row order would line up with the answers' for anyone reading the database with the key.
    claimed = session.execute(
        update(PulseInvitation)
        .where(PulseInvitation.id == opened.invitation.id, ~PulseInvitation.used)
        .values(used=True)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]  # a second submit raced the first and lost
        raise PulseError("this link has been used, has expired, or is not a pulse link")
    _store_responses(session, opened.pulse.id, [(opened.direction, now.date(), answers)])
    if comment:
        session.add(PulseComment(pulse_id=opened.pulse.id, direction=opened.direction.value, text=comment))
    session.flush()


def _store_responses(
    session: Session, pulse_id: int, responses: Sequence[tuple[Direction, date, Mapping[str, int]]]
) -> None:
    """Insert responses, then their answers: two executemany statements, whatever the number of responses.

    Core inserts, because no ORM relationship would order the answers after the responses they point at.
    """
    rows = [
        {"id": secrets.token_hex(16), "pulse_id": pulse_id, "direction": direction.value, "submitted_on": day}
        for direction, day, _ in responses
    ]
    session.execute(insert(PulseResponse), rows)
    answers = [
        {"response_id": row["id"], "item_id": item, "score": int(score)}
        for row, (_, _, given) in zip(rows, responses, strict=True)
        for item, score in given.items()
    ]
    if answers:
        session.execute(insert(PulseAnswer), answers)


# --- schedules --------------------------------------------------------------------------------------------------


def schedule(
    session: Session,
    team: Team,
    *,
    every_working_days: int,
    open_working_days: int = 5,
    first_at: datetime | None = None,
    actor_label: str,
) -> PulseSchedule:
    """Open a pulse for ``team`` every ``every_working_days`` (``tandem worker`` opens them)."""
    if not 1 <= open_working_days <= every_working_days:
        raise PulseError("a pulse must stay open at least a working day, and close before the next one opens")
    row = session.get(PulseSchedule, team.id) or PulseSchedule(team_id=team.id)
    row.every_working_days = every_working_days
    row.open_working_days = open_working_days
    row.next_at = first_at or utcnow()
    row.active = True
    row.updated_by = actor_label
    session.add(row)
    session.flush()
    audit.record(
        session, actor=actor_label, action="pulse.schedule", entity="team", entity_id=str(team.id),
        after={"every_working_days": every_working_days, "open_working_days": open_working_days},
    )  # fmt: skip
    return row


def open_due_pulses(session: Session, now: datetime | None = None) -> list[tuple[Pulse, list[Link]]]:
    """Open every scheduled pulse that is due, and move each schedule on."""
    now = now or utcnow()
    opened = []
    for row in session.scalars(
        select(PulseSchedule)
        .where(PulseSchedule.active, PulseSchedule.next_at <= now)
        .with_for_update(skip_locked=True)
    ):
        team = session.get_one(Team, row.team_id)
        if team.active and invitees(session, team):
            opened.append(
                open_pulse(session, team, actor_label="worker", now=now, open_working_days=row.open_working_days)
            )
        while row.next_at <= now:  # keep the rhythm (same weekday and hour), skipping rounds missed while down
            row.next_at = add_working_days(row.next_at, row.every_working_days)
    session.flush()
    return opened


# --- import -----------------------------------------------------------------------------------------------------


@dataclass
class PulseImportReport:
    pulses_created: int = 0
    pulses_already_imported: int = 0
    responses: int = 0
    responses_already_imported: int = 0
    answers: int = 0
    warnings: list[str] = field(default_factory=list)


class PulseImportError(ValueError):
    """The file is refused, nothing written; ``problems`` are ``file:line: message`` strings."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(problems[0] if problems else "the pulse file is invalid")
        self.problems = problems


def _parse_time(value: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _week(moment: datetime) -> date:
    return moment.date() - timedelta(days=moment.weekday())


def import_answers(session: Session, data: bytes, *, name: str, actor_label: str) -> PulseImportReport:
    """Answers collected elsewhere: ``submitted_at, team, function, item, score`` and optional ``respondent`` and
    ``pulse``. All or nothing, every problem with its line; re-importing the same answers adds nothing.

    Rows group into pulses by team and ``pulse`` (default: the ISO week of ``submitted_at``), and into responses by
    ``respondent`` (hashed with the pulse, never stored) or, without it, by identical ``submitted_at`` and
    ``function``. A pulse label seen before adds only respondents not imported into it yet.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise PulseImportError([f"{name}: not UTF-8 text (byte {error.start})"]) from error
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [column.strip().lower() for column in reader.fieldnames or []]
    missing = [column for column in IMPORT_COLUMNS if column not in header]
    if missing:
        raise PulseImportError([f"{name}:1: missing column(s): {', '.join(missing)}"])
    reader.fieldnames = header
    current = instrument(session)
    teams = {t.name.lower(): t for t in session.scalars(select(Team))}
    problems: list[str] = []
    groups: dict[tuple[int, str], list[tuple[int, datetime, Direction, str, int, str]]] = defaultdict(list)
    for row in reader:
        line = reader.line_num
        values = {key: (value or "").strip() for key, value in row.items() if key is not None}
        moment = _parse_time(values["submitted_at"])
        team = teams.get(values["team"].lower())
        score = values["score"]
        checks = [
            (moment is None, f"submitted_at {values['submitted_at']!r} is not an ISO 8601 date-time"),
            (team is None, f"no team is called {values['team']!r}"),
            (values["function"] not in ("product", "engineering"), "function must be product or engineering"),
            (values["item"] not in current.item_ids, f"item {values['item']!r} is not in the instrument"),
            (
                not (score.isascii() and score.isdigit()) or not current.scale_min <= int(score) <= current.scale_max,
                f"score {score!r} is not a whole number from {current.scale_min} to {current.scale_max}",
            ),
        ]
        bad = [message for failed, message in checks if failed]
        if bad:
            problems.extend(f"{name}:{line}: {message}" for message in bad)
            continue
        assert moment is not None and team is not None
        pulse_key = values.get("pulse") or _week(moment).isoformat()
        respondent = values.get("respondent") or f"{moment.isoformat()}|{values['function']}"
        groups[(team.id, pulse_key)].append(
            (line, moment, Direction.of(values["function"]), values["item"], int(score), respondent)
        )
    if problems:
        raise PulseImportError(problems)
    report = PulseImportReport()
    for (team_id, pulse_key), rows in sorted(groups.items()):
        identity = hashlib.sha256(f"{team_id}\x1f{pulse_key}".encode()).hexdigest()
        existing = session.scalars(select(Pulse).where(Pulse.import_key == identity)).first()
        if existing is not None:
            report.pulses_already_imported += 1
        _import_pulse(session, team_id, rows, identity, existing, actor_label, current, name, report)
    audit.record(
        session, actor=actor_label, action="pulse.import", entity="pulse_import", entity_id=name[-200:],
        after={"sha256": hashlib.sha256(data).hexdigest(), "pulses_created": report.pulses_created,
               "responses": report.responses, "responses_already_imported": report.responses_already_imported},
    )  # fmt: skip
    return report


def _import_pulse(
    session: Session,
    team_id: int,
    rows: list[tuple[int, datetime, Direction, str, int, str]],
    identity: str,
    existing: Pulse | None,
    actor_label: str,
    current: Instrument,
    name: str,
    report: PulseImportReport,
) -> None:
    """One pulse's rows: a new pulse, or new respondents merged into the pulse a previous import made (the same
    team and pulse label). A respondent already imported (their keyed mark exists) is skipped, not duplicated."""
    responses: dict[str, dict[str, Any]] = {}
    for line, moment, direction, item, score, respondent in rows:
        found = responses.setdefault(respondent, {"direction": direction, "day": moment.date(), "answers": {}})
        if found["direction"] is not direction:
            raise PulseImportError([f"{name}:{line}: one respondent answers in one direction (function) per pulse"])
        if item in found["answers"]:
            raise PulseImportError([f"{name}:{line}: item {item!r} answered twice by one respondent in one pulse"])
        found["answers"][item] = score
    if existing is None:
        _ensure_default(session)
        pulse = Pulse(
            team_id=team_id,
            instrument_version=current.version,
            opens_at=min(r[1] for r in rows),
            closes_at=max(r[1] for r in rows) + timedelta(seconds=1),
            source="import",
            import_key=identity,
            created_by=actor_label,
        )
        session.add(pulse)
        session.flush()
        report.pulses_created += 1
    else:
        pulse = existing
        pulse.closes_at = max(pulse.closes_at, max(r[1] for r in rows) + timedelta(seconds=1))
    marks = {respondent: respondent_mark(session, pulse.id, respondent) for respondent in responses}
    known = set(
        session.scalars(
            select(PulseRespondentMark.mark).where(
                PulseRespondentMark.pulse_id == pulse.id, PulseRespondentMark.mark.in_(list(marks.values()))
            )
        )
    )
    new = [respondent for respondent in responses if marks[respondent] not in known]
    report.responses_already_imported += len(responses) - len(new)
    secrets.SystemRandom().shuffle(new)  # stored in no order the file (or anyone's list of names) could give back
    if new:
        session.execute(insert(PulseRespondentMark), [{"pulse_id": pulse.id, "mark": marks[r]} for r in new])
        _store_responses(
            session, pulse.id, [(responses[r]["direction"], responses[r]["day"], responses[r]["answers"]) for r in new]
        )
    report.responses += len(new)
    report.answers += sum(len(responses[r]["answers"]) for r in new)


# --- facts and figures --------------------------------------------------------------------------------------------


def load_trust_facts(session: Session, now: datetime | None = None, *, team_id: int | None = None) -> TrustFacts:
    """Every response of a **closed** pulse as plain facts, the teams' manager chains (for pooling) and invitation
    counts.

    Only closed pulses: a figure over an open pulse changes with each answer, and two reads a minute apart would
    give one person's answers by subtraction. Once a pulse closes, its figures never change again. ``team_id``
    loads one team only: enough for its comments' gate, never for figures (those come from the whole catalogue).
    """
    now = now or utcnow()
    names = dict(session.execute(select(Team.id, Team.name)).all())
    closed = select(Pulse.id, Pulse.team_id, Pulse.opens_at).where(Pulse.closes_at <= now)
    if team_id is not None:
        closed = closed.where(Pulse.team_id == team_id)
    pulses = {
        pulse_id: (names[pulse_team], opens_at.date(), f"{pulse_team}|{pulse_id}")
        for pulse_id, pulse_team, opens_at in session.execute(closed)
    }
    answers: dict[str, dict[str, int]] = defaultdict(dict)
    for response_id, item_id, score in session.execute(
        select(PulseAnswer.response_id, PulseAnswer.item_id, PulseAnswer.score)
        .join(PulseResponse, PulseResponse.id == PulseAnswer.response_id)
        .where(PulseResponse.pulse_id.in_(pulses))
    ):
        answers[response_id][item_id] = score
    responses = [
        ResponseFacts(
            team=pulses[pulse_id][0],
            pulse_id=pulses[pulse_id][2],  # "team|pulse": the gate counts people per team (privacy.people)
            pulse_date=pulses[pulse_id][1],
            direction=Direction(direction),
            response_id=response_id,
            scores=answers[response_id],
        )
        for response_id, pulse_id, direction in session.execute(
            select(PulseResponse.id, PulseResponse.pulse_id, PulseResponse.direction)
            .where(PulseResponse.pulse_id.in_(pulses))
            .order_by(PulseResponse.id)
        )
    ]
    invited: dict[tuple[str, str, Direction], int] = {}
    for pulse_id, direction, count in session.execute(
        select(PulseInvitation.pulse_id, PulseInvitation.direction, func.count())
        .where(PulseInvitation.pulse_id.in_(pulses))
        .group_by(PulseInvitation.pulse_id, PulseInvitation.direction)
    ):
        invited[(pulses[pulse_id][0], pulses[pulse_id][2], Direction(direction))] = count
    chains = manager_chains(session) if team_id is None else {}  # one team's facts are never pooled
    return TrustFacts(responses=responses, managers=chains, invited=invited, instrument=instrument(session))


def database_pulse_id(fact_pulse_id: str) -> int:
    """The pulse's row id from a fact's ``"team|pulse"`` id."""
    return int(fact_pulse_id.rsplit("|", 1)[-1])


def manager_chains(session: Session) -> dict[str, tuple[str, ...]]:
    """Per active team: its accountable manager, then up that person's reporting line."""
    managers: dict[str, str | None] = {}
    active: set[str] = set()
    for person_id, manager_id, is_active in session.execute(select(Person.id, Person.manager_id, Person.active)):
        managers[person_id] = manager_id
        if is_active:
            active.add(person_id)
    chains: dict[str, tuple[str, ...]] = {}
    for team in session.scalars(select(Team).where(Team.active)):  # the org read once, not a lookup per person
        top = resolve_roles(team, lambda p: p if p in active else None, managers.get).accountable_manager
        line = (top, *reporting_line(top, managers.get)) if top is not None else ()
        chains[team.name] = tuple(dict.fromkeys(line))  # a cycle back to the top ends the chain
    return chains


def released_comments(
    session: Session, facts: TrustFacts, team: str, thresholds: TrustThresholds
) -> dict[str, list[str]]:
    """The latest pulse's comments per direction, only where that group has ``min_comment_group_size`` or more
    respondents; comments are shuffled into a stable but meaningless order (sorted), never in arrival order."""
    latest = max((r for r in facts.responses if r.team == team), key=lambda r: (r.pulse_date, r.pulse_id), default=None)
    if latest is None:
        return {}
    gate = Gate.for_comments(thresholds)
    shown: dict[str, list[str]] = {}
    for direction in Direction:
        group = frozenset(
            r.key
            for r in facts.responses
            if r.team == team and r.pulse_id == latest.pulse_id and r.direction is direction
        )
        if group and gate.admit(Slice(f"comments:{team}|{direction}|{latest.pulse_id}", group)):
            texts = session.scalars(
                select(PulseComment.text).where(
                    PulseComment.pulse_id == database_pulse_id(latest.pulse_id),
                    PulseComment.direction == direction.value,
                )
            ).all()
            shown[direction.value] = sorted(texts)
    return shown


def pulses_of(session: Session, team: Team) -> Sequence[Pulse]:
    return session.scalars(select(Pulse).where(Pulse.team_id == team.id).order_by(Pulse.opens_at.desc())).all()


def response_counts(session: Session, pulse: Pulse, thresholds: TrustThresholds) -> tuple[int, int | None]:
    """(invited, answered) for a pulse; answered is None below the minimum group size, where even a count of
    answers would say whether the one colleague who has not answered yet has."""
    return all_response_counts(session, [pulse], thresholds)[pulse.id]


def all_response_counts(
    session: Session, pulses: Sequence[Pulse], thresholds: TrustThresholds
) -> dict[int, tuple[int, int | None]]:
    """``response_counts`` for many pulses in two grouped queries."""
    ids = [pulse.id for pulse in pulses]
    invited = dict(
        session.execute(
            select(PulseInvitation.pulse_id, func.count())
            .where(PulseInvitation.pulse_id.in_(ids))
            .group_by(PulseInvitation.pulse_id)
        ).all()
    )
    answered = dict(
        session.execute(
            select(PulseResponse.pulse_id, func.count())
            .where(PulseResponse.pulse_id.in_(ids))
            .group_by(PulseResponse.pulse_id)
        ).all()
    )
    now = utcnow()
    counts: dict[int, tuple[int, int | None]] = {}
    for pulse in pulses:
        count = answered.get(pulse.id, 0)
        # Hidden while open (a count rising between two reads says when each person answered) and below the minimum.
        shown = None if pulse.closes_at > now or count < thresholds.min_group_size else count
        counts[pulse.id] = (invited.get(pulse.id, 0), shown)
    return counts


def send_links(links: Sequence[Link], *, template: str, public_url: str, team: str) -> tuple[int, list[str]]:
    """Send each personal link to its person alone, now, through the Apprise URL ``template`` (``{email}`` is
    filled in): (sent, e-mails that failed). The token is never written anywhere, so a failed one is re-issued
    with ``reissue_links``, not retried."""
    import apprise  # only when links go out: Apprise loads its plugins on import

    sent, failed = 0, []
    base = public_url.rstrip("/")
    for link in links:
        sender = apprise.Apprise(asset=apprise.AppriseAsset(async_mode=False))
        if not sender.add(template.replace("{email}", quote(link.email, safe="@"))):
            failed.append(link.email)
            continue
        ok = sender.notify(
            title=f"Trust pulse for {team}",
            body=(
                f"Hi {link.name}, two minutes on how {team} works between product and engineering: "
                f"{base}/pulse/{link.token}\n\nThe link is yours alone and works once. Answers are stored without "
                "your name and shown only for groups of several people."
            ),
        )
        if ok:
            sent += 1
        else:
            failed.append(link.email)
    return sent, failed
