"""What the API server refuses: every error's object and field path, and its message.

Expected messages are upstream's literal texts: pkg/apis/core/validation/validation.go,
pkg/apis/networking/validation/validation.go, apimachinery pkg/util/validation, the Service
REST allocators (pkg/registry/core/service/{ipallocator,portallocator}) and real kubectl
output quoted in upstream issues ("spec.ports[0].nodePort: Invalid value: 8102: provided port is
not in the valid range. The range of valid ports is 30000-32767").
"""

from __future__ import annotations

import pytest

from kubenet_site.semantics.manifests import build_snapshot, parse_cluster
from tests.semantics.manifest_builders import ing_m, ingclass_m, np_m, ns_m, pod_m, rule, svc_m

DNS1035 = ("a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an "
           "alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', "
           "regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')")
DNS1123_LABEL = ("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and "
                 "must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used "
                 "for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')")
DNS1123_SUB = ("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', "
               "and must start and end with an alphanumeric character (e.g. 'example.com', regex used for "
               "validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')")
PORT_RANGE = "must be between 1 and 65535, inclusive"
IP_MSG = "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"
PROTO = 'supported values: "SCTP", "TCP", "UDP"'
SVC = "Service/default/web"
POD = "Pod/default/p"
ING = "Ingress/default/ing"
NP = "NetworkPolicy/default/np"


def two(a: dict, b: dict) -> list[dict]:
    return [a, b]


def named(*ports: dict) -> list[dict]:
    return list(ports)


CASES = [
    # --- Service names --------------------------------------------------------------------------
    pytest.param([svc_m("Web")], None, {"Service/default/Web metadata.name": f'Invalid value: "Web": {DNS1035}'},
                 id="Service name with a capital letter is not a DNS-1035 label"),
    pytest.param([svc_m("1web")], None, {"Service/default/1web metadata.name": DNS1035},
                 id="Service name starting with a digit (DNS-1035 needs a letter first)"),
    pytest.param([svc_m("web.v1")], None, {"Service/default/web.v1 metadata.name": DNS1035},
                 id="Service name with a dot"),
    pytest.param([svc_m("a" * 64)], None,
                 {f"Service/default/{'a' * 64} metadata.name": "must be no more than 63 characters"},
                 id="Service name of 64 characters"),
    pytest.param([svc_m("a" * 63)], None, {}, id="Service name of exactly 63 characters is fine"),
    pytest.param([svc_m(metadata={"labels": {"-bad": "x"}})], None, {f"{SVC} metadata.labels": '"-bad"'},
                 id="label key starting with a dash"),
    pytest.param([svc_m(metadata={"labels": {"app": "a b"}})], None,
                 {f"{SVC} metadata.labels": "a valid label must be an empty string"},
                 id="label value with a space"),
    pytest.param([svc_m(metadata={"labels": {"example.com/app": "", "a/b/c": "x"}})], None,
                 {f"{SVC} metadata.labels": "a qualified name"},
                 id="label key with two slashes (empty value is fine)"),
    # --- Service ports -------------------------------------------------------------------------
    pytest.param([svc_m(ports=[{"port": 80}, {"port": 81}])], None,
                 {f"{SVC} spec.ports[0].name": "Required value", f"{SVC} spec.ports[1].name": "Required value"},
                 id="two ports without names: each needs one"),
    pytest.param([svc_m(ports=[{"port": 80, "name": "http"}, {"port": 81, "name": "http"}])], None,
                 {f"{SVC} spec.ports[1].name": 'Duplicate value: "http"'}, id="duplicate port names"),
    pytest.param([svc_m(ports=[{"port": 80, "name": "HTTP"}])], None,
                 {f"{SVC} spec.ports[0].name": DNS1123_LABEL},
                 id="Service port name is a DNS-1123 label (no capitals)"),
    pytest.param([svc_m(ports=[{"port": 80, "name": "a-very-long-port-name"}])], None, {},
                 id="Service port names may be longer than 15 (DNS-1123 label, not IANA_SVC_NAME)"),
    pytest.param([svc_m(ports=[{"port": 0}])], None,
                 {f"{SVC} spec.ports[0].port": f"Invalid value: 0: {PORT_RANGE}",
                  f"{SVC} spec.ports[0].targetPort": f"Invalid value: 0: {PORT_RANGE}"},
                 id="port 0 (targetPort defaults to it and fails too)"),
    pytest.param([svc_m(ports=[{"port": 65536, "targetPort": 8080}])], None,
                 {f"{SVC} spec.ports[0].port": f"Invalid value: 65536: {PORT_RANGE}"}, id="port 65536"),
    pytest.param([svc_m(ports=[{"port": 65535}])], None, {}, id="port 65535 is the last valid one"),
    pytest.param([svc_m(ports=[{"port": 80, "targetPort": 0}])], None, {}, id="targetPort 0 defaults to port"),
    pytest.param([svc_m(ports=[{"port": 80, "targetPort": "8080"}])], None,
                 {f"{SVC} spec.ports[0].targetPort": 'Invalid value: "8080": must contain at least one letter (a-z)'},
                 id="quoted targetPort '8080' is a port name, and names need a letter"),
    pytest.param([svc_m(ports=[{"port": 80, "targetPort": "metrics-endpoint"}])], None,
                 {f"{SVC} spec.ports[0].targetPort": "must be no more than 15 characters"},
                 id="targetPort name of 16 characters (IANA_SVC_NAME)"),
    pytest.param([svc_m(ports=[{"port": 80, "targetPort": "web--x"}])], None,
                 {f"{SVC} spec.ports[0].targetPort": "must not contain consecutive hyphens"},
                 id="targetPort name with consecutive hyphens"),
    pytest.param([svc_m(ports=[{"port": 80, "targetPort": "-web"}])], None,
                 {f"{SVC} spec.ports[0].targetPort": "must not begin or end with a hyphen"},
                 id="targetPort name starting with a hyphen"),
    pytest.param([svc_m(ports=[{"port": 80, "protocol": "tcp"}])], None,
                 {f"{SVC} spec.ports[0].protocol": f'Unsupported value: "tcp": {PROTO}'},
                 id="protocol is case-sensitive"),
    pytest.param([svc_m(ports=[{"port": 80, "protocol": "HTTP"}])], None,
                 {f"{SVC} spec.ports[0].protocol": 'Unsupported value: "HTTP"'}, id="protocol HTTP"),
    pytest.param([svc_m(ports=[{"port": 80, "name": "a"}, {"port": 80, "name": "b"}])], None,
                 {f"{SVC} spec.ports[1]": 'Duplicate value: core.ServicePort{Name:"", Protocol:"TCP", '
                                          'AppProtocol:(*string)(nil), Port:80, '},
                 id="same port and protocol twice"),
    pytest.param([svc_m(ports=[{"port": 53, "name": "dns", "protocol": "UDP"},
                               {"port": 53, "name": "dns-tcp", "protocol": "TCP"}])], None, {},
                 id="same port number, different protocols"),
    pytest.param([svc_m(ports=None)], None, {f"{SVC} spec.ports": "Required value"},
                 id="ClusterIP Service without ports"),
    pytest.param([svc_m(ports=None, clusterIP="None")], None, {}, id="headless Service may have no ports"),
    pytest.param([svc_m(ports=[{"port": 80, "appProtocol": "kubernetes.io/h2c"}])], None, {},
                 id="appProtocol a qualified name"),
    # --- ExternalName ---------------------------------------------------------------------------
    pytest.param([svc_m(ports=None, type="ExternalName", externalName="db.example.com")], None, {},
                 id="ExternalName needs no ports"),
    pytest.param([svc_m(ports=None, type="ExternalName")], None, {f"{SVC} spec.externalName": "Required value"},
                 id="ExternalName without externalName"),
    pytest.param([svc_m(type="ExternalName", externalName="db.example.com.")], None, {},
                 id="externalName with a trailing dot (fully qualified)"),
    pytest.param([svc_m(type="ExternalName", externalName="Not_Valid")], None,
                 {f"{SVC} spec.externalName": DNS1123_SUB}, id="externalName not a DNS subdomain"),
    pytest.param([svc_m(type="ExternalName", externalName="db.example.com", clusterIP="10.96.0.5")], None,
                 {f"{SVC} spec.clusterIPs": "Forbidden: may not be set for ExternalName services"},
                 id="ExternalName with a clusterIP"),
    # --- headless and types ---------------------------------------------------------------------
    pytest.param([svc_m(type="NodePort", clusterIP="None")], None,
                 {f"{SVC} spec.clusterIPs[0]": 'Invalid value: "None": may not be set to \'None\' for NodePort services'},
                 id="NodePort cannot be headless"),
    pytest.param([svc_m(type="LoadBalancer", clusterIP="None")], None,
                 {f"{SVC} spec.clusterIPs[0]": "may not be set to 'None' for LoadBalancer services"},
                 id="LoadBalancer cannot be headless"),
    pytest.param([svc_m(type="Internal")], None,
                 {f"{SVC} spec.type": 'Unsupported value: "Internal": supported values: "ClusterIP", '
                                      '"ExternalName", "LoadBalancer", "NodePort"'},
                 id="unknown Service type"),
    # --- node ports -----------------------------------------------------------------------------
    pytest.param([svc_m(ports=[{"port": 80, "nodePort": 30080}])], None,
                 {f"{SVC} spec.ports[0].nodePort": "Forbidden: may not be used when `type` is 'ClusterIP'"},
                 id="nodePort on a ClusterIP Service"),
    pytest.param([svc_m(type="NodePort", ports=[{"port": 80, "nodePort": 8102}])], None,
                 {f"{SVC} spec.ports[0].nodePort": "Invalid value: 8102: provided port is not in the valid range. "
                                                   "The range of valid ports is 30000-32767"},
                 id="nodePort below the range"),
    pytest.param([svc_m(type="NodePort", ports=[{"port": 80, "nodePort": 31536}])], {"nodePortRange": "20000-22767"},
                 {f"{SVC} spec.ports[0].nodePort": "Invalid value: 31536: provided port is not in the valid range. "
                                                   "The range of valid ports is 20000-22767"},
                 id="nodePort outside a custom range"),
    pytest.param([svc_m(type="NodePort", ports=[{"port": 80, "nodePort": 32767}])], None, {},
                 id="nodePort 32767, the last of the default range"),
    pytest.param([svc_m("a", type="NodePort", ports=[{"port": 80, "nodePort": 30080}]),
                  svc_m("b", type="NodePort", ports=[{"port": 81, "nodePort": 30080, "protocol": "UDP"}])], None,
                 {"Service/default/b spec.ports[0].nodePort": "Invalid value: 30080: provided port is already allocated"},
                 id="nodePort taken by an earlier Service, even for another protocol"),
    pytest.param([svc_m(type="NodePort", ports=[{"port": 80, "name": "a", "nodePort": 30080},
                                                {"port": 81, "name": "b", "nodePort": 30080}])], None,
                 {f"{SVC} spec.ports[1].nodePort": "provided port is already allocated"},
                 id="one nodePort for two different ports of one Service"),
    pytest.param([svc_m(type="NodePort", ports=[{"port": 53, "name": "a", "nodePort": 30053},
                                                {"port": 53, "name": "b", "protocol": "UDP", "nodePort": 30053}])],
                 None, {}, id="one nodePort for TCP and UDP of the same port"),
    pytest.param([svc_m(type="NodePort", externalTrafficPolicy="Local", healthCheckNodePort=30500)], None,
                 {f"{SVC} spec.healthCheckNodePort": "may only be set when `type` is 'LoadBalancer' and "
                                                     "`externalTrafficPolicy` is 'Local'"},
                 id="healthCheckNodePort on a NodePort Service"),
    pytest.param([svc_m(type="NodePort", externalTrafficPolicy="Global")], None,
                 {f"{SVC} spec.externalTrafficPolicy": 'Unsupported value: "Global": supported values: "Cluster", '
                                                       '"Local"'},
                 id="externalTrafficPolicy Global (pre-1.14 spelling)"),
    pytest.param([svc_m(externalTrafficPolicy="Local")], None,
                 {f"{SVC} spec.externalTrafficPolicy": "may only be set for externally-accessible services"},
                 id="externalTrafficPolicy on a ClusterIP Service"),
    pytest.param([svc_m(externalTrafficPolicy="Local", externalIPs=["203.0.113.10"])], None, {},
                 id="externalTrafficPolicy on a ClusterIP Service with externalIPs"),
    pytest.param([svc_m(type="NodePort", allocateLoadBalancerNodePorts=False)], None,
                 {f"{SVC} spec.allocateLoadBalancerNodePorts": "may only be used when `type` is 'LoadBalancer'"},
                 id="allocateLoadBalancerNodePorts on a NodePort Service"),
    pytest.param([svc_m(loadBalancerSourceRanges=["10.0.0.0/8"])], None,
                 {f"{SVC} spec.LoadBalancerSourceRanges": "may only be used when `type` is 'LoadBalancer'"},
                 id="loadBalancerSourceRanges on a ClusterIP Service (upstream's capital L)"),
    pytest.param([svc_m(type="LoadBalancer", loadBalancerSourceRanges=["10.0.0.0/33"])], None,
                 {f"{SVC} spec.LoadBalancerSourceRanges[0]": "must be a valid CIDR value"},
                 id="loadBalancerSourceRanges entry not a CIDR"),
    pytest.param([svc_m(internalTrafficPolicy="Zonal")], None,
                 {f"{SVC} spec.internalTrafficPolicy": 'Unsupported value: "Zonal"'}, id="internalTrafficPolicy Zonal"),
    # --- session affinity -----------------------------------------------------------------------
    pytest.param([svc_m(sessionAffinity="Sticky")], None,
                 {f"{SVC} spec.sessionAffinity": 'Unsupported value: "Sticky": supported values: "ClientIP", "None"'},
                 id="sessionAffinity Sticky"),
    pytest.param([svc_m(sessionAffinity="ClientIP", sessionAffinityConfig={"clientIP": {"timeoutSeconds": 0}})],
                 None, {f"{SVC} spec.sessionAffinityConfig.clientIP.timeoutSeconds":
                        "Invalid value: 0: must be greater than 0 and less than 86400"},
                 id="ClientIP timeout 0"),
    pytest.param([svc_m(sessionAffinity="ClientIP", sessionAffinityConfig={"clientIP": {"timeoutSeconds": 86401}})],
                 None, {f"{SVC} spec.sessionAffinityConfig.clientIP.timeoutSeconds": "86401"},
                 id="ClientIP timeout 86401"),
    pytest.param([svc_m(sessionAffinity="ClientIP", sessionAffinityConfig={"clientIP": {"timeoutSeconds": 86400}})],
                 None, {}, id="ClientIP timeout 86400 (one day) is the maximum"),
    pytest.param([svc_m(sessionAffinity="None", sessionAffinityConfig={"clientIP": {"timeoutSeconds": 0}})],
                 None, {}, id="sessionAffinityConfig dropped by defaulting when affinity is None"),
    # --- cluster IPs ----------------------------------------------------------------------------
    pytest.param([svc_m(clusterIP="abc")], None, {f"{SVC} spec.clusterIPs[0]": f'Invalid value: "abc": {IP_MSG}'},
                 id="clusterIP not an IP"),
    pytest.param([svc_m(clusterIP="10.0.0.1")], None,
                 {f"{SVC} spec.clusterIPs": 'Invalid value: []string{"10.0.0.1"}: failed to allocate IP 10.0.0.1: '
                                           "provided IP is not in the valid range. The range of valid IPs is "
                                           "10.96.0.0/12"},
                 id="clusterIP outside the service CIDR"),
    pytest.param([svc_m(clusterIP="0.0.0.0")], {"serviceCIDR": "10.19.0.0/18"},
                 {f"{SVC} spec.clusterIPs": 'Invalid value: []string{"0.0.0.0"}: failed to allocate IP 0.0.0.0: '
                                           "provided IP is not in the valid range. The range of valid IPs is "
                                           "10.19.0.0/18"},
                 id="clusterIP 0.0.0.0 (upstream's e2e probe for the range)"),
    pytest.param([svc_m(clusterIP="10.96.0.0")], None, {f"{SVC} spec.clusterIPs": "not in the valid range"},
                 id="the network address of the CIDR is not allocatable"),
    pytest.param([svc_m(clusterIP="10.111.255.255")], None, {f"{SVC} spec.clusterIPs": "not in the valid range"},
                 id="the broadcast address of the CIDR is not allocatable"),
    pytest.param([svc_m(clusterIP="10.111.255.254")], None, {}, id="the last host address is allocatable"),
    pytest.param([svc_m("a", clusterIP="10.96.0.50"), svc_m("b", clusterIP="10.96.0.50")], None,
                 {"Service/default/b spec.clusterIPs": "failed to allocate IP 10.96.0.50: provided IP is already "
                                                      "allocated"},
                 id="the same clusterIP twice: the later Service loses"),
    pytest.param([svc_m(clusterIP="10.96.0.5", clusterIPs=["10.96.0.6"])], None,
                 {f"{SVC} spec.clusterIPs": "first value must match `clusterIP`"}, id="clusterIP and clusterIPs disagree"),
    pytest.param([svc_m(clusterIPs=["None", "10.96.0.5"])], None,
                 {f"{SVC} spec.clusterIPs": "'None' must be the first and only value"}, id="None among clusterIPs"),
    pytest.param([svc_m(clusterIP="fd00::10")], None,
                 {f"{SVC} spec.clusterIPs[0]": "IPv6 is not configured on this cluster"},
                 id="IPv6 clusterIP on an IPv4 cluster"),
    pytest.param([svc_m(ipFamilyPolicy="RequireDualStack")], None,
                 {f"{SVC} spec.ipFamilyPolicy": "this cluster is not configured for dual-stack services"},
                 id="RequireDualStack on a single-stack cluster"),
    pytest.param([svc_m(ipFamilyPolicy="PreferDualStack")], None, {}, id="PreferDualStack on a single-stack cluster"),
    pytest.param([svc_m(ipFamilies=["IPv5"])], None,
                 {f"{SVC} spec.ipFamilies[0]": 'Unsupported value: "IPv5": supported values: "IPv4", "IPv6"'},
                 id="ipFamilies IPv5"),
    pytest.param([svc_m(clusterIPs=["10.96.0.5", "10.96.0.6"], ipFamilyPolicy="PreferDualStack")],
                 {"serviceCIDR": "10.96.0.0/12,fd00::/108"},
                 {f"{SVC} spec.clusterIPs": "may specify no more than one IP for each IP family"},
                 id="two IPv4 clusterIPs"),
    pytest.param([svc_m(externalIPs=["127.0.0.1"])], None,
                 {f"{SVC} spec.externalIPs[0]": "may not be in the loopback range (127.0.0.0/8, ::1/128)"},
                 id="externalIPs loopback"),
    pytest.param([svc_m(externalIPs=["1.2.3"])], None, {f"{SVC} spec.externalIPs[0]": IP_MSG},
                 id="externalIPs not an IP"),
    pytest.param([svc_m(selector={"app": "web server"})], None, {f"{SVC} spec.selector": "a valid label"},
                 id="selector value with a space"),
    # --- objects, namespaces, existence -----------------------------------------------------------
    pytest.param([ns_m("Shop")], None, {"Namespace/Shop metadata.name": DNS1123_LABEL},
                 id="namespace name with a capital"),
    pytest.param([ns_m("a.b")], None, {"Namespace/a.b metadata.name": DNS1123_LABEL},
                 id="namespace name with a dot (a label, not a subdomain)"),
    pytest.param([svc_m(ns="shop")], None, {"Service/shop/web metadata.namespace": 'namespaces "shop" not found'},
                 id="namespace not created"),
    pytest.param([svc_m(ns="shop"), ns_m("shop")], None,
                 {"Service/shop/web metadata.namespace": 'namespaces "shop" not found'},
                 id="namespace created by a later document is too late"),
    pytest.param([ns_m("shop"), svc_m(ns="shop")], None, {}, id="namespace created by an earlier document"),
    pytest.param([svc_m(ns="kube-system"), svc_m(ns="kube-node-lease"), svc_m(ns="kube-public")], None, {},
                 id="built-in namespaces exist"),
    pytest.param([svc_m(), svc_m()], None, {f"{SVC} metadata.name": 'services "web" already exists'},
                 id="same Service twice"),
    pytest.param([ns_m("shop"), ns_m("shop")], None, {"Namespace/shop metadata.name": 'namespaces "shop" already exists'},
                 id="same Namespace twice"),
    pytest.param([svc_m("web"), pod_m("web")], None, {}, id="a Service and a Pod may share a name"),
    pytest.param([svc_m("web"), svc_m("web", ns="kube-system")], None, {}, id="same name, other namespace"),
    pytest.param([{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "x", "namespace": "default"}}],
                 None, {}, id="namespace on a cluster-scoped object is cleared, not refused"),
    pytest.param([{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": 5}}], None,
                 {"Pod/? metadata.name": "Invalid value: 5: expected string"}, id="a number as the name"),
    pytest.param([svc_m(None)], None, {"Service/? metadata.name": "name or generateName is required"},
                 id="no name"),
    pytest.param([{"apiVersion": "v1", "metadata": {"name": "x"}}], None, {"?/x kind": "kind not set"},
                 id="no kind"),
    pytest.param([{"kind": "Service", "metadata": {"name": "x"}}], None, {"Service/x apiVersion": "apiVersion not set"},
                 id="no apiVersion"),
    pytest.param([{**ing_m(defaultBackend={"service": {"name": "web", "port": {"number": 80}}}),
                   "apiVersion": "extensions/v1beta1"}], None,
                 {"Ingress/ing apiVersion": 'no matches for kind "Ingress" in version "extensions/v1beta1"'},
                 id="Ingress in a removed API version"),
    pytest.param([svc_m(ports="80")], None, {f"{SVC} spec.ports": "expected array, got string"},
                 id="wrong type: a string where the ports list belongs"),
    pytest.param([svc_m(metadata={"labels": {"version": 1}})], None, {f"{SVC} metadata.labels.version": "string"},
                 id="wrong type: an unquoted number as a label value"),
    pytest.param([svc_m(ports=[{"port": "80"}])], None, {f"{SVC} spec.ports[0].port": "expected integer"},
                 id="wrong type: a quoted Service port"),
    # --- Pods -----------------------------------------------------------------------------------
    pytest.param([pod_m("web_1")], None, {"Pod/default/web_1 metadata.name": DNS1123_SUB},
                 id="pod name with an underscore"),
    pytest.param([pod_m("web.v1")], None, {}, id="pod names are DNS subdomains (dots allowed)"),
    pytest.param([pod_m(containers=None)], None, {f"{POD} spec.containers": "Required value"}, id="pod without containers"),
    pytest.param([pod_m(containers=[{"name": "app"}])], None, {f"{POD} spec.containers[0].image": "Required value"},
                 id="container without image"),
    pytest.param([pod_m(containers=[{"name": "app", "image": "x", "ports": [
        {"name": "http", "containerPort": 80}, {"name": "http", "containerPort": 81}]}])], None,
        {f"{POD} spec.containers[0].ports[1].name": 'Duplicate value: "http"'}, id="duplicate port name in a container"),
    pytest.param([pod_m(containers=[{"name": "a", "image": "x", "ports": [{"name": "http", "containerPort": 80}]},
                                    {"name": "b", "image": "x", "ports": [{"name": "http", "containerPort": 81}]}])],
                 None, {}, id="same port name in two containers (validateContainerPorts is per container)"),
    pytest.param([pod_m(containers=[{"name": "app", "image": "x", "ports": [
        {"name": "metrics-endpoint", "containerPort": 9090}]}])], None,
        {f"{POD} spec.containers[0].ports[0].name": "must be no more than 15 characters"},
        id="container port name of 16 characters"),
    pytest.param([pod_m(containers=[{"name": "app", "image": "x", "ports": [{"containerPort": 0}]}])], None,
                 {f"{POD} spec.containers[0].ports[0].containerPort": "Required value"}, id="containerPort 0"),
    pytest.param([pod_m(containers=[{"name": "app", "image": "x", "ports": [{"containerPort": 70000}]}])], None,
                 {f"{POD} spec.containers[0].ports[0].containerPort": PORT_RANGE}, id="containerPort 70000"),
    pytest.param([pod_m(containers=[{"name": "app", "image": "x", "ports": [{"containerPort": 80, "protocol": "ICMP"}]}])],
                 None, {f"{POD} spec.containers[0].ports[0].protocol": 'Unsupported value: "ICMP"'},
                 id="container port protocol ICMP"),
    pytest.param([pod_m(hostname="My_Host")], None, {f"{POD} spec.hostname": DNS1123_LABEL}, id="bad hostname"),
    pytest.param([pod_m(subdomain="a.b")], None, {f"{POD} spec.subdomain": DNS1123_LABEL},
                 id="subdomain is a label, not a subdomain"),
    pytest.param([pod_m(dnsPolicy="None")], None,
                 {f"{POD} spec.dnsConfig": "Required value: must provide `dnsConfig` when `dnsPolicy` is None"},
                 id="dnsPolicy None without dnsConfig"),
    pytest.param([pod_m(dnsPolicy="None", dnsConfig={"searches": ["a.com"]})], None,
                 {f"{POD} spec.dnsConfig.nameservers": "must provide at least one DNS nameserver when `dnsPolicy` is None"},
                 id="dnsPolicy None without nameservers"),
    pytest.param([pod_m(dnsConfig={"nameservers": ["1.1.1.1", "1.0.0.1", "8.8.8.8", "8.8.4.4"]})], None,
                 {f"{POD} spec.dnsConfig.nameservers": "must not have more than 3 nameservers"},
                 id="four nameservers"),
    pytest.param([pod_m(dnsConfig={"nameservers": ["dns.local"]})], None,
                 {f"{POD} spec.dnsConfig.nameservers[0]": IP_MSG}, id="nameserver not an IP"),
    pytest.param([pod_m(dnsPolicy="ClusterFirstt")], None, {f"{POD} spec.dnsPolicy": 'Unsupported value: "ClusterFirstt"'},
                 id="dnsPolicy typo"),
    pytest.param([pod_m(dnsConfig={"searches": ["ns1.svc.cluster.local."], "options": [{"value": "2"}]})], None,
                 {f"{POD} spec.dnsConfig.options[0]": "must not be empty"}, id="dns option without a name"),
    pytest.param([pod_m(hostNetwork=True, containers=[{"name": "app", "image": "x", "ports": [
        {"containerPort": 80, "hostPort": 8080}]}])], None,
        {f"{POD} spec.containers[0].ports[0].hostPort": "must match `containerPort` when `hostNetwork` is true"},
        id="hostNetwork with hostPort different from containerPort"),
    pytest.param([pod_m(hostNetwork=True, containers=[{"name": "app", "image": "x", "ports": [
        {"containerPort": 80}]}])], None, {}, id="hostNetwork: hostPort defaults to containerPort"),
    pytest.param([pod_m(initContainers=[{"name": "app", "image": "x"}])], None,
                 {f"{POD} spec.initContainers[0].name": 'Duplicate value: "app"'},
                 id="init container named like an app container"),
    # --- Ingress ------------------------------------------------------------------------------------
    pytest.param([ing_m(rules=[rule(path="foo")])], None,
                 {f"{ING} spec.rules[0].http.paths[0].path": 'Invalid value: "foo": must be an absolute path'},
                 id="relative Prefix path"),
    pytest.param([ing_m(rules=[rule(path_type=None)])], None,
                 {f"{ING} spec.rules[0].http.paths[0].pathType": "Required value: pathType must be specified"},
                 id="pathType missing"),
    pytest.param([ing_m(rules=[rule(path_type="Regex")])], None,
                 {f"{ING} spec.rules[0].http.paths[0].pathType":
                  'Unsupported value: "Regex": supported values: "Exact", "ImplementationSpecific", "Prefix"'},
                 id="pathType Regex"),
    pytest.param([ing_m(rules=[rule(path=None, path_type="ImplementationSpecific")])], None, {},
                 id="ImplementationSpecific may omit the path"),
    pytest.param([ing_m(rules=[rule(path="/a//b", path_type="Exact")])], None,
                 {f"{ING} spec.rules[0].http.paths[0].path": "must not contain '//'"}, id="Exact path with //"),
    pytest.param([ing_m(rules=[rule(path="/a/..")])], None,
                 {f"{ING} spec.rules[0].http.paths[0].path": "cannot end with '/..'"}, id="Prefix path ending /.."),
    pytest.param([ing_m(rules=[rule(backend={"service": {"name": "web", "port": {"number": 80}},
                                             "resource": {"kind": "Bucket", "name": "b"}})])], None,
                 {f"{ING} spec.rules[0].http.paths[0].backend": "cannot set both resource and service backends"},
                 id="backend with service and resource"),
    pytest.param([ing_m(rules=[rule(backend={"service": {"name": "web", "port": {"number": 80, "name": "http"}}})])],
                 None, {f"{ING} spec.rules[0].http.paths[0].backend": "cannot set both port name & port number"},
                 id="backend port with name and number"),
    pytest.param([ing_m(rules=[rule(backend={"service": {"name": "web"}})])], None,
                 {f"{ING} spec.rules[0].http.paths[0].backend": "Required value: port name or number is required"},
                 id="backend port missing"),
    pytest.param([ing_m(rules=[rule(backend={})])], None,
                 {f"{ING} spec.rules[0].http.paths[0].backend": "resource or service backend is required"},
                 id="empty backend"),
    pytest.param([ing_m(rules=[rule(backend={"service": {"name": "Web", "port": {"number": 80}}})])], None,
                 {f"{ING} spec.rules[0].http.paths[0].backend.service.name": DNS1035},
                 id="backend Service name not a DNS-1035 label"),
    pytest.param([ing_m(rules=[rule(host="10.0.0.1")])], None,
                 {f"{ING} spec.rules[0].host": "must be a DNS name, not an IP address"}, id="rule host an IP"),
    pytest.param([ing_m(rules=[rule(host="*.example.com")])], None, {}, id="wildcard host"),
    pytest.param([ing_m(rules=[rule(host="foo.*.example.com")])], None,
                 {f"{ING} spec.rules[0].host": "a wildcard DNS-1123 subdomain must start with '*.'"},
                 id="wildcard in the middle of the host"),
    pytest.param([ing_m(rules=[rule(host="Example.com")])], None, {f"{ING} spec.rules[0].host": DNS1123_SUB},
                 id="host with a capital"),
    pytest.param([ing_m()], None, {f"{ING} spec": "either `defaultBackend` or `rules` must be specified"},
                 id="Ingress with neither rules nor defaultBackend"),
    pytest.param([ing_m(rules=[{"host": "a.com", "http": {"paths": []}}])], None,
                 {f"{ING} spec.rules[0].http.paths": "Required value"}, id="http with no paths"),
    pytest.param([ing_m(rules=[rule()], tls=[{"hosts": ["*.a.com", "b_c.com"]}])], None,
                 {f"{ING} spec.tls[0].hosts[1]": DNS1123_SUB}, id="tls host not a DNS name"),
    pytest.param([ing_m(rules=[rule()], ingressClassName="nginx",
                        metadata={"annotations": {"kubernetes.io/ingress.class": "traefik"}})], None,
                 {f"{ING} annotations.kubernetes.io/ingress.class": "must match `ingressClassName` when both are specified"},
                 id="class annotation and ingressClassName disagree"),
    pytest.param([ingclass_m("nginx", controller="nginx")], None,
                 {"IngressClass/nginx spec.controller": 'must be a domain-prefixed path (such as "acme.io/foo")'},
                 id="IngressClass controller without a domain"),
    # --- NetworkPolicy ------------------------------------------------------------------------------
    pytest.param([np_m(ingress=[{"ports": [{"port": "http", "endPort": 90}]}])], None,
                 {f"{NP} spec.ingress[0].ports[0].endPort": "may not be specified when `port` is non-numeric"},
                 id="endPort with a named port"),
    pytest.param([np_m(ingress=[{"ports": [{"port": 90, "endPort": 80}]}])], None,
                 {f"{NP} spec.ingress[0].ports[0].endPort": "must be greater than or equal to `port`"},
                 id="endPort below port"),
    pytest.param([np_m(ingress=[{"ports": [{"endPort": 80}]}])], None,
                 {f"{NP} spec.ingress[0].ports[0].endPort": "may not be specified when `port` is not specified"},
                 id="endPort without port"),
    pytest.param([np_m(egress=[{"ports": [{"protocol": "ICMP", "port": 53}]}])], None,
                 {f"{NP} spec.egress[0].ports[0].protocol": 'Unsupported value: "ICMP": supported values: "TCP", '
                                                            '"UDP", "SCTP"'},
                 id="protocol ICMP in a policy"),
    pytest.param([np_m(ingress=[{"from": [{"ipBlock": {"cidr": "10.0.0.0/8", "except": ["192.168.0.0/16"]}}]}])],
                 None, {f"{NP} spec.ingress[0].from[0].ipBlock.except[0]": "must be a strict subset of `cidr`"},
                 id="except outside the cidr"),
    pytest.param([np_m(ingress=[{"from": [{"ipBlock": {"cidr": "10.0.0.0/8", "except": ["10.0.0.0/8"]}}]}])],
                 None, {f"{NP} spec.ingress[0].from[0].ipBlock.except[0]": "must be a strict subset of `cidr`"},
                 id="except equal to the cidr"),
    pytest.param([np_m(ingress=[{"from": [{"ipBlock": {"cidr": "10.0.0.0/33"}}]}])], None,
                 {f"{NP} spec.ingress[0].from[0].ipBlock.cidr": "must be a valid CIDR value"}, id="ipBlock cidr /33"),
    pytest.param([np_m(ingress=[{"from": [{"ipBlock": {"cidr": "10.0.0.0/8"}, "podSelector": {}}]}])], None,
                 {f"{NP} spec.ingress[0].from[0]": "Forbidden: may not specify both ipBlock and another peer"},
                 id="ipBlock with a podSelector in one peer"),
    pytest.param([np_m(ingress=[{"from": [{}]}])], None,
                 {f"{NP} spec.ingress[0].from[0]": "Required value: must specify a peer"}, id="empty peer"),
    pytest.param([np_m(ingress=[{"from": [{"namespaceSelector": {}, "podSelector": {"matchLabels": {"a": "b"}}}]}])],
                 None, {}, id="namespaceSelector and podSelector in one peer"),
    pytest.param([np_m(podSelector={"matchExpressions": [{"key": "app", "operator": "In"}]})], None,
                 {f"{NP} spec.podSelector.matchExpressions[0].values":
                  "must be specified when `operator` is 'In' or 'NotIn'"},
                 id="In without values"),
    pytest.param([np_m(podSelector={"matchExpressions": [{"key": "app", "operator": "Exists", "values": ["a"]}]})],
                 None, {f"{NP} spec.podSelector.matchExpressions[0].values":
                        "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"},
                 id="Exists with values"),
    pytest.param([np_m(podSelector={"matchExpressions": [{"key": "app", "operator": "Equals", "values": ["a"]}]})],
                 None, {f"{NP} spec.podSelector.matchExpressions[0].operator": "not a valid selector operator"},
                 id="operator Equals"),
    pytest.param([np_m(policyTypes=["Ingress", "Outgress"])], None,
                 {f"{NP} spec.policyTypes[1]": 'Unsupported value: "Outgress"'}, id="policyTypes Outgress"),
]


def _errors(objects, cluster):
    result = build_snapshot(objects, parse_cluster(cluster))
    return {f"{e.object} {e.field}": e.message for e in result.errors}, result


@pytest.mark.parametrize(("objects", "cluster", "expected"), CASES)
def test_api_server_refusals(objects, cluster, expected):
    got, result = _errors(objects, cluster)
    trace = "\n".join(f"  {k}: {v}" for k, v in got.items()) or "  (no errors)"
    assert set(got) == set(expected), f"errors differ; got:\n{trace}"
    for key, text in expected.items():
        assert text in got[key], f"{key}: expected {text!r} in\n  {got[key]!r}"
    assert result.valid == (not expected)


def test_errors_never_crash_on_garbage():
    garbage = [
        {"apiVersion": "v1", "kind": "Service", "metadata": "web"},
        {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "x"}, "spec": ["a"]},
        {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": [1, None, "x"]}},
        {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": 5}},
        {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "n"},
         "spec": {"ingress": "all"}},
        {"apiVersion": 1, "kind": ["Service"]},
        "not an object",
        None,
    ]
    result = build_snapshot(garbage, parse_cluster(None))
    assert len(result.errors) >= 7, [e.as_dict() for e in result.errors]
    assert result.snapshot.services == () and result.snapshot.pods == ()
