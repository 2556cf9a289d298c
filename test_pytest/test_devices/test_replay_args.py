import json
import os
import subprocess
import sys

import pytest
import yaml

import system


uci_path = system.shared_data_path / 'uci-air-quality' / 'AirQualityUCI.csv'
uci_options = ['--column', 'PT08.S1(CO)', '--time-column', 'Date',
               '--time-column', 'Time', '--separator', ';', '--decimal', ',',
               '--time-format', '%d/%m/%Y %H.%M.%S', '--missing', '-200']


def run_device(*args, env=None):
    return subprocess.run(
        [sys.executable, '-m', 'air_supervision.devices.main', *args],
        capture_output=True, text=True, timeout=60,
        env=dict(os.environ, **(env or {})))


def test_validate_builtin_data():
    process = run_device('--conf', str(system.conf_path / 'gateway.yaml'),
                         '--validate')

    assert process.returncode == 0
    assert json.loads(process.stdout) == {}


def test_validate_uci_file():
    if not uci_path.exists():
        pytest.skip(f"{uci_path} not found")

    process = run_device('--conf', str(system.conf_path / 'gateway.yaml'),
                         '--validate', '--file', str(uci_path),
                         *uci_options, '--rate', '5')

    assert process.returncode == 0
    replay = json.loads(process.stdout)
    assert replay['file'] == str(uci_path.resolve())
    assert replay['reader']['value_column'] == 'PT08.S1(CO)'
    assert replay['reader']['missing'] == ['-200']
    assert replay['rate'] == 5
    assert '8991 readings, 366 lines skipped' in process.stderr


def test_validate_unusable_file(tmp_path):
    path = tmp_path / 'empty.csv'
    path.write_text('')

    process = run_device('--conf', str(system.conf_path / 'gateway.yaml'),
                         '--validate', '--file', str(path))

    assert process.returncode == 1
    assert str(path) in process.stderr
    assert 'Traceback' not in process.stderr


def test_validate_invalid_rate():
    process = run_device('--conf', str(system.conf_path / 'gateway.yaml'),
                         '--validate', '--rate', '-1')

    assert process.returncode == 1
    assert 'rate' in process.stderr


def test_validate_replay_from_environment(tmp_path):
    path = tmp_path / 'readings.csv'
    path.write_text('timestamp,value\n2024-01-01 00:00:00,1\n')
    replay = {'file': str(path), 'rate': 0}

    process = run_device('--conf', str(system.conf_path / 'gateway.yaml'),
                         '--validate',
                         env={'AIR_SUPERVISION_REPLAY': json.dumps(replay)})

    assert process.returncode == 0
    assert json.loads(process.stdout) == replay
    assert '1 readings, 0 lines skipped' in process.stderr


def test_validate_gateway_without_device(tmp_path):
    conf = yaml.safe_load((system.conf_path / 'gateway.yaml').read_text())
    conf['devices'] = []
    path = tmp_path / 'gateway.yaml'
    path.write_text(yaml.safe_dump(conf))

    process = run_device('--conf', str(path), '--validate')

    assert process.returncode == 1
    assert 'no air_supervision.devices.air_readings device' in \
        process.stderr
