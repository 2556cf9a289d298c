"""Event server module that enables the gateway devices at start"""

import logging

from hat import aio
from hat import json
import hat.event.common

from air_supervision import common


mlog: logging.Logger = logging.getLogger(__name__)


class EnableAllModule(hat.event.common.Module):
    """Registers ``gateway/<type>/<name>/system/enable`` true for each
    configured device once the module starts, and subscribes to nothing"""

    def __init__(self, conf: json.Data, engine: hat.event.common.Engine,
                 source: hat.event.common.Source):
        self._devices = conf.get('devices', [['air_readings', 'readings']])
        self._engine = engine
        self._source = source
        self._async_group = aio.Group()
        self._async_group.spawn(self._enable)

    @property
    def async_group(self) -> aio.Group:
        return self._async_group

    @property
    def subscription(self) -> hat.event.common.Subscription:
        return hat.event.common.create_subscription([])

    def process(self, source, event):
        return None

    async def _enable(self):
        events = [common.json_event(('gateway', device_type, name, 'system',
                                     'enable'), True)
                  for device_type, name in self._devices]
        try:
            await self._engine.register(self._source, events)
            mlog.info("enabled devices %s", self._devices)

        except Exception as e:
            mlog.error("enabling devices failed: %s", e, exc_info=e)


def create(conf: json.Data, engine: hat.event.common.Engine,
           source: hat.event.common.Source) -> EnableAllModule:
    return EnableAllModule(conf, engine, source)


info: hat.event.common.ModuleInfo = hat.event.common.ModuleInfo(
    create=create,
    json_schema_id='air-supervision://modules/enable_all.yaml',
    json_schema_repo=common.json_schema_repo)
