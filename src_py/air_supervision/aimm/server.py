"""AIMM server launcher that ends when its event server connection is lost

aimm 1.2.dev1 stays alive and idle after the event server it is connected to
restarts, and it cannot use the instances it reloads from its own store.
This launcher runs the same AIMM engine and event control as ``aimm-server``
on one eventer connection, with a store that keeps no instances. It exits
with status 1 as soon as that connection closes, so that the orchestrator
starts it again. The event server modules re-create their models from the
stored readings whenever a new AIMM server connects.

The launcher also keeps the engine's record of actions bounded and reports
a failed predict as ``FAILED``, which the released event control does not.

"""

from pathlib import Path
import argparse
import asyncio
import collections
import contextlib
import logging.config
import os
import sys

from aimm import plugins
from hat import aio
from hat import json
from hat.drivers import net
import psutil
import aimm.server.backend.dummy
import aimm.server.common
import aimm.server.control.event
import aimm.server.engine
import hat.event.eventer

from air_supervision import common


mlog: logging.Logger = logging.getLogger(__name__)

max_recorded_actions: int = 32
"""Number of finished actions the engine state keeps"""

close_timeout: float = 5
"""Seconds given to the engine and its child processes to close"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog='air-supervision-aimm',
        description="Run an AIMM server connected to one event server")
    parser.add_argument('--conf', metavar='PATH', type=Path, required=True,
                        help="configuration (air-supervision://aimm.yaml)")
    args = parser.parse_args(argv)

    try:
        conf = json.decode_file(args.conf)
        common.validate_conf('air-supervision://aimm.yaml', conf)

    except Exception as e:
        print(f"error: {args.conf}: {e}", file=sys.stderr)
        return 2

    logging.config.dictConfig(conf['log'])
    plugins.initialize(conf['plugins'])

    aio.init_asyncio()
    status = 1
    with contextlib.suppress(asyncio.CancelledError):
        status = aio.run_asyncio(async_main(conf))

    _exit(status)


async def async_main(conf: json.Data) -> int:
    addr = net.TcpAddress(conf['eventer_server']['host'],
                          conf['eventer_server']['port'])
    control_conf = {'event_prefixes': conf['event_prefixes'],
                    'state_event_type': conf['state_event_type'],
                    'action_state_event_type': conf['action_state_event_type']}
    subscriptions = aimm.server.control.event.create_subscription(
        control_conf)
    control = None

    async def on_events(client, events):
        if control is not None:
            await control.process_events(events)

    mlog.info("connecting to event server %s:%s", addr.host, addr.port)
    try:
        client = await hat.event.eventer.connect(
            addr, conf['name'], subscriptions=subscriptions,
            events_cb=on_events)

    except OSError as e:
        mlog.error("connecting to event server failed: %s", e)
        return 1

    group = aio.Group()
    group.spawn(aio.call_on_cancel, client.async_close)
    try:
        backend = aimm.server.backend.dummy.create(None, client)
        engine = BoundedEngine(conf['engine'], backend)
        await engine.start()
        group.spawn(aio.call_on_cancel, engine.async_close)

        control = Control(control_conf, engine, client)
        group.spawn(aio.call_on_cancel, control.async_close)
        mlog.info("AIMM server running as %s", conf['name'])

        await client.wait_closing()
        mlog.error("connection to event server lost, exiting")

    finally:
        try:
            await aio.uncancellable(
                asyncio.wait_for(group.async_close(), close_timeout))

        except asyncio.TimeoutError:
            mlog.warning("closing took over %s s, exiting anyway",
                         close_timeout)

    return 1


def _exit(status: int):
    """End the process with `status` and its child processes with it.

    A child process that runs an action keeps a pipe that an executor
    thread of the engine reads, and waiting for that thread could keep the
    process alive after its connection is gone.

    """
    for child in psutil.Process().children(recursive=True):
        with contextlib.suppress(psutil.Error):
            child.kill()

    logging.shutdown()
    os._exit(status)


class BoundedEngine(aimm.server.engine._Engine):
    """AIMM engine whose state keeps a bounded record of actions.

    The released engine keeps every action it ever ran, with its arguments
    as text, so its memory and every state notification grow with the
    number of predictions.

    """

    def _update_action(self, action_id, action_state):
        actions = collections.OrderedDict(self.state['actions'])
        meta = dict(action_state.get('meta', {}))
        meta.pop('args', None)
        meta.pop('kwargs', None)
        actions[action_id] = dict(action_state, meta=meta)
        actions.move_to_end(action_id)
        while len(actions) > max_recorded_actions:
            actions.popitem(last=False)

        self._update_state(dict(self.state, actions=actions))


class Control(aimm.server.control.event.EventControl):
    """AIMM event control with a small state event and error texts.

    The state event lists the instances only, so that it changes when an
    instance is created rather than on every step of every action. Every
    failed request, predict included, ends with a ``FAILED`` action whose
    result is ``{'error': <text>}``. Predict requests report no
    ``IN_PROGRESS`` state, which halves the events per prediction.

    """

    def _notify_state(self):
        state_json = {
            'models': {str(instance_id): model.model_type
                       for instance_id, model
                       in self._engine.state['models'].items()}}
        if state_json == self._notified_state:
            return

        self._notified_state = state_json
        self.async_group.spawn(self._client.register, [
            common.json_event(tuple(self._state_event_type), state_json)])

    async def _create_instance(self, event):
        await self._run_action(
            event, 'create_instance',
            lambda data: self._engine.create_instance(
                data['model_type'], *data['args'], **data['kwargs']),
            lambda model: model.instance_id)

    async def _fit(self, event):
        await self._run_action(
            event, 'fit', lambda data: self._engine.fit(
                self._get_instance_id(event, 'fit'),
                *data['args'], **data['kwargs']),
            lambda _: None)

    async def _predict(self, event):
        await self._run_action(
            event, 'predict', lambda data: self._engine.predict(
                self._get_instance_id(event, 'predict'),
                *data['args'], **data['kwargs']),
            lambda prediction: prediction)

    async def _run_action(self, event, name, create_action, get_result):
        # NOTE: data access arguments are passed through unresolved, because
        # the modules send every argument as plain JSON
        data = common.event_data(event)
        request_id = data.get('request_id') if isinstance(data, dict) else None
        if request_id is None:
            mlog.warning("%s request without request_id ignored", name)
            return

        try:
            action = create_action(data)
            if name != 'predict':
                await self._register_action_state(event, 'IN_PROGRESS')

            self._in_progress[request_id] = action
            try:
                result = await action.wait_result()

            except asyncio.CancelledError:
                await self._register_action_state(event, 'CANCELLED')
                return

            finally:
                self._in_progress.pop(request_id, None)

            await self._register_action_state(event, 'DONE',
                                              get_result(result))

        except Exception as e:
            mlog.warning("%s %s failed: %s", name, request_id, e, exc_info=e)
            await self._register_action_state(event, 'FAILED',
                                              {'error': str(e)})

    def _get_instance_id(self, event, action):
        prefix = self._event_prefixes[action]
        instance_id = int(event.type[len(prefix)])
        if instance_id not in self._engine.state['models']:
            raise ValueError(f"instance {instance_id} not found")

        return instance_id


if __name__ == '__main__':
    sys.exit(main())
