import asyncio
import datetime
import socket
import subprocess
import sys

import pytest

from hat import aio
from hat import json
from hat.drivers import net
import hat.event.common
import hat.event.eventer
import hat.gui.common

from air_supervision import common
from air_supervision.adapters import timeseries


start = datetime.datetime(2014, 1, 1, tzinfo=datetime.timezone.utc)
step = datetime.timedelta(minutes=5)

viewer = hat.gui.common.User(name='viewer', roles={'viewer'},
                             views={'main'})
operator = hat.gui.common.User(name='operator', roles={'operator'},
                               views={'main'})
guest = hat.gui.common.User(name='guest', roles={'guest'}, views=set())

forest_hyperparameters = [
    {'name': 'contamination', 'type': 'float', 'default': 0.01,
     'minimum': 0.0001, 'maximum': 0.5, 'description': 'outlier share'},
    {'name': 'n_estimators', 'type': 'int', 'default': 100,
     'minimum': 1, 'maximum': 1000, 'description': 'number of trees'}]

svm_hyperparameters = [
    {'name': 'nu', 'type': 'float', 'default': 0.05,
     'minimum': 0.001, 'maximum': 1, 'description': 'outlier bound'}]

supported_anomaly_models = {'models': [
    {'name': 'Forest', 'description': 'Isolation forest',
     'hyperparameters': forest_hyperparameters},
    {'name': 'SVM', 'description': 'One-class SVM',
     'hyperparameters': svm_hyperparameters}],
    'warmup': 200}


def reading_time(i):
    return common.time_to_str(start + i * step)


def reading_event(i, value=None):
    value = float(i) if value is None else value
    return common.json_event(common.reading_type,
                             {'timestamp': reading_time(i), 'value': value},
                             common.timestamp_from_str(reading_time(i)))


def anomaly_event(i, result=0):
    data = {'timestamp': reading_time(i), 'value': float(i),
            'result': result, 'score': 0.9 if result else 0.1,
            'threshold': 0.5, 'model': 'Forest'}
    return common.json_event(common.result_type('anomaly'), data,
                             common.timestamp_from_str(reading_time(i)))


def forecast_event(i, horizon=24):
    data = {'timestamp': reading_time(i), 'value': float(i),
            'model': 'linear',
            'result': [{'timestamp': reading_time(i + j + 1),
                        'value': float(i + j + 1)}
                       for j in range(horizon)]}
    return common.json_event(common.result_type('forecast'), data,
                             common.timestamp_from_str(reading_time(i)))


def log_event(family, kind, data):
    return common.json_event(common.log_type(family, kind), data)


def anomaly_log_events(current='Forest'):
    return [log_event('anomaly', 'supported_models',
                      supported_anomaly_models),
            log_event('anomaly', 'new_current_model', {'model': current}),
            log_event('anomaly', 'model_state',
                      {'model': current, 'state': 'fitted', 'error': None,
                       'fitted_until': reading_time(0), 'readings': 1})]


def flatten(chunks):
    return [item for key in sorted(chunks) for item in chunks[key]]


def reading_seconds(i):
    return (start + i * step).timestamp()


@pytest.fixture
def port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


@pytest.fixture
async def event_server(tmp_path, port):
    conf = {'type': 'event',
            'name': 'event',
            'server_id': 1,
            'eventer_server': {'host': '127.0.0.1', 'port': port},
            'backend': {
                'module': 'hat.event.backends.lmdb',
                'db_path': str(tmp_path / 'event.db'),
                'identifier': None,
                'flush_period': 0.1,
                'cleanup_period': 600,
                'conditions': [],
                'latest': {'subscriptions': [['gui', 'log', '*'],
                                             ['back_action', '*']]},
                'timeseries': [
                    {'order_by': 'SOURCE_TIMESTAMP',
                     'subscriptions': [['gui', 'system', 'timeseries',
                                        '*']]},
                    {'order_by': 'TIMESTAMP',
                     'subscriptions': [['back_action', '*']]}]},
            'modules': []}
    conf_path = tmp_path / 'event.yaml'
    json.encode_file(conf, conf_path)

    process = subprocess.Popen([sys.executable, '-m', 'hat.event.server',
                                '--conf', str(conf_path)])
    try:
        await wait_listening(port)
        yield net.TcpAddress('127.0.0.1', port)

    finally:
        process.terminate()
        process.wait(10)


@pytest.fixture
async def module_client(event_server):
    """Client in place of the event server modules, which stores the user
    actions it receives in `actions`"""
    actions = []

    def on_events(client, events):
        actions.extend(events)

    client = await hat.event.eventer.connect(
        event_server, 'test_module', subscriptions=[('back_action', '*')],
        events_cb=on_events)
    client.actions = actions
    yield client
    await client.async_close()


@pytest.fixture
async def create_adapter(event_server):
    resources = []

    async def create(conf=None):
        conf = {'name': 'timeseries',
                'module': 'air_supervision.adapters.timeseries',
                **(conf or {})}
        validator = json.DefaultSchemaValidator(
            timeseries.info.json_schema_repo)
        validator.validate(timeseries.info.json_schema_id, conf)

        subscription = await aio.call(timeseries.info.create_subscription,
                                      conf)
        adapters = []

        async def on_events(client, events):
            for adapter in adapters:
                await adapter.process_events(events)

        client = await hat.event.eventer.connect(
            event_server, 'test_gui',
            subscriptions=subscription.get_query_types(),
            events_cb=on_events)
        resources.append(client)

        adapter = await timeseries.info.create_adapter(conf, client)
        adapters.append(adapter)
        resources.append(adapter)
        return adapter

    yield create

    for resource in reversed(resources):
        await resource.async_close()


async def wait_listening(port, timeout=10):
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        try:
            _, writer = await asyncio.open_connection('127.0.0.1', port)
            writer.close()
            await writer.wait_closed()
            return

        except OSError:
            if loop.time() > deadline:
                raise
            await asyncio.sleep(0.05)


async def wait_until(condition, timeout=5):
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        assert loop.time() < deadline, "condition not met in time"
        await asyncio.sleep(0.02)


async def register(client, events):
    result = await client.register(events, with_response=True)
    assert result is not None


async def create_session(adapter, user=operator):
    state = json.Storage()
    session = await adapter.create_session(user, state, lambda *_: None)
    return session, state


def test_conf_defaults_match_schema():
    schema = timeseries.info.json_schema_repo[timeseries.info.json_schema_id]
    properties = schema['properties']

    for name, default in timeseries.default_conf.items():
        assert properties[name]['default'] == default


@pytest.mark.parametrize('conf', [{'readings_window': 0},
                                  {'readings_window': 'many'},
                                  {'action_roles': 'operator'},
                                  {'module': 'other.module'}])
def test_conf_invalid(conf):
    conf = {'name': 'timeseries',
            'module': 'air_supervision.adapters.timeseries',
            **conf}
    validator = json.DefaultSchemaValidator(timeseries.info.json_schema_repo)

    with pytest.raises(Exception):
        validator.validate(timeseries.info.json_schema_id, conf)


def test_subscription_matches_contract():
    subscription = timeseries.info.create_subscription({})

    assert subscription.matches(common.reading_type)
    assert subscription.matches(common.result_type('anomaly'))
    assert subscription.matches(common.result_type('forecast'))
    assert subscription.matches(common.log_type('forecast', 'model_state'))
    assert not subscription.matches(common.action_type('anomaly',
                                                       'model_change'))


async def test_history_fill_on_start(module_client, create_adapter):
    await register(module_client, [reading_event(i) for i in range(30)])
    await register(module_client, [anomaly_event(i, result=int(i == 7))
                                   for i in range(30)])
    await register(module_client, [forecast_event(i) for i in (27, 28, 29)])
    await register(module_client, anomaly_log_events())
    await asyncio.sleep(0.3)

    adapter = await create_adapter({'forecasts_kept': 5})
    _, state = await create_session(adapter)

    readings = flatten(state.data['readings'])
    anomalies = flatten(state.data['anomalies'])
    assert readings == [[reading_seconds(i), float(i)] for i in range(30)]
    assert len(anomalies) == 30
    assert anomalies[7] == [reading_seconds(7), 7.0, 1, 0.9, 0.5]
    assert state.data['forecast']['t'] == reading_seconds(29)
    assert len(state.data['forecast']['points']) == 24
    assert [i['t'] for i in flatten(state.data['forecasts'])] == [
        reading_seconds(27), reading_seconds(28)]

    family = state.data['families']['anomaly']
    assert family['current'] == 'Forest'
    assert family['state']['state'] == 'fitted'
    assert [i['name'] for i in family['models']] == ['Forest', 'SVM']
    assert family['warmup'] == 200
    assert state.data['families']['forecast']['current'] is None
    assert state.data['families']['forecast']['warmup'] is None
    assert state.data['session'] == {'user': 'operator', 'may_act': True}


async def test_history_fill_limited_to_window(module_client, create_adapter):
    await register(module_client, [reading_event(i) for i in range(300)])
    await asyncio.sleep(0.3)

    adapter = await create_adapter({'readings_window': 50})
    _, state = await create_session(adapter)

    readings = flatten(state.data['readings'])
    assert readings == [[reading_seconds(i), float(i)]
                        for i in range(250, 300)]
    assert state.data['window'] == 50


async def test_window_bounded(module_client, create_adapter):
    adapter = await create_adapter({'readings_window': 10})
    _, state = await create_session(adapter)

    for i in range(0, 500, 50):
        await register(module_client, [reading_event(j)
                                       for j in range(i, i + 50)])
    await wait_until(lambda: flatten(state.data['readings'])[-1][0] ==
                     reading_seconds(499))

    readings = flatten(state.data['readings'])
    assert 10 <= len(readings) < 10 + timeseries._chunk_size
    assert readings[-10:] == [[reading_seconds(i), float(i)]
                              for i in range(490, 500)]


async def test_update_incremental(module_client, create_adapter):
    await register(module_client, [reading_event(i) for i in range(450)])
    await asyncio.sleep(0.3)
    adapter = await create_adapter({'readings_window': 400})
    _, state = await create_session(adapter)

    for i in range(450, 460):
        before = state.data
        await register(module_client, [reading_event(i)])
        await wait_until(lambda: state.data is not before)

        diff = json.diff(before, state.data)
        assert len(diff) <= 2
        assert all(op['op'] in ('add', 'remove') for op in diff)
        assert len(json.encode(diff)) < 200

    readings = flatten(state.data['readings'])
    assert readings[-1] == [reading_seconds(459), 459.0]
    assert len(readings) >= 400


async def test_duplicate_and_older_readings_ignored(module_client,
                                                    create_adapter):
    await register(module_client, [reading_event(i) for i in range(5)])
    await asyncio.sleep(0.3)
    adapter = await create_adapter()
    _, state = await create_session(adapter)

    await register(module_client, [reading_event(2, 100.0),
                                   reading_event(5)])
    await wait_until(lambda: len(flatten(state.data['readings'])) == 6)
    await asyncio.sleep(0.1)

    readings = flatten(state.data['readings'])
    assert [i[1] for i in readings] == [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]


async def test_all_sessions_updated(module_client, create_adapter):
    adapter = await create_adapter()
    _, first = await create_session(adapter, viewer)
    _, second = await create_session(adapter, operator)

    await register(module_client, [reading_event(0), anomaly_event(0, 1)])
    await register(module_client, [log_event('forecast', 'model_state',
                                             {'model': 'linear',
                                              'state': 'failed',
                                              'error': 'fit failed',
                                              'fitted_until': None,
                                              'readings': 0})])

    for state in (first, second):
        await wait_until(lambda: state.data['families']['forecast']['state']
                         is not None)
        assert flatten(state.data['readings']) == [[reading_seconds(0), 0.0]]
        assert flatten(state.data['anomalies'])[0][2] == 1
        assert state.data['families']['forecast']['state']['error'] == (
            'fit failed')

    assert first.data['session'] == {'user': 'viewer', 'may_act': False}
    assert second.data['session'] == {'user': 'operator', 'may_act': True}


async def test_unauthorized_session_state_empty(module_client,
                                                create_adapter):
    await register(module_client, [reading_event(0)])
    await asyncio.sleep(0.3)
    adapter = await create_adapter()
    _, state = await create_session(adapter, guest)

    await register(module_client, [reading_event(1)])
    await asyncio.sleep(0.3)

    assert state.data == {}


async def test_closed_session_not_updated(module_client, create_adapter):
    adapter = await create_adapter()
    session, state = await create_session(adapter)
    await session.async_close()

    await register(module_client, [reading_event(0)])
    await asyncio.sleep(0.3)

    assert flatten(state.data['readings']) == []


async def test_forecasts_bounded(module_client, create_adapter):
    adapter = await create_adapter({'forecasts_kept': 2})
    _, state = await create_session(adapter)

    for i in range(5):
        await register(module_client, [forecast_event(i)])
    await wait_until(lambda: state.data['forecast'] and
                     state.data['forecast']['t'] == reading_seconds(4))

    forecast = state.data['forecast']
    assert forecast['points'][0] == [reading_seconds(5), 5.0]
    assert forecast['points'][-1] == [reading_seconds(28), 28.0]
    assert [i['t'] for i in flatten(state.data['forecasts'])] == [
        reading_seconds(2), reading_seconds(3)]


async def test_model_change_registered(module_client, create_adapter):
    await register(module_client, anomaly_log_events())
    await asyncio.sleep(0.3)
    adapter = await create_adapter()
    session, _ = await create_session(adapter)

    await session.process_request('model_change',
                                  {'family': 'anomaly', 'model': 'SVM'})
    await wait_until(lambda: module_client.actions)

    event = module_client.actions[0]
    assert event.type == ('back_action', 'anomaly', 'model_change')
    assert common.event_data(event) == {'action': 'model_change',
                                        'model': 'SVM'}


async def test_setting_change_registered(module_client, create_adapter):
    await register(module_client, anomaly_log_events(current='SVM'))
    await asyncio.sleep(0.3)
    adapter = await create_adapter()
    session, _ = await create_session(adapter)

    await session.process_request('setting_change',
                                  {'family': 'anomaly',
                                   'model': 'SVM',
                                   'hyperparameters': {'nu': 0.2}})
    await wait_until(lambda: module_client.actions)

    event = module_client.actions[0]
    assert event.type == ('back_action', 'anomaly', 'setting_change')
    assert common.event_data(event) == {'action': 'setting_change',
                                        'nu': 0.2}


async def test_setting_change_converts_integral_float(module_client,
                                                      create_adapter):
    await register(module_client, anomaly_log_events())
    await asyncio.sleep(0.3)
    adapter = await create_adapter()
    session, _ = await create_session(adapter)

    await session.process_request('setting_change',
                                  {'family': 'anomaly',
                                   'hyperparameters': {'n_estimators': 50.0}})
    await wait_until(lambda: module_client.actions)

    data = common.event_data(module_client.actions[0])
    assert data == {'action': 'setting_change', 'n_estimators': 50}
    assert isinstance(data['n_estimators'], int)


@pytest.mark.parametrize('user, name, data, message', [
    (viewer, 'model_change', {'family': 'anomaly', 'model': 'SVM'},
     "user 'viewer' may not change models: requires one of the roles "
     "operator"),
    (operator, 'delete_model', {'family': 'anomaly', 'model': 'SVM'},
     "unknown request 'delete_model': expected model_change or "
     "setting_change"),
    (operator, 'model_change', ['anomaly', 'SVM'],
     "invalid request data ['anomaly', 'SVM']: expected an object"),
    (operator, 'model_change', {'family': 'weather', 'model': 'SVM'},
     "unknown family 'weather': expected anomaly or forecast"),
    (operator, 'model_change', {'family': 'anomaly', 'model': 'Prophet'},
     "unknown model 'Prophet': expected one of Forest, SVM"),
    (operator, 'model_change', {'family': 'forecast', 'model': 'linear'},
     "unknown model 'linear': expected one of none known yet"),
    (operator, 'setting_change', {'family': 'forecast',
                                  'hyperparameters': {'C': 1}},
     "no current model to set hyperparameters of: select a model first"),
    (operator, 'setting_change', {'family': 'anomaly', 'model': 'SVM',
                                  'hyperparameters': {'nu': 0.1}},
     "model 'SVM' is not the current model: expected 'Forest'"),
    (operator, 'setting_change', {'family': 'anomaly',
                                  'hyperparameters': {}},
     "invalid hyperparameters {}: expected an object with at least one "
     "value"),
    (operator, 'setting_change', {'family': 'anomaly',
                                  'hyperparameters': {'nu': 0.1}},
     "unknown hyperparameter 'nu': expected one of contamination, "
     "n_estimators"),
    (operator, 'setting_change', {'family': 'anomaly',
                                  'hyperparameters': {'n_estimators': 'ten'}},
     "invalid value 'ten' for n_estimators: expected an integer in "
     "[1, 1000]"),
    (operator, 'setting_change', {'family': 'anomaly',
                                  'hyperparameters': {'n_estimators': 2.5}},
     "invalid value 2.5 for n_estimators: expected an integer in [1, 1000]"),
    (operator, 'setting_change', {'family': 'anomaly',
                                  'hyperparameters': {'contamination': -0.1}},
     "value -0.1 of contamination is out of range: expected a number in "
     "[0.0001, 0.5]"),
    (operator, 'setting_change', {'family': 'anomaly',
                                  'hyperparameters': {'contamination': 0.9}},
     "value 0.9 of contamination is out of range: expected a number in "
     "[0.0001, 0.5]"),
    (operator, 'model_change', {'family': 'anomaly', 'model': 'SVM',
                                'padding': 'x' * 70000},
     "request of 70052 bytes is too large: expected at most 65536"),
])
async def test_request_rejected(module_client, create_adapter,
                                user, name, data, message):
    await register(module_client, anomaly_log_events())
    await asyncio.sleep(0.3)
    adapter = await create_adapter()
    session, _ = await create_session(adapter, user)
    operator_session, _ = await create_session(adapter, operator)

    with pytest.raises(timeseries.RequestError) as e:
        await session.process_request(name, data)
    assert str(e.value) == message

    await operator_session.process_request(
        'model_change', {'family': 'anomaly', 'model': 'Forest'})
    await wait_until(lambda: module_client.actions)
    await asyncio.sleep(0.1)

    assert len(module_client.actions) == 1
    assert common.event_data(module_client.actions[0]) == {
        'action': 'model_change', 'model': 'Forest'}


async def test_request_size_limit_from_conf(module_client, create_adapter):
    await register(module_client, anomaly_log_events())
    await asyncio.sleep(0.3)
    adapter = await create_adapter({'max_request_size': 40})
    session, _ = await create_session(adapter)

    with pytest.raises(timeseries.RequestError, match='too large'):
        await session.process_request(
            'model_change', {'family': 'anomaly', 'model': 'Forest',
                             'note': 'x' * 40})
