from django.core.management.base import BaseCommand

from cabinet.demo import DEMO_PASSWORD, PEOPLE, seed_all


class Command(BaseCommand):
    help = "Crée (ou complète) les données de démonstration ; peut être relancée sans doublon."

    def handle(self, *args, **options):
        seed_all(stdout=self.stdout)
        users = ", ".join([p[0] for p in PEOPLE] + ["admin"])
        self.stdout.write(self.style.SUCCESS(f"Données de démonstration prêtes. Comptes : {users}"))
        self.stdout.write(f"Mot de passe commun : {DEMO_PASSWORD}")
