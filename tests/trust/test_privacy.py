"""The privacy gate: no figure over fewer than k people, and no combination of released figures isolates anyone.

The property tests play the attacker: they request figures through any combination of filters (team, function,
seniority, pulses, everyone-but-one) or arbitrary sets of responses, then check, by linear algebra independent of
the gate's own bookkeeping, that no sum, difference or other linear combination of the released figures depends
on the answers of one person (or of two) alone.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tandem.trust.facts import TrustThresholds
from tandem.trust.privacy import Gate, ResponseKey, Slice, people, release, release_comments

THRESHOLDS = TrustThresholds()


def responses(pulse: str, *people_ids: int) -> frozenset[ResponseKey]:
    return frozenset((pulse, f"{pulse}-r{person}") for person in people_ids)


def shown_keys(slices: list[Slice], thresholds: TrustThresholds = THRESHOLDS) -> list[str]:
    return [item.key for item in release(slices, thresholds).shown]


# --- the minimum ------------------------------------------------------------------------------------------------


def test_a_team_of_four_never_yields_a_figure() -> None:
    four = Slice("team", responses("p1", 1, 2, 3, 4))
    assert shown_keys([four]) == []


def test_pooling_pulses_does_not_make_four_people_five() -> None:
    pooled = Slice(
        "team, three pulses", responses("p1", 1, 2, 3, 4) | responses("p2", 1, 2, 3, 4) | responses("p3", 1, 2, 3, 4)
    )
    assert pooled.people == 4
    assert shown_keys([pooled]) == []


def test_five_people_make_a_figure() -> None:
    assert shown_keys([Slice("team", responses("p1", 1, 2, 3, 4, 5))]) == ["team"]


def test_people_counts_the_largest_pulse() -> None:
    assert people(responses("p1", 1, 2) | responses("p2", 1, 2, 3)) == 3
    assert people(frozenset()) == 0


@pytest.mark.parametrize("minimum", [0, 1, 2])
def test_the_minimum_cannot_be_set_below_three(minimum: int) -> None:
    with pytest.raises(ValueError, match="below the floor of 3"):
        TrustThresholds(min_group_size=minimum)
    with pytest.raises(ValueError, match="below the floor of 3"):
        Gate(minimum)


# --- differencing -----------------------------------------------------------------------------------------------


def test_a_slice_whose_remainder_is_small_is_suppressed() -> None:
    total = Slice("team", responses("p1", *range(10)))
    product = Slice("team|product", responses("p1", *range(7)))
    result = release([total, product], THRESHOLDS)
    assert [s.key for s in result.shown] == ["team"]
    assert [s.key for s in result.suppressed] == ["team|product"]


def test_a_slice_and_its_remainder_both_large_are_shown() -> None:
    total = Slice("team", responses("p1", *range(10)))
    product = Slice("team|product", responses("p1", *range(5)))
    engineering = Slice("team|engineering", responses("p1", *range(5, 10)))
    assert shown_keys([total, product, engineering]) == ["team", "team|product", "team|engineering"]


def test_team_minus_one_through_a_second_filter_is_suppressed() -> None:
    team = Slice("team=Payments", responses("p1", *range(8)))
    seniors = Slice("level>=3", responses("p1", *range(7)))  # everyone on the team but the one junior
    assert shown_keys([team, seniors]) == ["team=Payments"]


def test_two_filters_giving_the_same_people_are_both_shown() -> None:
    team = Slice("team=Payments", responses("p1", *range(6)))
    same = Slice("manager=ada", responses("p1", *range(6)))
    assert shown_keys([team, same]) == ["team=Payments", "manager=ada"]


def test_the_total_minus_two_slices_cannot_isolate_one_person() -> None:
    """Every pairwise difference here is 5 or more; only the cells show the 11th person alone."""
    total = Slice("team", responses("p1", *range(11)))
    first = Slice("slice a", responses("p1", *range(5)))
    second = Slice("slice b", responses("p1", *range(5, 10)))
    assert shown_keys([total, first, second]) == ["team", "slice a"]


def test_pooled_windows_differing_by_a_small_pulse_are_suppressed() -> None:
    small_first = responses("p1", 1, 2, 3)
    later = responses("p2", *range(6)) | responses("p3", *range(6))
    assert shown_keys([Slice("p2-p3", later), Slice("p1-p3", later | small_first)]) == ["p2-p3"]


def test_a_later_figure_is_checked_against_everything_already_shown() -> None:
    gate = Gate(5)
    assert gate.admit(Slice("a", responses("p1", *range(10))))
    assert gate.admit(Slice("b", responses("p1", *range(5))))
    assert not gate.admit(Slice("c", responses("p1", *range(8))))  # splits b's remainder 5..9 into 3 and 2
    assert gate.admit(Slice("c", responses("p1", *range(5, 10))))  # the remainder itself: the same cell
    assert [s.key for s in gate.shown] == ["a", "b", "c"]


def test_a_copied_gate_keeps_what_was_shown_and_admits_on_its_own() -> None:
    gate = Gate(5)
    assert gate.admit(Slice("a", responses("p1", *range(15))))
    twin = gate.copy()
    assert twin.admit(Slice("b", responses("p1", *range(5))))
    assert not twin.admit(Slice("c", responses("p1", *range(5, 12))))  # would leave 12..14 of a minus b: three
    assert "b" not in gate
    assert gate.admit(Slice("c", responses("p1", *range(5, 12))))  # the original never saw b: 0..4 and 12..14


def test_figures_admitted_together_are_all_or_none() -> None:
    gate = Gate(5)
    assert gate.admit(Slice("team", responses("p1", *range(9))))
    assert not gate.admit(
        Slice("product", responses("p1", *range(5))), Slice("engineering", responses("p1", 5, 6, 7, 8))
    )
    assert "product" not in gate
    assert gate.shown == (Slice("team", responses("p1", *range(9))),)


def test_one_key_cannot_name_two_sets() -> None:
    gate = Gate(5)
    gate.admit(Slice("team", responses("p1", *range(6))))
    assert gate.admit(Slice("team", responses("p1", *range(6))))
    with pytest.raises(ValueError, match="two different sets"):
        gate.admit(Slice("team", responses("p1", *range(7))))


# --- comments ---------------------------------------------------------------------------------------------------


def test_comments_need_the_larger_group() -> None:
    nine = Slice("team", responses("p1", *range(9)))
    assert shown_keys([nine]) == ["team"]
    assert release_comments([nine], THRESHOLDS).shown == ()
    assert release_comments([Slice("team", responses("p1", *range(10)))], THRESHOLDS).shown != ()


def test_comments_are_gated_against_differencing_too() -> None:
    total = Slice("team", responses("p1", *range(12)))
    engineering = Slice("team|engineering", responses("p1", *range(10)))
    assert [s.key for s in release_comments([total, engineering], THRESHOLDS).shown] == ["team"]


def test_the_comment_minimum_is_never_below_the_figure_minimum() -> None:
    assert TrustThresholds(min_group_size=8, min_comment_group_size=6).comment_group_size == 8


# --- the attacker -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    id: int
    team: str
    function: str
    senior: bool


@dataclass(frozen=True)
class Population:
    people: tuple[Person, ...]
    answered: tuple[tuple[str, int], ...]
    """(pulse, person) for every response: people join and leave between pulses."""

    def key(self, pulse: str, person: int) -> ResponseKey:
        return (pulse, f"{pulse}-{person}")

    @property
    def keys(self) -> list[ResponseKey]:
        return [self.key(pulse, person) for pulse, person in self.answered]

    def person_of(self, key: ResponseKey) -> int:
        return next(person for pulse, person in self.answered if self.key(pulse, person) == key)


@st.composite
def populations(draw: st.DrawFn, max_people: int = 14) -> Population:
    count = draw(st.integers(1, max_people))
    crowd = tuple(
        Person(
            i,
            draw(st.sampled_from(["Payments", "Search"])),
            draw(st.sampled_from(["product", "engineering"])),
            draw(st.booleans()),
        )
        for i in range(count)
    )
    pulses = [f"p{n}" for n in range(draw(st.integers(1, 3)))]
    answered = tuple((pulse, p.id) for pulse in pulses for p in crowd if draw(st.integers(0, 5)) > 0)
    return Population(crowd, answered)


@st.composite
def filters(draw: st.DrawFn, population: Population) -> Slice:
    """One figure an attacker asks for: a combination of filters, or any set of responses at all."""
    how = draw(st.integers(0, 4))
    if how == 0 and population.keys:
        chosen = draw(st.sets(st.sampled_from(sorted(population.keys))))
        return Slice(f"any:{sorted(chosen)}", frozenset(chosen))
    if how == 1:
        group = draw(st.sets(st.sampled_from([p.id for p in population.people])))
        chosen = {population.key(pulse, person) for pulse, person in population.answered if person in group}
        return Slice(f"people:{sorted(group)}", frozenset(chosen))
    pulses = sorted({pulse for pulse, _ in population.answered}) or ["p0"]
    in_pulses = draw(st.sets(st.sampled_from(pulses), min_size=1))
    team = draw(st.sampled_from([None, "Payments", "Search"]))
    function = draw(st.sampled_from([None, "product", "engineering"]))
    senior = draw(st.sampled_from([None, True, False]))
    but = draw(st.sampled_from([None, *[p.id for p in population.people]]))
    by_id = {p.id: p for p in population.people}
    chosen = {
        population.key(pulse, person)
        for pulse, person in population.answered
        if pulse in in_pulses
        and team in (None, by_id[person].team)
        and function in (None, by_id[person].function)
        and senior in (None, by_id[person].senior)
        and person != but
    }
    name = f"pulses={sorted(in_pulses)} team={team} function={function} senior={senior} but={but}"
    return Slice(name, frozenset(chosen))


@st.composite
def attacks(draw: st.DrawFn, max_people: int = 14) -> tuple[Population, list[Slice], int]:
    population = draw(populations(max_people))
    asked = draw(st.lists(filters(population), min_size=1, max_size=8, unique_by=lambda s: s.key))
    return population, asked, draw(st.integers(3, 6))


def exposes(population: Population, shown: tuple[Slice, ...], group: set[int]) -> bool:
    """Whether some linear combination of the shown figures' sums depends on ``group``'s answers alone: the row
    space of the figures' indicator matrix meets the coordinates of the group's responses beyond zero."""
    if not shown:
        return False
    columns = {key: i for i, key in enumerate(population.keys)}
    figures = np.zeros((len(shown), len(columns)))
    for row, item in enumerate(shown):
        for key in item.responses:
            figures[row, columns[key]] = 1.0
    own = [columns[population.key(pulse, person)] for pulse, person in population.answered if person in group]
    if not own:
        return False
    units = np.eye(len(columns))[own]
    rank = np.linalg.matrix_rank
    return bool(rank(figures) + len(own) - rank(np.vstack([figures, units])) > 0)


@settings(max_examples=300, deadline=None)
@given(attacks())
def test_no_combination_of_filters_isolates_one_person(attack: tuple[Population, list[Slice], int]) -> None:
    population, asked, minimum = attack
    shown = release(asked, TrustThresholds(min_group_size=minimum)).shown
    for person in population.people:
        assert not exposes(population, shown, {person.id}), f"person {person.id} isolated by {[s.key for s in shown]}"


@st.composite
def differencing_attacks(draw: st.DrawFn) -> tuple[Population, list[Slice], int]:
    """The total, and everyone but one victim cut into groups of at least k: each figure alone is large enough,
    every pairwise difference may be too, yet the total minus all the groups is the victim."""
    minimum = draw(st.integers(3, 5))
    count = draw(st.integers(2 * minimum + 1, 4 * minimum + 1))
    crowd = tuple(Person(i, "Payments", "engineering", False) for i in range(count))
    population = Population(crowd, tuple(("p0", i) for i in range(count)))
    victim = draw(st.integers(0, count - 1))
    others = draw(st.permutations([i for i in range(count) if i != victim]))
    cuts = sorted(draw(st.sets(st.integers(minimum, count - 1 - minimum), max_size=3)))
    bounds = [0, *cuts, count - 1]
    groups = [others[a:b] for a, b in itertools.pairwise(bounds) if b - a >= minimum]
    asked = [Slice("total", frozenset(population.keys))]
    asked += [Slice(f"group {n}", frozenset(population.key("p0", i) for i in g)) for n, g in enumerate(groups)]
    return population, draw(st.permutations(asked)), minimum


@settings(max_examples=300, deadline=None)
@given(differencing_attacks())
def test_the_total_minus_disjoint_groups_never_isolates_the_one_left_over(
    attack: tuple[Population, list[Slice], int],
) -> None:
    population, asked, minimum = attack
    shown = release(asked, TrustThresholds(min_group_size=minimum)).shown
    for person in population.people:
        assert not exposes(population, shown, {person.id})


@settings(max_examples=150, deadline=None)
@given(attacks(max_people=10))
def test_no_combination_of_filters_isolates_two_people(attack: tuple[Population, list[Slice], int]) -> None:
    population, asked, minimum = attack
    shown = release(asked, TrustThresholds(min_group_size=minimum)).shown
    for pair in itertools.combinations([p.id for p in population.people], 2):
        assert not exposes(population, shown, set(pair))


@settings(max_examples=300, deadline=None)
@given(attacks())
def test_every_shown_figure_and_every_difference_counts_at_least_k_people(
    attack: tuple[Population, list[Slice], int],
) -> None:
    population, asked, minimum = attack
    shown = release(asked, TrustThresholds(min_group_size=minimum)).shown
    for item in shown:
        assert len({population.person_of(key) for key in item.responses}) >= minimum
    for first, second in itertools.combinations(shown, 2):
        difference = first.responses ^ second.responses
        assert not difference or len({population.person_of(key) for key in difference}) >= minimum


@settings(max_examples=200, deadline=None)
@given(attacks(max_people=4))
def test_four_people_never_yield_a_figure_whatever_is_asked(attack: tuple[Population, list[Slice], int]) -> None:
    _, asked, _ = attack
    assert release(asked, THRESHOLDS).shown == ()


@settings(max_examples=200, deadline=None)
@given(attacks())
def test_a_subset_of_a_safe_release_is_released_whole(attack: tuple[Population, list[Slice], int]) -> None:
    """Safety is closed under subsets: a page showing fewer of the figures stays safe, so the release agrees."""
    _, asked, minimum = attack
    thresholds = TrustThresholds(min_group_size=minimum)
    shown = release(asked, thresholds).shown
    assert release(shown[::2], thresholds).shown == shown[::2]


def test_people_are_counted_per_team_and_summed_over_a_pool() -> None:
    one_team_twice = {("t1|p1", "a"), ("t1|p1", "b"), ("t1|p2", "c"), ("t1|p2", "d")}
    assert people(one_team_twice) == 2  # the same two people answered both pulses, for all the gate knows
    assert people(one_team_twice | {("t2|p3", "e"), ("t2|p3", "f"), ("t2|p3", "g")}) == 5
