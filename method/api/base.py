"""The synthesizer contract: privacy and run specs, the Synthesizer protocols, and the registry.

* :class:`PrivacySpec` — the caller's (ε, δ) and the zCDP ρ they allow. Required: ``method`` has no
  default budget anywhere.
* :class:`RunConfig` — the run's two sources of randomness (``noise``, a
  :class:`~method.api.noise.NoiseSource` for mechanism noise, and ``sampling_rng``, the generator of
  all post-processing), threads, a wall-clock budget and a progress callback.
* :class:`Synthesizer` / :class:`FittedSynthesizer` — ``fit`` reads the private table and spends budget
  (recorded in the fitted object's ledger); ``sample`` is free post-processing.
* :class:`SynthRegistry` — name → synthesizer class, filled from the literal tuple
  ``method.synthesis.SYNTHESIZERS`` when that package is imported; an unknown name lists the valid ones.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol, runtime_checkable

import numpy as np
import pandas as pd

from method.api.errors import InvalidParameterError, InvalidPrivacySpecError, MethodError, UnknownMethodError
from method.api.metadata import TableMetadata
from method.api.noise import NoiseSource
from method.api.privacy import BudgetLedger, LedgerEntry, cdp_rho

MAX_EPSILON = 1000.0


@dataclass(frozen=True, slots=True)
class PrivacySpec:
    """(ε, δ)-DP target of one run, and the zCDP budget ρ it converts to (CKS conversion).

    ``threshold_delta`` is the part of δ kept for thresholding mechanisms (DP category discovery releases a
    value only one record holds with at most that probability, Bun–Steinke approximate zCDP); ρ is converted
    from the rest, so the whole run is (ε, δ)-DP.

    >>> round(PrivacySpec(epsilon=1.0, delta=1e-9).rho, 6)
    0.014973
    >>> PrivacySpec(epsilon=1.0, delta=1e-9, threshold_delta=5e-10).rho < 0.014973
    True
    """

    epsilon: float
    delta: float
    threshold_delta: float = 0.0
    rho: float = field(init=False)

    def __post_init__(self) -> None:
        if isinstance(self.epsilon, bool) or not isinstance(self.epsilon, int | float):
            raise InvalidPrivacySpecError(f"epsilon must be a number, got {self.epsilon!r}")
        if isinstance(self.delta, bool) or not isinstance(self.delta, int | float):
            raise InvalidPrivacySpecError(f"delta must be a number, got {self.delta!r}")
        if not (math.isfinite(self.epsilon) and self.epsilon > 0):
            raise InvalidPrivacySpecError(f"epsilon must be a finite number > 0, got {self.epsilon!r}")
        if self.epsilon > MAX_EPSILON:
            raise InvalidPrivacySpecError(
                f"epsilon must be at most {MAX_EPSILON:g}, got {self.epsilon!r}: beyond that the guarantee is "
                "meaningless (typical releases use 0.1 to 10)"
            )
        if not (math.isfinite(self.delta) and 0 < self.delta < 1):
            raise InvalidPrivacySpecError(f"delta must be in the open interval (0, 1), got {self.delta!r}")
        if not (isinstance(self.threshold_delta, int | float) and 0 <= self.threshold_delta < self.delta):
            raise InvalidPrivacySpecError(
                f"threshold_delta must be in [0, delta), got {self.threshold_delta!r} with delta {self.delta!r}")
        cdp_delta = float(self.delta) - float(self.threshold_delta)
        object.__setattr__(self, "rho", cdp_rho(float(self.epsilon), cdp_delta))


def seed_sequences(
    seed: int | None,
) -> tuple[np.random.SeedSequence | None, np.random.SeedSequence | None]:
    """The (noise, sampling) seed sequences of a run: two independent children of ``seed``, or
    ``(None, None)`` (fresh OS entropy for each) without one.

    >>> noise, sampling = seed_sequences(7)
    >>> noise.spawn_key, sampling.spawn_key
    ((0,), (1,))
    """
    if seed is None:
        return None, None
    noise, sampling = np.random.SeedSequence(seed).spawn(2)
    return noise, sampling


@dataclass(frozen=True, slots=True)
class Progress:
    """One progress report: a stage name, the fraction of the whole run done (0..1), and a detail."""

    stage: str
    fraction: float
    message: str = ""


ProgressCallback = Callable[[Progress], None]


def _ignore_progress(_: Progress) -> None:
    return None


@dataclass(frozen=True, slots=True)
class RunConfig:
    """How to run: randomness, parallelism, a wall-clock budget and where progress goes.

    Two streams with separate roles; there is no global RNG:

    * ``noise`` — every privacy-noise draw (Gaussian, Laplace, exponential mechanism) of ``fit``: a
      :class:`~method.api.noise.NoiseSource` handing out a fresh generator per mechanism call.
    * ``sampling_rng`` — everything after the measurements: sampling records, decoding inside bins,
      expanding merged rare values, and AIM's data-independent workload subsampling. Its outputs are
      published, so it must never draw noise.

    With ``seed=None`` both come from fresh OS entropy, independently. With a seed, both are spawned
    from ``numpy.random.SeedSequence(seed)`` (children 0 and 1), so a seeded run is reproducible —
    and not private against anyone who knows the seed. A caller may pass either stream explicitly.

    >>> config = RunConfig(seed=4)
    >>> config.noise.seeded, config.sampling_rng is not None
    (True, True)
    """

    seed: int | None = None
    sampling_rng: np.random.Generator = None  # type: ignore[assignment]  # filled in __post_init__
    noise: NoiseSource = None  # type: ignore[assignment]  # filled in __post_init__
    threads: int = 1
    time_budget_s: float | None = None
    on_progress: ProgressCallback = _ignore_progress
    started_at: float | None = None  # on ``clock``; None: when the config is made
    clock: Callable[[], float] = time.monotonic  # injectable, so tests can run out of time deterministically

    def __post_init__(self) -> None:
        if self.started_at is None:
            object.__setattr__(self, "started_at", self.clock())
        noise_seed, sampling_seed = seed_sequences(self.seed)
        if self.sampling_rng is None:
            object.__setattr__(self, "sampling_rng", np.random.default_rng(sampling_seed))
        if self.noise is None:
            object.__setattr__(self, "noise", NoiseSource(noise_seed))
        if isinstance(self.noise, np.random.Generator) or not isinstance(self.noise, NoiseSource):
            kind = type(self.noise).__name__
            raise InvalidParameterError(f"noise must be a NoiseSource, got {kind}")
        if not (isinstance(self.threads, int) and self.threads >= 1):
            raise InvalidParameterError(f"threads must be an integer >= 1, got {self.threads!r}")
        if self.time_budget_s is not None and not self.time_budget_s > 0:
            raise InvalidParameterError(f"time_budget_s must be > 0 seconds, got {self.time_budget_s!r}")

    def report(self, stage: str, fraction: float, message: str = "") -> None:
        self.on_progress(Progress(stage, min(max(fraction, 0.0), 1.0), message))

    def time_left(self) -> float:
        """Seconds left of the wall-clock budget (``inf`` when there is none)."""
        if self.time_budget_s is None:
            return math.inf
        return self.time_budget_s - (self.clock() - self.started_at)  # type: ignore[operator]

    def out_of_time(self) -> bool:
        """Whether the wall-clock budget is spent (never without one)."""
        return self.time_budget_s is not None and self.time_left() <= 0


@runtime_checkable
class FittedSynthesizer(Protocol):
    """A synthesizer after ``fit``: holds only DP outputs, so sampling costs no budget."""

    @property
    def ledger(self) -> BudgetLedger: ...

    @property
    def default_rows(self) -> int:
        """The number of rows ``sample()`` draws by default (a DP estimate of the input's size)."""
        ...

    def sample(self, n: int | None = None, *, rng: np.random.Generator | None = None) -> pd.DataFrame: ...


@runtime_checkable
class Synthesizer(Protocol):
    """A configured method (its knobs are the instance's fields); ``fit`` spends the budget."""

    name: ClassVar[str]

    def fit(
        self, table: pd.DataFrame, metadata: TableMetadata, privacy: PrivacySpec, config: RunConfig, *,
        spent: Sequence[LedgerEntry] = (),
    ) -> FittedSynthesizer:
        """Fit on ``table``; ``spent`` are this run's earlier charges (DP domain discovery), which the
        fitted ledger starts with, so the run as a whole stays within ``privacy.rho``."""
        ...


class SynthRegistry:
    """Name → synthesizer class; the classes are dataclasses whose fields are the method's knobs."""

    def __init__(self) -> None:
        self._classes: dict[str, type[Synthesizer]] = {}

    def register(self, cls: type[Synthesizer]) -> type[Synthesizer]:
        name = getattr(cls, "name", None)
        if not isinstance(name, str) or not name:
            raise MethodError(f"{cls.__qualname__} needs a non-empty ClassVar 'name' to be registered")
        if name in self._classes and self._classes[name] is not cls:
            raise MethodError(f"a synthesizer named {name!r} is already registered")
        self._classes[name] = cls
        return cls

    def list(self) -> list[str]:
        return sorted(self._classes)

    def get(self, name: str) -> type[Synthesizer]:
        try:
            return self._classes[name]
        except KeyError:
            raise UnknownMethodError(
                f"unknown method {name!r}; valid methods are: {', '.join(self.list()) or '(none registered)'}"
            ) from None

    def create(self, name: str, **knobs: Any) -> Synthesizer:
        """Instantiate ``name`` with ``knobs``; an unknown knob lists the valid ones."""
        cls = self.get(name)
        valid = [f.name for f in dataclasses.fields(cls)] if dataclasses.is_dataclass(cls) else []  # type: ignore[arg-type]
        unknown = sorted(set(knobs) - set(valid))
        if unknown:
            raise InvalidParameterError(
                f"unknown parameter(s) {', '.join(unknown)} for method {name!r}; valid parameters are: "
                f"{', '.join(valid) or '(none)'}"
            )
        return cls(**knobs)


registry = SynthRegistry()
