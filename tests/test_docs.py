"""The README documents every setting and the commands CI runs."""

from __future__ import annotations

from pathlib import Path

from pydantic import AliasChoices

from assistant.settings import Settings

ROOT = Path(__file__).resolve().parent.parent


def test_settings__every_setting_is_documented_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name, field in Settings.model_fields.items():
        alias = field.validation_alias
        env = (
            alias.choices[0]
            if isinstance(alias, AliasChoices)
            else alias or f"ASSISTANT_{name.upper()}"
        )
        assert f"`{env}`" in readme, f"{env} is not documented in README.md"
        assert field.description, f"{name} has no description"


def test_ci__runs_the_readme_test_command() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "scripts/test" in readme and "scripts/test" in ci
