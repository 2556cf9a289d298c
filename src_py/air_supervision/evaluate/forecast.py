"""Rolling-origin evaluation of the forecast models on a readings file

The origins are every :data:`origin_every` readings over the last
``--share`` of the readings file. At each origin the model forecasts the
next `horizon` readings from the `input_size` readings before it. Models
are fitted with the fitting policy of the live system: the first fit once
:attr:`FitPolicy.warmup` readings are stored, a new fit after every
:attr:`FitPolicy.refit_every` further readings, each on the latest
:attr:`FitPolicy.max_history` readings. A model is therefore never
fitted on a reading at or after an origin it forecasts from.

The baseline is the seasonal naive forecast, which repeats for each
target the reading :data:`season` steps before it. An origin is scored
only when its inputs and targets are ``input_size + horizon`` consecutive
readings, with no gap and no missing value, so that the model and the
baseline are scored on the same origins and targets. MASE divides the
MAE by the in-sample MAE of the seasonal naive forecast on the readings
before the first origin.

"""

import argparse
from collections.abc import Callable, Sequence
import csv
import datetime
import json
import math
from pathlib import Path
import sys
import time
import typing

import numpy as np

from air_supervision import common
from air_supervision.aimm import forecast
from air_supervision.aimm.common import HyperparameterError
from air_supervision.devices import reader
from air_supervision.policy import FitPolicy, default_policy


season: int = 24
"""Lag of the seasonal naive forecast, in readings"""

origin_every: int = 24
"""Readings between two forecast origins"""


class InputError(Exception):
    """Invalid command line input, reported without a traceback"""


class OriginErrors(typing.NamedTuple):
    """Absolute errors of the forecasts made at one origin"""
    time: float
    """UNIX time of the first target"""
    model: np.ndarray
    """absolute error of the model at each of the `horizon` targets"""
    naive: np.ndarray
    """absolute error of the seasonal naive forecast at each target"""


class Evaluation(typing.NamedTuple):
    """Errors of one model over all origins"""
    model: str
    origins: list[OriginErrors]
    """scored origins in time order"""
    skipped: int
    """origins not scored: a gap or a missing value among their inputs
    and targets, or no fit before them"""
    scale: float
    """in-sample MAE of the seasonal naive forecast, divisor of MASE"""
    fits: int
    """number of fits made"""


class Scores(typing.NamedTuple):
    """Error figures of one forecast over the scored origins"""
    mae: float
    rmse: float
    mase: float


def add_arguments(parser: argparse.ArgumentParser):
    parser.add_argument(
        '--file', type=Path, metavar='F', required=True,
        help="readings file; its layout is set by the options below")
    parser.add_argument(
        '--model', metavar='NAME', action='append', required=True,
        help=f"forecast model to evaluate: "
             f"{', '.join(model_classes())}, or all; repeatable")
    parser.add_argument(
        '--hyperparameters', type=_json_arg, default={}, metavar='JSON',
        help="hyperparameters of the model as a JSON object, for example "
             "'{\"C\": 100}'; only with a single --model")
    parser.add_argument(
        '--share', type=_share_arg, default=0.2, metavar='FRACTION',
        help="fraction of the readings, at the end of the file, that "
             "contains the forecast origins (default: %(default)s)")
    parser.add_argument(
        '--out', type=Path, metavar='CSV',
        help="write the MAE and RMSE of each model and origin to CSV")
    parser.add_argument(
        '--plot', type=Path, metavar='PNG',
        help="write a plot of the MAE of each origin to PNG")
    reader.add_reader_arguments(parser)


def run(args: argparse.Namespace) -> int:
    try:
        classes = _parse_models(args.model, args.hyperparameters)
        rows = load_rows(args.file, reader.options_from_args(args))
        _check_length(rows, args.share)

    except (InputError, reader.ReaderError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2

    evaluations = []
    for name, model_class in classes.items():
        def create_model(model_class=model_class):
            return model_class(**args.hyperparameters)

        try:
            evaluations.append(evaluate(name, create_model, rows,
                                        share=args.share))

        except (ValueError, HyperparameterError) as e:
            print(f"error: model {name} failed: {e}", file=sys.stderr)
            return 1

    for evaluation in evaluations:
        print_evaluation(evaluation)

    if args.out:
        write_csv(args.out, evaluations)

    if args.plot:
        plot_errors(args.plot, evaluations)

    return 0


def model_classes() -> dict[str, type[forecast.ForecastModel]]:
    """Selectable forecast models by name"""
    return {i.__name__: i for i in forecast.models}


def load_rows(path: Path, options: reader.ReaderOptions) -> list[list]:
    """Read a readings file as ``[t, value]`` rows, `t` in UNIX seconds.

    Raises:
        reader.ReaderError: if the file gives no readings

    """
    result = reader.read_readings(path, options)
    return [[i.time.timestamp(), i.value] for i in result.readings]


def evaluate(name: str,
             create_model: Callable[[], forecast.ForecastModel],
             rows: Sequence[Sequence[float]],
             share: float = 0.2,
             policy: FitPolicy = default_policy
             ) -> Evaluation:
    """Forecast from each origin in the last `share` of `rows`.

    Prints one progress line per fit to stderr.

    Args:
        name: model name, for progress lines and the result
        create_model: factory of the model, called before each fit
        rows: readings ``[t, value]`` in time order, `value` a float or
            ``None`` when missing
        share: fraction of `rows`, at the end, that contains the origins
        policy: when to fit and on which readings

    Raises:
        ValueError: if a fit fails

    """
    times, values = _split_rows(rows)
    first = _first_origin(len(rows), share)
    scorable = _scorable_origins(times, values)
    model = None
    fitted_readings = None
    fits = 0
    origins = []
    skipped = 0
    started = time.monotonic()

    for origin in range(first, len(rows) - _horizon() + 1, origin_every):
        fit_readings = _last_fit(policy, origin)
        if fit_readings is not None and fit_readings != fitted_readings:
            history = rows[max(0, fit_readings - policy.max_history):
                           fit_readings]
            model = create_model().fit(history)
            fitted_readings = fit_readings
            fits += 1
            print(f"{name}: fit {fits} on {len(history)} readings before "
                  f"reading {fit_readings}, "
                  f"{time.monotonic() - started:.0f} s elapsed",
                  file=sys.stderr, flush=True)

        if model is None or not scorable[origin]:
            skipped += 1
            continue

        origins.append(_forecast_origin(model, rows, times, values, origin))

    return Evaluation(model=name, origins=origins, skipped=skipped,
                      scale=seasonal_naive_scale(times[:first],
                                                 values[:first]),
                      fits=fits)


def scores(evaluation: Evaluation) -> tuple[Scores, Scores]:
    """Scores of the model and of the seasonal naive forecast"""
    model = np.concatenate([i.model for i in evaluation.origins])
    naive = np.concatenate([i.naive for i in evaluation.origins])
    return (_scores(model, evaluation.scale),
            _scores(naive, evaluation.scale))


def seasonal_naive_scale(times: np.ndarray, values: np.ndarray) -> float:
    """In-sample MAE of the seasonal naive forecast: the mean absolute
    difference between readings :data:`season` median steps apart, over
    the pairs where both readings exist"""
    step = np.median(np.diff(times))
    lagged = times - season * step
    index = np.searchsorted(times, lagged)
    index = np.minimum(index, len(times) - 1)
    found = np.abs(times[index] - lagged) < step / 2
    differences = np.abs(values[found] - values[index[found]])
    differences = differences[np.isfinite(differences)]
    if not len(differences):
        return math.nan

    return float(differences.mean())


def print_evaluation(evaluation: Evaluation):
    """Print the figures of one model, the model's three figures last"""
    if not evaluation.origins:
        print(f"{evaluation.model}: no origin scored, "
              f"{evaluation.skipped} skipped")
        return

    model, naive = scores(evaluation)
    first = common.time_to_str(_datetime(evaluation.origins[0].time))
    print(f"{evaluation.model}: {len(evaluation.origins)} origins from "
          f"{first} UTC, {evaluation.skipped} skipped, "
          f"{evaluation.fits} fits")
    print(f"  seasonal naive  MAE {naive.mae:.4g}  RMSE {naive.rmse:.4g}  "
          f"MASE {naive.mase:.4g}")
    print(f"  MAE ratio       {_ratio(model.mae, naive.mae):.4g}")
    print(f"  model           MAE {model.mae:.4g}  RMSE {model.rmse:.4g}  "
          f"MASE {model.mase:.4g}")


def write_csv(path: Path, evaluations: Sequence[Evaluation]):
    """Write the MAE and RMSE of each model and origin"""
    with open(path, 'w', newline='') as f:
        writer = csv.writer(f)
        writer.writerow(['model', 'origin', 'model_mae', 'model_rmse',
                         'naive_mae', 'naive_rmse'])
        for evaluation in evaluations:
            for i in evaluation.origins:
                writer.writerow([
                    evaluation.model,
                    common.time_to_str(_datetime(i.time)),
                    f"{i.model.mean():.6g}",
                    f"{np.sqrt(np.mean(i.model ** 2)):.6g}",
                    f"{i.naive.mean():.6g}",
                    f"{np.sqrt(np.mean(i.naive ** 2)):.6g}"])


def plot_errors(path: Path, evaluations: Sequence[Evaluation]):
    """Write a PNG of the MAE of each origin, one line per model and one
    for the seasonal naive forecast"""
    import matplotlib
    matplotlib.use('Agg')
    from matplotlib import pyplot

    figure, axes = pyplot.subplots(figsize=(12, 4))
    for evaluation in evaluations:
        origin_times = [_datetime(i.time) for i in evaluation.origins]
        axes.plot(origin_times, [i.model.mean() for i in evaluation.origins],
                  marker='.', linewidth=0.8, label=evaluation.model)

    if evaluations and evaluations[0].origins:
        origins = evaluations[0].origins
        axes.plot([_datetime(i.time) for i in origins],
                  [i.naive.mean() for i in origins], color='black',
                  linestyle='--', linewidth=0.8, label='seasonal naive')

    axes.set_ylabel('MAE over the horizon')
    axes.set_xlabel('origin (UTC)')
    axes.legend(loc='upper left', fontsize='small')
    figure.tight_layout()
    figure.savefig(path, dpi=80)
    pyplot.close(figure)


def _forecast_origin(model: forecast.ForecastModel,
                     rows: Sequence[Sequence[float]],
                     times: np.ndarray,
                     values: np.ndarray,
                     origin: int
                     ) -> OriginErrors:
    horizon = _horizon()
    window = [list(i) for i in rows[origin - model.input_size:origin]]
    predicted = np.array(model.predict([window])[0])
    targets = values[origin:origin + horizon]
    naive = values[origin - season:origin - season + horizon]
    return OriginErrors(time=float(times[origin]),
                        model=np.abs(predicted - targets),
                        naive=np.abs(naive - targets))


def _scorable_origins(times: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Mask of the origins whose inputs and targets are consecutive
    readings with no missing value, by index of the first target"""
    scorable = np.zeros(len(times), dtype=bool)
    _, _, starts = forecast.training_windows(times, values, _input_size(),
                                             _horizon())
    scorable[np.searchsorted(times, starts)] = True
    return scorable


def _last_fit(policy: FitPolicy, readings: int) -> int | None:
    """Number of readings at the latest fit the policy makes while
    `readings` readings are stored, ``None`` before the first fit"""
    fitted = None
    while policy.next_fit(fitted) <= readings:
        fitted = policy.next_fit(fitted)

    return fitted


def _first_origin(readings: int, share: float) -> int:
    return max(int(readings * (1 - share)), _input_size())


def _check_length(rows: Sequence, share: float):
    first = _first_origin(len(rows), share)
    if first + _horizon() > len(rows):
        raise InputError(
            f"too few readings for an origin: {len(rows)} readings with "
            f"--share {share}; expected at least "
            f"{_input_size() + _horizon()} readings in the file and "
            f"{_horizon()} after the first origin, so raise --share or "
            f"use a longer file")


def _parse_models(names: Sequence[str], hyperparameters: dict
                  ) -> dict[str, type[forecast.ForecastModel]]:
    available = model_classes()
    selected = {}
    for name in names:
        if name == 'all':
            selected.update(available)

        elif name in available:
            selected[name] = available[name]

        else:
            raise InputError(f"unknown model {name!r}: expected one of "
                             f"{', '.join(available)}, or all")

    if not isinstance(hyperparameters, dict):
        raise InputError(f"invalid --hyperparameters {hyperparameters!r}: "
                         f"expected a JSON object")

    if hyperparameters and len(selected) > 1:
        raise InputError("--hyperparameters given with several models: "
                         "give a single --model")

    for name, model_class in selected.items():
        try:
            model_class(**hyperparameters)

        except HyperparameterError as e:
            raise InputError(f"model {name}: {e}") from e

    return selected


def _scores(errors: np.ndarray, scale: float) -> Scores:
    mae = float(errors.mean())
    return Scores(mae=mae,
                  rmse=float(np.sqrt(np.mean(errors ** 2))),
                  mase=_ratio(mae, scale))


def _ratio(numerator: float, denominator: float) -> float:
    """Quotient, NaN for a zero or NaN denominator"""
    if not denominator > 0:
        return math.nan

    return numerator / denominator


def _split_rows(rows: Sequence[Sequence[float]]
                ) -> tuple[np.ndarray, np.ndarray]:
    times = np.array([i[0] for i in rows], dtype=float)
    values = np.array([np.nan if i[1] is None else i[1] for i in rows],
                      dtype=float)
    return times, values


def _input_size() -> int:
    return forecast.ForecastModel.input_size


def _horizon() -> int:
    return forecast.ForecastModel.horizon


def _datetime(t: float) -> datetime.datetime:
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc)


def _json_arg(value: str) -> dict:
    try:
        return json.loads(value)

    except json.JSONDecodeError as e:
        raise argparse.ArgumentTypeError(
            f"invalid JSON {value!r}: {e}; expected an object such as "
            f"'{{\"C\": 100}}'")


def _share_arg(value: str) -> float:
    try:
        share = float(value)

    except ValueError:
        share = math.nan

    if not 0 < share < 1:
        raise argparse.ArgumentTypeError(
            f"invalid share {value!r}: expected a number between 0 and 1")

    return share
