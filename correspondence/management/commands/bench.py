"""``python manage.py bench [--sizes 10000,100000,1000000] [--json FILE]``: load each size with
``seed_volume`` (after emptying the register) and measure the pages against the issue's budgets
(see ``correspondence.benchmark``). Run it on a dedicated database: it empties the register."""

from __future__ import annotations

import json

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from correspondence import benchmark
from correspondence.volume import real_mail_count, seed_volume

# Reference lists (kinds of mail, arrival channels, places) stay; everything else the register
# and the audiences hold is emptied before a size is loaded.
KEPT_MODELS = {"correspondence.mailkind", "correspondence.arrivalchannel", "audiences.place"}


def emptied_tables() -> list[str]:
    tables = []
    for label in ("audiences", "correspondence"):
        try:
            config = apps.get_app_config(label)
        except LookupError:
            continue
        for model in config.get_models(include_auto_created=True):
            if model._meta.label_lower not in KEPT_MODELS and not model._meta.proxy:
                tables.append(model._meta.db_table)
    return tables


def info_cache_is_local() -> bool:
    return "locmem" in settings.CACHES["default"]["BACKEND"].lower()


def empty_register() -> None:
    existing = set(connection.introspection.table_names())
    tables = [t for t in emptied_tables() if t in existing]
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY")
        else:
            for table in tables:
                cursor.execute(f"DELETE FROM {table}")  # noqa: S608 - table names from the models


class Command(BaseCommand):
    help = "Mesure les pages du registre à plusieurs volumes (vide le registre de la base : base dédiée)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--sizes", default="10000,100000,1000000", help="Volumes en courriers, séparés par des virgules."
        )
        parser.add_argument("--json", dest="json_file", default="", help="Fichier où écrire les résultats (JSON).")
        parser.add_argument("--runs", type=int, default=30, help="Mesures par page, après l'échauffement.")
        parser.add_argument("--warmup", type=int, default=3, help="Requêtes d'échauffement par page.")
        parser.add_argument("--clients", type=int, default=8, help="Clients simultanés pour l'enregistrement.")
        parser.add_argument("--per-client", type=int, default=25, help="Lettres enregistrées par client.")
        parser.add_argument("--seed", type=int, default=1, help="Graine de seed_volume.")
        parser.add_argument("--audiences", type=int, default=100, help="Demandes d'audience chargées par volume.")
        parser.add_argument(
            "--keep", action="store_true", help="Mesurer les données présentes, sans vider ni charger (une taille)."
        )

    def handle(self, *args, sizes, json_file, runs, warmup, clients, per_client, seed, audiences, keep, **options):
        try:
            wanted = sorted({int(s.replace("_", "")) for s in sizes.split(",") if s.strip()})
        except ValueError as exc:
            raise CommandError("--sizes : des nombres entiers séparés par des virgules.") from exc
        if not wanted or min(wanted) < 1:
            raise CommandError("--sizes : au moins un volume positif.")
        if connection.vendor != "postgresql":
            self.stdout.write(
                self.style.WARNING(
                    "SQLite : ces chiffres ne valent que sur PostgreSQL (la base de production) ; "
                    "mesure faite quand même."
                )
            )
            # SQLite writes one transaction at a time: concurrent clients would only queue.
            clients = 1
        if not settings.CABINET_CACHE_ACROSS_REQUESTS:
            self.stdout.write(
                self.style.WARNING(
                    "Sans REDIS_URL, droits et compteurs sont recalculés à chaque page : "
                    "la production (Redis) les garde entre deux écritures."
                )
            )
        elif info_cache_is_local():
            self.stdout.write(
                self.style.WARNING(
                    "Le cache est la mémoire du processus : ses lectures y sont plus rapides qu'en production (Redis)."
                )
            )
        real = real_mail_count()
        if real:
            # Even with --keep: the registration measure writes letters into the register.
            raise CommandError(
                f"Cette base contient {real} courrier(s) réel(s) : bench vide le registre, "
                "lancez-le sur une base dédiée."
            )
        info = benchmark.machine()
        self.stdout.write(
            f"Machine : {info['cpus']} cœurs, {info.get('memory_gb')} Go, {info['database']} {info['server_version']}, "
            f"cache {info['cache']}, charge {info['load_average']}"
        )
        results = []
        for size in [None] if keep else wanted:
            report = None
            busy = benchmark.busy_percent()
            if busy is not None and busy > benchmark.BUSY_WARNING_PERCENT:
                self.stdout.write(
                    self.style.WARNING(
                        f"Attention : d'autres processus occupent {busy:.0f} % du processeur : les temps "
                        "mesurés seront gonflés, le chargement surtout. Mesurez sur une machine au repos."
                    )
                )
            if size is not None:
                self.stdout.write(f"Volume {size:,} : chargement…".replace(",", " "))
                empty_register()
                report = seed_volume(mails=size, contacts=max(200, size // 10), audiences=audiences, seed=seed)
                self.stdout.write(
                    f"  {report.mails} courriers en {report.seconds:.1f} s ({report.mails_per_second:,.0f}/s)".replace(
                        ",", " "
                    )
                )
            result = benchmark.measure_size(
                size=size or 0,
                runs=runs,
                warmup=warmup,
                clients=clients,
                per_client=per_client,
                seed_report=report,
                log=self.stdout.write,
                busy_before_percent=busy,
            )
            if size is None:
                result.size = result.mails
            results.append(result)
        self.stdout.write("")
        self.stdout.write(self.table(results))
        checks = benchmark.verdicts(results)
        for check in checks:
            mark = self.style.SUCCESS("ok ") if check["ok"] else self.style.ERROR("NON")
            self.stdout.write(f"{mark} {check['check']} : {check['value']}{self.view_share(check)}")
        if json_file:
            options_used = {
                "sizes": wanted,
                "runs": runs,
                "warmup": warmup,
                "clients": clients,
                "per_client": per_client,
                "seed": seed,
                "keep": keep,
            }
            data = benchmark.as_json(results, info=info, options=options_used)
            with open(json_file, "w", encoding="utf-8") as out:
                json.dump(data, out, ensure_ascii=False, indent=2)
            self.stdout.write(f"Résultats écrits dans {json_file}")

    @staticmethod
    def view_share(check: dict) -> str:
        """For the ratio to bare SQL: how long the view and its template may take once the empty
        signed-in page (the middleware) and the SQL are paid, and how long they take."""
        if check["ok"] or "view_allowed_ms" not in check:
            return ""
        allowed, taken = check["view_allowed_ms"], check["view_taken_ms"]
        if allowed <= 0:
            return f" (inatteignable : page vide et SQL dépassent déjà le triple ; la vue prend {taken:.1f} ms)"
        return f" (la vue et son gabarit auraient {allowed:.1f} ms ; ils en prennent {taken:.1f})"

    @staticmethod
    def table(results) -> str:
        header = (
            f"{'page':<42}{'volume':>10}{'req.':>6}{'p50 ms':>9}{'p95 ms':>9}{'SQL nu p95':>12}{'×nu':>6}"
            f"{'froid p95':>11}{'budget':>8}"
        )
        lines = [header, "-" * len(header)]
        for result in results:
            rows = list(result.pages)
            if result.admin_changelist:
                rows.append(result.admin_changelist)
            if result.floor:
                rows.append(result.floor)
            for m in rows:
                bare = f"{m.bare_p95_ms:.1f}" if m.bare_p95_ms is not None else "—"
                over = f"{m.over_bare:.1f}" if m.over_bare is not None else "—"
                budget = f"{m.budget_ms:g}" if m.budget_ms else "—"
                cold = f"{m.cold_p95_ms:.1f}" if m.cold_p95_ms is not None else "—"
                if m.error:
                    lines.append(f"{m.label:<42}{result.size:>10}{m.queries:>6}  {m.error}")
                    continue
                lines.append(
                    f"{m.label:<42}{result.size:>10}{m.queries:>6}{m.p50_ms:>9.1f}{m.p95_ms:>9.1f}{bare:>12}{over:>6}"
                    f"{cold:>11}{budget:>8}"
                )
            reg = result.registration
            if reg:
                lines.append(
                    f"{'Enregistrement (' + str(reg['clients']) + ' clients), lettres/s':<42}{result.size:>10}"
                    f"{'':>6}{reg['per_second']:>9}{'':>9}{'':>12}{'':>6}{'':>11}{'≥100':>8}"
                    + ("" if reg["gap_free_and_chained"] else "  REGISTRE ROMPU")
                )
        return "\n".join(lines)
