"""``python manage.py seed_volume --mails N``: realistic, reproducible volume for the register
(see ``correspondence.volume``). Refuses a database that holds real letters unless --force."""

from django.core.management.base import BaseCommand, CommandError

from correspondence.volume import real_mail_count, seed_volume


class Command(BaseCommand):
    help = "Génère un volume réaliste de courrier (registres arrivée et départ) pour mesurer les performances."

    def add_arguments(self, parser):
        parser.add_argument("--mails", type=int, required=True, help="Nombre de courriers à ajouter.")
        parser.add_argument("--contacts", type=int, default=None, help="Nombre de correspondants (défaut : N / 10).")
        parser.add_argument("--audiences", type=int, default=0, help="Nombre de demandes d'audience.")
        parser.add_argument("--seed", type=int, default=1, help="Graine : mêmes arguments, mêmes données.")
        parser.add_argument(
            "--force", action="store_true", help="Accepter une base qui contient déjà du courrier réel."
        )

    def handle(self, *args, mails, contacts, audiences, seed, force, **options):
        if mails < 1:
            raise CommandError("--mails doit être au moins 1.")
        real = real_mail_count()
        if real and not force:
            raise CommandError(
                f"Cette base contient {real} courrier(s) réel(s) (ni démo ni volume) : "
                "refus d'y ajouter des données de volume. Utilisez --force si c'est voulu."
            )
        report = seed_volume(mails=mails, contacts=contacts, audiences=audiences, seed=seed, stdout=self.stdout)
        self.stdout.write(
            self.style.SUCCESS(
                f"{report.mails} courriers, {report.correspondents} correspondants, {report.imputations} imputations, "
                f"{report.grants} droits, {report.events} événements, {report.attachments} pièces, "
                f"{report.audiences} audiences en {report.seconds:.1f} s ({report.mails_per_second:,.0f} courriers/s)."
            )
        )
        if options["verbosity"] > 1:
            self.stdout.write(f"Étapes (s cumulées) : {report.phases}")
            self.stdout.write(f"CPU par étape (s : ce processus, générateurs, PostgreSQL) : {report.cpu}")
