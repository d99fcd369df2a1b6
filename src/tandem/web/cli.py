"""``tandem serve``: the web app on one host and port."""

from __future__ import annotations

import logging

import typer
import uvicorn

from tandem.cliutils import open_database, out_console, settings
from tandem.web.security import RedactSecretsInAccessLog


def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, help="Port to listen on."),
    forwarded_allow_ips: str = typer.Option(
        "127.0.0.1", help="Proxies trusted to say the request came over https (comma-separated IPs, or *)."
    ),
) -> None:
    """Serve the web app (the walk, the org, admin pages and the REST API under /api/v1)."""
    from tandem.web.app import create_app

    open_database()  # fail here, clearly, before the server starts
    logging.getLogger("uvicorn.access").addFilter(RedactSecretsInAccessLog())
    out_console.print(f"Tandem on http://{host}:{port}/ (Ctrl+C stops it)", markup=False)
    uvicorn.run(
        create_app(settings()),
        host=host,
        port=port,
        log_level="info",
        proxy_headers=True,
        forwarded_allow_ips=forwarded_allow_ips,
    )
