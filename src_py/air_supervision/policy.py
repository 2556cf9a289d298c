"""Fitting policy shared by the live modules and the offline evaluation

A model is first fitted once `warmup` readings are stored, again each time
the history has doubled until `settled` readings are stored, then after
every `refit_every` further readings, and on every setting change. The
short warm-up gives results soon after a first start, and the early refits
soon replace a model fitted on few readings. Each fit uses at most the
latest `max_history` readings received before the fit, so fits never see
a reading from the future and their size stays bounded.

"""

import typing


class FitPolicy(typing.NamedTuple):
    warmup: int = 50
    """readings stored before the first fit"""
    settled: int = 200
    """readings from which fits come every `refit_every` readings; before,
    each fit comes when the history has doubled"""
    refit_every: int = 500
    """readings between two fits"""
    max_history: int = 4000
    """maximum number of readings one fit uses"""

    def next_fit(self, fitted_readings: int | None) -> int:
        """Return the number of stored readings at which the next fit is
        due, the last fit having been made at `fitted_readings` readings
        (``None`` when the model was never fitted)"""
        if fitted_readings is None:
            return self.warmup

        if fitted_readings < self.settled:
            return min(max(2 * fitted_readings, 1), self.settled)

        return fitted_readings + self.refit_every

    def fit_due(self, readings: int, fitted_readings: int | None) -> bool:
        """Tell whether a fit is due with `readings` stored readings, by
        :meth:`next_fit`"""
        return readings >= self.next_fit(fitted_readings)


default_policy: FitPolicy = FitPolicy()
