"""Plotly for the pages that draw a chart (the plan's fan chart, the trust trend): its bundle and stylesheet,
served from the installed plotly package, and what a page needs so Plotly adds no inline style the CSP refuses."""

from __future__ import annotations

import re
from functools import cache
from importlib.resources import files
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse, Response

router = APIRouter()

PLOTLY_JS = Path(str(files("plotly").joinpath("package_data", "plotly.min.js")))
"""Plotly's own bundle from the installed package: the chart works offline, with no CDN in the CSP."""
PLOTLY_CSS_FALLBACK = (
    ".js-plotly-plot .plotly .main-svg{position:absolute;top:0;left:0;pointer-events:none;}\n"
    ".js-plotly-plot .plotly .main-svg .draglayer{pointer-events:all;}\n"
)
"""What a chart cannot do without (its layers stacked), should a new Plotly bundle hide its own rules."""
_JS_STRING = r"""(?:"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')"""
_CSS_RULE = re.compile(rf"\s*({_JS_STRING}|[A-Za-z_$][\w$]*)\s*:\s*({_JS_STRING})\s*([,}}])")
"""One ``selector: "rules"`` pair of a minified object literal (a selector like ``Y`` loses its quotes)."""
_INJECTED_STYLE = re.compile(r'getElementById\("([\w-]+)"\)\)\{var [\w$]+=document\.createElement\("style"\)')


@router.get("/assets/plotly.min.js", include_in_schema=False)
def plotly_js() -> FileResponse:
    """Plotly.js as the installed plotly package bundles it (the static mount holds only Tandem's own files)."""
    return FileResponse(PLOTLY_JS, media_type="text/javascript", headers={"Cache-Control": "public, max-age=86400"})


def _unquote(literal: str) -> str:
    if literal[:1] not in ("'", '"'):
        return literal
    return re.sub(r"\\(.)", r"\1", literal[1:-1])


def plotly_css(bundle: str) -> str:
    """Plotly's own stylesheet, read from its bundle, where it sits as ``{"X,X div": "direction:ltr;...", ...}``.

    Plotly adds these rules in an inline ``<style>``, which the CSP refuses; the page links this sheet instead,
    with the id and class that tell Plotly it is there (``plotly.js-style-global``, ``no-inline-styles``).
    X and Y stand for the plot's and the notifier's selectors, as in Plotly's own loader.
    """
    start = bundle.find('{"X,X div"')
    rules = []
    position = start + 1
    while start >= 0:
        match = _CSS_RULE.match(bundle, position)
        if match is None:
            break
        selector = re.sub(r"^,", " ,", _unquote(match[1]))
        selector = selector.replace("X", ".js-plotly-plot .plotly").replace("Y", ".plotly-notifier")
        rules.append(f"{selector}{{{_unquote(match[2])}}}\n")
        if match[3] == "}":
            break
        position = match.end()
    return "".join(rules) if any(".main-svg{" in rule for rule in rules) else PLOTLY_CSS_FALLBACK


def plotly_style_ids(bundle: str) -> list[str]:
    """Ids of the stylesheets Plotly's bundle injects only when no element has that id yet (MapLibre's).

    A page with a chart draws no map, so it places empty elements with these ids: Plotly then skips the inline
    ``<style>`` the CSP would refuse (and report as an error in the console).
    """
    return _INJECTED_STYLE.findall(bundle)


@cache
def _plotly_bundle() -> str:
    return PLOTLY_JS.read_text(encoding="utf-8")


@cache
def _plotly_css() -> str:
    return plotly_css(_plotly_bundle())


@router.get("/assets/plotly.css", include_in_schema=False)
def plotly_stylesheet() -> Response:
    return Response(_plotly_css(), media_type="text/css", headers={"Cache-Control": "public, max-age=86400"})


@cache
def _style_ids() -> tuple[str, ...]:
    return tuple(plotly_style_ids(_plotly_bundle()))  # a regex over 4 MB of JavaScript: once per process


def page_style_ids(charted: bool) -> list[str]:
    """What a page passes as ``plotly_style_ids`` (see ``plotly_assets.html``): none when it draws no chart."""
    return list(_style_ids()) if charted else []
