"""Real hat-event and hat-gui servers and a Chromium browser for the view
tests"""

from pathlib import Path
import asyncio
import socket
import subprocess
import sys

import pytest

from hat import json
from hat.drivers import net
import hat.event.eventer
import hat.gui.passwd


repo_path = Path(__file__).parents[2]
views_path = repo_path / 'build' / 'views'
chromium_path = Path('/usr/bin/chromium')

chromium_args = ['--headless', '--no-sandbox', '--disable-gpu',
                 '--disable-quic', '--no-first-run',
                 '--disable-background-networking',
                 '--disable-component-update', '--disable-sync']

viewer_password = 'viewer-password'


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


async def wait_listening(port, process=None, timeout=20):
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        if process is not None and process.poll() is not None:
            raise Exception(f"process exited with {process.returncode}")

        try:
            _, writer = await asyncio.open_connection('127.0.0.1', port)
            writer.close()
            await writer.wait_closed()
            return

        except OSError:
            if loop.time() > deadline:
                raise
            await asyncio.sleep(0.1)


def stop_process(process):
    if process.poll() is not None:
        return

    process.terminate()
    try:
        process.wait(10)

    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture
def event_port():
    return free_port()


@pytest.fixture
def gui_port():
    return free_port()


@pytest.fixture
async def event_server(tmp_path, event_port):
    conf = {'type': 'event',
            'name': 'event',
            'server_id': 1,
            'eventer_server': {'host': '127.0.0.1', 'port': event_port},
            'backend': {
                'module': 'hat.event.backends.lmdb',
                'db_path': str(tmp_path / 'event.db'),
                'identifier': None,
                'flush_period': 0.1,
                'cleanup_period': 600,
                'conditions': [],
                'latest': {'subscriptions': [['gui', '*'],
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
        await wait_listening(event_port, process)
        yield net.TcpAddress('127.0.0.1', event_port)

    finally:
        stop_process(process)


@pytest.fixture
def gui_conf_path(tmp_path, event_port, gui_port):
    """conf/gui.yaml with test ports, a console log and a viewer user"""
    if not (views_path / 'main' / 'main.js').exists():
        pytest.skip("views not built: run `npm ci && npm run build` in "
                    "src_js/")

    conf = json.decode_file(repo_path / 'conf' / 'gui.yaml')
    conf['address'] = {'host': '127.0.0.1', 'port': gui_port}
    conf['event_server'] = {'eventer_server': {'host': '127.0.0.1',
                                               'port': event_port}}
    conf['log'] = {'version': 1,
                   'formatters': {'default': {
                       'format': '[%(levelname)s %(name)s] %(message)s'}},
                   'handlers': {'console': {
                       'class': 'logging.StreamHandler',
                       'formatter': 'default'}},
                   'loggers': {'air_supervision': {'level': 'INFO'}},
                   'root': {'level': 'WARNING', 'handlers': ['console']},
                   'disable_existing_loggers': False}
    conf['users']['local'].append({
        'name': 'viewer',
        'password': hat.gui.passwd.generate(viewer_password),
        'roles': ['viewer']})

    path = tmp_path / 'gui.yaml'
    json.encode_file(conf, path)
    return path


class GuiServer:
    """hat-gui server process that a test may stop and start again"""

    def __init__(self, conf_path, port):
        self.conf_path = conf_path
        self.port = port
        self.url = f'http://127.0.0.1:{port}'
        self.process = None

    async def start(self):
        executable = Path(sys.executable).parent / 'hat-gui-server'
        self.process = subprocess.Popen(
            [str(executable), '--conf', str(self.conf_path)],
            cwd=repo_path)
        await wait_listening(self.port, self.process)

    def stop(self):
        if self.process is not None:
            stop_process(self.process)


@pytest.fixture
async def gui_server(event_server, gui_conf_path, gui_port):
    server = GuiServer(gui_conf_path, gui_port)
    await server.start()
    try:
        yield server

    finally:
        server.stop()


@pytest.fixture
async def module_client(event_server):
    """Eventer client in place of the event server modules: it registers
    readings and results and stores the user actions in `actions`"""
    actions = []

    def on_events(client, events):
        actions.extend(events)

    client = await hat.event.eventer.connect(
        event_server, 'test_module', subscriptions=[('back_action', '*')],
        events_cb=on_events)
    client.actions = actions
    try:
        yield client

    finally:
        await client.async_close()


@pytest.fixture
async def browser_context(tmp_path):
    playwright_api = pytest.importorskip('playwright.async_api')
    if not chromium_path.exists():
        pytest.skip("Chromium not installed: apt-get install chromium")

    async with playwright_api.async_playwright() as playwright:
        context = await playwright.chromium.launch_persistent_context(
            str(tmp_path / 'chromium'),
            executable_path=str(chromium_path),
            headless=True,
            args=chromium_args,
            viewport={'width': 1600, 'height': 900})
        try:
            yield context

        finally:
            await context.close()


@pytest.fixture
async def page(browser_context):
    page = browser_context.pages[0] if browser_context.pages else (
        await browser_context.new_page())
    page.set_default_timeout(15000)
    return page
