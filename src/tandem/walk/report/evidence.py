"""Evidence as short human phrases, shared by the text and Markdown reports."""

from __future__ import annotations

from typing import Any


def describe(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, dict) and "name" in value:
        extras = [f"level {value['level']}" if value.get("level") is not None else None, value.get("title")]
        if value.get("active") is False:
            extras.append("inactive")
        details = ", ".join(str(e) for e in extras if e)
        return f"{value['name']} ({value.get('id')}{', ' + details if details else ''})"
    if isinstance(value, dict):
        return "; ".join(f"{k}: {describe(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(describe(v) for v in value) or "—"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def evidence_lines(evidence: dict[str, Any]) -> list[tuple[str, str]]:
    return [(key.replace("_", " "), describe(value)) for key, value in evidence.items()]
