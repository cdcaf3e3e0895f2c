"""Privacy accounting and the mechanisms' entry points: the only place ε, δ, ρ and σ are related.

Zero-concentrated DP (zCDP) throughout (ALGORITHMS.md §1):

* (ε, δ) → ρ by the Canonne–Kamath–Steinke conversion, :func:`cdp_rho`;
* the Gaussian mechanism on a query of L2 sensitivity Δ with budget ρ adds discrete Gaussian noise
  N_ℤ(0, σ²), σ = Δ/√(2ρ), which is ρ-zCDP on integer queries (CKS 2020, Thm 14);
  :meth:`BudgetLedger.gaussian` takes integer counts, :meth:`BudgetLedger.gaussian_real` real-valued
  scores (rounded to a lattice whose round-off is added to the sensitivity);
* the exponential mechanism with parameter ε costs ε²/8, sampled exactly (:mod:`method.api.noise`);
* composition adds ρ. A :class:`BudgetLedger` records every spend, and which mechanism made it, and
  refuses, *before* any noise is drawn, a spend that would take the total past the job's ρ.

Noise is drawn from a :class:`~method.api.noise.NoiseSource` (a fresh generator per mechanism call),
never from the generator that samples the synthetic records. The samplers live in
:mod:`method.api.noise`; this module decides the parameters.

Neighbouring tables differ by one added or removed record, so a counting marginal has L2 sensitivity 1.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field

import numpy as np

from method.api.errors import BudgetExceededError, InvalidParameterError
from method.api.noise import NoiseSource, discrete_gaussian, exponential_select

# Mechanism names recorded in ledger entries.
DISCRETE_GAUSSIAN = "discrete-gaussian"
DISCRETE_GAUSSIAN_LATTICE = "discrete-gaussian-lattice"
EXPONENTIAL_EXACT = "exponential-exact"
DISCRETE_LAPLACE = "discrete-laplace"

# Relative slack for float round-off when a split of ρ is spent to the last bit.
_RHO_TOLERANCE = 1e-9


def cdp_delta(rho: float, epsilon: float) -> float:
    """Smallest δ such that ρ-zCDP implies (ε, δ)-DP (Canonne, Kamath, Steinke 2020, Prop. 12).

    >>> round(cdp_delta(0.0, 1.0), 12)
    0.0
    >>> cdp_delta(1.0, 0.5) > cdp_delta(0.1, 0.5)
    True
    """
    if rho < 0 or epsilon < 0:
        raise InvalidParameterError(f"rho and epsilon must be non-negative, got rho={rho}, epsilon={epsilon}")
    if rho == 0:
        return 0.0
    # Find the order alpha that minimises the bound: root of (2α−1)ρ − ε + log(1 − 1/α) = 0.
    amin, amax = 1.01, (epsilon + 1) / (2 * rho) + 2
    for _ in range(1000):
        alpha = (amin + amax) / 2
        derivative = (2 * alpha - 1) * rho - epsilon + math.log1p(-1.0 / alpha)
        if derivative < 0:
            amin = alpha
        else:
            amax = alpha
    log_delta = (alpha - 1) * (alpha * rho - epsilon) + alpha * math.log1p(-1 / alpha) - math.log(alpha - 1.0)
    return math.exp(log_delta) if log_delta < 0 else 1.0  # in log space: no overflow for large ε


@functools.lru_cache(maxsize=256)
def cdp_rho(epsilon: float, delta: float) -> float:
    """Largest ρ such that ρ-zCDP implies (ε, δ)-DP, by bisection on [0, ε + 1] (cached: a pure function of
    ε and δ that costs a million logarithms, asked for twice per run — at confirm and at fit).

    >>> round(cdp_rho(1.0, 1e-9), 6)
    0.014973
    """
    if not (math.isfinite(epsilon) and epsilon > 0):
        raise InvalidParameterError(f"epsilon must be a finite number > 0, got {epsilon!r}")
    if not (math.isfinite(delta) and 0 < delta < 1):
        raise InvalidParameterError(f"delta must be in the open interval (0, 1), got {delta!r}")
    lo, hi = 0.0, epsilon + 1.0
    for _ in range(1000):
        mid = (lo + hi) / 2
        if cdp_delta(mid, epsilon) <= delta:
            lo = mid
        else:
            hi = mid
    return lo


def cdp_epsilon(rho: float, delta: float) -> float:
    """Smallest ε such that ρ-zCDP implies (ε, δ)-DP (the inverse of :func:`cdp_rho`), by bisection.

    >>> round(cdp_epsilon(cdp_rho(1.0, 1e-9), 1e-9), 6)
    1.0
    """
    if not (math.isfinite(delta) and 0 < delta < 1):
        raise InvalidParameterError(f"delta must be in the open interval (0, 1), got {delta!r}")
    if rho <= 0:
        return 0.0
    lo, hi = 0.0, rho + 2.0 * math.sqrt(rho * math.log(1.0 / delta)) + 1.0  # the bound at α optimal is below
    for _ in range(200):
        mid = (lo + hi) / 2
        if cdp_delta(rho, mid) <= delta:
            hi = mid
        else:
            lo = mid
    return hi


def gaussian_sigma(rho: float, sensitivity: float = 1.0) -> float:
    """σ of the Gaussian mechanism that is ρ-zCDP for a query of L2 sensitivity Δ: σ = Δ/√(2ρ).

    >>> round(gaussian_sigma(0.5), 6)
    1.0
    """
    if not rho > 0:
        raise InvalidParameterError(f"rho must be > 0, got {rho!r}")
    return sensitivity / math.sqrt(2.0 * rho)


def gaussian_rho(sigma: float, sensitivity: float = 1.0) -> float:
    """ρ spent by adding N(0, σ²) to a query of L2 sensitivity Δ: ρ = Δ²/(2σ²).

    >>> gaussian_rho(1.0)
    0.5
    """
    if not sigma > 0:
        raise InvalidParameterError(f"sigma must be > 0, got {sigma!r}")
    return sensitivity**2 / (2.0 * sigma**2)


def exponential_rho(epsilon: float) -> float:
    """ρ spent by one run of the exponential mechanism with parameter ε: ε²/8 (AIM Prop. 2).

    >>> exponential_rho(2.0)
    0.5
    """
    return epsilon**2 / 8.0


def exponential_epsilon(rho: float) -> float:
    """The ε of an exponential mechanism that spends exactly ρ: √(8ρ).

    >>> exponential_epsilon(0.5)
    2.0
    """
    return math.sqrt(8.0 * rho)


def exponential_mechanism(
    scores: np.ndarray, epsilon: float, sensitivity: float, rng: np.random.Generator
) -> int:
    """Index drawn exactly with probability ∝ exp(ε·q/(2Δ)), by :func:`exponential_select`.

    Does not charge a ledger; ``rng`` must be a noise generator (``NoiseSource.generator()``).
    """
    return exponential_select(scores, epsilon, sensitivity, rng)


def lattice_step(sensitivity: float, size: int) -> float:
    """The power-of-two lattice step γ for a real query of ``size`` values: γ·√size ≤ Δ/256.

    Rounding each value to the lattice adds at most √size·γ to the L2 sensitivity (≤ 0.4 % of Δ).

    >>> lattice_step(4.0, 1)
    0.015625
    """
    return 2.0 ** math.floor(math.log2(sensitivity / (256.0 * math.sqrt(max(size, 1)))))


def _noise_generator(noise: NoiseSource) -> np.random.Generator:
    if not isinstance(noise, NoiseSource):
        raise InvalidParameterError(
            "mechanism noise must come from a NoiseSource (RunConfig.noise), got "
            f"{type(noise).__name__}; "
            "the sampling generator never draws privacy noise"
        )
    return noise.generator()


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    """One private-data access: which stage, what was released, at what cost and noise scale."""

    stage: str
    measured: str
    rho: float
    mechanism: str  # DISCRETE_GAUSSIAN, …_LATTICE, EXPONENTIAL_EXACT, DISCRETE_LAPLACE, …
    sigma: float | None = None
    epsilon: float | None = None
    count: int = 1  # number of queries released together under this entry


def _add_exact(partials: list[float], x: float) -> None:
    """Add ``x`` to the exact sum held as non-overlapping ``partials`` (Shewchuk; Python's fsum recipe).

    >>> parts = []
    >>> for x in (0.1, 0.2, 0.3, 1e-17):
    ...     _add_exact(parts, x)
    >>> math.fsum(parts) == math.fsum((0.1, 0.2, 0.3, 1e-17))
    True
    """
    i = 0
    for y in partials:
        if abs(x) < abs(y):
            x, y = y, x
        high = x + y
        low = y - (high - x)
        if low:
            partials[i] = low
            i += 1
        x = high
    partials[i:] = [x]


@dataclass(slots=True)
class BudgetLedger:
    """Running account of ρ spent by one job; never exceeds ``total_rho``.

    Every step that reads private data calls :meth:`charge` (or a helper such as :meth:`gaussian`) before
    drawing noise; an over-spend raises :class:`BudgetExceededError` and nothing is recorded.

    >>> ledger = BudgetLedger(1.0)
    >>> _ = ledger.charge("one-way", 0.4, mechanism="gaussian", measured="age")
    >>> round(ledger.remaining, 3)
    0.6
    """

    total_rho: float
    entries: list[LedgerEntry] = field(default_factory=list)
    # The exact running sum of the entries' ρ as non-overlapping partials (Shewchuk), so ``spent`` stays
    # math.fsum of every entry without re-summing them all at each charge (O(E²): 30 s for PrivSyn's 5,700
    # measurements on 200 columns).
    _partials: list[float] = field(default_factory=list, init=False, repr=False, compare=False)
    _folded: int = field(default=0, init=False, repr=False, compare=False)
    _last: LedgerEntry | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not (math.isfinite(self.total_rho) and self.total_rho > 0):
            raise InvalidParameterError(f"total_rho must be a finite number > 0, got {self.total_rho!r}")

    @property
    def spent(self) -> float:
        """``math.fsum`` of every entry's ρ (correctly rounded), kept incrementally."""
        entries = self.entries
        if len(entries) < self._folded or (self._folded and entries[self._folded - 1] is not self._last):
            self._partials, self._folded = [], 0  # the list was changed other than by appending: start over
        for entry in entries[self._folded :]:
            _add_exact(self._partials, entry.rho)
        self._folded = len(entries)
        self._last = entries[-1] if entries else None
        return math.fsum(self._partials)

    @property
    def remaining(self) -> float:
        return max(self.total_rho - self.spent, 0.0)

    def check(self, rho: float, stage: str = "") -> None:
        """Raise if spending ``rho`` more would exceed the total."""
        if not (math.isfinite(rho) and rho >= 0):
            raise InvalidParameterError(f"a spend must be a finite rho >= 0, got {rho!r} ({stage})")
        if self.spent + rho > self.total_rho * (1 + _RHO_TOLERANCE):
            raise BudgetExceededError(
                f"stage {stage!r} asks for rho={rho:.6g} but only {self.remaining:.6g} of "
                f"{self.total_rho:.6g} is left"
            )

    def charge(
        self,
        stage: str,
        rho: float,
        *,
        mechanism: str,
        measured: str,
        sigma: float | None = None,
        epsilon: float | None = None,
        count: int = 1,
    ) -> LedgerEntry:
        """Record a spend after checking it fits; returns the entry."""
        self.check(rho, stage)
        entry = LedgerEntry(stage, measured, float(rho), mechanism, sigma, epsilon, count)
        self.entries.append(entry)
        return entry

    def record(self, entry: LedgerEntry) -> LedgerEntry:
        """Record an earlier charge of the same run (made before this ledger existed), checking it fits."""
        self.check(entry.rho, entry.stage)
        self.entries.append(entry)
        return entry

    def gaussian(
        self,
        stage: str,
        values: np.ndarray,
        rho: float,
        noise: NoiseSource,
        *,
        measured: str,
        sensitivity: float = 1.0,
    ) -> np.ndarray:
        """Charge ρ, then release integer ``values`` + discrete Gaussian N_ℤ(0, σ²), σ = Δ/√(2ρ).

        Args:
            stage: the ledger stage.
            values: integer-valued counts (any float dtype holding whole numbers is accepted).
            rho: the budget of this release.
            noise: the run's noise source (one fresh generator for this call).
            measured: what is released, for the report.
            sensitivity: Δ, the L2 sensitivity of ``values``.

        Returns:
            The noisy counts as float64 (whole numbers).
        """
        counts = np.asarray(values, dtype=float)
        if not np.array_equal(counts, np.rint(counts)) or (np.abs(counts) >= 2.0**53).any():
            raise InvalidParameterError(
                f"stage {stage!r}: the discrete Gaussian needs integer counts; "
                "use gaussian_real for scores"
            )
        sigma = gaussian_sigma(rho, sensitivity)
        self.charge(stage, rho, mechanism=DISCRETE_GAUSSIAN, measured=measured, sigma=sigma)
        draws = discrete_gaussian(sigma, counts.shape, _noise_generator(noise))
        return counts + draws

    def gaussian_real(
        self,
        stage: str,
        values: np.ndarray,
        rho: float,
        noise: NoiseSource,
        *,
        measured: str,
        sensitivity: float = 1.0,
    ) -> np.ndarray:
        """Charge ρ, then release real ``values`` with discrete Gaussian noise on a lattice.

        Each value is rounded to the lattice γℤ (γ = :func:`lattice_step`); the rounded vector has
        L2 sensitivity at most Δ/γ + √k·(1 + 2^-10) lattice units for k values (one unit per value
        of round-off, and 2^-10 for floating-point error in computing the values), and gets
        N_ℤ(0, σ_L²) with σ_L = that sensitivity/√(2ρ): ρ-zCDP, at most 0.4 % more noise than
        Δ/√(2ρ).

        Args:
            stage: the ledger stage.
            values: real-valued scores.
            rho: the budget of this release.
            noise: the run's noise source.
            measured: what is released, for the report.
            sensitivity: Δ, the L2 sensitivity of ``values``.

        Returns:
            The noisy values (multiples of γ) as float64.
        """
        scores = np.asarray(values, dtype=float)
        step = lattice_step(sensitivity, scores.size)
        units = scores / step
        if not (np.isfinite(units).all() and (np.abs(units) < 2.0**40).all()):
            raise InvalidParameterError(
                f"stage {stage!r}: scores must be finite and below 2^40 lattice steps"
            )
        lattice_sensitivity = sensitivity / step + math.sqrt(scores.size) * (1 + 2.0**-10)
        sigma_units = gaussian_sigma(rho, lattice_sensitivity)
        self.charge(
            stage, rho, mechanism=DISCRETE_GAUSSIAN_LATTICE, measured=measured,
            sigma=sigma_units * step,
        )
        draws = discrete_gaussian(sigma_units, scores.shape, _noise_generator(noise))
        return (np.rint(units) + draws) * step

    def exponential(
        self,
        stage: str,
        scores: np.ndarray,
        epsilon: float,
        noise: NoiseSource,
        *,
        measured: str,
        sensitivity: float = 1.0,
    ) -> int:
        """Charge ε²/8, then run the exact exponential mechanism on ``scores``.

        Args:
            stage: the ledger stage.
            scores: the candidates' qualities (larger is better).
            epsilon: the mechanism's ε.
            noise: the run's noise source.
            measured: what is selected, for the report.
            sensitivity: Δ, the largest change of one score between neighbouring tables.

        Returns:
            The chosen index.
        """
        self.charge(
            stage, exponential_rho(epsilon), mechanism=EXPONENTIAL_EXACT, measured=measured,
            epsilon=epsilon,
        )
        return exponential_select(scores, epsilon, sensitivity, _noise_generator(noise))

    def spent_by_stage(self) -> dict[str, float]:
        totals: dict[str, float] = {}
        for entry in self.entries:
            totals[entry.stage] = totals.get(entry.stage, 0.0) + entry.rho
        return totals
