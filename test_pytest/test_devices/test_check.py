import datetime
import pathlib
import subprocess
import sys

import pytest


uci_path = pathlib.Path('/work/shared/data/uci-air-quality/AirQualityUCI.csv')

uci_args = ['--column', 'PT08.S1(CO)',
            '--time-column', 'Date',
            '--time-column', 'Time',
            '--separator', ';',
            '--decimal', ',',
            '--time-format', '%d/%m/%Y %H.%M.%S',
            '--missing', '-200']

requires_uci = pytest.mark.skipif(not uci_path.exists(),
                                  reason="UCI Air Quality file not found")


def run_device(*args) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, '-m', 'air_supervision.devices.main', *args],
        capture_output=True, text=True, timeout=60)


def write(tmp_path, text):
    path = tmp_path / 'readings.csv'
    path.write_text(text, encoding='utf-8')
    return path


def hourly(count, start=datetime.datetime(2024, 1, 1)):
    return ''.join(f"{start + datetime.timedelta(hours=i)},{i}\n"
                   for i in range(count))


def test_check_usable(tmp_path):
    path = write(tmp_path, "timestamp,value\n" + hourly(3) +
                 "2024-01-01 03:00:00,x\n" +
                 hourly(2, datetime.datetime(2024, 1, 2)))

    process = run_device('--check', str(path))

    assert process.returncode == 0
    assert process.stderr == ''
    assert process.stdout.splitlines() == [
        f"file: {path}",
        "rows: 6 data lines",
        "readings: 5 kept, 1 lines skipped",
        "time range: 2024-01-01 00:00:00 UTC to 2024-01-02 01:00:00 UTC",
        "step: 1:00:00 (median)",
        "gaps: 1 (steps over 3 times the median step)",
        "  line 6: 2024-01-01 02:00:00 to 2024-01-02 00:00:00 UTC "
        "(22:00:00)",
        "skipped lines: 1",
        "  line 5: invalid number 'x' in column 'value'",
        "verdict: usable, 5 readings from 6 data lines"]


def test_check_lists_first_skipped_lines(tmp_path):
    path = write(tmp_path, "timestamp,value\n" + hourly(2) + ''.join(
        f"2024-01-02 {i // 60:02}:{i % 60:02}:00,\n" for i in range(150)))

    process = run_device('--check', str(path))

    lines = process.stdout.splitlines()
    assert process.returncode == 0
    assert "skipped lines: 150" in lines
    assert "  line 4: missing value: empty value in column 'value'" in lines
    assert "  line 103: missing value: empty value in column 'value'" in lines
    assert "  line 104: missing value: empty value in column 'value'" not in (
        lines)
    assert "  ... 50 more skipped lines (--all lists them)" in lines
    assert lines[-1] == "verdict: usable, 2 readings from 152 data lines"


def test_check_all(tmp_path):
    path = write(tmp_path, "timestamp,value\n" + hourly(2) + ''.join(
        f"2024-01-02 {i // 60:02}:{i % 60:02}:00,\n" for i in range(150)))

    process = run_device('--check', str(path), '--all')

    lines = process.stdout.splitlines()
    assert process.returncode == 0
    assert "  line 153: missing value: empty value in column 'value'" in lines
    assert not any("more skipped lines" in i for i in lines)


def test_check_unusable(tmp_path):
    path = write(tmp_path, "timestamp,value\n")

    process = run_device('--check', str(path))

    assert process.returncode == 1
    assert process.stderr.startswith(f"error: {path}: header only")
    assert 'Traceback' not in process.stderr
    assert process.stdout == (
        f"verdict: unusable, {path} gives no readings\n")


def test_check_missing_file(tmp_path):
    path = tmp_path / 'absent.csv'

    process = run_device('--check', str(path))

    assert process.returncode == 1
    assert process.stderr == f"error: {path}: file not found; check the path\n"


def test_check_without_mode():
    process = run_device()

    assert process.returncode == 2
    assert "one of --check FILE or --conf PATH is required" in \
        process.stderr


def test_check_invalid_time_zone(tmp_path):
    path = write(tmp_path, "timestamp,value\n" + hourly(2))

    process = run_device('--check', str(path), '--time-zone', 'Mars/Base')

    assert process.returncode == 2
    assert "unknown time zone 'Mars/Base'" in process.stderr


def test_check_invalid_separator(tmp_path):
    path = write(tmp_path, "timestamp,value\n" + hourly(2))

    process = run_device('--check', str(path), '--separator', ';;')

    assert process.returncode == 2
    assert "invalid separator ';;'" in process.stderr


def test_check_time_zone_ambiguous(tmp_path):
    path = write(tmp_path, "timestamp,value\n"
                 "2024-10-27 02:00:00,1\n"
                 "2024-10-27 02:00:00,2\n")

    process = run_device('--check', str(path), '--time-zone', 'Europe/Rome')

    lines = process.stdout.splitlines()
    assert process.returncode == 0
    assert "ambiguous local times: 2" in lines
    assert ("  line 2: '2024-10-27 02:00:00' read as "
            "2024-10-27 00:00:00 UTC") in lines
    assert ("  line 3: '2024-10-27 02:00:00' read as "
            "2024-10-27 01:00:00 UTC") in lines


def test_check_installed_script(tmp_path):
    script = pathlib.Path(sys.executable).parent / 'air-supervision-device'
    if not script.exists():
        pytest.skip("air-supervision-device is not installed")

    path = write(tmp_path, "timestamp,value\n" + hourly(2))

    process = subprocess.run([str(script), '--check', str(path)],
                             capture_output=True, text=True, timeout=60)

    assert process.returncode == 0
    assert process.stdout.splitlines()[-1] == (
        "verdict: usable, 2 readings from 2 data lines")


@requires_uci
def test_check_uci():
    process = run_device('--check', str(uci_path), *uci_args)

    lines = process.stdout.splitlines()
    assert process.returncode == 0
    assert "rows: 9357 data lines" in lines
    assert "readings: 8991 kept, 366 lines skipped" in lines
    assert ("time range: 2004-03-10 18:00:00 UTC to 2005-04-04 14:00:00 UTC"
            in lines)
    assert "step: 1:00:00 (median)" in lines
    assert "gaps: 13 (steps over 3 times the median step)" in lines
    assert "skipped lines: 366" in lines
    assert ("  line 526: missing value: value '-200' in column 'PT08.S1(CO)'"
            in lines)
    assert "  ... 266 more skipped lines (--all lists them)" in lines
    assert lines[-1] == "verdict: usable, 8991 readings from 9357 data lines"


@requires_uci
def test_check_uci_default_options():
    process = run_device('--check', str(uci_path))

    assert process.returncode == 1
    assert "only one column with the separator ','" in process.stderr
    assert "try --separator ';'" in process.stderr
    assert 'Traceback' not in process.stderr
