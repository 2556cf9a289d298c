"""NAB evaluation of the anomaly models

Runs an anomaly model over every series of a folder in the NAB layout
(``DIR/data/<category>/<name>.csv`` with columns ``timestamp,value`` and
``DIR/labels/combined_windows.json``) with the fitting policy of the live
system: the first fit after :attr:`FitPolicy.warmup` readings, a new fit
after every :attr:`FitPolicy.refit_every` readings on the latest
:attr:`FitPolicy.max_history` readings, and the readings in between
predicted by the latest fit. No fit sees a reading it later predicts.
Readings before the first fit get the anomaly score 0.

Writes ``OUT/<model>/<category>/<model>_<name>.csv`` (NAB's results
layout), ``OUT/<model>/<model>_scores.csv`` with the score of every file
and, on request, a plot per file, then prints the NAB scores.

"""

import argparse
from collections.abc import Callable, Sequence
import fnmatch
import json
import multiprocessing
import os
from pathlib import Path
import sys
import time
import typing

import numpy as np
import pandas as pd

from air_supervision.aimm import anomaly
from air_supervision.aimm.common import HyperparameterError
from air_supervision.evaluate import nab
from air_supervision.policy import FitPolicy, default_policy


class InputError(Exception):
    """Invalid command line input, reported without a traceback"""


class Series(typing.NamedTuple):
    """One NAB data file"""
    name: str
    """path relative to the data folder, ``<category>/<name>.csv``"""
    timestamps: pd.Series
    values: np.ndarray
    windows: list[tuple[str, str]]


def add_arguments(parser: argparse.ArgumentParser):
    parser.add_argument(
        '--data', type=Path, metavar='DIR',
        help="folder in the NAB layout: DIR/data/<category>/<name>.csv "
             "and DIR/labels/combined_windows.json")
    parser.add_argument(
        '--model', metavar='NAME',
        help="anomaly model to evaluate (see --list-models)")
    parser.add_argument(
        '--out', type=Path, metavar='OUT',
        help="folder for the results, OUT/<model>/...")
    parser.add_argument(
        '--files', nargs='+', metavar='PATTERN',
        help="evaluate only the files whose <category>/<name>.csv or "
             "<name>.csv matches one of these shell patterns")
    parser.add_argument(
        '--hyperparameters', type=json.loads, default={}, metavar='JSON',
        help="hyperparameters of the model as a JSON object, for example "
             "'{\"threshold\": 0.9}'; unset ones take their defaults")
    parser.add_argument(
        '--flags', action='store_true',
        help="write the model's flags (0 or 1, at its threshold "
             "hyperparameter) as anomaly scores and score them at "
             "threshold 1, so the scores are those of the live flags "
             "instead of the best threshold")
    parser.add_argument(
        '--plot', action='store_true',
        help="also write a PNG per file: readings, windows, detections")
    parser.add_argument(
        '--jobs', type=int, default=min(2, os.cpu_count() or 1),
        metavar='N', help="number of files evaluated in parallel")
    parser.add_argument(
        '--list-models', action='store_true',
        help="print the names of the selectable models and exit")


def run(args: argparse.Namespace) -> int:
    if args.list_models:
        for name in model_classes():
            print(name)
        return 0

    try:
        model_class = _parse_model(args)
        series = load_corpus(args.data, args.files)

    except InputError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2

    out = args.out / args.model
    scores = evaluate_corpus(model_class, args.hyperparameters, series,
                             flags=args.flags, jobs=args.jobs)
    labelled = [nab.label_series(i.name, i.timestamps, i.windows)
                for i in series]
    thresholds = ({i.name: 1.0 for i in nab.profiles} if args.flags
                  else None)
    results = nab.score_corpus(labelled, scores, thresholds)

    write_results(out, args.model, series, labelled, scores, results)
    if args.plot:
        from air_supervision.evaluate import plot
        for i, file_scores in zip(series, scores):
            plot.plot_series(_result_path(out, args.model, i.name, '.png'),
                             i, file_scores, results[0].threshold)

    print_results(results)
    return 0


def model_classes() -> dict[str, type[anomaly.AnomalyModel]]:
    """Selectable anomaly models by name"""
    return {i.__name__: i for i in anomaly.models}


def load_corpus(data_dir: Path | None,
                patterns: Sequence[str] | None
                ) -> list[Series]:
    """Read the data files and windows of a folder in the NAB layout.

    Raises:
        InputError: naming the missing path or a pattern without files

    """
    if data_dir is None:
        raise InputError("missing --data: give a folder in the NAB layout")

    windows_path = data_dir / 'labels' / 'combined_windows.json'
    if not data_dir.is_dir():
        raise InputError(f"data folder {str(data_dir)!r} not found: give "
                         f"a folder in the NAB layout with --data")
    if not windows_path.is_file():
        raise InputError(f"windows file {str(windows_path)!r} not found: "
                         f"--data must be a folder in the NAB layout")

    windows = nab.load_windows(windows_path)
    names = sorted(windows)
    if patterns:
        names = [i for i in names if _matches(i, patterns)]
        if not names:
            raise InputError(f"no file of {str(windows_path)!r} matches "
                             f"--files {' '.join(patterns)}")

    return [_load_series(data_dir, name, windows[name]) for name in names]


def evaluate_corpus(model_class: type[anomaly.AnomalyModel],
                    hyperparameters: dict,
                    series: Sequence[Series],
                    flags: bool = False,
                    jobs: int = 1,
                    policy: FitPolicy = default_policy
                    ) -> list[np.ndarray]:
    """Anomaly scores of every file, in the order of `series`.

    Prints one progress line per finished file to stderr.

    """
    tasks = [(model_class, hyperparameters, i, flags, policy)
             for i in series]
    started = time.monotonic()
    scores = []

    with multiprocessing.get_context('spawn').Pool(max(jobs, 1)) as pool:
        for i, file_scores in enumerate(pool.imap(_evaluate_task, tasks)):
            elapsed = time.monotonic() - started
            print(f"[{i + 1}/{len(series)}] {series[i].name}: "
                  f"{len(file_scores)} readings, {elapsed:.0f} s elapsed",
                  file=sys.stderr, flush=True)
            scores.append(file_scores)

    return scores


def evaluate_series(create_model: Callable[[], anomaly.AnomalyModel],
                    rows: np.ndarray,
                    flags: bool = False,
                    policy: FitPolicy = default_policy
                    ) -> np.ndarray:
    """Anomaly score of each row ``[t, value]`` under the fitting policy.

    Args:
        create_model: factory of the model, called once before the
            first fit
        rows: readings in time order
        flags: return the flags in place of the scores
        policy: when to fit and on which readings

    """
    scores = np.zeros(len(rows))
    model = None
    fitted_readings = None
    stored = 0

    while stored < len(rows):
        if policy.fit_due(stored, fitted_readings):
            if model is None:
                model = create_model()
            history = rows[max(0, stored - policy.max_history):stored]
            model.fit(history.tolist())
            fitted_readings = stored

        if model is None:
            stored = min(policy.warmup, len(rows))
            continue

        end = min(policy.next_fit(fitted_readings), len(rows))
        results = np.array(model.predict(rows[stored:end].tolist()),
                           dtype=float).reshape(-1, 2)
        scores[stored:end] = results[:, 0] if flags else results[:, 1]
        stored = end

    return scores


def write_results(out: Path,
                  model_name: str,
                  series: Sequence[Series],
                  labelled: Sequence[nab.LabelledSeries],
                  scores: Sequence[np.ndarray],
                  results: Sequence[nab.ProfileResult]):
    """Write the NAB results files and the table of scores per file"""
    for i, labels, file_scores in zip(series, labelled, scores):
        path = _result_path(out, model_name, i.name, '.csv')
        path.parent.mkdir(parents=True, exist_ok=True)
        pd.DataFrame({'timestamp': i.timestamps,
                      'value': i.values,
                      'anomaly_score': file_scores,
                      'label': (labels.window_ids >= 0).astype(int)}
                     ).to_csv(path, index=False)

    table = {'file': [i.name for i in series]}
    for result in results:
        name = result.profile.name
        table[f'{name}_raw'] = [result.files[i.name].raw for i in series]
        table[f'{name}_score'] = [result.files[i.name].normalised
                                  for i in series]
        table[f'{name}_threshold'] = result.threshold

    out.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(table).to_csv(out / f'{model_name}_scores.csv',
                               index=False)


def print_results(results: Sequence[nab.ProfileResult]):
    """Print the normalised NAB score of each file and profile, the
    totals last"""
    names = list(results[0].files)
    width = max(len(i) for i in names + ['total'])
    header = ' '.join(f'{i.profile.name:>18}' for i in results)
    print(f"{'file':<{width}} {header}")

    for name in names:
        cells = ' '.join(_format_score(i.files[name].normalised)
                         for i in results)
        print(f"{name:<{width}} {cells}")

    thresholds = ' '.join(f'{i.threshold:>18.6f}' for i in results)
    print(f"{'threshold':<{width}} {thresholds}")
    totals = ' '.join(_format_score(i.total.normalised) for i in results)
    print(f"{'total':<{width}} {totals}")


def _evaluate_task(task: tuple) -> np.ndarray:
    model_class, hyperparameters, series, flags, policy = task
    rows = np.column_stack([_unix_seconds(series.timestamps),
                            series.values])
    return evaluate_series(lambda: model_class(**hyperparameters), rows,
                           flags=flags, policy=policy)


def _parse_model(args: argparse.Namespace) -> type[anomaly.AnomalyModel]:
    classes = model_classes()
    if args.model is None:
        raise InputError("missing --model: give one of "
                         f"{', '.join(classes)}")
    if args.model not in classes:
        raise InputError(f"unknown model {args.model!r}: expected one of "
                         f"{', '.join(classes)} (see --list-models)")
    if args.out is None:
        raise InputError("missing --out: give a folder for the results")
    if not isinstance(args.hyperparameters, dict):
        raise InputError(f"invalid --hyperparameters "
                         f"{args.hyperparameters!r}: expected a JSON object")

    model_class = classes[args.model]
    try:
        model_class(**args.hyperparameters)
    except HyperparameterError as e:
        raise InputError(f"{e} (model {args.model})") from e

    return model_class


def _load_series(data_dir: Path,
                 name: str,
                 windows: list[tuple[str, str]]
                 ) -> Series:
    path = data_dir / 'data' / name
    if not path.is_file():
        raise InputError(f"data file {str(path)!r} not found: every file "
                         f"of combined_windows.json must be in DIR/data")

    try:
        data = pd.read_csv(path)
        timestamps = pd.to_datetime(data['timestamp'])
        values = data['value'].to_numpy(dtype=float)
    except (KeyError, ValueError) as e:
        raise InputError(f"invalid data file {str(path)!r}: expected "
                         f"columns timestamp,value ({e})") from e

    return Series(name=name, timestamps=timestamps, values=values,
                  windows=windows)


def _matches(name: str, patterns: Sequence[str]) -> bool:
    file_name = name.split('/')[-1]
    return any(fnmatch.fnmatch(name, i) or fnmatch.fnmatch(file_name, i)
               for i in patterns)


def _unix_seconds(timestamps: pd.Series) -> np.ndarray:
    """UNIX seconds of NAB's timestamps, which are UTC without a zone"""
    epoch = pd.Timestamp('1970-01-01')
    return ((timestamps - epoch) / pd.Timedelta(seconds=1)).to_numpy()


def _result_path(out: Path, model_name: str, name: str, suffix: str
                 ) -> Path:
    category, file_name = name.split('/')
    return out / category / f'{model_name}_{Path(file_name).stem}{suffix}'


def _format_score(score: float | None) -> str:
    return f"{'-':>18}" if score is None else f'{score:>18.2f}'
