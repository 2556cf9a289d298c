"""Gateway device that replays a readings file

The device reads its file once at start, queries the event server for the
last stored reading and sends the readings after it, each as a
``gateway/air_readings/<name>/gateway/reading`` event with the reading's
time as source timestamp. So a restarted device continues where the stored
readings end instead of starting over. Without a file in its configuration
it replays the built-in NAB series of an office temperature, converted to
degrees Celsius.

"""

import asyncio
import importlib.resources
import logging
import pathlib

from hat import aio
from hat import json
import hat.event.common
import hat.event.eventer
import hat.gateway.common

from air_supervision import common
from air_supervision.devices import reader


mlog: logging.Logger = logging.getLogger(__name__)

builtin_file: str = 'ambient_temperature_system_failure.csv'
"""Built-in readings file in the package's data folder"""

builtin_options: reader.ReaderOptions = reader.ReaderOptions(
    convert='fahrenheit_to_celsius')


class ReadingsDevice(hat.gateway.common.Device):

    def __init__(self, conf: json.Data,
                 eventer_client: hat.event.eventer.Client,
                 event_type_prefix: hat.gateway.common.EventTypePrefix):
        self._conf = conf
        self._client = eventer_client
        self._reading_type = (*event_type_prefix, 'gateway', 'reading')
        self._rate = conf.get('rate', 2)
        self._batch_size = conf.get('batch_size', 100)
        self._async_group = aio.Group()
        self._async_group.spawn(self._replay_loop)

    @property
    def async_group(self) -> aio.Group:
        return self._async_group

    def process_event(self, event: hat.event.common.Event):
        pass

    async def _replay_loop(self):
        name = self._conf['name']
        mlog.info("device %s started", name)
        try:
            readings = await self._load()
            last = await self._query_last_stored()
            if last is not None:
                readings = [i for i in readings if i.time > last]
                mlog.info("last stored reading %s, %s readings left",
                          common.time_to_str(last), len(readings))

            if not readings:
                mlog.info("no readings left to send")

            elif self._rate:
                await self._send_at_rate(readings)

            else:
                await self._send_in_batches(readings)

            mlog.info("replay finished")
            await asyncio.Future()

        except reader.ReaderError as e:
            mlog.error("device %s cannot use its readings file: %s", name, e)

        except ConnectionError as e:
            mlog.error("device %s lost the event server: %s", name, e)

        except Exception as e:
            mlog.error("device %s error: %s", name, e, exc_info=e)

        finally:
            mlog.info("device %s stopped", name)
            self.close()

    async def _load(self):
        if self._conf.get('file'):
            path = pathlib.Path(self._conf['file'])
            options = reader.options_from_conf(self._conf.get('reader', {}))

        else:
            path = importlib.resources.files('air_supervision') / 'data' / \
                builtin_file
            options = builtin_options

        with importlib.resources.as_file(path) as file_path:
            result = await asyncio.to_thread(reader.read_readings,
                                             file_path, options)

        mlog.info("read %s readings from %s (%s lines skipped, %s gaps)",
                  len(result.readings), path, len(result.skipped),
                  len(result.gaps))
        return result.readings

    async def _query_last_stored(self):
        result = await self._client.query(hat.event.common.QueryLatestParams(
            [common.reading_type]))
        event = next(iter(result.events), None)
        if event is None or event.source_timestamp is None:
            return None

        return hat.event.common.timestamp_to_datetime(event.source_timestamp)

    async def _send_at_rate(self, readings):
        loop = asyncio.get_running_loop()
        period = 1 / self._rate
        start = loop.time()
        for i, reading in enumerate(readings):
            delay = start + i * period - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)

            await self._client.register([self._reading_event(reading)])

    async def _send_in_batches(self, readings):
        for i in range(0, len(readings), self._batch_size):
            batch = readings[i:i + self._batch_size]
            result = await self._client.register(
                [self._reading_event(j) for j in batch], with_response=True)
            if result is None:
                raise ConnectionError("event server rejected readings")

    def _reading_event(self, reading):
        return common.json_event(
            self._reading_type,
            {'timestamp': common.time_to_str(reading.time),
             'value': reading.value},
            hat.event.common.timestamp_from_datetime(reading.time))


async def create(conf: json.Data,
                 eventer_client: hat.event.eventer.Client,
                 event_type_prefix: hat.gateway.common.EventTypePrefix
                 ) -> ReadingsDevice:
    if conf.get('file'):
        reader.options_from_conf(conf.get('reader', {}))

    return ReadingsDevice(conf, eventer_client, event_type_prefix)


info: hat.gateway.common.DeviceInfo = hat.gateway.common.DeviceInfo(
    type='air_readings',
    create=create,
    json_schema_id='air-supervision://devices/air_readings.yaml',
    json_schema_repo=common.json_schema_repo)
