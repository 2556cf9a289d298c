"""Requests to the AIMM server through events, each with a timeout"""

import asyncio
import itertools
import logging
import typing
import uuid

from hat import json
import hat.event.common

from air_supervision import common


mlog: logging.Logger = logging.getLogger(__name__)

RegisterCb: typing.TypeAlias = typing.Callable[
    [list[hat.event.common.RegisterEvent]], typing.Awaitable[None]]


class AimmError(Exception):
    """AIMM request that failed, was cancelled or timed out"""


class AimmTimeoutError(AimmError):
    """AIMM request without a final state in time"""


class AimmClient:
    """Sends AIMM requests and matches the ``aimm/action`` events to them.

    Each request carries a fresh ``request_id``; final states of requests
    that are no longer awaited (timed out, or from an earlier AIMM server)
    are ignored.

    """

    def __init__(self, register_cb: RegisterCb, family: str):
        self._register_cb = register_cb
        self._prefix = f'{family}-{uuid.uuid4().hex[:8]}'
        self._counter = itertools.count(1)
        self._futures: dict[str, asyncio.Future] = {}

    def process_action(self, data: json.Data) -> bool:
        """Resolve the request that an ``aimm/action`` payload reports on.

        Returns whether the payload belonged to a pending request.

        """
        if not isinstance(data, dict):
            return False

        future = self._futures.get(data.get('request_id'))
        if future is None or future.done():
            return False

        status = data.get('status')
        if status == 'DONE':
            future.set_result(data.get('result'))

        elif status in ('FAILED', 'CANCELLED'):
            result = data.get('result')
            error = (result.get('error') if isinstance(result, dict)
                     else None)
            future.set_exception(AimmError(
                f"{status.lower()}: {error}" if error else status.lower()))

        return True

    def cancel_all(self, reason: str):
        """Fail every pending request with `reason`"""
        for future in self._futures.values():
            if not future.done():
                future.set_exception(AimmError(reason))

    async def create_instance(self, model_type: str,
                              hyperparameters: dict[str, json.Data],
                              timeout: float) -> int:
        result = await self._request(
            ('aimm', 'create_instance'),
            {'model_type': model_type, 'args': [],
             'kwargs': hyperparameters},
            timeout)
        if not isinstance(result, int):
            raise AimmError(f"invalid instance id {result!r}")

        return result

    async def fit(self, instance_id: int, rows: list[list[float]],
                  timeout: float):
        await self._request(('aimm', 'fit', str(instance_id)),
                            {'args': [rows], 'kwargs': {}},
                            timeout)

    async def predict(self, instance_id: int, rows: list[json.Data],
                      timeout: float) -> json.Data:
        return await self._request(('aimm', 'predict', str(instance_id)),
                                   {'args': [rows], 'kwargs': {}},
                                   timeout)

    async def _request(self, event_type: hat.event.common.EventType,
                       data: dict[str, json.Data],
                       timeout: float) -> json.Data:
        request_id = f'{self._prefix}-{next(self._counter)}'
        future = asyncio.get_running_loop().create_future()
        self._futures[request_id] = future
        try:
            await self._register_cb([common.json_event(
                event_type, {**data, 'request_id': request_id})])
            return await asyncio.wait_for(future, timeout)

        except asyncio.TimeoutError:
            raise AimmTimeoutError(
                f"{event_type[1]} request {request_id} timed out after "
                f"{timeout} s") from None

        finally:
            del self._futures[request_id]
