import importlib
import subprocess
import sys

import pytest
import yaml

from hat import json
import hat.event.common
import hat.gateway.common
import hat.gui.common
import hat.monitor.common
import hat.orchestrator.main

from air_supervision import common

import system


hat_schemas = {
    'event': ('hat-event://server.yaml', hat.event.common.json_schema_repo),
    'gateway': ('hat-gateway://main.yaml',
                hat.gateway.common.json_schema_repo),
    'gui': ('hat-gui://server.yaml', hat.gui.common.json_schema_repo),
    'monitor': ('hat-monitor://server.yaml',
                hat.monitor.common.json_schema_repo),
    'orchestrator': ('hat-orchestrator://orchestrator.yaml',
                     hat.orchestrator.main.json_schema_repo)}


def _load(name):
    return yaml.safe_load((system.conf_path / f'{name}.yaml').read_text())


@pytest.mark.parametrize('name', sorted(hat_schemas))
def test_conf_valid_for_hat(name):
    schema_id, repo = hat_schemas[name]
    json.DefaultSchemaValidator(repo).validate(schema_id, _load(name))


def test_conf_event_modules_valid():
    for module_conf in _load('event')['modules']:
        info = hat.event.common.import_module_info(module_conf['module'])
        assert info.json_schema_id.startswith('air-supervision://')
        common.validate_conf(info.json_schema_id, module_conf)


def test_conf_gateway_devices_valid():
    for device_conf in _load('gateway')['devices']:
        info = hat.gateway.common.import_device_info(device_conf['module'])
        common.validate_conf(info.json_schema_id, device_conf)


def test_conf_aimm_valid():
    common.validate_conf('air-supervision://aimm.yaml', _load('aimm'))


def test_conf_only_gui_may_listen_beyond_loopback():
    confs = {name: _load(name) for name in ['event', 'monitor', 'aimm',
                                            'gateway', 'orchestrator']}
    assert confs['event']['eventer_server']['host'] == '127.0.0.1'
    assert confs['event']['adminer_server']['host'] == '127.0.0.1'
    assert confs['monitor']['server']['host'] == '127.0.0.1'
    assert confs['monitor']['master']['host'] == '127.0.0.1'
    assert confs['monitor']['ui']['host'] == '127.0.0.1'
    assert confs['orchestrator']['ui']['host'] == '127.0.0.1'
    syslog = next(i for i in confs['orchestrator']['components']
                  if i['name'] == 'syslog')
    assert 'http://127.0.0.1:23020' in syslog['args']
    assert 'tcp://127.0.0.1:6514' in syslog['args']


def test_conf_invalid_names_field():
    conf = _load('event')['modules'][2]
    conf['fit_timeout'] = 'soon'
    with pytest.raises(common.ConfError, match='fit_timeout'):
        common.validate_conf('air-supervision://modules/controller.yaml',
                             conf)


def test_conf_aimm_launcher_rejects_invalid(tmp_path):
    conf = _load('aimm')
    del conf['engine']['max_children']
    path = tmp_path / 'aimm.yaml'
    path.write_text(yaml.safe_dump(conf))
    result = subprocess.run(
        [sys.executable, '-m', 'air_supervision.aimm.server', '--conf',
         str(path)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert 'max_children' in result.stderr
    assert 'Traceback' not in result.stderr


def test_conf_event_server_rejects_unknown_default_model(tmp_path):
    conf = _load('event')
    conf['modules'][2]['default_model'] = 'Forrest'
    conf['backend']['db_path'] = str(tmp_path / 'event.db')
    conf.pop('monitor_component')
    conf['eventer_server']['port'], conf['adminer_server']['port'] = \
        system.free_ports(2)
    path = tmp_path / 'event.yaml'
    path.write_text(yaml.safe_dump(conf))
    result = subprocess.run(
        [str(system.bin_path / 'hat-event-server'), '--conf', str(path)],
        capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert 'Forrest' in result.stderr
    assert 'default_model' in result.stderr


@pytest.mark.parametrize('family', ['anomaly', 'forecast'])
def test_conf_schema_lists_every_model(family):
    module = importlib.import_module(
        f'air_supervision.modules.controller.{family}')
    schema = yaml.safe_load(
        (system.repo_path / 'src_py' / 'air_supervision' / 'schemas_json' /
         'modules' / f'{family}.yaml').read_text())
    names = schema['allOf'][1]['properties']['default_model']['enum']
    module_class = next(i for i in vars(module).values()
                        if getattr(i, 'family', None) == family)
    assert names == list(module_class.specs)
