"""Anomaly models: AIMM plugins that flag anomalous readings

Every model takes rows ``[t, value]`` (``t`` in UNIX seconds), is fitted on
the readings received so far and predicts the readings that follow them.
:meth:`AnomalyModel.predict` returns one ``[flag, score]`` per row, the
score in [0, 1] and the flag 1 exactly when the score reaches the model's
``threshold`` hyperparameter.

`Forest`, `SVM` and `Cluster` are the estimators of the original example
on its five features of a temperature reading. Their score is the
empirical quantile of the estimator's raw anomaly score among the scores
of the fitted readings, so the default threshold flags the same share of
readings as the original did.

"""

import datetime
import typing

from aimm import plugins
import numpy as np
import sklearn.cluster
import sklearn.decomposition
import sklearn.ensemble
import sklearn.pipeline
import sklearn.preprocessing
import sklearn.svm

from air_supervision.aimm.common import Hyperparameter, Model


def threshold_hyperparameter(default: float) -> Hyperparameter:
    """Declaration of the ``threshold`` every anomaly model has"""
    return Hyperparameter(
        name='threshold', type='float', default=default,
        description="score from which a reading is flagged as an anomaly",
        minimum=0, maximum=1)


class AnomalyModel(Model):
    """Base of the anomaly models.

    Subclasses implement :meth:`fit` and :meth:`_score`, which maps rows
    that follow the fitted readings to scores in [0, 1].

    """

    def fit(self, X: list[list[float]]) -> 'AnomalyModel':
        """Fit on the readings received so far, in time order.

        Args:
            X: rows ``[t, value]``, ``t`` in UNIX seconds

        Returns:
            the fitted model itself

        """
        raise NotImplementedError()

    def predict(self, X: list[list[float]]) -> list[list[int | float]]:
        """Score readings that follow the fitted ones, in time order.

        Args:
            X: rows ``[t, value]``, ``t`` in UNIX seconds

        Returns:
            one ``[flag, score]`` per row, `flag` 1 when `score` is at
            least the ``threshold`` hyperparameter and 0 otherwise

        """
        rows = _to_array(X)
        if len(rows) == 0:
            return []

        scores = np.clip(self._score(rows), 0.0, 1.0)
        flags = (scores >= self.params['threshold']).astype(int)
        return [[flag, score]
                for flag, score in zip(flags.tolist(), scores.tolist())]

    def _score(self, rows: np.ndarray) -> np.ndarray:
        raise NotImplementedError()


class TemperatureFeatureModel(AnomalyModel):
    """Base of the estimators of the original example.

    A reading becomes the features temperature value, hour of day,
    daylight flag (hours 7 to 22), weekday (0 is Monday) and workday flag
    (Monday to Friday), all from `t` in UTC, standardised before the
    estimator.

    """

    def fit(self, X: list[list[float]]) -> 'TemperatureFeatureModel':
        features = temperature_features(_to_array(X))
        self._pipeline = self._create_pipeline()
        self._pipeline.fit(features)
        self._fit_scores = np.sort(self._raw_score(features))
        return self

    def _score(self, rows: np.ndarray) -> np.ndarray:
        raw_scores = self._raw_score(temperature_features(rows))
        ranks = np.searchsorted(self._fit_scores, raw_scores, side='left')
        return ranks / len(self._fit_scores)

    def _create_pipeline(self) -> sklearn.pipeline.Pipeline:
        raise NotImplementedError()

    def _raw_score(self, features: np.ndarray) -> np.ndarray:
        """Estimator's anomaly score, higher for more anomalous readings"""
        raise NotImplementedError()


@plugins.model
class Forest(TemperatureFeatureModel):
    description = ("Isolation forest on the value, hour, daylight, weekday "
                   "and workday of each reading")
    hyperparameters = [
        Hyperparameter(
            name='n_estimators', type='int', default=100,
            description="number of trees", minimum=1, maximum=1000),
        Hyperparameter(
            name='max_features', type='float', default=1.0,
            description="share of the features each tree draws",
            minimum=0.2, maximum=1),
        threshold_hyperparameter(0.99)]

    def _create_pipeline(self) -> sklearn.pipeline.Pipeline:
        forest = sklearn.ensemble.IsolationForest(
            n_estimators=self.params['n_estimators'],
            max_features=self.params['max_features'],
            random_state=0)
        return sklearn.pipeline.make_pipeline(
            sklearn.preprocessing.StandardScaler(), forest)

    def _raw_score(self, features: np.ndarray) -> np.ndarray:
        return -self._pipeline.score_samples(features)


@plugins.model
class SVM(TemperatureFeatureModel):
    description = ("One-class SVM on the value, hour, daylight, weekday "
                   "and workday of each reading")
    hyperparameters = [
        Hyperparameter(
            name='nu', type='float', default=0.0475,
            description="upper bound of the share of fitted readings "
                        "outside the boundary",
            minimum=1e-4, maximum=1),
        Hyperparameter(
            name='gamma', type='float', default=0.2,
            description="RBF kernel coefficient, 0.2 being scikit-learn's "
                        "'scale' on the five standardised features",
            minimum=1e-4, maximum=100),
        threshold_hyperparameter(0.9525)]

    def _create_pipeline(self) -> sklearn.pipeline.Pipeline:
        svm = sklearn.svm.OneClassSVM(nu=self.params['nu'],
                                      gamma=self.params['gamma'])
        return sklearn.pipeline.make_pipeline(
            sklearn.preprocessing.StandardScaler(), svm)

    def _raw_score(self, features: np.ndarray) -> np.ndarray:
        return -self._pipeline.decision_function(features)


@plugins.model
class Cluster(TemperatureFeatureModel):
    description = ("Distance to the nearest k-means centre of the value, "
                   "hour, daylight, weekday and workday projected on "
                   "their principal components")
    hyperparameters = [
        Hyperparameter(
            name='n_components', type='int', default=2,
            description="number of principal components kept",
            minimum=1, maximum=5),
        Hyperparameter(
            name='n_clusters', type='int', default=15,
            description="number of k-means clusters",
            minimum=1, maximum=100),
        threshold_hyperparameter(0.99)]

    def _create_pipeline(self) -> sklearn.pipeline.Pipeline:
        pca = sklearn.decomposition.PCA(
            n_components=self.params['n_components'])
        kmeans = sklearn.cluster.KMeans(
            n_clusters=self.params['n_clusters'], n_init=10,
            random_state=0)
        return sklearn.pipeline.make_pipeline(
            sklearn.preprocessing.StandardScaler(), pca, kmeans)

    def fit(self, X: list[list[float]]) -> 'Cluster':
        if len(X) < self.params['n_clusters']:
            raise ValueError(
                f"cannot fit {self.params['n_clusters']} clusters on "
                f"{len(X)} readings: expected at least as many readings "
                f"as clusters")
        return super().fit(X)

    def _raw_score(self, features: np.ndarray) -> np.ndarray:
        return self._pipeline.transform(features).min(axis=1)


@plugins.model
class Rarity(AnomalyModel):
    """Rarity of the latest readings among the fitted ones.

    Each reading gets several views of the series ending at it: the value,
    its change, rolling means over 6, 24 and 96 readings, rolling standard
    deviations over 12 and 96 readings and four contrasts of a recent
    mean with the mean just before it. When the fitted readings have a
    clear period, one more view is the mean over 6 readings of the
    difference to one period before. The surprise of a view is
    ``-log10`` of its two-sided empirical tail probability among the
    fitted readings, extended beyond their range by the distance in
    interquartile ranges, so all views share one scale. A reading's
    surprise is the largest surprise of its views plus a quarter of the
    second largest, mapped to [0, 1) by ``u / (u + 3)``.

    The score is how far the surprise rises above the highest surprise of
    the previous `quiet` readings, so a lasting change scores once, when
    it starts, and a series with frequent rare readings raises its own bar.
    The `hold` readings after a flagged one score 0, because a rise over
    a few readings in a row otherwise flags each of them. A `hold` of 40
    in place of 30 scores slightly higher on NAB.

    Reasons for the views: the value, level and spread views catch spikes
    and level changes against the whole fitted history. The contrasts
    (the reading against the previous 48, the mean of 6 against the
    previous 96, the mean of 12 against the previous 288 and the mean of
    24 against the previous 576 readings) catch a change relative to the
    recent level that stays inside the fitted range, such as a drop to a
    level seen weeks before. The longest contrast catches a slow shift
    that the shorter ones follow. The second largest surprise counts
    because a change that two views see at once is more often a real
    one than a change that only one view sees (it raised the NAB
    standard score from 68.90 to 70.31). The
    seasonal difference catches a change of a daily shape whose values
    all lie in the usual range. The period is searched only beyond the
    first lag whose autocorrelation is negative, because a smooth series
    has its highest autocorrelation at the shortest lag.

    """

    description = ("Rarity of the latest readings' value, change, level, "
                   "spread and seasonal difference, scored when it rises "
                   "above the recent maximum")
    hyperparameters = [
        Hyperparameter(
            name='quiet', type='int', default=1500,
            description="number of previous readings whose highest "
                        "surprise a reading must exceed to score",
            minimum=1, maximum=100000),
        Hyperparameter(
            name='seasonal', type='bool', default=True,
            description="compare each reading with one period before "
                        "when the fitted readings have a period"),
        Hyperparameter(
            name='max_period', type='int', default=400,
            description="maximum period searched, in readings",
            minimum=4, maximum=10000),
        Hyperparameter(
            name='hold', type='int', default=40,
            description="number of readings after a flagged one that "
                        "score 0",
            minimum=0, maximum=100000),
        threshold_hyperparameter(0.006548)]

    mean_windows: typing.ClassVar[tuple[int, ...]] = (6, 24, 96)
    std_windows: typing.ClassVar[tuple[int, ...]] = (12, 96)
    contrast_windows: typing.ClassVar[tuple[tuple[int, int], ...]] = (
        (1, 48), (6, 96), (12, 288), (24, 576))
    """pairs (recent, before): the mean of the latest `recent` readings
    minus the mean of the `before` readings preceding them"""
    seasonal_window: typing.ClassVar[int] = 6
    min_autocorrelation: typing.ClassVar[float] = 0.5
    """autocorrelation from which a lag counts as the series' period"""
    surprise_scale: typing.ClassVar[float] = 3.0
    second_view_weight: typing.ClassVar[float] = 0.25
    """weight of the second largest view surprise added to the largest"""

    def fit(self, X: list[list[float]]) -> 'Rarity':
        values = _to_array(X)[:, 1]
        if len(values) == 0:
            raise ValueError("cannot fit on no readings: expected at "
                             "least one reading")

        self._period = (find_period(values, self.params['max_period'],
                                    self.min_autocorrelation)
                        if self.params['seasonal'] else 0)
        self._references = [_reference(i) for i in self._views(values)]

        # The tail keeps enough readings to compute every view of the
        # next reading, so results do not depend on how rows are chunked.
        tail_length = max(*self.mean_windows, *self.std_windows,
                          *(sum(i) for i in self.contrast_windows), 2)
        if self._period:
            tail_length = max(tail_length,
                              self._period + self.seasonal_window)
        self._tail = values[-tail_length:]
        self._recent = self._surprise(values)[-self.params['quiet']:]

        # NOTE: a fit resets the hold, so a reading within `hold`
        # readings of a flag made before the fit can be flagged again.
        self._since_flag = self.params['hold']
        return self

    def _score(self, rows: np.ndarray) -> np.ndarray:
        values = np.concatenate([self._tail, rows[:, 1]])
        surprise = self._surprise(values)[len(self._tail):]

        quiet = self.params['quiet']
        history = np.concatenate([np.zeros(max(0, quiet - len(self._recent))),
                                  self._recent, surprise])
        previous_max = np.lib.stride_tricks.sliding_window_view(
            history[:-1], quiet).max(axis=1)[-len(surprise):]

        self._tail = values[-len(self._tail):]
        self._recent = history[-quiet:]
        return self._hold_after_flags(np.maximum(surprise - previous_max, 0))

    def _hold_after_flags(self, scores: np.ndarray) -> np.ndarray:
        """Set the scores of the `hold` readings after each flagged
        reading to 0"""
        threshold = self.params['threshold']
        hold = self.params['hold']
        held = scores.copy()

        for i, score in enumerate(scores):
            if self._since_flag < hold:
                held[i] = 0
                self._since_flag += 1

            elif score >= threshold:
                self._since_flag = 0

            else:
                self._since_flag = hold

        return held

    def _views(self, values: np.ndarray) -> list[np.ndarray]:
        views = [values, np.diff(values, prepend=values[0])]
        views.extend(rolling_mean_std(values, i)[0]
                     for i in self.mean_windows)
        views.extend(rolling_mean_std(values, i)[1]
                     for i in self.std_windows)
        views.extend(rolling_contrast(values, recent, before)
                     for recent, before in self.contrast_windows)

        if self._period:
            differences = np.zeros(len(values))
            differences[self._period:] = (values[self._period:] -
                                          values[:-self._period])
            views.append(
                rolling_mean_std(differences, self.seasonal_window)[0])

        return views

    def _surprise(self, values: np.ndarray) -> np.ndarray:
        view_surprises = []
        for (reference, spread), view in zip(self._references,
                                             self._views(values)):
            count = len(reference)
            below = np.searchsorted(reference, view, side='left')
            above = count - np.searchsorted(reference, view, side='right')
            tail = (np.minimum(below, above) + 1) / (count + 1)
            outside = np.maximum(np.maximum(view - reference[-1],
                                            reference[0] - view), 0)
            view_surprises.append(-np.log10(tail) +
                                  outside / spread / np.log(10))

        # Every reading has at least ten views, so the second largest
        # always exists.
        ranked = np.sort(np.array(view_surprises), axis=0)
        surprise = ranked[-1] + self.second_view_weight * ranked[-2]
        return surprise / (surprise + self.surprise_scale)


models: list[type[AnomalyModel]] = [Forest, SVM, Cluster, Rarity]
"""Selectable anomaly models"""


def temperature_features(rows: np.ndarray) -> np.ndarray:
    """Features of the original example from rows ``[t, value]``:
    value, hour of day, daylight flag, weekday and workday flag, in UTC"""
    times = [datetime.datetime.fromtimestamp(t, datetime.timezone.utc)
             for t in rows[:, 0]]
    hours = np.array([i.hour for i in times], dtype=float)
    weekdays = np.array([i.weekday() for i in times], dtype=float)
    daylight = ((hours >= 7) & (hours <= 22)).astype(float)
    workday = (weekdays < 5).astype(float)
    return np.column_stack([rows[:, 1], hours, daylight, weekdays, workday])


def rolling_mean_std(values: np.ndarray, window: int
                     ) -> tuple[np.ndarray, np.ndarray]:
    """Mean and standard deviation of each value with the `window` - 1
    values before it, over fewer values at the start.

    Each window is summed on its own, not by running sums, so a value's
    result does not depend on how far back the array starts.

    """
    padded = np.concatenate([np.full(window - 1, np.nan), values])
    windows = np.lib.stride_tricks.sliding_window_view(padded, window)
    return np.nanmean(windows, axis=1), np.nanstd(windows, axis=1)


def rolling_contrast(values: np.ndarray, recent: int, before: int
                     ) -> np.ndarray:
    """Mean of each value with the `recent` - 1 values before it minus the
    mean of the `before` values preceding those, over fewer values at the
    start and 0 for the first value.

    Each window is averaged on its own, as in :func:`rolling_mean_std`.

    """
    recent_mean = rolling_mean_std(values, recent)[0]
    padded = np.concatenate([np.full(recent + before - 1, np.nan), values])
    windows = np.lib.stride_tricks.sliding_window_view(
        padded, before)[:len(values)]
    counts = np.count_nonzero(~np.isnan(windows), axis=1)
    sums = np.nansum(windows, axis=1)
    before_mean = np.where(counts > 0, sums / np.maximum(counts, 1),
                           recent_mean)
    return recent_mean - before_mean


def find_period(values: np.ndarray, max_period: int,
                min_autocorrelation: float) -> int:
    """Lag up to `max_period` readings with the highest autocorrelation
    beyond the first negative one (and at least 4), or 0 when there is no
    such lag or its autocorrelation is below `min_autocorrelation`"""
    centred = values - values.mean()
    high = min(max_period, len(values) // 3)
    if high <= 4 or not centred.any():
        return 0

    spectrum = np.fft.rfft(centred, 2 * len(values))
    autocorrelation = np.fft.irfft(spectrum * np.conj(spectrum))
    autocorrelation = autocorrelation[:high] / autocorrelation[0]

    negative = np.flatnonzero(autocorrelation < 0)
    if len(negative) == 0:
        return 0

    low = max(4, int(negative[0]) + 1)
    if low >= high:
        return 0

    period = low + int(np.argmax(autocorrelation[low:high]))
    if autocorrelation[period] < min_autocorrelation:
        return 0

    return period


def _reference(view: np.ndarray) -> tuple[np.ndarray, float]:
    """Sorted view of the fitted readings and its interquartile range,
    kept above 0 for constant series"""
    reference = np.sort(view)
    low, high = np.quantile(reference, [0.25, 0.75])
    spread = max(high - low, 1e-9 * (abs(np.median(reference)) + 1))
    return reference, spread


def _to_array(X: typing.Sequence[typing.Sequence[float]]) -> np.ndarray:
    rows = np.asarray(X, dtype=float)
    if rows.size == 0:
        return rows.reshape(0, 2)

    if rows.ndim != 2 or rows.shape[1] != 2:
        raise ValueError(
            f"invalid readings of shape {rows.shape}: expected rows "
            f"[t, value]")

    return rows
