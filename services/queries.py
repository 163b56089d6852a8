"""Read side: the one scoped-queryset helper every view, API view and command goes through.

Today a user sees the topologies of the teams they belong to (superusers see all; the CLI,
with no user, sees all or one team's). The teams-and-security work adds roles and audit here.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Model, QuerySet

from .models import Topology

User = AbstractBaseUser | AnonymousUser | None


class TopologyNotFound(LookupError):
    pass


def topologies_for(user: User = None, *, team: str | None = None) -> QuerySet[Topology]:
    """The topologies `user` may see; `None` is the command line (every team)."""
    qs = Topology.objects.select_related("team")
    if user is not None:
        if not user.is_authenticated:
            return qs.none()
        if not user.is_superuser:
            qs = qs.filter(team__memberships__user=user).distinct()
    if team is not None:
        qs = qs.filter(team__name=team)
    return qs


def scoped(model: type[Model], user: User = None, *, topology: Topology | None = None) -> QuerySet:
    """Objects of `model` (a topology's rows) in the topologies `user` may see."""
    qs = model.objects.filter(topology__in=topologies_for(user))
    if topology is not None:
        qs = qs.filter(topology=topology)
    return qs


def get_topology(name: str, user: User = None, *, team: str | None = None) -> Topology:
    """One topology by name, or TopologyNotFound with a message a person can act on."""
    matches = list(topologies_for(user, team=team).filter(name=name))
    if not matches:
        raise TopologyNotFound(f'topology "{name}" not found' + (f' in team "{team}"' if team else ""))
    if len(matches) > 1:
        teams = ", ".join(sorted(t.team.name for t in matches))
        raise TopologyNotFound(f'topology "{name}" exists in several teams ({teams}): name one with --team')
    return matches[0]
