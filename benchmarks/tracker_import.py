"""How fast and in how much memory a big Jira export imports: a first import and an idempotent re-import.

    python benchmarks/tracker_import.py [--issues 100000] [--pages 10]

Generates (once, into benchmarks/.out/) a Jira search export with ``expand=changelog``: 100,000 issues in 50
projects, each with five histories of two items (1,000,000 changelog items: status, resolution, duedate,
Target end, Sprint and Fix Version), split over page files as Jira's search API returns them. Seven items an issue
are schedule changes; a third of the authors are unknown, and two projects map to no team. Each import runs in
a child process so its peak resident memory (``ru_maxrss``) is its own; the same import of a tenth of the
export is measured too, to show that memory does not grow with the file. PostgreSQL is measured when
TANDEM_TEST_POSTGRES_URL names a server; the benchmark creates and drops its own database there. Figures are
printed, never asserted.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import random
import resource
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from jira_changelog import five_histories, jira_time
from scratch import backends
from tandem.db import make_engine, transaction, upgrade
from tandem.org.service import import_org
from tandem.schedule.importer import import_tracker
from tandem.schedule.trackers import read_jira

OUT = Path(__file__).parent / ".out"
PROJECTS = 50
UNMAPPED = ("LEGACY", "OPS")
SITE = "https://acme.atlassian.net"


# --- the export -----------------------------------------------------------------------------------------------------


def project_keys() -> list[str]:
    return [f"P{n:02d}" for n in range(PROJECTS - len(UNMAPPED))] + list(UNMAPPED)


def people() -> list[dict[str, str]]:
    """A CEO, and for each mapped project's team a product lead, an engineering lead and two engineers."""
    rows = [_person("ceo", "", "other", 10, "")]
    for key in project_keys()[: PROJECTS - len(UNMAPPED)]:
        team = f"Team {key}"
        rows += [
            _person(f"pm-{key}", "ceo", "product", 6, team),
            _person(f"em-{key}", "ceo", "engineering", 6, team),
            _person(f"dev1-{key}", f"em-{key}", "engineering", 4, team),
            _person(f"dev2-{key}", f"em-{key}", "engineering", 4, team),
        ]
    return rows


def _person(pid: str, manager: str, function: str, level: int, team: str) -> dict[str, str]:
    return {
        "id": pid,
        "name": pid.upper(),
        "email": f"{pid}@example.com".lower(),
        "function": function,
        "level": str(level),
        "manager_id": manager,
        "team": team,
        "aliases": f"557058:{pid}".lower(),
    }


def org_csv() -> tuple[bytes, bytes]:
    people_file, teams_file = io.StringIO(), io.StringIO()
    writer = csv.DictWriter(people_file, fieldnames=list(_person("x", "", "other", 1, "")), lineterminator="\n")
    writer.writeheader()
    writer.writerows(people())
    teams = csv.writer(teams_file, lineterminator="\n")
    teams.writerow(["team", "product_lead", "engineering_lead", "jira_projects"])
    for key in project_keys()[: PROJECTS - len(UNMAPPED)]:
        teams.writerow([f"Team {key}", f"pm-{key}", f"em-{key}", key])
    return people_file.getvalue().encode(), teams_file.getvalue().encode()


def authors() -> list[dict[str, Any]]:
    """Two thirds people of the org (Cloud: account id only; Server: e-mail), one third strangers."""
    found: list[dict[str, Any]] = []
    for n, person in enumerate(people()[1:]):
        account = f"557058:{person['id']}".lower()
        author: dict[str, Any] = {"self": f"{SITE}/rest/api/3/user?accountId={account}", "accountId": account}
        if n % 2:
            author["emailAddress"] = person["email"]
        author.update(
            avatarUrls={s: f"https://avatar.example/{account}/{s}.png" for s in ("48x48", "24x24", "16x16", "32x32")},
            displayName=person["name"],
            active=True,
            timeZone="Europe/London",
            accountType="atlassian",
        )
        found.append(author)
    strangers = [
        {"self": f"{SITE}/rest/api/3/user?accountId=712020:{n}", "accountId": f"712020:{n:04d}",
         "displayName": f"Contractor {n}", "active": True, "timeZone": "UTC", "accountType": "atlassian"}
        for n in range(len(found) // 2)
    ]  # fmt: skip
    return found + strangers


def issue(number: int, key: str, history_ids: Iterator[int], rng: random.Random, pool: list[dict[str, Any]]) -> Any:
    """One issue as the search API returns it with expand=changelog: five histories of two items each."""
    project = key.rpartition("-")[0]
    created = datetime(2023, 1, 2, 9, tzinfo=UTC) + timedelta(minutes=rng.randrange(0, 700 * 24 * 60))
    sprint = rng.randrange(1, 60)
    due1 = (created + timedelta(days=rng.randrange(7, 30))).date().isoformat()
    due2 = (created + timedelta(days=rng.randrange(30, 60))).date().isoformat()
    target = (created + timedelta(days=rng.randrange(20, 90))).date().isoformat()
    version = rng.randrange(1, 40)
    done = rng.random() < 0.6
    times = [created + timedelta(hours=h) for h in sorted(rng.sample(range(1, 24 * 60), 5))]
    items = five_histories(project, sprint, version, due1, due2, target, done=done)
    histories = [
        {"id": str(next(history_ids)), "author": rng.choice(pool), "created": jira_time(moment), "items": pair}
        for moment, pair in zip(times, items, strict=True)
    ]
    return {
        "expand": "operations,versionedRepresentations,editmeta,changelog,renderedFields",
        "id": str(10000 + number),
        "self": f"{SITE}/rest/api/3/issue/{10000 + number}",
        "key": key,
        "changelog": {"startAt": 0, "maxResults": 5, "total": 5, "histories": histories},
        "fields": {
            "issuetype": {"id": "10001", "name": "Story", "subtask": False},
            "customfield_10016": rng.choice([1, 2, 3, 5, 8, 0.5]),
            "project": {"self": f"{SITE}/rest/api/3/project/{project}", "key": project, "name": f"Project {project}"},
            "fixVersions": [{"id": str(10001 + version), "name": f"v{version + 1}", "released": done}],
            "resolution": {"id": "10000", "name": "Done"} if done else None,
            "resolutiondate": jira_time(times[-1]) if done else None,
            "created": jira_time(created),
            "updated": jira_time(times[-1]),
            "status": {"name": "Done" if done else "Blocked", "id": "10002" if done else "10005"},
            "summary": f"Story {number}: make {project} faster",
            "duedate": due2,
        },
    }


def write_export(directory: Path, issues: int, pages: int) -> Path:
    """The page files (reused when already written with the same shape)."""
    done = directory / ".complete"
    if done.exists():
        return directory
    directory.mkdir(parents=True, exist_ok=True)
    rng = random.Random(7)
    pool = authors()
    keys = project_keys()
    history_ids = iter(range(100_000, 10**9))
    per_page = -(-issues // pages)
    for page in range(pages):
        start = page * per_page
        numbers = range(start, min(issues, start + per_page))
        with (directory / f"search-{page + 1:03d}.json").open("w", encoding="utf-8") as out:
            out.write(
                f'{{"expand":"schema,names","startAt":{start},"maxResults":{per_page},"total":{issues},"issues":['
            )
            for i, number in enumerate(numbers):
                key = f"{keys[number % PROJECTS]}-{number // PROJECTS + 1}"
                out.write(("," if i else "") + json.dumps(issue(number, key, history_ids, rng, pool)))
            out.write("]}")
    done.write_text("")
    return directory


def subset(export: Path, pages: int) -> Path:
    """The first ``pages`` page files, linked into a directory of their own."""
    directory = export.parent / f"{export.name}-first-{pages}"
    directory.mkdir(exist_ok=True)
    for page in sorted(export.glob("search-*.json"))[:pages]:
        link = directory / page.name
        if not link.exists():
            link.symlink_to(page.resolve())
    return directory


# --- measuring ------------------------------------------------------------------------------------------------------


def child(mode: str, url: str, path: str) -> None:
    """Run one import (or a read with no database) and print what it took as JSON."""
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    counts: dict[str, Any]
    if mode == "read":
        items = changes = 0
        for record in read_jira(Path(path)):
            if hasattr(record, "external_id"):
                changes += 1
            else:
                items += 1
        counts = {"items_read": items, "changes_read": changes}
    else:
        engine = make_engine(url)
        with transaction(engine) as session:
            counts = import_tracker(session, "jira", Path(path), imported_by="benchmark").record.counts
        engine.dispose()
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"seconds": seconds, "counts": counts, "peak_kb": peak, "baseline_kb": baseline}))


def measure(mode: str, url: str, path: Path) -> dict[str, Any]:
    result = subprocess.run(
        [sys.executable, __file__, "--child", mode, url, str(path)], check=True, capture_output=True, text=True
    )
    figures: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return figures


@contextmanager
def prepared(database: Callable[[], AbstractContextManager[str]]) -> Iterator[str]:
    with database() as url:
        prepare(make_engine(url))
        yield url


def prepare(engine: Engine) -> None:
    """Migrate, and import the org the export's authors and projects map to."""
    upgrade(engine)
    people_data, teams_data = org_csv()
    with transaction(engine) as session:
        import_org(
            session,
            people_data=people_data,
            people_file="people.csv",
            teams_data=teams_data,
            teams_file="teams.csv",
            imported_by="benchmark",
        )
    engine.dispose()


def report(label: str, figures: dict[str, Any], items: int) -> None:
    seconds, counts = figures["seconds"], figures["counts"]
    changes = counts["changes_read"]
    print(
        f"{label:<38} {seconds:8.1f} s {items / seconds:>14,.0f} {changes / seconds:>14,.0f} "
        f"{figures['peak_kb'] / 1024:>9,.0f} MB {figures['baseline_kb'] / 1024:>7,.0f} MB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--issues", type=int, default=100_000)
    parser.add_argument("--pages", type=int, default=10)
    parser.add_argument("--child", nargs=3, metavar=("MODE", "URL", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return

    started = time.perf_counter()
    export = write_export(OUT / f"jira-{args.issues}-issues-{args.pages}-pages", args.issues, args.pages)
    size = sum(p.stat().st_size for p in export.glob("*.json"))
    items = args.issues * 10
    tenth = subset(export, max(1, args.pages // 10))  # compared with the whole when there are 10 pages or more
    tenth_items = items * len(list(tenth.glob("*.json"))) // args.pages
    print(
        f"export: {args.issues:,} issues, {items:,} changelog items, {args.pages} page files, {size / 1e6:,.0f} MB "
        f"({export}; ready in {time.perf_counter() - started:.0f} s)"
    )
    print(f"{'backend / step':<38} {'wall':>10} {'items/s':>14} {'changes/s':>14} {'peak RSS':>12} {'at start':>10}")
    report("read only (no database)", measure("read", "", export), items)

    for name, database in backends():
        with prepared(database) as url:
            first = measure("import", url, export)
            report(f"{name}: first import", first, items)
            report(f"{name}: re-import (adds nothing)", measure("import", url, export), items)
        if args.pages >= 10:
            with prepared(database) as url:
                report(f"{name}: first import of a tenth", measure("import", url, tenth), tenth_items)
        counts = first["counts"]
        print(f"  first import added {counts['changes_added']:,} schedule changes and {counts['items_added']:,} items")
    print("items/s: changelog items a second; changes/s: schedule changes (of the 10 items an issue, 7) a second")


if __name__ == "__main__":
    main()
