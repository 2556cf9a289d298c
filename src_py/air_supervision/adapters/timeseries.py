"""Timeseries adapter

The adapter keeps what the main view draws: the latest readings, the
anomaly result of each of them, the latest and earlier forecasts, and per
model family the supported models, the current model, its hyperparameters
and its state. It fills this state from the event server's stored events
when it is created, then follows new events. hat-gui 0.8 stops when its
connection to the event server closes, and creates the adapter again when
its supervisor restarts it, so no events are missed in between.

Series are kept in the state as chunks keyed by a sequence number.
hat-juggler sends each state change as a JSON patch computed by comparing
object identities, so appending an item sends one ``add`` operation and
dropping the oldest chunk sends one ``remove``, whatever the window size.

State of an authorized session (``t`` is a reading time in seconds since
the epoch, UTC)::

    {'session': {'user': str, 'may_act': bool},
     'window': int,
     'readings': {key: [[t, value], ...]},
     'anomalies': {key: [[t, value, result, score, threshold], ...]},
     'forecast': {'t', 'value', 'model', 'points': [[t, value], ...]} | None,
     'forecasts': {key: [forecast]},
     'families': {family: {'models': [...], 'warmup': int | None,
                           'current': str | None,
                           'setting': {...} | None, 'state': {...} | None,
                           'action_error': {...} | None}}}

``warmup`` is the number of readings the module waits for before its
first fit, from its ``supported_models`` event (``None`` when the event
does not carry it).

Requests are ``model_change`` with ``{family, model}`` and
``setting_change`` with ``{family, hyperparameters, model?}``.

"""

from collections.abc import Collection, Iterable
import functools
import logging
import typing

from hat import aio
from hat import json
import hat.event.common
import hat.event.eventer
import hat.gui.common

from air_supervision import common
from air_supervision.aimm.common import (Hyperparameter,
                                         HyperparameterError,
                                         validate_hyperparameters)


mlog: logging.Logger = logging.getLogger(__name__)
"""Module logger"""

log_kinds: tuple[str, ...] = ('supported_models', 'new_current_model',
                              'setting', 'model_state', 'action_error')
"""Kinds of ``gui/log/<family>/<kind>`` events the adapter follows"""

requests: tuple[str, ...] = ('model_change', 'setting_change')
"""Names of requests the adapter accepts"""

default_conf: json.Data = {'authorized_roles': ['viewer', 'operator'],
                           'action_roles': ['operator'],
                           'readings_window': 2000,
                           'forecasts_kept': 20,
                           'max_request_size': 65536}
"""Defaults of optional configuration properties, as in the schema"""

_chunk_size = 100


class RequestError(Exception):
    """Request from the view that the adapter rejects"""


def create_subscription(conf: json.Data) -> hat.event.common.Subscription:
    """Create the subscription to readings, results and model state"""
    return hat.event.common.create_subscription([
        common.reading_type,
        *(common.result_type(family) for family in common.families),
        *_log_types()])


async def create_adapter(conf: json.Data,
                         eventer_client: hat.event.eventer.Client
                         ) -> 'TimeseriesAdapter':
    """Create the adapter and fill its state from stored events"""
    conf = {**default_conf, **conf}

    adapter = TimeseriesAdapter()
    adapter._conf = conf
    adapter._eventer_client = eventer_client
    adapter._async_group = aio.Group()
    adapter._readings = _Series(conf['readings_window'])
    adapter._anomalies = _Series(conf['readings_window'])
    adapter._forecasts = _Series(conf['forecasts_kept'], chunk_size=1)
    adapter._forecast = None
    adapter._families = {family: _FamilyState() for family in common.families}
    adapter._state = json.Storage(adapter._get_state())

    try:
        events = await _query_history(eventer_client, conf)
        adapter._process_events(events)

    except BaseException:
        await aio.uncancellable(adapter.async_close())
        raise

    adapter.async_group.spawn(aio.call_on_cancel, mlog.info,
                              "adapter %s stopped", conf['name'])
    mlog.info("adapter %s started (readings: %s; forecasts: %s)",
              conf['name'], adapter._readings.count,
              adapter._forecasts.count + (adapter._forecast is not None))
    return adapter


info = hat.gui.common.AdapterInfo(
    create_subscription=create_subscription,
    create_adapter=create_adapter,
    json_schema_id='air-supervision://adapters/timeseries.yaml',
    json_schema_repo=common.json_schema_repo)


class TimeseriesAdapter(hat.gui.common.Adapter):
    """Adapter shared by all sessions of the main view"""

    @property
    def async_group(self) -> aio.Group:
        return self._async_group

    async def process_events(self,
                             events: Collection[hat.event.common.Event]):
        self._process_events(events)

    async def create_session(self,
                             user: hat.gui.common.User,
                             state: json.Storage,
                             notify_cb: hat.gui.common.NotifyCb
                             ) -> 'TimeseriesSession':
        session = TimeseriesSession()
        session._adapter = self
        session._user = user
        session._may_act = not user.roles.isdisjoint(
            self._conf['action_roles'])
        session._async_group = self.async_group.create_subgroup()

        if user.roles.isdisjoint(self._conf['authorized_roles']):
            mlog.info("user %s is not authorized to read adapter %s",
                      user.name, self._conf['name'])
            state.set([], {})
            return session

        session_data = {'user': user.name, 'may_act': session._may_act}
        change_cb = functools.partial(_set_session_state, state, session_data)
        handle = self._state.register_change_cb(change_cb)
        session.async_group.spawn(aio.call_on_cancel, handle.cancel)
        change_cb(self._state.data)

        return session

    def _process_events(self, events: Iterable[hat.event.common.Event]):
        changed = False
        for event in events:
            try:
                changed = self._process_event(event) or changed

            except Exception as e:
                mlog.warning("invalid event %s ignored: %s",
                             event.type, e, exc_info=e)

        if changed:
            self._state.set([], self._get_state())

    def _process_event(self, event: hat.event.common.Event) -> bool:
        data = common.event_data(event)

        if event.type == common.reading_type:
            t = common.time_from_str(data['timestamp']).timestamp()
            return self._readings.append(t, [t, float(data['value'])])

        if event.type == common.result_type('anomaly'):
            t = common.time_from_str(data['timestamp']).timestamp()
            return self._anomalies.append(t, [t, float(data['value']),
                                              int(data['result']),
                                              _optional_float(data['score']),
                                              _optional_float(
                                                  data['threshold'])])

        if event.type == common.result_type('forecast'):
            return self._add_forecast(_forecast_from_data(data))

        family, kind = event.type[2], event.type[3]
        return self._families[family].process(kind, data)

    def _add_forecast(self, forecast: json.Data) -> bool:
        if self._forecast is not None:
            if forecast['t'] < self._forecast['t']:
                return False

            if forecast == self._forecast:
                return False

            self._forecasts.append(self._forecast['t'], self._forecast)

        self._forecast = forecast
        return True

    def _get_state(self) -> json.Data:
        return {'window': self._conf['readings_window'],
                'readings': self._readings.chunks,
                'anomalies': self._anomalies.chunks,
                'forecast': self._forecast,
                'forecasts': self._forecasts.chunks,
                'families': {family: family_state.data
                             for family, family_state
                             in self._families.items()}}


class TimeseriesSession(hat.gui.common.AdapterSession):
    """Session of one view connection"""

    @property
    def async_group(self) -> aio.Group:
        return self._async_group

    async def process_request(self,
                              name: str,
                              data: json.Data
                              ) -> json.Data:
        try:
            event = self._create_action_event(name, data)

        except RequestError as e:
            mlog.warning("request %s of user %s rejected: %s",
                         name, self._user.name, e)
            raise

        mlog.info("user %s requested %s (%s)",
                  self._user.name, name, event.payload.data)
        await self._adapter._eventer_client.register([event])

    def _create_action_event(self,
                             name: str,
                             data: json.Data
                             ) -> hat.event.common.RegisterEvent:
        conf = self._adapter._conf
        if not self._may_act:
            raise RequestError(
                f"user {self._user.name!r} may not change models: "
                f"requires one of the roles "
                f"{', '.join(conf['action_roles'])}")

        if name not in requests:
            raise RequestError(f"unknown request {name!r}: expected "
                               f"{' or '.join(requests)}")

        size = len(json.encode(data).encode('utf-8'))
        if size > conf['max_request_size']:
            raise RequestError(f"request of {size} bytes is too large: "
                               f"expected at most {conf['max_request_size']}")

        if not isinstance(data, dict):
            raise RequestError(f"invalid request data {_shorten(data)}: "
                               f"expected an object")

        family = data.get('family')
        family_state = self._adapter._families.get(family)
        if not isinstance(family, str) or family_state is None:
            raise RequestError(f"unknown family {_shorten(family)}: "
                               f"expected {' or '.join(common.families)}")

        if name == 'model_change':
            payload = _model_change_payload(family_state, data)

        else:
            payload = _setting_change_payload(family_state, data)

        return common.json_event(common.action_type(family, name), payload)


class _FamilyState:
    """Supported models and current model state of one family"""

    def __init__(self):
        self._models = {}
        self.data = {'models': [],
                     'warmup': None,
                     'current': None,
                     'setting': None,
                     'state': None,
                     'action_error': None}

    def process(self, kind: str, data: json.Data) -> bool:
        if not isinstance(data, dict):
            raise ValueError(f"invalid payload {_shorten(data)}: "
                             f"expected an object")

        if kind == 'supported_models':
            self._models = _models_from_data(data['models'])
            self.data = {**self.data,
                         'models': data['models'],
                         'warmup': data.get('warmup')}

        elif kind == 'new_current_model':
            self.data = {**self.data, 'current': data['model']}

        elif kind == 'setting':
            self.data = {**self.data, 'setting': data}

        elif kind == 'model_state':
            self.data = {**self.data, 'state': data}

        elif kind == 'action_error':
            self.data = {**self.data, 'action_error': data}

        else:
            return False

        return True

    def get_hyperparameters(self, model: str) -> list[Hyperparameter]:
        declared = self._models.get(model)
        if declared is None:
            names = ', '.join(sorted(self._models)) or 'none known yet'
            raise RequestError(f"unknown model {_shorten(model)}: "
                               f"expected one of {names}")

        return declared


class _Series:
    """Bounded series of items ordered by a key, kept as chunks.

    Between `size` and `size + chunk_size - 1` items stay stored, because
    only whole chunks are dropped. The view cuts the series to `size`.

    """

    def __init__(self, size: int, chunk_size: int = _chunk_size):
        self._size = size
        self._chunk_size = chunk_size
        self._next_key = 0
        self._last_key = None
        self.chunks = {}
        self.count = 0

    def append(self, key: float, item: json.Data) -> bool:
        """Append `item` unless its `key` is not later than the last one"""
        if self._size < 1:
            return False

        if self._last_key is not None and key <= self._last_key:
            return False

        chunks = dict(self.chunks)
        last_name = next(reversed(chunks), None)
        if last_name is None or len(chunks[last_name]) >= self._chunk_size:
            last_name = f'{self._next_key:012d}'
            self._next_key += 1
            chunks[last_name] = []

        chunks[last_name] = [*chunks[last_name], item]
        self.count += 1
        self._last_key = key

        while True:
            first_name = next(iter(chunks))
            if self.count - len(chunks[first_name]) < self._size:
                break

            self.count -= len(chunks.pop(first_name))

        self.chunks = chunks
        return True


def _log_types() -> list[hat.event.common.EventType]:
    return [common.log_type(family, kind)
            for family in common.families
            for kind in log_kinds]


async def _query_history(eventer_client: hat.event.eventer.Client,
                         conf: json.Data
                         ) -> list[hat.event.common.Event]:
    series = [(common.reading_type, conf['readings_window']),
              (common.result_type('anomaly'), conf['readings_window']),
              (common.result_type('forecast'), conf['forecasts_kept'] + 1)]
    events = []

    for event_type, max_results in series:
        params = hat.event.common.QueryTimeseriesParams(
            event_types=[event_type],
            order=hat.event.common.Order.DESCENDING,
            order_by=hat.event.common.OrderBy.SOURCE_TIMESTAMP,
            max_results=max_results)
        result = await eventer_client.query(params)
        events.extend(reversed(list(result.events)))

    params = hat.event.common.QueryLatestParams(event_types=_log_types())
    result = await eventer_client.query(params)
    events.extend(result.events)

    return events


def _set_session_state(state: json.Storage,
                       session_data: json.Data,
                       data: json.Data):
    state.set([], {'session': session_data, **data})


def _models_from_data(models: json.Data) -> dict[str, list[Hyperparameter]]:
    result = {}
    for model in models:
        result[model['name']] = [
            Hyperparameter(name=i['name'],
                           type=i['type'],
                           default=i['default'],
                           description=i.get('description', ''),
                           minimum=i.get('minimum'),
                           maximum=i.get('maximum'))
            for i in model.get('hyperparameters', [])]

    return result


def _model_change_payload(family_state: _FamilyState,
                          data: dict[str, json.Data]
                          ) -> json.Data:
    model = data.get('model')
    family_state.get_hyperparameters(model)

    return {'action': 'model_change', 'model': model}


def _setting_change_payload(family_state: _FamilyState,
                            data: dict[str, json.Data]
                            ) -> json.Data:
    current = family_state.data['current']
    if current is None:
        raise RequestError("no current model to set hyperparameters of: "
                           "select a model first")

    model = data.get('model', current)
    if model != current:
        raise RequestError(f"model {_shorten(model)} is not the current "
                           f"model: expected {current!r}")

    values = data.get('hyperparameters')
    if not isinstance(values, dict) or not values:
        raise RequestError(f"invalid hyperparameters {_shorten(values)}: "
                           f"expected an object with at least one value")

    declared = family_state.get_hyperparameters(current)
    try:
        validated = validate_hyperparameters(declared, values)

    except HyperparameterError as e:
        raise RequestError(str(e)) from e

    return {'action': 'setting_change',
            **{name: validated[name] for name in values}}


def _forecast_from_data(data: json.Data) -> json.Data:
    points = []
    for i in data['result']:
        t = common.time_from_str(i['timestamp']).timestamp()
        points.append([t, float(i['value'])])

    return {'t': common.time_from_str(data['timestamp']).timestamp(),
            'value': float(data['value']),
            'model': data.get('model'),
            'points': points}


def _optional_float(value: typing.Any) -> float | None:
    return None if value is None else float(value)


def _shorten(value: json.Data, limit: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= limit else f"{text[:limit]}..."
