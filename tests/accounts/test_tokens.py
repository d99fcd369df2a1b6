"""Personal API tokens: shown once, stored only as a hash, revocable."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select, text

from tandem.accounts.models import ApiToken, Role
from tandem.accounts.service import revoke_api_token
from tandem.db import Base, transaction


def test_the_raw_token_is_nowhere_in_the_database(engine: Engine, tokens: dict[Role, str]) -> None:
    with engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            for row in connection.execute(select(table)):
                for raw in tokens.values():
                    assert raw not in repr(tuple(row)), table.name
                    assert raw[4:] not in repr(tuple(row)), table.name


def test_a_token_authenticates_as_its_user(anonymous: TestClient, tokens: dict[Role, str]) -> None:
    response = anonymous.get("/api/v1/org", headers={"Authorization": f"Bearer {tokens[Role.EXECUTIVE]}"})
    assert response.status_code == 200


def test_a_revoked_token_is_401(anonymous: TestClient, engine: Engine, tokens: dict[Role, str]) -> None:
    with transaction(engine) as session:
        for token in session.scalars(select(ApiToken)):
            revoke_api_token(session, token=token, actor="test")
    response = anonymous.get("/api/v1/org", headers={"Authorization": f"Bearer {tokens[Role.ADMIN]}"})
    assert response.status_code == 401


def test_using_a_token_records_when(anonymous: TestClient, engine: Engine, tokens: dict[Role, str]) -> None:
    anonymous.get("/api/v1/org", headers={"Authorization": f"Bearer {tokens[Role.ADMIN]}"})
    with engine.connect() as connection:
        used = connection.execute(text("SELECT COUNT(*) FROM api_tokens WHERE last_used_at IS NOT NULL")).scalar()
    assert used == 1
