"""Event server module that flags anomalous readings"""

from hat import json
import hat.event.common

from air_supervision import common
from air_supervision.modules.controller.common import (GenericReadingsModule,
                                                       TimedReading)
from air_supervision.modules.controller.model import specs_from_plugin_module
import air_supervision.aimm.anomaly


class AnomalyModule(GenericReadingsModule):
    """Registers one ``gui/system/timeseries/anomaly`` event per reading
    after the warm-up, with the verdict and the score of the current
    model"""

    family = 'anomaly'
    specs = specs_from_plugin_module(air_supervision.aimm.anomaly)

    def create_rows(self, readings: list[TimedReading]
                    ) -> tuple[list[TimedReading], list[json.Data]]:
        return readings, [i.row for i in readings]

    def create_results(self, model: str, readings: list[TimedReading],
                       prediction: json.Data
                       ) -> list[hat.event.common.RegisterEvent]:
        if len(prediction) != len(readings):
            raise ValueError(f"{len(prediction)} results for "
                             f"{len(readings)} readings")

        entry = self._models[model]
        threshold = entry.hyperparameters.get('threshold')
        events = []
        for reading, (flag, score) in zip(readings, prediction):
            events.append(common.json_event(
                common.result_type(self.family),
                {'timestamp': reading.time,
                 'value': reading.value,
                 'result': int(flag),
                 'score': float(score),
                 'threshold': threshold,
                 'model': model},
                reading.timestamp))

        return events


async def create(conf: json.Data, engine: hat.event.common.Engine,
                 source: hat.event.common.Source) -> AnomalyModule:
    return AnomalyModule(conf, engine, source)


info: hat.event.common.ModuleInfo = hat.event.common.ModuleInfo(
    create=create,
    json_schema_id='air-supervision://modules/anomaly.yaml',
    json_schema_repo=common.json_schema_repo)
