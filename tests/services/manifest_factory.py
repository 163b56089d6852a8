"""A deterministic generated topology, as manifests, for round-trip tests."""

from __future__ import annotations

import random


def generated_manifests(seed: int = 7, namespaces: int = 3, apps: int = 4) -> list[dict]:
    rng = random.Random(seed)
    out: list[dict] = []
    for n in range(namespaces):
        ns = f"team-{n}"
        out.append({"apiVersion": "v1", "kind": "Namespace",
                    "metadata": {"name": ns, "labels": {"team": str(n)}, "annotations": {"owner": f"t{n}@example.com"}}})
        for a in range(apps):
            app = f"app-{a}"
            port = rng.choice([8080, 9000, 3000])
            out.append({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": f"{app}-config", "namespace": ns},
                        "data": {"LEVEL": rng.choice(["info", "debug"]), "nested.json": '{"a": [1, 2]}'}})
            container = {
                "name": app, "image": f"registry.example.com/{app}:{a}.{n}",
                "ports": [{"name": "http", "containerPort": port, "protocol": "TCP"}],
                "env": [{"name": "MODE", "value": "prod"}, {"name": "ADDR", "value": "$(MODE)-$(HOSTNAME)"}],
                "livenessProbe": {"httpGet": {"path": "/live", "port": "http"}, "periodSeconds": rng.randint(5, 30)},
                "readinessProbe": {"tcpSocket": {"port": port}, "failureThreshold": 3},
                "resources": {"requests": {"cpu": f"{rng.randint(1, 9)}00m", "memory": "128Mi"},
                              "limits": {"memory": "256Mi"}},
            }
            out.append({"apiVersion": "apps/v1", "kind": "Deployment",
                        "metadata": {"name": app, "namespace": ns, "labels": {"app": app}},
                        "spec": {"replicas": 2, "selector": {"matchLabels": {"app": app}},
                                 "template": {"metadata": {"labels": {"app": app}}, "spec": {"containers": [container]}}}})
            for r in range(2):
                out.append({"apiVersion": "v1", "kind": "Pod",
                            "metadata": {"name": f"{app}-{r}", "namespace": ns, "labels": {"app": app, "replica": str(r)},
                                         "annotations": {"prometheus.io/scrape": "true"}},
                            "spec": {"containers": [container], "nodeName": "node-a"},
                            "status": {"phase": "Running", "podIP": f"10.244.{n}.{a * 10 + r + 2}",
                                       "podIPs": [{"ip": f"10.244.{n}.{a * 10 + r + 2}"}],
                                       "conditions": [{"type": "Ready", "status": "True"}]}})
            kind = ["ClusterIP", "NodePort", "LoadBalancer", "ClusterIP"][a % 4]
            spec: dict = {"type": kind, "selector": {"app": app},
                          "ports": [{"name": "http", "port": 80, "targetPort": "http", "protocol": "TCP"}]}
            if a == 3:
                spec["clusterIP"] = "None"
            out.append({"apiVersion": "v1", "kind": "Service",
                        "metadata": {"name": app, "namespace": ns, "annotations": {"note": f"svc {a}"}}, "spec": spec})
        out.append({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
                    "metadata": {"name": "deny-ingress", "namespace": ns},
                    "spec": {"podSelector": {}, "policyTypes": ["Ingress"]}})
        out.append({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "external-db", "namespace": ns},
                    "spec": {"type": "ExternalName", "externalName": f"db{n}.example.com"}})
    out.insert(0, {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "node-a", "labels": {"topology.kubernetes.io/zone": "z1"}},
                   "status": {"addresses": [{"type": "InternalIP", "address": "10.0.0.5"}]}})
    return out
