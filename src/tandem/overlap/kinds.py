"""Which ritual a calendar event is, and for which team: configurable keyword rules, pure.

An event's team is named by a ``[Team name]`` prefix in its summary (case-insensitive), else it is the organiser's
team. Its kind is found by keywords matched as whole words (case-insensitive) in the summary (without the prefix)
and the event's categories: a team's own rules first, then the defaults; when several keywords match, the longest
wins ("Planning review" is planning, "Sprint review" a demo, "Incident review" an incident), and among equally long
ones the first kind in :class:`RitualKind` order. An event no rule matches is not guessed: the importer counts and
reports it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property

from tandem.overlap.facts import RitualKind

DEFAULT_KEYWORDS: dict[str, list[str]] = {
    RitualKind.DISCOVERY: [
        "discovery",
        "customer interview",
        "user interview",
        "user research",
        "problem framing",
        "customer call",
        "opportunity review",
    ],
    RitualKind.PLANNING: [
        "planning",
        "sprint planning",
        "planning review",
        "estimation",
        "refinement",
        "backlog refinement",
        "grooming",
    ],
    RitualKind.STANDUP: ["standup", "stand-up", "stand up", "daily scrum", "daily standup", "daily sync"],
    RitualKind.RETRO: ["retro", "retrospective", "sprint retro"],
    RitualKind.DEMO: ["demo", "sprint review", "showcase"],
    RitualKind.INCIDENT: ["incident review", "postmortem", "post-mortem", "post mortem", "incident retro"],
    RitualKind.OTHER: [],
}
"""Keywords per kind that recognise the usual meeting names; ``[rituals.keywords]`` in ``tandem.toml`` replaces a
kind's list, ``[rituals.team_keywords."Team name"]`` adds rules checked first for one team."""

_PREFIX = re.compile(r"^\s*\[([^\]]+)\]\s*")
_KIND_ORDER = {kind: index for index, kind in enumerate(RitualKind)}


def team_prefix(summary: str) -> tuple[str | None, str]:
    """The ``[Team name]`` a summary starts with (None without one), and the rest of the summary."""
    match = _PREFIX.match(summary)
    if match is None:
        return None, summary.strip()
    return match.group(1).strip(), summary[match.end() :].strip()


def _pattern(keyword: str) -> re.Pattern[str]:
    words = [re.escape(word) for word in re.split(r"[\s]+", keyword.strip().lower()) if word]
    return re.compile(r"(?<![\w])" + r"\s+".join(words) + r"(?![\w])")


@dataclass(frozen=True)
class KindRules:
    """Keyword rules: the defaults (or the configured replacements) and per-team rules checked first."""

    keywords: Mapping[str, Sequence[str]]
    team_keywords: Mapping[str, Mapping[str, Sequence[str]]]

    @classmethod
    def of(
        cls,
        keywords: Mapping[str, Sequence[str]] | None = None,
        team_keywords: Mapping[str, Mapping[str, Sequence[str]]] | None = None,
    ) -> KindRules:
        """Rules from settings; a kind missing from ``keywords`` keeps its default list. Unknown kinds are refused."""
        merged = {str(kind): list(words) for kind, words in DEFAULT_KEYWORDS.items()}
        for kind, words in (keywords or {}).items():
            merged[_kind(kind).value] = list(words)
        teams = {
            team.casefold(): {_kind(kind).value: list(words) for kind, words in rules.items()}
            for team, rules in (team_keywords or {}).items()
        }
        return cls(keywords=merged, team_keywords=teams)

    @cached_property
    def _compiled(self) -> list[tuple[RitualKind, int, re.Pattern[str]]]:
        return _compile(self.keywords)

    @cached_property
    def _compiled_teams(self) -> dict[str, list[tuple[RitualKind, int, re.Pattern[str]]]]:
        return {team: _compile(rules) for team, rules in self.team_keywords.items()}

    def kind_of(self, summary: str, categories: Iterable[str] = (), team: str | None = None) -> RitualKind | None:
        """The kind a summary (without its team prefix) and categories name, or None when no rule matches."""
        texts = [summary.lower(), *(category.lower() for category in categories)]
        for rules in (self._compiled_teams.get(team.casefold(), []) if team else [], self._compiled):
            best: tuple[int, int, RitualKind] | None = None
            for kind, length, pattern in rules:
                if any(pattern.search(text) for text in texts):
                    candidate = (-length, _KIND_ORDER[kind], kind)
                    if best is None or candidate < best:
                        best = candidate
            if best is not None:
                return best[2]
        return None


def _kind(name: str) -> RitualKind:
    try:
        return RitualKind(str(name).strip().lower())
    except ValueError:
        known = ", ".join(kind.value for kind in RitualKind)
        raise ValueError(f"unknown ritual kind '{name}' in the keyword rules (known: {known})") from None


def _compile(rules: Mapping[str, Sequence[str]]) -> list[tuple[RitualKind, int, re.Pattern[str]]]:
    return [
        (RitualKind(kind), len(" ".join(keyword.split())), _pattern(keyword))
        for kind, keywords in rules.items()
        for keyword in keywords
        if keyword.strip()
    ]
