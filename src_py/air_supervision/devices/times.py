"""Time parsing and time zone conversion of readings files

Times are numpy ``datetime64[us]`` arrays with one element per data line,
and NaT where a line has no valid time.

"""

import datetime
import zoneinfo

import numpy as np
import pandas as pd


min_time: np.datetime64 = np.datetime64(np.iinfo(np.int64).min + 1, 'us')
"""Time earlier than every valid time, in place of NaT in maximums"""


def parse_times(texts: list[str],
                time_format: str | None
                ) -> tuple[np.ndarray, np.ndarray]:
    """Parse time texts with a strptime format, or as ISO 8601 for
    ``None``. Return the times, NaT where a text does not match, and a
    mask of the times that had a UTC offset and so are UTC already."""
    if time_format is None:
        return _parse_iso_times(texts)

    return _parse_formatted_times(texts, time_format)


def localize(naive: np.ndarray,
             aware: np.ndarray,
             zone: zoneinfo.ZoneInfo
             ) -> tuple[np.ndarray, np.ndarray,
                        list[tuple[int, np.datetime64, np.datetime64]]]:
    """Convert the local times in `zone` to UTC, except those in `aware`,
    which are UTC already.

    Returns:
        A tuple of three. First the UTC times, with NaT for invalid,
        non-existent and ambiguous local times. Then the indices of the
        non-existent local times. Last the ambiguous local times, each as
        its index and its earlier and later UTC time.

    """
    utc = naive.copy()
    local = ~aware & ~np.isnat(naive)
    if zone.key == 'UTC' or not local.any():
        return utc, np.array([], dtype=int), []

    localized = (pd.DatetimeIndex(naive[local])
                 .tz_localize(zone, ambiguous='NaT', nonexistent='NaT')
                 .tz_convert(None))
    utc[local] = localized.to_numpy(dtype='datetime64[us]')

    nonexistent = []
    ambiguous = []
    for row in np.flatnonzero(local & np.isnat(utc)):
        t = naive[row].astype(datetime.datetime)
        earlier = t.replace(tzinfo=zone, fold=0)
        later = t.replace(tzinfo=zone, fold=1)
        round_trip = earlier.astimezone(datetime.timezone.utc).astimezone(
            zone)
        if round_trip.replace(tzinfo=None) != t:
            nonexistent.append(row)

        else:
            ambiguous.append((row, _to_utc(earlier), _to_utc(later)))

    return utc, np.array(nonexistent, dtype=int), ambiguous


def resolve_ambiguous(utc: np.ndarray,
                      candidates: np.ndarray,
                      ambiguous: list[tuple[int, np.datetime64,
                                            np.datetime64]]
                      ) -> list[tuple[int, np.datetime64]]:
    """Choose the earlier UTC time of each ambiguous local time in
    `candidates`, or the later one if the earlier one is not after every
    previous candidate, so a repeated hour of a DST change reads in order.
    Write the chosen times into `utc` and return them with their index."""
    if not ambiguous:
        return []

    known = np.where(candidates & ~np.isnat(utc), utc, min_time)
    prefix_max = np.maximum.accumulate(known)
    resolved_max = min_time

    chosen_times = []
    for row, earlier, later in ambiguous:
        if not candidates[row]:
            continue

        previous = max(prefix_max[row], resolved_max)
        chosen = earlier if earlier > previous else later
        utc[row] = chosen
        resolved_max = max(resolved_max, chosen)
        chosen_times.append((row, chosen))

    return chosen_times


def to_datetime(t: np.datetime64) -> datetime.datetime:
    """Convert a UTC time to an aware datetime"""
    return t.astype(datetime.datetime).replace(tzinfo=datetime.timezone.utc)


def _parse_iso_times(texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    naive = np.full(len(texts), np.datetime64('NaT'), dtype='datetime64[us]')
    aware = np.zeros(len(texts), dtype=bool)
    for row, text in enumerate(texts):
        try:
            t = datetime.datetime.fromisoformat(text)

        except ValueError:
            continue

        if t.tzinfo is not None:
            aware[row] = True
            t = t.astimezone(datetime.timezone.utc).replace(tzinfo=None)

        naive[row] = np.datetime64(t, 'us')

    return naive, aware


def _parse_formatted_times(texts: list[str], time_format: str
                           ) -> tuple[np.ndarray, np.ndarray]:
    with_offset = '%z' in time_format
    times = pd.to_datetime(pd.Series(texts, dtype=object),
                           format=time_format, errors='coerce',
                           utc=with_offset)
    if with_offset:
        times = times.dt.tz_localize(None)

    naive = times.to_numpy(dtype='datetime64[us]')
    aware = np.full(len(texts), with_offset, dtype=bool)
    return naive, aware


def _to_utc(t: datetime.datetime) -> np.datetime64:
    t = t.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    return np.datetime64(t, 'us')
