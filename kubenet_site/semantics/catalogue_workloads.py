"""Codes of workload expansion (expansion.py) and of the doors that create namespaces or refuse
writes to generated objects (interfaces.md "Workloads" and "Missing namespaces")."""

from __future__ import annotations

from .catalogue import BUILD, ERROR, INFO, INPUT, WARNING, Rule, register

NS = "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n"
NODE = ("apiVersion: v1\nkind: Node\nmetadata: {name: worker-1}\nspec: {podCIDR: 10.244.1.0/24}\n"
        "status: {addresses: [{type: InternalIP, address: 10.0.0.11}]}\n")


def deployment(spec_extra: str = "", labels: str = "{app: web}", replicas: int = 1) -> str:
    return ("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\nspec:\n"
            f"  replicas: {replicas}\n  selector: {{matchLabels: {{app: web}}}}\n  template:\n"
            f"    metadata: {{labels: {labels}}}\n"
            f"    spec: {{{spec_extra}containers: [{{name: web, image: nginx}}]}}\n")


def docs(*parts: str) -> str:
    return "---\n".join(parts)


CRONJOB = ("apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: nightly, namespace: shop}\nspec:\n"
           "  schedule: \"0 1 * * *\"\n  jobTemplate:\n    spec:\n      template:\n"
           "        spec: {restartPolicy: OnFailure, containers: [{name: c, image: busybox}]}\n")

register(Rule(
    "cluster-nodes-assumed", INFO, BUILD,
    "Workloads need nodes and the manifests bring no worker Node: the cluster's own nodes (cluster key `nodes`, "
    "default 3) are assumed, with pod CIDRs carved from the cluster's podCIDR.",
    "interfaces.md \"Workloads\" (kubenet's rule for manifests without Nodes)",
    docs(NS, deployment()), docs(NS, NODE, deployment())))

register(Rule(
    "pod-unschedulable", WARNING, BUILD,
    "No node passes the scheduler's filters for a workload's pods (nodeSelector, required node affinity, "
    "unschedulable, untolerated NoSchedule/NoExecute taints): its pods stay Pending and serve nothing.",
    "pkg/scheduler/framework/plugins (NodeAffinity, TaintToleration, NodeUnschedulable)",
    docs(NS, NODE, deployment("nodeSelector: {disk: ssd}, ")), docs(NS, NODE, deployment())))

register(Rule(
    "cronjob-has-no-job", INFO, BUILD,
    "A CronJob has no pods until its schedule creates a Job; none of its Jobs is in the manifests, so it takes "
    "part in no endpoint or matrix.",
    "pkg/controller/cronjob/cronjob_controllerv2.go (Jobs are created at schedule times)",
    docs(NS, NODE, CRONJOB), docs(NS, NODE)))

register(Rule(
    "workload-invalid", WARNING, BUILD,
    "A workload the API server would refuse (its selector does not match its template's labels, or its template "
    "is not a valid pod): its controller makes no pods.",
    "pkg/apis/apps/validation/validation.go (ValidateDeploymentSpec: selector does not match template labels)",
    docs(NS, NODE, deployment(labels="{app: api}")), docs(NS, NODE, deployment())))

register(Rule(
    "pod-address-exhausted", WARNING, BUILD,
    "A node's pod CIDR has no free address left for a generated pod (host-local IPAM hands out addresses from "
    ".2 up): that pod gets no IP and is no endpoint.",
    "containernetworking/plugins host-local IPAM (range allocation)",
    docs(NS, NODE.replace("10.244.1.0/24", "10.244.1.0/30"), deployment(replicas=3)),
    docs(NS, NODE, deployment(replicas=3))))

SVC_DB = ("apiVersion: v1\nkind: Service\nmetadata: {name: db, namespace: shop}\n"
          "spec: {clusterIP: None, selector: {app: db}, ports: [{name: pg, port: 5432}]}\n")

STS = ("apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: db, namespace: shop}\nspec:\n"
       "  serviceName: db\n  replicas: 1\n  selector: {matchLabels: {app: db}}\n  template:\n"
       "    metadata: {labels: {app: db}}\n    spec: {HOST containers: [{name: db, image: postgres}]}\n")

register(Rule(
    "generated-field-overridden", WARNING, BUILD,
    "A StatefulSet's template sets hostname or subdomain: the controller overwrites them with the pod's "
    "identity (its name and serviceName), so the template's values never take effect.",
    "pkg/controller/statefulset/stateful_set_utils.go (updateIdentity)",
    docs(NS, NODE, SVC_DB, STS.replace("HOST ", "hostname: primary, ")), docs(NS, NODE, SVC_DB, STS.replace("HOST ", ""))))

POD_DB0 = ("apiVersion: v1\nkind: Pod\nmetadata: {name: db-0, namespace: shop, labels: {app: other}}\n"
           "spec: {nodeName: worker-1, containers: [{name: c, image: busybox}]}\n")

register(Rule(
    "generated-name-conflict", WARNING, BUILD,
    "A pod a StatefulSet's controller would create already exists under that name and belongs to something else: "
    "the controller cannot create it.",
    "pkg/controller/statefulset/stateful_pod_control.go (CreateStatefulPod: AlreadyExists)",
    docs(NS, NODE, SVC_DB, POD_DB0, STS.replace("HOST ", "")),
    docs(NS, NODE, SVC_DB, POD_DB0.replace("db-0", "tools-0"), STS.replace("HOST ", ""))))

register(Rule(
    "namespace-created", INFO, INPUT,
    "Objects name a namespace that no manifest declares: the PATH doors and import create it, as "
    "`helm install --create-namespace` would (the query door leaves such objects out instead).",
    "interfaces.md \"Missing namespaces\"; helm install --create-namespace",
    deployment(), docs(NS, deployment())))

register(Rule(
    "generated-object", ERROR, INPUT,
    "A write names an object a workload's controller generates (a pod of a Deployment, say): it is derived, "
    "never stored; change the workload instead (answers 409).",
    "interfaces.md \"Workloads\" (generated objects are derived, never stored)",
    docs(NS, deployment(), "apiVersion: v1\nkind: Pod\nmetadata: {name: web-0, namespace: shop}\n"), docs(NS, deployment())))
