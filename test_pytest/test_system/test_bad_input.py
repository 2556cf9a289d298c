"""The running system fed bad readings files and bad user actions

One system is started on a small good file and shared by the tests of this
file, in order. A bad file is given to the gateway alone by rewriting its
configuration and killing it, so that the orchestrator starts it again on
the new file. Bad actions are registered
by an eventer client, as a faulty view would send them.

"""

import asyncio
import contextlib

import pytest
import yaml

import hat.event.common

from air_supervision import common

import system


pytestmark = pytest.mark.slow

good_count = 400
mixed_count = 200
reader_conf = {'convert': 'fahrenheit_to_celsius'}
result_types = [common.reading_type,
                common.result_type('anomaly'),
                common.result_type('forecast')]
component_names = ['syslog', 'monitor', 'event', 'aimm', 'gui']


@pytest.fixture(scope='module')
def running(tmp_path_factory):
    path = tmp_path_factory.mktemp('bad_input')
    readings_file = system.write_readings(path / 'good.csv', good_count)
    instance = system.System(path / 'system', device={
        'file': str(readings_file), 'reader': reader_conf, 'rate': 100})
    instance.start()
    try:
        asyncio.run(_wait_results(instance, _file_times(readings_file)[-1]))
        yield instance

    finally:
        instance.stop()


def _file_times(path):
    return [common.timestamp_from_str(i.split(',')[0])
            for i in path.read_text().splitlines()[1:]]


async def _wait_results(instance, last_time, event_types=result_types,
                        timeout=180):
    """Wait until the latest event of each of `event_types` is the one of
    the reading at `last_time`"""
    async def done():
        latest = [await system.query_latest(client, i)
                  for i in event_types]
        return all(i is not None and i.source_timestamp == last_time
                   for i in latest)

    async with _connect(instance) as client:
        await system.wait_for(done, timeout)


@contextlib.asynccontextmanager
async def _connect(instance):
    client = await instance.connect()
    try:
        yield client

    finally:
        await client.async_close()


async def _stored(client):
    """Stored readings and results, by event type"""
    return {event_type: [(i.source_timestamp, i.payload.data)
                         for i in await system.query_series(client,
                                                            event_type)]
            for event_type in result_types}


def _replay(instance, path):
    """Restart the gateway alone on the readings file `path`"""
    conf_path = instance.conf_dir / 'gateway.yaml'
    conf = yaml.safe_load(conf_path.read_text())
    conf['devices'][0].update(file=str(path), reader=reader_conf)
    conf_path.write_text(yaml.safe_dump(conf))
    instance.kill_component('gateway')


def _pids(instance):
    return {i: instance.component_pid(i) for i in component_names}


def _write_bytes(path, data):
    path.write_bytes(data)
    return path


def _header_and_rows(rows):
    lines = system.builtin_file.read_text().splitlines()
    return '\n'.join([lines[0], *rows]) + '\n'


bad_files = {
    'empty': (b'', "file is empty"),
    'header_only': (b'timestamp,value\n', "header only"),
    'missing_column': (
        b'timestamp,temperature\n2013-07-04 00:00:00,69.9\n',
        "column 'value' not found"),
    'not_text': (bytes(range(256)) * 16, "not a text file"),
    'date_format': (
        b'timestamp,value\n04/07/2013 00:00,69.9\n04/07/2013 01:00,71.2\n',
        "no time in column 'timestamp' matches ISO 8601")}


@pytest.mark.parametrize('case', list(bad_files))
async def test_bad_file_rejected(running, tmp_path, case):
    data, problem = bad_files[case]
    path = _write_bytes(tmp_path / f'{case}.csv', data)
    pids = _pids(running)
    async with _connect(running) as client:
        before = await _stored(client)

    _replay(running, path)

    async def logged():
        prefix = f"cannot use its readings file: {path}: "
        return any(prefix in i and problem in i.split(prefix)[1]
                   for i in running.log_text().splitlines())

    await system.wait_for(logged, 60)
    await asyncio.sleep(2)

    async with _connect(running) as client:
        after = await _stored(client)

    assert _pids(running) == pids
    assert running.component_pid('gateway') is not None
    for event_type in result_types:
        assert after[event_type] == before[event_type]


async def _register_action(client, action, data):
    await client.register([common.json_event(
        common.action_type('anomaly', action), data)], with_response=True)


async def _action_errors(client):
    events = await system.query_series(
        client, common.log_type('anomaly', 'action_error'),
        order_by=hat.event.common.OrderBy.TIMESTAMP)
    return [i.payload.data for i in events]


async def _latest_data(client, kind):
    event = await system.query_latest(client, common.log_type('anomaly',
                                                              kind))
    return event.payload.data


bad_actions = [
    ('model_change', {'action': 'model_change', 'model': 'Prophet'},
     "'Prophet'"),
    ('setting_change', {'action': 'setting_change', 'n_estimators': 'many'},
     "'many'"),
    ('setting_change', {'action': 'setting_change', 'n_estimators': 5000},
     "5000"),
    ('setting_change', {'action': 'setting_change', 'max_features': 0.1},
     "0.1"),
    ('setting_change', {'action': 'setting_change', 'depth': 3},
     "'depth'"),
    ('explode', {'action': 'explode'}, "'explode'"),
    ('model_change', ['Forest'], "['Forest']"),
    ('setting_change', 'threshold=0.5', "'threshold=0.5'")]


async def _select_forest(client):
    """Make Forest, whose hyperparameters the bad actions name, current"""
    await _register_action(client, 'model_change',
                           {'action': 'model_change', 'model': 'Forest'})

    async def fitted():
        state = await _latest_data(client, 'model_state')
        return state['model'] == 'Forest' and state['state'] == 'fitted'

    await system.wait_for(fitted, 60)


async def test_bad_actions_rejected(running):
    async with _connect(running) as client:
        await _select_forest(client)
        model = await _latest_data(client, 'new_current_model')
        setting = await _latest_data(client, 'setting')
        errors_before = await _action_errors(client)

        for action, data, value in bad_actions:
            count = len(errors_before) + 1
            await _register_action(client, action, data)

            async def rejected():
                errors = await _action_errors(client)
                return errors if len(errors) >= count else None

            errors = await system.wait_for(rejected, 10, period=0.2)
            assert len(errors) == count
            assert errors[-1]['action'] == action
            assert value in errors[-1]['message']
            errors_before = errors

        assert await _latest_data(client, 'new_current_model') == model
        assert await _latest_data(client, 'setting') == setting
        assert (await _latest_data(client, 'model_state'))['state'] == \
            'fitted'

        # readings still get verdicts: the next rows of the built-in
        # series, as the device would send them
        rows = system.builtin_file.read_text().splitlines()[
            good_count + 1:good_count + 4]
        for row in rows:
            time, value = row.split(',')
            await client.register([common.json_event(
                ('gateway', 'air_readings', 'readings', 'gateway',
                 'reading'),
                {'timestamp': time, 'value': (float(value) - 32) * 5 / 9},
                common.timestamp_from_str(time))], with_response=True)

    await _wait_results(running, common.timestamp_from_str(
        rows[-1].split(',')[0]), timeout=60)


def _mixed_rows():
    """Rows after the good file with bad lines among them, and the good
    rows as ``[time, value]`` texts"""
    lines = system.builtin_file.read_text().splitlines()[1:]
    good = lines[good_count:good_count + mixed_count]

    # 30 rows left out make a gap of 30 hours, which the reader reports
    # but does not skip
    good = good[:100] + good[130:]
    bad = ['2013-07-21 03:00:00,warm',
           '2013-07-21 03:30:00,nan',
           '2013-07-21 03:40:00,inf',
           '2013-07-21 03:50:00,',
           good[20].split(',')[0] + ',99.9',
           lines[10],
           '2013-07-21 04:10:00,70.1,extra',
           '2013-07-21 04:20:00',
           'not a reading at all']
    rows = list(good)
    for i, line in enumerate(bad):
        rows.insert(10 + i * 15, line)

    return rows, [i.split(',') for i in good]


async def test_mixed_lines_stored_once(running, tmp_path):
    rows, good_rows = _mixed_rows()
    good_times = [common.timestamp_from_str(t) for t, _ in good_rows]
    good_values = [(float(v) - 32) * 5 / 9 for _, v in good_rows]
    path = tmp_path / 'mixed.csv'
    path.write_text(_header_and_rows(rows))
    pids = _pids(running)
    async with _connect(running) as client:
        before = await _stored(client)

    _replay(running, path)

    # the last readings follow a gap, so they get no forecast
    await _wait_results(running, good_times[-1],
                        [common.reading_type, common.result_type('anomaly')])

    async with _connect(running) as client:
        after = await _stored(client)

    readings = after[common.reading_type]
    before_times = [t for t, _ in before[common.reading_type]]
    new_times = [t for t, _ in readings[len(before_times):]]
    assert readings[:len(before_times)] == before[common.reading_type]
    assert new_times == [t for t in good_times if t > before_times[-1]]
    new_values = [data['value'] for _, data in readings[len(before_times):]]
    assert new_values == pytest.approx(good_values[-len(new_values):])
    assert len(set(t for t, _ in readings)) == len(readings)

    anomalies = after[common.result_type('anomaly')]
    anomaly_times = [t for t, _ in anomalies]
    assert anomaly_times[-len(new_times):] == new_times
    assert len(set(anomaly_times)) == len(anomaly_times)

    message = (f"read {len(good_rows)} readings from {path} "
               f"(9 lines skipped, 2 gaps)")
    assert message in running.log_text()
    assert _pids(running) == pids
