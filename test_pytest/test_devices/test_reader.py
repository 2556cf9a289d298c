import datetime
import logging
import pathlib

import pytest

from air_supervision import common
from air_supervision.devices import reader


uci_path = pathlib.Path('/work/shared/data/uci-air-quality/AirQualityUCI.csv')

nab_path = (pathlib.Path(common.__file__).parent / 'data' /
            'ambient_temperature_system_failure.csv')

uci_options = reader.ReaderOptions(value_column='PT08.S1(CO)',
                                   time_columns=('Date', 'Time'),
                                   separator=';',
                                   decimal=',',
                                   time_format='%d/%m/%Y %H.%M.%S',
                                   missing=('-200',))

requires_uci = pytest.mark.skipif(not uci_path.exists(),
                                  reason="UCI Air Quality file not found")


def utc(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=datetime.timezone.utc)


def write(tmp_path, text, name='readings.csv'):
    path = tmp_path / name
    path.write_text(text, encoding='utf-8', newline='')
    return path


def hourly(count, start=datetime.datetime(2024, 1, 1)):
    return ''.join(f"{start + datetime.timedelta(hours=i)},{i}\n"
                   for i in range(count))


def test_read_simple(tmp_path):
    path = write(tmp_path, "timestamp,value\n" + hourly(5))

    result = reader.read_readings(path)

    assert result.rows == 5
    assert len(result.readings) == 5
    assert result.skipped == []
    assert result.gaps == []
    assert result.ambiguous == []
    assert result.step == datetime.timedelta(hours=1)
    assert result.readings[0] == common.Reading(utc(2024, 1, 1, 0), 0.0)
    assert result.readings[-1] == common.Reading(utc(2024, 1, 1, 4), 4.0)
    assert result.readings[0].time.tzinfo == datetime.timezone.utc


def test_read_crlf_whitespace_trailing_columns(tmp_path):
    path = write(tmp_path,
                 "\ufefftimestamp , value,,\r\n"
                 " 2024-01-01 00:00:00 , 1.5 ,,\r\n"
                 "2024-01-01 01:00:00,2.5\r\n"
                 "2024-01-01 02:00:00,3.5,,,\r\n")

    result = reader.read_readings(path)

    assert result.rows == 3
    assert result.skipped == []
    assert [i.value for i in result.readings] == [1.5, 2.5, 3.5]


def test_read_empty_file(tmp_path):
    path = write(tmp_path, "")

    with pytest.raises(reader.ReaderError,
                       match=f"{path}: file is empty"):
        reader.read_readings(path)


def test_read_blank_file(tmp_path):
    path = write(tmp_path, "\r\n  \n")

    with pytest.raises(reader.ReaderError, match="file is empty"):
        reader.read_readings(path)


def test_read_missing_file(tmp_path):
    path = tmp_path / 'absent.csv'

    with pytest.raises(reader.ReaderError,
                       match=f"{path}: file not found"):
        reader.read_readings(path)


def test_read_directory(tmp_path):
    with pytest.raises(reader.ReaderError, match="cannot read the file"):
        reader.read_readings(tmp_path)


def test_read_header_only(tmp_path):
    path = write(tmp_path, "timestamp,value\n")

    with pytest.raises(reader.ReaderError) as e:
        reader.read_readings(path)

    assert str(e.value).startswith(f"{path}: header only, no data lines")
    assert "line 1 is the header" in str(e.value)


def test_read_header_and_empty_lines(tmp_path):
    path = write(tmp_path, "timestamp,value\n,\n,\n")

    with pytest.raises(reader.ReaderError, match="header only"):
        reader.read_readings(path)


def test_read_missing_value_column(tmp_path):
    path = write(tmp_path, "timestamp,Value\n" + hourly(3))

    with pytest.raises(reader.ReaderError) as e:
        reader.read_readings(path)

    message = str(e.value)
    assert message.startswith(f"{path}: column 'value' not found")
    assert "columns found: 'timestamp', 'Value'" in message
    assert "set value_column (--column)" in message
    assert "did you mean 'Value'?" in message


def test_read_missing_time_column(tmp_path):
    path = write(tmp_path, "time,value\n" + hourly(3))

    with pytest.raises(reader.ReaderError) as e:
        reader.read_readings(path)

    message = str(e.value)
    assert "column 'timestamp' not found" in message
    assert "columns found: 'time', 'value'" in message
    assert "set time_columns (--time-column)" in message


def test_read_one_column(tmp_path):
    path = write(tmp_path, "timestamp;value\n2024-01-01 00:00:00;1\n")

    with pytest.raises(reader.ReaderError) as e:
        reader.read_readings(path)

    message = str(e.value)
    assert "the header has only one column with the separator ','" in message
    assert "try --separator ';'" in message


def test_read_text_value(tmp_path):
    path = write(tmp_path, "timestamp,value\n" + hourly(2) +
                 "2024-01-01 02:00:00,high\n")

    result = reader.read_readings(path)

    assert result.rows == 3
    assert len(result.readings) == 2
    assert len(result.skipped) == 1
    skipped = result.skipped[0]
    assert skipped.line == 4
    assert skipped.text == "2024-01-01 02:00:00,high"
    assert skipped.reason == "invalid number 'high' in column 'value'"
    assert skipped.kind == 'value'


@pytest.mark.parametrize('text, reason', [
    ('NaN', "value 'NaN' in column 'value' is not a number (NaN)"),
    ('nan', "value 'nan' in column 'value' is not a number (NaN)"),
    ('inf', "value 'inf' in column 'value' is infinite"),
    ('-Infinity', "value '-Infinity' in column 'value' is infinite"),
])
def test_read_nan_inf(tmp_path, text, reason):
    path = write(tmp_path, "timestamp,value\n" + hourly(2) +
                 f"2024-01-01 02:00:00,{text}\n")

    result = reader.read_readings(path)

    assert len(result.readings) == 2
    assert [(i.line, i.reason, i.kind) for i in result.skipped] == [
        (4, reason, 'value')]


def test_read_missing_marker(tmp_path):
    path = write(tmp_path, "timestamp,value\n" + hourly(2) +
                 "2024-01-01 02:00:00,-200\n"
                 "2024-01-01 03:00:00,-200.0\n"
                 "2024-01-01 04:00:00,\n"
                 "2024-01-01 05:00:00,-199\n")
    options = reader.ReaderOptions(missing=('-200',))

    result = reader.read_readings(path, options)

    assert result.rows == 6
    assert len(result.readings) == 3
    assert result.readings[-1].value == -199
    assert [(i.line, i.reason) for i in result.skipped] == [
        (4, "missing value: value '-200' in column 'value'"),
        (5, "missing value: value '-200.0' in column 'value'"),
        (6, "missing value: empty value in column 'value'")]
    assert {i.kind for i in result.skipped} == {'missing'}


def test_read_duplicate_time(tmp_path):
    path = write(tmp_path,
                 "timestamp,value\n"
                 "2024-01-01 00:00:00,1\n"
                 "2024-01-01 01:00:00,2\n"
                 "2024-01-01 01:00:00,3\n"
                 "2024-01-01 02:00:00,4\n")

    result = reader.read_readings(path)

    assert [i.value for i in result.readings] == [1, 2, 4]
    assert len(result.skipped) == 1
    assert result.skipped[0].line == 4
    assert result.skipped[0].kind == 'duplicate'
    assert result.skipped[0].reason == (
        "duplicate time '2024-01-01 01:00:00' in column 'timestamp': "
        "line 3 has the same time and is kept")


def test_read_out_of_order_time(tmp_path):
    path = write(tmp_path,
                 "timestamp,value\n"
                 "2024-01-01 00:00:00,1\n"
                 "2024-01-01 02:00:00,2\n"
                 "2024-01-01 01:00:00,3\n"
                 "2024-01-01 03:00:00,4\n"
                 "2024-01-01 00:00:00,5\n")

    result = reader.read_readings(path)

    assert [i.value for i in result.readings] == [1, 2, 4]
    assert [(i.line, i.kind) for i in result.skipped] == [
        (4, 'out_of_order'), (6, 'duplicate')]
    assert result.skipped[0].reason == (
        "time '2024-01-01 01:00:00' in column 'timestamp' is out of "
        "order: earlier than the reading on line 3")
    assert "line 2 has the same time" in result.skipped[1].reason


def test_read_gap(tmp_path):
    path = write(tmp_path, "timestamp,value\n" + hourly(10) +
                 hourly(10, datetime.datetime(2024, 1, 3)))

    result = reader.read_readings(path)

    assert len(result.readings) == 20
    assert result.step == datetime.timedelta(hours=1)
    assert result.gaps == [reader.Gap(line=12,
                                      start=utc(2024, 1, 1, 9),
                                      end=utc(2024, 1, 3, 0))]


def test_read_no_gap_below_factor(tmp_path):
    path = write(tmp_path,
                 "timestamp,value\n" + hourly(10) +
                 hourly(10, datetime.datetime(2024, 1, 1, 12)))

    result = reader.read_readings(path)

    assert result.gaps == []


def test_read_wrong_time_format_line(tmp_path):
    path = write(tmp_path, "timestamp,value\n" + hourly(2) +
                 "01/01/2024 02:00,3\n")

    result = reader.read_readings(path)

    assert len(result.readings) == 2
    assert [(i.line, i.kind) for i in result.skipped] == [(4, 'time')]
    assert result.skipped[0].reason == (
        "invalid time '01/01/2024 02:00' in column 'timestamp': expected "
        "ISO 8601 such as 2013-07-04 00:00:00 (--time-format)")


def test_read_wrong_time_format_file(tmp_path):
    path = write(tmp_path, "timestamp,value\n"
                 "01/01/2024 00:00,1\n"
                 "01/01/2024 01:00,2\n")
    options = reader.ReaderOptions(time_format='%Y-%m-%d %H:%M')

    with pytest.raises(reader.ReaderError) as e:
        reader.read_readings(path, options)

    message = str(e.value)
    assert message.startswith(f"{path}: no usable line")
    assert "matches the format '%Y-%m-%d %H:%M'" in message
    assert "the first one is '01/01/2024 00:00' on line 2" in message
    assert "set time_format (--time-format)" in message


def test_read_custom_time_format_line(tmp_path):
    path = write(tmp_path, "timestamp,value\n"
                 "01/01/2024 00:00,1\n"
                 "2024-01-01 01:00,2\n")
    options = reader.ReaderOptions(time_format='%d/%m/%Y %H:%M')

    result = reader.read_readings(path, options)

    assert len(result.readings) == 1
    assert result.skipped[0].reason == (
        "invalid time '2024-01-01 01:00' in column 'timestamp': expected "
        "the format '%d/%m/%Y %H:%M' (--time-format)")


def test_read_invalid_time_and_value(tmp_path):
    path = write(tmp_path, "timestamp,value\n" + hourly(2) +
                 "2024-01-01 24:00:00,x\n")

    result = reader.read_readings(path)

    assert result.rows == 3
    assert len(result.readings) == 2
    assert [(i.line, i.kind) for i in result.skipped] == [(4, 'time')]


def test_read_too_many_fields(tmp_path):
    path = write(tmp_path, "timestamp,value\n" + hourly(2) +
                 "2024-01-01 02:00:00,3,4\n")

    result = reader.read_readings(path)

    assert len(result.readings) == 2
    assert [(i.line, i.kind) for i in result.skipped] == [(4, 'fields')]
    assert result.skipped[0].reason == (
        "too many fields: 3 fields, the header has 2")
    assert result.skipped[0].text == "2024-01-01 02:00:00,3,4"


def test_read_too_few_fields(tmp_path):
    path = write(tmp_path, "timestamp,value,unit\n"
                 "2024-01-01 00:00:00,1,C\n"
                 "2024-01-01 01:00:00,2\n"
                 "2024-01-01 02:00:00,3,C\n")

    result = reader.read_readings(path)

    assert len(result.readings) == 2
    assert [(i.line, i.kind) for i in result.skipped] == [(3, 'fields')]
    assert result.skipped[0].reason == (
        "too few fields: 2 fields, the header has 3")


def test_read_all_lines_invalid(tmp_path):
    path = write(tmp_path, "timestamp,value\n"
                 "2024-01-01 00:00:00,x\n"
                 "2024-01-01 01:00:00,y\n")

    with pytest.raises(reader.ReaderError) as e:
        reader.read_readings(path)

    message = str(e.value)
    assert message.startswith(f"{path}: no usable line: all 2 data lines")
    assert "line 2: invalid number 'x' in column 'value'" in message


@pytest.mark.parametrize('data', [
    b'\x89PNG\r\n\x1a\n\0\0\0\rIHDR',
    b'timestamp,value\n2024-01-01 00:00:00,1\0\n',
    b'\x1f\x8b\x08\x00\xff\xfe\x01\x02\x03',
])
def test_read_not_text(tmp_path, data):
    path = tmp_path / 'readings.csv'
    path.write_bytes(data)

    with pytest.raises(reader.ReaderError) as e:
        reader.read_readings(path)

    assert str(e.value).startswith(f"{path}: not a text file")


def test_read_latin_1(tmp_path):
    path = tmp_path / 'readings.csv'
    path.write_bytes("timestamp,temperature \xb0C\n"
                     "2024-01-01 00:00:00,1\n"
                     "2024-01-01 01:00:00,2\n".encode('latin-1'))
    options = reader.ReaderOptions(value_column='temperature \xb0C')

    result = reader.read_readings(path, options)

    assert len(result.readings) == 2


def test_read_trailing_empty_lines(tmp_path):
    path = write(tmp_path, "a;timestamp;value;;\r\n"
                 "x;2024-01-01 00:00:00;1,5;;\r\n"
                 "x;2024-01-01 01:00:00;2,5;;\r\n"
                 ";;;;\r\n"
                 ";;;;\r\n"
                 "\r\n")
    options = reader.ReaderOptions(separator=';', decimal=',')

    result = reader.read_readings(path, options)

    assert result.rows == 5
    assert [i.value for i in result.readings] == [1.5, 2.5]
    assert [(i.line, i.reason, i.kind) for i in result.skipped] == [
        (4, "empty line", 'empty'),
        (5, "empty line", 'empty'),
        (6, "empty line", 'empty')]


def test_read_decimal_point_with_decimal_comma(tmp_path):
    path = write(tmp_path, "timestamp;value\n"
                 "2024-01-01 00:00:00;1,5\n"
                 "2024-01-01 01:00:00;1.5\n")
    options = reader.ReaderOptions(separator=';', decimal=',')

    result = reader.read_readings(path, options)

    assert len(result.readings) == 1
    assert result.skipped[0].reason == (
        "invalid number '1.5' in column 'value': the decimal separator is "
        "',' (--decimal)")


def test_read_quoted_fields(tmp_path):
    path = write(tmp_path, 'timestamp,value,note\n'
                 '2024-01-01 00:00:00,1,"a, b"\n'
                 '2024-01-01 01:00:00,2,"two\nlines"\n'
                 '2024-01-01 02:00:00,x,c\n')

    result = reader.read_readings(path)

    assert len(result.readings) == 2
    assert [i.line for i in result.skipped] == [5]


def test_read_time_zone(tmp_path):
    path = write(tmp_path, "timestamp,value\n"
                 "2024-01-15 12:00:00,1\n"
                 "2024-07-15 12:00:00,2\n")
    options = reader.ReaderOptions(time_zone='Europe/Rome')

    result = reader.read_readings(path, options)

    assert [i.time for i in result.readings] == [utc(2024, 1, 15, 11),
                                                 utc(2024, 7, 15, 10)]


def test_read_time_zone_dst_forward(tmp_path):
    path = write(tmp_path, "timestamp,value\n"
                 "2024-03-31 01:00:00,1\n"
                 "2024-03-31 02:00:00,2\n"
                 "2024-03-31 03:00:00,3\n")
    options = reader.ReaderOptions(time_zone='Europe/Rome')

    result = reader.read_readings(path, options)

    assert [i.time for i in result.readings] == [utc(2024, 3, 31, 0),
                                                 utc(2024, 3, 31, 1)]
    assert [(i.line, i.kind) for i in result.skipped] == [
        (3, 'nonexistent_time')]
    assert result.skipped[0].reason == (
        "non-existent local time '2024-03-31 02:00:00' in column "
        "'timestamp': the clocks in Europe/Rome skip it at a DST change")


def test_read_time_zone_dst_back(tmp_path):
    path = write(tmp_path, "timestamp,value\n"
                 "2024-10-27 01:00:00,1\n"
                 "2024-10-27 02:00:00,2\n"
                 "2024-10-27 02:30:00,3\n"
                 "2024-10-27 02:00:00,4\n"
                 "2024-10-27 02:30:00,5\n"
                 "2024-10-27 03:00:00,6\n")
    options = reader.ReaderOptions(time_zone='Europe/Rome')

    result = reader.read_readings(path, options)

    assert result.skipped == []
    assert [i.time for i in result.readings] == [
        utc(2024, 10, 26, 23, 0),
        utc(2024, 10, 27, 0, 0),
        utc(2024, 10, 27, 0, 30),
        utc(2024, 10, 27, 1, 0),
        utc(2024, 10, 27, 1, 30),
        utc(2024, 10, 27, 2, 0)]
    assert [(i.line, i.time) for i in result.ambiguous] == [
        (3, utc(2024, 10, 27, 0, 0)),
        (4, utc(2024, 10, 27, 0, 30)),
        (5, utc(2024, 10, 27, 1, 0)),
        (6, utc(2024, 10, 27, 1, 30))]


def test_read_time_zone_ambiguous_missing_value(tmp_path):
    path = write(tmp_path, "timestamp,value\n"
                 "2024-10-27 01:00:00,1\n"
                 "2024-10-27 02:00:00,\n"
                 "2024-10-27 02:00:00,3\n")
    options = reader.ReaderOptions(time_zone='Europe/Rome')

    result = reader.read_readings(path, options)

    assert [(i.line, i.kind) for i in result.skipped] == [(3, 'missing')]
    assert [(i.line, i.time) for i in result.ambiguous] == [
        (4, utc(2024, 10, 27, 0, 0))]


def test_read_utc_offset(tmp_path):
    path = write(tmp_path, "timestamp,value\n"
                 "2024-07-15T12:00:00+02:00,1\n"
                 "2024-07-15T11:00:00Z,2\n"
                 "2024-07-15 14:00:00,3\n")
    options = reader.ReaderOptions(time_zone='Europe/Rome')

    result = reader.read_readings(path, options)

    assert [i.time for i in result.readings] == [utc(2024, 7, 15, 10),
                                                 utc(2024, 7, 15, 11),
                                                 utc(2024, 7, 15, 12)]


def test_read_unknown_time_zone(tmp_path):
    path = write(tmp_path, "timestamp,value\n" + hourly(2))
    options = reader.ReaderOptions(time_zone='Europe/Atlantis')

    with pytest.raises(reader.ReaderError,
                       match="unknown time zone 'Europe/Atlantis'"):
        reader.read_readings(path, options)


def test_read_nab_fahrenheit_to_celsius():
    options = reader.ReaderOptions(convert='fahrenheit_to_celsius')

    result = reader.read_readings(nab_path, options)
    fahrenheit = reader.read_readings(nab_path)

    assert result.rows == 7267
    assert len(result.readings) == 7267
    assert result.skipped == []
    assert result.step == datetime.timedelta(hours=1)
    assert result.readings[0].time == utc(2013, 7, 4, 0)
    assert result.readings[-1].time == utc(2014, 5, 28, 15)
    assert result.readings[0].value == pytest.approx(
        (69.88083514 - 32) * 5 / 9)
    assert fahrenheit.readings[0].value == pytest.approx(69.88083514)
    assert len(result.gaps) == 8


@requires_uci
def test_read_uci():
    result = reader.read_readings(uci_path, uci_options)

    assert result.rows == 9357
    assert len(result.readings) == 8991
    assert len(result.skipped) == 366
    assert {i.kind for i in result.skipped} == {'missing'}
    assert result.skipped[0].line == 526
    assert result.skipped[0].reason == (
        "missing value: value '-200' in column 'PT08.S1(CO)'")
    assert result.readings[0] == common.Reading(utc(2004, 3, 10, 18), 1360)
    assert result.readings[-1] == common.Reading(utc(2005, 4, 4, 14), 1071)
    assert result.step == datetime.timedelta(hours=1)


@requires_uci
def test_read_uci_dst():
    options = uci_options._replace(time_zone='Europe/Rome')

    result = reader.read_readings(uci_path, options)

    nonexistent = [(i.line, i.kind) for i in result.skipped
                   if i.kind != 'missing']
    assert nonexistent == [(418, 'nonexistent_time'),
                           (9154, 'nonexistent_time')]
    assert [(i.line, i.time) for i in result.ambiguous] == [
        (5626, utc(2004, 10, 31, 0))]
    assert len(result.readings) == 8989
    assert result.readings[0].time == utc(2004, 3, 10, 17)


@requires_uci
def test_read_uci_default_options():
    with pytest.raises(reader.ReaderError) as e:
        reader.read_readings(uci_path)

    assert "only one column with the separator ','" in str(e.value)
    assert "try --separator ';'" in str(e.value)


@requires_uci
def test_read_uci_wrong_time_format():
    options = uci_options._replace(time_format=None)

    with pytest.raises(reader.ReaderError) as e:
        reader.read_readings(uci_path, options)

    message = str(e.value)
    assert "no time in columns 'Date' + 'Time' matches ISO 8601" in message
    assert "the first one is '10/03/2004 18.00.00' on line 2" in message


@requires_uci
def test_read_uci_missing_time_columns():
    options = uci_options._replace(time_columns=('timestamp',))

    with pytest.raises(reader.ReaderError) as e:
        reader.read_readings(uci_path, options)

    assert "column 'timestamp' not found" in str(e.value)
    assert "'Date', 'Time', 'CO(GT)'" in str(e.value)


def test_read_large_file(tmp_path):
    start = datetime.datetime(2024, 1, 1)
    path = write(tmp_path, "timestamp,value\n" + ''.join(
        f"{start + datetime.timedelta(minutes=i)},{i / 10}\n"
        for i in range(100_000)))

    result = reader.read_readings(path)

    assert len(result.readings) == 100_000
    assert result.step == datetime.timedelta(minutes=1)


def test_read_logs_skipped_lines(tmp_path, caplog):
    path = write(tmp_path, "timestamp,value\n" + hourly(2) + ''.join(
        f"2024-01-02 {i:02}:00:00,x\n" for i in range(24)))

    with caplog.at_level(logging.INFO, logger=reader.__name__):
        reader.read_readings(path)

    warnings = [i.getMessage() for i in caplog.records
                if i.levelno == logging.WARNING]
    assert len(warnings) == 21
    assert warnings[0] == (f"skipped line 4 of {path}: invalid number 'x' "
                           f"in column 'value'")
    assert warnings[-1] == f"4 more lines of {path} skipped"
    infos = [i.getMessage() for i in caplog.records
             if i.levelno == logging.INFO]
    assert infos == [f"read {path} [rows: 26, readings: 2, skipped: 24, "
                     f"gaps: 0, ambiguous times: 0]"]


def test_schema_validates_conf():
    schema_id = 'air-supervision://reader.yaml'
    conf = {'value_column': 'PT08.S1(CO)',
            'time_columns': ['Date', 'Time'],
            'separator': ';',
            'decimal': ',',
            'time_format': '%d/%m/%Y %H.%M.%S',
            'missing': ['-200'],
            'time_zone': 'Europe/Rome',
            'convert': None}

    common.validate_conf(schema_id, conf)
    common.validate_conf(schema_id, {})

    with pytest.raises(common.ConfError):
        common.validate_conf(schema_id, {'separator': ';;'})

    with pytest.raises(common.ConfError):
        common.validate_conf(schema_id, {'convert': 'kelvin'})


def test_schema_defaults_match_options():
    schema = common.json_schema_repo['air-supervision://reader.yaml']
    defaults = reader.ReaderOptions()._asdict()

    for name, value in defaults.items():
        default = schema['properties'][name]['default']
        expected = list(value) if isinstance(value, tuple) else value
        assert default == expected, name


def test_options_from_conf():
    conf = {'value_column': 'PT08.S1(CO)',
            'time_columns': ['Date', 'Time'],
            'separator': ';',
            'decimal': ',',
            'time_format': '%d/%m/%Y %H.%M.%S',
            'missing': ['-200']}

    options = reader.options_from_conf(conf)

    assert options == uci_options
    assert reader.options_from_conf({}) == reader.ReaderOptions()


def test_options_from_conf_invalid():
    with pytest.raises(common.ConfError, match="reader.yaml"):
        reader.options_from_conf({'time_columns': []})


def test_options_from_args():
    import argparse
    parser = argparse.ArgumentParser()
    reader.add_reader_arguments(parser)

    args = parser.parse_args(['--column', 'PT08.S1(CO)',
                              '--time-column', 'Date',
                              '--time-column', 'Time',
                              '--separator', ';',
                              '--decimal', ',',
                              '--time-format', '%d/%m/%Y %H.%M.%S',
                              '--missing', '-200'])

    assert reader.options_from_args(args) == uci_options
    assert (reader.options_from_args(parser.parse_args([])) ==
            reader.ReaderOptions())
    assert reader.options_from_args(parser.parse_args(
        ['--separator', 'tab', '--fahrenheit-to-celsius',
         '--time-zone', 'Europe/Rome'])) == reader.ReaderOptions(
        separator='\t', convert='fahrenheit_to_celsius',
        time_zone='Europe/Rome')


def test_read_invalid_time_format(tmp_path):
    path = tmp_path / 'readings.csv'
    path.write_text('timestamp,value\n2024-01-01 00:00:00,1\n')

    with pytest.raises(reader.ReaderError) as e:
        reader.read_readings(path, reader.ReaderOptions(time_format='%Q'))

    assert "invalid time format '%Q'" in str(e.value)
    assert '--time-format' in str(e.value)
