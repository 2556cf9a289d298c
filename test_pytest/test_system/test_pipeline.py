"""The whole system on a replayed slice of the built-in series"""

import asyncio
import collections

import pytest

from hat.drivers import net
import hat.event.common
import hat.event.eventer

from air_supervision import common
from air_supervision.modules.controller.anomaly import AnomalyModule
from air_supervision.modules.controller.forecast import ForecastModule
from air_supervision.policy import default_policy

import system


pytestmark = pytest.mark.slow

reading_count = 1200


def _times(events):
    return [i.source_timestamp for i in events]


async def _state(client, family):
    event = await system.query_latest(
        client, common.log_type(family, 'model_state'))
    return event.payload.data if event else None


async def _wait_fitted(client, family, model, timeout=120):
    async def fitted():
        state = await _state(client, family)
        current = await system.query_latest(
            client, common.log_type(family, 'new_current_model'))
        return (state and state['model'] == model and
                state['state'] == 'fitted' and current and
                current.payload.data['model'] == model)

    await system.wait_for(fitted, timeout)


async def _wait_results(client, count, timeout=180):
    async def done():
        readings = await system.query_series(client, common.reading_type)
        anomalies = await system.query_series(client,
                                              common.result_type('anomaly'))
        if (len(readings) >= count and anomalies and
                anomalies[-1].source_timestamp ==
                readings[-1].source_timestamp):
            return readings, anomalies

    return await system.wait_for(done, timeout, period=1)


async def _register_action(client, family, action, data):
    await client.register([common.json_event(
        common.action_type(family, action), {'action': action, **data})],
        with_response=True)


async def test_pipeline_end_to_end(create_system, tmp_path):
    readings_file = system.write_readings(tmp_path / 'readings.csv',
                                          reading_count)
    instance = create_system(device={
        'file': str(readings_file),
        'reader': {'convert': 'fahrenheit_to_celsius'},
        'rate': 50})
    instance.start()
    client = await instance.connect()
    actions = collections.defaultdict(list)

    async def on_events(_, events):
        for event in events:
            data = event.payload.data
            actions[data['request_id']].append(data['status'])

    watcher = await hat.event.eventer.connect(
        net.TcpAddress('127.0.0.1', instance.ports['eventer']),
        'test-watcher', subscriptions=[('aimm', 'action')],
        events_cb=on_events)

    try:
        readings, anomalies = await _wait_results(client, reading_count)
        forecasts = await system.query_series(
            client, common.result_type('forecast'))
        fits = await system.query_series(
            client, ('aimm', 'fit', '*'),
            order_by=hat.event.common.OrderBy.TIMESTAMP)

        assert len(readings) == reading_count
        assert len(set(_times(readings))) == reading_count

        # every reading after the first fit's last reading has one verdict
        anomaly_fits = [i for i in fits
                        if i.payload.data['request_id'].startswith('anomaly')]
        first_fit_rows = anomaly_fits[0].payload.data['args'][0]
        cut = hat.event.common.timestamp_from_float(first_fit_rows[-1][0])
        assert len(first_fit_rows) >= default_policy.warmup
        after_cut = [i for i in _times(readings) if i > cut]
        assert _times(anomalies) == after_cut
        for event in anomalies:
            data = event.payload.data
            assert data['result'] in (0, 1)
            assert 0 <= data['score'] <= 1
            assert data['result'] == int(data['score'] >= data['threshold'])

        assert forecasts
        for event in forecasts:
            result = event.payload.data['result']
            assert len(result) == 24
            origin = common.time_from_str(event.payload.data['timestamp'])
            first = common.time_from_str(result[0]['timestamp'])
            assert (first - origin).total_seconds() == 3600

        # no fit used a reading registered after the fit request
        registered = {i.source_timestamp: i.timestamp for i in readings}
        assert len(fits) >= 2
        for fit in fits:
            for t, _ in fit.payload.data['args'][0]:
                reading_time = hat.event.common.timestamp_from_float(t)
                assert reading_time in registered
                assert registered[reading_time] <= fit.timestamp

        for family, specs in [('anomaly', AnomalyModule.specs),
                              ('forecast', ForecastModule.specs)]:
            for name in reversed(list(specs)):
                await _register_action(client, family, 'model_change',
                                       {'model': name})
                await _wait_fitted(client, family, name)

        fit_count = len(await system.query_series(
            client, ('aimm', 'fit', '*'),
            order_by=hat.event.common.OrderBy.TIMESTAMP))
        await _register_action(client, 'anomaly', 'model_change',
                               {'model': 'SVM'})
        await _wait_fitted(client, 'anomaly', 'SVM')
        await _register_action(client, 'anomaly', 'setting_change',
                               {'nu': 0.1})

        async def setting_applied():
            setting = await system.query_latest(
                client, common.log_type('anomaly', 'setting'))
            state = await _state(client, 'anomaly')
            return (setting.payload.data['hyperparameters']['nu'] == 0.1 and
                    state['state'] == 'fitted')

        await system.wait_for(setting_applied, 60)
        creates = await system.query_series(
            client, ('aimm', 'create_instance'),
            order_by=hat.event.common.OrderBy.TIMESTAMP)
        fits_after = await system.query_series(
            client, ('aimm', 'fit', '*'),
            order_by=hat.event.common.OrderBy.TIMESTAMP)
        last_create = creates[-1].payload.data
        assert last_create['model_type'].endswith('.SVM')
        assert last_create['kwargs']['nu'] == 0.1
        assert len(fits_after) > fit_count
        assert actions[fits_after[-1].payload.data['request_id']][-1] == \
            'DONE'
        assert actions[last_create['request_id']][-1] == 'DONE'

    finally:
        await watcher.async_close()
        await client.async_close()


async def test_restart_keeps_readings(create_system, tmp_path):
    readings_file = system.write_readings(tmp_path / 'readings.csv', 900)
    instance = create_system(device={
        'file': str(readings_file),
        'reader': {'convert': 'fahrenheit_to_celsius'},
        'rate': 20})
    instance.start()
    client = await instance.connect()

    async def stored_at_least(count):
        readings = await system.query_series(client, common.reading_type)
        return readings if len(readings) >= count else None

    await system.wait_for(lambda: stored_at_least(400), 120)
    await client.async_close()
    instance.stop()

    instance.start()
    client = await instance.connect()
    try:
        before = await system.query_series(client, common.reading_type)
        anomalies_before = await system.query_series(
            client, common.result_type('anomaly'))
        readings, anomalies = await _wait_results(client, 900)

        file_times = [common.timestamp_from_str(i.split(',')[0])
                      for i in readings_file.read_text().splitlines()[1:]]
        assert _times(readings) == file_times
        assert len(before) >= 400
        assert len(set(_times(anomalies))) == len(anomalies)
        assert len(anomalies) > len(anomalies_before)
        assert anomalies[-1].source_timestamp == file_times[-1]

        log = instance.log_text()
        assert "readings left" in log

    finally:
        await client.async_close()


async def test_readings_module_drops_resent(create_system):
    instance = create_system(components=['syslog', 'monitor', 'event'])
    instance.start()
    client = await instance.connect()
    try:
        await asyncio.sleep(1)
        times = ['2020-01-01 00:00:00', '2020-01-01 01:00:00',
                 '2020-01-01 00:00:00', '2020-01-01 01:00:00',
                 '2020-01-01 02:00:00']
        for t in times:
            await client.register([common.json_event(
                ('gateway', 'air_readings', 'readings', 'gateway',
                 'reading'),
                {'timestamp': t, 'value': 1.5},
                common.timestamp_from_str(t))], with_response=True)

        readings = await system.query_series(client, common.reading_type)
        assert [i.payload.data['timestamp'] for i in readings] == [
            '2020-01-01 00:00:00', '2020-01-01 01:00:00',
            '2020-01-01 02:00:00']

    finally:
        await client.async_close()
