"""Fitting policy shared by the live modules and the offline evaluation

A model is first fitted once `warmup` readings are stored, again at twice
that many, then after every `refit_every` further readings, and on every
setting change. Each fit
uses at most the latest `max_history` readings received before the fit, so
fits never see a reading from the future and their size stays bounded.

"""

import typing


class FitPolicy(typing.NamedTuple):
    warmup: int = 100
    """readings stored before the first fit"""
    refit_every: int = 500
    """readings between two fits"""
    max_history: int = 4000
    """maximum number of readings one fit uses"""

    def next_fit(self, fitted_readings: int | None) -> int:
        """Number of stored readings at which the next fit is due, the
        last fit having been made at `fitted_readings` readings (``None``
        when the model was never fitted).

        The second fit comes when the history has doubled since the
        warm-up, so that the first model, fitted on few readings, is soon
        replaced.

        """
        if fitted_readings is None:
            return self.warmup

        if fitted_readings < 2 * self.warmup:
            return 2 * self.warmup

        return fitted_readings + self.refit_every

    def fit_due(self, readings: int, fitted_readings: int | None) -> bool:
        """Tell whether a fit is due with `readings` stored readings, by
        :meth:`next_fit`"""
        return readings >= self.next_fit(fitted_readings)


default_policy: FitPolicy = FitPolicy()
