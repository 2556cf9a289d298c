"""Reader of readings files: delimited text exports of sensor historians

A readings file has a header line and one reading per line: a value column
and one time column, or a date and a time column. Lines that cannot give a
reading are skipped with their line number and a reason. Problems with the
whole file raise `ReaderError`.

The csv module splits the lines, because it reports the physical line
number of each record. Values and times are then converted with pandas in
one vectorized step per column, and only the failing lines get a reason.

"""

import argparse
import csv
import datetime
import difflib
import io
import logging
import pathlib
import typing
import zoneinfo

import numpy as np
import pandas as pd

from air_supervision import common
from air_supervision.devices import times


mlog: logging.Logger = logging.getLogger(__name__)
"""Module logger"""

gap_factor: float = 3
"""A step larger than this many median steps is a gap"""

max_text_length: int = 80
"""Maximum length of the line text kept in a `SkippedLine`"""

max_logged_lines: int = 20
"""Skipped lines logged one by one before the rest are only counted"""

conversions: dict[str, typing.Callable[[np.ndarray], np.ndarray]] = {
    'fahrenheit_to_celsius': lambda values: (values - 32) * 5 / 9}
"""Unit conversions by name, applied to every value read"""

_separator_candidates = [';', ',', '\t', '|']
_nan_texts = {'nan', '+nan', '-nan'}


class ReaderError(ValueError):
    """Readings file, or reader options, that give no readings at all"""


class ReaderOptions(typing.NamedTuple):
    """Layout of a readings file"""
    value_column: str = 'value'
    """header name of the column with the reading values"""
    time_columns: tuple[str, ...] = ('timestamp',)
    """header names of the time columns: one timestamp column, or a date
    and a time column, joined with a space before parsing"""
    separator: str = ','
    """field separator, one character"""
    decimal: str = '.'
    """decimal separator of the values, one character"""
    time_format: str | None = None
    """strptime format of the (joined) time, ``None`` for ISO 8601"""
    missing: tuple[str, ...] = ()
    """texts that mark a missing value, in addition to an empty field"""
    time_zone: str = 'UTC'
    """IANA time zone of times without a UTC offset"""
    convert: str | None = None
    """name of a unit conversion in `conversions`, or ``None``"""


class SkippedLine(typing.NamedTuple):
    """Line of a readings file that gives no reading"""
    line: int
    """1-based physical line number"""
    text: str
    """line text, truncated to `max_text_length` characters"""
    reason: str
    """why the line was skipped, with the value and the column"""
    kind: str
    """reason category: 'empty', 'fields', 'time', 'missing', 'value',
    'nonexistent_time', 'duplicate' or 'out_of_order'"""


class Gap(typing.NamedTuple):
    """Step between two readings much larger than the median step"""
    line: int
    """line number of the reading after the gap"""
    start: datetime.datetime
    """UTC time of the reading before the gap"""
    end: datetime.datetime
    """UTC time of the reading after the gap"""


class AmbiguousTime(typing.NamedTuple):
    """Local time that occurs twice at a DST change, and the UTC time
    chosen for it"""
    line: int
    """line number"""
    text: str
    """time text as in the file"""
    time: datetime.datetime
    """UTC time chosen: the earlier one, unless that one would not be
    later than the previous reading"""


class ReadResult(typing.NamedTuple):
    """Outcome of reading a readings file"""
    readings: list[common.Reading]
    """readings in time order, UTC"""
    skipped: list[SkippedLine]
    """skipped lines in line order"""
    gaps: list[Gap]
    """steps larger than `gap_factor` median steps"""
    rows: int
    """data lines read: every line after the header, empty ones
    included, so that `rows` is ``len(readings) + len(skipped)``"""
    step: datetime.timedelta | None
    """median step between readings, ``None`` with fewer than two"""
    ambiguous: list[AmbiguousTime]
    """local times that occur twice at a DST change, kept as readings"""


class _Table(typing.NamedTuple):
    physical_lines: list[str]
    lines: list[int]
    time_texts: list[str]
    value_texts: list[str]
    skipped: list[SkippedLine]
    rows: int


def options_from_conf(conf: dict) -> ReaderOptions:
    """Create reader options from a conf valid against
    ``air-supervision://reader.yaml``.

    Raises:
        common.ConfError: if `conf` does not match the schema

    """
    common.validate_conf('air-supervision://reader.yaml', conf)
    defaults = ReaderOptions()
    return ReaderOptions(
        value_column=conf.get('value_column', defaults.value_column),
        time_columns=tuple(conf.get('time_columns', defaults.time_columns)),
        separator=conf.get('separator', defaults.separator),
        decimal=conf.get('decimal', defaults.decimal),
        time_format=conf.get('time_format', defaults.time_format),
        missing=tuple(conf.get('missing', defaults.missing)),
        time_zone=conf.get('time_zone', defaults.time_zone),
        convert=conf.get('convert', defaults.convert))


def options_to_conf(options: ReaderOptions) -> dict:
    """Conf form of `options`, read back by `options_from_conf`"""
    conf = {'value_column': options.value_column,
            'time_columns': list(options.time_columns),
            'separator': options.separator,
            'decimal': options.decimal,
            'missing': list(options.missing),
            'time_zone': options.time_zone}
    if options.time_format is not None:
        conf['time_format'] = options.time_format

    if options.convert is not None:
        conf['convert'] = options.convert

    return conf


def add_reader_arguments(parser: argparse.ArgumentParser):
    """Add the reader options to `parser`, read back by
    `options_from_args`"""
    defaults = ReaderOptions()
    group = parser.add_argument_group('readings file layout')

    group.add_argument(
        '--column', metavar='NAME', dest='value_column',
        default=defaults.value_column,
        help="header name of the value column (default: %(default)s)")

    group.add_argument(
        '--time-column', metavar='NAME', dest='time_columns',
        action='append', default=None,
        help="header name of a time column; give it twice for a date and "
             "a time column, joined with a space before parsing "
             "(default: timestamp)")

    group.add_argument(
        '--separator', metavar='CHAR', type=_char_arg,
        default=defaults.separator,
        help="field separator, one character; 'tab' for a tab "
             "(default: '%(default)s')")

    group.add_argument(
        '--decimal', metavar='CHAR', type=_char_arg,
        default=defaults.decimal,
        help="decimal separator of the values (default: '%(default)s')")

    group.add_argument(
        '--time-format', metavar='FORMAT', default=defaults.time_format,
        help="strptime format of the (joined) time, such as "
             "'%%d/%%m/%%Y %%H.%%M.%%S' (default: ISO 8601, such as "
             "2013-07-04 00:00:00)")

    group.add_argument(
        '--missing', metavar='TEXT', action='append', default=None,
        help="value text that marks a missing value, such as -200; "
             "repeatable (empty fields are always missing)")

    group.add_argument(
        '--time-zone', metavar='NAME', type=_time_zone_arg,
        default=defaults.time_zone,
        help="IANA time zone of the times in the file, such as "
             "Europe/Rome; times are converted to UTC "
             "(default: %(default)s)")

    group.add_argument(
        '--fahrenheit-to-celsius', dest='convert', action='store_const',
        const='fahrenheit_to_celsius', default=None,
        help="convert the values from degrees Fahrenheit to degrees "
             "Celsius")


def options_from_args(args: argparse.Namespace) -> ReaderOptions:
    """Create reader options from arguments added by
    `add_reader_arguments`"""
    defaults = ReaderOptions()
    return ReaderOptions(
        value_column=args.value_column,
        time_columns=tuple(args.time_columns or defaults.time_columns),
        separator=args.separator,
        decimal=args.decimal,
        time_format=args.time_format,
        missing=tuple(args.missing or ()),
        time_zone=args.time_zone,
        convert=args.convert)


def read_readings(path: pathlib.PurePath | str,
                  options: ReaderOptions = ReaderOptions()
                  ) -> ReadResult:
    """Read the readings of a readings file.

    Lines that give no reading are skipped and listed in the result,
    together with gaps and DST-ambiguous local times. The first of
    several readings with the same time is kept, and a reading earlier
    than the previous kept one is skipped.

    Raises:
        ReaderError: if the file, or the options, give no readings; the
            message names the file, the problem and the option to set

    """
    path = pathlib.Path(path)
    zone = _check_options(options)
    text = _read_text(path)
    table = _split_table(path, text, options)

    values, value_skips = _parse_values(table, options)
    naive, aware, time_skips = _parse_times(table, options)
    utc, ambiguous_rows, zone_skips = _localize(table, naive, aware, zone,
                                                options)

    # one reason per line: a bad time before a bad value before a local
    # time that does not exist
    row_skips = {**zone_skips, **value_skips, **time_skips}
    candidates = np.ones(len(table.lines), dtype=bool)
    candidates[list(row_skips)] = False

    ambiguous = _resolve_ambiguous(table, utc, candidates, ambiguous_rows)
    kept, order_skips = _select(table, utc, candidates, options)

    skipped = sorted([*table.skipped, *row_skips.values(), *order_skips])
    readings = _create_readings(utc[kept], values[kept], options)
    result = _create_result(table, kept, utc[kept], readings, skipped,
                            ambiguous)

    if not readings:
        raise ReaderError(_no_readings_message(path, table, result,
                                                options))

    _log_result(path, result)
    return result


def _check_options(options: ReaderOptions) -> zoneinfo.ZoneInfo:
    if not options.time_columns:
        raise ReaderError("no time column given: set time_columns "
                          "(--time-column)")

    if len(options.separator) != 1:
        raise ReaderError(f"invalid separator {options.separator!r}: "
                          f"expected one character (--separator)")

    if len(options.decimal) != 1 or options.decimal == options.separator:
        raise ReaderError(f"invalid decimal separator {options.decimal!r}:"
                          f" expected one character other than the field "
                          f"separator (--decimal)")

    if options.convert is not None and options.convert not in conversions:
        raise ReaderError(f"unknown conversion {options.convert!r}: "
                          f"expected one of {', '.join(conversions)}")

    try:
        return zoneinfo.ZoneInfo(options.time_zone)

    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as e:
        raise ReaderError(f"unknown time zone {options.time_zone!r}: set "
                          f"time_zone (--time-zone) to an IANA name such "
                          f"as UTC or Europe/Rome") from e


def _read_text(path: pathlib.Path) -> str:
    # NOTE: the whole file is held in memory, as bytes, text and lines, so
    # memory use grows with the file size
    try:
        data = path.read_bytes()

    except FileNotFoundError as e:
        raise ReaderError(f"{path}: file not found; check the path") from e

    except OSError as e:
        raise ReaderError(f"{path}: cannot read the file ({e.strerror}); "
                          f"check the path and its permissions") from e

    if not data.strip():
        raise ReaderError(f"{path}: file is empty; expected a header line "
                          f"and one reading per line")

    text = _decode(data)
    if text is None:
        raise ReaderError(f"{path}: not a text file (binary or unknown "
                          f"encoding); expected a delimited text export "
                          f"in UTF-8 or Latin-1")

    return text


def _decode(data: bytes) -> str | None:
    if b'\0' in data:
        return None

    try:
        return data.decode('utf-8-sig')

    except UnicodeDecodeError:
        pass

    text = data.decode('latin-1')
    if any(ord(c) < 0x20 and c not in '\t\n\r\f' for c in text):
        return None

    return text


def _split_table(path: pathlib.Path,
                 text: str,
                 options: ReaderOptions
                 ) -> _Table:
    physical_lines = list(io.StringIO(text, newline=''))
    reader = csv.reader(physical_lines, delimiter=options.separator)
    header, header_line = _read_header(reader, path)
    header_text = physical_lines[header_line - 1]
    if sum(1 for name in header if name) < 2:
        raise ReaderError(_one_column_message(path, header_text, options))

    value_index = _column_index(path, header, options.value_column,
                                'value_column (--column)')
    time_indices = [_column_index(path, header, name,
                                  'time_columns (--time-column)')
                    for name in options.time_columns]

    table = _Table(physical_lines=physical_lines, lines=[], time_texts=[],
                   value_texts=[], skipped=[], rows=0)
    header_width = len(header)
    named_width = max(i + 1 for i, name in enumerate(header) if name)
    line = reader.line_num + 1
    for fields in _data_records(reader, path):
        kind, reason = _check_fields(fields, header_width, named_width)
        if kind:
            table.skipped.append(_skipped_line(table, line, reason, kind))

        else:
            table.lines.append(line)
            table.value_texts.append(fields[value_index].strip())
            table.time_texts.append(' '.join(fields[i].strip()
                                             for i in time_indices))

        line = reader.line_num + 1

    rows = len(table.lines) + len(table.skipped)
    if all(i.kind == 'empty' for i in table.skipped) and not table.lines:
        raise ReaderError(f"{path}: header only, no data lines (line "
                          f"{header_line} is the header); expected one "
                          f"reading per line after the header")

    return table._replace(rows=rows)


def _data_records(reader, path: pathlib.Path) -> typing.Iterator[list[str]]:
    try:
        yield from reader

    except csv.Error as e:
        raise ReaderError(f"{path}: invalid line {reader.line_num}: {e}; "
                          f"check the separator and the quotes") from e


def _read_header(reader, path: pathlib.Path) -> tuple[list[str], int]:
    try:
        for fields in reader:
            header = [name.strip() for name in fields]
            if any(header):
                return header, reader.line_num

    except csv.Error as e:
        raise ReaderError(f"{path}: invalid header line "
                          f"{reader.line_num}: {e}") from e

    raise ReaderError(f"{path}: file is empty; expected a header line and "
                      f"one reading per line")


def _column_index(path: pathlib.Path,
                  header: list[str],
                  name: str,
                  option: str
                  ) -> int:
    if name in header:
        return header.index(name)

    named = [i for i in header if i]
    message = (f"{path}: column {name!r} not found in the header; "
               f"columns found: {', '.join(map(repr, named))}; "
               f"set {option} to one of them")
    close = difflib.get_close_matches(name, named, n=1)
    if close:
        message += f" (did you mean {close[0]!r}?)"

    raise ReaderError(message)


def _one_column_message(path: pathlib.Path,
                        header_text: str,
                        options: ReaderOptions
                        ) -> str:
    message = (f"{path}: the header has only one column with the "
               f"separator {options.separator!r}; set separator "
               f"(--separator) to the file's field separator")
    counts = {i: header_text.count(i) for i in _separator_candidates
              if i != options.separator}
    candidate = max(counts, key=counts.get)
    if counts[candidate]:
        shown = 'tab' if candidate == '\t' else candidate
        message += (f"; the header contains {counts[candidate]} "
                    f"{candidate!r}, try --separator '{shown}'")

    return message


def _check_fields(fields: list[str],
                  header_width: int,
                  named_width: int
                  ) -> tuple[str | None, str | None]:
    if not any(i.strip() for i in fields):
        return 'empty', "empty line"

    if len(fields) > header_width and any(
            i.strip() for i in fields[header_width:]):
        return 'fields', (f"too many fields: {len(fields)} fields, the "
                          f"header has {header_width}")

    if len(fields) < named_width:
        return 'fields', (f"too few fields: {len(fields)} fields, the "
                          f"header has {named_width}")

    return None, None


def _skipped_line(table: _Table, line: int, reason: str, kind: str
                  ) -> SkippedLine:
    text = table.physical_lines[line - 1].rstrip('\r\n')
    if len(text) > max_text_length:
        text = text[:max_text_length - 3] + '...'

    return SkippedLine(line=line, text=text, reason=reason, kind=kind)


def _row_skip(table: _Table, row: int, reason: str, kind: str
              ) -> SkippedLine:
    return _skipped_line(table, table.lines[row], reason, kind)


def _parse_values(table: _Table,
                  options: ReaderOptions
                  ) -> tuple[np.ndarray, dict[int, SkippedLine]]:
    texts = pd.Series(table.value_texts, dtype=object)
    if options.decimal == '.':
        numbers = texts
        wrong_decimal = np.zeros(len(texts), dtype=bool)

    else:
        wrong_decimal = texts.str.contains('.', regex=False).to_numpy(bool)
        numbers = texts.str.replace(options.decimal, '.', regex=False)

    values = pd.to_numeric(numbers, errors='coerce').to_numpy(float,
                                                             copy=True)
    values[wrong_decimal] = np.nan
    missing = (texts == '').to_numpy() | _missing_mask(texts, values,
                                                        options)

    column = repr(options.value_column)
    skips = {}
    for row in np.flatnonzero(missing | ~np.isfinite(values)):
        text = table.value_texts[row]
        if missing[row]:
            shown = 'empty value' if not text else f"value {text!r}"
            skips[row] = _row_skip(
                table, row, f"missing value: {shown} in column {column}",
                'missing')

        else:
            skips[row] = _row_skip(
                table, row, _invalid_value_reason(text, column, options),
                'value')

    return values, skips


def _missing_mask(texts: pd.Series,
                  values: np.ndarray,
                  options: ReaderOptions
                  ) -> np.ndarray:
    mask = texts.isin(options.missing).to_numpy(copy=True)
    for marker in options.missing:
        try:
            number = float(marker.replace(options.decimal, '.'))

        except ValueError:
            continue

        mask |= values == number

    return mask


def _invalid_value_reason(text: str, column: str,
                          options: ReaderOptions) -> str:
    if text.lower() in _nan_texts:
        return f"value {text!r} in column {column} is not a number (NaN)"

    if text.lower().lstrip('+-') in ('inf', 'infinity'):
        return f"value {text!r} in column {column} is infinite"

    if options.decimal != '.' and '.' in text:
        return (f"invalid number {text!r} in column {column}: the decimal "
                f"separator is {options.decimal!r} (--decimal)")

    return f"invalid number {text!r} in column {column}"


def _parse_times(table: _Table,
                 options: ReaderOptions
                 ) -> tuple[np.ndarray, np.ndarray, dict[int, SkippedLine]]:
    try:
        naive, aware = times.parse_times(table.time_texts,
                                         options.time_format)

    except ValueError as e:
        raise ReaderError(
            f"invalid time format {options.time_format!r} (--time-format): "
            f"{e}; use strptime directives, for example "
            f"'%d/%m/%Y %H:%M:%S'") from None

    skips = {row: _row_skip(table, row,
                            _invalid_time_reason(table.time_texts[row],
                                                 options),
                            'time')
             for row in np.flatnonzero(np.isnat(naive))}
    return naive, aware, skips


def _invalid_time_reason(text: str, options: ReaderOptions) -> str:
    column = _time_column_label(options)
    if options.time_format is None:
        expected = "ISO 8601 such as 2013-07-04 00:00:00 (--time-format)"

    else:
        expected = f"the format {options.time_format!r} (--time-format)"

    shown = 'empty time' if not text.strip() else f"time {text!r}"
    return f"invalid {shown} in {column}: expected {expected}"


def _time_column_label(options: ReaderOptions) -> str:
    if len(options.time_columns) == 1:
        return f"column {options.time_columns[0]!r}"

    return f"columns {' + '.join(map(repr, options.time_columns))}"


def _localize(table: _Table,
              naive: np.ndarray,
              aware: np.ndarray,
              zone: zoneinfo.ZoneInfo,
              options: ReaderOptions
              ) -> tuple[np.ndarray, list, dict[int, SkippedLine]]:
    utc, nonexistent, ambiguous = times.localize(naive, aware, zone)
    skips = {row: _row_skip(
                 table, row,
                 f"non-existent local time {table.time_texts[row]!r} in "
                 f"{_time_column_label(options)}: the clocks in "
                 f"{options.time_zone} skip it at a DST change",
                 'nonexistent_time')
             for row in nonexistent}
    return utc, ambiguous, skips


def _resolve_ambiguous(table: _Table,
                       utc: np.ndarray,
                       candidates: np.ndarray,
                       ambiguous: list
                       ) -> list[AmbiguousTime]:
    return [AmbiguousTime(line=table.lines[row],
                          text=table.time_texts[row],
                          time=times.to_datetime(chosen))
            for row, chosen in times.resolve_ambiguous(utc, candidates,
                                                       ambiguous)]


def _select(table: _Table,
            utc: np.ndarray,
            candidates: np.ndarray,
            options: ReaderOptions
            ) -> tuple[np.ndarray, list[SkippedLine]]:
    """Keep each candidate that is later than every earlier candidate.
    Return the kept mask and the duplicate and out-of-order lines."""
    candidate_times = np.where(candidates, utc, times.min_time)
    previous_max = np.maximum.accumulate(candidate_times)
    previous_max = np.concatenate([candidate_times[:1], previous_max[:-1]])
    kept = candidates.copy()
    kept[1:] &= candidate_times[1:] > previous_max[1:]

    kept_rows = np.flatnonzero(kept)
    kept_times = utc[kept_rows]
    column = _time_column_label(options)
    skips = []
    for row in np.flatnonzero(candidates & ~kept):
        i = np.searchsorted(kept_times, utc[row])
        text = table.time_texts[row]
        if i < len(kept_times) and kept_times[i] == utc[row]:
            line = table.lines[kept_rows[i]]
            skips.append(_row_skip(
                table, row,
                f"duplicate time {text!r} in {column}: line {line} has the "
                f"same time and is kept", 'duplicate'))

        else:
            j = np.searchsorted(kept_times, previous_max[row])
            line = table.lines[kept_rows[j]]
            skips.append(_row_skip(
                table, row,
                f"time {text!r} in {column} is out of order: earlier than "
                f"the reading on line {line}", 'out_of_order'))

    return kept, skips


def _create_readings(utc: np.ndarray,
                     values: np.ndarray,
                     options: ReaderOptions
                     ) -> list[common.Reading]:
    if options.convert is not None:
        values = conversions[options.convert](values)

    datetimes = pd.DatetimeIndex(utc).tz_localize('UTC').to_pydatetime()
    return [common.Reading(time=time, value=value)
            for time, value in zip(datetimes, values.tolist())]


def _create_result(table: _Table,
                   kept: np.ndarray,
                   kept_times: np.ndarray,
                   readings: list[common.Reading],
                   skipped: list[SkippedLine],
                   ambiguous: list[AmbiguousTime]
                   ) -> ReadResult:
    lines = np.asarray(table.lines)[kept]
    step = None
    gaps = []
    if len(readings) > 1:
        steps = np.diff(kept_times.astype(np.int64))
        median = np.median(steps)
        step = datetime.timedelta(microseconds=float(median))
        for i in np.flatnonzero(steps > gap_factor * median):
            gaps.append(Gap(line=int(lines[i + 1]),
                            start=readings[i].time,
                            end=readings[i + 1].time))

    return ReadResult(readings=readings, skipped=skipped, gaps=gaps,
                      rows=table.rows, step=step, ambiguous=ambiguous)


def _no_readings_message(path: pathlib.Path,
                         table: _Table,
                         result: ReadResult,
                         options: ReaderOptions
                         ) -> str:
    time_skips = [i for i in result.skipped if i.kind == 'time']
    if len(time_skips) == result.rows - _count(result, 'empty'):
        expected = ('ISO 8601, such as 2013-07-04 00:00:00'
                    if options.time_format is None
                    else f"the format {options.time_format!r}")
        first = time_skips[0]
        text = table.time_texts[table.lines.index(first.line)]
        return (f"{path}: no usable line: no time in "
                f"{_time_column_label(options)} matches {expected}; the "
                f"first one is {text!r} on line {first.line}; set "
                f"time_format (--time-format) to the format of the file")

    first = next(i for i in result.skipped if i.kind != 'empty')
    return (f"{path}: no usable line: all {result.rows} data lines were "
            f"skipped; the first one is line {first.line}: {first.reason}")


def _count(result: ReadResult, kind: str) -> int:
    return sum(1 for i in result.skipped if i.kind == kind)


def _log_result(path: pathlib.Path, result: ReadResult):
    for i in result.skipped[:max_logged_lines]:
        mlog.warning("skipped line %s of %s: %s", i.line, path, i.reason)

    if len(result.skipped) > max_logged_lines:
        mlog.warning("%s more lines of %s skipped",
                     len(result.skipped) - max_logged_lines, path)

    for i in result.ambiguous[:max_logged_lines]:
        mlog.warning("ambiguous local time %r on line %s of %s read as "
                     "%s UTC", i.text, i.line, path,
                     common.time_to_str(i.time))

    mlog.info("read %s [rows: %s, readings: %s, skipped: %s, gaps: %s, "
              "ambiguous times: %s]", path, result.rows,
              len(result.readings), len(result.skipped), len(result.gaps),
              len(result.ambiguous))


def _char_arg(value: str) -> str:
    if value.lower() == 'tab':
        return '\t'

    if len(value) != 1:
        raise argparse.ArgumentTypeError(
            f"invalid separator {value!r}: expected one character or 'tab'")

    return value


def _time_zone_arg(value: str) -> str:
    try:
        zoneinfo.ZoneInfo(value)

    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise argparse.ArgumentTypeError(
            f"unknown time zone {value!r}: expected an IANA name such as "
            f"UTC or Europe/Rome")

    return value
