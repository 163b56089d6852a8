"""Create/edit forms for the kinds of this app; repeated parts are rows (services.rowforms)."""

from __future__ import annotations

from django import forms

from kubenet_site.semantics.labels import (
    SelectorSyntaxError,
    as_label_selector,
    describe,
    parse_selector,
    parse_selector_string,
)

from .rowforms import KeyValueField, ListField, ObjectForm, RowForm, get_path, register_row, set_path

PROTOCOLS = [("", "(TCP)"), ("TCP", "TCP"), ("UDP", "UDP"), ("SCTP", "SCTP")]


def optional_choice(values: list[str] | tuple[str, ...], blank: str = "(default)") -> list[tuple[str, str]]:
    return [("", blank)] + [(v, v) for v in values]


def int_or_name(text: str) -> int | str | None:
    text = (text or "").strip()
    if not text:
        return None
    return int(text) if text.isdigit() else text


class IntOrNameField(forms.CharField):
    """A port: a number or a port name (targetPort, a policy port)."""

    def prepare_value(self, value):
        return "" if value is None else str(value)

    def to_python(self, value):
        return int_or_name(super().to_python(value))


class TriStateField(forms.ChoiceField):
    """A boolean that may also be absent (the API server's default applies)."""

    def __init__(self, **kwargs) -> None:
        super().__init__(choices=[("", "(default)"), ("true", "true"), ("false", "false")], required=False, **kwargs)

    def prepare_value(self, value):
        return {True: "true", False: "false"}.get(value, value or "")

    def to_python(self, value):
        return {"true": True, "false": False}.get(super().to_python(value))

    def validate(self, value) -> None:  # the choices were checked on the text
        pass


class SelectorStringField(forms.CharField):
    """A metav1.LabelSelector written in kubectl's `-l` syntax; `*` is `{}` (everything),
    blank is no selector at all."""

    keeps_empty = True

    def prepare_value(self, value):
        if isinstance(value, dict):
            return describe(parse_selector(value)).replace("<none>", "*")
        return value

    def to_python(self, value):
        text = (super().to_python(value) or "").strip()
        if not text:
            return None
        if text == "*":
            return {}
        try:
            return as_label_selector(parse_selector_string(text))
        except SelectorSyntaxError as exc:
            raise forms.ValidationError(str(exc)) from exc


# --- Namespace, Node ----------------------------------------------------------------------

class NamespaceForm(ObjectForm):
    KIND = "Namespace"
    NAMESPACED = False


class NodeForm(ObjectForm):
    KIND = "Node"
    NAMESPACED = False
    internal_ip = forms.CharField(required=False, label="InternalIP", help_text="status.addresses (InternalIP)")
    pod_cidrs = ListField(required=False, label="Pod CIDRs", help_text="spec.podCIDRs, comma separated")
    FIELD_PATHS = {"spec.podCIDRs": "pod_cidrs"}
    ERROR_PATHS = {"status.addresses": "internal_ip", "spec.podCIDR": "pod_cidrs"}

    def initial_extra(self, manifest: dict) -> dict:
        addresses = get_path(manifest, "status.addresses") or []
        return {"internal_ip": next((a.get("address") for a in addresses if a.get("type") == "InternalIP"), "")}

    def write_extra(self, doc: dict) -> None:
        ip = self.cleaned_data.get("internal_ip")
        addresses = [a for a in get_path(self.base, "status.addresses") or [] if a.get("type") != "InternalIP"]
        if ip:
            addresses.insert(0, {"type": "InternalIP", "address": ip})
        set_path(doc, "status.addresses", addresses or None)
        cidrs = self.cleaned_data.get("pod_cidrs")
        set_path(doc, "spec.podCIDR", cidrs[0] if cidrs else None)


# --- Pod --------------------------------------------------------------------------------------

@register_row
class ContainerPortRow(RowForm):
    KEY, TITLE = "container-port", "Ports"
    name = forms.CharField(required=False)
    container_port = forms.IntegerField(label="containerPort")
    protocol = forms.ChoiceField(choices=PROTOCOLS, required=False)
    FIELD_PATHS = {"name": "name", "containerPort": "container_port", "protocol": "protocol"}


@register_row
class ContainerRow(RowForm):
    KEY, TITLE = "container", "Containers"
    name = forms.CharField()
    image = forms.CharField(required=False)
    FIELD_PATHS = {"name": "name", "image": "image"}
    CHILDREN = {"ports": ("ports", "container-port")}


class PodForm(ObjectForm):
    KIND = "Pod"
    node_name = forms.CharField(required=False, label="Node", help_text="spec.nodeName")
    phase = forms.ChoiceField(required=False, choices=optional_choice(
        ("Pending", "Running", "Succeeded", "Failed", "Unknown"), "(Pending)"), help_text="status.phase")
    pod_ip = forms.CharField(required=False, label="Pod IP", help_text="status.podIP")
    ready = forms.BooleanField(required=False, help_text="status.conditions Ready=True")
    hostname = forms.CharField(required=False, help_text="spec.hostname")
    subdomain = forms.CharField(required=False, help_text="spec.subdomain")
    host_network = forms.BooleanField(required=False, label="hostNetwork")
    dns_policy = forms.ChoiceField(required=False, choices=optional_choice(
        ("ClusterFirst", "ClusterFirstWithHostNet", "Default", "None"), "(ClusterFirst)"), label="dnsPolicy")
    FIELD_PATHS = {"spec.nodeName": "node_name", "status.phase": "phase", "status.podIP": "pod_ip",
                   "spec.hostname": "hostname", "spec.subdomain": "subdomain", "spec.dnsPolicy": "dns_policy"}
    ERROR_PATHS = {"status.podIPs": "pod_ip", "spec.hostNetwork": "host_network", "status.conditions": "ready"}
    CHILDREN = {"containers": ("spec.containers", "container")}

    def initial_extra(self, manifest: dict) -> dict:
        conditions = get_path(manifest, "status.conditions") or []
        return {"ready": any(c.get("type") == "Ready" and c.get("status") == "True" for c in conditions),
                "host_network": bool(get_path(manifest, "spec.hostNetwork"))}

    def write_extra(self, doc: dict) -> None:
        ip = self.cleaned_data.get("pod_ip")
        ips = list(get_path(self.base, "status.podIPs") or [])
        if not ip:
            set_path(doc, "status.podIPs", None)
        elif not ips or ips[0].get("ip") != ip:  # podIPs[0] is podIP; the other family stays
            set_path(doc, "status.podIPs", [{"ip": ip}] + ips[1:])
        # A box left unticked keeps the field absent unless the manifest had it.
        had = get_path(self.base, "spec.hostNetwork") is not None
        set_path(doc, "spec.hostNetwork", True if self.cleaned_data.get("host_network") else (False if had else None))
        status = "True" if self.cleaned_data.get("ready") else "False"
        conditions = [dict(c) for c in get_path(self.base, "status.conditions") or []]
        ready = next((c for c in conditions if c.get("type") == "Ready"), None)
        if ready is not None:
            ready["status"] = status  # in place: the other conditions and their order stay
        elif status == "True":
            conditions.append({"type": "Ready", "status": "True"})
        set_path(doc, "status.conditions", conditions or None)


# --- Service ----------------------------------------------------------------------------------

@register_row
class ServicePortRow(RowForm):
    KEY, TITLE = "service-port", "Ports"
    name = forms.CharField(required=False)
    protocol = forms.ChoiceField(choices=PROTOCOLS, required=False)
    port = forms.IntegerField()
    target_port = IntOrNameField(required=False, label="targetPort")
    node_port = forms.IntegerField(required=False, label="nodePort")
    app_protocol = forms.CharField(required=False, label="appProtocol")
    FIELD_PATHS = {"name": "name", "protocol": "protocol", "port": "port", "targetPort": "target_port",
                   "nodePort": "node_port", "appProtocol": "app_protocol"}


class ServiceForm(ObjectForm):
    KIND = "Service"
    type = forms.ChoiceField(required=False, choices=optional_choice(
        ("ClusterIP", "NodePort", "LoadBalancer", "ExternalName"), "(ClusterIP)"), help_text="spec.type")
    selector = KeyValueField(required=False, help_text="spec.selector: key=value, one per line; "
                                                        "none: no selector (manual endpoints)")
    cluster_ip = forms.CharField(required=False, label="clusterIP", help_text='blank: allocated; "None": headless')
    external_name = forms.CharField(required=False, label="externalName")
    external_ips = ListField(required=False, label="externalIPs")
    external_traffic_policy = forms.ChoiceField(required=False, choices=optional_choice(("Cluster", "Local")),
                                                label="externalTrafficPolicy")
    internal_traffic_policy = forms.ChoiceField(required=False, choices=optional_choice(("Cluster", "Local")),
                                                label="internalTrafficPolicy")
    session_affinity = forms.ChoiceField(required=False, choices=optional_choice(("None", "ClientIP")),
                                         label="sessionAffinity")
    load_balancer_source_ranges = ListField(required=False, label="loadBalancerSourceRanges")
    load_balancer_class = forms.CharField(required=False, label="loadBalancerClass")
    health_check_node_port = forms.IntegerField(required=False, label="healthCheckNodePort")
    allocate_load_balancer_node_ports = TriStateField(label="allocateLoadBalancerNodePorts")
    publish_not_ready_addresses = TriStateField(label="publishNotReadyAddresses")
    ip_family_policy = forms.ChoiceField(required=False, label="ipFamilyPolicy", choices=optional_choice(
        ("SingleStack", "PreferDualStack", "RequireDualStack")))
    ERROR_PATHS = {"spec.clusterIPs": "cluster_ip", "spec.ipFamilies": "cluster_ip"}
    FIELD_PATHS = {"spec.type": "type", "spec.selector": "selector", "spec.clusterIP": "cluster_ip",
                   "spec.externalName": "external_name",
                   "spec.externalIPs": "external_ips", "spec.externalTrafficPolicy": "external_traffic_policy",
                   "spec.internalTrafficPolicy": "internal_traffic_policy",
                   "spec.sessionAffinity": "session_affinity",
                   "spec.loadBalancerSourceRanges": "load_balancer_source_ranges",
                   "spec.loadBalancerClass": "load_balancer_class", "spec.healthCheckNodePort": "health_check_node_port",
                   "spec.allocateLoadBalancerNodePorts": "allocate_load_balancer_node_ports",
                   "spec.publishNotReadyAddresses": "publish_not_ready_addresses",
                   "spec.ipFamilyPolicy": "ip_family_policy"}
    CHILDREN = {"ports": ("spec.ports", "service-port")}

    def write_extra(self, doc: dict) -> None:
        ip = self.cleaned_data.get("cluster_ip")
        old = get_path(self.base, "spec.clusterIPs")
        if old is None or (old[:1] == [ip]):
            return  # absent: the API server fills clusterIPs from clusterIP; unchanged: kept
        # clusterIPs[0] must equal clusterIP (the API server's validation); the second family stays.
        set_path(doc, "spec.clusterIPs", None if not ip else ["None"] if ip == "None" else [ip] + old[1:])


# --- NetworkPolicy ----------------------------------------------------------------------------

@register_row
class PolicyPortRow(RowForm):
    KEY, TITLE = "policy-port", "Ports"
    protocol = forms.ChoiceField(choices=PROTOCOLS, required=False)
    port = IntOrNameField(required=False, help_text="number or name; blank: every port")
    end_port = forms.IntegerField(required=False, label="endPort")
    FIELD_PATHS = {"protocol": "protocol", "port": "port", "endPort": "end_port"}


@register_row
class PolicyPeerRow(RowForm):
    KEY, TITLE = "policy-peer", "Peers"
    pod_selector = SelectorStringField(required=False, label="podSelector",
                                       help_text="-l syntax; * every pod; blank: not set")
    namespace_selector = SelectorStringField(required=False, label="namespaceSelector",
                                             help_text="-l syntax; * every namespace; blank: not set")
    cidr = forms.CharField(required=False, label="ipBlock.cidr")
    except_ = ListField(required=False, label="ipBlock.except")
    FIELD_PATHS = {"podSelector": "pod_selector", "namespaceSelector": "namespace_selector",
                   "ipBlock.cidr": "cidr", "ipBlock.except": "except_"}
    ERROR_PATHS = {"ipBlock": "cidr"}


@register_row
class IngressRuleRow(RowForm):
    KEY, TITLE = "policy-ingress-rule", "Ingress rules"
    CHILDREN = {"from": ("from", "policy-peer"), "ports": ("ports", "policy-port")}


@register_row
class EgressRuleRow(RowForm):
    KEY, TITLE = "policy-egress-rule", "Egress rules"
    CHILDREN = {"to": ("to", "policy-peer"), "ports": ("ports", "policy-port")}


class NetworkPolicyForm(ObjectForm):
    KIND = "NetworkPolicy"
    API_VERSION = "networking.k8s.io/v1"
    pod_selector = SelectorStringField(required=False, label="podSelector",
                                       help_text="-l syntax (app=web,tier in (a,b)); * or blank: every pod")
    policy_types = forms.MultipleChoiceField(required=False, choices=[("Ingress", "Ingress"), ("Egress", "Egress")],
                                             widget=forms.CheckboxSelectMultiple, label="policyTypes",
                                             help_text="none ticked: Ingress, plus Egress with egress rules")
    FIELD_PATHS = {"spec.podSelector": "pod_selector", "spec.policyTypes": "policy_types"}
    CHILDREN = {"ingress": ("spec.ingress", "policy-ingress-rule"), "egress": ("spec.egress", "policy-egress-rule")}

    def write_extra(self, doc: dict) -> None:
        set_path(doc, "spec.podSelector", self.cleaned_data.get("pod_selector") or {})  # required, {} = all


# --- EndpointSlice ----------------------------------------------------------------------------

@register_row
class SliceEndpointRow(RowForm):
    KEY, TITLE = "slice-endpoint", "Endpoints"
    addresses = ListField()
    ready = forms.BooleanField(required=False, help_text="conditions.ready")
    node_name = forms.CharField(required=False, label="nodeName")
    hostname = forms.CharField(required=False)
    FIELD_PATHS = {"addresses": "addresses", "nodeName": "node_name", "hostname": "hostname"}
    ERROR_PATHS = {"conditions": "ready"}

    def initial_from(self, doc: dict) -> dict:
        initial = super().initial_from(doc)
        initial["ready"] = get_path(doc, "conditions.ready") is not False
        return initial

    def write(self, doc: dict) -> None:
        super().write(doc)
        set_path(doc, "conditions.ready", bool(self.cleaned_data.get("ready")))


@register_row
class SlicePortRow(RowForm):
    KEY, TITLE = "slice-port", "Ports"
    name = forms.CharField(required=False)
    port = forms.IntegerField(required=False)
    protocol = forms.ChoiceField(choices=PROTOCOLS, required=False)
    FIELD_PATHS = {"name": "name", "port": "port", "protocol": "protocol"}


class EndpointSliceForm(ObjectForm):
    KIND = "EndpointSlice"
    API_VERSION = "discovery.k8s.io/v1"
    service = forms.CharField(label="Service", help_text="label kubernetes.io/service-name")
    address_type = forms.ChoiceField(choices=[("IPv4", "IPv4"), ("IPv6", "IPv6"), ("FQDN", "FQDN")],
                                     label="addressType")
    FIELD_PATHS = {"addressType": "address_type"}
    CHILDREN = {"endpoints": ("endpoints", "slice-endpoint"), "ports": ("ports", "slice-port")}

    def initial_extra(self, manifest: dict) -> dict:
        return {"service": (get_path(manifest, "metadata.labels") or {}).get("kubernetes.io/service-name", "")}

    def write_extra(self, doc: dict) -> None:
        labels = dict(get_path(doc, "metadata.labels") or {})
        labels["kubernetes.io/service-name"] = self.cleaned_data["service"]
        set_path(doc, "metadata.labels", labels)
        if get_path(doc, "endpoints") is None:
            doc["endpoints"] = []  # required (may be empty)


# --- Endpoints (the legacy kind: subsets of addresses and ports) ---------------------------

def address_docs(ips: list[str] | None, old: list | None) -> list[dict] | None:
    """`[{ip: ...}]` for the IPs, each keeping what its old entry had (hostname, nodeName, targetRef)."""
    if not ips:
        return None
    by_ip = {a.get("ip"): a for a in old or [] if isinstance(a, dict)}
    return [{**by_ip.get(ip, {}), "ip": ip} for ip in ips]


@register_row
class EndpointPortRow(RowForm):
    KEY, TITLE = "endpoints-port", "Ports"
    name = forms.CharField(required=False)
    port = forms.IntegerField()
    protocol = forms.ChoiceField(choices=PROTOCOLS, required=False)
    FIELD_PATHS = {"name": "name", "port": "port", "protocol": "protocol"}


@register_row
class EndpointSubsetRow(RowForm):
    KEY, TITLE = "endpoints-subset", "Subsets"
    addresses = ListField(required=False, help_text="ready IPs")
    not_ready = ListField(required=False, label="notReadyAddresses", help_text="IPs not ready")
    ERROR_PATHS = {"addresses": "addresses", "notReadyAddresses": "not_ready"}
    CHILDREN = {"ports": ("ports", "endpoints-port")}

    def initial_from(self, doc: dict) -> dict:
        return {"addresses": [a.get("ip", "") for a in doc.get("addresses") or []],
                "not_ready": [a.get("ip", "") for a in doc.get("notReadyAddresses") or []]}

    def write(self, doc: dict) -> None:
        doc_addresses = address_docs(self.cleaned_data.get("addresses"), doc.get("addresses"))
        doc_not_ready = address_docs(self.cleaned_data.get("not_ready"), doc.get("notReadyAddresses"))
        set_path(doc, "addresses", doc_addresses)
        set_path(doc, "notReadyAddresses", doc_not_ready)


class EndpointsForm(ObjectForm):
    """The legacy Endpoints of a Service without selector: named as the Service."""

    KIND = "Endpoints"
    CHILDREN = {"subsets": ("subsets", "endpoints-subset")}
