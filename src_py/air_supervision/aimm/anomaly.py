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


models: list[type[AnomalyModel]] = [Forest, SVM, Cluster]
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


def _to_array(X: typing.Sequence[typing.Sequence[float]]) -> np.ndarray:
    rows = np.asarray(X, dtype=float)
    if rows.size == 0:
        return rows.reshape(0, 2)

    if rows.ndim != 2 or rows.shape[1] != 2:
        raise ValueError(
            f"invalid readings of shape {rows.shape}: expected rows "
            f"[t, value]")

    return rows
