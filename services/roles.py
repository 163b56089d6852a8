"""Who may do what in a team: the one place that reads roles (interfaces.md, "REST API").

Reads and the stateless query: any member (viewer); object writes, import, run starts and
topology create: editor; settings, rename, delete and members: admin. Superusers may do all.
Today's Membership roles are `member` and `owner`, read as editor and admin until the roles
migrate (the teams work swaps ROLE_OF / `allowed` and nothing else).
"""

from __future__ import annotations

from typing import Any, Literal

from .models import Membership, Team

Action = Literal["read", "write", "admin"]
RANK = {"viewer": 0, "editor": 1, "admin": 2}
NEEDS: dict[str, int] = {"read": 0, "write": 1, "admin": 2}
ROLE_OF = {"member": "editor", "owner": "admin", "viewer": "viewer", "editor": "editor", "admin": "admin"}


def role(user: Any, team: Team) -> str | None:
    """The user's role in `team` (viewer, editor, admin), or None when not a member."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    if user.is_superuser:
        return "admin"
    stored = Membership.objects.filter(team=team, user=user).values_list("role", flat=True).first()
    return ROLE_OF.get(stored) if stored is not None else None


def allowed(user: Any, team: Team, action: Action) -> bool:
    """May `user` do `action` in `team`?"""
    got = role(user, team)
    return got is not None and RANK[got] >= NEEDS[action]
