"""Django's Redis cache, keeping one ``redis.Redis`` client per connection pool.

Django's ``RedisCacheClient.get_client`` builds a new ``redis.Redis`` for every cache call;
with redis-py 5+ each one fills its table of about 170 response callbacks first, which cost
more than the round trip to Redis itself on a page that reads its person's rights and counts
(``cabinet.freshness``). A ``redis.Redis`` bound to a pool holds no connection of its own and
is safe to share between threads, and the pool resets itself after a fork (Celery, Gunicorn),
so one client per pool is kept and reused."""

from __future__ import annotations

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class ReusedRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class CabinetRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusedRedisCacheClient
