"""Fitting policy shared by the live modules and the offline evaluation

A model is first fitted once `warmup` readings are stored, then again after
every `refit_every` further readings and on every setting change. Each fit
uses at most the latest `max_history` readings received before the fit, so
fits never see a reading from the future and their size stays bounded.

"""

import typing


class FitPolicy(typing.NamedTuple):
    warmup: int = 200
    """readings stored before the first fit"""
    refit_every: int = 500
    """readings between two fits"""
    max_history: int = 4000
    """maximum number of readings one fit uses"""

    def fit_due(self, readings: int, fitted_readings: int | None) -> bool:
        """Whether a fit is due with `readings` stored readings, the last
        fit having been made at `fitted_readings` readings (``None`` when
        the model was never fitted)"""
        if readings < self.warmup:
            return False

        if fitted_readings is None:
            return True

        return readings - fitted_readings >= self.refit_every


default_policy: FitPolicy = FitPolicy()
