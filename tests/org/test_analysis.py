"""The structural analysis on hand-built org trees, with no database."""

from __future__ import annotations

from factories import node
from tandem.org.analysis import (
    AccountableManagerSource,
    OrgSnapshot,
    PersonNode,
    TeamNode,
    counterpart_pair,
    escalation_hops,
    lowest_common_manager,
    senior_leadership,
)
from tandem.org.models import Function

P, E, OTHER = Function.PRODUCT, Function.ENGINEERING, Function.OTHER


def tree(*people: PersonNode, teams: tuple[TeamNode, ...] = ()) -> OrgSnapshot:
    return OrgSnapshot.of(people, teams)


#        ceo
#     /   |    \
#   cpo  cto    gm
#    |    |    /  \
#   dp   de   pm   em
#    |    |
#   pm2  em2
ORG = tree(
    node("ceo", None, OTHER, 10),
    node("cpo", "ceo", P, 9),
    node("cto", "ceo", E, 9),
    node("gm", "ceo", OTHER, 8),
    node("pm", "gm", P, 6),
    node("em", "gm", E, 6),
    node("dp", "cpo", P, 7),
    node("de", "cto", E, 7),
    node("pm2", "dp", P, 5),
    node("em2", "de", E, 5),
)


def test_the_lowest_common_manager_of_siblings_is_their_manager() -> None:
    assert lowest_common_manager(ORG, "pm", "em") == "gm"


def test_the_lowest_common_manager_of_distant_cousins_is_the_root() -> None:
    assert lowest_common_manager(ORG, "pm2", "em2") == "ceo"


def test_when_one_lead_manages_the_other_the_common_manager_is_above_both() -> None:
    assert lowest_common_manager(ORG, "dp", "pm2") == "cpo"


def test_the_root_has_no_common_manager_with_anyone() -> None:
    assert lowest_common_manager(ORG, "ceo", "em") is None


def test_escalation_distance_is_the_larger_number_of_hops() -> None:
    org = tree(*ORG.people.values(), node("em3", "em", E, 4))
    pair = counterpart_pair(org, TeamNode("T", "pm", "em3"))
    assert (pair.accountable_manager, pair.product_hops, pair.engineering_hops) == ("gm", 1, 2)
    assert pair.escalation_distance == 2


def test_equal_hops_on_both_sides_tie_at_that_distance() -> None:
    pair = counterpart_pair(ORG, TeamNode("T", "pm2", "em2"))
    assert (pair.product_hops, pair.engineering_hops, pair.escalation_distance) == (3, 3, 3)
    assert pair.accountable_manager_source is AccountableManagerSource.LOWEST_COMMON_MANAGER


def test_an_explicit_accountable_manager_overrides_the_lowest_common_manager() -> None:
    pair = counterpart_pair(ORG, TeamNode("T", "pm2", "em2", accountable_manager_id="cto"))
    assert pair.accountable_manager == "cto"
    assert pair.accountable_manager_source is AccountableManagerSource.OVERRIDE
    # up em2 -> de -> cto is 2; pm2's line meets cto's at the ceo: pm2 -> dp -> cpo -> ceo, then down to cto.
    assert (pair.product_hops, pair.engineering_hops, pair.escalation_distance) == (4, 2, 4)


def test_the_root_as_a_lead_leaves_no_accountable_manager() -> None:
    pair = counterpart_pair(ORG, TeamNode("T", "ceo", "em"))
    assert pair.accountable_manager is None
    assert pair.escalation_distance is None
    assert pair.reports_into_counterpart is Function.ENGINEERING


def test_a_lead_named_as_the_accountable_manager_is_ignored() -> None:
    pair = counterpart_pair(ORG, TeamNode("T", "pm", "em", accountable_manager_id="pm"))
    assert (pair.accountable_manager, pair.ignored_override) == ("gm", "pm")
    assert pair.accountable_manager_source is AccountableManagerSource.LOWEST_COMMON_MANAGER


def test_level_gap_is_signed_product_minus_engineering() -> None:
    assert counterpart_pair(ORG, TeamNode("T", "dp", "em2")).level_gap == 2
    assert counterpart_pair(ORG, TeamNode("T", "pm2", "de")).level_gap == -2


def test_a_lead_in_the_counterparts_line_is_reported() -> None:
    assert counterpart_pair(ORG, TeamNode("T", "dp", "pm2")).reports_into_counterpart is Function.ENGINEERING
    assert counterpart_pair(ORG, TeamNode("T", "em2", "de")).reports_into_counterpart is Function.PRODUCT


def test_escalation_hops_to_oneself_is_zero() -> None:
    assert escalation_hops(ORG, "gm", "gm") == 0


def test_peers_at_the_top_are_recognised() -> None:
    top = senior_leadership(ORG)
    assert (top.product and top.product.id, top.engineering and top.engineering.id) == ("cpo", "cto")
    assert (top.product_depth, top.engineering_depth, top.level_gap, top.reports_into) == (1, 1, 0, None)


def test_a_product_person_as_root_is_not_the_senior_product_leader() -> None:
    org = tree(node("ceo", None, P, 10), node("vp", "ceo", P, 8), node("cto", "ceo", E, 9))
    top = senior_leadership(org)
    assert top.product is not None and top.product.id == "vp"


def test_engineering_reporting_into_product_is_found() -> None:
    org = tree(node("ceo", None, OTHER, 10), node("cpo", "ceo", P, 9), node("vpe", "cpo", E, 8))
    top = senior_leadership(org)
    assert top.reports_into is Function.ENGINEERING
    assert (top.product_depth, top.engineering_depth) == (1, 2)


def test_a_tie_for_senior_leader_goes_to_the_higher_level_then_the_larger_org() -> None:
    org = tree(
        node("ceo", None, OTHER, 10),
        node("vp1", "ceo", P, 8),
        node("vp2", "ceo", P, 8),
        node("pm", "vp2", P, 5),
        node("vp3", "ceo", P, 7),
        node("cto", "ceo", E, 9),
    )
    top = senior_leadership(org)
    assert top.product is not None and top.product.id == "vp2"


def test_inactive_people_are_not_senior_leaders() -> None:
    org = tree(node("ceo", None, OTHER, 10), node("cpo", "ceo", P, 9, active=False), node("pm", "ceo", P, 6))
    top = senior_leadership(org)
    assert top.product is not None and top.product.id == "pm"


def test_an_override_below_a_lead_is_reached_by_going_down() -> None:
    org = tree(*ORG.people.values(), node("deputy", "em", E, 5))
    pair = counterpart_pair(org, TeamNode("T", "pm", "em", accountable_manager_id="deputy"))
    assert (pair.product_hops, pair.engineering_hops) == (3, 1)


def test_an_override_who_left_gives_way_to_the_lowest_common_manager() -> None:
    org = tree(*ORG.people.values(), node("gone", "ceo", OTHER, 9, active=False))
    pair = counterpart_pair(org, TeamNode("T", "pm", "em", accountable_manager_id="gone"))
    assert (pair.accountable_manager, pair.escalation_distance) == ("gm", 1)
    assert pair.accountable_manager_source is AccountableManagerSource.LOWEST_COMMON_MANAGER
    assert pair.ignored_override == "gone"
