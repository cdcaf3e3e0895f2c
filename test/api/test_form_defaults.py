"""The synthesis form's defaults: a client that sends no privacy parameters gets a safe δ."""

from __future__ import annotations

from web_app.api.forms import synthesis_request


def test_an_omitted_delta_is_far_below_one_over_the_rows() -> None:
    request = synthesis_request({"epsilon": "1"})
    adult_rows = 48_842
    assert request.delta == 1e-9
    assert request.delta * adult_rows < 1e-4


def test_a_blank_delta_is_the_default_and_a_sent_one_wins() -> None:
    assert synthesis_request({"delta": "  "}).delta == 1e-9
    assert synthesis_request({"delta": "1e-7"}).delta == 1e-7
