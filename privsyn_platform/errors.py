"""The error hierarchy of the platform layer (settings, auth, metadata store, object storage).

Everything the platform raises on purpose derives from :class:`PlatformError`; the web layer maps the
family to HTTP in one place (``NotFoundError`` → 404, ``PermissionDeniedError`` → 404 (never 403: see below),
``ConflictError`` → 409, ``AuthenticationError`` → 401, ``SubmissionError`` → 502, ``UnavailableError`` → 503,
``ConfigurationError`` → refuse to start). Messages name the bad value and, where there is a closed
set, the valid choices. Another owner's row is reported as :class:`NotFoundError`, never as
:class:`PermissionDeniedError`, so ids of other tenants cannot be probed.
"""

from __future__ import annotations


class PlatformError(Exception):
    """Base class of every error the platform layer raises on purpose."""


class NotFoundError(PlatformError):
    """A job, artifact, preview bundle or object does not exist, or belongs to another owner."""


class PermissionDeniedError(PlatformError):
    """The caller is known but may not perform this action (e.g. a non-admin asking for admin data)."""


class ConflictError(PlatformError):
    """The request contradicts the current state, e.g. an illegal job state transition."""


class SubmissionError(PlatformError):
    """A job could not be handed to its execution backend (Slurm, AWS Batch, Cloud Run, ...)."""


class AuthenticationError(PlatformError):
    """No trustworthy identity came with the request (missing subject, untrusted proxy, bad secret)."""


class UnavailableError(PlatformError):
    """The metadata store or object storage cannot be written or reached right now (read-only disk, locked
    or unreachable database): the request may succeed later (503)."""


class ConfigurationError(PlatformError):
    """The settings are incomplete or contradictory, or name an unknown backend."""


class SeedNotAllowedError(PlatformError):
    """A request fixed the seed and the deployment does not allow it (PRIVSYN_ALLOW_FIXED_SEED)."""


class InvalidKeyError(PlatformError, ValueError):
    """An object storage key is not a safe, server-generated key (``..``, absolute, backslash, ...)."""
