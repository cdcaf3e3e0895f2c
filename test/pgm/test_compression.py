"""MST's domain compression: low noisy counts share a bucket, and decoding draws members by noisy weight."""

from __future__ import annotations

import numpy as np

from method.pgm.compression import compress, compress_data, decompress_data


def test_round_trip_keeps_kept_values_and_spreads_the_bucket() -> None:
    noisy = np.array([100.0, 2.0, 6.0, 90.0, -3.0])
    c = compress(noisy, sigma=5.0)
    assert c.kept.tolist() == [0, 3] and c.merged.tolist() == [1, 2, 4]
    codes = compress_data(np.array([[0], [1], [2], [3], [4]]), (5,), [c])
    assert codes[:, 0].tolist() == [0, 2, 2, 1, 2]
    decoded = decompress_data(np.repeat(codes, 2000, axis=0), [c], np.random.default_rng(0))[:, 0]
    assert decoded[::2000][[0, 3]].tolist() == [0, 3]
    members = decoded[np.repeat(codes[:, 0], 2000) == 2]
    shares = np.bincount(members, minlength=5)[[1, 2, 4]] / members.size
    np.testing.assert_allclose(shares, [0.25, 0.75, 0.0], atol=0.02)


def test_merged_measurement_has_the_summed_noise() -> None:
    c = compress(np.array([100.0, 2.0, 6.0, 90.0]), sigma=5.0)
    values, sigmas = c.measured(np.array([100.0, 2.0, 6.0, 90.0]), 5.0)
    assert values.tolist() == [100.0, 90.0, 8.0]
    np.testing.assert_allclose(sigmas, [5.0, 5.0, 5.0 * np.sqrt(2)])


def test_nothing_to_compress() -> None:
    c = compress(np.array([100.0, 90.0]), sigma=5.0)
    assert c.size == 2 and not len(c.merged)
