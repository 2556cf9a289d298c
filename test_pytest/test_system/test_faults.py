"""The whole system when one of its processes is killed with SIGKILL

Each test replays a slice of the built-in series and kills one component
in the middle of it. The orchestrator revives the component, and the
stored events must end up as if nothing had happened: every reading of the
file stored exactly once, in order, and exactly one anomaly verdict for
every reading after the first fit. A full restart of the system with
SIGINT is tested in test_pipeline.py.

"""

import asyncio

import pytest

from hat.drivers import net
import hat.event.common
import hat.event.eventer

from air_supervision import common

import system


pytestmark = pytest.mark.slow

reading_count = 1500
fit_type = ('aimm', 'fit', '*')


def _times(events):
    return [i.source_timestamp for i in events]


def _file_times(path):
    return [common.timestamp_from_str(i.split(',')[0])
            for i in path.read_text().splitlines()[1:]]


def _start(create_system, tmp_path, rate):
    readings_file = system.write_readings(tmp_path / 'readings.csv',
                                          reading_count)
    instance = create_system(device={
        'file': str(readings_file),
        'reader': {'convert': 'fahrenheit_to_celsius'},
        'rate': rate})
    instance.start()
    return instance, _file_times(readings_file)


async def _stored(client, event_type):
    order_by = (hat.event.common.OrderBy.TIMESTAMP
                if event_type[0] == 'aimm'
                else hat.event.common.OrderBy.SOURCE_TIMESTAMP)
    return await system.query_series(client, event_type, order_by=order_by)


async def _wait_complete(client, file_times, timeout):
    """Wait until the last reading of the file has a verdict"""
    async def complete():
        anomalies = await _stored(client, common.result_type('anomaly'))
        return anomalies and anomalies[-1].source_timestamp == file_times[-1]

    await system.wait_for(complete, timeout, period=1)


async def _assert_readings_and_verdicts(client, file_times):
    readings = await _stored(client, common.reading_type)
    anomalies = await _stored(client, common.result_type('anomaly'))
    fits = await _stored(client, fit_type)

    # each reading of the file once, in file order
    assert _times(readings) == file_times

    anomaly_fits = [i for i in fits
                    if i.payload.data['request_id'].startswith('anomaly')]
    assert anomaly_fits
    first_fit_rows = anomaly_fits[0].payload.data['args'][0]
    cut = hat.event.common.timestamp_from_float(first_fit_rows[-1][0])

    # one verdict for each reading after the first fit, none doubled
    assert _times(anomalies) == [i for i in file_times if i > cut]


async def _model_states(client):
    events = await system.query_series(
        client, common.log_type('anomaly', 'model_state'),
        order_by=hat.event.common.OrderBy.TIMESTAMP)
    return [(i.timestamp, i.payload.data) for i in events]


async def test_aimm_killed_during_fit(create_system, tmp_path):
    instance, file_times = _start(create_system, tmp_path, rate=40)
    client = await instance.connect()
    fitting = asyncio.Event()

    async def on_events(_, events):
        for event in events:
            data = event.payload.data
            if data['model'] == 'SVM' and data['state'] == 'fitting':
                fitting.set()

    watcher = await hat.event.eventer.connect(
        net.TcpAddress('127.0.0.1', instance.ports['eventer']),
        'test-watcher',
        subscriptions=[common.log_type('anomaly', 'model_state')],
        events_cb=on_events)

    try:
        async def has_verdicts():
            return await _stored(client, common.result_type('anomaly'))

        await system.wait_for(has_verdicts, 120)
        event_pid = instance.component_pid('event')

        await client.register([common.json_event(
            common.action_type('anomaly', 'model_change'),
            {'action': 'model_change', 'model': 'SVM'})], with_response=True)
        await asyncio.wait_for(fitting.wait(), 30)
        aimm_pid = instance.kill_component('aimm')
        killed_at = hat.event.common.now()

        async def revived():
            pid = instance.component_pid('aimm')
            return pid if pid not in (None, aimm_pid) else None

        await system.wait_for(revived, 60, period=0.2)

        async def svm_fitted_again():
            states = await _model_states(client)
            return any(t > killed_at and data['model'] == 'SVM' and
                       data['state'] == 'fitted'
                       for t, data in states)

        await system.wait_for(svm_fitted_again, 120)
        await _wait_complete(client, file_times, 180)

        states = [data for t, data in await _model_states(client)
                  if t > killed_at]
        assert states[0]['state'] == 'unavailable'
        assert states[0]['model'] == 'SVM'
        assert instance.component_pid('event') == event_pid

        fits = await _stored(client, fit_type)
        creates = await _stored(client, ('aimm', 'create_instance'))
        creates = [i for i in creates
                   if i.timestamp > killed_at and
                   i.payload.data['model_type'].startswith(
                       'air_supervision.aimm.anomaly.')]
        assert any(i.timestamp > killed_at for i in fits)
        assert [i.payload.data['model_type'] for i in creates] == [
            'air_supervision.aimm.anomaly.SVM']

        anomalies = await _stored(client, common.result_type('anomaly'))
        assert anomalies[-1].payload.data['model'] == 'SVM'
        await _assert_readings_and_verdicts(client, file_times)

    finally:
        await watcher.async_close()
        await client.async_close()


async def test_event_server_killed(create_system, tmp_path):
    instance, file_times = _start(create_system, tmp_path, rate=40)
    client = await instance.connect()

    async def stored_at_least(count):
        readings = await _stored(client, common.reading_type)
        return readings if len(readings) >= count else None

    try:
        await system.wait_for(lambda: stored_at_least(500), 120, period=0.2)
        event_pid = instance.kill_component('event')
        gateway_pid = instance.component_pid('gateway')

    finally:
        await client.async_close()

    async def revived():
        pid = instance.component_pid('event')
        return pid if pid not in (None, event_pid) else None

    await system.wait_for(revived, 60, period=0.2)
    client = await instance.connect()
    try:
        before = await _stored(client, common.reading_type)
        await _wait_complete(client, file_times, 240)

        assert 0 < len(before) < reading_count
        assert instance.component_pid('gateway') != gateway_pid
        await _assert_readings_and_verdicts(client, file_times)
        assert "readings left" in instance.log_text()

    finally:
        await client.async_close()
