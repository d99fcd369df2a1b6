"""The ``tandem`` console script. ``tandem forecast`` takes a short path that imports only NumPy, so a forecast
answers in a fraction of a second; every other command loads the full Typer app."""

from __future__ import annotations

import sys


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "forecast":
        from tandem.schedule.forecast_cli import main as forecast

        raise SystemExit(forecast(sys.argv[2:]))
    from tandem.cli import app

    app()
