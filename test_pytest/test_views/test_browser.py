"""Main and login views in Chromium, served by a real hat-gui server that
reads from a real event server. The test registers readings, results and
model state in place of the device and the event server modules."""

import asyncio
import datetime
import math
import os
import re

import pytest
import yaml

from air_supervision import common
from air_supervision.modules.controller.anomaly import AnomalyModule
from air_supervision.modules.controller.forecast import ForecastModule

import system

playwright = pytest.importorskip('playwright.async_api')

pytestmark = pytest.mark.slow

start = datetime.datetime(2014, 1, 1, tzinfo=datetime.timezone.utc)
step = datetime.timedelta(minutes=5)

operator_password = 'air-supervision'

anomaly_models = {'models': [
    {'name': 'Forest', 'description': 'Isolation forest',
     'hyperparameters': [
         {'name': 'contamination', 'type': 'float', 'default': 0.01,
          'minimum': 0.0001, 'maximum': 0.5,
          'description': 'expected share of anomalies'}]},
    {'name': 'SVM', 'description': 'One-class SVM',
     'hyperparameters': [
         {'name': 'nu', 'type': 'float', 'default': 0.05,
          'minimum': 0.001, 'maximum': 1,
          'description': 'upper bound of the share of outliers'},
         {'name': 'shrinking', 'type': 'bool', 'default': True,
          'description': 'use the shrinking heuristic'}]}]}

forecast_models = {'models': [
    {'name': 'linear', 'description': 'Linear regression on lags',
     'hyperparameters': [
         {'name': 'lags', 'type': 'int', 'default': 12,
          'minimum': 1, 'maximum': 288,
          'description': 'number of past readings used'}]}]}


def reading_time(i, step=step):
    return common.time_to_str(start + i * step)


def reading_seconds(i, step=step):
    return (start + i * step).timestamp()


def reading_value(i):
    return 70 + 5 * ((i % 48) / 48)


def reading_events(indexes, step=step):
    return [common.json_event(common.reading_type,
                              {'timestamp': reading_time(i, step),
                               'value': reading_value(i)},
                              common.timestamp_from_str(reading_time(i, step)))
            for i in indexes]


def anomaly_events(indexes, anomalies=()):
    events = []
    for i in indexes:
        result = int(i in anomalies)
        data = {'timestamp': reading_time(i), 'value': reading_value(i),
                'result': result, 'score': 0.8 if result else 0.2,
                'threshold': 0.6, 'model': 'Forest'}
        events.append(common.json_event(
            common.result_type('anomaly'), data,
            common.timestamp_from_str(reading_time(i))))
    return events


def forecast_event(i, horizon=24):
    data = {'timestamp': reading_time(i), 'value': reading_value(i),
            'model': 'linear',
            'result': [{'timestamp': reading_time(i + j + 1),
                        'value': reading_value(i + j + 1) + 0.5}
                       for j in range(horizon)]}
    return common.json_event(common.result_type('forecast'), data,
                             common.timestamp_from_str(reading_time(i)))


def log_event(family, kind, data):
    return common.json_event(common.log_type(family, kind), data)


def model_state_event(family, model, state, error=None, fitted=True):
    return log_event(family, 'model_state',
                     {'model': model, 'state': state, 'error': error,
                      'fitted_until': reading_time(0) if fitted else None,
                      'readings': 100 if fitted else 0})


def model_events():
    return [log_event('anomaly', 'supported_models', anomaly_models),
            log_event('anomaly', 'new_current_model', {'model': 'Forest'}),
            model_state_event('anomaly', 'Forest', 'fitted'),
            log_event('forecast', 'supported_models', forecast_models),
            log_event('forecast', 'new_current_model', {'model': 'linear'}),
            model_state_event('forecast', 'linear', 'fitted')]


async def register(client, events):
    result = await client.register(events, with_response=True)
    assert result is not None


async def login(page, url, name='operator', password=operator_password):
    await page.goto(url)
    await page.wait_for_url('**/view/login/index.html')
    await page.fill('#login-text', name)
    await page.fill('#login-password', password)
    await page.click('button[type=submit]')
    await page.wait_for_url('**/view/main/index.html')
    await page.wait_for_selector('.badge.connection.ok')


async def chart_data(page, name):
    return await page.evaluate(
        'name => document.querySelector(".chart")?.dataset[name]', name)


async def wait_chart(page, name, value, timeout=15000):
    await page.wait_for_function(
        '([name, value]) => document.querySelector(".chart")'
        '?.dataset[name] == value',
        arg=[name, str(value)], timeout=timeout)


async def wait_actions(client, count, timeout=5):
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while len(client.actions) < count:
        assert loop.time() < deadline, "back_action not registered in time"
        await asyncio.sleep(0.05)


async def test_login_wrong_password_rejected(page, gui_server):
    await page.goto(gui_server.url)
    await page.wait_for_url('**/view/login/index.html')
    await page.fill('#login-text', 'operator')
    await page.fill('#login-password', 'wrong password')
    await page.click('button[type=submit]')

    message = page.locator('.message.error')
    await message.wait_for()
    assert await message.text_content() == (
        'Login failed: invalid user name or password')
    assert page.url.endswith('/view/login/index.html')
    assert await page.input_value('#login-password') == ''


async def test_no_state_before_login(page, gui_server, module_client):
    await register(module_client, reading_events(range(10)))
    sockets = []
    page.on('websocket', lambda ws: sockets.append(ws))

    await page.goto(gui_server.url)
    await page.wait_for_url('**/view/login/index.html')
    main_status = await page.evaluate(
        'async () => (await fetch("/view/main/main.js")).status')
    ws_result = await page.evaluate('''() => new Promise(resolve => {
        const ws = new WebSocket(`ws://${location.host}/ws`);
        const messages = [];
        ws.onmessage = evt => messages.push(evt.data);
        ws.onopen = () => resolve('open');
        ws.onclose = () => resolve(`closed ${messages.length}`);
    })''')

    assert main_status == 401
    assert ws_result == 'closed 0'
    assert len(sockets) == 1
    assert str(reading_value(3)) not in await page.content()


async def test_chart_readings_grow(page, gui_server, module_client):
    await register(module_client, reading_events(range(50)))
    await login(page, gui_server.url)
    await wait_chart(page, 'readings', 50)

    for i in range(50, 60):
        await register(module_client, reading_events([i]))
        await asyncio.sleep(0.5)
    await wait_chart(page, 'readings', 60)

    assert float(await chart_data(page, 'lastReading')) == reading_seconds(59)
    assert await page.locator('button.live.active').count() == 1
    header = await page.text_content('.last-reading')
    assert f'last reading {reading_time(59)} UTC' in header


async def test_chart_window_bounded(page, gui_server, module_client):
    await login(page, gui_server.url)

    for i in range(0, 2300, 500):
        await register(module_client, reading_events(range(i, i + 500)))
    await wait_chart(page, 'lastReading', int(reading_seconds(2499)))

    assert await chart_data(page, 'readings') == '2000'
    assert float(await chart_data(page, 'firstReading')) == (
        reading_seconds(500))


async def test_page_steady_with_full_window(page, gui_server,
                                           module_client):
    await register(module_client, reading_events(range(2000)))
    await register(module_client, anomaly_events(range(2000), {5, 500}))
    await register(module_client, [forecast_event(i)
                                   for i in range(1979, 2000)])
    await login(page, gui_server.url)
    await wait_chart(page, 'readings', 2000)
    await page.evaluate("""() => {
        window.longTasks = [];
        new PerformanceObserver(list => window.longTasks.push(
            ...list.getEntries().map(i => i.duration)
        )).observe({type: 'longtask'});
    }""")
    cdp = await page.context.new_cdp_session(page)

    async def heap_size():
        await cdp.send('HeapProfiler.collectGarbage')
        return (await cdp.send('Runtime.getHeapUsage'))['usedSize']

    # five times the rate of the device, with a forecast every 5 readings
    heap_sizes = []
    for i in range(2000, 2300):
        events = reading_events([i]) + anomaly_events([i])
        if i % 5 == 0:
            events.append(forecast_event(i))
        await register(module_client, events)
        await asyncio.sleep(0.1)

        if i % 100 == 0:
            heap_sizes.append(await heap_size())
    await wait_chart(page, 'lastReading', int(reading_seconds(2299)))
    heap_sizes.append(await heap_size())

    assert await chart_data(page, 'readings') == '2000'
    assert heap_sizes[-1] < 1.5 * heap_sizes[0]
    assert await page.evaluate('Math.max(0, ...window.longTasks)') < 200


async def test_anomalies_and_forecasts_drawn(page, gui_server,
                                             module_client):
    await register(module_client, reading_events(range(100)))
    await register(module_client, anomaly_events(range(100), {20, 70}))
    await register(module_client, [forecast_event(i) for i in (50, 75, 99)])
    await login(page, gui_server.url)

    await wait_chart(page, 'anomalies', 2)
    await wait_chart(page, 'forecastPoints', 24)
    assert float(await chart_data(page, 'forecastEnd')) == (
        reading_seconds(123))
    assert await chart_data(page, 'earlierForecasts') == '2'
    assert 'forecast MAE 0.5000' in await page.text_content(
        '.forecast-error')

    await register(module_client, reading_events([100]))
    await register(module_client, anomaly_events([100], {100}))
    await wait_chart(page, 'anomalies', 3)


async def test_model_change_registered(page, gui_server, module_client):
    await register(module_client, model_events())
    await login(page, gui_server.url)

    current = page.locator('#family-anomaly button.model.current')
    assert await current.text_content() == 'Forest'
    badge = page.locator('#family-anomaly .badge.state')
    assert await badge.text_content() == 'Forest: fitted'

    await page.click('#family-anomaly button[data-model="SVM"]')
    await wait_actions(module_client, 1)

    event = module_client.actions[0]
    assert event.type == ('back_action', 'anomaly', 'model_change')
    assert common.event_data(event) == {'action': 'model_change',
                                        'model': 'SVM'}

    await register(module_client, [
        model_state_event('anomaly', 'SVM', 'fitting'),
        log_event('anomaly', 'new_current_model', {'model': 'SVM'})])
    await page.wait_for_selector('#family-anomaly .badge.state.fitting')
    await register(module_client, [
        model_state_event('anomaly', 'SVM', 'fitted')])
    await page.wait_for_selector('#family-anomaly .badge.state.fitted')
    assert await badge.text_content() == 'SVM: fitted'
    assert await current.text_content() == 'SVM'
    assert await page.input_value('#anomaly-nu') == '0.05'


async def test_failed_state_shows_error(page, gui_server, module_client):
    await register(module_client, model_events())
    await register(module_client, [model_state_event(
        'forecast', 'linear', 'failed', error='fit failed: too few readings')])
    await login(page, gui_server.url)

    badge = page.locator('#family-forecast .badge.state.failed')
    await badge.wait_for()
    assert await badge.text_content() == 'linear: failed'
    assert await page.text_content('#family-forecast .state-error') == (
        'fit failed: too few readings')


async def test_setting_change_registered(page, gui_server, module_client):
    await register(module_client, model_events())
    await login(page, gui_server.url)

    await page.fill('#forecast-lags', '24')
    await page.click('#family-forecast button[type=submit]')
    await wait_actions(module_client, 1)

    event = module_client.actions[0]
    assert event.type == ('back_action', 'forecast', 'setting_change')
    assert common.event_data(event) == {'action': 'setting_change',
                                        'lags': 24}


@pytest.mark.parametrize('text, message', [
    ('-0.1', "value -0.1 of contamination is out of range: expected a "
             "number in [0.0001, 0.5]"),
    ('abc', "invalid value 'abc' for contamination: expected a number in "
            "[0.0001, 0.5]"),
    ('', "missing value for contamination: expected a number in "
         "[0.0001, 0.5]"),
    ('0.9', "value 0.9 of contamination is out of range: expected a number "
            "in [0.0001, 0.5]"),
])
async def test_bad_hyperparameter_rejected(page, gui_server, module_client,
                                           text, message):
    await register(module_client, model_events())
    await login(page, gui_server.url)

    await page.fill('#anomaly-contamination', text)
    await page.click('#family-anomaly button[type=submit]')

    shown = page.locator('#family-anomaly .family-message.error')
    await shown.wait_for()
    assert await shown.text_content() == message
    await asyncio.sleep(0.5)
    assert module_client.actions == []


async def test_integer_hyperparameter_rejected(page, gui_server,
                                               module_client):
    await register(module_client, model_events())
    await login(page, gui_server.url)

    await page.fill('#forecast-lags', '2.5')
    await page.click('#family-forecast button[type=submit]')

    shown = page.locator('#family-forecast .family-message.error')
    await shown.wait_for()
    assert await shown.text_content() == (
        "invalid value 2.5 for lags: expected an integer in [1, 288]")
    await asyncio.sleep(0.5)
    assert module_client.actions == []


async def test_viewer_read_only(page, gui_server, module_client):
    await register(module_client, model_events())
    await login(page, gui_server.url, 'viewer', 'viewer-password')

    button = page.locator('#family-anomaly button[data-model="SVM"]')
    assert await button.is_disabled()
    assert await page.is_disabled('#anomaly-contamination')
    assert 'Read only' in await page.text_content('#family-anomaly')

    result = await page.evaluate('''async () => {
        const ws = new WebSocket(`ws://${location.host}/ws`);
        await new Promise(resolve => ws.onopen = resolve);
        ws.send('0' + JSON.stringify({
            type: 'request', id: 1, name: 'timeseries/model_change',
            data: {family: 'anomaly', model: 'SVM'}}));
        return await new Promise(resolve => ws.onmessage = evt => {
            const msg = JSON.parse(evt.data.substring(1));
            if (msg.type == 'response') resolve(msg);
        });
    }''')
    assert result['success'] is False
    assert result['data'] == ("user 'viewer' may not change models: "
                              "requires one of the roles operator")
    await asyncio.sleep(0.5)
    assert module_client.actions == []


async def test_reload_shows_history(page, gui_server, module_client):
    await register(module_client, reading_events(range(300)))
    await register(module_client, [forecast_event(299)])
    await login(page, gui_server.url)
    await wait_chart(page, 'readings', 300)

    await page.reload()
    await page.wait_for_selector('.badge.connection.ok')

    await wait_chart(page, 'readings', 300)
    await wait_chart(page, 'forecastPoints', 24)


async def test_gui_restart_reconnects(page, gui_server, module_client):
    await register(module_client, reading_events(range(200)))
    await login(page, gui_server.url)
    await wait_chart(page, 'readings', 200)

    # hat-gui stores sessions in a ('gui', 'sessions') event at most every
    # 5 s and when it stops, so the restarted server knows the session
    gui_server.stop()
    await page.wait_for_selector('.badge.connection.alarm')
    assert await chart_data(page, 'readings') == '200'

    await register(module_client, reading_events(range(200, 250)))
    await gui_server.start()

    await page.wait_for_selector('.badge.connection.ok', timeout=20000)
    await wait_chart(page, 'readings', 250)
    assert page.url.endswith('/view/main/index.html')


async def test_login_page_layout(page, gui_server):
    await page.goto(gui_server.url)
    await page.wait_for_url('**/view/login/index.html')

    form = await page.locator('.login form').bounding_box()
    viewport = page.viewport_size
    background = await page.eval_on_selector(
        '.login form', 'el => getComputedStyle(el).backgroundColor')
    body = await page.eval_on_selector(
        'body', 'el => getComputedStyle(el).backgroundColor')

    assert abs(form['x'] + form['width'] / 2 - viewport['width'] / 2) < 2
    assert abs(form['y'] + form['height'] / 2 - viewport['height'] / 2) < 2
    assert form['width'] < viewport['width'] / 2
    assert background == 'rgb(29, 35, 42)'
    assert body == 'rgb(21, 25, 30)'


async def time_ticks(page):
    """Labels of the time axis, the widest label's width in the axis font
    and the width of the plot, in CSS pixels"""
    return await page.evaluate('''() => {
        const el = document.querySelector('.chart');
        const labels = el.dataset.timeTicks.split('|');
        const ctx = document.createElement('canvas').getContext('2d');
        ctx.font = '12px "DejaVu Sans", "Segoe UI", Roboto, sans-serif';
        const widths = labels.flatMap(label =>
            label.split('\\n').map(line => ctx.measureText(line).width));
        const plot = el.querySelector('.u-over').getBoundingClientRect();
        return {labels, widest: Math.max(...widths), plot: plot.width};
    }''')


def assert_legible(ticks, pattern):
    labels = ticks['labels']
    assert len(labels) >= 3
    assert len(set(labels)) == len(labels)
    assert all(re.fullmatch(pattern, i) for i in labels), labels
    # n ticks over the plot are at least plot / (n + 1) apart
    assert ticks['widest'] + 8 < ticks['plot'] / (len(labels) + 1)


async def test_time_axis_days_and_months_legible(page, gui_server,
                                                 module_client):
    hour = datetime.timedelta(hours=1)
    await register(module_client, reading_events(range(2000), hour))
    await login(page, gui_server.url)
    await wait_chart(page, 'readings', 2000)

    assert_legible(await time_ticks(page), r'\d{4}-\d{2}-\d{2}')

    for _ in range(4):
        await page.click('button.tool[title="Zoom out"]')
    assert_legible(await time_ticks(page), r'\d{4}-\d{2}')


async def test_time_axis_hours_legible(page, gui_server, module_client):
    await register(module_client, reading_events(range(100)))
    await login(page, gui_server.url)
    await wait_chart(page, 'readings', 100)

    ticks = await time_ticks(page)
    assert_legible(ticks, r'\d{2}:\d{2}(\n\d{4}-\d{2}-\d{2})?')
    assert ticks['labels'][0].endswith('\n2014-01-01')


async def test_chart_gap_breaks_line(page, gui_server, module_client):
    await register(module_client, reading_events(range(50)))
    await login(page, gui_server.url)
    await wait_chart(page, 'readings', 50)
    assert await chart_data(page, 'gaps') == '0'

    await register(module_client, reading_events(range(80, 130)))
    await register(module_client, anomaly_events(range(80, 130)))
    await wait_chart(page, 'readings', 100)
    assert await chart_data(page, 'gaps') == '1'


async def test_model_change_message_cleared(page, gui_server,
                                            module_client):
    await register(module_client, model_events())
    await login(page, gui_server.url)

    await page.click('#family-anomaly button[data-model="SVM"]')
    message = page.locator('#family-anomaly .family-message.info')
    await message.wait_for()
    assert await message.text_content() == (
        'requested model SVM, waiting for the module')

    await register(module_client, [
        model_state_event('anomaly', 'SVM', 'fitting'),
        log_event('anomaly', 'new_current_model', {'model': 'SVM'})])
    await message.wait_for(state='detached')
    await page.wait_for_selector('#family-anomaly .badge.state.fitting')


async def test_setting_change_message_cleared(page, gui_server,
                                              module_client):
    await register(module_client, model_events())
    await login(page, gui_server.url)

    await page.fill('#forecast-lags', '24')
    await page.click('#family-forecast button[type=submit]')
    message = page.locator('#family-forecast .family-message.info')
    await message.wait_for()

    await register(module_client, [
        model_state_event('forecast', 'linear', 'fitting')])
    await message.wait_for(state='detached')


async def test_disconnected_since_kept(page, gui_server, module_client):
    await login(page, gui_server.url)
    gui_server.stop()

    badge = page.locator('.badge.connection.alarm')
    await page.wait_for_function(
        '() => document.querySelector(".badge.connection")'
        '?.textContent.includes("since")')
    first = await badge.text_content()
    # more than two reconnection attempts, 2 s apart
    await asyncio.sleep(5)

    assert re.fullmatch(r'disconnected since \d{4}-\d{2}-\d{2} '
                        r'\d{2}:\d{2}:\d{2} UTC, reconnecting\.\.\.', first)
    assert await badge.text_content() == first


async def test_bool_hyperparameter_checkbox(page, gui_server,
                                            module_client):
    await register(module_client, model_events())
    await register(module_client, [
        log_event('anomaly', 'new_current_model', {'model': 'SVM'})])
    await login(page, gui_server.url)

    checkbox = page.locator('#anomaly-shrinking')
    await checkbox.wait_for()
    assert await checkbox.get_attribute('type') == 'checkbox'
    assert await checkbox.is_checked()
    assert await page.text_content('#anomaly-shrinking + .range') == (
        'bool, default true')
    assert await page.text_content('#anomaly-nu + .range') == (
        'float [0.001, 1], default 0.05')


@pytest.mark.parametrize('family, module', [('anomaly', AnomalyModule),
                                            ('forecast', ForecastModule)])
async def test_hyperparameter_ranges_declared(page, gui_server,
                                              module_client, family,
                                              module):
    models = [spec.to_json() for spec in module.specs.values()]
    await register(module_client, [
        log_event(family, 'supported_models', {'models': models})])
    await login(page, gui_server.url)

    for model in models:
        await register(module_client, [log_event(
            family, 'new_current_model', {'model': model['name']})])
        await page.wait_for_selector(
            f'#family-{family} button.model.current'
            f'[data-model="{model["name"]}"]')

        for declared in model['hyperparameters']:
            text = await page.text_content(
                f'#{family}-{declared["name"]} + .range')
            check_range_text(text, declared)


def check_range_text(text, declared):
    if declared['type'] == 'bool':
        assert text == f"bool, default {str(declared['default']).lower()}"
        return

    match = re.fullmatch(r'(int|float) \[(\S+), (\S+)\], default (\S+)',
                         text)
    assert match, text
    minimum = declared['minimum']
    maximum = declared['maximum']
    assert match[1] == declared['type']
    assert float(match[2]) == (-math.inf if minimum is None else minimum)
    assert float(match[3]) == (math.inf if maximum is None else maximum)
    assert float(match[4]) == declared['default']


async def test_warmup_progress_shown(page, gui_server, module_client):
    await register(module_client, [
        log_event('anomaly', 'supported_models',
                  {**anomaly_models, 'warmup': 200}),
        log_event('anomaly', 'new_current_model', {'model': 'Forest'}),
        model_state_event('anomaly', 'Forest', 'not_defined',
                          fitted=False)])
    await register(module_client, reading_events(range(50)))
    await login(page, gui_server.url)
    await wait_chart(page, 'readings', 50)

    warmup = page.locator('#family-anomaly .warmup')
    assert await warmup.text_content() == 'warming up: 50 of 200 readings'
    assert await page.locator('#family-forecast .warmup').count() == 0

    await register(module_client, reading_events(range(50, 120)))
    await page.wait_for_function(
        '() => document.querySelector("#family-anomaly .warmup")'
        '?.textContent == "warming up: 120 of 200 readings"')

    await register(module_client, reading_events(range(120, 200)))
    await warmup.wait_for(state='detached')


async def test_screenshot(create_system, browser_context):
    """Page of the whole system replaying the built-in series, once the
    window is full and the models have flagged anomalies and forecast"""
    path = os.environ.get('AIR_SUPERVISION_SCREENSHOT')
    if not path:
        pytest.skip("set AIR_SUPERVISION_SCREENSHOT to the output path")

    instance = create_system(device={'rate': 20})
    instance.start()
    page = browser_context.pages[0]
    page.set_default_timeout(30000)
    await wait_gui(page, instance.gui_url)
    await login(page, instance.gui_url)

    await page.wait_for_selector('#family-anomaly .badge.state.fitted',
                                 timeout=300000)
    await page.wait_for_function(
        """() => {
            const data = document.querySelector('.chart')?.dataset;
            return (data != null && Number(data.readings) >= 2000 &&
                    Number(data.anomalies) > 0 &&
                    Number(data.earlierForecasts) >= 10 &&
                    data.forecastPoints == '24');
        }""", timeout=600000)
    await asyncio.sleep(1)

    await page.screenshot(path=path)


async def test_system_model_change_fitted(create_system, tmp_path,
                                          browser_context):
    readings_file = system.write_readings(tmp_path / 'readings.csv', 800)
    instance = create_system(device={'file': str(readings_file),
                                     'rate': 20})
    instance.start()
    client = await instance.connect()
    try:
        page = browser_context.pages[0]
        page.set_default_timeout(30000)
        await wait_gui(page, instance.gui_url)
        await login(page, instance.gui_url)

        await page.wait_for_function(
            '() => Number(document.querySelector(".chart")'
            '?.dataset.readings) > 100', timeout=120000)
        await page.wait_for_selector('#family-anomaly .badge.state.fitted',
                                     timeout=180000)
        await wait_chart(page, 'forecastPoints', 24, timeout=180000)

        other = page.locator(
            '#family-anomaly button.model:not(.current)').first
        model = await other.text_content()
        await other.click()

        badge = page.locator('#family-anomaly .badge.state')
        await page.wait_for_function(
            'text => document.querySelector('
            '"#family-anomaly .badge.state")?.textContent == text',
            arg=f'{model}: fitted', timeout=180000)
        assert await badge.text_content() == f'{model}: fitted'
        assert await page.text_content(
            '#family-anomaly button.model.current') == model

    finally:
        await client.async_close()


async def wait_gui(page, url, timeout=60):
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        try:
            await page.goto(url)
            return

        except playwright.Error:
            if loop.time() > deadline:
                raise
            await asyncio.sleep(1)


async def test_system_gui_restart_reconnects(create_system, tmp_path,
                                             browser_context):
    await check_gui_restart(create_system, tmp_path, browser_context)


async def test_system_gui_restart_keeps_session(create_system, tmp_path,
                                                browser_context):
    event_conf = yaml.safe_load((system.conf_path / 'event.yaml').read_text())
    backend = event_conf['backend']
    backend['latest']['subscriptions'].append(['gui', 'sessions'])

    await check_gui_restart(create_system, tmp_path, browser_context,
                            event={'backend': backend})


async def check_gui_restart(create_system, tmp_path, browser_context,
                            event=None):
    readings_file = system.write_readings(tmp_path / 'readings.csv', 400)
    instance = create_system(device={'file': str(readings_file),
                                     'rate': 50},
                             event=event)
    instance.start()
    client = await instance.connect()
    try:
        page = browser_context.pages[0]
        page.set_default_timeout(30000)
        await wait_gui(page, instance.gui_url)
        await login(page, instance.gui_url)
        await wait_chart(page, 'readings', 400, timeout=120000)

        # hat-gui writes its sessions event 5 s after a change at the
        # earliest, and a killed server writes nothing when it stops
        await asyncio.sleep(6)
        instance.kill_component('gui')
        await page.wait_for_selector('.badge.connection.alarm')
        assert await chart_data(page, 'readings') == '400'

        await page.wait_for_selector('.badge.connection.ok', timeout=60000)
        await wait_chart(page, 'readings', 400)
        assert page.url.endswith('/view/main/index.html')

    finally:
        await client.async_close()
