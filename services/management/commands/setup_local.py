"""`manage.py setup_local [--demo FILE]`: the local admin user, the default team and the demo.

`make run` calls it. The admin's password comes from KUBENET_ADMIN_PASSWORD, or is generated
once and kept in var/admin-password; the command prints how to log in either way."""

from __future__ import annotations

import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand

from services.models import Membership, Team
from services.queries import topologies_for


class Command(BaseCommand):
    help = "Create the local admin user and team (and load the demo topology)."

    def add_arguments(self, parser):
        parser.add_argument("--demo", help="a manifest file to load as topology `demo` when it is absent")
        parser.add_argument("--username", default=settings.KUBENET_ADMIN_USER)
        parser.add_argument("--url", default="http://127.0.0.1:8000", help="where the app will be served")

    def handle(self, *args, demo: str | None = None, username: str = "admin", url: str = "", **options):
        password = self.password()
        User = get_user_model()
        user, created = User.objects.get_or_create(username=username, defaults={"is_staff": True, "is_superuser": True})
        if created or not user.check_password(password):
            user.set_password(password)
            user.is_staff = user.is_superuser = True
            user.save()
        team, _ = Team.objects.get_or_create(name="default", defaults={"description": "The local team"})
        Membership.objects.get_or_create(team=team, user=user, defaults={"role": "owner"})
        if demo and not topologies_for(team="default").filter(name="demo").exists():
            call_command("kubenet", "import", demo, "--topology", "demo", "--team", "default", stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS(
            f"Log in at {url.rstrip('/')}/login/ as {username} with password {password}"
            f" (admin pages: {url.rstrip('/')}/admin/)."))

    def password(self) -> str:
        if settings.KUBENET_ADMIN_PASSWORD:
            return settings.KUBENET_ADMIN_PASSWORD
        path = Path(settings.VAR_DIR) / "admin-password"
        if path.exists():
            return path.read_text().strip()
        path.parent.mkdir(parents=True, exist_ok=True)
        value = secrets.token_urlsafe(12)
        path.write_text(value + "\n")
        path.chmod(0o600)
        return value
