"""Exact samplers for privacy noise, and where their entropy comes from.

This module owns every random draw that protects privacy. It uses only uniform *integer* draws
(``Generator.integers``, exact by Lemire's method) and integer arithmetic: no floating-point sampler
(``normal``, ``laplace``, ``random``, ``choice`` with float weights), which is attackable (Mironov
2012; Jin et al. 2022, "Are we there yet? Timing and floating-point attacks on differential privacy
systems").

* :func:`bernoulli_exp` — Bernoulli(exp(−γ)) for rational γ (Canonne, Kamath, Steinke 2020,
  Algorithm 1).
* :func:`discrete_laplace` — P(x) ∝ exp(−|x|/scale) on ℤ (CKS 2020, Algorithm 2).
* :func:`discrete_gaussian` — P(x) ∝ exp(−x²/(2σ²)) on ℤ (CKS 2020, Algorithm 3). Adding it to an
  integer query of L2 sensitivity Δ is ρ-zCDP with ρ = Δ²/(2σ²) (CKS 2020, Theorem 14), as for the
  continuous Gaussian.
* :func:`exponential_select` — the exponential mechanism sampled exactly, by rejection from uniform
  proposals on integer (lattice-rounded) scores: the output distribution *is* the exponential
  mechanism's, so its zCDP cost stays ε²/8 (Cesar and Rogers 2021; AIM Prop. 2).
* :class:`NoiseSource` — the entropy of mechanism noise: a fresh generator per mechanism call,
  seeded from the operating system's CSPRNG (``secrets`` via ``numpy.random.SeedSequence``), or, for
  a seeded research run, spawned from the run's seed. It is never the stream that draws the
  published synthetic values.

Real parameters (σ², scales) are rounded *towards more noise* to rationals p/q (never less privacy
than charged). The vectorised paths work in int64 and hand any element whose intermediates could
overflow to an exact Python-integer path, so every output is exact.
"""

from __future__ import annotations

import math

import numpy as np

from method.api.errors import InvalidParameterError

# Elements whose integer intermediates would pass this go to the exact Python-int path.
_INT64_SAFE = 2**62
# Parameters are rounded to rationals with at least this many units: relative rounding ≤ 2^-20.
_PRECISION = 2**20


class NoiseSource:
    """The entropy of mechanism noise: one fresh ``numpy.random.Generator`` per mechanism call.

    Unseeded (the service): each :meth:`generator` is seeded with 128 fresh bits of OS entropy, so
    no published value reveals anything about the noise. Seeded (research runs): each generator is
    spawned from ``seed_sequence``, reproducibly, and independently of the sampling stream.

    >>> a, b = NoiseSource(np.random.SeedSequence(1)), NoiseSource(np.random.SeedSequence(1))
    >>> int(a.generator().integers(1000)) == int(b.generator().integers(1000))
    True
    """

    __slots__ = ("_seed_sequence", "calls")

    def __init__(self, seed_sequence: np.random.SeedSequence | None = None) -> None:
        self._seed_sequence = seed_sequence
        self.calls = 0

    @classmethod
    def from_seed(cls, seed: int) -> NoiseSource:
        """A reproducible source spawned from ``SeedSequence(seed)`` (tests and research runs)."""
        return cls(np.random.SeedSequence(seed))

    @property
    def seeded(self) -> bool:
        """Whether the noise is reproducible from a seed (not private against whoever knows it)."""
        return self._seed_sequence is not None

    @property
    def seed_sequence(self) -> np.random.SeedSequence | None:
        """The seed sequence the generators are spawned from (``None``: OS entropy per call)."""
        return self._seed_sequence

    def generator(self) -> np.random.Generator:
        """A new generator for one mechanism call."""
        self.calls += 1
        if self._seed_sequence is None:
            return np.random.default_rng()  # SeedSequence() draws 128 bits from `secrets`
        return np.random.default_rng(self._seed_sequence.spawn(1)[0])


def rational_at_least(value: float) -> tuple[int, int]:
    """``(p, q)`` with ``p/q ≥ value``, ``q`` a power of two and ``p ≥ 2^20`` (relative error ≤
    2^-20).

    >>> rational_at_least(4.0)
    (1048576, 262144)
    >>> p, q = rational_at_least(1e7); (q, p >= 1e7)
    (1, True)
    """
    if not (math.isfinite(value) and value > 0):
        raise InvalidParameterError(f"a noise parameter must be a finite number > 0, got {value!r}")
    q = 2 ** max(0, math.ceil(math.log2(_PRECISION / value)))
    return math.ceil(value * q), q


def _uniform_below(n: int, rng: np.random.Generator) -> int:
    """Exactly uniform on ``{0, …, n−1}`` for any Python int ``n ≥ 1`` (rejection sampling)."""
    if n < 2**63:
        return int(rng.integers(0, n))
    bits = n.bit_length()
    nbytes = (bits + 7) // 8
    while True:
        x = int.from_bytes(rng.bytes(nbytes), "little") >> (8 * nbytes - bits)
        if x < n:
            return x


def _bernoulli_exp_fraction_scalar(
    num: int, den: int, rng: np.random.Generator, k: int = 1
) -> bool:
    """Bernoulli(exp(−num/den)), 0 ≤ num ≤ den, in Python ints (CKS 2020, Alg. 1, from state K)."""
    while _uniform_below(den * k, rng) < num:  # A ~ Bernoulli(γ/K)
        k += 1
    return k % 2 == 1


def _bernoulli_exp_scalar(num: int, den: int, rng: np.random.Generator) -> bool:
    """Bernoulli(exp(−γ)), any γ = num/den ≥ 0: ⌊γ⌋ Bernoulli(exp(−1)) successes, then the rest."""
    whole, frac = divmod(num, den)
    for _ in range(whole):
        if not _bernoulli_exp_fraction_scalar(1, 1, rng):
            return False
    return _bernoulli_exp_fraction_scalar(frac, den, rng)


def _bernoulli_exp_fraction(num: np.ndarray, den: int, rng: np.random.Generator) -> np.ndarray:
    """Bernoulli(exp(−num/den)) element-wise for 0 ≤ num ≤ den (CKS 2020, Algorithm 1), int64.

    All elements still running share the same K, so each round is one uniform draw below ``den·K``.
    """
    result = np.ones(num.size, dtype=bool)  # an element that stops at K = 1 outputs 1
    active = np.flatnonzero(num > 0)
    k = 1
    while active.size:
        if den * k >= _INT64_SAFE:  # K this large has probability < 1/K!: finish in Python ints
            for i in active:
                result[i] = _bernoulli_exp_fraction_scalar(int(num[i]), den, rng, k)
            break
        accept = rng.integers(0, den * k, size=active.size) < num[active]  # A ~ Bernoulli(γ/K)
        result[active[~accept]] = k % 2 == 1
        active = active[accept]
        k += 1
    return result


def bernoulli_exp(num: np.ndarray, den: int, rng: np.random.Generator) -> np.ndarray:
    """Exact Bernoulli(exp(−num/den)) element-wise for integers ``num ≥ 0``, ``den ≥ 1``.

    Args:
        num: numerators (int64, or Python ints in an object array when they exceed int64).
        den: the common denominator (an int below 2^52).
        rng: the noise generator of this mechanism call.

    Returns:
        A boolean array of the shape of ``num``.

    >>> bernoulli_exp(np.zeros(3, dtype=np.int64), 1, np.random.default_rng(0)).tolist()
    [True, True, True]
    """
    num = np.asarray(num)
    den = int(den)
    flat = num.ravel()
    whole = flat // den
    frac = (flat - whole * den).astype(np.int64)
    alive = np.ones(flat.size, dtype=bool)
    remaining = whole.copy()
    pending = np.flatnonzero(remaining > 0)
    one = np.ones(flat.size, dtype=np.int64)
    while pending.size:  # exp(−⌊γ⌋): ⌊γ⌋ successes of Bernoulli(exp(−1)) in a row
        success = _bernoulli_exp_fraction(one[: pending.size], 1, rng)
        alive[pending[~success]] = False
        remaining[pending] -= 1
        pending = pending[success]
        pending = pending[np.asarray(remaining[pending] > 0, dtype=bool)]
    rest = np.flatnonzero(alive & (frac > 0))
    alive[rest] = _bernoulli_exp_fraction(frac[rest], den, rng)
    return alive.reshape(num.shape)


def _geometric_exp_minus_one(size: int, rng: np.random.Generator) -> np.ndarray:
    """Number of Bernoulli(exp(−1)) successes before the first failure, element-wise."""
    counts = np.zeros(size, dtype=np.int64)
    active = np.arange(size)
    one = np.ones(size, dtype=np.int64)
    while active.size:
        success = _bernoulli_exp_fraction(one[: active.size], 1, rng)
        counts[active[success]] += 1
        active = active[success]
    return counts


def _discrete_laplace_ts(t: int, s: int, size: int, rng: np.random.Generator) -> np.ndarray:
    """``size`` draws with P(x) ∝ exp(−|x|·s/t) (CKS 2020, Algorithm 2), integers t, s ≥ 1."""
    out = np.empty(size, dtype=np.int64)
    pending = np.arange(size)
    while pending.size:
        m = pending.size
        u = rng.integers(0, t, size=m)
        keep = _bernoulli_exp_fraction(u, t, rng)  # D ~ Bernoulli(exp(−U/t))
        x = u + t * np.where(keep, _geometric_exp_minus_one(m, rng), 0)
        y = x // s
        negative = rng.integers(0, 2, size=m).astype(bool)
        good = keep & ~(negative & (y == 0))
        out[pending[good]] = np.where(negative, -y, y)[good]
        pending = pending[~good]
    return out


def discrete_laplace(scale: float, size: int, rng: np.random.Generator) -> np.ndarray:
    """``size`` exact draws of the discrete Laplace distribution, P(x) ∝ exp(−|x|/scale') on ℤ.

    ``scale' = t/s ≥ scale`` is ``scale`` rounded up to a rational (at most 2^-20 more noise).
    Adding it to an integer query of L1 sensitivity Δ is (Δ/scale)-DP.

    Args:
        scale: the Laplace scale b (> 0).
        size: number of draws.
        rng: the noise generator of this mechanism call.

    Returns:
        An int64 array of ``size`` draws.

    >>> x = discrete_laplace(2.0, 20000, np.random.default_rng(0))
    >>> bool(abs(x.mean()) < 0.1), x.dtype.name
    (True, 'int64')
    """
    t, s = rational_at_least(scale)
    return _discrete_laplace_ts(t, s, int(size), rng)


def _gaussian_accept_scalar(y: int, p: int, q: int, t: int, rng: np.random.Generator) -> bool:
    a = abs(y) * q * t - p
    return _bernoulli_exp_scalar(a * a, 2 * p * q * t * t, rng)


def discrete_gaussian_pq(p: int, q: int, size: int, rng: np.random.Generator) -> np.ndarray:
    """``size`` exact draws of N_ℤ(0, σ²) with σ² = p/q (CKS 2020, Algorithm 3), vectorised.

    A draw Y of the discrete Laplace with scale t = ⌊σ⌋ + 1 is kept with probability
    exp(−(|Y| − σ²/t)²/(2σ²)) = exp(−(|Y|qt − p)²/(2pqt²)).
    """
    t = math.isqrt(p // q) + 1
    den = 2 * p * q * t * t
    vector = den < 2**52
    out = np.empty(size, dtype=np.int64)
    pending = np.arange(size)
    while pending.size:
        y = _discrete_laplace_ts(t, 1, pending.size, rng)
        accept = np.zeros(pending.size, dtype=bool)
        if vector:
            a = np.abs(y) * (q * t) - p
            small = np.abs(a) < 2**31
            idx = np.flatnonzero(small)
            accept[idx] = bernoulli_exp(a[idx] * a[idx], den, rng)
            big = np.flatnonzero(~small)
        else:
            big = np.arange(pending.size)
        for i in big:
            accept[i] = _gaussian_accept_scalar(int(y[i]), p, q, t, rng)
        out[pending[accept]] = y[accept]
        pending = pending[~accept]
    return out


def discrete_gaussian(
    sigma: float, size: int | tuple[int, ...], rng: np.random.Generator
) -> np.ndarray:
    """Exact draws of the discrete Gaussian N_ℤ(0, σ'²), σ'² ≥ σ² rounded up to a rational.

    Args:
        sigma: the scale σ (> 0); the variance used is σ² rounded up by at most 2^-20 relatively.
        size: the output shape.
        rng: the noise generator of this mechanism call.

    Returns:
        An int64 array of shape ``size``.

    >>> x = discrete_gaussian(3.0, 20000, np.random.default_rng(0))
    >>> bool(abs(x.var() - 9.0) < 0.4), x.dtype.name
    (True, 'int64')
    """
    p, q = rational_at_least(sigma * sigma)
    shape = (size,) if isinstance(size, int) else tuple(size)
    return discrete_gaussian_pq(p, q, math.prod(shape), rng).reshape(shape)


# Exponential mechanism: scores are rounded to a lattice of step Δ/2^10; the rounded scores then
# have
# sensitivity at most 2^10 + 1 lattice units (round-off of a score computed in floating point, <
# 2^-2
# units below 2^50, is covered by the + 1).
_EM_LATTICE = 2**10
_EM_SENSITIVITY = _EM_LATTICE + 1
_EM_BITS = 40


def exponential_select(
    scores: np.ndarray, epsilon: float, sensitivity: float, rng: np.random.Generator
) -> int:
    """Index drawn exactly from the exponential mechanism, P(r) ∝ exp(ε·q_r/(2Δ)).

    Scores are rounded to integers on a lattice of step Δ/1024 (sensitivity ≤ 1025 units), the rate
    ε/(2·1025) is rounded *down* to a multiple of 2^-40 (slightly flatter: more private), and a
    candidate is drawn by rejection: a uniform proposal r is accepted with Bernoulli(exp(−rate·(max
    q − q_r))), exactly; proposals are made in batches, and the first accepted one is returned. The
    result is ε'-DP with ε' ≤ ε and, like any exponential mechanism, ε'²/8-zCDP.

    Args:
        scores: quality q_r of each candidate (larger is better), finite.
        epsilon: the exponential mechanism's ε (> 0).
        sensitivity: Δ, the largest change of any score between neighbouring tables (> 0).
        rng: the noise generator of this mechanism call.

    Returns:
        The chosen index.

    >>> exponential_select(np.array([0.0, 1000.0, 0.0]), 10.0, 1.0, np.random.default_rng(0))
    1
    """
    scores = np.asarray(scores, dtype=float)
    if scores.size == 0:
        raise InvalidParameterError("exponential mechanism needs at least one candidate")
    if not (math.isfinite(sensitivity) and sensitivity > 0):
        raise InvalidParameterError(f"sensitivity must be a finite number > 0, got {sensitivity!r}")
    if not (math.isfinite(epsilon) and epsilon > 0):
        raise InvalidParameterError(f"epsilon must be a finite number > 0, got {epsilon!r}")
    lattice = scores * (_EM_LATTICE / sensitivity)
    if not (np.isfinite(lattice).all() and np.abs(lattice).max() < 2.0**50):
        raise InvalidParameterError(
            "exponential mechanism scores must be finite and below 2^40 sensitivities"
        )
    units = np.rint(lattice).astype(np.int64)
    gaps = (units.max() - units).astype(object)  # Python ints: gap × rate never overflows
    rate = math.floor(epsilon / (2 * _EM_SENSITIVITY) * 2**_EM_BITS)
    num = gaps * rate
    den = 2**_EM_BITS
    while True:
        proposals = rng.integers(0, scores.size, size=scores.size)
        accepted = np.flatnonzero(bernoulli_exp(num[proposals], den, rng))
        if accepted.size:
            return int(proposals[accepted[0]])
