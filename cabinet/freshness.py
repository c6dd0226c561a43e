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

Two generations, in fact. Who a person is (today's positions, model permissions, the
administrators' group) changes with mandates, groups and permissions, a few times a year;
the counts change with every letter. So the first is cached under a rights generation that
writes to the register, the audiences, the delegations and the notices (``DATA_ONLY``) leave
alone: after a letter is registered, a page reads the person's rights from the cache and
recomputes only the counts. Every other write (a mandate, a group, a user, raw SQL whose table
cannot be read, ``TRUNCATE``, a migration) moves both.

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
# Tables whose writes leave every person's rights as they were (positions, permissions,
# groups): a write elsewhere, or one whose table cannot be read, moves the rights too.
DATA_ONLY = re.compile(r"(correspondence|audiences|delegations)_\w+|cabinet_notification")
_READS = ("SELECT", "BEGIN", "SAVEPOINT", "RELEASE", "ROLLBACK", "SET ", "SHOW", "DECLARE", "FETCH", "CLOSE", "EXPLAIN")
_TARGET = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?([\w.]+)"?', re.IGNORECASE)


def _namespace() -> str:
    """Keys are per database (server and name): two deployments, or test workers, sharing a
    Redis keep apart."""
    db = connection.settings_dict
    return f"cabinet:{db.get('HOST') or ''}:{db.get('PORT') or ''}/{db['NAME']}"


def _key(kind: str = "data") -> str:
    return f"{_namespace()}:{kind}-generation"


def writes_data(sql: str) -> bool:
    """Whether a statement may change what a count reads. Anything that is not a plain read
    counts as a write, but for the tables listed in ``IGNORED_TABLES``."""
    head = sql.lstrip()[:10].upper()
    if head.startswith(_READS):
        return False
    target = _TARGET.match(sql)
    return not (target and target[1] in IGNORED_TABLES)


def touches_rights(sql: str) -> bool:
    """Whether a write may change someone's positions, permissions or groups: anything but
    a plain INSERT, UPDATE or DELETE on a table of ``DATA_ONLY``."""
    target = _TARGET.match(sql)
    return not (target and DATA_ONLY.fullmatch(target[1]))


def _origin() -> int:
    """Where a generation (re)starts: the time in microseconds. A generation lost (Redis
    restarted or evicted it) restarts above every value it had, so no count stored under an
    old value can be read again."""
    return time.time_ns() // 1000


def _move(key: str) -> None:
    try:
        if cache.add(key, _origin(), timeout=None):
            return
        cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.add(key, _origin(), timeout=None)
    except Exception:  # the cache is down: nothing can be served from it either
        log.warning("Cache injoignable : génération des données non avancée", exc_info=True)


def bump() -> None:
    """Move both generations: after writes that may touch anything (and outside Django)."""
    _move(_key())
    _move(_key("rights"))


def bump_data() -> None:
    """Move the data generation only: after writes to ``DATA_ONLY`` tables."""
    _move(_key())


# Writes seen by this process: a generation remembered during a request is read again after
# any of them.
_local_writes = 0


def _waiting(conn) -> set:
    """The moves ``conn``'s transaction will make at its commit (Django drops them with a
    rollback, or with the savepoint that wrote)."""
    if not conn.in_atomic_block:
        return set()
    return {entry[1] for entry in conn.run_on_commit if entry[1] in (bump, bump_data)}


def _uncommitted(conn) -> bool:
    """Whether ``conn``'s transaction has written and not committed yet."""
    return bool(_waiting(conn))


def _watch(execute, sql, params, many, context):
    global _local_writes
    result = execute(sql, params, many, context)
    if isinstance(sql, str) and writes_data(sql):
        _local_writes += 1
        move = bump if touches_rights(sql) else bump_data
        written = context["connection"]
        if not written.in_atomic_block:
            move()  # autocommit: already committed
        elif not ({move, bump} & _waiting(written)):
            written.on_commit(move)  # once per transaction: the commit is what matters
    return result


def watch_connection(sender, connection, **kwargs) -> None:
    if _watch not in connection.execute_wrappers:
        connection.execute_wrappers.append(_watch)


def install() -> None:
    """Watch every connection, the ones already open included (called from AppConfig.ready)."""
    connection_created.connect(watch_connection, dispatch_uid="cabinet.freshness")
    for opened in connections.all(initialized_only=True):
        watch_connection(None, opened)


def generations() -> tuple[int, int] | None:
    """The data and rights generations, in one round trip (two the first time)."""
    try:
        keys = [_key(), _key("rights")]
        found = cache.get_many(keys)
        if len(found) < 2:
            for key in keys:
                if key not in found:
                    cache.add(key, _origin(), timeout=None)
            found = cache.get_many(keys)
        return found[keys[0]], found[keys[1]]
    except Exception:
        log.warning("Cache injoignable : compteurs calculés sans cache", exc_info=True)
        return None


def generation() -> int | None:
    """The data generation."""
    both = generations()
    return both[0] if both else None


# What is cached per person. All of them are read in one round trip, at the first one asked.
RIGHTS_NAMES = ("positions", "permissions", "administrator")  # under the rights generation
NAMES = (
    *RIGHTS_NAMES,
    "a-traiter",
    "parapheur",
    "directives",
    "notifications",
    "filter-kind",
    "filter-assignee",
    "dashboard-register",
    "mail-opened",
)
_MISSING = object()


def _person_entries(user) -> dict | None:
    """The person's cached entries for this request: read once (the generation, then every
    name in one ``get_many``), and again if this process has written anything since. Kept on
    the user object, which lives for one request."""
    state = getattr(user, "_cabinet_cached", None)
    if state is not None and state["writes"] == _local_writes:
        return state
    current = generations()
    if current is None:
        return None
    data, rights = current
    if _uncommitted(connection):
        # This transaction's own view: its writes, not yet anybody else's (see the top).
        data, rights = (f"{value}.{os.getpid()}.{_local_writes}" for value in current)
    person = f"{_namespace()}:person:{user.pk}:{timezone.localdate():%Y%m%d}"
    keys = {name: f"{person}:r{rights}:{name}" if name in RIGHTS_NAMES else f"{person}:{data}:{name}" for name in NAMES}
    try:
        found = cache.get_many(list(keys.values()))
    except Exception:
        log.warning("Cache injoignable : compteurs calculés sans cache", exc_info=True)
        return None
    state = {
        "writes": _local_writes,
        "keys": keys,
        "values": {name: found[key] for name, key in keys.items() if key in found},
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
            cache.set(state["keys"][name], value, TIMEOUT)
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
