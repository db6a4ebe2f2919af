from django.core.management.base import BaseCommand

from huimin.access.tokens import purge_expired


class Command(BaseCommand):
    help = "Delete expired access tokens and the jtis of expired client assertions."

    def handle(self, *args, **options):
        assertions, issued = purge_expired()
        if options["verbosity"]:
            self.stdout.write(f"purged {assertions} used assertions, {issued} expired tokens")
