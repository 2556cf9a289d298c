import json
import math
from pathlib import Path

from aimm.plugins import decorators
import numpy as np
import pytest

from air_supervision.aimm import forecast
from air_supervision.aimm.common import HyperparameterError
from air_supervision.devices import reader


uci_path = (Path(__file__).parents[2] / '..' / 'shared' / 'data' /
            'uci-air-quality' / 'AirQualityUCI.csv')

uci_options = reader.ReaderOptions(
    value_column='PT08.S1(CO)', time_columns=('Date', 'Time'),
    separator=';', decimal=',', time_format='%d/%m/%Y %H.%M.%S',
    missing=('-200',))

fit_count = 800
window_count = 5

hour = 3600.0
input_size = forecast.ForecastModel.input_size
horizon = forecast.ForecastModel.horizon


@pytest.fixture(scope='module')
def rows():
    if not uci_path.is_file():
        pytest.skip(f"UCI Air Quality data not found in {uci_path}")

    result = reader.read_readings(uci_path, uci_options)
    return [[i.time.timestamp(), i.value] for i in result.readings]


@pytest.fixture(scope='module', params=forecast.models,
                ids=lambda i: i.__name__)
def fitted(request, rows):
    return request.param().fit(rows[:fit_count])


def copy(model):
    return type(model).deserialize(model.serialize())


def windows(rows, count=window_count, start=fit_count):
    return [rows[start + i * horizon:start + i * horizon + input_size]
            for i in range(count)]


def hourly_rows(values, start=0.0):
    return [[start + i * hour, v] for i, v in enumerate(values)]


def test_models_registered_by_name():
    names = [i.__name__ for i in forecast.models]

    assert names[:3] == ['MultiOutputSVR', 'linear', 'constant']
    for name in names:
        model_type = f'air_supervision.aimm.forecast.{name}'
        assert decorators.get_instantiate(model_type)
        assert decorators.get_fit(model_type)
        assert decorators.get_predict(model_type)


def test_predict_shape_and_types(fitted, rows):
    results = copy(fitted).predict(windows(rows))

    assert len(results) == window_count
    for forecast_values in results:
        assert len(forecast_values) == horizon
        for value in forecast_values:
            assert type(value) is float
            assert math.isfinite(value)
    assert json.loads(json.dumps(results)) == results


def test_predict_close_to_readings(fitted, rows):
    results = np.array(fitted.predict(windows(rows)))
    targets = np.array([[row[1] for row in rows[start:start + horizon]]
                        for start in range(fit_count + input_size,
                                           fit_count + input_size +
                                           window_count * horizon,
                                           horizon)])
    spread = np.std([row[1] for row in rows[:fit_count]])

    assert results.shape == targets.shape
    assert np.abs(results - targets).mean() < 2 * spread


def test_predict_empty(fitted):
    assert fitted.predict([]) == []


def test_predict_missing_values(fitted, rows):
    window = [list(i) for i in rows[fit_count:fit_count + input_size]]
    for i in (0, 10, 11, 12, input_size - 1):
        window[i][1] = None
    empty = [[t, None] for t, _ in window]

    results = fitted.predict([window, empty])

    for forecast_values in results:
        assert len(forecast_values) == horizon
        assert all(math.isfinite(i) for i in forecast_values)


def test_predict_invalid_window_length(fitted, rows):
    window = rows[fit_count:fit_count + input_size - 1]

    with pytest.raises(ValueError, match=f"{input_size - 1} rows"):
        fitted.predict([window])


@pytest.mark.parametrize('model_class', forecast.models,
                         ids=lambda i: i.__name__)
def test_predict_before_fit_on_empty_window(model_class):
    window = hourly_rows([None] * input_size)

    with pytest.raises(ValueError, match="fit the model first"):
        model_class().predict([window])


@pytest.mark.parametrize('model_class',
                         [i for i in forecast.models
                          if i is not forecast.constant],
                         ids=lambda i: i.__name__)
def test_predict_before_fit(model_class):
    window = hourly_rows([1.0] * input_size)

    with pytest.raises(ValueError, match=f"{model_class.__name__} model is "
                                         f"not fitted"):
        model_class().predict([window])


@pytest.mark.parametrize('model_class',
                         [i for i in forecast.models
                          if i is not forecast.constant],
                         ids=lambda i: i.__name__)
def test_fit_without_window(model_class):
    values = [1.0] * 50 + [None] + [1.0] * 50

    with pytest.raises(ValueError, match="no training window in 101"):
        model_class().fit(hourly_rows(values))


def test_training_windows_leave_out_gap_and_missing():
    size = input_size + horizon
    times = np.arange(300) * hour
    times[150:] += 5 * hour
    values = np.arange(300, dtype=float)
    values[230] = np.nan

    inputs, outputs, starts = forecast.training_windows(
        times, values, input_size, horizon)

    expected = [s for s in range(300 - size + 1)
                if not (s < 150 < s + size) and
                not (s <= 230 < s + size)]
    assert inputs.shape == (len(expected), input_size)
    assert outputs.shape == (len(expected), horizon)
    assert list(inputs[:, 0]) == expected
    assert list(outputs[:, 0]) == [s + input_size for s in expected]
    assert list(starts) == [times[s + input_size] for s in expected]


def test_training_windows_take_steps_near_median():
    times = np.arange(100) * hour
    times[50:] += 0.4 * hour
    values = np.ones(100)

    inputs, _, _ = forecast.training_windows(times, values, input_size,
                                             horizon)

    assert len(inputs) == 100 - input_size - horizon + 1


class RecordingLinear(forecast.linear):
    """Linear model that keeps the training windows it was fitted on"""

    def _fit_windows(self, inputs, outputs, starts):
        self.windows = np.concatenate([inputs, outputs], axis=1)
        super()._fit_windows(inputs, outputs, starts)


def test_fit_leaves_out_windows_across_gap_and_missing():
    # stretches of 1.0, then 5.0 after a gap, then 9.0 after a missing
    # value, so a window that joins two stretches mixes their values
    size = input_size + horizon
    values = [1.0] * (size + 10) + [5.0] * (size + 5)
    values += [None] + [9.0] * (size + 2)
    rows = hourly_rows(values)
    for row in rows[size + 10:]:
        row[0] += 10 * hour

    model = RecordingLinear().fit(rows)

    assert model.windows.shape == (11 + 6 + 3, size)
    for window in model.windows:
        assert len(set(window)) == 1
    result = model.predict([hourly_rows([5.0] * input_size)])
    assert result[0] == pytest.approx([5.0] * horizon)


def test_constant_repeats_last_known_value():
    model = forecast.constant()
    window = hourly_rows([1.0, 2.0, None, 4.0] * (input_size // 4))
    window[-1][1] = None

    result = model.predict([hourly_rows([7.0] * input_size), window])

    assert result[0] == [7.0] * horizon
    assert result[1] == [2.0] * horizon


def test_constant_empty_window_gets_fitted_mean():
    model = forecast.constant().fit(hourly_rows([2.0, 4.0, None]))

    result = model.predict([hourly_rows([None] * input_size)])

    assert result == [[3.0] * horizon]


def test_linear_continues_trend():
    values = [10.0 + 0.5 * i for i in range(500)]
    model = forecast.linear().fit(hourly_rows(values))

    result = model.predict([hourly_rows(values[-input_size:])])

    expected = [values[-1] + 0.5 * (i + 1) for i in range(horizon)]
    assert result[0] == pytest.approx(expected, rel=1e-6)


def test_linear_interpolates_missing_values():
    values = [10.0 + 0.5 * i for i in range(500)]
    model = forecast.linear().fit(hourly_rows(values))
    window = hourly_rows(values[-input_size:])
    window[20][1] = None
    window[21][1] = None

    result = model.predict([window])

    expected = [values[-1] + 0.5 * (i + 1) for i in range(horizon)]
    assert result[0] == pytest.approx(expected, rel=1e-6)


def test_seasonal_ridge_forecasts_weekly_pattern():
    t = np.arange(24 * 7 * 6)
    day_of_week = (t // 24 + 3) % 7
    values = (100 + 30 * np.sin(2 * np.pi * t / 24) +
              20 * (day_of_week >= 5))
    rows = hourly_rows(values.tolist())
    model = forecast.SeasonalRidge().fit(rows[:-horizon])

    result = model.predict([rows[-horizon - input_size:-horizon]])

    assert result[0] == pytest.approx(values[-horizon:].tolist(), rel=1e-3)


def test_seasonal_ridge_non_positive_values():
    t = np.arange(1000)
    values = 10 * np.sin(2 * np.pi * t / 24)
    model = forecast.SeasonalRidge().fit(hourly_rows(values.tolist()))

    result = model.predict([hourly_rows(values[-input_size:].tolist())])

    assert not model._log
    assert all(math.isfinite(i) for i in result[0])


def test_svr_hyperparameters_reach_sklearn(rows):
    model = forecast.MultiOutputSVR(C=10, epsilon=0.5, gamma=0.01)
    model.fit(rows[:300])

    svr = model._regressor[-1].estimators_[0]
    assert svr.C == 10.0
    assert svr.epsilon == 0.5
    assert svr.gamma == 0.01


def test_svr_default_hyperparameters():
    model = forecast.MultiOutputSVR()

    assert model.params == {'C': 2000.0, 'epsilon': 0.1, 'gamma': 0.0}


@pytest.mark.parametrize('model_class, hyperparameters, text', [
    (forecast.MultiOutputSVR, {'C': -1}, "-1"),
    (forecast.MultiOutputSVR, {'epsilon': 'wide'}, "'wide'"),
    (forecast.MultiOutputSVR, {'gamma': math.inf}, "inf"),
    (forecast.SeasonalRidge, {'alpha': -0.5}, "-0.5"),
    (forecast.SeasonalRidge, {'weekly': 1}, "1 for weekly"),
    (forecast.linear, {'fit_intercept': True}, "'fit_intercept'"),
    (forecast.constant, {'C': 1}, "'C'")])
def test_invalid_hyperparameter_named(model_class, hyperparameters, text):
    with pytest.raises(HyperparameterError, match=text):
        model_class(**hyperparameters)
