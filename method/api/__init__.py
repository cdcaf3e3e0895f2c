"""The public contract of ``method``: specs, metadata, accounting, protocols, registry, errors."""

from method.api.base import (
    FittedSynthesizer,
    PrivacySpec,
    Progress,
    ProgressCallback,
    RunConfig,
    Synthesizer,
    SynthRegistry,
    registry,
)
from method.api.errors import (
    BudgetExceededError,
    InvalidMetadataError,
    InvalidParameterError,
    InvalidPrivacySpecError,
    MethodError,
    UnknownMethodError,
)
from method.api.metadata import ColumnSpec, Domain, TableMetadata
from method.api.noise import NoiseSource
from method.api.privacy import BudgetLedger, LedgerEntry

__all__ = [
    "BudgetExceededError",
    "BudgetLedger",
    "ColumnSpec",
    "Domain",
    "FittedSynthesizer",
    "InvalidMetadataError",
    "InvalidParameterError",
    "InvalidPrivacySpecError",
    "LedgerEntry",
    "MethodError",
    "NoiseSource",
    "PrivacySpec",
    "Progress",
    "ProgressCallback",
    "RunConfig",
    "SynthRegistry",
    "Synthesizer",
    "TableMetadata",
    "UnknownMethodError",
    "registry",
]
