"""Event server module that forecasts the next readings"""

import statistics

from hat import json
import hat.event.common

from air_supervision import common
from air_supervision.modules.controller.common import (GenericReadingsModule,
                                                       TimedReading)
from air_supervision.modules.controller.model import specs_from_plugin_module
import air_supervision.aimm.forecast


input_size: int = air_supervision.aimm.forecast.ForecastModel.input_size
horizon: int = air_supervision.aimm.forecast.ForecastModel.horizon

max_gap_ratio: float = 1.5
"""step between two readings of one window, as a multiple of the usual
step, above which the window spans a gap"""


class ForecastModule(GenericReadingsModule):
    """Registers one ``gui/system/timeseries/forecast`` event per reading
    whose latest `input_size` readings have no gap, with the forecast of
    the next `horizon` readings.

    A reading whose window spans a gap, or which has fewer readings before
    it, gets no forecast.

    """

    family = 'forecast'
    specs = specs_from_plugin_module(air_supervision.aimm.forecast)
    context_size = input_size
    min_fit_readings = input_size + horizon

    def create_rows(self, readings: list[TimedReading]
                    ) -> tuple[list[TimedReading], list[json.Data]]:
        origins = []
        windows = []
        for window in self._readings.windows(readings, input_size):
            if len(window) < input_size or _has_gap(window):
                continue

            origins.append(window[-1])
            windows.append([i.row for i in window])

        return origins, windows

    def create_results(self, model: str, readings: list[TimedReading],
                       prediction: json.Data
                       ) -> list[hat.event.common.RegisterEvent]:
        if len(prediction) != len(readings):
            raise ValueError(f"{len(prediction)} forecasts for "
                             f"{len(readings)} origins")

        step = self._step()
        events = []
        for reading, values in zip(readings, prediction):
            if len(values) != horizon:
                raise ValueError(f"forecast of {len(values)} values: "
                                 f"expected {horizon}")

            result = [{'timestamp': common.timestamp_to_str(
                           reading.timestamp.add(step * (i + 1))),
                       'value': float(value)}
                      for i, value in enumerate(values)]
            events.append(common.json_event(
                common.result_type(self.family),
                {'timestamp': reading.time,
                 'value': reading.value,
                 'model': model,
                 'result': result},
                reading.timestamp))

        return events

    def _step(self) -> float:
        context = self._readings.context
        steps = _steps(context)
        return statistics.median(steps) if steps else 3600


def _steps(readings: list[TimedReading]) -> list[float]:
    times = [hat.event.common.timestamp_to_float(i.timestamp)
             for i in readings]
    return [b - a for a, b in zip(times, times[1:])]


def _has_gap(window: list[TimedReading]) -> bool:
    steps = _steps(window)
    usual = statistics.median(steps)
    return max(steps) > max_gap_ratio * usual


async def create(conf: json.Data, engine: hat.event.common.Engine,
                 source: hat.event.common.Source) -> ForecastModule:
    return ForecastModule(conf, engine, source)


info: hat.event.common.ModuleInfo = hat.event.common.ModuleInfo(
    create=create,
    json_schema_id='air-supervision://modules/forecast.yaml',
    json_schema_repo=common.json_schema_repo)
