import asyncio

import pytest

import hat.event.common

from air_supervision.modules.controller.aimm_client import (AimmClient,
                                                            AimmError,
                                                            AimmTimeoutError)
from air_supervision.modules.controller.common import (FitLock,
                                                       ModelState,
                                                       ReadingsHandler,
                                                       TimedReading)


def _reading(hour, value=1.0):
    return TimedReading(hat.event.common.Timestamp(s=hour * 3600, us=0),
                        value)


def test_fit_lock_initial():
    lock = FitLock()
    assert lock.model is None
    assert lock.state == ModelState.NOT_DEFINED
    assert not lock.can_predict


def test_fit_lock_create_then_fit():
    lock = FitLock()
    lock.start('Forest', ModelState.CREATING, 'create-1')
    assert lock.confirm('create-1', 'DONE')
    assert lock.state == ModelState.CREATING
    assert not lock.can_predict

    lock.start('Forest', ModelState.FITTING, 'fit-1')
    assert not lock.can_predict
    assert lock.confirm('fit-1', 'DONE')
    assert lock.state == ModelState.FITTED
    assert lock.can_predict


def test_fit_lock_late_confirmation_ignored():
    lock = FitLock()
    lock.start('Forest', ModelState.FITTING, 'fit-1')
    lock.start('SVM', ModelState.FITTING, 'fit-2')
    assert not lock.confirm('fit-1', 'DONE')
    assert lock.model == 'SVM'
    assert lock.state == ModelState.FITTING

    assert lock.confirm('fit-2', 'DONE')
    assert not lock.confirm('fit-2', 'FAILED')
    assert lock.state == ModelState.FITTED


def test_fit_lock_out_of_order_confirmation_ignored():
    lock = FitLock()
    lock.start('Forest', ModelState.CREATING, 'create-1')
    assert not lock.confirm('fit-1', 'DONE')
    assert lock.state == ModelState.CREATING
    assert not lock.confirm(None, 'DONE')


@pytest.mark.parametrize('status, error, expected', [
    ('FAILED', 'boom', 'boom'),
    ('FAILED', None, 'failed'),
    ('CANCELLED', None, 'cancelled')])
def test_fit_lock_failed(status, error, expected):
    lock = FitLock()
    lock.start('SVM', ModelState.FITTING, 'fit-1')
    assert lock.confirm('fit-1', status, error)
    assert lock.state == ModelState.FAILED
    assert lock.error == expected
    assert not lock.can_predict

    lock.start('SVM', ModelState.CREATING, 'create-2')
    assert lock.error is None
    assert lock.state == ModelState.CREATING


def test_fit_lock_unavailable_drops_request():
    lock = FitLock()
    lock.start('Forest', ModelState.FITTING, 'fit-1')
    lock.set_unavailable('AIMM server disconnected')
    assert lock.state == ModelState.UNAVAILABLE
    assert lock.error == 'AIMM server disconnected'
    assert not lock.confirm('fit-1', 'DONE')
    assert lock.state == ModelState.UNAVAILABLE


def test_fit_lock_switch_back():
    lock = FitLock()
    lock.start('Forest', ModelState.FITTING, 'fit-1')
    lock.set_fitted('SVM')
    assert lock.model == 'SVM'
    assert lock.can_predict
    assert not lock.confirm('fit-1', 'DONE')


def test_fit_lock_invalid_start():
    lock = FitLock()
    with pytest.raises(ValueError):
        lock.start('Forest', ModelState.FITTED, 'fit-1')


def test_readings_handler_add_in_order():
    handler = ReadingsHandler(context_size=3)
    assert handler.add(_reading(1))
    assert handler.add(_reading(2))
    assert not handler.add(_reading(2))
    assert not handler.add(_reading(1))
    assert handler.pending_count == 2


def test_readings_handler_batch_and_done():
    handler = ReadingsHandler(context_size=2)
    for hour in range(1, 6):
        handler.add(_reading(hour))

    batch = handler.batch(3)
    assert [i.timestamp.s // 3600 for i in batch] == [1, 2, 3]
    assert handler.pending_count == 5

    handler.mark_done(batch)
    assert handler.pending_count == 2
    assert handler.done_until == batch[-1].timestamp
    assert [i.timestamp.s // 3600 for i in handler.context] == [2, 3]
    assert not handler.add(_reading(3))


def test_readings_handler_windows():
    handler = ReadingsHandler(context_size=3)
    handler.mark_done([_reading(1), _reading(2), _reading(3)])
    for hour in (4, 5):
        handler.add(_reading(hour))

    windows = handler.windows(handler.batch(2), 3)
    assert [[i.timestamp.s // 3600 for i in w] for w in windows] == [
        [2, 3, 4], [3, 4, 5]]


def test_readings_handler_fit_marks_done():
    handler = ReadingsHandler(context_size=2)
    for hour in range(1, 5):
        handler.add(_reading(hour))

    handler.mark_done([_reading(1), _reading(2), _reading(3)])
    assert [i.timestamp.s // 3600 for i in handler.batch(10)] == [4]


def test_readings_handler_backlog():
    handler = ReadingsHandler(context_size=1, max_pending=3)
    for hour in range(1, 5):
        handler.add(_reading(hour))

    assert handler.backlog
    assert handler.pending_count == 0
    assert handler.add(_reading(5))
    assert handler.pending_count == 0

    handler.set_pending([_reading(1), _reading(2)], more_follow=True)
    assert handler.backlog
    assert handler.pending_count == 2

    handler.mark_done([_reading(1)])
    handler.set_pending([_reading(1), _reading(2), _reading(3)],
                        more_follow=False)
    assert not handler.backlog
    assert [i.timestamp.s // 3600 for i in handler.batch(10)] == [2, 3]


async def test_aimm_client_done():
    sent = []

    async def register(events):
        sent.extend(events)

    client = AimmClient(register, 'anomaly')
    task = asyncio.create_task(client.create_instance('m.Model', {}, 5))
    await asyncio.sleep(0)
    request_id = sent[0].payload.data['request_id']
    assert sent[0].type == ('aimm', 'create_instance')

    assert not client.process_action({'request_id': 'other',
                                      'status': 'DONE', 'result': 7})
    assert client.process_action({'request_id': request_id,
                                  'status': 'IN_PROGRESS'})
    await asyncio.sleep(0)
    assert not task.done()
    assert client.process_action({'request_id': request_id,
                                  'status': 'DONE', 'result': 3})
    assert await task == 3


async def test_aimm_client_failed():
    sent = []

    async def register(events):
        sent.extend(events)

    client = AimmClient(register, 'anomaly')
    task = asyncio.create_task(client.fit(1, [[0, 1]], 5))
    await asyncio.sleep(0)
    request_id = sent[0].payload.data['request_id']
    assert sent[0].type == ('aimm', 'fit', '1')
    client.process_action({'request_id': request_id, 'status': 'FAILED',
                           'result': {'error': 'bad rows'}})
    with pytest.raises(AimmError, match='bad rows'):
        await task


async def test_aimm_client_timeout_then_late_done():
    sent = []

    async def register(events):
        sent.extend(events)

    client = AimmClient(register, 'forecast')
    with pytest.raises(AimmTimeoutError, match='predict'):
        await client.predict(2, [[0, 1]], 0.05)

    request_id = sent[0].payload.data['request_id']
    assert not client.process_action({'request_id': request_id,
                                      'status': 'DONE', 'result': []})


async def test_aimm_client_cancel_all():
    async def register(events):
        pass

    client = AimmClient(register, 'anomaly')
    task = asyncio.create_task(client.predict(1, [], 5))
    await asyncio.sleep(0)
    client.cancel_all('AIMM server disconnected')
    with pytest.raises(AimmError, match='disconnected'):
        await task


def test_readings_handler_done_count():
    handler = ReadingsHandler(context_size=2)
    handler.mark_done([_reading(1), _reading(2)])
    assert handler.done_count == 2

    handler.mark_done([_reading(2)])
    assert handler.done_count == 2

    handler.add(_reading(3))
    handler.add(_reading(4))
    handler.mark_done(handler.batch(1))
    assert handler.done_count == 3
