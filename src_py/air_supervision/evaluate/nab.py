"""Scorer of the Numenta Anomaly Benchmark (NAB v1.1)

The rules follow NAB's `nab/sweeper.py`, `nab/optimizer.py` and
`nab/runner.py` (github.com/numenta/NAB, MIT licence):

- The first ``min(floor(0.15 * rows), 750)`` rows of each file are a
  probationary period that is not scored.
- A detection is a row whose anomaly score is at least the threshold.
  Inside an anomaly window only the earliest detection counts. It earns
  ``A_TP * sigmoid(y) / sigmoid(-1)``, where ``sigmoid(y) = 2 / (1 + exp(5
  y)) - 1`` and ``y = -(right - i + 1) / width`` runs from -1 at the
  window's first row to nearly 0 at its last. A window without a
  detection costs ``A_FN``.
- Every detection outside the windows costs ``A_FP``, weighted by
  ``-sigmoid(distance / (width - 1))`` of the preceding window (distance
  in rows from its last row), so detections just after a window cost
  little. Before the first window and beyond 3 widths the weight is 1.
- Each profile gets one threshold for all files together, the one with
  the highest total raw score (the highest such threshold on a tie).
- Scores are normalised as ``100 * (raw - null) / (perfect - null)``, the
  null detector never detecting and the perfect one detecting every
  window at its first row.

"""

from collections.abc import Sequence
import json
import math
from pathlib import Path
import typing

import numpy as np
import pandas as pd


class Profile(typing.NamedTuple):
    """Weights of one NAB application profile"""
    name: str
    tp_weight: float
    fp_weight: float
    fn_weight: float


profiles: list[Profile] = [
    Profile('standard', tp_weight=1.0, fp_weight=0.11, fn_weight=1.0),
    Profile('reward_low_FP_rate', tp_weight=1.0, fp_weight=0.22,
            fn_weight=1.0),
    Profile('reward_low_FN_rate', tp_weight=1.0, fp_weight=0.11,
            fn_weight=2.0)]
"""Profiles of NAB's `config/profiles.json`"""

probation_share: float = 0.15
max_probation: int = 750

_outside = -1
_probationary = -2


class LabelledSeries(typing.NamedTuple):
    """Rows of one file prepared for scoring"""
    name: str
    window_ids: np.ndarray
    """per row: index of its window, -1 outside windows, -2 probationary"""
    sigmoids: np.ndarray
    """per row: unweighted NAB score of a detection there, in [-1, 1]"""
    window_count: int
    """number of labelled windows, probationary ones included"""


class FileScore(typing.NamedTuple):
    """Raw NAB score of one file with its null and perfect scores"""
    raw: float
    null: float
    perfect: float

    @property
    def normalised(self) -> float | None:
        """Score from 0 (null detector) to 100 (perfect detector), or
        ``None`` for a file without windows"""
        if self.perfect == self.null:
            return None

        return normalise(self.raw, self.null, self.perfect)


class ProfileResult(typing.NamedTuple):
    """Scores of one detector under one profile"""
    profile: Profile
    threshold: float
    files: dict[str, FileScore]

    @property
    def total(self) -> FileScore:
        """Sum over all files"""
        return FileScore(raw=sum(i.raw for i in self.files.values()),
                         null=sum(i.null for i in self.files.values()),
                         perfect=sum(i.perfect for i in self.files.values()))


def load_windows(path: Path) -> dict[str, list[tuple[str, str]]]:
    """Read NAB's `labels/combined_windows.json`: anomaly windows
    ``[start, end]`` per file path relative to the data folder"""
    with open(path, encoding='utf-8') as f:
        data = json.load(f)

    return {name: [(start, end) for start, end in windows]
            for name, windows in data.items()}


def probationary_length(rows: int) -> int:
    """Number of rows at the start of a file that are not scored"""
    return min(math.floor(probation_share * rows), max_probation)


def scaled_sigmoid(position: float) -> float:
    """NAB's weight of a detection at `position` relative to a window end:
    0.987 at -1 (window start), 0 at the end, -0.987 at 1 width past it"""
    if position > 3.0:
        return -1.0

    return 2 / (1 + math.exp(5 * position)) - 1


def label_series(name: str,
                 timestamps: Sequence[pd.Timestamp],
                 windows: Sequence[tuple[str, str]]
                 ) -> LabelledSeries:
    """Assign each row its window and its unweighted detection score.

    Window limits are matched to rows by equal timestamps, the first equal
    row when a timestamp repeats, as NAB does.

    Raises:
        ValueError: if a window limit is not a timestamp of the file

    """
    timestamps = list(pd.to_datetime(pd.Series(timestamps)))
    index_of = {}
    for i, timestamp in enumerate(timestamps):
        index_of.setdefault(timestamp, i)

    limits = []
    for start, end in windows:
        start, end = pd.Timestamp(start), pd.Timestamp(end)
        for limit in (start, end):
            if limit not in index_of:
                raise ValueError(f"window limit {limit} not found in {name}")
        limits.append((start, end))

    window_ids = np.full(len(timestamps), _outside)
    sigmoids = np.zeros(len(timestamps))
    pending = list(enumerate(limits))
    current = None
    previous_right = previous_width = None

    for i, timestamp in enumerate(timestamps):
        if current is None and pending and timestamp == pending[0][1][0]:
            window_id, (start, end) = pending.pop(0)
            right = index_of[end]
            width = right - index_of[start] + 1
            current = window_id, end, right, width

        if current is not None:
            window_id, end, right, width = current
            window_ids[i] = window_id
            sigmoids[i] = scaled_sigmoid(-(right - i + 1) / width)

        elif previous_right is None:
            sigmoids[i] = -1.0

        else:
            position = abs(previous_right - i) / (previous_width - 1)
            sigmoids[i] = scaled_sigmoid(position)

        if current is not None and timestamp == current[1]:
            previous_right, previous_width = i, current[3]
            current = None

    window_ids[:probationary_length(len(timestamps))] = _probationary
    return LabelledSeries(name=name, window_ids=window_ids,
                          sigmoids=sigmoids, window_count=len(limits))


def score_corpus(series: Sequence[LabelledSeries],
                 scores: Sequence[Sequence[float]],
                 thresholds: dict[str, float] | None = None
                 ) -> list[ProfileResult]:
    """Choose each profile's threshold over all files and score each file.

    Args:
        series: labelled rows of each file
        scores: anomaly scores in [0, 1] of each file, one per row
        thresholds: fixed threshold per profile name in place of the
            chosen one

    """
    scores = [np.asarray(i, dtype=float) for i in scores]
    for labelled, file_scores in zip(series, scores):
        if len(file_scores) != len(labelled.window_ids):
            raise ValueError(
                f"{len(file_scores)} anomaly scores for "
                f"{len(labelled.window_ids)} rows of {labelled.name}")

    results = []
    for profile in profiles:
        if thresholds and profile.name in thresholds:
            threshold = thresholds[profile.name]
        else:
            threshold = sweep_threshold(series, scores, profile)
        files = {labelled.name: score_series(labelled, file_scores,
                                             profile, threshold)
                 for labelled, file_scores in zip(series, scores)}
        results.append(ProfileResult(profile=profile, threshold=threshold,
                                     files=files))

    return results


def sweep_threshold(series: Sequence[LabelledSeries],
                    scores: Sequence[np.ndarray],
                    profile: Profile
                    ) -> float:
    """Threshold with the highest total raw score over all files.

    Returns 1.1, above every score, when no detection at all scores best.

    """
    event_scores = []
    event_deltas = []
    for labelled, file_scores in zip(series, scores):
        weights = _weights(labelled, profile)
        ids = labelled.window_ids
        order = np.argsort(-file_scores, kind='stable')

        fp = order[ids[order] == _outside]
        event_scores.append(file_scores[fp])
        event_deltas.append(weights[fp])

        in_window = order[ids[order] >= 0]
        for window_id in np.unique(ids[in_window]):
            rows = in_window[ids[in_window] == window_id]
            best = np.maximum.accumulate(
                np.maximum(weights[rows], -profile.fn_weight))
            gains = np.diff(best, prepend=-profile.fn_weight)
            event_scores.append(file_scores[rows])
            event_deltas.append(gains)

    event_scores = np.concatenate(event_scores)
    event_deltas = np.concatenate(event_deltas)
    order = np.argsort(-event_scores, kind='stable')
    sorted_scores = event_scores[order]
    totals = np.cumsum(event_deltas[order])

    # The total at threshold t includes every event with score >= t, so
    # it is the cumulative sum at the last event of each distinct score.
    last = np.flatnonzero(np.diff(sorted_scores, append=-np.inf) != 0)
    if len(last) == 0:
        return 1.1

    candidates = totals[last]
    best = int(np.argmax(candidates))
    if candidates[best] <= 0:
        return 1.1

    return float(sorted_scores[last[best]])


def score_series(labelled: LabelledSeries,
                 scores: np.ndarray,
                 profile: Profile,
                 threshold: float
                 ) -> FileScore:
    """Raw, null and perfect NAB score of one file at `threshold`"""
    weights = _weights(labelled, profile)
    ids = labelled.window_ids
    detected = np.asarray(scores) >= threshold

    raw = float(weights[detected & (ids == _outside)].sum())
    scored_windows = np.unique(ids[ids >= 0])
    for window_id in scored_windows:
        hits = weights[detected & (ids == window_id)]
        if len(hits):
            raw += max(float(hits.max()), -profile.fn_weight)
        else:
            raw -= profile.fn_weight

    null = -profile.fn_weight * len(scored_windows)
    perfect = profile.tp_weight * labelled.window_count
    return FileScore(raw=raw, null=null, perfect=perfect)


def normalise(raw: float, null: float, perfect: float) -> float:
    """Score from 0 (null detector) to 100 (perfect detector)"""
    return 100 * (raw - null) / (perfect - null)


def _weights(labelled: LabelledSeries, profile: Profile) -> np.ndarray:
    max_tp = scaled_sigmoid(-1.0)
    in_window = labelled.window_ids >= 0
    return np.where(in_window,
                    labelled.sigmoids * profile.tp_weight / max_tp,
                    labelled.sigmoids * profile.fp_weight)
