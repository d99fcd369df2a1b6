"""The pulse's questions: a versioned instrument of directed items on an agreement scale.

Every item is *directed*: a product respondent rates their engineering counterparts and an engineering respondent
rates product, so the respondent's function is the direction of the trust measured. The default instrument has
five items in two subscales after McAllister (1995): *cognitive* trust (they know their craft and do what they say:
``respect``, ``reliability``, ``openness``) and *affective* trust (they mean well and I can speak up:
``positive_intent``, ``safety``).

Versions only ever add items (``Instrument.extended``), so the newest instrument scores every answer ever given;
an item's id, direction texts and reverse flag never change once answered.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property
from types import MappingProxyType


class Direction(StrEnum):
    """Who rates whom: the respondent's function, then the function they rate."""

    PRODUCT_TO_ENGINEERING = "product_to_engineering"
    ENGINEERING_TO_PRODUCT = "engineering_to_product"

    @classmethod
    def of(cls, respondent_function: str) -> Direction:
        """The direction a respondent of ``respondent_function`` answers in."""
        if respondent_function == "product":
            return cls.PRODUCT_TO_ENGINEERING
        if respondent_function == "engineering":
            return cls.ENGINEERING_TO_PRODUCT
        raise ValueError(f"function: only product and engineering answer trust pulses, not {respondent_function!r}")

    @property
    def respondents(self) -> str:
        return "product" if self is Direction.PRODUCT_TO_ENGINEERING else "engineering"

    @property
    def rated(self) -> str:
        return "engineering" if self is Direction.PRODUCT_TO_ENGINEERING else "product"


class InstrumentError(ValueError):
    """An instrument or an answer that cannot be scored; the message names the field."""


_ID = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


@dataclass(frozen=True)
class Item:
    """One statement, worded once per direction; ``reverse`` items are scored ``scale_min + scale_max - answer``."""

    id: str
    subscale: str
    text_for: dict[Direction, str]
    reverse: bool = False

    def text(self, direction: Direction) -> str:
        return self.text_for[direction]


@dataclass(frozen=True)
class Instrument:
    """A version of the pulse: its items and the agreement scale (1 = strongly disagree … 7 = strongly agree)."""

    version: int
    items: tuple[Item, ...]
    scale_min: int = 1
    scale_max: int = 7

    def __post_init__(self) -> None:
        validate(self)

    # The lookups below are computed once per instrument (it is frozen): a walk scores hundreds of thousands of
    # responses, each through them.

    @cached_property
    def item_ids(self) -> tuple[str, ...]:
        return tuple(item.id for item in self.items)

    @cached_property
    def _by_id(self) -> dict[str, Item]:
        return {item.id: item for item in self.items}

    @cached_property
    def subscales(self) -> Mapping[str, tuple[str, ...]]:
        """Subscale -> its item ids, both in the order the items first appear."""
        by_subscale: dict[str, list[str]] = {}
        for item in self.items:
            by_subscale.setdefault(item.subscale, []).append(item.id)
        return MappingProxyType({name: tuple(ids) for name, ids in by_subscale.items()})

    @property
    def midpoint(self) -> float:
        return (self.scale_min + self.scale_max) / 2

    def item(self, item_id: str) -> Item:
        found = self._by_id.get(item_id)
        if found is None:
            raise InstrumentError(f"item: {item_id!r} is not in instrument version {self.version}")
        return found

    def score(self, item_id: str, answer: int) -> int:
        """The answer as a trust score: higher always means more trust, whatever the item's wording."""
        if isinstance(answer, bool) or not isinstance(answer, int):
            raise InstrumentError(f"answer for {item_id!r}: expected a whole number, got {answer!r}")
        if not self.scale_min <= answer <= self.scale_max:
            raise InstrumentError(
                f"answer for {item_id!r}: {answer} is outside the scale {self.scale_min}..{self.scale_max}"
            )
        return self.scale_min + self.scale_max - answer if self.item(item_id).reverse else answer

    def scored(self, answers: Mapping[str, int]) -> dict[str, int]:
        """Every answer scored (reverse items flipped), in instrument order."""
        unknown = sorted(answer for answer in answers if answer not in self._by_id)
        if unknown:
            raise InstrumentError(f"item: {unknown[0]!r} is not in instrument version {self.version}")
        return {item_id: self.score(item_id, answers[item_id]) for item_id in self.item_ids if item_id in answers}

    def respondent_mean(self, answers: Mapping[str, int], subscale: str | None = None) -> float | None:
        """One respondent's trust: the mean of their scored answers (in one subscale if given); None if none."""
        scored = self.scored(answers)
        wanted = set(self.subscales.get(subscale, ())) if subscale is not None else set(scored)
        values = [score for item_id, score in scored.items() if item_id in wanted]
        return sum(values) / len(values) if values else None

    def extended(self, items: Iterable[Item], *, new_subscales: Iterable[str] = ()) -> Instrument:
        """The next version with custom items added.

        A custom item must join a subscale the instrument already has, or one named in ``new_subscales`` — so a
        typo (``afective``) is refused instead of quietly starting a one-item subscale.
        """
        added = tuple(items)
        declared = set(new_subscales)
        for item in added:
            if item.subscale not in self.subscales and item.subscale not in declared:
                raise InstrumentError(
                    f"subscale of {item.id!r}: {item.subscale!r} is not one of {sorted(self.subscales)}; "
                    "declare it as a new subscale to start one"
                )
        unused = sorted(declared - {item.subscale for item in added})
        if unused:
            raise InstrumentError(f"new_subscales: {unused[0]!r} has no item")
        return Instrument(self.version + 1, self.items + added, self.scale_min, self.scale_max)


def validate(instrument: Instrument) -> None:
    """Refuse an instrument that could not be scored: the first problem found, naming the field."""
    if instrument.version < 1:
        raise InstrumentError(f"version: must be 1 or more, got {instrument.version}")
    if instrument.scale_max - instrument.scale_min < 2:
        raise InstrumentError(
            f"scale: {instrument.scale_min}..{instrument.scale_max} needs at least three points to measure agreement"
        )
    if not instrument.items:
        raise InstrumentError("items: an instrument needs at least one item")
    seen: set[str] = set()
    for item in instrument.items:
        if not _ID.match(item.id):
            raise InstrumentError(f"id: {item.id!r} must be lower-case letters, digits and underscores")
        if item.id in seen:
            raise InstrumentError(f"id: {item.id!r} appears twice")
        seen.add(item.id)
        if not _ID.match(item.subscale):
            raise InstrumentError(
                f"subscale of {item.id!r}: {item.subscale!r} must be lower-case letters, digits and underscores"
            )
        for direction in Direction:
            if not item.text_for.get(direction, "").strip():
                raise InstrumentError(f"text_for of {item.id!r}: the {direction.value} wording is missing")
        extra = set(item.text_for) - set(Direction)
        if extra:
            raise InstrumentError(f"text_for of {item.id!r}: {sorted(map(str, extra))[0]!r} is not a direction")


def _directed(template: str) -> dict[Direction, str]:
    """One wording per direction from a template naming the rated function ``{rated}``."""
    return {direction: template.format(rated=direction.rated) for direction in Direction}


DEFAULT_INSTRUMENT = Instrument(
    version=1,
    items=(
        Item("respect", "cognitive", _directed("My {rated} counterparts have expertise I respect.")),
        Item(
            "positive_intent",
            "affective",
            _directed("My {rated} counterparts act in good faith, even when we disagree."),
        ),
        Item(
            "safety",
            "affective",
            _directed("I can raise a problem with my {rated} counterparts without it being held against me."),
        ),
        Item("reliability", "cognitive", _directed("My {rated} counterparts deliver what they commit to.")),
        Item("openness", "cognitive", _directed("My {rated} counterparts share their constraints early.")),
    ),
)
"""Version 1: the five default items, none reverse-scored."""
