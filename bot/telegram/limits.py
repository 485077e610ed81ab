"""How much the bot does at once: sends a second, concurrent updates, connections, threads.

Plain constants with no imports, so the benchmark's echo bot can use the same HTTP settings
without loading the bot.
"""

from __future__ import annotations

#: How often a send that Telegram answered with 429 (flood control) is retried after retry_after.
RATE_LIMIT_RETRIES = 3
#: Outgoing messages a second. Telegram allows about 30; pacing one send every 1/28 s (a bucket of
#: one) instead of bursts of 30 keeps every one-second window under the cap, so 429s are rare.
SENDS_PER_SECOND = 28
#: Updates handled at once. Matching is CPU work under the GIL, so more only adds waiting tasks;
#: 16 keep 28 sends a second flowing even at a 300 ms round trip to Telegram.
CONCURRENT_UPDATES = 16
#: Updates held in memory at most (being handled or waiting for one of the CONCURRENT_UPDATES
#: slots); more wait at Telegram (see bot.telegram.backlog). Four times the concurrency keeps
#: every slot busy.
MAX_HELD_UPDATES = 64
#: Updates the poller may queue before it stops fetching: one getUpdates answer holds up to 100.
UPDATE_QUEUE_SIZE = 100
#: HTTP connections for sends (``bot/telegram/transport.py``). 8 connections carry ~80 sends a
#: second even at a 100 ms round trip, well over Telegram's 30.
CONNECTION_POOL_SIZE = 8
#: Seconds a send may wait for a free connection before failing (PTB's default is 1).
POOL_TIMEOUT = 30.0
#: Worker threads for matching and FAQ loads (see ``post_init``).
WORKER_THREADS = 2
