"""What every API view shares: the body size limit, the scoped topology lookup (another
team's topology is 404, a role too low 403), If-Match, ETags, and JSON error bodies."""

from __future__ import annotations

from typing import Any

from rest_framework.renderers import JSONRenderer
from rest_framework.views import APIView

from services.models import Topology
from services.queries import topologies_for
from services.roles import Action, allowed, role

from .errors import ApiError, PayloadTooLarge
from .parsers import max_input_bytes, require_storable


class ApiView(APIView):
    def initial(self, request, *args: Any, **kwargs: Any) -> None:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > max_input_bytes():
            raise PayloadTooLarge(max_input_bytes())
        super().initial(request, *args, **kwargs)
        require_storable(dict(request.query_params.lists()))
        require_storable(kwargs)

    def finalize_response(self, request, response, *args: Any, **kwargs: Any):
        response = super().finalize_response(request, response, *args, **kwargs)
        if response.status_code >= 400 and isinstance(getattr(response, "data", None), dict):
            # Errors are JSON whatever the view renders otherwise (the export's YAML).
            response.accepted_renderer = JSONRenderer()
            response.accepted_media_type = "application/json"
            response["Content-Type"] = "application/json"
        return response

    def topology(self, pk: Any, action: Action = "read") -> Topology:
        """The topology `pk` if the user may see it (else 404, never 403) and do `action` in
        its team (else 403 naming the role needed)."""
        try:
            number = int(pk)
            if not 0 < number < 2**63:
                raise ValueError(pk)
            topology = topologies_for(self.request.user).get(pk=number)
        except (Topology.DoesNotExist, ValueError, TypeError):
            raise ApiError(404, f"topology {pk} not found", "id") from None
        self.require(topology, action)
        return topology

    def require(self, topology: Topology, action: Action) -> None:
        if not allowed(self.request.user, topology.team, action):
            needed = {"read": "viewer", "write": "editor", "admin": "admin"}[action]
            raise ApiError(403, f"this needs the {needed} role in team {topology.team.name} "
                                f"(yours: {role(self.request.user, topology.team) or 'none'})", None)

    def if_match(self) -> str | None:
        return self.request.headers.get("If-Match")


def with_etag(response, revision: int | None):
    response["ETag"] = f'"{revision or 0}"'
    return response
