from .changes import Change
from .objects import (
    EndpointSlice,
    KubeObject,
    Namespace,
    NetworkPolicy,
    Node,
    OtherObject,
    Pod,
    Service,
    ServicePort,
    row_models,
    topology_rows,
)
from .teams import Membership, Team
from .topology import FormerName, Topology

__all__ = [
    "Change", "EndpointSlice", "FormerName", "KubeObject", "Membership", "Namespace", "NetworkPolicy", "Node",
    "OtherObject",
    "Pod", "Service", "ServicePort", "Team", "Topology", "row_models", "topology_rows",
]
