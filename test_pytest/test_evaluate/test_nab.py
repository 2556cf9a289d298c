import math

import pandas as pd
import pytest

from air_supervision.evaluate import nab


rows = 100
timestamps = pd.date_range('2015-01-01', periods=rows, freq='min')
window = (str(timestamps[40]), str(timestamps[49]))

standard, low_fp, low_fn = nab.profiles


def score(detections, windows=(window,), profile=standard):
    labelled = nab.label_series('test.csv', timestamps, list(windows))
    scores = [1.0 if i in detections else 0.0 for i in range(rows)]
    return nab.score_series(labelled, scores, profile, 0.5)


def test_probationary_length():
    assert nab.probationary_length(100) == 15
    assert nab.probationary_length(1127) == 169
    assert nab.probationary_length(10000) == 750


def test_scaled_sigmoid():
    assert nab.scaled_sigmoid(-1) == pytest.approx(0.98661, abs=1e-5)
    assert nab.scaled_sigmoid(-0.5) == pytest.approx(0.84828, abs=1e-5)
    assert nab.scaled_sigmoid(0) == 0
    assert nab.scaled_sigmoid(3.5) == -1


def test_detection_at_window_start():
    result = score({40})

    assert result.raw == pytest.approx(1.0)
    assert result.null == -1.0
    assert result.perfect == 1.0
    assert result.normalised == pytest.approx(100)


def test_detection_in_window_middle():
    # row 45 of a window of rows 40 to 49: position -(49 - 45 + 1) / 10,
    # sigmoid (2 / (1 + exp(-2.5)) - 1) / (2 / (1 + exp(-5)) - 1)
    result = score({45})

    assert result.raw == pytest.approx(0.84828 / 0.98661, abs=1e-4)


def test_only_first_detection_in_window_counts():
    assert score({40, 45, 49}).raw == pytest.approx(1.0)


def test_missed_window():
    assert score(set()).raw == -1.0
    assert score(set(), profile=low_fn).raw == -2.0
    assert score(set()).normalised == 0


def test_false_positive_before_windows():
    assert score({20, 40}).raw == pytest.approx(1.0 - 0.11)
    assert score({20, 40}, profile=low_fp).raw == pytest.approx(1.0 - 0.22)


def test_false_positive_after_window():
    # 11 rows past the window end, window width 10:
    # 2 / (1 + exp(5 * 11 / 9)) - 1 = -0.99557
    result = score({40, 60})

    assert result.raw == pytest.approx(1.0 - 0.11 * 0.99557, abs=1e-5)


def test_probationary_period_not_scored():
    early_window = (str(timestamps[2]), str(timestamps[8]))

    result = score({5, 10}, windows=[early_window])

    assert result.raw == 0
    assert result.null == 0
    assert result.perfect == 1.0


def test_file_without_windows():
    result = score({50}, windows=[])

    assert result.raw == pytest.approx(-0.11)
    assert result.normalised is None


def test_threshold_chosen_over_files():
    labelled = [nab.label_series('a.csv', timestamps, [window]),
                nab.label_series('b.csv', timestamps, [])]
    first = [0.0] * rows
    first[42] = 0.9
    first[70] = 0.95
    second = [0.0] * rows
    second[30] = 0.6

    results = nab.score_corpus(labelled, [first, second])
    standard_result = results[0]

    # 0.95 gives -1 - 0.11, 0.9 gives TP at row 42 minus one FP, 0.6 adds
    # a second FP, no detection gives -1
    tp = (2 / (1 + math.exp(-4)) - 1) / (2 / (1 + math.exp(-5)) - 1)
    assert standard_result.threshold == 0.9
    assert standard_result.total.raw == pytest.approx(tp - 0.11, abs=1e-4)
    assert standard_result.files['b.csv'].raw == 0


def test_no_detection_threshold_when_all_worse():
    labelled = [nab.label_series('a.csv', timestamps, [window])]
    scores = [0.0] * rows
    scores[20] = 0.7

    results = nab.score_corpus(labelled, [scores])

    assert results[0].threshold == 1.1
    assert results[0].total.normalised == 0


def test_window_limit_not_found():
    with pytest.raises(ValueError, match='2030-01-01'):
        nab.label_series('a.csv', timestamps,
                         [('2030-01-01 00:00:00', '2030-01-02 00:00:00')])
