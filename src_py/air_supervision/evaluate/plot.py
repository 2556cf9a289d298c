"""Plots of the anomaly evaluation"""

from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd

matplotlib.use('Agg')
from matplotlib import pyplot  # NOQA: E402


def plot_series(path: Path, series, scores: np.ndarray, threshold: float):
    """Write a PNG of the readings, the labelled anomaly windows and the
    detections at `threshold`

    Args:
        path: PNG file to write
        series: :class:`air_supervision.evaluate.anomaly.Series`
        scores: anomaly score of each reading
        threshold: score from which a reading counts as a detection

    """
    figure, axes = pyplot.subplots(figsize=(14, 4))
    axes.plot(series.timestamps, series.values, linewidth=0.6,
              label='reading')

    for i, (start, end) in enumerate(series.windows):
        axes.axvspan(pd.Timestamp(start), pd.Timestamp(end),
                     color='tab:orange', alpha=0.25,
                     label='anomaly window' if i == 0 else None)

    detected = np.asarray(scores) >= threshold
    axes.scatter(series.timestamps[detected], series.values[detected],
                 color='tab:red', s=16, zorder=3,
                 label=f'detection (score >= {threshold:.4g})')

    axes.set_title(series.name)
    axes.legend(loc='upper left', fontsize='small')
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=80)
    pyplot.close(figure)
