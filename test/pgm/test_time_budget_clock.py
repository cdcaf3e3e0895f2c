"""Time budgets with the clock injected (``RunConfig.clock``), so the outcome does not depend on the
machine's load: whenever the time runs out, AIM's next round is the last one and spends all that is left of
ρ (the ledger ends at ρ exactly), and after the deadline no estimation runs; PrivSyn and MST spend ρ before
any time-bounded post-processing and stop that at the deadline."""

from __future__ import annotations

import numpy as np
import pytest

from method.api.base import Progress, RunConfig
from method.api.metadata import Domain
from method.api.privacy import BudgetLedger
from method.synthesis.AIM import AIMSynthesizer
from method.synthesis.mst import MSTSynthesizer
from method.synthesis.privsyn.privsyn import PrivSynSynthesizer

from .test_mechanisms import SIZES, correlated_table, replay

DOMAIN = Domain(tuple(f"c{i}" for i in range(len(SIZES))), SIZES)


class ManualClock:
    """A clock that moves only when told to (by the progress hooks below), never by itself."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _config(clock: ManualClock, budget: float, jump: dict[str, float], seen: list[Progress]) -> RunConfig:
    """A run whose clock jumps ``jump[stage]`` seconds at every progress report of that stage."""

    def on_progress(progress: Progress) -> None:
        seen.append(progress)
        clock.now += jump.get(progress.stage, 0.0)

    return RunConfig(seed=0, time_budget_s=budget, clock=clock, on_progress=on_progress)


def _aim(config: RunConfig, rho: float = 0.2):
    ledger = BudgetLedger(rho)
    synth = AIMSynthesizer(degree=2, max_iters=200, round_iters=50)
    model = synth.fit_discrete(correlated_table(2000), DOMAIN, ledger, config)
    return model, ledger


def test_time_up_before_the_first_round_aim_still_spends_all_of_rho_in_one_last_round() -> None:
    clock, seen = ManualClock(), []
    model, ledger = _aim(_config(clock, 5.0, {"aim:workload": 60.0}, seen))  # out of time after the set-up
    stages = [e.stage for e in ledger.entries]
    assert stages.count("aim:select") == stages.count("aim:measure") == 1
    assert ledger.spent == pytest.approx(ledger.total_rho, rel=1e-12) and ledger.spent <= ledger.total_rho
    replay(ledger)
    assert [p.message.startswith("round 1 of an estimated 1 ") for p in seen if p.stage == "aim:round"] == [True]
    assert not any("final estimate: iteration" in p.message for p in seen)  # no estimation after it
    assert model.sample(10, np.random.default_rng(0)).shape == (10, len(SIZES))


@pytest.mark.parametrize("rounds_in_time", [1, 3])
def test_time_up_after_some_rounds_the_next_round_spends_the_rest(rounds_in_time: int) -> None:
    clock, seen = ManualClock(), []
    config = _config(clock, rounds_in_time - 0.5, {"aim:round": 1.0}, seen)  # each round "takes" 1 s
    _, ledger = _aim(config)
    rounds = [p for p in seen if p.stage == "aim:round"]
    assert len(rounds) == rounds_in_time + 1  # the one that found the time spent is the last
    assert ledger.spent == pytest.approx(ledger.total_rho, rel=1e-12)
    replay(ledger)
    assert not any("final estimate: iteration" in p.message for p in seen)


def test_a_clock_that_moves_with_the_work_ends_within_one_round_of_the_budget() -> None:
    """Every clock read costs 0.01 s: the run is cut by the clock alone, wherever the deadline falls."""
    ticks = {"now": 0.0}

    def clock() -> float:
        ticks["now"] += 0.01
        return ticks["now"]

    seen: list[Progress] = []
    config = RunConfig(seed=0, time_budget_s=2.0, clock=clock, on_progress=seen.append)
    _, ledger = _aim(config)
    assert ledger.spent == pytest.approx(ledger.total_rho, rel=1e-12)
    assert ticks["now"] < 2.0 + 0.5  # only the last selection, no estimation, after the deadline


def test_privsyn_and_mst_spend_rho_and_stop_post_processing_at_the_deadline() -> None:
    for synth in (PrivSynSynthesizer(), MSTSynthesizer(iters=500)):
        clock, seen = ManualClock(), []
        first = {"privsyn:consistency": 60.0, "mst:estimate": 60.0}
        config = _config(clock, 5.0, first, seen)
        ledger = BudgetLedger(0.2)
        model = synth.fit_discrete(correlated_table(2000), DOMAIN, ledger, config)
        assert ledger.spent == pytest.approx(ledger.total_rho, rel=1e-12)
        assert model.sample(50, np.random.default_rng(0)).shape == (50, len(SIZES))
        assert not any(p.stage == "privsyn:gum" for p in seen)  # GUM starts after the deadline: no round
