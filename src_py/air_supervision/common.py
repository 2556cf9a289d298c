"""Event types, time conversion and configuration schemas shared by all
components"""

import datetime
import importlib.resources
import typing

from hat import json
import hat.event.common


with importlib.resources.as_file(importlib.resources.files(__package__) /
                                 'schemas_json') as _path:
    json_schema_repo: json.SchemaRepository = json.merge_schema_repositories(
        json.json_schema_repo,
        hat.event.common.json_schema_repo,
        json.create_schema_repository(_path))
    """JSON schema repository of hat-json, hat-event and this package"""

json_schema_validator: json.SchemaValidator = json.DefaultSchemaValidator(
    json_schema_repo)

reading_type: hat.event.common.EventType = (
    'gui', 'system', 'timeseries', 'reading')
"""Event type of one sensor reading"""

families: tuple[str, ...] = ('anomaly', 'forecast')
"""Model families, each served by its own event server module"""

time_format: str = '%Y-%m-%d %H:%M:%S'
"""Format of reading times in event payloads, always UTC"""


def result_type(family: str) -> hat.event.common.EventType:
    """Event type of a model result of `family`"""
    return 'gui', 'system', 'timeseries', family


def log_type(family: str, kind: str) -> hat.event.common.EventType:
    """Event type of the view state `kind` of `family`"""
    return 'gui', 'log', family, kind


def action_type(family: str, action: str) -> hat.event.common.EventType:
    """Event type of a user action on `family`"""
    return 'back_action', family, action


class ConfError(ValueError):
    """Configuration that does not match its schema"""


def validate_conf(schema_id: str, conf: json.Data):
    """Validate `conf` against the schema `schema_id`.

    Raises:
        ConfError: with the path of the invalid field and the reason

    """
    try:
        json_schema_validator.validate(schema_id, conf)

    except Exception as e:
        # jsonschema_rs errors have instance_path, jsonschema errors path
        path = getattr(e, 'instance_path', None) or getattr(e, 'path', None)
        message = getattr(e, 'message', None) or str(e)
        place = '/'.join(str(i) for i in path) if path else 'the top level'
        raise ConfError(f"invalid configuration ({schema_id}) at {place}: "
                        f"{message}") from None


def time_to_str(t: datetime.datetime) -> str:
    """Format a UTC time as a reading time"""
    return t.astimezone(datetime.timezone.utc).strftime(time_format)


def time_from_str(value: str) -> datetime.datetime:
    """Parse a reading time (UTC)"""
    t = datetime.datetime.strptime(value, time_format)
    return t.replace(tzinfo=datetime.timezone.utc)


def timestamp_from_str(value: str) -> hat.event.common.Timestamp:
    """Convert a reading time to an event timestamp"""
    return hat.event.common.timestamp_from_datetime(time_from_str(value))


def timestamp_to_str(timestamp: hat.event.common.Timestamp) -> str:
    """Convert an event timestamp to a reading time"""
    return time_to_str(hat.event.common.timestamp_to_datetime(timestamp))


def json_event(event_type: hat.event.common.EventType,
               data: json.Data,
               source_timestamp: hat.event.common.Timestamp | None = None
               ) -> hat.event.common.RegisterEvent:
    """Create a register event with a JSON payload"""
    return hat.event.common.RegisterEvent(
        type=event_type,
        source_timestamp=source_timestamp,
        payload=hat.event.common.EventPayloadJson(data))


def event_data(event: hat.event.common.Event) -> json.Data:
    """JSON payload of `event`, or ``None`` for a missing or binary one"""
    if not isinstance(event.payload, hat.event.common.EventPayloadJson):
        return None

    return event.payload.data


class Reading(typing.NamedTuple):
    """One sensor reading"""
    time: datetime.datetime
    """UTC time of the reading"""
    value: float
