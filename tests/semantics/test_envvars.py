"""envvars.py: the kubelet's service variables, env expansion and valueFrom.

Expected values are transcribed from upstream tests: pkg/kubelet/envvars/envvars_test.go
TestFromServices, pkg/kubelet/kubelet_pods_test.go TestMakeEnvironmentVariables and
third_party/forked/golang/expansion/expand_test.go.
"""

from __future__ import annotations

import base64

import pytest

from kubenet_site.semantics import envvars as V
from kubenet_site.semantics.types import Container, EnvVar, OtherObject, QueryError
from tests.semantics.builders import node, pod, snapshot, sport, svc

# --- envvars_test.go TestFromServices ----------------------------------------------------------

FROM_SERVICES = [
    svc("foo-bar", selector={"bar": "baz"}, cluster_ip="1.2.3.4", ports=(sport(8080),)),
    svc("abc-123", selector={"bar": "baz"}, cluster_ip="5.6.7.8",
        ports=(sport(8081, name="u-d-p", protocol="UDP"), sport(8081, name="t-c-p"))),
    svc("q-u-u-x", selector={"bar": "baz"}, cluster_ip="9.8.7.6", ports=(sport(8082), sport(8083, name="8083"))),
    svc("svrc-clusterip-none", selector={"bar": "baz"}, cluster_ip="None", ports=(sport(8082),)),
    svc("svrc-clusterip-empty", selector={"bar": "baz"}, cluster_ip="", ports=(sport(8082),)),
    svc("super-ipv6", selector={"bar": "baz"}, cluster_ip="2001:DB8::",
        ports=(sport(8084, name="u-d-p", protocol="UDP"), sport(8084, name="t-c-p"))),
    svc("sctp-1", selector={"bar": "sctp-sel"}, cluster_ip="1.2.3.4", ports=(sport(777, protocol="SCTP"),)),
]

FROM_SERVICES_EXPECTED = [
    ("FOO_BAR_SERVICE_HOST", "1.2.3.4"),
    ("FOO_BAR_SERVICE_PORT", "8080"),
    ("FOO_BAR_PORT", "tcp://1.2.3.4:8080"),
    ("FOO_BAR_PORT_8080_TCP", "tcp://1.2.3.4:8080"),
    ("FOO_BAR_PORT_8080_TCP_PROTO", "tcp"),
    ("FOO_BAR_PORT_8080_TCP_PORT", "8080"),
    ("FOO_BAR_PORT_8080_TCP_ADDR", "1.2.3.4"),
    ("ABC_123_SERVICE_HOST", "5.6.7.8"),
    ("ABC_123_SERVICE_PORT", "8081"),
    ("ABC_123_SERVICE_PORT_U_D_P", "8081"),
    ("ABC_123_SERVICE_PORT_T_C_P", "8081"),
    ("ABC_123_PORT", "udp://5.6.7.8:8081"),
    ("ABC_123_PORT_8081_UDP", "udp://5.6.7.8:8081"),
    ("ABC_123_PORT_8081_UDP_PROTO", "udp"),
    ("ABC_123_PORT_8081_UDP_PORT", "8081"),
    ("ABC_123_PORT_8081_UDP_ADDR", "5.6.7.8"),
    ("ABC_123_PORT_8081_TCP", "tcp://5.6.7.8:8081"),
    ("ABC_123_PORT_8081_TCP_PROTO", "tcp"),
    ("ABC_123_PORT_8081_TCP_PORT", "8081"),
    ("ABC_123_PORT_8081_TCP_ADDR", "5.6.7.8"),
    ("Q_U_U_X_SERVICE_HOST", "9.8.7.6"),
    ("Q_U_U_X_SERVICE_PORT", "8082"),
    ("Q_U_U_X_SERVICE_PORT_8083", "8083"),
    ("Q_U_U_X_PORT", "tcp://9.8.7.6:8082"),
    ("Q_U_U_X_PORT_8082_TCP", "tcp://9.8.7.6:8082"),
    ("Q_U_U_X_PORT_8082_TCP_PROTO", "tcp"),
    ("Q_U_U_X_PORT_8082_TCP_PORT", "8082"),
    ("Q_U_U_X_PORT_8082_TCP_ADDR", "9.8.7.6"),
    ("Q_U_U_X_PORT_8083_TCP", "tcp://9.8.7.6:8083"),
    ("Q_U_U_X_PORT_8083_TCP_PROTO", "tcp"),
    ("Q_U_U_X_PORT_8083_TCP_PORT", "8083"),
    ("Q_U_U_X_PORT_8083_TCP_ADDR", "9.8.7.6"),
    ("SUPER_IPV6_SERVICE_HOST", "2001:DB8::"),
    ("SUPER_IPV6_SERVICE_PORT", "8084"),
    ("SUPER_IPV6_SERVICE_PORT_U_D_P", "8084"),
    ("SUPER_IPV6_SERVICE_PORT_T_C_P", "8084"),
    ("SUPER_IPV6_PORT", "udp://[2001:DB8::]:8084"),
    ("SUPER_IPV6_PORT_8084_UDP", "udp://[2001:DB8::]:8084"),
    ("SUPER_IPV6_PORT_8084_UDP_PROTO", "udp"),
    ("SUPER_IPV6_PORT_8084_UDP_PORT", "8084"),
    ("SUPER_IPV6_PORT_8084_UDP_ADDR", "2001:DB8::"),
    ("SUPER_IPV6_PORT_8084_TCP", "tcp://[2001:DB8::]:8084"),
    ("SUPER_IPV6_PORT_8084_TCP_PROTO", "tcp"),
    ("SUPER_IPV6_PORT_8084_TCP_PORT", "8084"),
    ("SUPER_IPV6_PORT_8084_TCP_ADDR", "2001:DB8::"),
    ("SCTP_1_SERVICE_HOST", "1.2.3.4"),
    ("SCTP_1_SERVICE_PORT", "777"),
    ("SCTP_1_PORT", "sctp://1.2.3.4:777"),
    ("SCTP_1_PORT_777_SCTP", "sctp://1.2.3.4:777"),
    ("SCTP_1_PORT_777_SCTP_PROTO", "sctp"),
    ("SCTP_1_PORT_777_SCTP_PORT", "777"),
    ("SCTP_1_PORT_777_SCTP_ADDR", "1.2.3.4"),
]


def test_from_services_upstream_table():
    assert list(V.service_env(FROM_SERVICES).items()) == FROM_SERVICES_EXPECTED


@pytest.mark.parametrize("service,expected", [
    pytest.param(svc("db", cluster_ip="None", ports=(sport(5432),)), {}, id="headless Service: no variables"),
    pytest.param(svc("db", type="ExternalName", cluster_ip=None, external_name="db.example.com",
                     ports=(sport(5432),)), {}, id="ExternalName Service: no variables"),
    pytest.param(svc("my-db", cluster_ip="10.96.0.7", ports=(sport(5432, name="pg-main"),)),
                 {"MY_DB_SERVICE_HOST": "10.96.0.7", "MY_DB_SERVICE_PORT": "5432",
                  "MY_DB_SERVICE_PORT_PG_MAIN": "5432", "MY_DB_PORT": "tcp://10.96.0.7:5432",
                  "MY_DB_PORT_5432_TCP": "tcp://10.96.0.7:5432", "MY_DB_PORT_5432_TCP_PROTO": "tcp",
                  "MY_DB_PORT_5432_TCP_PORT": "5432", "MY_DB_PORT_5432_TCP_ADDR": "10.96.0.7"},
                 id="a named first port also gets SERVICE_PORT_<NAME>"),
    pytest.param(svc("web", cluster_ip="10.96.0.8", ports=(sport(80, 8080, name="http"),)),
                 {"WEB_SERVICE_HOST": "10.96.0.8", "WEB_SERVICE_PORT": "80", "WEB_SERVICE_PORT_HTTP": "80",
                  "WEB_PORT": "tcp://10.96.0.8:80", "WEB_PORT_80_TCP": "tcp://10.96.0.8:80",
                  "WEB_PORT_80_TCP_PROTO": "tcp", "WEB_PORT_80_TCP_PORT": "80", "WEB_PORT_80_TCP_ADDR": "10.96.0.8"},
                 id="the Service port, never the target port"),
])
def test_service_env_corners(service, expected):
    assert V.service_env([service]) == expected


# --- kubelet_pods_test.go TestMakeEnvironmentVariables (master namespace: default) -------------

SERVICES = [
    svc("kubernetes", ns="default", cluster_ip="1.2.3.1", ports=(sport(8081),)),
    svc("test", ns="test1", cluster_ip="1.2.3.3", ports=(sport(8083),)),
    svc("kubernetes", ns="test2", cluster_ip="1.2.3.4", ports=(sport(8084),)),
    svc("test", ns="test2", cluster_ip="1.2.3.5", ports=(sport(8085),)),
    svc("test-none", ns="test2", cluster_ip="None", ports=(sport(8085),)),
    svc("test-empty", ns="test2", cluster_ip="", ports=(sport(8085),)),
    svc("not-special", ns="default", cluster_ip="1.2.3.8", ports=(sport(8088),)),
]


def svc_vars(prefix, ip, port):
    return {f"{prefix}_SERVICE_HOST": ip, f"{prefix}_SERVICE_PORT": str(port),
            f"{prefix}_PORT": f"tcp://{ip}:{port}", f"{prefix}_PORT_{port}_TCP": f"tcp://{ip}:{port}",
            f"{prefix}_PORT_{port}_TCP_PROTO": "tcp", f"{prefix}_PORT_{port}_TCP_PORT": str(port),
            f"{prefix}_PORT_{port}_TCP_ADDR": ip}


K1 = svc_vars("KUBERNETES", "1.2.3.1", 8081)


@pytest.mark.parametrize("ns,links,expected", [
    pytest.param("test1", False, K1, id="enableServiceLinks false: only the master Service"),
    pytest.param("test1", True, {**svc_vars("TEST", "1.2.3.3", 8083), **K1},
                 id="enableServiceLinks true: own namespace plus the master Service"),
    pytest.param("test2", False, K1, id="own kubernetes Service ignored without links"),
    pytest.param("test2", True, {**svc_vars("TEST", "1.2.3.5", 8085), **svc_vars("KUBERNETES", "1.2.3.4", 8084)},
                 id="own kubernetes Service replaces the master one with links; headless and empty skipped"),
    pytest.param("default", False, K1, id="pod in the master namespace, links off"),
    pytest.param("default", True, {**svc_vars("NOT_SPECIAL", "1.2.3.8", 8088), **K1},
                 id="pod in the master namespace, links on"),
    pytest.param("elsewhere", True, K1, id="namespace without Services: the master Service"),
])
def test_kubelet_service_map(ns, links, expected):
    snap = snapshot(*SERVICES, pod("p", ns=ns, enable_service_links=links))
    result = V.answer_env(snap, {"pod": f"{ns}/p"})
    assert result["vars"] == expected, "\n".join(result["trace"])


def test_no_master_service_in_manifests():
    snap = snapshot(svc("web", ns="shop", cluster_ip="10.96.0.9", ports=(sport(80),)), pod("p", ns="shop"))
    assert set(V.answer_env(snap, {"pod": "shop/p"})["vars"]) == set(svc_vars("WEB", "10.96.0.9", 80))


@pytest.mark.parametrize("svc_created,visible", [
    pytest.param(-5, True, id="Service created before the pod: visible"),
    pytest.param(0, True, id="Service created with the pod: visible"),
    pytest.param(5, False, id="Service created after the pod: invisible"),
])
def test_creation_order(svc_created, visible):
    snap = snapshot(svc("web", ns="shop", cluster_ip="10.96.0.9", ports=(sport(80),), created=svc_created),
                    pod("p", ns="shop", created=0))
    result = V.answer_env(snap, {"pod": "shop/p"})
    assert ("WEB_SERVICE_HOST" in result["vars"]) is visible, result["trace"]


def test_master_service_ignores_creation_order():
    snap = snapshot(svc("kubernetes", cluster_ip="10.96.0.1", ports=(sport(443, 6443, name="https"),), created=9),
                    pod("p", ns="shop", created=0))
    assert V.answer_env(snap, {"pod": "shop/p"})["vars"]["KUBERNETES_SERVICE_PORT_HTTPS"] == "443"


# --- env expansion and valueFrom (TestMakeEnvironmentVariables rows) ----------------------------

EXPANSION_ENV = (
    EnvVar("TEST_LITERAL", "test-test-test"),
    EnvVar("POD_NAME", value_from={"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.name"}}),
    EnvVar("OUT_OF_ORDER_TEST", "$(OUT_OF_ORDER_TARGET)"),
    EnvVar("OUT_OF_ORDER_TARGET", "FOO"),
    EnvVar("EMPTY_VAR"),
    EnvVar("EMPTY_TEST", "foo-$(EMPTY_VAR)"),
    EnvVar("POD_NAME_TEST2", "test2-$(POD_NAME)"),
    EnvVar("POD_NAME_TEST3", "$(POD_NAME_TEST2)-3"),
    EnvVar("LITERAL_TEST", "literal-$(TEST_LITERAL)"),
    EnvVar("SERVICE_VAR_TEST", "$(TEST_SERVICE_HOST):$(TEST_SERVICE_PORT)"),
    EnvVar("TEST_UNDEFINED", "$(UNDEFINED_VAR)"),
)


@pytest.mark.parametrize("links,service_var", [
    pytest.param(False, "$(TEST_SERVICE_HOST):$(TEST_SERVICE_PORT)", id="env expansion"),
    pytest.param(True, "1.2.3.3:8083", id="env expansion, service env vars"),
])
def test_env_expansion(links, service_var):
    p = pod("dapi-test-pod-name", ns="test1", enable_service_links=links,
            containers=(Container("c", env=EXPANSION_ENV),))
    snap = snapshot(svc("test", ns="test1", cluster_ip="1.2.3.3", ports=(sport(8083),)), p)
    assert V.answer_env(snap, {"pod": "test1/dapi-test-pod-name"})["podEnv"] == {
        "TEST_LITERAL": "test-test-test",
        "POD_NAME": "dapi-test-pod-name",
        "OUT_OF_ORDER_TEST": "$(OUT_OF_ORDER_TARGET)",
        "OUT_OF_ORDER_TARGET": "FOO",
        "EMPTY_VAR": "",
        "EMPTY_TEST": "foo-",
        "POD_NAME_TEST2": "test2-dapi-test-pod-name",
        "POD_NAME_TEST3": "test2-dapi-test-pod-name-3",
        "LITERAL_TEST": "literal-test-test-test",
        "SERVICE_VAR_TEST": service_var,
        "TEST_UNDEFINED": "$(UNDEFINED_VAR)",
    }


def fref(path):
    return {"fieldRef": {"apiVersion": "v1", "fieldPath": path}}


DOWNWARD = (
    EnvVar("POD_NAME", value_from=fref("metadata.name")),
    EnvVar("POD_NAMESPACE", value_from=fref("metadata.namespace")),
    EnvVar("POD_NODE_NAME", value_from=fref("spec.nodeName")),
    EnvVar("POD_SERVICE_ACCOUNT_NAME", value_from=fref("spec.serviceAccountName")),
    EnvVar("POD_IP", value_from=fref("status.podIP")),
    EnvVar("POD_IPS", value_from=fref("status.podIPs")),
    EnvVar("HOST_IP", value_from=fref("status.hostIP")),
)


@pytest.mark.parametrize("pod_ips,ip,ips", [
    pytest.param(("1.2.3.4", "fd00::6"), "1.2.3.4", "1.2.3.4,fd00::6", id="downward api pod"),
    pytest.param(("fd00::6", "1.2.3.4"), "1.2.3.4", "1.2.3.4,fd00::6", id="downward api pod ips reverse order"),
    pytest.param(("1.2.3.4", "192.168.1.1.", "fd00::6"), "1.2.3.4", "1.2.3.4,fd00::6",
                 id="downward api pod ips multiple ips"),
])
def test_downward_api(pod_ips, ip, ips):
    p = pod("dapi-test-pod-name", ns="downward-api", ip=pod_ips, node="node-name", enable_service_links=False,
            containers=(Container("c", env=DOWNWARD),), raw={"spec": {"serviceAccountName": "special"}})
    snap = snapshot(node("node-name", "127.0.0.1"), p)
    assert V.answer_env(snap, {"pod": "downward-api/dapi-test-pod-name"})["podEnv"] == {
        "POD_NAME": "dapi-test-pod-name", "POD_NAMESPACE": "downward-api", "POD_NODE_NAME": "node-name",
        "POD_SERVICE_ACCOUNT_NAME": "special", "POD_IP": ip, "POD_IPS": ips, "HOST_IP": "127.0.0.1",
    }


def test_downward_labels_annotations_and_defaults():
    env = (EnvVar("LABELS", value_from=fref("metadata.labels")),
           EnvVar("APP", value_from=fref("metadata.labels['app']")),
           EnvVar("MISSING", value_from=fref("metadata.annotations['nope']")),
           EnvVar("SA", value_from=fref("spec.serviceAccountName")),
           EnvVar("PHASE", value_from=fref("status.phase")),
           EnvVar("RESTART", value_from=fref("spec.restartPolicy")),
           EnvVar("BAD", value_from=fref("spec.containers")))
    p = pod("p", labels={"tier": "fe", "app": "web"}, containers=(Container("c", env=env),))
    result = V.resolve_env(snapshot(p), p, p.containers[0])
    assert result.pod_env == {"LABELS": 'app="web"\ntier="fe"', "APP": "web", "MISSING": "", "SA": "default",
                              "PHASE": "Running", "RESTART": "Always"}
    assert result.failed  # an unsupported fieldPath stops the container


def cm(name, ns="test1", **data):
    return OtherObject("v1", "ConfigMap", name, ns, raw={"data": data})


def secret(name, ns="test1", **data):
    enc = {k: base64.b64encode(v.encode()).decode() for k, v in data.items()}
    return OtherObject("v1", "Secret", name, ns, raw={"data": enc})


def env_pod(env=(), env_from=(), ns="test1"):
    raw = {"spec": {"containers": [{"name": "c", "envFrom": list(env_from)}]}}
    return pod("p", ns=ns, enable_service_links=False, containers=(Container("c", env=tuple(env)),), raw=raw)


def cmref(name, key, optional=None):
    ref = {"name": name, "key": key}
    if optional is not None:
        ref["optional"] = optional
    return {"configMapKeyRef": ref}


def secref(name, key, optional=None):
    ref = {"name": name, "key": key}
    if optional is not None:
        ref["optional"] = optional
    return {"secretKeyRef": ref}


VALUE_FROM = [
    pytest.param(env_pod([EnvVar("POD_NAME", value_from=cmref("missing-config-map", "key", True))]), [],
                 {}, False, id="configmapkeyref_missing_optional"),
    pytest.param(env_pod([EnvVar("POD_NAME", value_from=cmref("test-config-map", "key", True))]),
                 [cm("test-config-map", a="b")], {}, False, id="configmapkeyref_missing_key_optional"),
    pytest.param(env_pod([EnvVar("POD_NAME", value_from=secref("missing-secret", "key", True))]), [],
                 {}, False, id="secretkeyref_missing_optional"),
    pytest.param(env_pod([EnvVar("POD_NAME", value_from=secref("test-secret", "key", True))]),
                 [secret("test-secret", a="b")], {}, False, id="secretkeyref_missing_key_optional"),
    pytest.param(env_pod([EnvVar("X", value_from=cmref("missing", "key"))]), [], {}, True,
                 id="configmapkeyref missing, not optional: container cannot start"),
    pytest.param(env_pod([EnvVar("X", value_from=cmref("test-config-map", "a"))]),
                 [cm("test-config-map", a="b")], {"X": "b"}, False, id="configmapkeyref found"),
    pytest.param(env_pod([EnvVar("X", value_from=secref("test-secret", "pw"))]),
                 [secret("test-secret", pw="s3cr=t")], {"X": "s3cr=t"}, False, id="secretkeyref base64-decoded"),
    pytest.param(env_pod([EnvVar("X", value_from=secref("test-secret", "pw"))]),
                 [secret("test-secret", ns="other", pw="x")], {}, True, id="Secret of another namespace is not used"),
    pytest.param(env_pod([EnvVar("TEST_LITERAL", "test-test-test"), EnvVar("EXPANSION_TEST", "$(REPLACE_ME)"),
                          EnvVar("DUPE_TEST", "ENV_VAR")],
                         [{"configMapRef": {"name": "test-config-map"}},
                          {"prefix": "p_", "configMapRef": {"name": "test-config-map"}}]),
                 [cm("test-config-map", REPLACE_ME="FROM_CONFIG_MAP", DUPE_TEST="CONFIG_MAP")],
                 {"TEST_LITERAL": "test-test-test", "EXPANSION_TEST": "FROM_CONFIG_MAP", "DUPE_TEST": "ENV_VAR"},
                 False, id="configmap envFrom feeds expansion, env overrides it"),
    pytest.param(env_pod([], [{"configMapRef": {"name": "test-config-map"}}]), [], {}, True,
                 id="configmap_missing"),
    pytest.param(env_pod([], [{"configMapRef": {"name": "missing-config-map", "optional": True}}]), [], {},
                 False, id="configmap_missing_optional"),
]


@pytest.mark.parametrize("p,others,expected,failed", VALUE_FROM)
def test_value_from(p, others, expected, failed):
    snap = snapshot(p, *others)
    result = V.resolve_env(snap, p, p.containers[0])
    assert (result.pod_env, result.failed) == (expected, failed), result.trace


def test_container_env_overrides_service_var():
    p = pod("p", ns="test1", containers=(Container("c", env=(EnvVar("TEST_SERVICE_HOST", "9.9.9.9"),)),))
    snap = snapshot(svc("test", ns="test1", cluster_ip="1.2.3.3", ports=(sport(8083),)), p)
    result = V.answer_env(snap, {"pod": "test1/p"})
    assert result["podEnv"] == {"TEST_SERVICE_HOST": "9.9.9.9"}
    assert "TEST_SERVICE_HOST" not in result["vars"] and result["vars"]["TEST_SERVICE_PORT"] == "8083"


# --- expand_test.go doExpansionTest (both TestMapping and TestMappingDual) ---------------------

EXPAND_CASES = [
    ("whole string", "$(VAR_A)", "A"),
    ("repeat", "$(VAR_A)-$(VAR_A)", "A-A"),
    ("beginning", "$(VAR_A)-1", "A-1"),
    ("middle", "___$(VAR_B)___", "___B___"),
    ("end", "___$(VAR_C)", "___C"),
    ("compound", "$(VAR_A)_$(VAR_B)_$(VAR_C)", "A_B_C"),
    ("escape & expand", "$$(VAR_B)_$(VAR_A)", "$(VAR_B)_A"),
    ("compound escape", "$$(VAR_A)_$$(VAR_B)", "$(VAR_A)_$(VAR_B)"),
    ("mixed in escapes", "f000-$$VAR_A", "f000-$VAR_A"),
    ("backslash escape ignored", "foo\\$(VAR_C)bar", "foo\\Cbar"),
    ("backslash escape ignored 2", "foo\\\\$(VAR_C)bar", "foo\\\\Cbar"),
    ("lots of backslashes", "foo\\\\\\\\$(VAR_A)bar", "foo\\\\\\\\Abar"),
    ("nested var references", "$(VAR_A$(VAR_B))", "$(VAR_A$(VAR_B))"),
    ("nested var references second type", "$(VAR_A$(VAR_B)", "$(VAR_A$(VAR_B)"),
    ("value is a reference", "$(VAR_REF)", "$(VAR_A)"),
    ("value is a reference x 2", "%%$(VAR_REF)--$(VAR_REF)%%", "%%$(VAR_A)--$(VAR_A)%%"),
    ("empty var", "foo$(VAR_EMPTY)bar", "foobar"),
    ("unterminated expression", "foo$(VAR_Awhoops!", "foo$(VAR_Awhoops!"),
    ("expression without operator", "f00__(VAR_A)__", "f00__(VAR_A)__"),
    ("shell special vars pass through", "$?_boo_$!", "$?_boo_$!"),
    ("bare operators are ignored", "$VAR_A", "$VAR_A"),
    ("undefined vars are passed through", "$(VAR_DNE)", "$(VAR_DNE)"),
    ("multiple (even) operators, var undefined", "$$$$$$(BIG_MONEY)", "$$$(BIG_MONEY)"),
    ("multiple (even) operators, var defined", "$$$$$$(VAR_A)", "$$$(VAR_A)"),
    ("multiple (odd) operators, var undefined", "$$$$$$$(GOOD_ODDS)", "$$$$(GOOD_ODDS)"),
    ("multiple (odd) operators, var defined", "$$$$$$$(VAR_A)", "$$$A"),
    ("missing open expression", "$VAR_A)", "$VAR_A)"),
    ("shell syntax ignored", "${VAR_A}", "${VAR_A}"),
    ("trailing incomplete expression not consumed", "$(VAR_B)_______$(A", "B_______$(A"),
    ("trailing incomplete expression, no content, is not consumed", "$(VAR_C)_______$(", "C_______$("),
    ("operator at end of input string is preserved", "$(VAR_A)foobarzab$", "Afoobarzab$"),
    ("shell escaped incomplete expr", "foo-\\$(VAR_A", "foo-\\$(VAR_A"),
    ("lots of $( in middle", "--$($($($($--", "--$($($($($--"),
    ("lots of $( in beginning", "$($($($($--foo$(", "$($($($($--foo$("),
    ("lots of $( at end", "foo0--$($($($(", "foo0--$($($($("),
    ("escaped operators in variable names are not escaped", "$(foo$$var)", "$(foo$$var)"),
    ("newline not expanded", "\n", "\n"),
]

MAPPINGS = {
    "single": V.mapping_func_for({"VAR_A": "A", "VAR_B": "B", "VAR_C": "C", "VAR_REF": "$(VAR_A)",
                                  "VAR_EMPTY": ""}),
    "dual": V.mapping_func_for({"VAR_A": "A", "VAR_EMPTY": ""},
                               {"VAR_B": "B", "VAR_C": "C", "VAR_REF": "$(VAR_A)"}),
}


@pytest.mark.parametrize("mapping", ["single", "dual"])
@pytest.mark.parametrize("text,expected", [pytest.param(i, e, id=n) for n, i, e in EXPAND_CASES])
def test_expand(mapping, text, expected):
    assert V.expand(text, MAPPINGS[mapping]) == expected


def test_map_reference_chain():
    # expand_test.go TestMapReference: declared env expanded in order.
    declared = {"FOO": "bar", "ZOO": "$(FOO)-1", "BLU": "$(ZOO)-2"}
    mapping = V.mapping_func_for(declared, {})
    for name, value in [("FOO", "bar"), ("ZOO", "$(FOO)-1"), ("BLU", "$(ZOO)-2")]:
        declared[name] = V.expand(value, mapping)
    assert declared == {"FOO": "bar", "ZOO": "bar-1", "BLU": "bar-1-2"}


# --- the query -------------------------------------------------------------------------------

def test_default_container_is_first_app_container():
    p = pod("p", containers=(Container("a", env=(EnvVar("X", "1"),)), Container("b", env=(EnvVar("Y", "2"),))),
            init_containers=(Container("init", env=(EnvVar("Z", "3"),), role="init"),))
    snap = snapshot(p)
    assert V.answer_env(snap, {"pod": "default/p"})["podEnv"] == {"X": "1"}
    assert V.answer_env(snap, {"pod": "default/p", "container": "b"})["podEnv"] == {"Y": "2"}
    assert V.answer_env(snap, {"pod": "default/p", "container": "init"})["podEnv"] == {"Z": "3"}


@pytest.mark.parametrize("query", [
    pytest.param({"pod": "default/missing"}, id="absent pod"),
    pytest.param({"pod": "p"}, id="pod not ns/name"),
    pytest.param({"pod": "default/p", "container": "nope"}, id="unknown container"),
])
def test_env_query_errors(query):
    with pytest.raises(QueryError):
        V.answer_env(snapshot(pod("p")), query)


# --- the env answer's `absent` list: each reason, and the order they are tried -------------------

ABSENT_SERVICES = [
    svc("kubernetes", ns="default", cluster_ip="10.96.0.1", ports=(sport(443),), created=9),
    svc("other", ns="default", cluster_ip="10.96.0.5", ports=(sport(80),)),
    svc("web", ns="shop", cluster_ip="10.96.0.9", ports=(sport(80),), created=-5),
    svc("late", ns="shop", cluster_ip="10.96.0.10", ports=(sport(80),), created=5),
    svc("db", ns="shop", cluster_ip="None", ports=(sport(5432),)),
    svc("ext", ns="shop", type="ExternalName", cluster_ip=None, external_name="db.example.com"),
    svc("far-ext", ns="other", type="ExternalName", cluster_ip=None, external_name="x.example.com"),
    svc("far-headless", ns="other", cluster_ip="None", ports=(sport(80),)),
    svc("late-far", ns="other", cluster_ip="10.96.0.11", ports=(sport(80),), created=5),
]


@pytest.mark.parametrize("links,expected", [
    pytest.param(True, {"default/other": "other-namespace", "shop/late": "created-after-pod",
                        "shop/db": "headless", "shop/ext": "external-name", "other/far-ext": "external-name",
                        "other/far-headless": "headless", "other/late-far": "other-namespace"},
                 id="links on: each reason once; web and the master Service are injected"),
    pytest.param(False, {"default/other": "other-namespace", "shop/web": "service-links-disabled",
                         "shop/late": "service-links-disabled", "shop/db": "headless", "shop/ext": "external-name",
                         "other/far-ext": "external-name", "other/far-headless": "headless",
                         "other/late-far": "other-namespace"},
                 id="links off: service-links-disabled comes before created-after-pod; the master stays"),
])
def test_absent_reasons(links, expected):
    snap = snapshot(*ABSENT_SERVICES, pod("p", ns="shop", created=0, enable_service_links=links))
    result = V.answer_env(snap, {"pod": "shop/p"})
    assert {a["service"]: a["reason"] for a in result["absent"]} == expected, result["trace"]
    assert [a["service"] for a in result["absent"]] == sorted(expected)
    injected = {a["service"] for a in result["absent"]}
    assert "default/kubernetes" not in injected  # created after the pod, still injected


@pytest.mark.parametrize("service,reason", [
    pytest.param(svc("x", ns="other", type="ExternalName", cluster_ip=None, external_name="a.example.com",
                     created=5), "external-name", id="external-name before other-namespace and created-after-pod"),
    pytest.param(svc("x", ns="other", cluster_ip="None", created=5), "headless",
                 id="headless before other-namespace"),
    pytest.param(svc("x", ns="shop", cluster_ip="", created=5), "headless",
                 id="empty cluster IP counts as not set (IsServiceIPSet)"),
    pytest.param(svc("x", ns="other", cluster_ip="10.96.0.20", created=5), "other-namespace",
                 id="other-namespace before service-links-disabled and created-after-pod"),
    pytest.param(svc("x", ns="shop", cluster_ip="10.96.0.20", created=5), "service-links-disabled",
                 id="service-links-disabled before created-after-pod"),
])
def test_absent_reason_order(service, reason):
    snap = snapshot(service, pod("p", ns="shop", created=0, enable_service_links=False))
    assert V.answer_env(snap, {"pod": "shop/p"})["absent"] == [{"service": service.key, "reason": reason}]


def test_absent_master_service_shadowed_by_own_namespace():
    """getServiceEnvVarMap: with links on, a `kubernetes` Service of the pod's namespace takes the
    master one's place, so the master Service of `default` gives no variables."""
    snap = snapshot(*SERVICES, pod("p", ns="test2", enable_service_links=True))
    absent = {a["service"]: a["reason"] for a in V.answer_env(snap, {"pod": "test2/p"})["absent"]}
    assert absent == {"default/kubernetes": "other-namespace", "default/not-special": "other-namespace",
                      "test1/test": "other-namespace", "test2/test-none": "headless", "test2/test-empty": "headless"}


def test_absent_empty_when_every_service_is_injected():
    snap = snapshot(svc("web", ns="shop", cluster_ip="10.96.0.9", ports=(sport(80),)), pod("p", ns="shop"))
    assert V.answer_env(snap, {"pod": "shop/p"})["absent"] == []
