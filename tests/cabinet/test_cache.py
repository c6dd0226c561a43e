"""cabinet.cache: Django's Redis cache with one redis-py client reused per pool."""

import os
import subprocess
import sys
import threading

import pytest
from django.conf import settings
from django.core.cache.backends.redis import RedisCache

from cabinet.cache import CabinetRedisCache

pytestmark = pytest.mark.redis


@pytest.fixture
def redis_cache():
    cache = CabinetRedisCache(settings.REDIS_URL, {"KEY_PREFIX": "test-cabinet-cache"})
    yield cache
    cache.delete_many(["shared", "counter", *[f"k{n}" for n in range(8)]])


def test_every_call_reuses_one_client_per_pool(redis_cache):
    redis_cache.set("shared", {"droits": [1, 2]}, 30)
    first = redis_cache._cache.get_client(write=True)
    assert redis_cache._cache.get_client() is first
    assert redis_cache._cache.get_client(write=True) is first
    # Django's own builds a new one on each call, filling its callbacks each time: what is saved.
    stock = RedisCache(settings.REDIS_URL, {})
    assert stock._cache.get_client() is not stock._cache.get_client()
    assert redis_cache.get("shared") == {"droits": [1, 2]}
    assert redis_cache.get_many(["shared", "absent"]) == {"shared": {"droits": [1, 2]}}


def test_the_shared_client_serves_threads_at_once(redis_cache):
    redis_cache.set("counter", 0, 30)
    errors = []

    def work(n):
        try:
            for _ in range(100):
                redis_cache.incr("counter")
            redis_cache.set(f"k{n}", n, 30)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert redis_cache.get("counter") == 800
    assert redis_cache.get_many([f"k{n}" for n in range(8)]) == {f"k{n}": n for n in range(8)}


def test_production_settings_use_it():
    """With REDIS_URL set, the production settings name this backend."""
    env = {**os.environ, "REDIS_URL": settings.REDIS_URL, "SECRET_KEY": "x", "DEBUG": "0"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    code = "import cabinet.settings as s; print(s.CACHES['default']['BACKEND'])"
    printed = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert printed.stdout.strip() == "cabinet.cache.CabinetRedisCache"
