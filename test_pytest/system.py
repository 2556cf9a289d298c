"""The whole system started by hat-orchestrator for tests

The shipped configurations in conf/ are copied into a temporary folder with
free 127.0.0.1 ports and their own data folder, so a test system never
meets a running one.
"""

from pathlib import Path
import asyncio
import contextlib
import copy
import os
import signal
import socket
import subprocess
import sys
import time

import psutil
import yaml

from hat.drivers import net
import hat.event.common
import hat.event.eventer


repo_path = Path(__file__).parents[1]
conf_path = repo_path / 'conf'
shared_data_path = repo_path.parent / 'shared' / 'data'
builtin_file = (repo_path / 'src_py' / 'air_supervision' / 'data' /
                'ambient_temperature_system_failure.csv')
bin_path = Path(sys.executable).parent


def free_ports(count: int) -> list[int]:
    sockets = []
    try:
        for _ in range(count):
            s = socket.socket()
            s.bind(('127.0.0.1', 0))
            sockets.append(s)
        return [s.getsockname()[1] for s in sockets]

    finally:
        for s in sockets:
            s.close()


class System:
    """Configurations, processes and an eventer client of one test system.

    `device` updates the readings device configuration, `event` the event
    server's, `components` limits the started components.

    """

    def __init__(self, path: Path, device: dict | None = None,
                 event: dict | None = None, modules: dict | None = None,
                 components: list[str] | None = None):
        self.path = path
        self.conf_dir = path / 'conf'
        self.conf_dir.mkdir(parents=True, exist_ok=True)
        (path / 'data').mkdir(exist_ok=True)
        ports = free_ports(9)
        self.ports = dict(zip(['syslog', 'syslog_ui', 'orchestrator_ui',
                               'monitor', 'monitor_master', 'monitor_ui',
                               'eventer', 'adminer', 'gui'], ports))
        self.log_path = path / 'orchestrator.log'
        self.process: subprocess.Popen | None = None
        self._write_confs(device or {}, event or {}, modules or {},
                          components)

    @property
    def gui_url(self) -> str:
        return f"http://127.0.0.1:{self.ports['gui']}"

    def start(self):
        env = dict(os.environ, PATH=f"{bin_path}:{os.environ['PATH']}")
        self._log_file = open(self.log_path, 'ab')
        self.process = subprocess.Popen(
            [str(bin_path / 'hat-orchestrator'), '--conf',
             str(self.conf_dir / 'orchestrator.yaml')],
            cwd=self.path, env=env, stdout=self._log_file,
            stderr=subprocess.STDOUT, start_new_session=True)

    def stop(self):
        """Stop the orchestrator with SIGINT, as Ctrl+C does, and every
        process it started"""
        if self.process is None:
            return

        children = self._children()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGINT)
        try:
            self.process.wait(30)

        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

        for child in children:
            with contextlib.suppress(psutil.NoSuchProcess):
                child.kill()

        self.process = None
        self._log_file.close()

    def component_pid(self, name: str) -> int | None:
        """Process id of the running component `name`"""
        marker = {'event': 'hat-event-server',
                  'aimm': 'air-supervision-aimm',
                  'gateway': 'air-supervision-device',
                  'gui': 'hat-gui-server',
                  'monitor': 'hat-monitor',
                  'syslog': 'hat-syslog-server'}[name]
        for child in self._children():
            with contextlib.suppress(psutil.NoSuchProcess):
                if any(marker in i for i in child.cmdline()):
                    return child.pid

        return None

    def kill_component(self, name: str) -> int:
        """SIGKILL the component `name`; returns its process id"""
        pid = self.component_pid(name)
        assert pid is not None, f"component {name} is not running"
        os.kill(pid, signal.SIGKILL)
        return pid

    def log_text(self) -> str:
        return self.log_path.read_text(errors='replace')

    async def connect(self) -> hat.event.eventer.Client:
        """Eventer client, retried until the event server listens"""
        deadline = time.monotonic() + 60
        while True:
            try:
                return await hat.event.eventer.connect(
                    net.TcpAddress('127.0.0.1', self.ports['eventer']),
                    'test')

            except OSError:
                if time.monotonic() > deadline:
                    raise

                await asyncio.sleep(0.5)

    def _children(self) -> list[psutil.Process]:
        if self.process is None:
            return []

        with contextlib.suppress(psutil.NoSuchProcess):
            return psutil.Process(self.process.pid).children(recursive=True)

        return []

    def _write_confs(self, device, event, modules, components):
        confs = {name: yaml.safe_load((conf_path / f'{name}.yaml').read_text())
                 for name in ['orchestrator', 'monitor', 'event', 'aimm',
                              'gateway', 'gui', 'syslog']}
        log = _test_log_conf(self.ports['syslog'])
        self._set_orchestrator(confs['orchestrator'], components, log)
        self._set_monitor(confs['monitor'], log)
        self._set_event(confs['event'], event, modules, log)

        aimm = confs['aimm']
        aimm['eventer_server']['port'] = self.ports['eventer']
        aimm['log'] = log

        gateway = confs['gateway']
        gateway['event_server']['eventer_server']['port'] = \
            self.ports['eventer']
        gateway['devices'][0].update(device)
        gateway['log'] = log

        gui = confs['gui']
        gui['address']['port'] = self.ports['gui']
        gui['event_server']['eventer_server']['port'] = self.ports['eventer']
        for view in gui['views']:
            for i in view['paths']:
                if 'path' in i:
                    i['path'] = str(repo_path / i['path'])
        gui['log'] = log

        for name, conf in confs.items():
            (self.conf_dir / f'{name}.yaml').write_text(yaml.safe_dump(conf))

    def _set_orchestrator(self, conf, components, log):
        conf['ui']['port'] = self.ports['orchestrator_ui']
        conf['log'] = log
        selected = []
        for component in conf['components']:
            if components is not None and component['name'] not in components:
                continue

            if component['name'] == 'syslog':
                component['args'] = [
                    'hat-syslog-server', '--ui-addr',
                    f"http://127.0.0.1:{self.ports['syslog_ui']}",
                    '--db-path', 'data/syslog.db', '--log-conf',
                    'conf/syslog.yaml',
                    f"tcp://127.0.0.1:{self.ports['syslog']}"]

            component['delay'] = min(component.get('delay', 0), 1)
            component['start_delay'] = min(component.get('start_delay', 0.5),
                                           1)
            selected.append(component)

        conf['components'] = selected

    def _set_monitor(self, conf, log):
        conf['server']['port'] = self.ports['monitor']
        conf['master']['port'] = self.ports['monitor_master']
        conf['ui']['port'] = self.ports['monitor_ui']
        conf['log'] = log

    def _set_event(self, conf, event, modules, log):
        conf['eventer_server']['port'] = self.ports['eventer']
        conf['adminer_server']['port'] = self.ports['adminer']
        conf['monitor_component']['port'] = self.ports['monitor']
        for module in conf['modules']:
            module.update(modules.get(module['module'].split('.')[-1], {}))
        conf.update(copy.deepcopy(event))
        conf['log'] = log


def _test_log_conf(syslog_port):
    return {
        'version': 1,
        'formatters': {'console': {
            'format': '[%(asctime)s %(levelname)s %(name)s] %(message)s'}},
        'handlers': {
            'console': {'class': 'logging.StreamHandler',
                        'formatter': 'console',
                        'level': 'INFO'},
            'syslog': {'class': 'hat.syslog.handler.SyslogHandler',
                       'host': '127.0.0.1',
                       'port': syslog_port,
                       'comm_type': 'TCP',
                       'level': 'INFO'}},
        'loggers': {'air_supervision': {'level': 'INFO'}},
        'root': {'level': 'WARNING', 'handlers': ['console', 'syslog']},
        'disable_existing_loggers': False}


def write_readings(path: Path, rows: int, source: Path = builtin_file
                   ) -> Path:
    """Write the header and the first `rows` readings of `source`"""
    lines = source.read_text().splitlines()
    path.write_text('\n'.join(lines[:rows + 1]) + '\n')
    return path


async def query_series(client: hat.event.eventer.Client,
                       event_type: hat.event.common.EventType,
                       order_by=hat.event.common.OrderBy.SOURCE_TIMESTAMP
                       ) -> list[hat.event.common.Event]:
    """Every stored event of `event_type`, oldest first"""
    events = []
    last_event_id = None
    while True:
        result = await client.query(hat.event.common.QueryTimeseriesParams(
            event_types=[event_type],
            order=hat.event.common.Order.ASCENDING,
            order_by=order_by,
            last_event_id=last_event_id))
        events.extend(result.events)
        if not result.more_follows or not result.events:
            return events

        last_event_id = list(result.events)[-1].id


async def query_latest(client: hat.event.eventer.Client,
                       event_type: hat.event.common.EventType
                       ) -> hat.event.common.Event | None:
    result = await client.query(hat.event.common.QueryLatestParams(
        [event_type]))
    return next(iter(result.events), None)


async def wait_for(condition, timeout: float, period: float = 0.5):
    """Await `condition()` until it returns a true value, which is
    returned"""
    deadline = time.monotonic() + timeout
    while True:
        result = await condition()
        if result:
            return result

        if time.monotonic() > deadline:
            raise TimeoutError(f"condition not met in {timeout} s")

        await asyncio.sleep(period)
