"""Settings: defaults, environment parsing, URL normalisation, the CORS alias and every validator."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from pydantic import ValidationError

from privsyn_platform.errors import ConfigurationError
from privsyn_platform.settings import (
    DEFAULT_CORS_ORIGINS,
    REQUIRED_BACKEND_FIELDS,
    Settings,
    env_var,
    get_settings,
    load_settings,
    normalize_database_url,
)

SECRET = "0123456789abcdef0123456789abcdef"
MakeSettings = Callable[..., Settings]


def test_defaults_describe_a_laptop_install(make_settings: MakeSettings) -> None:
    settings = make_settings()
    assert (settings.metadata_backend, settings.storage_backend) == ("sqlite", "local")
    assert (settings.job_backend, settings.auth_backend) == ("inline", "none")
    assert settings.state_root == Path("temp_synthesis_output")
    assert settings.effective_database_url == "sqlite:///temp_synthesis_output/metadata.sqlite3"
    assert settings.effective_storage_root == Path("temp_synthesis_output/objects")
    assert settings.cors_origins == list(DEFAULT_CORS_ORIGINS)
    assert settings.max_upload_bytes > 0 and settings.max_categories >= 2 and settings.session_ttl_seconds > 0


def test_environment_including_nested_sections(
    monkeypatch: pytest.MonkeyPatch, make_settings: MakeSettings,
) -> None:
    for name, value in {
        "PRIVSYN_STATE_ROOT": "/srv/privsyn", "PRIVSYN_MAX_ROWS": "5000", "PRIVSYN_JOB_BACKEND": "slurm",
        "PRIVSYN_SLURM__PARTITION": "debug", "PRIVSYN_SLURM__ACCOUNT": "lab", "PRIVSYN_S3__BUCKET": "art",
        "PRIVSYN_S3__ENDPOINT_URL": "http://127.0.0.1:9000", "PRIVSYN_TRUSTED_PROXIES": "10.0.0.0/8, ::1",
    }.items():
        monkeypatch.setenv(name, value)
    settings = make_settings()
    assert settings.state_root == Path("/srv/privsyn") and settings.max_rows == 5000
    assert (settings.slurm.partition, settings.slurm.account) == ("debug", "lab")
    assert (settings.s3.bucket, settings.s3.endpoint_url) == ("art", "http://127.0.0.1:9000")
    assert settings.trusted_proxies == ["10.0.0.0/8", "::1"]


@pytest.mark.parametrize(("given", "expected"), [
    ("postgresql://u:p@db:5432/app", "postgresql+psycopg://u:p@db:5432/app"),
    ("postgres://u:p@db/app", "postgresql+psycopg://u:p@db/app"),
    ("postgresql+psycopg2://u@db/app", "postgresql+psycopg://u@db/app"),
    ("postgresql+psycopg://u@db/app", "postgresql+psycopg://u@db/app"),
])
def test_postgres_urls_use_psycopg(given: str, expected: str, monkeypatch: pytest.MonkeyPatch,
                                   make_settings: MakeSettings) -> None:
    assert normalize_database_url(given) == expected
    monkeypatch.setenv("PRIVSYN_METADATA_BACKEND", "postgres")
    monkeypatch.setenv("PRIVSYN_DATABASE_URL", given)
    assert make_settings().effective_database_url == expected


def test_database_url_is_hidden_from_repr(make_settings: MakeSettings) -> None:
    settings = make_settings(metadata_backend="postgres", database_url="postgresql://u:hunter2@db/app")
    assert "hunter2" not in repr(settings)


def test_cors_origins_from_the_new_variable(
    monkeypatch: pytest.MonkeyPatch, make_settings: MakeSettings,
) -> None:
    monkeypatch.setenv("ADDITIONAL_CORS_ORIGINS", "https://app.example.org, https://preview.vercel.app/")
    assert make_settings().cors_origins[-2:] == ["https://app.example.org", "https://preview.vercel.app"]


def test_deprecated_cors_alias_still_works_with_a_warning(
    monkeypatch: pytest.MonkeyPatch, make_settings: MakeSettings,
) -> None:
    monkeypatch.setenv("CORS_ALLOW_ORIGINS", "https://old.example.org")
    monkeypatch.setenv("ADDITIONAL_CORS_ORIGINS", "https://new.example.org")
    with pytest.warns(FutureWarning, match="CORS_ALLOW_ORIGINS is deprecated; set ADDITIONAL_CORS_ORIGINS"):
        settings = make_settings()
    assert {"https://old.example.org", "https://new.example.org"} <= set(settings.cors_origins)


@pytest.mark.parametrize(("env", "message"), [
    ({"PRIVSYN_METADATA_BACKEND": "postgres"},
     "PRIVSYN_DATABASE_URL is required when PRIVSYN_METADATA_BACKEND=postgres"),
    ({"PRIVSYN_METADATA_BACKEND": "postgres", "PRIVSYN_DATABASE_URL": "mysql://x/y"},
     "PRIVSYN_DATABASE_URL must be a postgresql:// URL"),
    ({"PRIVSYN_DATABASE_URL": "postgresql://x/y"}, "set PRIVSYN_METADATA_BACKEND=postgres"),
    ({"PRIVSYN_STORAGE_BACKEND": "s3"}, "PRIVSYN_S3__BUCKET is required when PRIVSYN_STORAGE_BACKEND=s3"),
    ({"PRIVSYN_JOB_BACKEND": "slurm"},
     "PRIVSYN_SLURM__PARTITION is required when PRIVSYN_JOB_BACKEND=slurm"),
    ({"PRIVSYN_JOB_BACKEND": "aws_batch"}, "PRIVSYN_AWS_BATCH__JOB_QUEUE is required"),
    ({"PRIVSYN_JOB_BACKEND": "cloud_run", "PRIVSYN_CLOUD_RUN__PROJECT": "p",
      "PRIVSYN_CLOUD_RUN__REGION": "r"},
     "PRIVSYN_CLOUD_RUN__JOB is required when PRIVSYN_JOB_BACKEND=cloud_run"),
    ({"PRIVSYN_JOB_BACKEND": "cloud_run", "PRIVSYN_CLOUD_RUN__PROJECT": "p",
      "PRIVSYN_CLOUD_RUN__REGION": "r", "PRIVSYN_CLOUD_RUN__JOB": "j"},
     "set PRIVSYN_METADATA_BACKEND=postgres"),
    ({"PRIVSYN_AUTH_BACKEND": "trusted-header"},
     "needs PRIVSYN_TRUSTED_PROXIES and/or PRIVSYN_AUTH_SHARED_SECRET"),
    ({"PRIVSYN_AUTH_SHARED_SECRET": "changeme"}, "PRIVSYN_AUTH_SHARED_SECRET looks like a placeholder"),
    ({"PRIVSYN_AUTH_SHARED_SECRET": "short-secret"}, "PRIVSYN_AUTH_SHARED_SECRET looks like a placeholder"),
    ({"PRIVSYN_AUTH_SECRET_HEADER": "X-Privsyn-Subject"}, "PRIVSYN_AUTH_SECRET_HEADER='X-Privsyn-Subject'"),
    ({"PRIVSYN_TRUSTED_PROXIES": "0.0.0.0/0"},
     "PRIVSYN_TRUSTED_PROXIES: '0.0.0.0/0' would trust every address"),
    ({"PRIVSYN_TRUSTED_PROXIES": "proxy.local"},
     "PRIVSYN_TRUSTED_PROXIES: 'proxy.local' is not an address"),
    ({"PRIVSYN_JOB_BACKEND": "kubernetes"},
     "PRIVSYN_JOB_BACKEND: Input should be 'inline', 'local', 'slurm'"),
    ({"PRIVSYN_MAX_ROWS": "0"}, "PRIVSYN_MAX_ROWS: Input should be greater than or equal to 1"),
])
def test_each_validator_refuses_to_start_naming_the_variable(
    env: dict[str, str], message: str, monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError):
        Settings(_env_file=None)  # type: ignore[call-arg]
    with pytest.raises(ConfigurationError, match="refusing to start") as refused:
        load_settings(_env_file=None)
    assert message in str(refused.value)


def test_every_backend_section_requirement_names_its_variable(make_settings: MakeSettings) -> None:
    for backend, required in REQUIRED_BACKEND_FIELDS.items():
        for section, field in required:
            assert hasattr(getattr(make_settings(), section), field), (backend, section, field)
            assert env_var(section, field) == f"PRIVSYN_{section.upper()}__{field.upper()}"


def test_complete_remote_backends_are_accepted(make_settings: MakeSettings) -> None:
    settings = make_settings(
        job_backend="aws_batch", metadata_backend="postgres", database_url="postgres://u:p@db/app",
        storage_backend="s3", s3={"bucket": "b"},
        aws_batch={"job_queue": "q", "job_definition": "d", "region": "eu-west-1"},
        auth_backend="trusted-header", trusted_proxies="10.0.0.1", auth_shared_secret=SECRET)
    assert settings.aws_batch.job_queue == "q" and settings.auth_shared_secret is not None


def test_errors_never_echo_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PRIVSYN_AUTH_SHARED_SECRET", "hunter2")
    monkeypatch.setenv("PRIVSYN_DATABASE_URL", "postgresql://u:topsecretpw@db/app")
    with pytest.raises(ConfigurationError) as refused:
        load_settings(_env_file=None)
    assert "hunter2" not in str(refused.value) and "topsecretpw" not in str(refused.value)
    assert refused.value.__cause__ is None and refused.value.__suppress_context__


def test_get_settings_is_cached_and_can_be_cleared(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)  # no stray .env
    get_settings.cache_clear()
    monkeypatch.setenv("PRIVSYN_MAX_ROWS", "10")
    first = get_settings()
    monkeypatch.setenv("PRIVSYN_MAX_ROWS", "20")
    assert get_settings() is first and first.max_rows == 10
    get_settings.cache_clear()
    assert get_settings().max_rows == 20
    get_settings.cache_clear()


def test_dotenv_file_is_read_but_the_environment_wins(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("PRIVSYN_MAX_ROWS=7\nPRIVSYN_MAX_COLUMNS=9\n")
    monkeypatch.setenv("PRIVSYN_MAX_COLUMNS", "11")
    settings = load_settings()
    assert (settings.max_rows, settings.max_columns) == (7, 11)
