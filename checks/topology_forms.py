"""Forms of the topology pages: create (with or without the new-cluster bootstrap), clone,
settings (the cluster block and the name)."""

from __future__ import annotations

from django import forms

from services.models import Team, Topology
from services.rowforms import ListField, style

CLUSTER_FIELDS = ("domain", "service_cidr", "pod_cidr", "node_port_range", "cluster_dns", "ingress_controllers")


class ClusterFieldsMixin(forms.ModelForm):
    cluster_dns = ListField(label="clusterDNS", help_text="The kubelet's clusterDNS addresses, comma separated.")
    ingress_controllers = ListField(required=False, label="Ingress controllers",
                                    help_text="IngressClass spec.controller values with a running controller; "
                                              "blank: every class has one.")
    nameservers = ListField(required=False, label="Nodes' nameservers", help_text="the nodes' resolv.conf")
    searches = ListField(required=False, label="Nodes' search domains")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style(self)
        conf = self.instance.node_resolv_conf or {}
        self.fields["cluster_dns"].initial = self.instance.cluster_dns
        self.fields["ingress_controllers"].initial = self.instance.ingress_controllers
        self.fields["nameservers"].initial = conf.get("nameservers", [])
        self.fields["searches"].initial = conf.get("searches", [])

    def clean(self):
        data = super().clean()
        conf = dict(self.instance.node_resolv_conf or {})
        conf["nameservers"] = data.get("nameservers") or []
        conf["searches"] = data.get("searches") or []
        self.instance.node_resolv_conf = conf
        return data


class TopologyCreateForm(ClusterFieldsMixin):
    bootstrap = forms.BooleanField(required=False, initial=True, label="Start as a new cluster does",
                                   help_text="Default namespaces, a control-plane node, the kubernetes and kube-dns "
                                             "Services with CoreDNS pods. Untick for a whole cluster's dump.")

    class Meta:
        model = Topology
        fields = ("team", "name", "description", *CLUSTER_FIELDS)
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, teams=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams if teams is not None else Team.objects.none()
        if teams is not None and len(teams) == 1:
            self.fields["team"].initial = teams[0].pk


class TopologySettingsForm(ClusterFieldsMixin):
    class Meta:
        model = Topology
        fields = ("name", "description", *CLUSTER_FIELDS)
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}


class TopologyCloneForm(forms.Form):
    team = forms.ModelChoiceField(queryset=Team.objects.none())
    name = forms.SlugField(max_length=100, help_text="The new topology's name.")

    def __init__(self, *args, teams=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams if teams is not None else Team.objects.none()
        style(self)

    def clean(self):
        data = super().clean()
        if data.get("team") and data.get("name") and Topology.objects.filter(team=data["team"], name=data["name"]).exists():
            self.add_error("name", f'team {data["team"]} already has a topology "{data["name"]}"')
        return data


class ImportForm(forms.Form):
    text = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 14, "class": "font-monospace"}),
                           label="Manifests", help_text="Multi-document YAML or JSON, as kubectl takes it.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style(self)

    def sources(self, files) -> list[str]:
        """The pasted text and each uploaded file (`<input type=file name=files multiple>`)."""
        out = [self.cleaned_data["text"]] if (self.cleaned_data.get("text") or "").strip() else []
        for upload in files:
            out.append(upload.read().decode("utf-8", errors="replace"))
        if not out:
            raise forms.ValidationError("paste manifests or choose files")
        return out
