"""Point the test process's Celery producer at a real broker (or a dead one) for a while.

Tests run tasks eagerly by default; these helpers turn that off and make sure the producer
pool is rebuilt for the new broker URL (Celery caches it on first use).
"""

from contextlib import contextmanager

from kombu import pools

from cabinet.celery import app


def _reset_pool() -> None:
    app._pool = None
    app.amqp._producer_pool = None
    pools.reset()


@contextmanager
def real_broker(url: str):
    previous = (app.conf.task_always_eager, app.conf.broker_url)
    app.conf.task_always_eager = False
    app.conf.broker_url = url
    _reset_pool()
    try:
        yield app
    finally:
        app.conf.task_always_eager, app.conf.broker_url = previous
        _reset_pool()


DEAD_BROKER_URL = "redis://127.0.0.1:6399/0"  # nothing listens there
