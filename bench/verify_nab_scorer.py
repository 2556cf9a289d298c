"""Score a published NAB detector with this package's NAB scorer.

Reads a detector's results folder of the NAB repository
(``results/<detector>/<category>/<detector>_<name>.csv``, columns
``timestamp`` and ``anomaly_score``), scores it with
:mod:`air_supervision.evaluate.nab` and prints each profile's score next
to the one NAB published in ``results/final_results.json``.

Example::

    python bench/verify_nab_scorer.py NAB/results/numenta \\
        --windows NAB/labels/combined_windows.json \\
        --published NAB/results/final_results.json \\
        [--thresholds NAB/config/thresholds.json]

"""

import argparse
import json
from pathlib import Path
import sys

import pandas as pd

from air_supervision.evaluate import nab


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('results', type=Path,
                        help="results folder of one detector")
    parser.add_argument('--windows', type=Path, required=True,
                        help="NAB's labels/combined_windows.json")
    parser.add_argument('--published', type=Path,
                        help="NAB's results/final_results.json")
    parser.add_argument('--thresholds', type=Path,
                        help="NAB's config/thresholds.json, to score at "
                             "NAB's stored thresholds in place of the "
                             "ones this scorer chooses")
    args = parser.parse_args()

    detector = args.results.name
    windows = nab.load_windows(args.windows)
    series = []
    scores = []
    for name in sorted(windows):
        category, file_name = name.split('/')
        path = args.results / category / f'{detector}_{file_name}'
        data = pd.read_csv(path)
        series.append(nab.label_series(name, data['timestamp'],
                                       windows[name]))
        scores.append(data['anomaly_score'].to_numpy())

    published = {}
    if args.published:
        with open(args.published, encoding='utf-8') as f:
            published = json.load(f).get(detector, {})

    thresholds = None
    if args.thresholds:
        with open(args.thresholds, encoding='utf-8') as f:
            thresholds = {name: value['threshold'] for name, value
                          in json.load(f)[detector].items()}

    print(f"{'profile':<20} {'threshold':>10} {'ours':>8} "
          f"{'published':>10}")
    for result in nab.score_corpus(series, scores, thresholds):
        total = result.total
        expected = published.get(result.profile.name)
        expected_text = '-' if expected is None else f'{expected:.2f}'
        print(f"{result.profile.name:<20} {result.threshold:>10.4f} "
              f"{total.normalised:>8.2f} {expected_text:>10}")

    return 0


if __name__ == '__main__':
    sys.exit(main())
