from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from air_supervision.aimm import anomaly as anomaly_models
from air_supervision.evaluate import anomaly
from air_supervision.evaluate import main
from air_supervision.policy import FitPolicy


nab_path = Path(__file__).parents[2] / '..' / 'shared' / 'data' / 'nab'

two_files = ['speed_7578.csv', 'art_daily_jumpsdown.csv']


@pytest.fixture
def nab_dir():
    if not (nab_path / 'labels' / 'combined_windows.json').is_file():
        pytest.skip(f"NAB data not found in {nab_path}")
    return nab_path


class RecordingModel(anomaly_models.AnomalyModel):
    """Model that records the readings of each fit and checks that every
    predicted reading is later than all of them"""

    hyperparameters = [anomaly_models.threshold_hyperparameter(0.5)]

    def __init__(self, **hyperparameters):
        super().__init__(**hyperparameters)
        self.fits = []
        self.predicted = 0

    def fit(self, X):
        self.fits.append(len(X))
        self._fitted_until = max(t for t, _ in X)
        return self

    def _score(self, rows):
        assert (rows[:, 0] > self._fitted_until).all()
        self.predicted += len(rows)
        return np.full(len(rows), 0.25)


def test_evaluate_series_never_predicts_fitted_reading():
    rows = np.column_stack([np.arange(2300.0), np.zeros(2300)])
    policy = FitPolicy(warmup=200, refit_every=500, max_history=1000)
    model = RecordingModel()

    scores = anomaly.evaluate_series(lambda: model, rows, policy=policy)

    # fits at 200, 700, 1200, 1700, 2200 readings, each on the latest 1000
    assert model.fits == [200, 700, 1000, 1000, 1000]
    assert model.predicted == 2100
    assert (scores[:200] == 0).all()
    assert (scores[200:] == 0.25).all()


def test_evaluate_series_flags():
    rows = np.column_stack([np.arange(300.0), np.zeros(300)])

    flags = anomaly.evaluate_series(lambda: RecordingModel(threshold=0.2),
                                    rows, flags=True)

    assert (flags[200:] == 1).all()


def test_evaluate_series_shorter_than_warmup():
    rows = np.column_stack([np.arange(50.0), np.zeros(50)])

    scores = anomaly.evaluate_series(RecordingModel, rows)

    assert (scores == 0).all()


def test_command_two_files(nab_dir, tmp_path, capsys):
    code = main.main(['anomaly', '--data', str(nab_dir), '--model',
                      'Rarity', '--out', str(tmp_path), '--plot',
                      '--files', *two_files])
    output = capsys.readouterr()

    assert code == 0
    lines = output.out.strip().split('\n')
    assert lines[-1].startswith('total')
    assert any(i.startswith('realTraffic/speed_7578.csv') for i in lines)
    assert '[2/2]' in output.err

    result_path = (tmp_path / 'Rarity' / 'realTraffic' /
                   'Rarity_speed_7578.csv')
    result = pd.read_csv(result_path)
    assert list(result.columns) == ['timestamp', 'value', 'anomaly_score',
                                    'label']
    assert len(result) == 1127
    assert result['anomaly_score'].between(0, 1).all()
    assert result['label'].sum() > 0
    assert (tmp_path / 'Rarity' / 'realTraffic' /
            'Rarity_speed_7578.png').is_file()

    scores = pd.read_csv(tmp_path / 'Rarity' / 'Rarity_scores.csv')
    assert sorted(scores['file']) == [
        'artificialWithAnomaly/art_daily_jumpsdown.csv',
        'realTraffic/speed_7578.csv']


def test_command_list_models(capsys):
    code = main.main(['anomaly', '--list-models'])

    assert code == 0
    assert capsys.readouterr().out.split() == [
        i.__name__ for i in anomaly_models.models]


def test_command_missing_data_dir(tmp_path, capsys):
    missing = tmp_path / 'missing'

    code = main.main(['anomaly', '--data', str(missing), '--model',
                      'Rarity', '--out', str(tmp_path)])

    assert code == 2
    assert str(missing) in capsys.readouterr().err


def test_command_unknown_model(nab_dir, tmp_path, capsys):
    code = main.main(['anomaly', '--data', str(nab_dir), '--model',
                      'Prophet', '--out', str(tmp_path)])
    error = capsys.readouterr().err

    assert code == 2
    assert "'Prophet'" in error
    assert '--list-models' in error


def test_command_invalid_hyperparameter(nab_dir, tmp_path, capsys):
    code = main.main(['anomaly', '--data', str(nab_dir), '--model',
                      'Rarity', '--out', str(tmp_path),
                      '--hyperparameters', '{"quiet": -3}'])

    assert code == 2
    assert '-3' in capsys.readouterr().err


def test_command_pattern_without_files(nab_dir, tmp_path, capsys):
    code = main.main(['anomaly', '--data', str(nab_dir), '--model',
                      'Rarity', '--out', str(tmp_path),
                      '--files', 'nothing*.csv'])

    assert code == 2
    assert 'nothing*.csv' in capsys.readouterr().err
