"""The bounded update queue: a flood waits at Telegram, not in the bot's memory."""

from __future__ import annotations

import asyncio

import pytest

from bot.telegram.backlog import BoundedUpdateQueue


async def taken_within(queue: BoundedUpdateQueue, seconds: float = 0.05) -> object | None:
    try:
        return await asyncio.wait_for(queue.get(), seconds)
    except TimeoutError:
        return None


async def test_get_waits_while_limit_updates_are_unfinished() -> None:
    queue = BoundedUpdateQueue(limit=2, maxsize=10)
    for update in range(4):
        queue.put_nowait(update)
    assert [await queue.get(), await queue.get()] == [0, 1]
    assert await taken_within(queue) is None
    queue.task_done()
    assert await taken_within(queue) == 2


async def test_a_cancelled_get_gives_its_place_back() -> None:
    queue = BoundedUpdateQueue(limit=1, maxsize=10)
    assert await taken_within(queue) is None  # empty: the get is cancelled by the timeout
    queue.put_nowait("update")
    assert await taken_within(queue) == "update"


async def test_the_poller_waits_when_the_queue_is_full() -> None:
    queue = BoundedUpdateQueue(limit=1, maxsize=2)
    await queue.put(1)
    await queue.put(2)
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(queue.put(3), 0.05)


async def test_task_done_for_updates_dropped_at_shutdown_does_not_raise() -> None:
    queue = BoundedUpdateQueue(limit=1, maxsize=2)
    queue.put_nowait("a")
    queue.put_nowait("b")
    for _ in range(2):  # what Application does with what is left after its stop signal
        queue.get_nowait()
        queue.task_done()


def test_limit_must_be_positive() -> None:
    with pytest.raises(ValueError):
        BoundedUpdateQueue(limit=0, maxsize=1)
