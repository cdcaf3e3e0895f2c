"""Machine-learning utility: train on synthetic, test on real (TSTR) against train on real, test on real (TRTR).

The real table is split once (:data:`TEST_SHARE` held out, at most :data:`MAX_TEST` rows). One model
(scikit-learn's ``HistGradientBoostingClassifier`` or ``…Regressor``, fixed ``random_state``, default
settings) is trained on the rest of the real rows (TRTR) and another on the synthetic rows (TSTR), at most
:data:`MAX_TRAIN` rows each; both predict the same held-out real rows. A categorical target is scored by
accuracy and macro F1 over the real classes (with the majority-class accuracy for scale), a numeric one by R².
Features: numbers as they are (dates as nanoseconds), categories as codes of the real values (a value the real
data never has is missing), which the gradient-boosted trees handle natively.

The synthesizer was fitted on every real row, the held-out ones included, so TSTR may be slightly optimistic.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.metrics import accuracy_score, f1_score, r2_score
from threadpoolctl import threadpool_limits

from method.api.metadata import ColumnSpec, TableMetadata
from web_app.data_comparison import EvaluationError
from web_app.evaluation.encoding import normalised, numeric_values

TEST_SHARE = 0.3
MAX_TEST = 10_000
MAX_TRAIN = 20_000
MAX_CATEGORIES = 255  # HistGradientBoosting's limit for a native categorical feature


@dataclass(frozen=True, slots=True)
class ModelScores:
    """One model's scores on the held-out real rows (``f1``: classification only)."""

    accuracy: float | None = None
    f1: float | None = None
    r2: float | None = None


@dataclass(frozen=True, slots=True)
class UtilityResult:
    """TSTR vs TRTR for one target (module docstring). ``metric`` names the headline figure; ``gap`` is
    TRTR − TSTR on it (positive: the synthetic-trained model is worse)."""

    target: str
    task: str
    model: str
    metric: str
    train_real_rows: int
    train_synth_rows: int
    test_rows: int
    trtr: float
    tstr: float
    gap: float | None
    real_model: ModelScores
    synth_model: ModelScores
    majority_accuracy: float | None
    note: str


def utility(real: pd.DataFrame, synth: pd.DataFrame, metadata: TableMetadata, target: str,
            rng: np.random.Generator) -> UtilityResult:
    """TSTR vs TRTR for ``target`` (module docstring).

    Raises:
        EvaluationError: ``unknown_target`` (not a column) or ``unusable_target`` (too few labelled rows,
            a single class).
    """
    if target not in metadata.names:
        raise EvaluationError("unknown_target", f"the target {target!r} is not a column of the table",
                              hint=f"choose one of {', '.join(metadata.names)}")
    spec = metadata.columns[metadata.names.index(target)]
    classify = spec.kind == "categorical"
    real = real[~_missing(real[target])].reset_index(drop=True)
    synth = synth[~_missing(synth[target])].reset_index(drop=True)
    if len(real) < 20 or len(synth) < 10:
        raise EvaluationError("unusable_target", f"too few rows have a value of {target!r} to train and test a model")
    order = rng.permutation(len(real))
    test_n = min(MAX_TEST, max(1, int(TEST_SHARE * len(real))))
    test, train = real.iloc[order[:test_n]], real.iloc[order[test_n:][:MAX_TRAIN]]
    synth = synth.iloc[rng.permutation(len(synth))[:MAX_TRAIN]]
    features = [s for s in metadata.columns if s.name != target]
    x_train, x_synth, x_test = (_features(t, features, real) for t in (train, synth, test))
    # a feature without any value in a training table (an all-missing column) cannot be split on: left out
    empty = np.isnan(x_train).all(axis=0) | np.isnan(x_synth).all(axis=0)
    usable = [j for j in range(x_train.shape[1]) if not empty[j]]
    features = [features[j] for j in usable]
    x_train, x_synth, x_test = (x[:, usable] if usable else np.zeros((len(x), 1)) for x in (x_train, x_synth, x_test))
    with threadpool_limits(limits=1):  # OpenMP threads on a shared, busy machine are many times slower
        return _fit_and_score(target, classify, train, synth, test, x_train, x_synth, x_test, features, real)


def _fit_and_score(target: str, classify: bool, train: pd.DataFrame, synth: pd.DataFrame, test: pd.DataFrame,
                   x_train: np.ndarray, x_synth: np.ndarray, x_test: np.ndarray, features: list[ColumnSpec],
                   real: pd.DataFrame) -> UtilityResult:
    categorical = [s.kind == "categorical" and real[s.name].nunique() <= MAX_CATEGORIES for s in features]
    if classify:
        y_train, y_synth, y_test = (normalised(t[target]).astype(str) for t in (train, synth, test))
        if len(set(y_train)) < 2:
            raise EvaluationError("unusable_target", f"the real {target!r} has a single value: nothing to predict")
        real_scores = _classify(x_train, y_train, x_test, y_test, categorical)
        synth_scores = _classify(x_synth, y_synth, x_test, y_test, categorical)
        values, counts = np.unique(y_train, return_counts=True)
        majority = float((y_test == values[np.argmax(counts)]).mean())
        metric, trtr, tstr = "accuracy", real_scores.accuracy, synth_scores.accuracy
    else:
        y_train, y_synth, y_test = (numeric_values(t[target]) for t in (train, synth, test))
        x_synth, y_synth = x_synth[~np.isnan(y_synth)], y_synth[~np.isnan(y_synth)]
        if len(y_synth) == 0:
            raise EvaluationError("unusable_target", f"no synthetic value of {target!r} is a number")
        real_scores = _regress(x_train, y_train, x_test, y_test, categorical)
        synth_scores = _regress(x_synth, y_synth, x_test, y_test, categorical)
        majority, metric, trtr, tstr = None, "R²", real_scores.r2, synth_scores.r2
    assert trtr is not None and tstr is not None
    kind = "Classifier" if classify else "Regressor"
    return UtilityResult(
        target, "classification" if classify else "regression", f"scikit-learn HistGradientBoosting{kind}", metric,
        len(train), len(synth), len(test), trtr, tstr, trtr - tstr, real_scores, synth_scores, majority,
        "Both models are tested on the same held-out real rows; the synthesizer saw those rows, so TSTR may be "
        "slightly optimistic.")


def _missing(series: pd.Series) -> np.ndarray:
    return np.asarray(series.isna(), dtype=bool)


def _features(table: pd.DataFrame, features: list[ColumnSpec], real: pd.DataFrame) -> np.ndarray:
    columns = []
    for spec in features:
        if spec.kind == "categorical":
            categories = pd.Index(pd.unique(normalised(real[spec.name])[~_missing(real[spec.name])]))
            codes = categories.get_indexer(normalised(table[spec.name])).astype("float64")
            codes[codes < 0] = np.nan  # missing, or a value the real column never has
            columns.append(codes)
        else:
            columns.append(numeric_values(table[spec.name]))
    return np.column_stack(columns) if columns else np.zeros((len(table), 1))


def _classify(x: np.ndarray, y: np.ndarray, x_test: np.ndarray, y_test: np.ndarray,
              categorical: list[bool]) -> ModelScores:
    if len(set(y)) < 2:  # a synthetic target with one value: the model can only predict it
        predicted = np.full(len(y_test), y[0])
    else:
        model = HistGradientBoostingClassifier(random_state=0, categorical_features=_mask(categorical, x))
        predicted = model.fit(x, y).predict(x_test)
    # macro F1 over the real classes: a class only the synthetic data has (an "other" bucket) is not averaged in
    f1 = f1_score(y_test, predicted, labels=np.unique(y_test), average="macro", zero_division=0)
    return ModelScores(accuracy=float(accuracy_score(y_test, predicted)), f1=float(f1))


def _regress(x: np.ndarray, y: np.ndarray, x_test: np.ndarray, y_test: np.ndarray,
             categorical: list[bool]) -> ModelScores:
    model = HistGradientBoostingRegressor(random_state=0, categorical_features=_mask(categorical, x))
    return ModelScores(r2=float(r2_score(y_test, model.fit(x, y).predict(x_test))))


def _mask(categorical: list[bool], x: np.ndarray) -> np.ndarray | None:
    return np.array(categorical) if any(categorical) and x.shape[1] == len(categorical) else None
