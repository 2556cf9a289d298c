from pathlib import Path
import hashlib

from hat import json
import hat.gui.common

from air_supervision.adapters import timeseries


repo_path = Path(__file__).parents[2]
conf_path = repo_path / 'conf' / 'gui.yaml'

first_user = 'operator'
first_password = 'air-supervision'


def password_matches(password_conf, password):
    salt = bytes.fromhex(password_conf['salt'])
    password_hash = hashlib.sha256(password.encode('utf-8')).digest()
    return (hashlib.sha256(salt + password_hash).hexdigest() ==
            password_conf['hash'])


def test_gui_conf_valid():
    conf = json.decode_file(conf_path)
    validator = json.DefaultSchemaValidator(hat.gui.common.json_schema_repo)

    validator.validate('hat-gui://server.yaml', conf)


def test_gui_conf_adapter_valid():
    conf = json.decode_file(conf_path)
    adapter_confs = [i for i in conf['adapters']
                     if i['module'] == 'air_supervision.adapters.timeseries']
    validator = json.DefaultSchemaValidator(timeseries.info.json_schema_repo)

    assert len(adapter_confs) == 1
    validator.validate(timeseries.info.json_schema_id, adapter_confs[0])


def test_gui_conf_addresses():
    conf = json.decode_file(conf_path)

    assert conf['name'] == 'gui'
    assert conf['address'] == {'host': '127.0.0.1', 'port': 23023}
    assert conf['event_server']['eventer_server'] == {'host': '127.0.0.1',
                                                      'port': 23012}
    assert conf['initial_view'] == 'login'


def test_gui_conf_views_built_by_npm():
    conf = json.decode_file(conf_path)
    views = {i['name']: i for i in conf['views']}

    assert views['login']['roles'] == []
    assert views['login']['paths'] == [{'path': 'build/views/login'}]
    assert views['main']['paths'] == [{'path': 'build/views/main'}]


def test_gui_conf_first_user_password():
    conf = json.decode_file(conf_path)
    users = {i['name']: i for i in conf['users']['local']}
    adapter_conf = next(i for i in conf['adapters']
                        if i['name'] == 'timeseries')

    assert password_matches(users[first_user]['password'], first_password)
    assert not password_matches(users[first_user]['password'], 'operator')
    assert set(users[first_user]['roles']) & set(
        adapter_conf['action_roles'])


def test_view_doc_states_first_password():
    text = (repo_path / 'docs' / 'view.md').read_text()

    assert f'`{first_user}`' in text
    assert f'`{first_password}`' in text
