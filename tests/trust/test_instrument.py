"""The instrument: directed wording, reverse scoring, and refusing custom items that could not be scored."""

from __future__ import annotations

import pytest

from tandem.trust.instrument import DEFAULT_INSTRUMENT, Direction, Instrument, InstrumentError, Item

BOTH = {direction: f"My {direction.rated} counterparts ask before they decide." for direction in Direction}


def custom(item_id: str = "consulted", subscale: str = "affective", *, reverse: bool = False) -> Item:
    return Item(item_id, subscale, dict(BOTH), reverse=reverse)


def test_the_default_instrument_has_the_five_items_in_two_subscales() -> None:
    assert DEFAULT_INSTRUMENT.item_ids == ("respect", "positive_intent", "safety", "reliability", "openness")
    assert DEFAULT_INSTRUMENT.subscales == {
        "cognitive": ("respect", "reliability", "openness"),
        "affective": ("positive_intent", "safety"),
    }
    assert (DEFAULT_INSTRUMENT.version, DEFAULT_INSTRUMENT.scale_min, DEFAULT_INSTRUMENT.scale_max) == (1, 1, 7)


def test_each_item_names_the_counterpart_of_the_respondent() -> None:
    reliability = DEFAULT_INSTRUMENT.item("reliability")
    assert (
        reliability.text(Direction.PRODUCT_TO_ENGINEERING) == "My engineering counterparts deliver what they commit to."
    )
    assert reliability.text(Direction.ENGINEERING_TO_PRODUCT) == "My product counterparts deliver what they commit to."


def test_the_direction_is_the_respondents_function() -> None:
    assert Direction.of("product") is Direction.PRODUCT_TO_ENGINEERING
    assert Direction.of("engineering") is Direction.ENGINEERING_TO_PRODUCT
    with pytest.raises(ValueError, match="design"):
        Direction.of("design")


def test_a_reverse_item_is_scored_eight_minus_the_answer() -> None:
    instrument = DEFAULT_INSTRUMENT.extended([custom("blindsided", reverse=True)])
    assert [instrument.score("blindsided", answer) for answer in range(1, 8)] == [7, 6, 5, 4, 3, 2, 1]
    assert instrument.score("respect", 2) == 2


def test_a_respondents_mean_flips_reverse_items_first() -> None:
    instrument = DEFAULT_INSTRUMENT.extended([custom("blindsided", reverse=True)])
    assert instrument.respondent_mean({"respect": 6, "blindsided": 2}) == 6.0
    assert instrument.respondent_mean({"respect": 6, "safety": 4, "blindsided": 2}, subscale="affective") == 5.0
    assert instrument.respondent_mean({}) is None


@pytest.mark.parametrize("answer", [0, 8, True, 4.5])
def test_an_answer_off_the_scale_is_refused(answer: int) -> None:
    with pytest.raises(InstrumentError, match="answer for 'respect'"):
        DEFAULT_INSTRUMENT.score("respect", answer)


def test_an_answer_to_an_unknown_item_is_refused() -> None:
    with pytest.raises(InstrumentError, match="'morale' is not in instrument version 1"):
        DEFAULT_INSTRUMENT.scored({"morale": 4})


def test_extending_makes_the_next_version_and_keeps_every_item() -> None:
    extended = DEFAULT_INSTRUMENT.extended([custom()])
    assert extended.version == 2
    assert extended.item_ids[:5] == DEFAULT_INSTRUMENT.item_ids
    assert extended.subscales["affective"] == ("positive_intent", "safety", "consulted")


def test_a_custom_item_with_a_taken_id_is_refused() -> None:
    with pytest.raises(InstrumentError, match="id: 'safety' appears twice"):
        DEFAULT_INSTRUMENT.extended([custom("safety")])


def test_a_custom_item_in_an_unknown_subscale_is_refused_unless_declared_new() -> None:
    with pytest.raises(InstrumentError, match="'afective' is not one of"):
        DEFAULT_INSTRUMENT.extended([custom(subscale="afective")])
    extended = DEFAULT_INSTRUMENT.extended([custom(subscale="candour")], new_subscales=["candour"])
    assert extended.subscales["candour"] == ("consulted",)


def test_a_declared_subscale_without_items_is_refused() -> None:
    with pytest.raises(InstrumentError, match="new_subscales: 'candour' has no item"):
        DEFAULT_INSTRUMENT.extended([custom()], new_subscales=["candour"])


def test_a_custom_item_needs_both_wordings() -> None:
    one_way = Item("consulted", "affective", {Direction.PRODUCT_TO_ENGINEERING: "They ask first."})
    with pytest.raises(InstrumentError, match="text_for of 'consulted': the engineering_to_product wording is missing"):
        DEFAULT_INSTRUMENT.extended([one_way])


@pytest.mark.parametrize(("item_id", "message"), [("Has Spaces", "id: 'Has Spaces'"), ("", "id: ''")])
def test_a_custom_item_id_must_be_a_slug(item_id: str, message: str) -> None:
    with pytest.raises(InstrumentError, match=message):
        DEFAULT_INSTRUMENT.extended([custom(item_id)])


def test_a_scale_needs_three_points() -> None:
    with pytest.raises(InstrumentError, match=r"scale: 1\.\.2"):
        Instrument(version=1, items=DEFAULT_INSTRUMENT.items, scale_min=1, scale_max=2)


def test_reverse_scoring_follows_the_scale() -> None:
    five_point = Instrument(version=1, items=(custom(reverse=True),), scale_min=1, scale_max=5)
    assert five_point.score("consulted", 1) == 5
