"""``tandem schedule …`` for plans and commitments: the same steps as the plan page, acting as a person."""

from __future__ import annotations

import getpass
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TypeVar

import typer
from sqlalchemy.orm import Session

from tandem.cliutils import fail, open_database, out_console
from tandem.db import retrying, transaction, utcnow
from tandem.decisions.cli import AS_HELP, person_id
from tandem.decisions.service import Actor
from tandem.org.models import Team
from tandem.org.service import team_by_name
from tandem.schedule import service
from tandem.schedule.models import Commitment, PlanItem
from tandem.schedule.service import ScheduleError

T = TypeVar("T")
TEAM_HELP = "The team, by name."


def _team(session: Session, name: str) -> Team:
    team = team_by_name(session, name)
    if team is None:
        fail(f"no team is called {name}")
    return team


def _item(session: Session, item_id: int) -> PlanItem:
    item = session.get(PlanItem, item_id) if 0 < item_id < 2**31 else None
    if item is None:
        fail(f"no plan item has the id {item_id}")
    return item


def _commitment(session: Session, commitment_id: int) -> Commitment:
    commitment = session.get(Commitment, commitment_id) if 0 < commitment_id < 2**31 else None
    if commitment is None:
        fail(f"no commitment has the id {commitment_id}")
    return commitment


def _act(who: str, step: Callable[[Session, Actor], T]) -> T:
    """One step as ``who`` in a transaction, retried if a concurrent step won a race; a refusal exits 2."""

    def work(session: Session) -> T:
        acting = person_id(session, who)
        return step(session, Actor(f"cli:{getpass.getuser()} as {acting}", acting))

    try:
        return retrying(open_database(), work)
    except ScheduleError as error:
        fail(str(error))


def plan_command(
    team: str = typer.Option(..., "--team", help=TEAM_HELP),
    target: datetime | None = typer.Option(None, "--target", formats=["%Y-%m-%d"], help="Draw the cut line here."),
    confidence: float = typer.Option(0.85, "--confidence", min=0.5, max=0.99, help="The cut line's confidence."),
    html: Path | None = typer.Option(None, "--html", dir_okay=False, help="Also write the fan chart (HTML)."),
) -> None:
    """Show a team's plan in work order with each item's P50/P85 date, and the cut line for --target."""
    target_day = target.date() if target is not None else None
    with transaction(open_database()) as session:
        chosen = _team(session, team)
        plan, outlook = service.outlook(
            session, chosen, start=utcnow().date(), target=target_day, confidence=confidence
        )
        items = {item.id: item for item in service.open_items(session, chosen)}
        unit = plan.unit if plan is not None else "days"
        out_console.print(
            f"{chosen.name}: {len(items)} open item(s), capacity {outlook.capacity_per_day:g} {unit} of effort a "
            "working day; id, rank, optimistic/likely/pessimistic, P50, P85, title in work order:",
            markup=False,
        )
        for position, item_id in enumerate(outlook.order, start=1):
            item = items[item_id]
            estimate = (
                f"{item.optimistic:g}/{item.likely:g}/{item.pessimistic:g}"
                if item.optimistic is not None and item.likely is not None and item.pessimistic is not None
                else "unestimated"
            )
            reached = outlook.by_id.get(item_id)
            when = f"{reached.dates[50]}\t{reached.dates[85]}" if reached else "-\t-"
            typer.echo(f"{item.id}\t{item.rank}\t{estimate}\t{when}\t{item.title}")
            if outlook.cut_line is not None and position == outlook.cut_line:
                at_least = " (at least)" if outlook.cut_line_is_lower_bound else ""
                typer.echo(f"--- cut line{at_least}: the items above are done by {target_day} at {confidence:.0%} ---")
        if outlook.stops_at is not None:
            typer.echo(f"The forecast stops at item {outlook.stops_at}: it is not estimated.")
        if html is not None:
            from tandem.schedule.charts import outlook_chart  # Plotly only when a chart is asked for

            figure = outlook_chart(outlook, {item_id: item.title for item_id, item in items.items()})
            figure.update_layout(title={"text": f"{chosen.name}: when each item is done"})
            figure.write_html(html, include_plotlyjs=True, full_html=True)  # the JS inside: works offline
            out_console.print(f"Wrote the fan chart to {html}", markup=False)


def add_command(
    team: str = typer.Option(..., "--team", help=TEAM_HELP),
    title: str = typer.Option(..., "--title"),
    who: str = typer.Option(..., "--as", help=AS_HELP),
    depends_on: list[int] = typer.Option([], "--depends-on", help="An item that must be done first (repeat)."),
    tracker_key: str | None = typer.Option(None, "--tracker-key", help="The item's key in Jira, GitHub or Linear."),
) -> None:
    """Add an item at the bottom of the plan (either lead); prints its id."""
    item_id = _act(
        who,
        lambda s, a: (
            service.add_item(s, _team(s, team), a, title=title, depends_on=depends_on, tracker_key=tracker_key).id
        ),
    )
    typer.echo(item_id)


def rank_command(
    items: list[int] = typer.Argument(..., help="Every open item's id, most important first."),
    team: str = typer.Option(..., "--team", help=TEAM_HELP),
    who: str = typer.Option(..., "--as", help=AS_HELP),
) -> None:
    """Rank the plan (the product lead): list every open item, most important first."""
    _act(who, lambda s, a: service.rank(s, _team(s, team), a, items))
    out_console.print(f"Ranked {len(items)} item(s).", markup=False)


def estimate_command(
    item: int = typer.Argument(..., help="The plan item's id."),
    who: str = typer.Option(..., "--as", help=AS_HELP),
    optimistic: float = typer.Option(..., "--optimistic"),
    likely: float = typer.Option(..., "--likely"),
    pessimistic: float = typer.Option(..., "--pessimistic"),
) -> None:
    """Estimate an item (the engineering lead), in the plan's unit."""
    _act(
        who,
        lambda s, a: service.estimate(
            s, _item(s, item), a, optimistic=optimistic, likely=likely, pessimistic=pessimistic
        ),
    )
    out_console.print(f"Item {item} estimated {optimistic:g}/{likely:g}/{pessimistic:g}.", markup=False)


def capacity_command(
    team: str = typer.Option(..., "--team", help=TEAM_HELP),
    who: str = typer.Option(..., "--as", help=AS_HELP),
    per_day: float = typer.Option(..., "--per-day", help="Estimate units the team completes per working day."),
    unit: str = typer.Option("days", "--unit", help="days or points."),
) -> None:
    """Set the team's capacity (the engineering lead)."""
    _act(who, lambda s, a: service.set_capacity(s, _team(s, team), a, capacity_per_day=per_day, unit=unit))
    out_console.print(f"Capacity set to {per_day:g} {unit} a working day.", markup=False)


def close_command(
    item: int = typer.Argument(..., help="The plan item's id."),
    who: str = typer.Option(..., "--as", help=AS_HELP),
    status: str = typer.Option(..., "--status", help="done or dropped."),
) -> None:
    """Close an item as done or dropped (either lead)."""
    _act(who, lambda s, a: service.close_item(s, _item(s, item), a, status))
    out_console.print(f"Item {item} is {status}.", markup=False)


def commit_command(
    team: str = typer.Option(..., "--team", help=TEAM_HELP),
    title: str = typer.Option(..., "--title"),
    target: datetime = typer.Option(..., "--date", formats=["%Y-%m-%d"], help="The committed date."),
    items: list[int] = typer.Option(..., "--item", help="A plan item in the scope (repeat)."),
    who: str = typer.Option(..., "--as", help=AS_HELP),
    confidence: float = typer.Option(0.85, "--confidence"),
    reason: str = typer.Option("", "--reason"),
) -> None:
    """Propose a commitment (either lead, who signs it); prints its id. In force once the counterpart signs."""
    commitment_id = _act(
        who,
        lambda s, a: (
            service.propose(
                s,
                _team(s, team),
                a,
                title=title,
                target_date=target.date(),
                scope=items,
                confidence=confidence,
                reason=reason,
            ).id
        ),
    )
    typer.echo(commitment_id)


def revise_command(
    commitment: int = typer.Argument(..., help="The commitment's id."),
    who: str = typer.Option(..., "--as", help=AS_HELP),
    reason: str = typer.Option(..., "--reason", help="Why it changes: the counterpart signs this too."),
    target: datetime | None = typer.Option(None, "--date", formats=["%Y-%m-%d"], help="The new date."),
    items: list[int] | None = typer.Option(None, "--item", help="The new scope (repeat); default: unchanged."),
    confidence: float | None = typer.Option(None, "--confidence"),
) -> None:
    """Revise a commitment's date, scope or confidence; prints the revision number awaiting the counterpart."""
    number = _act(
        who,
        lambda s, a: (
            service.revise(
                s,
                _commitment(s, commitment),
                a,
                target_date=target.date() if target else None,
                scope=items or None,
                confidence=confidence,
                reason=reason,
            ).number
        ),
    )
    typer.echo(number)


def sign_command(
    commitment: int = typer.Argument(..., help="The commitment's id."),
    revision: int = typer.Option(..., "--revision", help="The revision you read and sign."),
    who: str = typer.Option(..., "--as", help=AS_HELP),
) -> None:
    """Sign a commitment's latest revision (the lead who has not signed it yet)."""

    def step(session: Session, actor: Actor) -> str:
        signed = _commitment(session, commitment)
        service.sign(session, signed, actor, revision_number=revision)
        return signed.state

    state = _act(who, step)
    out_console.print(f"Commitment {commitment} is {state}.", markup=False)


def commitments_command(team: str = typer.Option(..., "--team", help=TEAM_HELP)) -> None:
    """A team's commitments, newest first: each revision, who initiated it, who signed and the P50 they saw."""
    with transaction(open_database()) as session:
        for commitment in service.commitments_of(session, _team(session, team)):
            in_force = f", revision {commitment.in_force_revision} in force" if commitment.in_force_revision else ""
            out_console.print(f"#{commitment.id} {commitment.title} [{commitment.state}{in_force}]", markup=False)
            for rev in commitment.revisions:
                signed = "; ".join(
                    f"{s.function} {s.person_id} {s.signed_at:%Y-%m-%d}"
                    + (f" (P50 then {s.forecast_p50}, {s.forecast_method})" if s.forecast_p50 else "")
                    for s in rev.signatures
                )
                out_console.print(
                    f"  r{rev.number} {rev.target_date} {len(rev.scope)} item(s) at {rev.confidence:.0%}, by the "
                    f"{rev.initiated_function} lead {rev.initiated_by}{': ' + rev.reason if rev.reason else ''}"
                    f" — signed: {signed}",
                    markup=False,
                )


def register(app: typer.Typer) -> None:
    """Add the plan and commitment commands to ``tandem schedule``."""
    app.command("plan")(plan_command)
    app.command("add")(add_command)
    app.command("rank")(rank_command)
    app.command("estimate")(estimate_command)
    app.command("capacity")(capacity_command)
    app.command("close")(close_command)
    app.command("commit")(commit_command)
    app.command("revise")(revise_command)
    app.command("sign")(sign_command)
    app.command("commitments")(commitments_command)
