"""The verdict: one quality score with the independent baseline beside it, and plain-language warnings.

The score follows the definitions of SDMetrics' Quality Report (we implement them: ``sdmetrics`` 0.32 pins
``pandas<3`` and we run pandas 3):

* **column shapes** — per column 1 − KS statistic (numbers cut in quantile bins) or 1 − TVD on the evaluation
  cells (categories, integer codes), averaged;
* **column-pair trends** — per evaluated pair 1 − |r_real − r_synth| / 2 (Pearson, two numeric columns) or
  1 − TVD of the 2-way table on the evaluation cells, averaged;
* **overall** — the mean of the two, as a percentage.

Every per-column and per-pair figure is in the report, so the score can be recomputed from it. The baseline
is the same score of a table whose columns are resampled independently from the real ones.

Warnings come worst first (severity, then size): no better than the baseline (on pairs, or overall), a column
that lost its shape,
values the real column never has, a changed missing rate, a column that looks like an identifier or free
text, a table small for its ε, a synthetic-trained model far behind the real-trained one, exact copies
of real rows beyond what a held-out real split shows.
"""

from __future__ import annotations

from dataclasses import dataclass

from web_app.data_comparison import ComparisonReport, Scores
from web_app.evaluation.disclosure import DisclosureResult
from web_app.evaluation.utility import UtilityResult

SHAPE_WARN, SHAPE_BAD = 0.8, 0.6
OUT_OF_DOMAIN_WARN = 0.01
MISSING_WARN = 0.05
IDENTIFIER_SHARE = 0.9
ROWS_PER_COLUMN_PER_EPSILON = 200
RECOVERED_SHARE = 0.1  # of the baseline's lost pair trend a useful synthesizer recovers at least
HIGH, MEDIUM, LOW = 3, 2, 1


@dataclass(frozen=True, slots=True)
class VerdictWarning:
    """One finding: ``severity`` 3 high, 2 medium, 1 low; ``subject`` the column or ``table``."""

    severity: int
    code: str
    subject: str
    message: str
    size: float


@dataclass(frozen=True, slots=True)
class Verdict:
    """Scores in percent (``None``: undefined, e.g. one column has no pairs) and the warnings, worst first."""

    overall: float
    column_shapes: float
    pair_trends: float | None
    baseline_overall: float
    baseline_column_shapes: float
    baseline_pair_trends: float | None
    summary: str
    warnings: tuple[VerdictWarning, ...]


def _overall(scores: Scores) -> float:
    parts = [scores.column_shapes] + ([scores.pair_trends] if scores.pair_trends is not None else [])
    return 100 * sum(parts) / len(parts)


def _pct(value: float | None) -> float | None:
    return None if value is None else 100 * value


def verdict(comparison: ComparisonReport, *, epsilon: float | None = None, utility: UtilityResult | None = None,
            disclosure: DisclosureResult | None = None) -> Verdict:
    """The verdict on ``comparison`` (module docstring); ``epsilon`` enables the small-table warning."""
    synth, base = comparison.synthetic_scores, comparison.baseline_scores
    warnings = [*_baseline_warnings(comparison), *_column_warnings(comparison)]
    if epsilon is not None:
        columns = len(comparison.columns)
        needed = ROWS_PER_COLUMN_PER_EPSILON * columns / epsilon
        if comparison.rows_real < needed:
            warnings.append(VerdictWarning(
                MEDIUM, "small_for_epsilon", "table",
                f"The table is small for ε = {epsilon:g}: {comparison.rows_real:,} rows for {columns} columns "
                f"(about {needed:,.0f} are needed at this ε); the noise dominates what the synthesizer learns. "
                "Use fewer columns, a larger ε or more rows.", needed / max(comparison.rows_real, 1)))
    if utility is not None and utility.gap is not None and utility.gap > 0.1:
        warnings.append(VerdictWarning(
            HIGH if utility.gap > 0.25 else MEDIUM, "utility_gap", utility.target,
            f"A model trained on the synthetic data predicts {utility.target!r} much worse than one trained on "
            f"the real data ({utility.metric} {utility.tstr:.3f} vs {utility.trtr:.3f})"
            + (f"; always predicting the most frequent class scores {utility.majority_accuracy:.3f}"
               if utility.majority_accuracy is not None else "") + ".", utility.gap))
    if disclosure is not None and disclosure.copies_beyond_holdout:
        warnings.append(VerdictWarning(
            HIGH, "exact_copies", "table",
            f"{disclosure.exact_copy_rate:.1%} of the synthetic rows are exact copies of real rows, more than a "
            f"held-out real split shares with the rest ({disclosure.reference_copy_rate:.1%} vs "
            f"{disclosure.holdout_copy_rate:.1%} against the same half); check them before release (an "
            "empirical check, not a privacy guarantee).", disclosure.exact_copy_rate))
    overall, baseline = _overall(synth), _overall(base)
    if overall < baseline and not any(w.code == "no_better_than_independent" for w in warnings):
        warnings.append(VerdictWarning(
            MEDIUM, "below_baseline", "table",
            f"The overall quality ({overall:.1f} %) is below sampling each column independently ({baseline:.1f} %): "
            f"the column shapes lost more ({100 * synth.column_shapes:.1f} % vs {100 * base.column_shapes:.1f} %) "
            "than the kept relationships gained"
            + (f" (pair trends {100 * synth.pair_trends:.1f} % vs {100 * base.pair_trends:.1f} %)."
               if synth.pair_trends is not None and base.pair_trends is not None else "."), (baseline - overall) / 100))
    warnings.sort(key=lambda w: (-w.severity, -w.size))
    summary = (f"Overall quality {overall:.1f} % (column shapes {100 * synth.column_shapes:.1f} %"
               + (f", pair trends {100 * synth.pair_trends:.1f} %" if synth.pair_trends is not None else "")
               + f"); sampling each column independently scores {baseline:.1f} %.")
    return Verdict(overall, 100 * synth.column_shapes, _pct(synth.pair_trends), baseline,
                   100 * base.column_shapes, _pct(base.pair_trends), summary, tuple(warnings))


def _baseline_warnings(comparison: ComparisonReport) -> list[VerdictWarning]:
    synth, base = comparison.synthetic_scores, comparison.baseline_scores
    if synth.pair_trends is None or base.pair_trends is None:
        return []
    headroom = 1 - base.pair_trends
    gained = synth.pair_trends - base.pair_trends
    if headroom < 0.01 or gained >= RECOVERED_SHARE * headroom:
        return []
    orders = ", ".join(f"{s.way}-way {s.mean:.3f} vs {b.mean:.3f}"
                       for s, b in zip(synth.marginals, base.marginals, strict=True))
    word = "worse than" if gained < -RECOVERED_SHARE * headroom else "no better than"
    return [VerdictWarning(HIGH, "no_better_than_independent", "table",
                    f"The synthetic data is {word} sampling each column independently: it did not keep the "
                    f"relationships between columns (mean TVD, synthetic vs independent: {orders}).",
                    headroom - gained)]


def _column_warnings(comparison: ComparisonReport) -> list[VerdictWarning]:
    warnings = []
    for c in comparison.columns:
        if c.shape < SHAPE_WARN:
            detail = f"KS {c.ks:.3f}" if c.encoding == "bins" and c.ks is not None else f"TVD {c.tvd:.3f}"
            warnings.append(VerdictWarning(HIGH if c.shape < SHAPE_BAD else MEDIUM, "lost_shape", c.name,
                                    f"Column {c.name!r} lost its shape: its distribution differs from the real "
                                    f"one ({detail}, shape score {100 * c.shape:.0f} %).", 1 - c.shape))
        if c.out_of_domain_share > OUT_OF_DOMAIN_WARN:
            d = c.out_of_domain_detail
            reasons = ", ".join(f"{n:,} {label}" for n, label in (
                (d.unseen, "never occur in the real column"), (d.out_of_range, "outside the real range"),
                (d.wrong_precision, "with more decimals than any real value"), (d.unparsed, "not numbers")) if n)
            warnings.append(VerdictWarning(HIGH if c.out_of_domain_share > 0.1 else MEDIUM, "out_of_domain", c.name,
                                    f"Column {c.name!r}: {c.out_of_domain_share:.0%} of the synthetic values are "
                                    f"not real values ({reasons}).", c.out_of_domain_share))
        gap = abs(c.missing_synth - c.missing_real)
        if gap > MISSING_WARN:
            warnings.append(VerdictWarning(MEDIUM, "missing_rate", c.name,
                                    f"Column {c.name!r} is missing in {c.missing_synth:.0%} of the synthetic rows "
                                    f"but {c.missing_real:.0%} of the real ones.", gap))
        present = comparison.rows_real * (1 - c.missing_real)
        if present >= 50 and c.encoding != "bins" and c.distinct_real >= IDENTIFIER_SHARE * present:
            warnings.append(VerdictWarning(MEDIUM, "identifier_like", c.name,
                                    f"Column {c.name!r} looks like an identifier or free text ({c.distinct_real:,} "
                                    f"distinct values in {present:,.0f} rows): no synthesizer can reproduce it, "
                                    "and releasing its values may identify people; consider excluding it.",
                                    c.distinct_real / present))
    return warnings
