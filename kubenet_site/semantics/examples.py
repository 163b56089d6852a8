"""Manifest snippets the catalogue's examples and near misses are written with (YAML text).

Kept small and literal so docs/diagnostics.md shows plain manifests. Services come before the
pods they select in every example: an object without creationTimestamp is created in document
order, and a Service created after its pods is an info finding of its own.
"""

from __future__ import annotations


def namespace(name: str, labels: str = "") -> str:
    extra = f", labels: {{{labels}}}" if labels else ""
    return f"apiVersion: v1\nkind: Namespace\nmetadata: {{name: {name}{extra}}}\n"


def node(name: str, ip: str) -> str:
    return (f"apiVersion: v1\nkind: Node\nmetadata: {{name: {name}}}\n"
            f"status: {{addresses: [{{type: InternalIP, address: {ip}}}]}}\n")


def service(name: str, spec: str, ns: str = "") -> str:
    """`spec` holds the spec's lines, each indented by two spaces and joined by newlines."""
    where = f", namespace: {ns}" if ns else ""
    return f"apiVersion: v1\nkind: Service\nmetadata: {{name: {name}{where}}}\nspec:\n{spec}\n"


def pod(name: str, ip: str, labels: str = "app: web", ports: str = "{containerPort: 8080}", ns: str = "",
        node_name: str = "", owner: str = "") -> str:
    """A Running, Ready pod with one container declaring `ports` (a flow list's items)."""
    meta = [f"  name: {name}", f"  labels: {{{labels}}}"]
    if ns:
        meta.append(f"  namespace: {ns}")
    if owner:
        meta.append(f"  ownerReferences: [{{apiVersion: apps/v1, kind: ReplicaSet, name: {owner}, uid: u-{owner}, "
                    "controller: true}]")
    spec = [f"  nodeName: {node_name}"] if node_name else []
    spec += ["  containers:", "  - name: app", "    image: registry.example/app:1"]
    if ports:
        spec.append(f"    ports: [{ports}]")
    return ("apiVersion: v1\nkind: Pod\nmetadata:\n" + "\n".join(meta) + "\nspec:\n" + "\n".join(spec)
            + f"\nstatus:\n  phase: Running\n  podIP: {ip}\n  conditions: [{{type: Ready, status: 'True'}}]\n")


def ingress_class(name: str = "nginx", controller: str = "k8s.io/ingress-nginx") -> str:
    return (f"apiVersion: networking.k8s.io/v1\nkind: IngressClass\nmetadata: {{name: {name}}}\n"
            f"spec: {{controller: {controller}}}\n")


def ingress(name: str, spec: str) -> str:
    """An Ingress of class nginx; `spec` holds the lines after ingressClassName."""
    return (f"apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {{name: {name}}}\n"
            f"spec:\n  ingressClassName: nginx\n{spec}\n")


def policy(name: str, spec: str, ns: str = "") -> str:
    where = f", namespace: {ns}" if ns else ""
    return (f"apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: {name}{where}}}\n"
            f"spec:\n{spec}\n")


def docs(*parts: str) -> str:
    """Documents joined with `---`."""
    return "---\n".join(parts)
