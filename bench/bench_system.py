"""Measure the speed and size of the whole system on this machine.

Starts real systems with hat-orchestrator, each in its own temporary
folder on free 127.0.0.1 ports (see test_pytest/system.py), and measures
in one run:

- end-to-end throughput, readings per second from the device to a stored
  anomaly verdict with the device at ``rate: 0``, against the rate at
  which one eventer client registers events in batches of the device's
  size on a fresh system;
- latency from a reading's registration to its verdict's registration at
  the default rate of 2 readings per second, against the hat-event
  register-and-receive round trip and one AIMM predict round trip on the
  ``constant`` forecast model;
- resident memory of every process after 10,000 and 100,000 readings;
- time from the orchestrator start to the first stored reading and to the
  first verdict, and the time to read a 100,000-row file against
  ``pandas.read_csv`` of the same file.

Example::

    python bench/bench_system.py --out bench-results.json

"""

from pathlib import Path
import argparse
import asyncio
import contextlib
import datetime
import json
import statistics
import sys
import tempfile
import time

import pandas as pd
import psutil
import yaml

from hat.drivers import net
import hat.event.common
import hat.event.eventer

from air_supervision import common
from air_supervision.devices import reader

sys.path.insert(0, str(Path(__file__).parents[1] / 'test_pytest'))
import system  # NOQA: E402


reader_conf = {'convert': 'fahrenheit_to_celsius'}
batch_size = 100
"""Events per register call, the device's default ``batch_size``"""

warm_rows = 300
"""Readings stored before the latency measurement"""

warm_rate = 20
"""Readings per second of the fresh start. At rate 0 the first fit would
use every stored reading, so no reading of the warm-up file would get a
verdict."""

process_names = ['syslog', 'monitor', 'event', 'aimm', 'gateway', 'gui']


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--out', type=Path, default=None,
                        help="write the results as JSON to this file")
    parser.add_argument('--rows', type=int, default=100_000,
                        help="rows of the generated hourly series replayed "
                             "for throughput and memory (default: "
                             "%(default)s)")
    parser.add_argument('--raw-events', type=int, default=20_000,
                        help="events registered to measure the raw rate "
                             "(default: %(default)s)")
    parser.add_argument('--latency-readings', type=int, default=240,
                        help="readings replayed at 2 per second for the "
                             "latency (default: %(default)s)")
    parser.add_argument('--round-trips', type=int, default=200,
                        help="register-and-receive round trips "
                             "(default: %(default)s)")
    parser.add_argument('--predicts', type=int, default=50,
                        help="bare AIMM predict round trips "
                             "(default: %(default)s)")
    args = parser.parse_args()

    # with fewer rows, the first fit may use every stored reading, and the
    # last reading would never get the verdict the measurement waits for
    if args.rows < 10_000:
        parser.error(f"--rows {args.rows} is too small: expected at least "
                     f"10000")

    with tempfile.TemporaryDirectory(prefix='bench-system-') as tmp:
        results = asyncio.run(run(args, Path(tmp)))

    print_results(results)
    if args.out:
        args.out.write_text(json.dumps(results, indent=2) + '\n')

    return 0


async def run(args: argparse.Namespace, tmp: Path) -> dict:
    """Run every measurement and return the results"""
    series_path = tmp / 'series.csv'
    write_series(series_path, args.rows)
    results = {'machine': machine(), 'rows': args.rows,
               'batch_size': batch_size, 'models': default_models()}

    print("floors and ceiling on a system without gateway and gui",
          flush=True)
    modules = pinned_models(results)
    results['floors'] = await measure_floors(args, tmp / 'floors', modules)

    print("start-up and latency at 2 readings per second", flush=True)
    results['latency'] = await measure_latency(args, tmp / 'latency',
                                               modules)

    print(f"throughput and memory on {args.rows} readings at rate 0",
          flush=True)
    results['throughput'] = await measure_throughput(
        series_path, tmp / 'throughput', modules)

    print("reading the series file", flush=True)
    results['reader'] = measure_reader(series_path)
    return results


def machine() -> dict:
    return {'cpus': psutil.cpu_count(),
            'memory_gib': round(psutil.virtual_memory().total / 2**30, 1),
            'python': sys.version.split()[0],
            'date': datetime.date.today().isoformat()}


def default_models() -> dict[str, str]:
    """Default model of each family in conf/event.yaml"""
    conf = yaml.safe_load((system.conf_path / 'event.yaml').read_text())
    return {i['module'].split('.')[-1]: i['default_model']
            for i in conf['modules'] if 'default_model' in i}


def pinned_models(results: dict) -> dict:
    """Module confs that keep the models read at the start of the run, so
    that every phase uses the same ones"""
    return {family: {'default_model': model}
            for family, model in results['models'].items()}


def write_series(path: Path, rows: int):
    """Write `rows` hourly readings: the built-in series repeated, each
    copy shifted to start one hour after the previous one ends"""
    frame = pd.read_csv(system.builtin_file, parse_dates=['timestamp'])
    step = pd.Timedelta(hours=1)
    span = frame['timestamp'].iloc[-1] - frame['timestamp'].iloc[0] + step
    copies = []
    for i in range(rows // len(frame) + 1):
        copy = frame.copy()
        copy['timestamp'] = copy['timestamp'] + i * span
        copies.append(copy)

    series = pd.concat(copies).iloc[:rows]
    series.to_csv(path, index=False, date_format='%Y-%m-%d %H:%M:%S')


def file_times(path: Path) -> list[hat.event.common.Timestamp]:
    with path.open() as f:
        next(f)
        return [common.timestamp_from_str(line.split(',')[0]) for line in f]


def seconds(timestamp: hat.event.common.Timestamp) -> float:
    return hat.event.common.timestamp_to_float(timestamp)


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method='inclusive')[q - 1]


def summary(values: list[float]) -> dict:
    return {'count': len(values),
            'p50': percentile(values, 50),
            'p99': percentile(values, 99),
            'max': max(values)}


@contextlib.asynccontextmanager
async def started(path: Path, **kwargs):
    """Started system and an eventer client, stopped at the end"""
    instance = system.System(path, **kwargs)
    instance.start()
    try:
        client = await instance.connect()
        try:
            yield instance, client

        finally:
            await client.async_close()

    finally:
        instance.stop()


async def connect(instance, name, subscriptions, events_cb):
    return await hat.event.eventer.connect(
        net.TcpAddress('127.0.0.1', instance.ports['eventer']), name,
        subscriptions=subscriptions, events_cb=events_cb)


async def measure_floors(args, path, modules) -> dict:
    components = ['syslog', 'monitor', 'event', 'aimm']
    async with started(path, modules=modules,
                       components=components) as (instance, client):
        await wait_aimm(client)
        return {'raw_register': await raw_register(client, args.raw_events),
                'round_trip': await round_trip(instance, client,
                                               args.round_trips),
                'aimm_predict': await aimm_predict(instance, client,
                                                   args.predicts)}


async def wait_aimm(client):
    async def connected():
        event = await system.query_latest(client, ('aimm', 'state'))
        return event is not None

    await system.wait_for(connected, 60)


async def raw_register(client, count) -> dict:
    """Register `count` stored events in batches, each awaited, as the
    device does"""
    event_type = ('gui', 'system', 'timeseries', 'bench')
    start_time = common.timestamp_from_str('2000-01-01 00:00:00')
    start = time.monotonic()
    for i in range(0, count, batch_size):
        events = [common.json_event(
            event_type,
            {'timestamp': '2000-01-01 00:00:00', 'value': 1.0},
            start_time.add(3600 * (i + j)))
            for j in range(min(batch_size, count - i))]
        result = await client.register(events, with_response=True)
        if result is None:
            raise RuntimeError("raw register failed: the event server "
                               "returned no response")

    duration = time.monotonic() - start
    return {'events': count, 'seconds': duration,
            'events_per_second': count / duration}


async def round_trip(instance, client, count) -> dict:
    """Time from registering one event to a subscriber receiving it"""
    event_type = ('bench', 'round_trip')
    received = asyncio.Queue()

    async def on_events(_, events):
        for _ in events:
            received.put_nowait(time.monotonic())

    subscriber = await connect(instance, 'bench-subscriber', [event_type],
                               on_events)
    try:
        durations = []
        for i in range(count):
            start = time.monotonic()
            await client.register([common.json_event(event_type, i)])
            durations.append(await asyncio.wait_for(received.get(), 10) -
                             start)

    finally:
        await subscriber.async_close()

    return summary(durations)


async def aimm_predict(instance, client, count) -> dict:
    """Time from registering a predict request of one 48-reading window on
    a ``constant`` forecast instance to its DONE action"""
    actions = {}

    async def on_events(_, events):
        for event in events:
            data = event.payload.data
            if data.get('status') in ('DONE', 'FAILED', 'CANCELLED'):
                future = actions.get(data.get('request_id'))
                if future and not future.done():
                    future.set_result((time.monotonic(), data))

    watcher = await connect(instance, 'bench-aimm', [('aimm', 'action')],
                            on_events)

    async def request(event_type, data, request_id):
        actions[request_id] = asyncio.get_running_loop().create_future()
        start = time.monotonic()
        await client.register([common.json_event(
            event_type, {**data, 'request_id': request_id})])
        end, result = await asyncio.wait_for(actions[request_id], 60)
        if result['status'] != 'DONE':
            raise RuntimeError(f"request {request_id} failed: {result}")

        return end - start, result.get('result')

    window = [[3600 * i, 20.0] for i in range(48)]
    try:
        _, instance_id = await request(
            ('aimm', 'create_instance'),
            {'model_type': 'air_supervision.aimm.forecast.constant',
             'args': [], 'kwargs': {}}, 'bench-create')
        await request(('aimm', 'fit', str(instance_id)),
                      {'args': [window], 'kwargs': {}}, 'bench-fit')
        durations = []
        for i in range(count):
            duration, _ = await request(
                ('aimm', 'predict', str(instance_id)),
                {'args': [[window]], 'kwargs': {}}, f'bench-predict-{i}')
            durations.append(duration)

    finally:
        await watcher.async_close()

    return summary(durations)


async def measure_latency(args, path, modules) -> dict:
    rows = system.builtin_file.read_text().splitlines()
    total = warm_rows + args.latency_readings
    warm_file = path.parent / 'warm.csv'
    latency_file = path.parent / 'latency.csv'
    warm_file.write_text('\n'.join(rows[:warm_rows + 1]) + '\n')
    latency_file.write_text('\n'.join(rows[:total + 1]) + '\n')
    warm_times = file_times(warm_file)

    # a fresh system, replaying the first rows, for start-up
    instance = system.System(path, modules=modules, device={
        'file': str(warm_file), 'reader': reader_conf, 'rate': warm_rate})
    start = time.time()
    instance.start()
    try:
        client = await instance.connect()
        await wait_warm(client, warm_times[-1], 120)
        startup = await first_events(client, start)
        await client.async_close()

    finally:
        instance.stop()

    # the same data folder again, with the rest of the rows at 2 per second
    set_device(instance, file=str(latency_file), rate=2)
    restart = time.time()
    instance.start()
    try:
        client = await instance.connect()
        latency_times = file_times(latency_file)
        await wait_verdict(client, latency_times[-1],
                           args.latency_readings / 2 + 120)
        fitted = await fitted_after(client, restart)
        restart_first = await first_events(client, restart, warm_times[-1])
        readings = await query_from(client, common.reading_type,
                                    warm_times[-1])
        anomalies = await query_from(client, common.result_type('anomaly'),
                                     warm_times[-1])
        await client.async_close()

    finally:
        instance.stop()

    registered = {i.source_timestamp: seconds(i.timestamp) for i in readings}
    steady = [seconds(i.timestamp) - registered[i.source_timestamp]
              for i in anomalies
              if registered[i.source_timestamp] > fitted]
    return {'startup': startup,
            'restart': restart_first,
            'restart_to_fitted_seconds': fitted - restart,
            'readings': len(readings),
            'verdicts': len(anomalies),
            'readings_before_fit': len(anomalies) - len(steady),
            'verdict': summary(steady)}


def set_device(instance, **device):
    conf_path = instance.conf_dir / 'gateway.yaml'
    conf = yaml.safe_load(conf_path.read_text())
    conf['devices'][0].update(device)
    conf_path.write_text(yaml.safe_dump(conf))


async def wait_verdict(client, last_time, timeout):
    async def done():
        event = await system.query_latest(client,
                                          common.result_type('anomaly'))
        return event is not None and event.source_timestamp == last_time

    await system.wait_for(done, timeout, period=0.5)


async def wait_warm(client, last_time, timeout):
    """Wait until the reading at `last_time` has a verdict or was used by
    the fit of the current anomaly model"""
    last_text = common.timestamp_to_str(last_time)

    async def done():
        verdict = await system.query_latest(client,
                                            common.result_type('anomaly'))
        state = await system.query_latest(
            client, common.log_type('anomaly', 'model_state'))
        return ((verdict is not None and
                 verdict.source_timestamp == last_time) or
                (state is not None and
                 state.payload.data['fitted_until'] == last_text))

    await system.wait_for(done, timeout, period=0.5)


async def first_events(client, start, after=None) -> dict:
    """Seconds from `start` to the registration of the first reading and
    the first verdict later than the reading at `after`"""
    t_from = after.add(1) if after else None
    reading = await query_first(client, common.reading_type, t_from)
    verdict = await query_first(client, common.result_type('anomaly'),
                                t_from)
    return {'first_reading_seconds': seconds(reading.timestamp) - start,
            'first_verdict_seconds': (seconds(verdict.timestamp) - start
                                      if verdict else None)}


async def fitted_after(client, start) -> float:
    """Registration time of the first ``fitted`` anomaly model state after
    `start`"""
    events = await system.query_series(
        client, common.log_type('anomaly', 'model_state'),
        order_by=hat.event.common.OrderBy.TIMESTAMP)
    return min(seconds(i.timestamp) for i in events
               if seconds(i.timestamp) > start and
               i.payload.data['state'] == 'fitted')


async def query_first(client, event_type, t_from=None):
    result = await client.query(hat.event.common.QueryTimeseriesParams(
        event_types=[event_type],
        source_t_from=t_from,
        order=hat.event.common.Order.ASCENDING,
        order_by=hat.event.common.OrderBy.SOURCE_TIMESTAMP,
        max_results=1))
    return next(iter(result.events), None)


async def query_from(client, event_type, after):
    events = await system.query_series(client, event_type)
    return [i for i in events if i.source_timestamp > after]


async def measure_throughput(series_path, path, modules) -> dict:
    times = file_times(series_path)
    marks = [i for i in (10_000, len(times)) if i <= len(times)]
    memory = {}
    cpu_before = {}
    async with started(path, modules=modules, device={
            'file': str(series_path), 'reader': reader_conf,
            'rate': 0}) as (instance, client):
        requests = RequestTimes()
        watcher = await connect(instance, 'bench-watcher',
                                [('aimm', '*')], requests.process)
        try:
            cpu_before = cpu_times(instance)
            for mark in marks:
                await wait_verdict_from(client, times[mark - 1], 1800)
                memory[str(mark)] = rss(instance)

            cpu_after = cpu_times(instance)
            cpu = {name: value - cpu_before.get(name, 0)
                   for name, value in cpu_after.items()}

        finally:
            await watcher.async_close()

        first_reading = await query_first(client, common.reading_type)
        last_reading = await system.query_latest(client, common.reading_type)
        first_verdict = await query_first(client,
                                          common.result_type('anomaly'))
        last_verdict = await system.query_latest(
            client, common.result_type('anomaly'))
        mark_verdict = await query_first(client,
                                         common.result_type('anomaly'),
                                         times[marks[0] - 1])
        readings = await query_first(client, common.reading_type,
                                     times[-1])

    # NOTE: counted from the file, because paging through 100,000 stored
    # events takes longer than the replay; the system tests check that
    # every reading after the first fit gets exactly one verdict
    verdicts = sum(1 for i in times if i >= first_verdict.source_timestamp)
    if readings is None:
        raise RuntimeError("the last reading of the file is not stored")

    start = seconds(first_reading.timestamp)
    end = seconds(last_verdict.timestamp)
    steady_count = verdicts - sum(1 for i in times
                                  if i <= mark_verdict.source_timestamp)
    return {
        'readings': len(times),
        'verdicts': verdicts,
        'readings_stored_seconds': seconds(last_reading.timestamp) - start,
        'first_verdict_seconds': seconds(first_verdict.timestamp) - start,
        'last_verdict_seconds': end - start,
        'verdicts_per_second': verdicts / (end - start),
        'steady_verdicts_per_second':
            steady_count / (end - seconds(mark_verdict.timestamp)),
        'aimm_requests': requests.summary(),
        'cpu_seconds': cpu,
        'rss_mib': memory}


class RequestTimes:
    """Count and total time, request to final state, of the AIMM requests
    of each family and kind"""

    def __init__(self):
        self._started = {}
        self._totals = {}

    async def process(self, _, events):
        for event in events:
            data = event.payload.data
            if not isinstance(data, dict) or 'request_id' not in data:
                continue

            request_id = data['request_id']
            if event.type[:2] != ('aimm', 'action'):
                kind = event.type[1]
                self._started[request_id] = (kind, seconds(event.timestamp))

            elif data.get('status') in ('DONE', 'FAILED', 'CANCELLED'):
                if request_id not in self._started:
                    continue

                kind, start = self._started.pop(request_id)
                family = str(request_id).split('-')[0]
                key = f'{family} {kind}'
                count, total = self._totals.get(key, (0, 0))
                self._totals[key] = (count + 1,
                                     total + seconds(event.timestamp) - start)

    def summary(self) -> dict:
        return {key: {'count': count, 'seconds': total}
                for key, (count, total) in sorted(self._totals.items())}


async def wait_verdict_from(client, reading_time, timeout):
    """Wait until the reading at `reading_time`, or a later one, has a
    verdict"""
    async def done():
        event = await system.query_latest(client,
                                          common.result_type('anomaly'))
        return event is not None and event.source_timestamp >= reading_time

    await system.wait_for(done, timeout, period=0.5)


def processes(instance) -> dict[str, psutil.Process]:
    result = {'orchestrator': psutil.Process(instance.process.pid)}
    for name in process_names:
        pid = instance.component_pid(name)
        if pid is not None:
            result[name] = psutil.Process(pid)

    return result


def rss(instance) -> dict[str, float]:
    return {name: process.memory_info().rss / 2**20
            for name, process in processes(instance).items()}


def cpu_times(instance) -> dict[str, float]:
    """CPU seconds of each process, its finished children included"""
    result = {}
    for name, process in processes(instance).items():
        times = process.cpu_times()
        result[name] = (times.user + times.system + times.children_user +
                        times.children_system)

    return result


def measure_reader(path, repeats=3) -> dict:
    options = reader.ReaderOptions(convert='fahrenheit_to_celsius')
    reader_seconds = []
    pandas_seconds = []
    for _ in range(repeats):
        start = time.perf_counter()
        result = reader.read_readings(path, options)
        reader_seconds.append(time.perf_counter() - start)

        start = time.perf_counter()
        frame = pd.read_csv(path, parse_dates=['timestamp'])
        pandas_seconds.append(time.perf_counter() - start)

    if len(result.readings) != len(frame):
        raise RuntimeError(f"reader kept {len(result.readings)} of "
                           f"{len(frame)} rows")

    return {'rows': len(frame),
            'reader_seconds': min(reader_seconds),
            'pandas_seconds': min(pandas_seconds)}


def print_results(results: dict):
    floors = results['floors']
    latency = results['latency']
    throughput = results['throughput']
    raw = floors['raw_register']['events_per_second']
    verdict = latency['verdict']
    print(json.dumps(results, indent=2))
    print()
    print(f"models: {results['models']}")
    print(f"end-to-end throughput: {throughput['verdicts_per_second']:.0f} "
          f"readings/s, raw register {raw:.0f} events/s, ratio "
          f"{throughput['verdicts_per_second'] / raw:.3f} (target >= 0.5)")
    print(f"latency p50 {verdict['p50'] * 1000:.0f} ms, p99 "
          f"{verdict['p99'] * 1000:.0f} ms; AIMM predict p99 "
          f"{floors['aimm_predict']['p99'] * 1000:.0f} ms, ratio "
          f"{verdict['p99'] / floors['aimm_predict']['p99']:.2f} "
          f"(target <= 2); hat-event round trip p99 "
          f"{floors['round_trip']['p99'] * 1000:.1f} ms, ratio "
          f"{verdict['p99'] / floors['round_trip']['p99']:.0f}")
    for mark, values in throughput['rss_mib'].items():
        print(f"RSS after {mark} readings (MiB): " + ', '.join(
            f"{name} {value:.0f}" for name, value in values.items()))

    read = results['reader']
    print(f"read {read['rows']} rows in {read['reader_seconds']:.2f} s, "
          f"pandas.read_csv {read['pandas_seconds']:.2f} s, ratio "
          f"{read['reader_seconds'] / read['pandas_seconds']:.1f}")


if __name__ == '__main__':
    sys.exit(main())
