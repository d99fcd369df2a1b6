"""Tandem: two-in-a-box management in software."""

from __future__ import annotations

from functools import cache


@cache
def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("tandem-align")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "0.0.0"


def __getattr__(name: str) -> str:
    """``tandem.__version__``, looked up on first use: fast commands never pay for the package metadata."""
    if name == "__version__":
        return _version()
    raise AttributeError(f"module 'tandem' has no attribute {name!r}")
