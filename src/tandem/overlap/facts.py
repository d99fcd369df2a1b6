"""Rituals as plain data for the pure analysis (overlap metrics, detectors, the pressure test): no database."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import NamedTuple

from tandem.decisions.facts import DecisionFacts
from tandem.schedule.facts import ScheduleFacts
from tandem.trust.facts import TrustFacts

FUNCTIONS = ("product", "engineering")


class RitualKind(enum.StrEnum):
    """What a meeting is for. Discovery and planning want engineers in the room; delivery rituals want product."""

    DISCOVERY = "discovery"
    """Customer interviews, user research, problem framing, early planning."""
    PLANNING = "planning"
    """Planning reviews, sprint planning, estimation, refinement."""
    STANDUP = "standup"
    RETRO = "retro"
    DEMO = "demo"
    """Demos and sprint reviews."""
    INCIDENT = "incident"
    """Incident reviews and postmortems; an incident review also marks an incident for the pressure test."""
    OTHER = "other"


DISCOVERY_KINDS = (RitualKind.DISCOVERY, RitualKind.PLANNING)
"""Rituals where engineers should join product: the share with an engineer present is measured."""
DELIVERY_KINDS = (RitualKind.STANDUP, RitualKind.RETRO, RitualKind.DEMO, RitualKind.INCIDENT)
"""Rituals where product should stay present through delivery: the share with a PM present is measured."""
PRODUCT_PRESENCE_KINDS = (RitualKind.STANDUP, RitualKind.RETRO, RitualKind.DEMO)
"""The delivery rituals the ``product_absent_from_delivery`` detector judges (the issue's standups, retros and
demos; an incident review is often called at short notice and is reported, not judged)."""


@dataclass(frozen=True)
class Attendee:
    """A person present at an occurrence, with the side they speak for: their lead seat on the team, else their
    function (product, engineering, design, data or other)."""

    person_id: str
    function: str


@dataclass(frozen=True)
class OccurrenceFacts:
    """One occurrence of a ritual: a meeting that took place, and who was there (declined attendees excluded)."""

    id: int
    team: str
    kind: RitualKind
    start: datetime
    minutes: int
    summary: str = ""
    organiser: str | None = None
    """The organiser's person id; None when the organiser is no one in the org."""
    organiser_function: str | None = None
    attendees: tuple[Attendee, ...] = ()

    def has_function(self, function: str) -> bool:
        return any(a.function == function for a in self.attendees)

    def has_person(self, person_id: str | None) -> bool:
        return person_id is not None and any(a.person_id == person_id for a in self.attendees)


@dataclass(frozen=True)
class OverlapFacts:
    """Everything the overlap detectors and metrics read, and the moment they read it.

    ``leads`` names the people in each team's lead seats now (team -> function -> person id); ``teams`` lists the
    active teams, so a team with no rituals at all is reported as having none.
    """

    occurrences: list[OccurrenceFacts]
    leads: dict[str, dict[str, str | None]] = field(default_factory=dict)
    teams: tuple[str, ...] = ()
    now: datetime = field(default_factory=lambda: datetime.now().astimezone())

    def within(self, since: datetime | None, until: datetime | None) -> OverlapFacts:
        """The rituals held from ``since`` to ``until``, read as at ``until``."""
        if since is None and until is None:
            return self
        held = [
            o for o in self.occurrences if (since is None or o.start >= since) and (until is None or o.start <= until)
        ]
        return replace(self, occurrences=held, now=until or self.now)


class TeamEvent(NamedTuple):
    """Something that happened on a team that the pressure test measures or that opens a pressure period (derived
    from ``PressureFacts`` by ``tandem.overlap.pressure.team_events``; a named tuple, as a year of schedule changes
    makes a million of them).

    ``kind`` is one of: ``schedule_change`` (``flag`` = made alone by one function), ``decision`` (``flag`` =
    escalated), ``ritual`` (``flag`` = both functions present) for measures; ``committed_date`` (the date a
    commitment both leads signed is due), ``scope_cut``, ``slip`` (a commitment revision cutting scope or moving the
    date later) and ``incident`` (an incident review) for pressure.
    """

    team: str
    kind: str
    at: datetime
    flag: bool = False


@dataclass(frozen=True)
class PressureFacts:
    """What the pressure test reads: the schedule, the decisions, the rituals and the closed pulses' responses.

    Trust figures leave only through the trust domain's privacy gate, admitted after every figure the trust pages
    show. ``leads`` names each team's lead seats now.
    """

    schedule: ScheduleFacts
    decisions: list[DecisionFacts]
    occurrences: list[OccurrenceFacts]
    trust: TrustFacts
    now: datetime
    leads: dict[str, dict[str, str | None]] = field(default_factory=dict)
