"""What the anomaly and forecast modules share

:class:`GenericReadingsModule` runs one worker task that does every AIMM
exchange of its family in order. It creates and fits models, and re-fits
them by the :class:`~air_supervision.policy.FitPolicy`. It sends the
readings that have no result yet for prediction, in batches when they
queue up.
:class:`FitLock` tracks the state of the current model and lets predictions
through only once the current model's fit is confirmed.
:class:`ReadingsHandler` holds the readings waiting for a result and the
recent ones that give them context.

"""

from collections.abc import Iterable
import abc
import asyncio
import collections
import enum
import itertools
import logging
import typing

from hat import aio
from hat import json
import hat.event.common

from air_supervision import common
from air_supervision import policy
from air_supervision.aimm.common import HyperparameterError
from air_supervision.modules.controller.aimm_client import (AimmClient,
                                                            AimmError)
from air_supervision.modules.controller.aimm_client import AimmTimeoutError
from air_supervision.modules.controller.model import ModelSpec


mlog: logging.Logger = logging.getLogger(__name__)


class ModelState(enum.Enum):
    NOT_DEFINED = 'not_defined'
    CREATING = 'creating'
    FITTING = 'fitting'
    FITTED = 'fitted'
    FAILED = 'failed'
    UNAVAILABLE = 'unavailable'


class FitLock:
    """State of the current model.

    A model switch or a setting change re-locks the model with
    :meth:`start`. Each step waits for the confirmation of one request,
    identified by its request id. A confirmation of any other request is
    late or stray, so it changes nothing. Predictions pass only in state
    ``FITTED``.

    """

    def __init__(self):
        self._model: str | None = None
        self._state = ModelState.NOT_DEFINED
        self._error: str | None = None
        self._request_id: str | None = None

    @property
    def model(self) -> str | None:
        return self._model

    @property
    def state(self) -> ModelState:
        return self._state

    @property
    def error(self) -> str | None:
        return self._error

    @property
    def can_predict(self) -> bool:
        return self._state == ModelState.FITTED

    def start(self, model: str, state: ModelState, request_id: str):
        """Lock `model` in `state` (``CREATING`` or ``FITTING``) until
        `request_id` is confirmed"""
        if state not in (ModelState.CREATING, ModelState.FITTING):
            raise ValueError(f"invalid lock state {state}")

        self._model = model
        self._state = state
        self._error = None
        self._request_id = request_id

    def confirm(self, request_id: str, status: str,
                error: str | None = None) -> bool:
        """Apply the final `status` (``DONE``, ``FAILED`` or ``CANCELLED``)
        of `request_id`.

        A confirmed create leaves the model in ``CREATING`` until its fit
        starts. Returns whether the confirmation was the awaited one.

        """
        if request_id is None or request_id != self._request_id:
            return False

        self._request_id = None
        if status == 'DONE':
            if self._state == ModelState.FITTING:
                self._state = ModelState.FITTED

        else:
            self._state = ModelState.FAILED
            self._error = error or status.lower()

        return True

    def select(self, model: str):
        """Make `model` current, not yet created or fitted"""
        self._model = model
        self._state = ModelState.NOT_DEFINED
        self._error = None
        self._request_id = None

    def set_fitted(self, model: str):
        """Make the already fitted `model` current"""
        self._model = model
        self._state = ModelState.FITTED
        self._error = None
        self._request_id = None

    def fail(self, error: str):
        """Mark the current model failed outside of a request"""
        self._state = ModelState.FAILED
        self._error = error
        self._request_id = None

    def set_unavailable(self, error: str):
        """Mark the model unusable until the AIMM server is back"""
        self._state = ModelState.UNAVAILABLE
        self._error = error
        self._request_id = None


class ReadingsHandler:
    """Readings waiting for a model result, and the recent ones before them.

    Readings up to :attr:`done_until` have a result or were used by a fit;
    later ones are pending. The pending readings kept in memory are bounded
    by `max_pending`: beyond it the oldest are dropped from memory and
    :attr:`backlog` is set, so that the caller reads them back from the
    event server.

    """

    def __init__(self, context_size: int, max_pending: int = 20000):
        self._context = collections.deque(maxlen=max(context_size, 1))
        self._pending = collections.deque()
        self._max_pending = max_pending
        self._done_until: hat.event.common.Timestamp | None = None
        self._done_count = 0
        self._backlog = False

    @property
    def done_until(self) -> hat.event.common.Timestamp | None:
        return self._done_until

    @property
    def done_count(self) -> int:
        """Number of readings dealt with since the handler was created"""
        return self._done_count

    @property
    def backlog(self) -> bool:
        """Whether pending readings exist only in the event server"""
        return self._backlog

    @property
    def pending_count(self) -> int:
        return len(self._pending)

    @property
    def context(self) -> list['TimedReading']:
        return list(self._context)

    def add(self, reading: 'TimedReading') -> bool:
        """Queue a new reading; returns ``False`` for one that is not later
        than every reading already known"""
        last = (self._pending[-1].timestamp if self._pending
                else self._done_until)
        if last is not None and reading.timestamp <= last:
            return False

        if self._backlog:
            return True

        self._pending.append(reading)
        if len(self._pending) > self._max_pending:
            self._pending.clear()
            self._backlog = True

        return True

    def set_pending(self, readings: Iterable['TimedReading'],
                    more_follow: bool):
        """Replace the pending readings with ones read from the event
        server. `more_follow` is true when the server stores later ones."""
        self._pending = collections.deque(
            i for i in readings
            if self._done_until is None or i.timestamp > self._done_until)
        self._backlog = more_follow

    def batch(self, size: int) -> list['TimedReading']:
        """Return the oldest pending readings, at most `size`"""
        return list(itertools.islice(self._pending, size))

    def mark_done(self, readings: list['TimedReading']):
        """Record that `readings`, the oldest pending ones or readings
        used by a fit, have been dealt with"""
        if not readings:
            return

        last = readings[-1].timestamp
        while self._pending and self._pending[0].timestamp <= last:
            self._pending.popleft()

        for reading in readings:
            if self._done_until is None or reading.timestamp > \
                    self._done_until:
                self._context.append(reading)
                self._done_count += 1

        self._done_until = max(last, self._done_until or last)

    def windows(self, readings: list['TimedReading'], size: int
                ) -> list[list['TimedReading']]:
        """For each of `readings` (the oldest pending ones), the `size`
        readings that end with it"""
        history = collections.deque(self._context, maxlen=size)
        result = []
        for reading in readings:
            history.append(reading)
            result.append(list(history))

        return result


class TimedReading(typing.NamedTuple):
    """A stored reading with its source timestamp"""
    timestamp: hat.event.common.Timestamp
    value: float

    @property
    def row(self) -> list[float]:
        """Model input row ``[t, value]``, t in UNIX seconds"""
        return [hat.event.common.timestamp_to_float(self.timestamp),
                self.value]

    @property
    def time(self) -> str:
        return common.timestamp_to_str(self.timestamp)


class ModelEntry:
    """Module-side record of one model: its spec, hyperparameters, AIMM
    instance and last fit"""

    def __init__(self, spec: ModelSpec, hyperparameters: dict):
        self.spec = spec
        self.hyperparameters = hyperparameters
        self.instance_id: int | None = None
        self.fitted_until: hat.event.common.Timestamp | None = None
        self.fitted_readings = 0
        self.readings_at_fit: int | None = None
        """readings dealt with at the last fit"""
        self.readings_at_failure: int | None = None
        """readings received at the last failure"""


class Command(typing.NamedTuple):
    action: str
    data: json.Data


class GenericReadingsModule(hat.event.common.Module):
    """Event server module of one model family.

    Subclasses set :attr:`family` and :attr:`specs` and turn model
    results into events.

    """

    family: typing.ClassVar[str]
    specs: typing.ClassVar[dict[str, ModelSpec]]
    context_size: typing.ClassVar[int] = 1
    """readings before a pending one that its model input needs"""
    min_fit_readings: typing.ClassVar[int] = 1
    """minimum number of readings the family's models can be fitted on"""

    def __init__(self, conf: json.Data, engine: hat.event.common.Engine,
                 source: hat.event.common.Source):
        if conf['default_model'] not in self.specs:
            raise common.ConfError(
                f"invalid default_model {conf['default_model']!r} of the "
                f"{self.family} module: expected one of "
                f"{', '.join(self.specs)}")

        self._conf = conf
        self._engine = engine
        self._source = source
        self._policy = policy.FitPolicy(**conf.get('fit_policy', {}))
        self._first_fit_readings = max(self._policy.warmup,
                                       self.min_fit_readings)
        self._aimm_name = conf['aimm_name']
        self._timeouts = {'create': conf.get('create_timeout', 60),
                          'fit': conf.get('fit_timeout', 300),
                          'predict': conf.get('predict_timeout', 30)}
        self._max_batch = conf.get('max_batch', 500)
        self._retry_delay = conf.get('retry_delay', 5)
        self._async_group = aio.Group()
        self._aimm = AimmClient(self._register, self.family)
        self._fit_lock = FitLock()
        self._readings = ReadingsHandler(self.context_size)
        self._models: dict[str, ModelEntry] = {}
        self._commands = collections.deque()
        self._wake = asyncio.Event()
        self._aimm_connected = False
        self._aimm_generation = 0
        self._readings_count = 0
        self._subscription = hat.event.common.create_subscription([
            common.reading_type,
            common.action_type(self.family, '*'),
            ('aimm', 'action'),
            ('aimm', 'state'),
            ('event', '?', 'eventer', self._aimm_name)])

        self._async_group.spawn(self._worker_loop)

    @property
    def async_group(self) -> aio.Group:
        return self._async_group

    @property
    def subscription(self) -> hat.event.common.Subscription:
        return self._subscription

    def process(self, source: hat.event.common.Source,
                event: hat.event.common.Event
                ) -> Iterable[hat.event.common.RegisterEvent] | None:
        data = common.event_data(event)

        if event.type == common.reading_type:
            self._process_reading(event, data)

        elif event.type[0] == 'back_action':
            return self._process_action(event, data)

        elif event.type == ('aimm', 'action'):
            self._aimm.process_action(data)

        elif event.type == ('aimm', 'state'):
            self._process_aimm_state(data)

        elif event.type[0] == 'event':
            self._process_aimm_connection(data)

    @abc.abstractmethod
    def create_rows(self, readings: list[TimedReading]
                    ) -> tuple[list[TimedReading], list[json.Data]]:
        """Model input for pending `readings`: the readings that get a
        result, and one input item per such reading"""

    @abc.abstractmethod
    def create_results(self, model: str, readings: list[TimedReading],
                       prediction: json.Data
                       ) -> list[hat.event.common.RegisterEvent]:
        """Result events of `prediction` for `readings`"""

    def _process_reading(self, event, data):
        try:
            reading = TimedReading(event.source_timestamp,
                                   float(data['value']))

        except (TypeError, KeyError, ValueError) as e:
            mlog.warning("%s: invalid reading event %s ignored: %s",
                         self.family, event.id, e)
            return

        if self._readings.add(reading):
            self._readings_count += 1
            self._wake.set()

    def _process_action(self, event, data):
        action = '/'.join(event.type[2:])
        if action not in ('model_change', 'setting_change'):
            return [self._action_error(
                action, f"unknown action {_short(action)}: expected "
                        f"model_change or setting_change")]

        if not isinstance(data, dict):
            return [self._action_error(
                action, f"invalid {action} payload {_short(data)}: "
                        f"expected an object")]

        if action == 'model_change':
            name = data.get('model')
            if not isinstance(name, str) or name not in self.specs:
                return [self._action_error(
                    action, f"unknown {self.family} model {_short(name)}: "
                            f"expected one of {', '.join(self.specs)}")]

        else:
            values = {k: v for k, v in data.items() if k != 'action'}
            error = self._check_setting(values)
            if error:
                return [self._action_error(action, error)]

        mlog.info("%s: %s %s", self.family, action, data)
        self._commands.append(Command(action, data))
        self._wake.set()

    def _check_setting(self, values):
        model = self._fit_lock.model
        if model is None:
            return "no current model to change settings of"

        try:
            self.specs[model].validate(values)

        except HyperparameterError as e:
            return f"{model}: {e}"

    def _action_error(self, action, message):
        mlog.warning("%s: %s rejected: %s", self.family, action, message)
        return common.json_event(common.log_type(self.family, 'action_error'),
                                 {'action': action, 'message': message})

    def _process_aimm_state(self, data):
        models = data.get('models', {}) if isinstance(data, dict) else {}
        known = {str(i.instance_id) for i in self._models.values()
                 if i.instance_id is not None}
        if self._aimm_connected and known <= set(models):
            return

        mlog.info("%s: AIMM server ready with %s instances", self.family,
                  len(models))
        self._aimm_connected = True
        self._forget_instances(set(models))
        self._commands.append(Command('aimm_ready', None))
        self._wake.set()

    def _process_aimm_connection(self, data):
        if data == 'CONNECTED':
            mlog.info("%s: AIMM server connected", self.family)

        elif data == 'DISCONNECTED':
            mlog.warning("%s: AIMM server disconnected", self.family)
            self._aimm_connected = False
            self._forget_instances(set())
            self._aimm.cancel_all("AIMM server disconnected")
            self._fit_lock.set_unavailable("AIMM server disconnected")
            self._spawn_register([self._model_state_event()])

    def _forget_instances(self, alive):
        for entry in self._models.values():
            if str(entry.instance_id) not in alive:
                entry.instance_id = None

    async def _worker_loop(self):
        mlog.info("%s: module started", self.family)
        try:
            await self._restore()
            while True:
                await self._worker_step()

        except Exception as e:
            mlog.error("%s: worker error: %s", self.family, e, exc_info=e)

        finally:
            mlog.info("%s: module stopped", self.family)
            self.close()

    async def _worker_step(self):
        if self._commands:
            command = self._commands.popleft()
            await self._run_command(command)
            return

        if not self._aimm_connected:
            await self._wait_wake()
            return

        current = self._models.get(self._fit_lock.model)
        if current is not None and self._fit_due(current):
            await self._fit(current)
            return

        if self._fit_lock.can_predict and (self._readings.pending_count or
                                           self._readings.backlog):
            await self._predict(current)
            return

        await self._wait_wake()

    async def _wait_wake(self, timeout=None):
        self._wake.clear()
        try:
            await asyncio.wait_for(self._wake.wait(), timeout)

        except asyncio.TimeoutError:
            pass

    def _fit_due(self, entry):
        if self._readings_count < self._first_fit_readings:
            return False

        if self._fit_lock.state == ModelState.FAILED:
            # a failed model is tried again after refit_every readings
            return (entry.readings_at_failure is None or
                    self._readings_count - entry.readings_at_failure >=
                    self._policy.refit_every)

        if entry.instance_id is None:
            return True

        # counting readings dealt with, not received, keeps fits apart
        # while readings queue up faster than a fit takes
        return self._policy.fit_due(self._readings.done_count,
                                    entry.readings_at_fit)

    async def _run_command(self, command):
        if command.action == 'aimm_ready':
            self._aimm_generation += 1
            current = self._models.get(self._fit_lock.model)
            if self._readings_count < self._first_fit_readings:
                self._fit_lock.select(current.spec.name)
                await self._register_model_events(current)

            else:
                await self._fit(current)

        elif command.action == 'model_change':
            await self._change_model(command.data['model'])

        elif command.action == 'setting_change':
            await self._change_setting(command.data)

    async def _change_model(self, name):
        entry = self._models.get(name)
        if entry is None:
            entry = ModelEntry(self.specs[name],
                               self.specs[name].validate({}))
            self._models[name] = entry

        if entry.instance_id is not None and entry.fitted_until is not None:
            self._fit_lock.set_fitted(name)
            await self._register_model_events(entry)
            return

        self._fit_lock.select(name)
        entry.instance_id = None
        await self._fit_if_possible(entry)

    async def _change_setting(self, data):
        entry = self._models.get(self._fit_lock.model)
        values = {k: v for k, v in data.items() if k != 'action'}
        if entry is None or self._check_setting(values):
            return

        entry.hyperparameters = entry.spec.validate(
            {**entry.hyperparameters, **values})
        entry.instance_id = None
        self._fit_lock.select(entry.spec.name)
        await self._fit_if_possible(entry)

    async def _fit_if_possible(self, entry):
        if not self._aimm_connected:
            self._fit_lock.set_unavailable("waiting for the AIMM server")
            await self._register_model_events(entry)

        elif self._readings_count < self._first_fit_readings:
            await self._register_model_events(entry)

        else:
            await self._fit(entry)

    async def _fit(self, entry):
        """Create the instance of `entry` if needed and fit it on stored
        readings up to the last one dealt with"""
        name = entry.spec.name
        history = await self._query_fit_history()
        if len(history) < self._first_fit_readings:
            self._fit_lock.select(name)
            await self._register_model_events(entry)
            return

        try:
            if entry.instance_id is None:
                await self._create_instance(entry)

            await self._fit_instance(entry, history)

        except AimmTimeoutError as e:
            await self._handle_timeout(entry, e)

        except AimmError as e:
            mlog.error("%s: %s failed: %s", self.family, name, e)
            entry.readings_at_failure = self._readings_count
            await self._register_model_events(entry)

    async def _create_instance(self, entry):
        name = entry.spec.name
        request_id = f'create-{name}-{self._aimm_generation}'
        self._fit_lock.start(name, ModelState.CREATING, request_id)
        await self._register_model_events(entry)
        mlog.info("%s: creating %s with %s", self.family, name,
                  entry.hyperparameters)
        try:
            entry.instance_id = await self._aimm.create_instance(
                entry.spec.model_type, entry.hyperparameters,
                self._timeouts['create'])

        except AimmError as e:
            self._fit_lock.confirm(request_id, 'FAILED', str(e))
            raise

        self._fit_lock.confirm(request_id, 'DONE')

    async def _fit_instance(self, entry, history):
        name = entry.spec.name
        request_id = f'fit-{name}-{entry.instance_id}'
        self._fit_lock.start(name, ModelState.FITTING, request_id)
        await self._register_model_events(entry)
        mlog.info("%s: fitting %s (instance %s) on %s readings up to %s",
                  self.family, name, entry.instance_id, len(history),
                  history[-1].time)
        try:
            await self._aimm.fit(entry.instance_id,
                                 [i.row for i in history],
                                 self._timeouts['fit'])

        except AimmError as e:
            self._fit_lock.confirm(request_id, 'FAILED', str(e))
            raise

        self._fit_lock.confirm(request_id, 'DONE')
        entry.fitted_until = history[-1].timestamp
        entry.fitted_readings = len(history)
        if self._readings.done_until is None:
            self._readings.mark_done(history)

        entry.readings_at_fit = self._readings.done_count

        if self._fit_lock.model != name:
            return

        mlog.info("%s: %s fitted", self.family, name)
        await self._register_model_events(entry)

    async def _handle_timeout(self, entry, error):
        mlog.warning("%s: %s: %s", self.family, entry.spec.name, error)
        if not self._is_aimm_connected():
            self._aimm_connected = False
            self._fit_lock.set_unavailable("AIMM server not connected")
            self._forget_instances(set())

        else:
            self._fit_lock.set_unavailable(str(error))
            entry.instance_id = None

        await self._register_model_events(entry)
        await self._wait_wake(self._retry_delay)

    def _is_aimm_connected(self):
        return any(name == self._aimm_name
                   for _, name in self._engine.get_client_names())

    async def _predict(self, entry):
        if self._readings.backlog:
            await self._load_backlog()

        batch = self._readings.batch(self._max_batch)
        readings, rows = self.create_rows(batch)
        if not rows:
            self._readings.mark_done(batch)
            return

        try:
            prediction = await self._aimm.predict(
                entry.instance_id, rows, self._timeouts['predict'])

        except AimmTimeoutError as e:
            await self._handle_timeout(entry, e)
            return

        except AimmError as e:
            mlog.error("%s: predict with %s failed: %s", self.family,
                       entry.spec.name, e)
            if self._aimm_connected:
                self._fit_lock.fail(f"predict failed: {e}")
                entry.readings_at_failure = self._readings_count
                await self._register_model_events(entry)
            return

        try:
            events = self.create_results(entry.spec.name, readings,
                                         prediction)

        except (TypeError, ValueError, IndexError, KeyError) as e:
            mlog.error("%s: invalid prediction of %s: %s", self.family,
                       entry.spec.name, e, exc_info=e)
            self._fit_lock.fail(f"invalid prediction: {e}")
            entry.readings_at_failure = self._readings_count
            await self._register_model_events(entry)
            return

        await self._register(events)
        self._readings.mark_done(batch)

    async def _restore(self):
        """Rebuild the module state from the event server's history"""
        self._readings_count = await self._count_readings()
        last_result = await self._query_latest_result()
        if last_result is not None:
            context = await self._query_readings(
                t_to=last_result, max_results=max(self.context_size,
                                                  self._first_fit_readings))
            self._readings.mark_done(context)

        pending, more = await self._query_pending()
        self._readings.set_pending(pending, more)

        model, hyperparameters = await self._query_latest_model()
        entry = ModelEntry(self.specs[model], hyperparameters)
        self._models[model] = entry
        self._fit_lock.select(model)
        self._fit_lock.set_unavailable("waiting for the AIMM server")
        await self._register([
            common.json_event(
                common.log_type(self.family, 'supported_models'),
                {'models': [i.to_json() for i in self.specs.values()],
                 'warmup': self._first_fit_readings}),
            *self._model_events(entry)])

        self._aimm_connected = self._is_aimm_connected()
        if self._aimm_connected:
            self._commands.append(Command('aimm_ready', None))

        mlog.info("%s: restored %s readings, %s pending, model %s",
                  self.family, self._readings_count,
                  self._readings.pending_count, model)

    async def _query_latest_model(self):
        default = self._conf['default_model']
        result = await self._engine.query(hat.event.common.QueryLatestParams(
            [common.log_type(self.family, 'setting')]))
        for event in result.events:
            data = common.event_data(event)
            try:
                model = data['model']
                return model, self.specs[model].validate(
                    data['hyperparameters'])

            except (TypeError, KeyError, HyperparameterError) as e:
                mlog.warning("%s: stored setting %s not restored: %s",
                             self.family, data, e)

        return default, self.specs[default].validate({})

    async def _query_latest_result(self):
        result = await self._engine.query(hat.event.common.QueryLatestParams(
            [common.result_type(self.family)]))
        return next((i.source_timestamp for i in result.events), None)

    async def _count_readings(self):
        readings = await self._query_readings(
            max_results=self._first_fit_readings)
        return len(readings)

    async def _query_fit_history(self):
        return await self._query_readings(
            t_to=self._readings.done_until,
            max_results=self._policy.max_history)

    async def _query_pending(self):
        t_from = self._readings.done_until
        readings = await self._query_readings(
            t_from=t_from.add(1e-6) if t_from else None,
            max_results=self._max_batch,
            order=hat.event.common.Order.ASCENDING)
        if self._readings.done_until is None:
            return [], False

        return readings, len(readings) >= self._max_batch

    async def _load_backlog(self):
        pending, more = await self._query_pending()
        self._readings.set_pending(pending, more)

    async def _query_readings(self, t_from=None, t_to=None, max_results=None,
                              order=hat.event.common.Order.DESCENDING):
        """Stored readings in time order, the latest `max_results` of them
        unless `order` is ascending"""
        readings = []
        last_event_id = None
        while True:
            result = await self._engine.query(
                hat.event.common.QueryTimeseriesParams(
                    event_types=[common.reading_type],
                    source_t_from=t_from,
                    source_t_to=t_to,
                    order=order,
                    order_by=hat.event.common.OrderBy.SOURCE_TIMESTAMP,
                    max_results=(max_results - len(readings)
                                 if max_results else None),
                    last_event_id=last_event_id))
            for event in result.events:
                data = common.event_data(event)
                try:
                    readings.append(TimedReading(event.source_timestamp,
                                                 float(data['value'])))

                except (TypeError, KeyError, ValueError):
                    continue

            if not result.more_follows or not result.events:
                break

            if max_results and len(readings) >= max_results:
                break

            last_event_id = list(result.events)[-1].id

        if order == hat.event.common.Order.DESCENDING:
            readings.reverse()

        return readings

    async def _register_model_events(self, entry):
        await self._register(self._model_events(entry))

    def _model_events(self, entry):
        return [
            common.json_event(
                common.log_type(self.family, 'new_current_model'),
                {'model': self._fit_lock.model}),
            common.json_event(
                common.log_type(self.family, 'setting'),
                {'model': entry.spec.name,
                 'hyperparameters': entry.hyperparameters}),
            self._model_state_event()]

    def _model_state_event(self):
        entry = self._models.get(self._fit_lock.model)
        fitted_until = (common.timestamp_to_str(entry.fitted_until)
                        if entry and entry.fitted_until else None)
        return common.json_event(
            common.log_type(self.family, 'model_state'),
            {'model': self._fit_lock.model,
             'state': self._fit_lock.state.value,
             'error': self._fit_lock.error,
             'fitted_until': fitted_until,
             'readings': entry.fitted_readings if entry else 0})

    async def _register(self, events):
        if events:
            await self._engine.register(self._source, events)

    def _spawn_register(self, events):
        self._async_group.spawn(self._register, events)


def _short(value: json.Data, limit: int = 80) -> str:
    """`value` as in Python source, cut to `limit` characters"""
    text = repr(value)
    return text if len(text) <= limit else f"{text[:limit]}..."
