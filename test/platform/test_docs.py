"""docs/configuration.md lists every setting by its environment variable."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel

from privsyn_platform.settings import Settings, env_var

DOC = Path(__file__).resolve().parents[2] / "docs" / "configuration.md"


def _variables() -> list[str]:
    names = []
    for name, field in Settings.model_fields.items():
        section = field.annotation
        if isinstance(section, type) and issubclass(section, BaseModel):
            names += [env_var(name, sub) for sub in section.model_fields]
        else:
            names.append(env_var(name))
    return names


def test_every_setting_is_documented() -> None:
    text = DOC.read_text()
    missing = [name for name in _variables() if f"`{name}`" not in text]
    assert missing == []
