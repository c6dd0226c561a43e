"""``python manage.py verify_register``: check the chain hash of every register entry."""

from django.core.management.base import BaseCommand, CommandError

from correspondence.integrity import verify_all


class Command(BaseCommand):
    help = "Vérifie l'intégrité (empreintes chaînées SHA-256) des registres arrivée et départ."

    def handle(self, *args, **options):
        breaches = verify_all()
        if breaches:
            for breach in breaches:
                self.stderr.write(f"Entrée altérée : {breach}")
            raise CommandError(f"Registre altéré : première entrée en cause {breaches[0].reference}")
        self.stdout.write(self.style.SUCCESS("Registres intègres."))
