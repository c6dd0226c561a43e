"""Counts that every page shows (the navigation's badges), cached without ever being stale.

The data has a generation number, kept in the cache (Redis in production, shared by every
worker). Every statement that writes to the database through Django's connections, whatever
writes it (a model's ``save``, ``QuerySet.update``, ``bulk_create``, raw SQL on a cursor,
guardian's grants, a migration), moves the generation on once it is committed: at once in
autocommit, after the commit of its transaction otherwise. A count is cached under the
person, the generation, the day and the language: a write anywhere makes every cached count
unreachable.

After the commit, not before: a page that read the generation before the commit may have
counted from the data as it was and stored its count under that generation; the move after
the commit leaves that entry behind. Until then, the transaction that wrote (a test, a long
service, a request that writes then shows its page) reads its counts under a generation of
its own (the shared one, this process and its count of writes), so it never reads a count
from before its own writes, and nobody else reads a count that includes writes not yet
committed. Nothing is sent to the cache while the transaction holds its locks (the
register's counter among them: docs/performance.md).

Writes that no count depends on do not move the generation: the session table, the
consultation log (written on every detail page) and the login-attempt log. Writes made
outside Django (``psql``, ``COPY`` on a raw connection) must call ``bump()``: ``seed_volume``
does. If the cache is unreachable, counts are computed each time and nothing is stored.

Only with a cache that every process shares (``CABINET_CACHE_ACROSS_REQUESTS``: on with
``REDIS_URL``, or on the single-process development server): web workers each with their own
memory would not see each other's generation. ``check --deploy`` warns when it is off.
"""

from __future__ import annotations

import logging
import os
import re
import time
from collections.abc import Callable

from django.conf import settings
from django.core import checks
from django.core.cache import cache
from django.db import connection, connections
from django.db.backends.signals import connection_created
from django.utils import timezone

log = logging.getLogger(__name__)

TIMEOUT = 600  # seconds: memory hygiene only; correctness comes from the generation
IGNORED_TABLES = frozenset(
    {
        "django_session",
        "correspondence_mailconsultation",
        "axes_accessattempt",
        "axes_accessfailurelog",
        "axes_accesslog",
        "axes_accessattemptexpiration",
    }
)
_READS = ("SELECT", "BEGIN", "SAVEPOINT", "RELEASE", "ROLLBACK", "SET ", "SHOW", "DECLARE", "FETCH", "CLOSE", "EXPLAIN")
_TARGET = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?([\w.]+)"?', re.IGNORECASE)


def _namespace() -> str:
    """Keys are per database (server and name): two deployments, or test workers, sharing a
    Redis keep apart."""
    db = connection.settings_dict
    return f"cabinet:{db.get('HOST') or ''}:{db.get('PORT') or ''}/{db['NAME']}"


def _key() -> str:
    return f"{_namespace()}:data-generation"


def writes_data(sql: str) -> bool:
    """Whether a statement may change what a count reads. Anything that is not a plain read
    counts as a write, but for the tables listed in ``IGNORED_TABLES``."""
    head = sql.lstrip()[:10].upper()
    if head.startswith(_READS):
        return False
    target = _TARGET.match(sql)
    return not (target and target[1] in IGNORED_TABLES)


def _origin() -> int:
    """Where a generation (re)starts: the time in microseconds. A generation lost (Redis
    restarted or evicted it) restarts above every value it had, so no count stored under an
    old value can be read again."""
    return time.time_ns() // 1000


def bump() -> None:
    try:
        key = _key()
        if cache.add(key, _origin(), timeout=None):
            return
        cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.add(key, _origin(), timeout=None)
    except Exception:  # the cache is down: nothing can be served from it either
        log.warning("Cache injoignable : génération des données non avancée", exc_info=True)


# Writes seen by this process: a generation remembered during a request is read again after
# any of them.
_local_writes = 0


def _uncommitted(conn) -> bool:
    """Whether ``conn``'s transaction has written and not committed yet: its bump is waiting
    for the commit (Django drops it with a rollback, or with the savepoint that wrote)."""
    return conn.in_atomic_block and any(entry[1] is bump for entry in conn.run_on_commit)


def _watch(execute, sql, params, many, context):
    global _local_writes
    result = execute(sql, params, many, context)
    if isinstance(sql, str) and writes_data(sql):
        _local_writes += 1
        written = context["connection"]
        if not written.in_atomic_block:
            bump()  # autocommit: already committed
        elif not _uncommitted(written):
            written.on_commit(bump)  # once per transaction: the commit is what matters
    return result


def watch_connection(sender, connection, **kwargs) -> None:
    if _watch not in connection.execute_wrappers:
        connection.execute_wrappers.append(_watch)


def install() -> None:
    """Watch every connection, the ones already open included (called from AppConfig.ready)."""
    connection_created.connect(watch_connection, dispatch_uid="cabinet.freshness")
    for opened in connections.all(initialized_only=True):
        watch_connection(None, opened)


def generation() -> int | None:
    try:
        key = _key()
        value = cache.get(key)
        if value is None:
            cache.add(key, _origin(), timeout=None)
            value = cache.get(key)
        return value
    except Exception:
        log.warning("Cache injoignable : compteurs calculés sans cache", exc_info=True)
        return None


# What is cached per person. All of them are read in one round trip, at the first one asked.
NAMES = (
    "positions",
    "permissions",
    "administrator",
    "a-traiter",
    "parapheur",
    "directives",
    "notifications",
    "filter-kind",
    "filter-assignee",
    "dashboard-register",
)
_MISSING = object()


def _person_entries(user) -> dict | None:
    """The person's cached entries for this request: read once (the generation, then every
    name in one ``get_many``), and again if this process has written anything since. Kept on
    the user object, which lives for one request."""
    state = getattr(user, "_cabinet_cached", None)
    if state is not None and state["writes"] == _local_writes:
        return state
    current = generation()
    if current is None:
        return None
    if _uncommitted(connection):
        # This transaction's own view: its writes, not yet anybody else's (see the top).
        current = f"{current}.{os.getpid()}.{_local_writes}"
    prefix = f"{_namespace()}:person:{user.pk}:{current}:{timezone.localdate():%Y%m%d}:"
    try:
        found = cache.get_many([prefix + name for name in NAMES])
    except Exception:
        log.warning("Cache injoignable : compteurs calculés sans cache", exc_info=True)
        return None
    state = {
        "writes": _local_writes,
        "prefix": prefix,
        "values": {key.removeprefix(prefix): value for key, value in found.items()},
    }
    user._cabinet_cached = state
    return state


def per_person(user, name: str, compute: Callable[[], object]):
    """``compute()`` for ``user``, cached under the data generation and the day (Lomé)."""
    if name not in NAMES:
        raise ValueError(name)
    if not settings.CABINET_CACHE_ACROSS_REQUESTS:
        return compute()
    state = _person_entries(user)
    if state is None:
        return compute()
    value = state["values"].get(name, _MISSING)
    if value is _MISSING:
        value = compute()
        state["values"][name] = value
        try:
            cache.set(state["prefix"] + name, value, TIMEOUT)
        except Exception:
            log.warning("Cache injoignable : compteur non conservé", exc_info=True)
    return value


@checks.register(checks.Tags.caches, deploy=True)
def check_shared_cache(app_configs, **kwargs):
    if settings.CABINET_CACHE_ACROSS_REQUESTS:
        return []
    return [
        checks.Warning(
            "Sans REDIS_URL, les droits et compteurs de chaque personne sont recalculés à chaque page.",
            hint="Définir REDIS_URL (cache partagé par tous les processus), comme en production.",
            id="cabinet.W001",
        )
    ]
