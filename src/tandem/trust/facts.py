"""Trust pulses as plain data for the pure analysis: no database, no ORM objects, no identities."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime

from tandem.trust.instrument import DEFAULT_INSTRUMENT, Direction, Instrument

MIN_GROUP_FLOOR = 3
"""No setting can show a group smaller than this, whatever an admin configures."""


@dataclass(frozen=True)
class TrustThresholds:
    """The trust detectors' and the privacy gate's settings, with their defaults."""

    breakdown_index: float = 4.0
    """A team's trust index below this (of 7) is a breakdown."""
    breakdown_lower_bound: float = 3.5
    """… and so is the lower bound of its confidence interval below this."""
    asymmetry_gap: float = 1.0
    """The two directions' trust indexes this far apart (or more) is an asymmetry."""
    min_group_size: int = 5
    """No figure over fewer respondents, anywhere (never below ``MIN_GROUP_FLOOR``)."""
    min_comment_group_size: int = 10
    """No free-text comment from a group smaller than this (nor smaller than ``min_group_size``)."""
    trend_window: int = 3
    """The trend is judged over a team's last this many pulses."""
    alpha: float = 0.05
    """Significance level of the trend; intervals are at 1 - alpha."""

    def __post_init__(self) -> None:
        if self.min_group_size < MIN_GROUP_FLOOR:
            raise ValueError(f"min_group_size: {self.min_group_size} is below the floor of {MIN_GROUP_FLOOR}")
        if self.trend_window < 2:
            raise ValueError(f"trend_window: a trend needs at least two pulses, got {self.trend_window}")
        if not 0.0 < self.alpha < 1.0:
            raise ValueError(f"alpha: must be strictly between 0 and 1, got {self.alpha}")

    @property
    def comment_group_size(self) -> int:
        """The minimum for comments: the larger of the two settings."""
        return max(self.min_comment_group_size, self.min_group_size)

    @property
    def confidence(self) -> float:
        return 1.0 - self.alpha


@dataclass(frozen=True)
class ResponseFacts:
    """One respondent's answers in one pulse, without identity.

    ``response_id`` is opaque and groups one submission's answers; it differs from pulse to pulse, so a person's
    answers can never be followed across pulses. ``scores`` holds the raw answers (item id -> scale point), not
    yet reverse-scored. ``team`` is the team the respondent answered for.
    """

    team: str
    pulse_id: str
    pulse_date: date
    direction: Direction
    response_id: str
    scores: dict[str, int]

    @property
    def key(self) -> tuple[str, str]:
        """What the privacy gate counts: (pulse, response)."""
        return (self.pulse_id, self.response_id)


@dataclass(frozen=True)
class TrustFacts:
    """Everything the trust detectors read.

    ``managers`` maps a team to its manager chain, nearest first: its accountable manager, then up that person's
    reporting line to the root. Teams under the same manager are pooled when a team alone is too small.
    ``invited`` maps (team, pulse id, direction) to how many were invited, for response rates.
    """

    responses: list[ResponseFacts]
    managers: dict[str, tuple[str, ...]] = field(default_factory=dict)
    invited: dict[tuple[str, str, Direction], int] = field(default_factory=dict)
    instrument: Instrument = DEFAULT_INSTRUMENT

    def within(self, since: datetime | None, until: datetime | None) -> TrustFacts:
        """The answers to pulses dated from ``since`` to ``until`` (the loader reads only pulses closed by
        ``until``)."""
        if since is None and until is None:
            return self
        first = since.date() if since is not None else None
        last = until.date() if until is not None else None
        kept = [
            r
            for r in self.responses
            if (first is None or r.pulse_date >= first) and (last is None or r.pulse_date <= last)
        ]
        return replace(self, responses=kept)
