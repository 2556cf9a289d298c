import datetime
from pathlib import Path
import re

import numpy as np
import pandas as pd
import pytest

from air_supervision.aimm import forecast as forecast_models
from air_supervision.devices import reader
from air_supervision.evaluate import forecast
from air_supervision.evaluate import main
from air_supervision.policy import FitPolicy


uci_path = (Path(__file__).parents[2] / '..' / 'shared' / 'data' /
            'uci-air-quality' / 'AirQualityUCI.csv')

uci_arguments = ['--column', 'PT08.S1(CO)', '--separator', ';',
                 '--decimal', ',', '--time-column', 'Date',
                 '--time-column', 'Time',
                 '--time-format', '%d/%m/%Y %H.%M.%S', '--missing', '-200']

uci_options = reader.ReaderOptions(
    value_column='PT08.S1(CO)', time_columns=('Date', 'Time'),
    separator=';', decimal=',', time_format='%d/%m/%Y %H.%M.%S',
    missing=('-200',))

hour = 3600.0
horizon = forecast_models.ForecastModel.horizon
input_size = forecast_models.ForecastModel.input_size

number = r'(-?[0-9.]+(?:e[-+]?[0-9]+)?)'
block_pattern = re.compile(
    rf"(?P<model>\S+): (?P<origins>\d+) origins from .* UTC, "
    rf"(?P<skipped>\d+) skipped, (?P<fits>\d+) fits\n"
    rf"  seasonal naive  MAE {number}  RMSE {number}  MASE {number}\n"
    rf"  MAE ratio       {number}\n"
    rf"  model           MAE {number}  RMSE {number}  MASE {number}")


@pytest.fixture
def uci_file():
    if not uci_path.is_file():
        pytest.skip(f"UCI Air Quality data not found in {uci_path}")
    return uci_path


@pytest.fixture(scope='module')
def uci_rows():
    if not uci_path.is_file():
        pytest.skip(f"UCI Air Quality data not found in {uci_path}")
    return forecast.load_rows(uci_path, uci_options)


def parse_blocks(output):
    blocks = {}
    for match in block_pattern.finditer(output):
        figures = [float(i) for i in match.groups()[4:]]
        blocks[match['model']] = {
            'origins': int(match['origins']),
            'skipped': int(match['skipped']),
            'naive': figures[0:3],
            'ratio': figures[3],
            'model': figures[4:7]}
    return blocks


class RecordingModel(forecast_models.linear):
    """Linear model that records the readings of its fit, and checks that
    every window it forecasts from starts its targets after all of them"""

    log = []

    def fit(self, X):
        self.fitted_until = max(t for t, _ in X)
        self.log.append(('fit', len(X), self.fitted_until))
        return super().fit(X)

    def predict(self, X):
        for window in X:
            origin = window[-1][0] + hour
            assert origin > self.fitted_until
            self.log.append(('predict', origin, self.fitted_until))
        return super().predict(X)


def test_command_on_uci_file(uci_file, tmp_path, capsys):
    out = tmp_path / 'errors.csv'
    plot = tmp_path / 'errors.png'

    code = main.main(['forecast', '--file', str(uci_file), *uci_arguments,
                      '--model', 'linear', '--model', 'constant',
                      '--out', str(out), '--plot', str(plot)])
    output = capsys.readouterr()

    assert code == 0
    blocks = parse_blocks(output.out)
    assert sorted(blocks) == ['constant', 'linear']
    for block in blocks.values():
        assert block['origins'] > 50
        assert all(np.isfinite(block['naive']))
        assert all(np.isfinite(block['model']))
        assert block['ratio'] == pytest.approx(
            block['model'][0] / block['naive'][0], rel=1e-3)
    assert blocks['linear']['naive'] == blocks['constant']['naive']
    assert blocks['linear']['origins'] == blocks['constant']['origins']
    assert blocks['linear']['ratio'] < 1
    assert output.out.strip().split('\n')[-1].startswith('  model ')
    assert 'linear: fit 1 on' in output.err

    errors = pd.read_csv(out)
    assert list(errors.columns) == ['model', 'origin', 'model_mae',
                                    'model_rmse', 'naive_mae', 'naive_rmse']
    linear = errors[errors['model'] == 'linear'].reset_index()
    constant = errors[errors['model'] == 'constant'].reset_index()
    assert len(linear) == blocks['linear']['origins']
    assert list(linear['origin']) == list(constant['origin'])
    assert list(linear['naive_mae']) == list(constant['naive_mae'])
    assert linear['model_mae'].mean() == pytest.approx(
        blocks['linear']['model'][0], rel=1e-3)
    assert plot.stat().st_size > 0


def test_naive_is_value_one_day_before(uci_file, uci_rows, tmp_path):
    out = tmp_path / 'errors.csv'

    code = main.main(['forecast', '--file', str(uci_file), *uci_arguments,
                      '--model', 'constant', '--out', str(out)])

    assert code == 0
    values = {t: v for t, v in uci_rows}
    errors = pd.read_csv(out)
    for origin, naive_mae in zip(errors['origin'], errors['naive_mae']):
        start = (datetime.datetime.strptime(origin, '%Y-%m-%d %H:%M:%S')
                 .replace(tzinfo=datetime.timezone.utc).timestamp())
        target_times = start + hour * np.arange(horizon)
        naive = [values[t - horizon * hour] for t in target_times]
        targets = [values[t] for t in target_times]
        expected = np.abs(np.subtract(naive, targets)).mean()
        assert naive_mae == pytest.approx(expected, rel=1e-5)


def test_evaluate_never_fits_on_forecast_readings(uci_rows):
    RecordingModel.log = []
    policy = FitPolicy()

    evaluation = forecast.evaluate('linear', RecordingModel, uci_rows,
                                   policy=policy)

    fits = [i for i in RecordingModel.log if i[0] == 'fit']
    predictions = [i for i in RecordingModel.log if i[0] == 'predict']
    assert len(fits) == evaluation.fits
    assert len(predictions) == len(evaluation.origins)
    for _, readings, _ in fits:
        assert readings <= policy.max_history
    for _, origin, fitted_until in predictions:
        assert fitted_until < origin


def test_evaluate_follows_fit_policy():
    rows = [[i * hour, 100.0 + (i % 24)] for i in range(3000)]
    policy = FitPolicy(warmup=200, refit_every=500, max_history=1000)
    RecordingModel.log = []

    evaluation = forecast.evaluate('linear', RecordingModel, rows,
                                   share=0.5, policy=policy)

    fits = [i for i in RecordingModel.log if i[0] == 'fit']
    # origins from reading 1500 on, so the fits in use are those made at
    # 1200, 1700, 2200 and 2700 readings, each on the latest 1000
    assert [readings for _, readings, _ in fits] == [1000] * 4
    assert [until / hour for _, _, until in fits] == [1199, 1699, 2199,
                                                      2699]
    assert len(evaluation.origins) == len(range(1500, 3000 - 23, 24))
    assert evaluation.skipped == 0


def test_evaluate_skips_origins_with_gap():
    rows = [[i * hour, 100.0 + (i % 24)] for i in range(1000)]
    for row in rows[900:]:
        row[0] += 5 * hour
    rows[850][1] = None

    evaluation = forecast.evaluate('constant', forecast_models.constant,
                                   rows, share=0.2)

    origins = range(800, 1000 - 23, 24)
    # an origin is scored when readings origin - 48 .. origin + 23 are
    # consecutive and complete
    scored = [i for i in origins
              if not (i - input_size <= 850 < i + horizon) and
              not (i - input_size < 900 < i + horizon)]
    assert [i.time for i in evaluation.origins] == [rows[i][0]
                                                    for i in scored]
    assert evaluation.skipped == len(origins) - len(scored)


def test_evaluate_perfect_seasonal_series():
    rows = [[i * hour, 100.0 + (i % 24)] for i in range(1000)]

    evaluation = forecast.evaluate('constant', forecast_models.constant,
                                   rows)
    model, naive = forecast.scores(evaluation)

    assert naive.mae == 0
    assert naive.rmse == 0
    assert model.mae > 0


def test_seasonal_naive_scale():
    times = np.arange(100) * hour
    values = np.where(np.arange(100) % 48 < 24, 0.0, 2.0)
    values[60] = np.nan

    scale = forecast.seasonal_naive_scale(times, values)

    assert scale == pytest.approx(2.0)


@pytest.mark.slow
def test_command_all_models(uci_file, capsys):
    code = main.main(['forecast', '--file', str(uci_file), *uci_arguments,
                      '--model', 'all', '--share', '0.05'])
    output = capsys.readouterr()

    assert code == 0
    assert sorted(parse_blocks(output.out)) == sorted(
        i.__name__ for i in forecast_models.models)


def test_command_unknown_model(uci_file, capsys):
    code = main.main(['forecast', '--file', str(uci_file), *uci_arguments,
                      '--model', 'Prophet'])
    output = capsys.readouterr()

    assert code == 2
    assert "unknown model 'Prophet'" in output.err
    assert "SeasonalRidge" in output.err
    assert 'Traceback' not in output.err
    assert output.out == ''


def test_command_missing_column(uci_file, capsys):
    arguments = list(uci_arguments)
    arguments[1] = 'PT08.S1'

    code = main.main(['forecast', '--file', str(uci_file), *arguments,
                      '--model', 'linear'])
    output = capsys.readouterr()

    assert code == 2
    assert "column 'PT08.S1' not found" in output.err
    assert "--column" in output.err
    assert 'Traceback' not in output.err


def test_command_missing_file(tmp_path, capsys):
    missing = tmp_path / 'missing.csv'

    code = main.main(['forecast', '--file', str(missing), '--model',
                      'linear'])
    output = capsys.readouterr()

    assert code == 2
    assert str(missing) in output.err
    assert "file not found" in output.err


def test_command_unreadable_file(tmp_path, capsys):
    path = tmp_path / 'binary.csv'
    path.write_bytes(b'\0\1\2' * 100)

    code = main.main(['forecast', '--file', str(path), '--model', 'linear'])
    output = capsys.readouterr()

    assert code == 2
    assert "not a text file" in output.err


def test_command_too_few_readings(tmp_path, capsys):
    path = tmp_path / 'short.csv'
    path.write_text('timestamp,value\n' + ''.join(
        f'2024-01-01 {i:02}:00:00,{i}\n' for i in range(20)))

    code = main.main(['forecast', '--file', str(path), '--model', 'linear'])
    output = capsys.readouterr()

    assert code == 2
    assert "too few readings for an origin: 20 readings" in output.err


def test_command_invalid_hyperparameter(uci_file, capsys):
    code = main.main(['forecast', '--file', str(uci_file), *uci_arguments,
                      '--model', 'MultiOutputSVR', '--hyperparameters',
                      '{"C": -3}'])
    output = capsys.readouterr()

    assert code == 2
    assert "model MultiOutputSVR: value -3.0 of C" in output.err


def test_command_hyperparameters_with_several_models(uci_file, capsys):
    code = main.main(['forecast', '--file', str(uci_file), *uci_arguments,
                      '--model', 'all', '--hyperparameters', '{"C": 3}'])
    output = capsys.readouterr()

    assert code == 2
    assert "give a single --model" in output.err


@pytest.mark.parametrize('share', ['0', '1', 'half'])
def test_command_invalid_share(uci_file, capsys, share):
    with pytest.raises(SystemExit) as e:
        main.main(['forecast', '--file', str(uci_file), '--model',
                   'linear', '--share', share])
    output = capsys.readouterr()

    assert e.value.code == 2
    assert f"invalid share {share!r}" in output.err
