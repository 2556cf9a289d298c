"""Forecast model plugins

Every model forecasts the next :attr:`ForecastModel.horizon` readings from
the latest :attr:`ForecastModel.input_size` readings. A row is ``[t,
value]``, with `t` in UNIX seconds and `value` a float, or ``None`` for a
missing value.

`fit` takes the readings received so far, in time order, and builds its
own training windows of ``input_size + horizon`` consecutive readings. It
leaves out every window that contains a missing value or spans a gap,
which is a step longer than 1.5 times the median step of the series.

`predict` takes a list of windows of ``input_size`` rows each and returns
one list of ``horizon`` floats per window. It fills missing values of a
window by linear interpolation in time, and repeats the nearest known
value before the first or after the last one. A window with no value at
all gets a flat forecast at the mean of the values the model was fitted
on.

"""

from collections.abc import Sequence
import typing

from aimm import plugins
from sklearn import linear_model
from sklearn import multioutput
from sklearn import pipeline
from sklearn import preprocessing
from sklearn import svm
import numpy as np

from air_supervision.aimm.common import Hyperparameter, Model


Row: typing.TypeAlias = Sequence[float | None]
"""Reading as ``[t, value]``: UNIX seconds and value, or ``None``"""

gap_factor: float = 1.5
"""Steps longer than this multiple of the median step are gaps"""


class ForecastModel(Model):
    """Base of the forecast plugins, which builds the windows and fills
    missing values.

    Subclasses implement :meth:`_fit_windows` and :meth:`_predict_windows`
    on arrays of complete windows.

    """

    input_size: typing.ClassVar[int] = 48
    """readings in one input window"""

    horizon: typing.ClassVar[int] = 24
    """readings forecast from one input window"""

    needs_fit: typing.ClassVar[bool] = True
    """whether `predict` needs a fit first"""

    def __init__(self, **hyperparameters):
        super().__init__(**hyperparameters)
        self._mean: float | None = None
        self._fitted = False

    def fit(self, X: Sequence[Row]) -> 'ForecastModel':
        """Fit on the readings `X`, ``[t, value]`` rows in time order.

        Raises:
            ValueError: when `X` contains no complete training window

        """
        times, values = _split_rows(X)
        inputs, outputs, starts = training_windows(
            times, values, self.input_size, self.horizon)
        if not len(inputs):
            raise ValueError(
                f"no training window in {len(times)} readings: expected "
                f"at least {self.input_size + self.horizon} consecutive "
                f"readings with no missing value and no gap")

        self._mean = float(np.nanmean(values))
        self._fit_windows(inputs, outputs, starts)
        self._fitted = True
        return self

    def predict(self, X: Sequence[Sequence[Row]]) -> list[list[float]]:
        """Forecast `horizon` readings after each window of `X`.

        Raises:
            ValueError: when a window does not have `input_size` rows, or
                the model was never fitted

        """
        if self.needs_fit and not self._fitted:
            raise ValueError(f"{type(self).__name__} model is not fitted: "
                             f"fit the model first")

        if not len(X):
            return []

        inputs = np.empty((len(X), self.input_size))
        starts = np.empty(len(X))
        for i, window in enumerate(X):
            if len(window) != self.input_size:
                raise ValueError(
                    f"invalid window {i} with {len(window)} rows: expected "
                    f"{self.input_size} rows of [t, value]")

            times, values = _split_rows(window)
            inputs[i] = self._fill_missing(times, values)
            starts[i] = times[-1] + _median_step(times)

        outputs = self._predict_windows(inputs, starts)
        return [[float(value) for value in row] for row in outputs]

    def _fit_windows(self, inputs: np.ndarray, outputs: np.ndarray,
                     starts: np.ndarray):
        """Fit on `inputs` (windows × input_size) and `outputs` (windows ×
        horizon), where `starts` are the times of the first outputs"""
        raise NotImplementedError()

    def _predict_windows(self, inputs: np.ndarray,
                         starts: np.ndarray) -> np.ndarray:
        """Forecast of shape windows × horizon, see :meth:`_fit_windows`"""
        raise NotImplementedError()

    def _fill_missing(self, times: np.ndarray,
                      values: np.ndarray) -> np.ndarray:
        known = np.isfinite(values)
        if known.all():
            return values

        if known.any():
            return np.interp(times, times[known], values[known])

        if self._mean is None:
            raise ValueError("window with no value before the model was "
                             "fitted: fit the model first")

        return np.full(len(values), self._mean)


@plugins.model
class MultiOutputSVR(ForecastModel):
    """Support vector regression of each output on standardised inputs"""

    description = ("Support vector regression, one model per forecast "
                   "hour, on the latest 48 readings")

    hyperparameters = [
        Hyperparameter(
            name='C', type='float', default=2000.0, minimum=1e-6,
            description="regularisation: larger values fit the training "
                        "windows more closely"),
        Hyperparameter(
            name='epsilon', type='float', default=0.1, minimum=0.0,
            description="half width of the tube within which errors are "
                        "not penalised, in units of the readings"),
        Hyperparameter(
            name='gamma', type='float', default=0.0, minimum=0.0,
            description="RBF kernel coefficient, where 0 selects 1 / "
                        "(inputs × input variance), scikit-learn's "
                        "'scale'")]

    def _fit_windows(self, inputs, outputs, starts):
        gamma = self.params['gamma'] or 'scale'
        svr = svm.SVR(C=self.params['C'], epsilon=self.params['epsilon'],
                      gamma=gamma)
        self._regressor = pipeline.make_pipeline(
            preprocessing.StandardScaler(),
            multioutput.MultiOutputRegressor(svr))
        self._regressor.fit(inputs, outputs)

    def _predict_windows(self, inputs, starts):
        return self._regressor.predict(inputs)


@plugins.model
class linear(ForecastModel):  # NOQA: N801, the model name users select
    """Ordinary least squares of each output on the inputs"""

    description = ("Least squares regression of each forecast hour on the "
                   "latest 48 readings")

    def _fit_windows(self, inputs, outputs, starts):
        self._regressor = linear_model.LinearRegression()
        self._regressor.fit(inputs, outputs)

    def _predict_windows(self, inputs, starts):
        return self._regressor.predict(inputs)


@plugins.model
class constant(ForecastModel):  # NOQA: N801, the model name users select
    """Flat forecast at the last value of the window"""

    description = "Flat forecast at the latest reading"

    needs_fit = False

    def fit(self, X: Sequence[Row]) -> 'constant':
        """Store the mean of `X`, used for windows with no value.

        Unlike the other models, this one needs no training window.

        """
        _, values = _split_rows(X)
        if np.isfinite(values).any():
            self._mean = float(np.nanmean(values))

        return self

    def _predict_windows(self, inputs, starts):
        return np.repeat(inputs[:, -1:], self.horizon, axis=1)


@plugins.model
class SeasonalRidge(ForecastModel):
    """Ridge regression on readings relative to a seasonal profile.

    The profile is the mean reading at each hour of the week (or of the
    day) over the readings given to `fit`. With `log`, readings are
    divided by the profile, in logarithms, otherwise the profile is
    subtracted. One ridge regression forecasts all `horizon` deviations
    from the profile at once from the `input_size` deviations before them,
    and the forecast adds the profile back.

    """

    description = ("Ridge regression of the deviations from the hour of "
                   "the week profile, on the latest 48 readings")

    hyperparameters = [
        Hyperparameter(
            name='alpha', type='float', default=3.0, minimum=0.0,
            description="ridge penalty on the regression coefficients"),
        Hyperparameter(
            name='weekly', type='bool', default=True,
            description="profile by hour of the week (true) or by hour "
                        "of the day (false), in UTC"),
        Hyperparameter(
            name='log', type='bool', default=True,
            description="relative deviations, in logarithms; ignored "
                        "when a fitted reading is not positive")]

    def fit(self, X: Sequence[Row]) -> 'SeasonalRidge':
        times, values = _split_rows(X)
        known = np.isfinite(values)
        self._log = bool(self.params['log'] and known.any() and
                         values[known].min() > 0)
        if self._log:
            self._floor = float(values[known].min())

        self._step = _median_step(times)
        self._profile = _seasonal_profile(
            times[known], self._transform(values[known]), self._slots())
        return super().fit(X)

    def _fit_windows(self, inputs, outputs, starts):
        self._regressor = linear_model.Ridge(alpha=self.params['alpha'])
        self._regressor.fit(self._deviations(inputs, starts, -1),
                            self._deviations(outputs, starts, 1))

    def _predict_windows(self, inputs, starts):
        deviations = self._regressor.predict(
            self._deviations(inputs, starts, -1))
        profile = self._window_profile(starts, self.horizon, 1)
        if self._log:
            return np.exp(deviations + profile)

        return deviations + profile

    def _transform(self, values: np.ndarray) -> np.ndarray:
        if not self._log:
            return values

        # NOTE: values below the smallest fitted reading are raised to it
        # before the logarithm, so a non-positive input cannot fail
        return np.log(np.maximum(values, self._floor))

    def _deviations(self, values: np.ndarray, starts: np.ndarray,
                    direction: int) -> np.ndarray:
        profile = self._window_profile(starts, values.shape[1], direction)
        return self._transform(values) - profile

    def _window_profile(self, starts: np.ndarray, size: int,
                        direction: int) -> np.ndarray:
        """Profile at the `size` steps before (`direction` -1) or from
        (`direction` 1) each start"""
        offsets = (np.arange(-size, 0) if direction < 0
                   else np.arange(size))
        times = starts[:, None] + offsets[None, :] * self._step
        return self._profile[_slot(times, self._slots())]

    def _slots(self) -> int:
        return 168 if self.params['weekly'] else 24


models: list[type[ForecastModel]] = [MultiOutputSVR, linear, constant,
                                     SeasonalRidge]
"""Forecast models selectable by class name"""


def training_windows(times: np.ndarray,
                     values: np.ndarray,
                     input_size: int,
                     horizon: int
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Split a series into complete windows of consecutive readings.

    A window is left out when one of its values is NaN or one of its steps
    is longer than :data:`gap_factor` times the median step of `times`.

    Returns:
        inputs (windows × input_size), outputs (windows × horizon) and the
        time of each window's first output

    """
    size = input_size + horizon
    if len(times) < size:
        return (np.empty((0, input_size)), np.empty((0, horizon)),
                np.empty(0))

    steps = np.diff(times)
    broken_steps = steps > gap_factor * np.median(steps)
    missing = ~np.isfinite(values)

    # window s contains values s .. s + size - 1 and steps s .. s + size - 2
    missing_count = _window_sums(missing, size)
    broken_count = _window_sums(broken_steps, size - 1)
    complete = (missing_count == 0) & (broken_count == 0)

    windows = np.lib.stride_tricks.sliding_window_view(values, size)
    windows = windows[complete]
    starts = times[input_size:][:len(complete)][complete]
    return windows[:, :input_size], windows[:, input_size:], starts


def _slot(times: np.ndarray, slots: int) -> np.ndarray:
    """Hour of the week (`slots` 168, from Monday 00:00 UTC) or of the day
    (`slots` 24) of each UNIX time"""
    # 1970-01-01, day 0 of UNIX time, was a Thursday: 3 days after a Monday
    hours = np.floor(times / 3600).astype(np.int64) + 3 * 24
    return hours % slots


def _seasonal_profile(times: np.ndarray, values: np.ndarray,
                      slots: int) -> np.ndarray:
    """Mean of `values` in each slot, the overall mean in empty slots"""
    slot = _slot(times, slots)
    sums = np.bincount(slot, weights=values, minlength=slots)
    counts = np.bincount(slot, minlength=slots)
    overall = values.mean() if len(values) else 0.0
    return np.where(counts > 0, sums / np.maximum(counts, 1), overall)


def _window_sums(flags: np.ndarray, size: int) -> np.ndarray:
    sums = np.concatenate([[0], np.cumsum(flags)])
    return sums[size:] - sums[:-size]


def _split_rows(rows: Sequence[Row]) -> tuple[np.ndarray, np.ndarray]:
    times = np.array([row[0] for row in rows], dtype=float)
    values = np.array([np.nan if row[1] is None else row[1] for row in rows],
                      dtype=float)
    return times, values


def _median_step(times: np.ndarray) -> float:
    if len(times) < 2:
        return 0.0

    return float(np.median(np.diff(times)))
