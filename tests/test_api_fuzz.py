"""Property-based fuzzing of the staff API from its own OpenAPI schema (schemathesis).

Every operation under /api/v1 and the probes is called with generated input (valid and not),
with a valid key, in-process against the real app over the session's indexed Assistant and a
real SQLite audit log. Whatever comes in, the answer is never a 5xx, and every 4xx is a JSON
error of the {"error", "message"} shape.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, Phase, settings
from schemathesis.python.asgi import shutdown_lifespans

from assistant.server import create_app
from assistant.service import Assistant
from assistant.settings import Settings
from tests.helpers import KNOWLEDGE
from tests.helpers import TEST_AUTH as AUTH
from tests.helpers import TEST_KEY as KEY

# Builds an index (once per session), loads the model and makes a few hundred requests.
pytestmark = pytest.mark.slow

EXAMPLES_PER_OPERATION = 30


def _schema_app() -> FastAPI:
    # Only for its OpenAPI document: nothing loads before an app's lifespan starts.
    return create_app(
        settings=Settings(
            knowledge_dir=KNOWLEDGE, data_dir=Path("unused"), api_keys=KEY, api_key_hashes=""
        ),
        ui=False,
    )


schema = schemathesis.openapi.from_dict(_schema_app().openapi()).include(
    path_regex=r"^(/api/v1/|/healthz$|/readyz$)"
)


@pytest.fixture(scope="module")
def fuzzed_app(
    built_assistant: Assistant, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[FastAPI]:
    """The app the generated requests go to, over the session's index, with its own log."""
    tmp_path = tmp_path_factory.mktemp("fuzz")
    settings_ = Settings(
        knowledge_dir=KNOWLEDGE,
        data_dir=tmp_path / "serve",
        api_keys=KEY,
        rate_limit_per_minute=100_000,
        auth_failures_before_delay=100_000,  # the cases without a key must not lock the rest out
        audit_db_url=f"sqlite:///{tmp_path / 'audit.sqlite3'}",
    )
    app = create_app(assistant=built_assistant, settings=settings_, ui=False)
    try:
        yield app
    finally:
        shutdown_lifespans()  # schemathesis started the app's lifespan on its first call


def _check(response: Any, what: str) -> None:
    status = response.status_code
    assert status < 500, f"{what} -> {status}: {response.content[:2000]!r}"
    if 400 <= status < 500:
        content_type = response.headers.get("content-type", [""])[0]
        assert content_type.startswith("application/json"), f"{what} -> {status} {content_type}"
        body = json.loads(response.content)
        assert isinstance(body, dict) and {"error", "message"} <= set(body), f"{what}: {body}"
        assert isinstance(body["error"], str) and isinstance(body["message"], str)
        assert body["message"], f"{what}: an empty message"


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    database=None,  # nothing written outside the test's own folders
    phases=[Phase.explicit, Phase.generate],  # a failure is reported as found, unshrunk
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_api__no_input_gets_a_5xx_and_every_4xx_is_a_json_error(
    case: Any, fuzzed_app: FastAPI
) -> None:
    response = case.call(headers=AUTH, app=fuzzed_app)
    _check(response, f"{case.method} {case.formatted_path} {case.body!r:.300}")
