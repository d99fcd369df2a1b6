"""Settings: environment variables (``TANDEM_*``) over ``tandem.toml`` over defaults.

Nested sections use ``__`` in environment variables, e.g. ``TANDEM_THRESHOLDS__POWER_GAP_LEVELS=3``.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, Field, SecretStr, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)


class Thresholds(BaseModel):
    """Default thresholds of the walk's detectors; each is settable in ``tandem.toml`` under ``[thresholds]``."""

    power_gap_levels: int = Field(
        2, ge=1, description="A team's two leads this many levels apart (or more) is a power gap."
    )
    senior_power_gap_levels: int = Field(
        2, ge=1, description="The senior product and engineering leaders this many levels apart is a gap."
    )
    escalation_distance: int = Field(
        3,
        ge=1,
        description="Reporting-line hops from a lead up to the accountable manager that count as distant.",
    )
    paralysis_overdue_days: int = Field(
        5, ge=0, description="A decision still undecided this many working days past its time-box is paralysis."
    )
    escalation_answer_working_days: int = Field(
        2, ge=0, description="An escalation the accountable manager leaves unanswered longer than this is paralysis."
    )
    one_sided_share: float = Field(
        0.8, gt=0.5, le=1.0, description="One function's preference winning this share of contested decisions."
    )
    one_sided_min_contested: int = Field(5, ge=1, description="Contested decisions needed to judge one-sidedness.")
    blind_spot_min_decisions: int = Field(
        5, ge=1, description="Decisions a lead must have scored before a factor they never weigh counts as blind."
    )
    schedule_window_days: int = Field(
        90,
        ge=1,
        le=366,
        description="Calendar days of schedule changes the siloed-schedule detector looks back over (at most a year).",
    )
    silo_share: float = Field(
        0.5, gt=0.0, le=1.0, description="One function making this share of schedule changes alone is a silo."
    )
    silo_min_changes: int = Field(5, ge=1, description="Schedule changes in the window needed to judge a silo.")
    silo_answer_working_days: int = Field(
        2, ge=0, description="The counterpart lead signing or acting this soon makes a schedule change joint."
    )
    hidden_constraints_window_days: int = Field(
        60,
        ge=1,
        le=366,
        description="Calendar days of constraints the hidden-constraints detector looks back over (at most a year).",
    )
    hidden_constraints_min_posted: int = Field(
        3, ge=1, description="Constraints one function must post in the window, the other none, to be one-sided."
    )
    acknowledgement_working_days: int = Field(
        3, ge=0, description="Constraints unacknowledged longer than this on average (working days) are hidden."
    )
    trust_breakdown_index: float = Field(4.0, ge=1, le=7, description="A trust index below this (of 7) is a breakdown.")
    trust_breakdown_lower_bound: float = Field(
        3.5, ge=1, le=7, description="…and so is the lower bound of its confidence interval below this."
    )
    trust_asymmetry_gap: float = Field(
        1.0, gt=0, le=6, description="The two directions' trust this far apart (or more) is an asymmetry."
    )
    trust_trend_pulses: int = Field(3, ge=2, description="A team's trend is judged over its last this many pulses.")
    min_group_size: int = Field(
        5, ge=3, description="No pulse figure over fewer respondents, anywhere (pages, API, exports, the walk)."
    )
    min_comment_group_size: int = Field(
        10, ge=3, description="No free-text pulse comment from a group smaller than this."
    )
    overlap_window_days: int = Field(
        90,
        ge=1,
        le=366,
        description="Calendar days of rituals the overlap detectors look back over (at most a year).",
    )
    discovery_engineer_share: float = Field(
        0.5, gt=0.0, le=1.0, description="Discovery/planning with an engineer present below this share is absence."
    )
    discovery_min_occurrences: int = Field(
        4, ge=1, description="Discovery/planning occurrences in the window needed to judge engineers' absence."
    )
    delivery_product_share: float = Field(
        0.4, gt=0.0, le=1.0, description="Standups, retros and demos with product present below this share is absence."
    )
    delivery_min_occurrences: int = Field(
        6, ge=1, description="Standups, retros and demos in the window needed to judge product's absence."
    )
    pressure_window_days: int = Field(
        365, ge=30, le=366, description="Calendar days the pressure test compares behaviour over (at most a year)."
    )
    pressure_before_commitment_working_days: int = Field(
        15, ge=1, description="The working days before a committed date that are a pressure period."
    )
    pressure_after_event_working_days: int = Field(
        10, ge=1, description="The working days after a scope cut, a slip or an incident that are a pressure period."
    )
    fracture_alpha: float = Field(
        0.05,
        gt=0.0,
        lt=1.0,
        description="Family-wise significance of the pressure test (Bonferroni over the measures a team has).",
    )
    fracture_min_sample: int = Field(
        8, ge=2, description="Events needed inside and outside pressure before a share is compared."
    )
    fracture_min_share_change: float = Field(
        0.2, gt=0.0, le=1.0, description="A share must move at least this far under pressure to count as marked."
    )
    fracture_min_trust_drop: float = Field(
        0.5, gt=0.0, le=6.0, description="Trust must fall at least this far (of 7) under pressure to count as marked."
    )


class WebSettings(BaseModel):
    """The web app: where it is reached, how long sessions last, when sign-in locks."""

    public_url: str = Field("http://127.0.0.1:8000", description="Base URL of links printed for users.")
    session_hours: int = Field(12, ge=1, description="A sign-in lasts this long.")
    sign_in_attempts: int = Field(5, ge=1, description="Wrong passwords in a row before the account locks.")
    lockout_minutes: int = Field(15, ge=1, description="How long a locked account stays locked.")
    password_link_hours: int = Field(72, ge=1, description="How long a set-password link works.")
    page_size: int = Field(50, ge=1, le=1000, description="Rows per page in lists and the API.")


class DecisionSettings(BaseModel):
    """Time-boxes of the decision workflow, in working days (Monday to Friday)."""

    timebox_working_days: int = Field(5, ge=1, description="Default time-box from opening to decide_by.")
    escalation_grace_working_days: int = Field(
        2, ge=0, description="A contested decision escalates itself after this long, even inside its time-box."
    )


class NotificationSettings(BaseModel):
    """Where notifications go: Apprise URLs (Slack, Teams, e-mail, JSON webhooks, …)."""

    urls: list[str] = Field(default_factory=list, description="Apprise URLs every notification is sent to.")
    max_attempts: int = Field(8, ge=1, description="Sends tried before a notification is marked failed.")
    backoff_seconds: float = Field(30.0, gt=0, description="First retry delay; doubles on each failure.")


class TrustSettings(BaseModel):
    """How pulse links reach people: each to its own person, never through a shared channel."""

    invitation_url: str | None = Field(
        None,
        description=(
            "An Apprise URL template with {email} (e.g. mailtos://user:pass@smtp.example.com?to={email}): each "
            "personal pulse link is sent to its person alone, at once, and never stored."
        ),
    )


class RitualSettings(BaseModel):
    """How calendar events become rituals: keyword rules per kind (whole words, case-insensitive)."""

    keywords: dict[str, list[str]] = Field(
        default_factory=dict,
        description='Kind -> keywords, replacing that kind\'s defaults (e.g. standup = ["daily", "huddle"]).',
    )
    team_keywords: dict[str, dict[str, list[str]]] = Field(
        default_factory=dict, description="Team name -> kind -> keywords, checked before the defaults."
    )


class OidcSettings(BaseModel):
    """Optional single sign-on with an OpenID Connect provider; users are matched by verified e-mail."""

    discovery_url: str = Field(description="The provider's .well-known/openid-configuration URL.")
    client_id: str
    client_secret: SecretStr
    display_name: str = "single sign-on"
    scope: str = "openid email profile"

    @field_validator("client_secret")
    @classmethod
    def refuse_placeholder(cls, value: SecretStr) -> SecretStr:
        if value.get_secret_value().strip().lower() in PLACEHOLDER_SECRETS:
            raise ValueError("oidc.client_secret is a placeholder; set the real client secret")
        return value


PLACEHOLDER_SECRETS = {"", "changeme", "change-me", "secret", "xxx", "todo", "placeholder"}


def config_file() -> Path:
    """Where ``tandem.toml`` is read from: ``TANDEM_CONFIG`` if set, else the working directory."""
    return Path(os.environ.get("TANDEM_CONFIG", "tandem.toml"))


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TANDEM_", env_nested_delimiter="__", extra="ignore")

    database_url: str = Field(
        "sqlite:///tandem.db",
        description="SQLAlchemy URL; the default is a SQLite file in the working directory.",
    )
    thresholds: Thresholds = Field(default_factory=Thresholds)
    web: WebSettings = Field(default_factory=WebSettings)
    decisions: DecisionSettings = Field(default_factory=DecisionSettings)
    notifications: NotificationSettings = Field(default_factory=NotificationSettings)
    trust: TrustSettings = Field(default_factory=TrustSettings)
    rituals: RitualSettings = Field(default_factory=RitualSettings)
    oidc: OidcSettings | None = None

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, TomlConfigSettingsSource(settings_cls, toml_file=config_file()))


@lru_cache
def get_settings() -> Settings:
    return Settings()
