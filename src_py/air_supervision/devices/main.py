"""Command line of the readings device"""

from pathlib import Path
import argparse
import json
import logging
import os
import sys

import hat.gateway.main
import hat.json

from air_supervision import common
from air_supervision.devices import reader


max_listed_lines: int = 100
"""Skipped lines and gaps listed by ``--check`` unless ``--all`` is given"""

replay_variable: str = 'AIR_SUPERVISION_REPLAY'
"""Environment variable with the device properties to replace (``file``,
``reader``, ``rate``) as a JSON object. It is used when the command line
gives no ``--file``, and run.sh sets it for the gateway that the
orchestrator starts."""


def main(argv: list[str] | None = None) -> int:
    """Run the command line with `argv` and return the exit status: 0 for
    success, 1 for an unusable readings file, 2 for invalid arguments"""
    parser = create_parser()
    args = parser.parse_args(argv)

    if args.check is not None:
        return run_check(args)

    if args.conf is None:
        parser.error("one of --check FILE or --conf PATH is required")

    return run_gateway(args)


def create_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog='air-supervision-device',
        description="Readings device: reads sensor readings from a "
                    "delimited text file")

    mode = parser.add_argument_group('mode')
    mode.add_argument(
        '--check', metavar='FILE', default=None,
        help="read FILE without replaying it and print its row count, "
             "time range, step, gaps and skipped lines")
    mode.add_argument(
        '--conf', metavar='PATH', type=Path, default=None,
        help="run hat-gateway with the configuration PATH "
             "(hat-gateway://main.yaml), replaying --file if given")

    replay = parser.add_argument_group('replay')
    replay.add_argument(
        '--file', metavar='FILE', default=None,
        help="readings file that the readings device replays, in place "
             "of the one in the configuration")
    replay.add_argument(
        '--rate', metavar='N', type=float, default=None,
        help="readings sent per second; 0 sends them as fast as the "
             "system takes them")
    replay.add_argument(
        '--validate', action='store_true',
        help="with --conf: check the configuration and the readings file, "
             "print the replaced device properties as JSON and exit")

    output = parser.add_argument_group('check output')
    output.add_argument(
        '--all', action='store_true',
        help=f"list every skipped line and gap (default: the first "
             f"{max_listed_lines} of each, then a count)")

    reader.add_reader_arguments(parser)
    return parser


def run_check(args: argparse.Namespace) -> int:
    """Print the check report of ``args.check`` and return the exit
    status"""
    # The report lists every skipped line, so the reader's warnings about
    # them would only repeat it on stderr.
    logging.basicConfig(level=logging.ERROR,
                        format='%(levelname)s %(name)s: %(message)s')

    options = reader.options_from_args(args)
    try:
        result = reader.read_readings(args.check, options)

    except reader.ReaderError as e:
        print(f"error: {e}", file=sys.stderr)
        print(f"verdict: unusable, {args.check} gives no readings")
        return 1

    limit = None if args.all else max_listed_lines
    for line in format_report(args.check, result, limit):
        print(line)

    return 0


def run_gateway(args: argparse.Namespace) -> int:
    """Run hat-gateway with the readings device set from `args`, or with
    ``--validate`` only check them"""
    try:
        conf = hat.json.decode_file(args.conf)
        device = _readings_device_conf(conf)
        device.update(_replay_conf(args))
        common.validate_conf('air-supervision://devices/air_readings.yaml',
                             device)
        if args.validate and device.get('file'):
            logging.basicConfig(level=logging.ERROR,
                                format='%(levelname)s %(name)s: %(message)s')
            result = reader.read_readings(
                device['file'],
                reader.options_from_conf(device.get('reader', {})))

    except (OSError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1

    if args.validate:
        if device.get('file'):
            print(f"{device['file']}: {len(result.readings)} readings, "
                  f"{len(result.skipped)} lines skipped", file=sys.stderr)

        print(json.dumps(_replay_conf(args)))
        return 0

    hat.gateway.main.sync_main(conf)
    return 0


def _replay_conf(args):
    """Device properties that `args` or the environment set"""
    if args.file is None and os.environ.get(replay_variable):
        return json.loads(os.environ[replay_variable])

    replay = {}
    if args.file is not None:
        replay['file'] = str(Path(args.file).resolve())
        replay['reader'] = reader.options_to_conf(
            reader.options_from_args(args))

    if args.rate is not None:
        replay['rate'] = args.rate

    return replay


def _readings_device_conf(conf):
    for device in conf.get('devices', []):
        if device.get('module') == 'air_supervision.devices.air_readings':
            return device

    raise ValueError("the gateway configuration has no "
                     "air_supervision.devices.air_readings device")


def format_report(path: str,
                  result: reader.ReadResult,
                  limit: int | None
                  ) -> list[str]:
    """Format the check report of a read file, listing at most `limit`
    skipped lines and gaps (all of them for ``None``)"""
    first = result.readings[0].time
    last = result.readings[-1].time
    lines = [f"file: {path}",
             f"rows: {result.rows} data lines",
             f"readings: {len(result.readings)} kept, "
             f"{len(result.skipped)} lines skipped",
             f"time range: {common.time_to_str(first)} UTC to "
             f"{common.time_to_str(last)} UTC",
             f"step: {result.step if result.step else 'unknown'} (median)",
             f"gaps: {len(result.gaps)} (steps over {reader.gap_factor:g} "
             f"times the median step)"]

    lines.extend(_limited(
        [f"  line {i.line}: {common.time_to_str(i.start)} to "
         f"{common.time_to_str(i.end)} UTC ({i.end - i.start})"
         for i in result.gaps],
        limit, 'gaps'))

    if result.ambiguous:
        lines.append(f"ambiguous local times: {len(result.ambiguous)}")
        lines.extend(_limited(
            [f"  line {i.line}: {i.text!r} read as "
             f"{common.time_to_str(i.time)} UTC"
             for i in result.ambiguous],
            limit, 'ambiguous local times'))

    lines.append(f"skipped lines: {len(result.skipped)}")
    lines.extend(_limited(
        [f"  line {i.line}: {i.reason}" for i in result.skipped],
        limit, 'skipped lines'))

    lines.append(f"verdict: usable, {len(result.readings)} readings from "
                 f"{result.rows} data lines")
    return lines


def _limited(lines: list[str], limit: int | None, name: str) -> list[str]:
    if limit is None or len(lines) <= limit:
        return lines

    return [*lines[:limit],
            f"  ... {len(lines) - limit} more {name} (--all lists them)"]


if __name__ == '__main__':
    sys.exit(main())
