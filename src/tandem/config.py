"""Settings: environment variables (``TANDEM_*``) over ``tandem.toml`` over defaults.

Nested sections use ``__`` in environment variables, e.g. ``TANDEM_THRESHOLDS__POWER_GAP_LEVELS=3``.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, Field
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
