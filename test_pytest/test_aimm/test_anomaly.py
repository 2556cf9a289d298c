import datetime
import json
from pathlib import Path

from aimm.plugins import execute
import numpy as np
import pandas as pd
import pytest

from air_supervision.aimm import anomaly
from air_supervision.aimm.common import HyperparameterError


data_path = (Path(anomaly.__file__).parents[1] / 'data' /
             'ambient_temperature_system_failure.csv')

fit_count = 1000
predict_count = 300


@pytest.fixture(scope='module')
def rows():
    data = pd.read_csv(data_path)
    times = [datetime.datetime.strptime(i, '%Y-%m-%d %H:%M:%S')
             .replace(tzinfo=datetime.timezone.utc).timestamp()
             for i in data['timestamp']]
    return [[t, float(v)] for t, v in zip(times, data['value'])]


@pytest.fixture(scope='module', params=anomaly.models,
                ids=lambda i: i.__name__)
def fitted(request, rows):
    return request.param().fit(rows[:fit_count])


def copy(model):
    return type(model).deserialize(model.serialize())


def test_predict_shape_and_types(fitted, rows):
    results = copy(fitted).predict(rows[fit_count:fit_count + predict_count])

    assert len(results) == predict_count
    for flag, score in results:
        assert type(flag) is int
        assert type(score) is float
        assert flag in (0, 1)
        assert 0 <= score <= 1
    assert json.loads(json.dumps(results)) == results


def test_predict_flag_is_score_at_threshold(fitted, rows):
    results = copy(fitted).predict(rows[fit_count:fit_count + predict_count])
    threshold = fitted.params['threshold']

    for flag, score in results:
        assert flag == int(score >= threshold)


def test_predict_empty(fitted):
    assert copy(fitted).predict([]) == []


def test_predict_chunk_invariance(fitted, rows):
    following = rows[fit_count:fit_count + predict_count]
    whole = copy(fitted).predict(following)

    model = copy(fitted)
    chunked = (model.predict(following[:1]) +
               model.predict(following[1:50]) +
               model.predict(following[50:]))

    assert chunked == whole


@pytest.mark.parametrize('model_class', anomaly.models,
                         ids=lambda i: i.__name__)
@pytest.mark.parametrize('threshold, expected', [(0, 1), (1, None)])
def test_threshold_limits(model_class, rows, threshold, expected):
    model = model_class(threshold=threshold).fit(rows[:fit_count])
    results = model.predict(rows[fit_count:fit_count + predict_count])

    for flag, score in results:
        if expected is None:
            assert flag == int(score == 1)
        else:
            assert flag == expected


@pytest.mark.parametrize('model_class', [anomaly.Forest, anomaly.SVM,
                                         anomaly.Cluster],
                         ids=lambda i: i.__name__)
def test_default_threshold_flag_share(model_class, rows):
    model = model_class().fit(rows[:fit_count])
    results = model.predict(rows[:fit_count])
    share = sum(flag for flag, _ in results) / fit_count

    assert share == pytest.approx(1 - model.params['threshold'], abs=0.01)


def test_original_features():
    monday_noon = datetime.datetime(2014, 3, 3, 12,
                                    tzinfo=datetime.timezone.utc)
    sunday_night = datetime.datetime(2014, 3, 9, 23,
                                     tzinfo=datetime.timezone.utc)
    rows = pd.DataFrame({'t': [monday_noon.timestamp(),
                               sunday_night.timestamp()],
                         'value': [70.5, 65.0]}).to_numpy()

    features = anomaly.temperature_features(rows)

    assert features.tolist() == [[70.5, 12, 1, 0, 1],
                                 [65.0, 23, 0, 6, 0]]


def test_rarity_lasting_change_scores_once():
    level = [[i * 300.0, 10.0 + (i % 7) * 0.1] for i in range(2000)]
    shifted = [[(2000 + i) * 300.0, 50.0 + (i % 7) * 0.1]
               for i in range(200)]
    model = anomaly.Rarity().fit(level)

    flags = [flag for flag, _ in model.predict(shifted)]

    assert flags[0] == 1
    assert sum(flags) == 1


@pytest.fixture
def spikes():
    values = 10 + np.random.default_rng(0).normal(size=2100)
    level = [[i * 300.0, values[i]] for i in range(2000)]
    following = [[i * 300.0, values[i]] for i in range(2000, 2100)]
    for position, height in [(5, 20), (15, 30), (25, 40), (60, 50)]:
        following[position][1] = height
    return level, following


@pytest.mark.parametrize('hold, expected', [(0, [5, 15, 25, 60]),
                                            (30, [5, 60])])
def test_rarity_hold_after_flag(spikes, hold, expected):
    level, following = spikes
    model = anomaly.Rarity(hold=hold).fit(level)

    results = model.predict(following)

    assert [i for i, (flag, _) in enumerate(results) if flag] == expected


def test_rarity_hold_chunk_invariance(spikes):
    level, following = spikes
    fitted = anomaly.Rarity(hold=30).fit(level)
    whole = copy(fitted).predict(following)

    model = copy(fitted)
    chunked = (model.predict(following[:6]) +
               model.predict(following[6:20]) +
               model.predict(following[20:]))

    assert chunked == whole


def test_find_period_smooth_series():
    t = np.arange(4000)
    values = np.sin(2 * np.pi * t / 288) + 0.01 * (t % 5)

    assert anomaly.find_period(values, 400, 0.5) == 288


def test_find_period_without_period():
    values = np.linspace(0, 1, 1000)

    assert anomaly.find_period(values, 400, 0.5) == 0


def test_rolling_contrast():
    values = np.array([1.0, 1.0, 1.0, 5.0, 5.0])

    contrast = anomaly.rolling_contrast(values, 2, 2)

    assert contrast.tolist() == [0, 0, 0, 2, 4]


@pytest.mark.parametrize('model_class, name, value', [
    (anomaly.Forest, 'n_estimators', 0),
    (anomaly.SVM, 'nu', 2),
    (anomaly.Cluster, 'n_clusters', 2.5),
    (anomaly.Rarity, 'quiet', 'long'),
    (anomaly.Rarity, 'threshold', 1.5),
    (anomaly.Rarity, 'hold', -1)])
def test_invalid_hyperparameter(model_class, name, value):
    with pytest.raises(HyperparameterError, match=repr(value)):
        model_class(**{name: value})


def test_unknown_hyperparameter():
    with pytest.raises(HyperparameterError, match="'contamination'"):
        anomaly.Forest(contamination=0.1)


@pytest.mark.parametrize('model_class', anomaly.models,
                         ids=lambda i: i.__name__)
def test_aimm_plugin(model_class, rows):
    model_type = f'air_supervision.aimm.anomaly.{model_class.__name__}'

    instance = execute.exec_instantiate(model_type, threshold=0.5)
    instance = execute.exec_fit(model_type, instance, None,
                                rows[:fit_count])
    instance, results = execute.exec_predict(
        model_type, instance, None, rows[fit_count:fit_count + 10])

    assert len(results) == 10
    assert instance.params['threshold'] == 0.5
