"""Runtime configuration: the one place that reads the environment.

Owns :class:`Settings` (pydantic-settings, ``PRIVSYN_*`` variables, nested sections ``slurm``,
``aws_batch``, ``cloud_run`` and ``s3`` addressed as ``PRIVSYN_<SECTION>__<FIELD>``, plus the seed's
``ADDITIONAL_CORS_ORIGINS`` and its deprecated alias ``CORS_ALLOW_ORIGINS``) and the cached accessor
:func:`get_settings`. Validation happens at construction: an incomplete or contradictory configuration
refuses to start with a message naming the environment variable to fix. No other module reads
``os.environ``; the API process and the remote worker build the same object.
"""

from __future__ import annotations

import ipaddress
import math
import os
import warnings
from collections import Counter
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AliasChoices,
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import ErrorDetails
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from privsyn_platform.errors import ConfigurationError

ENV_PREFIX = "PRIVSYN_"
MetadataBackend = Literal["sqlite", "postgres"]
StorageBackend = Literal["local", "s3"]
JobBackend = Literal["inline", "local", "slurm", "aws_batch", "cloud_run"]
AuthBackend = Literal["none", "trusted-header"]

#: Origins of the bundled frontend in development; production adds its own via ADDITIONAL_CORS_ORIGINS.
DEFAULT_CORS_ORIGINS: tuple[str, ...] = (
    "http://localhost:3000", "http://127.0.0.1:3000", "http://localhost:5173", "http://127.0.0.1:5173",
    "http://localhost:5174", "http://127.0.0.1:5174",  # the predecessor's browser UI in development
)
#: Values that mean "nobody set this yet"; a secret equal to one of them (case-insensitive) is refused.
PLACEHOLDER_SECRETS = frozenset({
    "", "changeme", "change-me", "change_me", "secret", "password", "placeholder", "todo", "xxx",
    "example", "default", "none", "null",
})
MIN_SECRET_LENGTH = 16
#: A shared secret must carry at least this much Shannon entropy over its characters (``aaaa…`` has 0; 16 random
#: hex digits have 34 to 64 bits, `openssl rand -hex 32` about 250) and this many distinct characters
#: (``abab…`` has 2; 16 random hex digits have at least 5 in 10^5 draws).
MIN_SECRET_BITS = 28.0
MIN_SECRET_DISTINCT = 5
#: The broadest network PRIVSYN_TRUSTED_PROXIES may list, per IP version, after merging neighbours: a proxy's
#: addresses fit in a /8 (IPv4) or /32 (IPv6); ``0.0.0.0/1,128.0.0.0/1`` is "every address" and refused.
MIN_PROXY_PREFIX = {4: 8, 6: 32}
#: The headers a trusted proxy sets (lower case); see privsyn_platform.auth.
IDENTITY_HEADERS = ("x-privsyn-subject", "x-privsyn-email", "x-privsyn-name", "x-privsyn-admin")
_POSTGRES_SCHEMES = ("postgresql+psycopg2://", "postgresql+psycopg://", "postgresql://", "postgres://")
_CommaList = Annotated[list[str], NoDecode]


class _Section(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class S3Settings(_Section):
    """S3-compatible object storage (``PRIVSYN_S3__*``); used when ``PRIVSYN_STORAGE_BACKEND=s3``."""

    bucket: str | None = None
    prefix: str = ""
    endpoint_url: str | None = None
    region: str = "us-east-1"
    access_key_id: str | None = None
    secret_access_key: SecretStr | None = None


class SlurmSettings(_Section):
    """Slurm cluster (``PRIVSYN_SLURM__*``); used when ``PRIVSYN_JOB_BACKEND=slurm``."""

    partition: str | None = None
    account: str | None = None
    python: str = "python3"
    workdir: Path | None = None
    conf: Path | None = None


class AwsBatchSettings(_Section):
    """AWS Batch (``PRIVSYN_AWS_BATCH__*``); used when ``PRIVSYN_JOB_BACKEND=aws_batch``."""

    job_queue: str | None = None
    job_definition: str | None = None
    region: str | None = None
    endpoint_url: str | None = None


class CloudRunSettings(_Section):
    """Google Cloud Run jobs (``PRIVSYN_CLOUD_RUN__*``); used when ``PRIVSYN_JOB_BACKEND=cloud_run``."""

    project: str | None = None
    region: str | None = None
    job: str | None = None
    gcloud: str = "gcloud"
    api_endpoint: str | None = None


#: Per job backend: (section, field) pairs that must be set when that backend is selected.
REQUIRED_BACKEND_FIELDS: dict[str, tuple[tuple[str, str], ...]] = {
    "inline": (),
    "local": (),
    "slurm": (("slurm", "partition"),),
    "aws_batch": (("aws_batch", "job_queue"), ("aws_batch", "job_definition"), ("aws_batch", "region")),
    "cloud_run": (("cloud_run", "project"), ("cloud_run", "region"), ("cloud_run", "job")),
}
#: Backends whose workers run on other machines: they need a shared database and shared storage.
REMOTE_JOB_BACKENDS = frozenset({"aws_batch", "cloud_run"})


def env_var(*loc: str) -> str:
    """The environment variable that sets a settings field.

    Args:
        *loc: The field path, e.g. ``("s3", "bucket")``.

    Returns:
        The variable name.

    >>> env_var("s3", "bucket")
    'PRIVSYN_S3__BUCKET'
    >>> env_var("additional_cors_origins")
    'ADDITIONAL_CORS_ORIGINS'
    """
    if loc and loc[0] in _UNPREFIXED:
        return _UNPREFIXED[loc[0]]
    if loc and loc[0].isupper():  # already a variable name (fields read under an alias)
        return loc[0]
    return ENV_PREFIX + "__".join(part.upper() for part in loc)


_UNPREFIXED = {"additional_cors_origins": "ADDITIONAL_CORS_ORIGINS",
               "deprecated_cors_allow_origins": "CORS_ALLOW_ORIGINS"}


def normalize_database_url(url: str) -> str:
    """Point a PostgreSQL URL at the psycopg 3 driver; leave other URLs unchanged.

    Args:
        url: A SQLAlchemy database URL as an operator would write it.

    Returns:
        The URL SQLAlchemy should use.

    >>> normalize_database_url("postgres://u:p@db:5432/app")
    'postgresql+psycopg://u:p@db:5432/app'
    >>> normalize_database_url("sqlite:///x.db")
    'sqlite:///x.db'
    """
    for scheme in _POSTGRES_SCHEMES:
        if url.startswith(scheme):
            return "postgresql+psycopg://" + url[len(scheme):]
    return url


def secret_bits(secret: str) -> float:
    """Shannon entropy of a secret's characters, in bits for the whole string (an upper bound on its strength).

    >>> secret_bits("a" * 32), round(secret_bits("0123456789abcdef"))
    (0.0, 64)
    """
    counts = Counter(secret)
    return sum(n * math.log2(len(secret) / n) for n in counts.values())


def broad_networks(proxies: list[str]) -> list[str]:
    """The networks, after merging neighbours, broader than :data:`MIN_PROXY_PREFIX` allows.

    >>> broad_networks(["0.0.0.0/1", "128.0.0.0/1"]), broad_networks(["10.0.0.0/8", "192.168.1.7"])
    (['0.0.0.0/0'], [])
    """
    networks = [ipaddress.ip_network(proxy, strict=False) for proxy in proxies]
    broad = []
    for version in (4, 6):
        same: list[Any] = [n for n in networks if n.version == version]
        merged = ipaddress.collapse_addresses(same)
        broad += [str(n) for n in merged if n.prefixlen < MIN_PROXY_PREFIX[version]
                  or (version == 6 and n.subnet_of(_IPV4_MAPPED) and n.prefixlen - 96 < MIN_PROXY_PREFIX[4])]
    return broad


_IPV4_MAPPED = ipaddress.ip_network("::ffff:0:0/96")


def _split_commas(value: object) -> object:
    if isinstance(value, str):
        return [item.strip() for item in value.split(",") if item.strip()]
    return value


DEFAULT_JOB_LEASE_S = 60


class Settings(BaseSettings):
    """Every runtime setting of the service and its workers; see docs/configuration.md for the table."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX, env_nested_delimiter="__", env_file=".env", extra="ignore", frozen=True,
        validate_by_name=True, validate_by_alias=True,
    )

    state_root: Path = Path("temp_synthesis_output")
    metadata_backend: MetadataBackend = "sqlite"
    database_url: str | None = Field(default=None, repr=False)
    storage_backend: StorageBackend = "local"
    storage_root: Path | None = None
    job_backend: JobBackend = "inline"
    job_cpus: int = Field(default=2, ge=1)
    job_mem_gb: int = Field(default=4, ge=1)
    job_timeout_min: int = Field(default=60, ge=1)
    # A running job's worker renews its lease every quarter of this; a job whose lease ran out is failed
    # (worker_lost) by the API's upkeep, whatever backend ran it.
    job_lease_s: int = Field(default=DEFAULT_JOB_LEASE_S, ge=2)
    # The local backend runs at most this many worker processes at once (None: CPUs // PRIVSYN_JOB_CPUS).
    local_workers: int | None = Field(default=None, ge=1)

    auth_backend: AuthBackend = "none"
    trusted_proxies: _CommaList = Field(default_factory=list)
    auth_shared_secret: SecretStr | None = None
    auth_secret_header: str = "X-Privsyn-Proxy-Secret"
    # With auth_backend=none every caller is the one local user: serving anyone but this machine needs an
    # explicit opt-in (a container behind its own gate, a lab VM).
    allow_unauthenticated_remote: bool = False

    additional_cors_origins: _CommaList = Field(
        default_factory=list,
        validation_alias=AliasChoices("ADDITIONAL_CORS_ORIGINS", "additional_cors_origins"))
    deprecated_cors_allow_origins: _CommaList = Field(
        default_factory=list, exclude=True,
        validation_alias=AliasChoices("CORS_ALLOW_ORIGINS", "deprecated_cors_allow_origins"))

    max_upload_bytes: int = Field(default=100 * 1024 * 1024, ge=1)
    max_rows: int = Field(default=1_000_000, ge=1)
    # Columns an upload may have, and the (smaller) number a run may synthesize: a wider upload is reviewed
    # after the user picks which columns to keep.
    max_columns: int = Field(default=2_000, ge=1)
    max_synthesis_columns: int = Field(default=200, ge=1)
    max_categories: int = Field(default=1_000, ge=2)
    # Form fields other than the upload (a reviewed wide schema ≈ 3 MB), summed over one request.
    max_form_bytes: int = Field(default=16 * 1024 * 1024, ge=1024)
    body_timeout_seconds: float = Field(default=30.0, gt=0)
    dataset_epsilon_limit: float | None = Field(default=None, gt=0)
    session_ttl_seconds: int = Field(default=3_600, ge=1)
    preview_ttl_seconds: int = Field(default=7 * 24 * 3_600, ge=1)
    # The in-memory cache of previews and results holds at most this many MiB of tables.
    session_cache_mb: int = Field(default=512, ge=1)
    # How often the API's upkeep fails lost or overdue jobs and purges expired previews.
    upkeep_interval_s: int = Field(default=30, ge=1)
    # A fixed seed makes a run reproducible by whoever knows it, so the service refuses one unless
    # allowed.
    allow_fixed_seed: bool = False

    s3: S3Settings = S3Settings()
    slurm: SlurmSettings = SlurmSettings()
    aws_batch: AwsBatchSettings = AwsBatchSettings()
    cloud_run: CloudRunSettings = CloudRunSettings()

    @field_validator("trusted_proxies", "additional_cors_origins", "deprecated_cors_allow_origins",
                     mode="before")
    @classmethod
    def _split(cls, value: object) -> object:
        return _split_commas(value)

    @field_validator("database_url")
    @classmethod
    def _normalize_url(cls, url: str | None) -> str | None:
        return normalize_database_url(url.strip()) if url and url.strip() else None

    @field_validator("trusted_proxies")
    @classmethod
    def _parse_networks(cls, proxies: list[str]) -> list[str]:
        for proxy in proxies:
            try:
                network = ipaddress.ip_network(proxy, strict=False)
            except ValueError as e:
                raise ValueError(f"{env_var('trusted_proxies')}: {proxy!r} is not an address or CIDR") from e
            if network.prefixlen == 0:
                raise ValueError(f"{env_var('trusted_proxies')}: {proxy!r} would trust every address; "
                                 "list the proxy's own addresses")
        broad = broad_networks(proxies)
        if broad:
            raise ValueError(f"{env_var('trusted_proxies')}: together the entries trust {', '.join(broad)}, "
                             "far more than a proxy's addresses; list the proxy's own addresses")
        return proxies

    @model_validator(mode="after")
    def _check_consistency(self) -> Settings:
        problems = [*self._database_problems(), *self._storage_problems(), *self._job_backend_problems(),
                    *self._auth_problems()]
        if problems:
            raise ValueError("invalid configuration: " + "; ".join(problems))
        if self.deprecated_cors_allow_origins:
            warnings.warn("CORS_ALLOW_ORIGINS is deprecated; set ADDITIONAL_CORS_ORIGINS instead",
                          FutureWarning, stacklevel=2)
        return self

    def _database_problems(self) -> list[str]:
        url = self.database_url
        if self.metadata_backend == "postgres":
            if url is None:
                return [f"{env_var('database_url')} is required when {env_var('metadata_backend')}=postgres "
                        "(e.g. postgresql://user:password@host:5432/privsyn)"]
            if not url.startswith("postgresql+psycopg://"):
                return [f"{env_var('database_url')} must be a postgresql:// URL when "
                        f"{env_var('metadata_backend')}=postgres, got scheme {url.split(':', 1)[0]!r}"]
        elif url is not None and not url.startswith("sqlite"):
            return [f"{env_var('database_url')} is a {url.split(':', 1)[0]!r} URL but "
                    f"{env_var('metadata_backend')}=sqlite; set {env_var('metadata_backend')}=postgres"]
        return []

    def _storage_problems(self) -> list[str]:
        if self.storage_backend == "s3" and not self.s3.bucket:
            return [f"{env_var('s3', 'bucket')} is required when {env_var('storage_backend')}=s3"]
        return []

    def _job_backend_problems(self) -> list[str]:
        problems = [f"{env_var(section, name)} is required when {env_var('job_backend')}={self.job_backend}"
                    for section, name in REQUIRED_BACKEND_FIELDS[self.job_backend]
                    if not getattr(getattr(self, section), name)]
        remote = f"{env_var('job_backend')}={self.job_backend} runs workers on other machines"
        if self.job_backend in REMOTE_JOB_BACKENDS and self.metadata_backend != "postgres":
            problems.append(f"{remote}: set {env_var('metadata_backend')}=postgres (sqlite is a local file)")
        if self.job_backend in REMOTE_JOB_BACKENDS and self.storage_backend != "s3":
            problems.append(f"{remote}: set {env_var('storage_backend')}=s3 (local storage is not shared)")
        return problems

    def _auth_problems(self) -> list[str]:
        secret = self.auth_shared_secret.get_secret_value() if self.auth_shared_secret else None
        header = self.auth_secret_header
        problems = []
        if secret is not None and (secret.strip().lower() in PLACEHOLDER_SECRETS
                                   or len(secret) < MIN_SECRET_LENGTH or secret_bits(secret) < MIN_SECRET_BITS
                                   or len(set(secret)) < MIN_SECRET_DISTINCT):
            problems.append(f"{env_var('auth_shared_secret')} looks like a placeholder or is too guessable; use a "
                            f"random value of at least {MIN_SECRET_LENGTH} characters (e.g. `openssl rand -hex 32`)")
        if self.auth_backend == "trusted-header" and not self.trusted_proxies and secret is None:
            problems.append(f"{env_var('auth_backend')}=trusted-header needs {env_var('trusted_proxies')} "
                            f"and/or {env_var('auth_shared_secret')}; else anyone could send the headers")
        if not header.strip() or header.lower() in IDENTITY_HEADERS:
            problems.append(f"{env_var('auth_secret_header')}={header!r} must be a non-empty header other "
                            f"than the identity headers {', '.join(IDENTITY_HEADERS)}")
        return problems

    @property
    def cors_origins(self) -> list[str]:
        """ADDITIONAL_CORS_ORIGINS and CORS_ALLOW_ORIGINS, de-duplicated; a laptop install (``auth_backend=none``)
        also allows the development servers' :data:`DEFAULT_CORS_ORIGINS`, a deployment with real users never."""
        development = DEFAULT_CORS_ORIGINS if self.auth_backend == "none" else ()
        origins = [*development, *self.additional_cors_origins, *self.deprecated_cors_allow_origins]
        return list(dict.fromkeys(origin.rstrip("/") for origin in origins))

    @property
    def sqlite_path(self) -> Path:
        """Where the sqlite metadata file lives when no sqlite URL is configured."""
        return self.state_root / "metadata.sqlite3"

    def worker_environment(self) -> dict[str, str]:
        """The environment a worker process needs to reach the same metadata store and object storage.

        Relative paths are made absolute, so a worker started in another directory finds the same state.
        """
        values: dict[tuple[str, ...], object] = {
            ("state_root",): self.state_root.resolve(),
            ("metadata_backend",): self.metadata_backend,
            ("database_url",): self.database_url,
            ("storage_backend",): self.storage_backend,
            ("storage_root",): self.storage_root.resolve() if self.storage_root else None,
            # the worker renews its lease on the API's schedule (named only when not the default)
            ("job_lease_s",): self.job_lease_s if self.job_lease_s != DEFAULT_JOB_LEASE_S else None,
        }
        for name in S3Settings.model_fields:
            value = getattr(self.s3, name)
            values[("s3", name)] = value.get_secret_value() if isinstance(value, SecretStr) else value
        return {env_var(*loc): str(value) for loc, value in values.items() if value not in (None, "")}

    def child_environment(self) -> dict[str, str]:
        """This process's environment plus :meth:`worker_environment`: what a local worker process gets."""
        return {**os.environ, **self.worker_environment()}

    @property
    def effective_database_url(self) -> str:
        """The SQLAlchemy URL of the metadata store (the sqlite file under the state root by default)."""
        return self.database_url or f"sqlite:///{self.sqlite_path}"

    @property
    def effective_storage_root(self) -> Path:
        """The root directory of local object storage (``<state root>/objects`` by default)."""
        return self.storage_root or self.state_root / "objects"


def load_settings(**overrides: object) -> Settings:
    """Build settings from the environment (and ``.env``), translating errors into one readable message.

    Args:
        **overrides: Field values that take precedence over the environment (tests, the CLI).

    Returns:
        The validated settings.

    Raises:
        ConfigurationError: A value is malformed, or the configuration is incomplete or contradictory;
            the message names the environment variable of each problem.
    """
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as e:
        lines = [_describe(err) for err in e.errors(include_input=False)]
        # `from None`: pydantic's own message would echo the input values, secrets included.
        raise ConfigurationError("refusing to start: " + "; ".join(lines)) from None


def _describe(error: ErrorDetails) -> str:
    if not error["loc"]:  # a model-level check: its message already names the variables
        return str(error.get("ctx", {}).get("error", error["msg"]))
    return f"{env_var(*map(str, error['loc']))}: {error['msg']}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, built once; tests call ``get_settings.cache_clear()`` or override it.

    Returns:
        The validated settings.

    Raises:
        ConfigurationError: The environment describes an invalid configuration.
    """
    return load_settings()
