"""Latency of the web app's busiest pages on the demo org: p50/p99 and requests/second.

    python benchmarks/web_latency.py [--requests 400] [--concurrency 8]

Starts ``tandem serve`` on loopback as a separate process (SQLite, and PostgreSQL too when
TANDEM_TEST_POSTGRES_URL is set), signs in, then loads the walk page, a team page, its plan page and its trust
page with a bounded number of concurrent requests (httpx). Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text

from tandem.db import normalise_url

TANDEM = str(Path(sys.executable).parent / "tandem")
PASSWORD = "benchmark-password"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def database(backend: str, folder: Path) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{folder / 'bench.db'}"
        return
    server = normalise_url(os.environ["TANDEM_TEST_POSTGRES_URL"])
    name = f"tandem_web_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def run(args: list[str], env: dict[str, str], cwd: Path, stdin: str | None = None) -> str:
    done = subprocess.run([TANDEM, *args], env=env, cwd=cwd, input=stdin, capture_output=True, text=True, check=True)
    return done.stdout


async def measure(base: str, path: str, cookies: httpx.Cookies, requests: int, concurrency: int) -> dict[str, float]:
    latencies: list[float] = []
    gate = asyncio.Semaphore(concurrency)
    async with httpx.AsyncClient(base_url=base, cookies=cookies, timeout=60) as client:
        await client.get(path)  # warm-up

        async def one() -> None:
            async with gate:
                started = time.perf_counter()
                response = await client.get(path)
                latencies.append(time.perf_counter() - started)
                response.raise_for_status()

        started = time.perf_counter()
        await asyncio.gather(*(one() for _ in range(requests)))
        elapsed = time.perf_counter() - started
    quantiles = statistics.quantiles(latencies, n=100)
    return {"p50": quantiles[49] * 1000, "p99": quantiles[98] * 1000, "rps": requests / elapsed}


def bench_backend(backend: str, requests: int, concurrency: int) -> list[tuple[str, str, dict[str, float]]]:
    with tempfile.TemporaryDirectory() as tmp, database(backend, Path(tmp)) as url:
        folder = Path(tmp)
        env = {**os.environ, "TANDEM_DATABASE_URL": url, "TANDEM_CONFIG": str(folder / "none.toml")}
        if backend != "sqlite":
            run(["db", "upgrade"], env, folder)
        run(["demo", "--format", "json", "--out", str(folder / "walk.json")], env, folder)
        run(
            ["users", "create", "--email", "bench@example.com", "--role", "admin", "--password-stdin"],
            env,
            folder,
            stdin=PASSWORD + "\n",
        )
        team = re.search(r'"teams": \[\s*"([^"]+)"', (folder / "walk.json").read_text())
        team_path = f"/teams/{team.group(1) if team else 'Payments'}".replace(" ", "%20")
        port = free_port()
        server = subprocess.Popen(
            [TANDEM, "serve", "--port", str(port)],
            env=env,
            cwd=folder,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 20
            while True:
                try:
                    if httpx.get(base + "/healthz").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError("the server did not start")
                time.sleep(0.1)
            with httpx.Client(base_url=base) as client:
                client.get("/sign-in")
                signed = client.post(
                    "/sign-in",
                    data={
                        "email": "bench@example.com",
                        "password": PASSWORD,
                        "csrf_token": client.cookies["tandem_csrf"],
                    },
                )
                assert signed.status_code == 303, f"sign-in failed: {signed.status_code}"
                cookies = client.cookies
            return [
                (backend, path, asyncio.run(measure(base, path, cookies, requests, concurrency)))
                for path in ("/", team_path, f"{team_path}/plan", f"{team_path}/trust")
            ]
        finally:
            server.terminate()
            server.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    backends = ["sqlite"] + (["postgresql"] if os.environ.get("TANDEM_TEST_POSTGRES_URL") else [])
    print(f"demo org (290 people, 30 teams); {args.requests} requests per page, {args.concurrency} at a time")
    print(f"{'backend':<11} {'page':<28} {'p50 ms':>8} {'p99 ms':>8} {'req/s':>8}")
    for backend in backends:
        for name, path, figures in bench_backend(backend, args.requests, args.concurrency):
            print(f"{name:<11} {path:<28} {figures['p50']:8.1f} {figures['p99']:8.1f} {figures['rps']:8.1f}")


if __name__ == "__main__":
    main()
