"""Event server module that turns gateway readings into readings

Each ``gateway/<device type>/<device>/gateway/reading`` event becomes one
``gui/system/timeseries/reading`` event with the same payload and source
timestamp. A reading whose time is not later than the last stored reading
is dropped, so that a device that sends again after a restart stores each
reading once.

"""

import logging
import math

from hat import aio
from hat import json
import hat.event.common

from air_supervision import common


mlog: logging.Logger = logging.getLogger(__name__)


class ReadingsModule(hat.event.common.Module):

    def __init__(self, conf: json.Data,
                 last_timestamp: hat.event.common.Timestamp | None):
        self._subscription = hat.event.common.create_subscription([
            ('gateway', conf.get('device_type', 'air_readings'), '?',
             'gateway', 'reading')])
        self._last_timestamp = last_timestamp
        self._dropped = 0
        self._async_group = aio.Group()

    @property
    def async_group(self) -> aio.Group:
        return self._async_group

    @property
    def subscription(self) -> hat.event.common.Subscription:
        return self._subscription

    def process(self, source: hat.event.common.Source,
                event: hat.event.common.Event
                ) -> list[hat.event.common.RegisterEvent]:
        data = common.event_data(event)
        error = _check_reading(event, data)
        if error:
            mlog.warning("reading event %s dropped: %s", event.type, error)
            return []

        if (self._last_timestamp is not None and
                event.source_timestamp <= self._last_timestamp):
            self._dropped += 1
            if self._dropped in (1, 10, 100) or self._dropped % 1000 == 0:
                mlog.info("reading %s not later than the last stored one, "
                          "dropped (%s so far)", data['timestamp'],
                          self._dropped)
            return []

        self._last_timestamp = event.source_timestamp
        return [common.json_event(
            common.reading_type,
            {'timestamp': data['timestamp'], 'value': data['value']},
            event.source_timestamp)]


def _check_reading(event, data):
    if event.source_timestamp is None:
        return "no source timestamp"

    if not isinstance(data, dict):
        return f"invalid payload {data!r}: expected an object"

    value = data.get('value')
    if (isinstance(value, bool) or not isinstance(value, (int, float)) or
            not math.isfinite(value)):
        return f"invalid value {value!r}: expected a finite number"

    try:
        timestamp = common.timestamp_from_str(data.get('timestamp'))

    except (TypeError, ValueError):
        return (f"invalid timestamp {data.get('timestamp')!r}: expected "
                f"YYYY-MM-DD HH:MM:SS")

    if timestamp != event.source_timestamp:
        return (f"timestamp {data['timestamp']} differs from the source "
                f"timestamp")


async def create(conf: json.Data, engine: hat.event.common.Engine,
                 source: hat.event.common.Source) -> ReadingsModule:
    result = await engine.query(hat.event.common.QueryLatestParams(
        [common.reading_type]))
    last_timestamp = next((i.source_timestamp for i in result.events), None)
    mlog.info("readings module started, last stored reading %s",
              common.timestamp_to_str(last_timestamp) if last_timestamp
              else None)
    return ReadingsModule(conf, last_timestamp)


info: hat.event.common.ModuleInfo = hat.event.common.ModuleInfo(
    create=create,
    json_schema_id='air-supervision://modules/readings.yaml',
    json_schema_repo=common.json_schema_repo)
