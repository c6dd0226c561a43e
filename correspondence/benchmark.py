"""The measurements behind ``python manage.py bench``.

Each page is requested in-process with ``django.test.Client`` (signed in with
``force_login``): the time is the server's (URL resolution, middleware, views, queries,
templates), not the network's. Beside it, the floor: the page's own SELECT statements, caught
with ``CaptureQueriesContext`` and run again bare on a cursor. The register list is also set
against the Django admin's changelist of ``Mail`` on the same data. Registration is measured
with concurrent clients (threads, one database connection each) calling the registering
service, then the register is verified (numbers without gap, chain intact).
"""

from __future__ import annotations

import datetime
import math
import multiprocessing
import os
import platform
import statistics
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import close_old_connections, connection, connections
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from cabinet import freshness

from .models import Correspondent, Imputation, Mail, MailKind, Register
from .selectors import PER_PAGE, MailFilters, mail_cursor, register_list, visible_mails

# The budgets (milliseconds, p95) per page.
BUDGETS_MS = {
    "register_list": 100,
    "register_list_deep": 100,
    "register_list_filtered": 100,
    "register_list_adviser": 100,
    "register_list_unit": 100,
    "register_list_level": 100,
    "search_common": 100,
    "search_rare": 100,
    "my_work": 100,
    "audience_week": 100,
    "mail_detail": 50,
    "dashboard": 150,
}
REGISTRATIONS_PER_SECOND = 100
SEED_PER_SECOND = 20_000  # seed_volume's rate (a million letters in under two minutes)
MAX_GROWTH = 2.0  # p95 at the largest size / p95 at the smallest
MAX_OVER_BARE = 3.0  # p95 of the page / p95 of its bare SQL
MIN_ADMIN_RATIO = 5.0  # admin changelist p95 / register list p95
DEEP_PAGE = 200


@dataclass
class Measure:
    name: str
    label: str
    url: str
    user: str
    status: int = 0
    queries: int = 0
    p50_ms: float = 0.0
    p95_ms: float = 0.0
    bare_p50_ms: float | None = None
    bare_p95_ms: float | None = None
    # The same page right after a write anywhere (the data generation moved): the navigation's
    # counts and the person's rights computed, as on the first view after a routing.
    cold_p50_ms: float | None = None
    cold_p95_ms: float | None = None
    cold_queries: int = 0
    budget_ms: float | None = None
    error: str = ""

    @property
    def over_bare(self) -> float | None:
        if not self.bare_p95_ms:
            return None
        return self.p95_ms / self.bare_p95_ms


@dataclass
class SizeResult:
    size: int
    mails: int
    correspondents: int
    grants_of_adviser: int
    seed_seconds: float | None
    seed_rate: float | None
    load: str
    # Other processes' share of the CPU just before the load (busy_percent).
    busy_before_percent: float | None = None
    pages: list[Measure] = field(default_factory=list)
    admin_changelist: Measure | None = None
    # An empty page behind the application's middleware: what any page costs before its view.
    floor: Measure | None = None
    registration: dict = field(default_factory=dict)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def machine() -> dict:
    info = {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "database": connection.vendor,
        # The navigation's counts and each person's rights are read from the cache between
        # writes (cabinet.freshness): Redis in production, the process's memory without REDIS_URL.
        "cache": settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1],
        "cache_across_requests": settings.CABINET_CACHE_ACROSS_REQUESTS,
        "load_average": load_average(),
    }
    try:
        with open("/proc/meminfo") as meminfo:
            total_kb = int(meminfo.readline().split()[1])
        info["memory_gb"] = round(total_kb / 1024 / 1024, 1)
    except (OSError, ValueError, IndexError):
        info["memory_gb"] = None
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            info["server_version"] = cursor.fetchone()[0]
            cursor.execute("SHOW shared_buffers")
            info["shared_buffers"] = cursor.fetchone()[0]
        else:
            cursor.execute("SELECT sqlite_version()")
            info["server_version"] = cursor.fetchone()[0]
    return info


# Above this share of the machine's CPU taken by other processes, the figures are inflated
# (a million letters: 45 s alone, 59-64 s beside another session's test suite, even under
# nice 19: the scheduler shares between sessions first; docs/performance.md, "Session 6").
BUSY_WARNING_PERCENT = 15


def busy_percent(seconds: float = 1.0) -> float | None:
    """The share of the machine's CPU (all cores) that other processes used over ``seconds``,
    while this one waits (Linux's /proc/stat); None elsewhere."""

    def sample() -> tuple[int, int]:
        with open("/proc/stat") as stat:
            values = [int(v) for v in stat.readline().split()[1:]]
        return sum(values), values[3] + values[4]  # total, idle + iowait

    try:
        total, idle = sample()
        time.sleep(seconds)
        total_after, idle_after = sample()
    except (OSError, ValueError, IndexError):
        return None
    elapsed = total_after - total
    return round(100 * (1 - (idle_after - idle) / elapsed), 1) if elapsed > 0 else None


def load_average() -> str:
    try:
        return " ".join(f"{v:.2f}" for v in os.getloadavg())
    except OSError:
        return ""


# --- Pages ----------------------------------------------------------------------------------
def _timed(
    fn: Callable[[], object], runs: int, warmup: int, *, before: Callable[[], object] | None = None
) -> list[float]:
    """``fn``'s times in ms over ``runs`` calls after ``warmup``; ``before`` runs untimed ahead
    of each timed call."""
    for _n in range(warmup):
        fn()
    times = []
    for _n in range(runs):
        if before is not None:
            before()
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return times


def _p50_p95(times: list[float]) -> tuple[float, float]:
    return round(statistics.median(times), 2), round(percentile(times, 0.95), 2)


def _bare_statements(captured: list[dict]) -> list[str]:
    """The page's reads, as sent to the database (writes such as a session save or the
    consultation log are not replayed: they would change the data)."""
    statements = []
    for query in captured:
        sql = query["sql"].strip()
        if sql.upper().startswith(("SELECT", "WITH")):
            statements.append(sql)
    return statements


def _run_bare(statements: list[str]) -> None:
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
            cursor.fetchall()


def measure_page(
    *,
    name: str,
    label: str,
    url: str,
    user,
    runs: int,
    warmup: int,
    budget: float | None = None,
    bare: bool = True,
    cold: bool = True,
) -> Measure:
    measure = Measure(name=name, label=label, url=url, user=user.username, budget_ms=budget)
    client = Client()
    client.force_login(user)

    def get():
        return client.get(url, secure=True)

    try:
        # The statements counted and replayed bare are those of a request like the timed ones:
        # after the warm-up, so with the navigation's counts read from the cache as they are
        # in the timed requests (cabinet.freshness), not computed as on the first request.
        for _n in range(warmup):
            get()
        with CaptureQueriesContext(connection) as context:
            response = get()
    except Exception as exc:  # a page that fails is reported, the others are still measured
        measure.error = f"{type(exc).__name__}: {exc}"[:200]
        return measure
    # Copied now: the next request's request_started signal empties the connection's log.
    captured = list(context.captured_queries)
    measure.status = response.status_code
    measure.queries = len(captured)
    if response.status_code != 200:
        measure.error = f"HTTP {response.status_code}"
        return measure
    measure.p50_ms, measure.p95_ms = _p50_p95(_timed(get, runs, 0))  # warmed up above
    if cold:
        # Right after what a letter registered or routed elsewhere does (a write to the
        # register: the counts are recomputed, the person's rights stay cached). A change of
        # mandates or groups, a few times a year, also recomputes the rights.
        freshness.bump_data()
        with CaptureQueriesContext(connection) as context:
            get()
        measure.cold_queries = len(context.captured_queries)
        # Each timed request right after such a write (not timed).
        measure.cold_p50_ms, measure.cold_p95_ms = _p50_p95(_timed(get, runs, 0, before=freshness.bump_data))
    if bare:
        statements = _bare_statements(captured)
        measure.bare_p50_ms, measure.bare_p95_ms = _p50_p95(_timed(lambda: _run_bare(statements), runs, warmup))
    return measure


def _url(name: str, *args, query: str = "") -> str | None:
    try:
        url = reverse(name, args=args)
    except NoReverseMatch:
        return None
    return f"{url}?{query}" if query else url


@dataclass
class Subjects:
    """Who and what the pages are asked about, chosen in the data just loaded."""

    clerk: object  # bureau du courrier: the register's everyday reader
    director: object  # directeur de cabinet: sees everything, heaviest dashboard
    adviser: object  # conseiller technique holding the most row-level grants
    agenda: object  # chef du secrétariat particulier: the minister's agenda
    admin: object
    mail: Mail | None
    correspondent: Correspondent | None
    month_start: datetime.date | None
    # A ministry director: sees no level, only what is routed to him or his service.
    unit_director: object = None


def pick_subjects() -> Subjects:
    from .volume import HEAVY_ADVISER

    User = get_user_model()
    users = {
        u.username: u
        for u in User.objects.filter(
            username__in=["secretariat", "directeur", "chef-sp", "admin", "dir-afrique", HEAVY_ADVISER]
        )
    }
    # An ordinary incoming letter from the middle of the register, routed twice if possible.
    middle = Mail.objects.filter(register=Register.ARRIVEE).order_by("-id").values_list("id", flat=True)
    count = Mail.objects.count()
    mail = None
    if count:
        pivot = middle[min(count // 4, count - 1) : min(count // 4, count - 1) + 1]
        pivot_id = list(pivot)[0] if pivot else None
        mail = (
            Mail.objects.filter(id__lte=pivot_id or 0, confidentiality=Mail.Confidentiality.ORDINAIRE)
            .filter(id__in=Imputation.objects.values("mail_id"))
            .order_by("-id")
            .first()
        )
    # The most frequent correspondent (the directory's first entries write most).
    correspondent = Correspondent.objects.filter(mails__isnull=False).order_by("id").first()
    oldest = Mail.objects.order_by("registered_at").values_list("registered_at", flat=True).first()
    month_start = None
    if oldest:
        middle_day = timezone.localtime(oldest).date() + (timezone.localdate() - timezone.localtime(oldest).date()) / 2
        month_start = middle_day.replace(day=1)
    return Subjects(
        clerk=users.get("secretariat"),
        director=users.get("directeur"),
        adviser=users.get(HEAVY_ADVISER),
        agenda=users.get("chef-sp"),
        admin=users.get("admin"),
        unit_director=users.get("dir-afrique"),
        mail=mail,
        correspondent=correspondent,
        month_start=month_start,
    )


def page_plan(subjects: Subjects) -> list[dict]:
    from .volume import COMMON_WORD, RARE_WORD

    plan = []
    register = _url("correspondence:mail_list")
    if register and subjects.clerk:
        plan.append({"name": "register_list", "label": "Registre, page 1", "url": register, "user": subjects.clerk})
        # Page 200, or the register's last page when it has fewer (at 10,000 letters the mail
        # office sees about 180): a page with rows at every size, so the sizes compare.
        deep = min(DEEP_PAGE, max(1, math.ceil(visible_mails(subjects.clerk).count() / PER_PAGE)))
        # Reached as a person reaches it: through the « Suivante » links, which carry the
        # position of the previous page's last letter (keyset pages).
        after = ""
        if deep > 1:
            rows = register_list(subjects.clerk, MailFilters())
            after = f"&after={mail_cursor(rows[(deep - 1) * PER_PAGE - 1])}"
        plan.append(
            {
                "name": "register_list_deep",
                "label": f"Registre, page {deep}",
                "url": f"{register}?page={deep}{after}",
                "user": subjects.clerk,
            }
        )
        # The same page from an address typed by hand (page number only): read by offset.
        plan.append(
            {
                "name": "register_list_deep_offset",
                "label": f"Registre, page {deep} (adresse tapée : décalage)",
                "url": f"{register}?page={deep}",
                "user": subjects.clerk,
            }
        )
        if subjects.correspondent and subjects.month_start:
            end = (subjects.month_start + datetime.timedelta(days=92)).replace(day=1) - datetime.timedelta(days=1)
            query = (
                f"date_from={subjects.month_start:%Y-%m-%d}&date_to={end:%Y-%m-%d}"
                f"&correspondent={subjects.correspondent.pk}"
            )
            plan.append(
                {
                    "name": "register_list_filtered",
                    "label": "Registre filtré (3 mois, correspondant)",
                    "url": f"{register}?{query}",
                    "user": subjects.clerk,
                }
            )
        plan.append(
            {
                "name": "search_common",
                "label": f"Recherche « {COMMON_WORD} »",
                "url": f"{register}?q={COMMON_WORD}",
                "user": subjects.clerk,
            }
        )
        plan.append(
            {
                "name": "search_rare",
                "label": f"Recherche « {RARE_WORD} »",
                "url": f"{register}?q={RARE_WORD}",
                "user": subjects.clerk,
            }
        )
        # Who reads the register through row-level rules rather than by level: the adviser with
        # tens of thousands of grants, a ministry director (what his service received), and a
        # clerk filtering on a level she does not see (only the letters opened to her).
        readers = [
            ("register_list_adviser", "Registre, conseiller (droits par courrier)", "", subjects.adviser),
            ("register_list_unit", "Registre, directeur d'un service", "", subjects.unit_director),
            (
                "register_list_level",
                "Registre filtré « Confidentiel » (secrétariat)",
                "?confidentiality=confidentiel",
                subjects.clerk,
            ),
        ]
        for name, label, query, reader in readers:
            if reader:
                plan.append({"name": name, "label": label, "url": f"{register}{query}", "user": reader})
    detail = _url("correspondence:mail_detail", subjects.mail.pk) if subjects.mail else None
    if detail and subjects.director:
        plan.append({"name": "mail_detail", "label": "Fiche d'un courrier", "url": detail, "user": subjects.director})
    work = _url("correspondence:my_work")
    if work and subjects.adviser:
        plan.append({"name": "my_work", "label": "À traiter (conseiller)", "url": work, "user": subjects.adviser})
    home = _url("home")
    if home and subjects.director:
        plan.append(
            {"name": "dashboard", "label": "Tableau de bord (directeur)", "url": home, "user": subjects.director}
        )
    week = _url("audiences:week")
    if week and subjects.agenda:
        plan.append({"name": "audience_week", "label": "Agenda, semaine", "url": week, "user": subjects.agenda})
    return plan


# --- Registration under contention ----------------------------------------------------------
def _register_letters(index: int, per_client: int, registrar, kind, correspondents, today) -> tuple[int, list[str]]:
    from .services import mail_register_incoming

    done, errors = 0, []
    try:
        for n in range(per_client):
            correspondent = correspondents[(index * per_client + n) % len(correspondents)]
            mail_register_incoming(
                registered_by=registrar,
                correspondent=correspondent,
                subject=f"Banc d'essai : lettre {index}-{n}",
                kind=kind,
                arrival_date=today,
            )
            done += 1
    except Exception as exc:  # reported in the result
        errors.append(f"{type(exc).__name__}: {exc}")
    finally:
        connections.close_all()
    return done, errors


def _process_client(index, per_client, registrar, kind, correspondents, today, start, results) -> None:
    start.wait()
    results.put(_register_letters(index, per_client, registrar, kind, correspondents, today))


def measure_registration(*, clients: int, per_client: int) -> dict:
    """``clients`` clients register ``per_client`` incoming letters each, at once, in the same
    register; then the register of the year is verified. On PostgreSQL each client is a
    process of its own (as web workers are: no shared interpreter lock), with its connection;
    on SQLite, threads."""
    from .integrity import verify_register
    from .volume import VOLUME_USERNAME

    User = get_user_model()
    registrar, _created = User.objects.get_or_create(
        username=VOLUME_USERNAME, defaults={"first_name": "Greffe", "last_name": "VOLUME", "is_active": False}
    )
    kind = MailKind.objects.order_by("pk").first()
    correspondents = list(Correspondent.objects.order_by("pk")[:200])
    today = timezone.localdate()
    outcomes: list[tuple[int, list[str]]] = []
    use_processes = connection.vendor == "postgresql" and "fork" in multiprocessing.get_all_start_methods()
    if use_processes:
        context = multiprocessing.get_context("fork")
        start = context.Event()
        results = context.Queue()
        # A forked child must not share the parent's open connections.
        connections.close_all()
        workers = [
            context.Process(
                target=_process_client,
                args=(i, per_client, registrar, kind, correspondents, today, start, results),
            )
            for i in range(clients)
        ]
        for worker in workers:
            worker.start()
        time.sleep(0.5)  # let every process get ready before the start
        started = time.perf_counter()
        start.set()
        outcomes = [results.get(timeout=600) for _worker in workers]
        seconds = time.perf_counter() - started
        for worker in workers:
            worker.join()
    else:
        barrier = threading.Barrier(clients + 1)

        def client(index: int) -> None:
            barrier.wait()
            outcomes.append(_register_letters(index, per_client, registrar, kind, correspondents, today))

        threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
        for thread in threads:
            thread.start()
        barrier.wait()
        started = time.perf_counter()
        for thread in threads:
            thread.join()
        seconds = time.perf_counter() - started
    close_old_connections()
    registered = sum(done for done, _errors in outcomes)
    errors = [error for _done, errs in outcomes for error in errs]
    breach = verify_register(Register.ARRIVEE, today.year)
    return {
        "clients": clients,
        "processes": use_processes,
        "letters": registered,
        "seconds": round(seconds, 3),
        "per_second": round(registered / seconds, 1) if seconds else 0.0,
        "gap_free_and_chained": breach is None,
        "breach": str(breach) if breach else "",
        "errors": errors[:5],
        "budget_per_second": REGISTRATIONS_PER_SECOND,
    }


# --- One size -------------------------------------------------------------------------------
def measure_size(
    *,
    size: int,
    runs: int,
    warmup: int,
    clients: int,
    per_client: int,
    seed_report=None,
    log=None,
    busy_before_percent: float | None = None,
) -> SizeResult:
    subjects = pick_subjects()
    grants = 0
    if subjects.adviser:
        from .models import MailUserObjectPermission

        grants = MailUserObjectPermission.objects.filter(user=subjects.adviser).count()
    result = SizeResult(
        size=size,
        mails=Mail.objects.count(),
        correspondents=Correspondent.objects.count(),
        grants_of_adviser=grants,
        seed_seconds=round(seed_report.seconds, 1) if seed_report else None,
        seed_rate=round(seed_report.mails_per_second) if seed_report else None,
        load=load_average(),
        busy_before_percent=busy_before_percent,
    )
    # Plain settings for the measured requests: no per-query debug logging, the test client's
    # host allowed. Requests are made as over HTTPS (secure=True) so no redirect is measured.
    # Static files: plain storage (production's manifest needs collectstatic; the lookup cost is
    # the same dictionary read).
    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(DEBUG=False, ALLOWED_HOSTS=["testserver", *settings.ALLOWED_HOSTS], STORAGES=storages):
        for item in page_plan(subjects):
            measure = measure_page(
                name=item["name"],
                label=item["label"],
                url=item["url"],
                user=item["user"],
                runs=runs,
                warmup=warmup,
                budget=BUDGETS_MS.get(item["name"]),
            )
            result.pages.append(measure)
            if log:
                log(
                    f"  {measure.label:<40} p50 {measure.p50_ms:8.1f} ms  p95 {measure.p95_ms:8.1f} ms  "
                    f"({measure.queries} requêtes) {measure.error}"
                )
        admin_url = _url("admin:correspondence_mail_changelist")
        if admin_url and subjects.admin:
            # Fewer runs: the changelist counts the whole table on each view.
            result.admin_changelist = measure_page(
                name="admin_changelist",
                label="Admin Django, liste des courriers",
                url=admin_url,
                user=subjects.admin,
                runs=max(3, runs // 3),
                warmup=1,
                cold=False,
            )
            if log:
                log(f"  {result.admin_changelist.label:<40} p95 {result.admin_changelist.p95_ms:8.1f} ms")
        if subjects.clerk:
            with override_settings(ROOT_URLCONF="correspondence.benchmark_urls"):
                result.floor = measure_page(
                    name="floor",
                    label="Page vide signée (plancher)",
                    url="/__bench/vide/",
                    user=subjects.clerk,
                    runs=runs,
                    warmup=warmup,
                    cold=False,
                )
            if log:
                log(
                    f"  {result.floor.label:<40} p95 {result.floor.p95_ms:8.1f} ms  "
                    f"(SQL nu {result.floor.bare_p95_ms or 0:.2f} ms)"
                )
    result.registration = measure_registration(clients=clients, per_client=per_client)
    if log:
        log(f"  Enregistrement, {clients} clients : {result.registration['per_second']} lettres/s")
    return result


# --- Verdicts -------------------------------------------------------------------------------
def view_time_ms(measure: Measure, floor: Measure | None) -> tuple[float, float] | None:
    """What the page's own view and template may take to meet ``MAX_OVER_BARE``, and what they
    take: the page's time less the empty page's (the middleware) and less the SQL the view adds
    to the middleware's. Both are p95 arithmetic: an indication, not a measure."""
    if not (floor and floor.status == 200 and floor.bare_p95_ms is not None and measure.bare_p95_ms):
        return None
    own_sql = max(0.0, measure.bare_p95_ms - floor.bare_p95_ms)
    allowed = MAX_OVER_BARE * measure.bare_p95_ms - floor.p95_ms - own_sql
    taken = measure.p95_ms - floor.p95_ms - own_sql
    return round(allowed, 2), round(taken, 2)


def verdicts(results: list[SizeResult]) -> list[dict]:
    """Each budget of the issue at the largest size measured: met or not, with the figure."""
    if not results:
        return []
    largest, smallest = results[-1], results[0]
    checks = []
    small = {m.name: m for m in smallest.pages}
    by_name = {m.name: m for m in largest.pages}
    for measure in largest.pages:
        if measure.budget_ms is not None:
            checks.append(
                {
                    "check": f"{measure.name} p95 < {measure.budget_ms:g} ms",
                    "value": measure.p95_ms,
                    "ok": bool(measure.status == 200 and measure.p95_ms < measure.budget_ms),
                }
            )
            if measure.cold_p95_ms is not None:
                checks.append(
                    {
                        "check": f"{measure.name} p95 après une écriture < {measure.budget_ms:g} ms",
                        "value": measure.cold_p95_ms,
                        "ok": bool(measure.status == 200 and measure.cold_p95_ms < measure.budget_ms),
                    }
                )
        if measure.over_bare is not None:
            check = {
                "check": f"{measure.name} ≤ {MAX_OVER_BARE:g} × SQL nu",
                "value": round(measure.over_bare, 2),
                "ok": measure.over_bare <= MAX_OVER_BARE,
            }
            view = view_time_ms(measure, largest.floor)
            if view is not None:
                check["view_allowed_ms"], check["view_taken_ms"] = view
            checks.append(check)
        if len(results) > 1 and measure.name in small and small[measure.name].p95_ms:
            growth = measure.p95_ms / small[measure.name].p95_ms
            checks.append(
                {
                    "check": f"{measure.name} p95 {largest.size} ≤ {MAX_GROWTH:g} × p95 {smallest.size}",
                    "value": round(growth, 2),
                    "ok": growth <= MAX_GROWTH,
                }
            )
    register = by_name.get("register_list")
    if register and largest.admin_changelist and register.p95_ms:
        ratio = largest.admin_changelist.p95_ms / register.p95_ms
        checks.append(
            {
                "check": f"admin / registre ≥ {MIN_ADMIN_RATIO:g}",
                "value": round(ratio, 2),
                "ok": ratio >= MIN_ADMIN_RATIO,
            }
        )
    if largest.seed_rate is not None:
        checks.append(
            {
                "check": f"seed_volume ≥ {SEED_PER_SECOND:,} courriers/s ({largest.size} courriers)".replace(",", " "),
                "value": largest.seed_rate,
                "ok": largest.seed_rate >= SEED_PER_SECOND,
            }
        )
    registration = largest.registration
    if registration:
        checks.append(
            {
                "check": f"enregistrements ≥ {REGISTRATIONS_PER_SECOND}/s ({registration['clients']} clients)",
                "value": registration["per_second"],
                "ok": registration["per_second"] >= REGISTRATIONS_PER_SECOND and not registration["errors"],
            }
        )
        checks.append(
            {
                "check": "numérotation sans trou, chaîne intacte",
                "value": registration["gap_free_and_chained"],
                "ok": registration["gap_free_and_chained"],
            }
        )
    return checks


def as_json(results: list[SizeResult], *, info: dict, options: dict) -> dict:
    def size_dict(result: SizeResult) -> dict:
        data = asdict(result)
        measured = [*zip(data["pages"], result.pages, strict=True)]
        if result.floor:
            measured.append((data["floor"], result.floor))
        for page, measure in measured:
            page["over_bare"] = round(measure.over_bare, 2) if measure.over_bare is not None else None
        return data

    return {
        "generated_at": timezone.now().isoformat(),
        "machine": info,
        "options": options,
        "meaningful": connection.vendor == "postgresql",
        "budgets_ms": BUDGETS_MS,
        "sizes": [size_dict(r) for r in results],
        "verdicts": verdicts(results),
    }
