"""The structural detectors on hand-built orgs: each fires on its planted case and stays quiet otherwise."""

from __future__ import annotations

from factories import node
from tandem.config import Thresholds
from tandem.org.analysis import OrgSnapshot, PersonNode, TeamNode
from tandem.org.detectors import distant_accountable_manager, missing_counterpart, power_gap
from tandem.org.models import Function
from tandem.walk.findings import Finding

P, E, OTHER = Function.PRODUCT, Function.ENGINEERING, Function.OTHER
DEFAULTS = Thresholds()


def org(*teams: TeamNode, extra: tuple[PersonNode, ...] = ()) -> OrgSnapshot:
    people = [
        node("ceo", None, OTHER, 10),
        node("cpo", "ceo", P, 9),
        node("cto", "ceo", E, 9),
        node("gm", "ceo", OTHER, 8),
        node("pm", "gm", P, 6),
        node("em", "gm", E, 5),
        node("junior_pm", "gm", P, 4),
        node("dp", "cpo", P, 7),
        node("far_pm", "dp", P, 6),
        node("left", "gm", E, 6, active=False),
        *extra,
    ]
    return OrgSnapshot.of(people, teams)


def team_findings(findings: list[Finding]) -> list[tuple[str, list[str]]]:
    return [(f.kind, f.scope.teams) for f in findings if f.scope.teams]


def test_a_healthy_pair_has_no_structural_finding() -> None:
    healthy = org(TeamNode("Healthy", "pm", "em"))
    for detect in (power_gap, distant_accountable_manager, missing_counterpart):
        assert list(detect(healthy, DEFAULTS)) == []


def test_a_level_gap_at_the_threshold_is_a_power_gap() -> None:
    snapshot = org(TeamNode("Gap", "junior_pm", "em6"), extra=(node("em6", "gm", E, 6),))
    findings = list(power_gap(snapshot, DEFAULTS))
    assert team_findings(findings) == [("power_gap", ["Gap"])]
    assert (findings[0].evidence["level_gap"], findings[0].evidence["senior_function"]) == (2, "engineering")


def test_a_team_with_an_inactive_lead_is_left_to_missing_counterpart() -> None:
    assert team_findings(list(power_gap(org(TeamNode("Left", "junior_pm", "left")), DEFAULTS))) == []


def test_a_level_gap_below_the_threshold_is_not_a_power_gap() -> None:
    assert team_findings(list(power_gap(org(TeamNode("Near", "junior_pm", "em")), DEFAULTS))) == []


def test_the_threshold_comes_from_settings() -> None:
    strict = Thresholds(power_gap_levels=1)
    assert team_findings(list(power_gap(org(TeamNode("Near", "junior_pm", "em")), strict))) == [("power_gap", ["Near"])]


def test_an_engineering_lead_reporting_to_the_product_lead_is_a_power_gap() -> None:
    snapshot = org(TeamNode("Under", "pm", "dev"), extra=(node("dev", "pm", E, 6),))
    findings = list(power_gap(snapshot, DEFAULTS))
    assert team_findings(findings) == [("power_gap", ["Under"])]
    assert findings[0].evidence["reasons"] == ["reports_to_counterpart"]


def test_peers_at_the_top_give_no_org_wide_gap() -> None:
    assert [f for f in power_gap(org(), DEFAULTS) if f.evidence.get("scope") == "org"] == []


def test_engineering_reporting_into_product_at_the_top_is_an_org_wide_gap() -> None:
    people = [node("ceo", None, OTHER, 10), node("cpo", "ceo", P, 9), node("vpe", "cpo", E, 9)]
    (finding,) = power_gap(OrgSnapshot.of(people), DEFAULTS)
    assert finding.evidence["scope"] == "org"
    assert finding.evidence["reasons"] == ["different_depth", "reports_into_other_function"]
    assert finding.scope.people == ["cpo", "vpe"]


def test_senior_leaders_two_levels_apart_are_an_org_wide_gap() -> None:
    people = [node("ceo", None, OTHER, 10), node("vpp", "ceo", P, 7), node("cto", "ceo", E, 9)]
    (finding,) = power_gap(OrgSnapshot.of(people), DEFAULTS)
    assert finding.evidence["reasons"] == ["level_gap"]
    assert finding.evidence["senior_function"] == "engineering"


def test_a_distant_accountable_manager_is_found() -> None:
    findings = list(distant_accountable_manager(org(TeamNode("Far", "far_pm", "em")), DEFAULTS))
    assert team_findings(findings) == [("distant_accountable_manager", ["Far"])]
    assert findings[0].evidence["escalation_distance"] == 3
    assert findings[0].evidence["accountable_manager"]["id"] == "ceo"


def test_an_escalation_distance_of_two_is_not_distant() -> None:
    snapshot = org(TeamNode("Two", "pm", "dev"), extra=(node("dev", "em", E, 6),))
    assert list(distant_accountable_manager(snapshot, DEFAULTS)) == []


def test_the_root_as_a_lead_has_nobody_to_escalate_to() -> None:
    (finding,) = distant_accountable_manager(org(TeamNode("Top", "ceo", "em")), DEFAULTS)
    assert finding.severity == 1.0
    assert finding.evidence["accountable_manager"] is None


def test_an_override_close_to_both_leads_cures_the_distance() -> None:
    assert list(distant_accountable_manager(org(TeamNode("Far", "far_pm", "em", "dp")), DEFAULTS)) != []
    snapshot = org(TeamNode("Near", "pm", "em", accountable_manager_id="gm"))
    assert list(distant_accountable_manager(snapshot, DEFAULTS)) == []


def test_each_kind_of_missing_counterpart_is_found() -> None:
    snapshot = org(
        TeamNode("NoEng", "pm", None),
        TeamNode("NoPM", None, "em"),
        TeamNode("Nobody", None, None),
        TeamNode("Both", "pm", "pm"),
        TeamNode("Left", "pm", "left"),
        TeamNode("Gone", None, None, active=False),
    )
    reasons = {f.scope.teams[0]: f.evidence["reasons"] for f in missing_counterpart(snapshot, DEFAULTS)}
    assert reasons == {
        "NoEng": ["no_engineering_lead"],
        "NoPM": ["no_product_lead"],
        "Nobody": ["no_product_lead", "no_engineering_lead"],
        "Both": ["same_person_in_both_seats"],
        "Left": ["inactive_engineering_lead"],
    }


def test_finding_ids_are_stable_across_runs_and_distinct_across_teams() -> None:
    snapshot = org(TeamNode("A", "pm", None), TeamNode("B", "pm", None))
    first = [f.id for f in missing_counterpart(snapshot, DEFAULTS)]
    second = [f.id for f in missing_counterpart(snapshot, DEFAULTS)]
    assert first == second
    assert len(set(first)) == 2
