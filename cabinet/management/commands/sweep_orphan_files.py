from django.core.management.base import BaseCommand

from cabinet.orphans import MIN_AGE, QUARANTINE, sweep


class Command(BaseCommand):
    help = (
        "Met en quarantaine (dossier orphelins/ du stockage privé, gardé "
        f"{QUARANTINE.days} jours) les fichiers qu'aucune ligne ne nomme plus (dépôt annulé), déposés "
        f"depuis plus de {MIN_AGE.days} jours. Tâche nocturne ; --dry-run liste sans rien déplacer."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Lister sans supprimer.")

    def handle(self, *args, dry_run, **options):
        report = sweep(dry_run=dry_run)
        for name in report.quarantined:
            self.stdout.write(name)
        verb = "à mettre en quarantaine" if dry_run else "mis en quarantaine"
        self.stdout.write(
            self.style.SUCCESS(
                f"{report.examined} fichier(s) examiné(s) : {len(report.quarantined)} orphelin(s) {verb}, "
                f"{report.kept} rattaché(s), {report.too_recent} trop récent(s) pour en juger ; "
                f"{report.purged} supprimé(s) de la quarantaine (plus de {QUARANTINE.days} jours)."
            )
        )
