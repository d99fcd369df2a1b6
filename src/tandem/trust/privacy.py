"""The only gate through which a pulse figure leaves: a figure is shown only if nobody can be isolated from it.

**What the gate sees.** Every figure (a count, a mean, an interval, a response rate, an alpha, a trend) is computed
from a set of *responses*; a response is one respondent's answers in one pulse, named ``(pulse_id, response_id)``.
Response ids differ between pulses, so the gate cannot tell whether two responses of different pulses came from
one person. It therefore counts the *people* behind a set of responses as the largest number of responses from
any one pulse in it (each person answers a pulse at most once): three pulses of a team of four count four, not
twelve. Pulse ids may name their population (``"team|pulse"``): people answer for one team, so the count is that
maximum per team, summed over the teams of a pool.

**The rule**, with k = ``min_group_size`` (never below 3). Figures are admitted one by one, in the caller's order
of importance; a figure is released only if, with it, all figures released over the population still satisfy

1. every released figure's set counts at least k people, and
2. every *cell* counts at least k people — a cell being the responses that belong to exactly the same released
   figures (the atoms of the sets' common refinement, within their union).

Otherwise the figure is suppressed whole: nothing about it leaves, not even its count. A caller may admit several
figures at once, all or none (two directions that only make sense together). There is no override: an admin's
page goes through the same gate, and no setting lowers k below 3.

**Why cells, not just differences.** Every figure released is a function of sums over its set (counts, sums, sums
of squares and of cross-products: means, standard deviations, t-intervals, alpha, regression slopes), so an
attacker who collects figures — from one page or from many requests with different filters — can add and subtract
them, and all they can learn is a linear combination of the sets. Any such combination is constant on each cell,
so what it isolates is a union of whole cells, each of at least k people. Rule 2 implies the pairwise rule (the
symmetric difference of two released sets is a union of cells: empty or at least k) and stops what the pairwise
rule misses: of a team of 11 and two disjoint slices of 5, every pairwise difference is 5 or more, but the total
minus both slices is one person. The rule is sufficient, not necessary: with crossed filters it may withhold a
figure that no combination would expose, and a privacy rule should err that way. Only such sum-based figures may
be released: no medians, minima, maxima, bootstrap bounds or single answers, which the argument does not cover.

**One gate per population.** The guarantee holds for the figures one gate admitted, and it is closed under
subsets (dropping a figure only merges cells). So a page may show any subset of a gate's figures, and pages that
together must be safe — separate requests with different filters included — must draw from one gate run over the
*catalogue* of every figure they can show, in a fixed order; never gate only what one request asks for.

**Pulses.** Figures of different pulses are over different responses, so each is released on its own merits.
Their difference is no one's answer, but if one person joins between two pulses and everyone else answers exactly
as before, the difference of two sums comes close to the newcomer's. Unlinkable responses are the price of
anonymity: the gate cannot see this, and it shrinks as groups grow. A figure pooled over pulses never counts more
people than its largest pulse, so pooling never makes a small team big enough.

**Comments** are one person's words, so they are gated by their own gate with k = the larger of
``min_comment_group_size`` and ``min_group_size``: a group's comments appear together, only from a set whose cells
all count that many people.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from tandem.trust.facts import MIN_GROUP_FLOOR, TrustThresholds

ResponseKey = tuple[str, str]
"""(pulse_id, response_id)."""


def people(responses: Collection[ResponseKey]) -> int:
    """The people behind a set of responses, at least: per population, the most responses from any one pulse;
    summed over populations.

    A pulse id ``"POPULATION|PULSE"`` names the population it asked (a team: its people answer for that team
    only), so a pool of teams counts everyone in it while a team's pulses never count more than its largest.
    A pulse id without ``|`` belongs to one shared population, the conservative default.
    """
    largest: dict[str, int] = defaultdict(int)
    for pulse, count in Counter(pulse for pulse, _ in responses).items():
        population = pulse.split("|", 1)[0] if "|" in pulse else ""
        largest[population] = max(largest[population], count)
    return sum(largest.values())


@dataclass(frozen=True)
class Slice:
    """A figure to release: its name in the response and the responses it is computed from."""

    key: str
    responses: frozenset[ResponseKey]

    @property
    def people(self) -> int:
        return people(self.responses)


@dataclass(frozen=True)
class Release:
    """What a gate let through, in the order asked, and what it held back."""

    shown: tuple[Slice, ...]
    suppressed: tuple[Slice, ...]

    def __contains__(self, key: object) -> bool:
        return any(item.key == key for item in self.shown)


class Gate:
    """Admits figures one by one (or a few together) while the released set keeps the rule of the module."""

    def __init__(self, minimum: int) -> None:
        if minimum < MIN_GROUP_FLOOR:
            raise ValueError(f"minimum: {minimum} is below the floor of {MIN_GROUP_FLOOR}")
        self.minimum = minimum
        self._shown: dict[str, Slice] = {}
        self._cell_of: dict[ResponseKey, int] = {}
        """Response -> its cell: the bit set of the released figures it belongs to."""
        self._cells: dict[int, set[ResponseKey]] = {}

    @classmethod
    def for_figures(cls, thresholds: TrustThresholds) -> Gate:
        return cls(thresholds.min_group_size)

    @classmethod
    def for_comments(cls, thresholds: TrustThresholds) -> Gate:
        return cls(thresholds.comment_group_size)

    def __contains__(self, key: object) -> bool:
        return key in self._shown

    def copy(self) -> Gate:
        """A gate with the same figures admitted, that admits further figures on its own."""
        twin = Gate(self.minimum)
        twin._shown = dict(self._shown)
        twin._cell_of = dict(self._cell_of)
        twin._cells = {cell: set(members) for cell, members in self._cells.items()}
        return twin

    @property
    def shown(self) -> tuple[Slice, ...]:
        return tuple(self._shown.values())

    def admit(self, *slices: Slice) -> bool:
        """Release all of ``slices`` if the rule still holds with them, else none; True when they are released.

        A key already released is accepted again only for the same responses.
        """
        candidates: dict[str, Slice] = {}
        for item in slices:
            known = self._shown.get(item.key) or candidates.get(item.key)
            if known is not None and known.responses != item.responses:
                raise ValueError(f"slice {item.key!r}: the same key names two different sets of responses")
            if item.key not in self._shown:
                candidates[item.key] = item
        if not candidates:
            return True
        if any(item.people < self.minimum for item in candidates.values()):
            return False
        moved = self._moved_cells(list(candidates.values()))
        if not self._cells_hold(moved):
            return False
        for response, cell in moved.items():
            old = self._cell_of.get(response)
            if old is not None:  # only the cells this admission changes are touched: the gate admits thousands
                members = self._cells[old]
                members.discard(response)
                if not members:
                    del self._cells[old]
            self._cell_of[response] = cell
            self._cells.setdefault(cell, set()).add(response)
        self._shown.update(candidates)
        return True

    def _moved_cells(self, candidates: list[Slice]) -> dict[ResponseKey, int]:
        """The new cell of every response the candidates touch."""
        first_bit = len(self._shown)
        moved: dict[ResponseKey, int] = {}
        for offset, item in enumerate(candidates):
            for response in item.responses:
                moved[response] = moved.get(response, self._cell_of.get(response, 0)) | 1 << (first_bit + offset)
        return moved

    def _cells_hold(self, moved: dict[ResponseKey, int]) -> bool:
        new_cells: dict[int, list[ResponseKey]] = defaultdict(list)
        left_behind: dict[int, set[ResponseKey]] = {}
        for response, cell in moved.items():
            new_cells[cell].append(response)
            old = self._cell_of.get(response, 0)
            if old:
                left_behind.setdefault(old, set(self._cells[old])).discard(response)
        split = [members for members in left_behind.values() if members]
        return all(people(members) >= self.minimum for members in [*new_cells.values(), *split])


def release(slices: Iterable[Slice], thresholds: TrustThresholds) -> Release:
    """Which figures may be shown, admitted one by one in the given order (most important first)."""
    return _release(Gate.for_figures(thresholds), slices)


def release_comments(slices: Iterable[Slice], thresholds: TrustThresholds) -> Release:
    """Which groups' comments may be shown: the same rule at the comment minimum."""
    return _release(Gate.for_comments(thresholds), slices)


def _release(gate: Gate, slices: Iterable[Slice]) -> Release:
    asked = list(slices)
    shown = [item for item in asked if gate.admit(item)]
    return Release(shown=tuple(shown), suppressed=tuple(item for item in asked if item.key not in gate))
