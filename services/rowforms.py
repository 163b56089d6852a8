"""Forms over manifests with repeated parts (Service ports, containers and their ports, ...).

An ObjectForm edits some paths of a manifest and keeps every other field as it was; its
repeated parts are RowSets of RowForms (rows nest: a container's ports). Rows are added with
htmx (the `row-form` view renders one more row and bumps the set's count) and removed in the
page; a row missing from the submitted data is gone. Errors come from the engine validator
(services.operations) and land at the field their API-server path names.
"""

from __future__ import annotations

import copy
import re
from typing import Any, ClassVar

from django import forms

ROW_FORMS: dict[str, type[RowForm]] = {}
_INDEX = re.compile(r"^\[(\d+)\]\.?(.*)$")


def register_row(cls: type[RowForm]) -> type[RowForm]:
    ROW_FORMS[cls.KEY] = cls
    return cls


def get_path(doc: Any, path: str) -> Any:
    for key in path.split(".") if path else []:
        if not isinstance(doc, dict):
            return None
        doc = doc.get(key)
    return doc


def set_path(doc: dict, path: str, value: Any) -> None:
    """Set (or with a value of None, remove) a dotted path, creating mappings on the way."""
    keys = path.split(".")
    for key in keys[:-1]:
        if value is None and not isinstance(doc.get(key), dict):
            return
        doc = doc.setdefault(key, {})
    if value is None:
        doc.pop(keys[-1], None)
    else:
        doc[keys[-1]] = value


def style(form: forms.Form) -> None:
    """Bootstrap's classes on every widget."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxSelectMultiple):
            continue
        if isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        elif isinstance(widget, forms.Select):
            css = "form-select form-select-sm"
        else:
            css = "form-control form-control-sm"
        widget.attrs["class"] = (widget.attrs.get("class", "") + " " + css).strip()


def blank(form: forms.Form, field: str, value: Any) -> bool:
    """An empty value removes its path; `{}` stays where it means something (a selector)."""
    if value == {} and getattr(form.fields[field], "keeps_empty", False):
        return False
    return value in ("", None, [], {})


def split_list(text: str) -> list[str]:
    return [part.strip() for part in re.split(r"[,\s]+", text or "") if part.strip()]


class KeyValueField(forms.CharField):
    """`key=value` per line (labels, a Service's selector); never JSON."""

    widget = forms.Textarea(attrs={"rows": 3, "class": "font-monospace"})

    def prepare_value(self, value):
        if isinstance(value, dict):
            return "\n".join(f"{k}={v}" for k, v in value.items())
        return value

    def to_python(self, value) -> dict[str, str] | None:
        text = super().to_python(value)
        if not text.strip():
            return None
        out: dict[str, str] = {}
        for n, line in enumerate(text.splitlines(), 1):
            line = line.strip()
            if not line:
                continue
            if "=" not in line:
                raise forms.ValidationError(f"line {n}: write key=value (got {line!r})")
            key, _, val = line.partition("=")
            out[key.strip()] = val.strip()
        return out


class ListField(forms.CharField):
    """A list of strings, comma or space separated."""

    def prepare_value(self, value):
        return ", ".join(value) if isinstance(value, list) else value

    def to_python(self, value) -> list[str] | None:
        return split_list(super().to_python(value)) or None


class PathErrorsMixin:
    """Place an API-server field path on the field (or row) it belongs to."""

    FIELD_PATHS: ClassVar[dict[str, str]] = {}  # path (relative) -> form field, read and written
    ERROR_PATHS: ClassVar[dict[str, str]] = {}  # more paths whose errors belong to a field
    CHILDREN: ClassVar[dict[str, tuple[str, str]]] = {}  # rowset key -> (path, row form KEY)
    rowsets: dict[str, RowSet]

    def place_error(self, path: str, message: str, full: str) -> None:
        for key, (child_path, _) in self.CHILDREN.items():
            if path.startswith(child_path + "["):
                match = _INDEX.match(path[len(child_path):])
                if match and self.rowsets[key].place_error(int(match.group(1)), match.group(2), message, full):
                    return
            if path == child_path:  # the list as a whole (`spec.ports: Required value`)
                self.rowsets[key].errors.append(f"{full}: {message}" if full else message)
                return
        best = ""
        paths = {**self.FIELD_PATHS, **self.ERROR_PATHS}
        for field_path in paths:
            if (path == field_path or path.startswith(field_path + ".") or path.startswith(field_path + "[")) \
                    and len(field_path) > len(best):
                best = field_path
        text = f"{full}: {message}" if full else message
        if best and paths[best] in self.fields:  # type: ignore[attr-defined]
            self.add_error(paths[best], text)  # type: ignore[attr-defined]
        else:
            self.add_error(None, text)  # type: ignore[attr-defined]

    def build_rowsets(self, data, doc: dict | None) -> None:
        self.rowsets = {}
        for key, (path, form_key) in self.CHILDREN.items():
            docs = get_path(doc or {}, path)
            self.rowsets[key] = RowSet(ROW_FORMS[form_key], f"{self.prefix}-{key}" if self.prefix else key,  # type: ignore[attr-defined]
                                       data=data, docs=docs if isinstance(docs, list) else [], title=key)

    def rowsets_valid(self) -> bool:
        return all([rs.is_valid() for rs in self.rowsets.values()])

    def write_children(self, doc: dict) -> None:
        for key, (path, _) in self.CHILDREN.items():
            set_path(doc, path, self.rowsets[key].docs() or None)


class RowForm(PathErrorsMixin, forms.Form):
    """One row of a repeated part; `to_doc` writes it over the row's old document."""

    KEY: ClassVar[str] = ""
    TITLE: ClassVar[str] = ""

    def __init__(self, *args, doc: dict | None = None, **kwargs) -> None:
        self.doc = doc if isinstance(doc, dict) else {}
        super().__init__(*args, initial=self.initial_from(self.doc), **kwargs)
        style(self)
        self.build_rowsets(self.data if self.is_bound else None, self.doc)

    def initial_from(self, doc: dict) -> dict:
        return {field: get_path(doc, path) for path, field in self.FIELD_PATHS.items()}

    def write(self, doc: dict) -> None:
        for path, field in self.FIELD_PATHS.items():
            value = self.cleaned_data.get(field)
            set_path(doc, path, None if blank(self, field, value) else value)

    def to_doc(self) -> dict:
        doc = copy.deepcopy(self.doc)
        self.write(doc)
        self.write_children(doc)
        return doc


class RowSet:
    """The rows of one repeated part, under `prefix` (`ports`, `containers-0-ports`)."""

    def __init__(self, form_class: type[RowForm], prefix: str, *, data=None, docs: list | None = None,
                 title: str = "") -> None:
        self.form_class, self.prefix, self.title = form_class, prefix, form_class.TITLE or title
        self.errors: list[str] = []  # errors of the list as a whole
        self.bound = data is not None
        if self.bound:
            total = int(data.get(f"{prefix}-TOTAL") or 0)
            present = {int(m.group(1)) for k in data for m in [re.match(re.escape(prefix) + r"-(\d+)-", k)] if m}
            old = docs or []
            self.forms = [form_class(data, prefix=f"{prefix}-{i}", doc=old[i] if i < len(old) else None)
                          for i in range(total) if i in present]
            self.total = total
        else:
            self.forms = [form_class(prefix=f"{prefix}-{i}", doc=d) for i, d in enumerate(docs or [])]
            self.total = len(self.forms)

    @property
    def total_name(self) -> str:
        return f"{self.prefix}-TOTAL"

    @property
    def dom_id(self) -> str:
        return f"rows-{self.prefix}"

    def is_valid(self) -> bool:
        return all([f.is_valid() and f.rowsets_valid() for f in self.forms])

    def docs(self) -> list[dict]:
        return [f.to_doc() for f in self.forms]

    def place_error(self, index: int, path: str, message: str, full: str) -> bool:
        if index >= len(self.forms):
            return False
        self.forms[index].place_error(path, message, full)
        return True


class ObjectForm(PathErrorsMixin, forms.Form):
    """The fields every object has, plus a kind's own (FIELD_PATHS) and rows (CHILDREN)."""

    name = forms.CharField(max_length=253, help_text="metadata.name")
    namespace = forms.ChoiceField(choices=(), required=False, help_text="metadata.namespace")
    labels = KeyValueField(required=False, help_text="metadata.labels: key=value, one per line")

    BASE_PATHS: ClassVar[dict[str, str]] = {"metadata.name": "name", "metadata.namespace": "namespace",
                                            "metadata.labels": "labels"}
    KIND: ClassVar[str] = ""
    API_VERSION: ClassVar[str] = "v1"
    NAMESPACED: ClassVar[bool] = True

    def __init__(self, data=None, *, manifest: dict | None = None, namespaces: list[str] = (), **kwargs) -> None:
        self.base = copy.deepcopy(manifest) if manifest else {"apiVersion": self.API_VERSION, "kind": self.KIND,
                                                              "metadata": {}}
        initial = {field: get_path(self.base, path) for path, field in self.all_paths().items()}
        initial.update(self.initial_extra(self.base))
        super().__init__(data, initial=initial, **kwargs)
        if self.NAMESPACED:
            self.fields["namespace"].choices = [(n, n) for n in namespaces]
            if not manifest:
                self.initial["namespace"] = "default" if "default" in namespaces else None
        else:
            del self.fields["namespace"]
        style(self)
        self.build_rowsets(data, self.base)

    def all_paths(self) -> dict[str, str]:
        return {**self.BASE_PATHS, **self.FIELD_PATHS}

    def initial_extra(self, manifest: dict) -> dict:
        """Initial values that are not one path each (a Pod's Ready condition)."""
        return {}

    def place_error(self, path: str, message: str, full: str) -> None:  # type: ignore[override]
        saved = self.FIELD_PATHS
        self.FIELD_PATHS = self.all_paths()  # type: ignore[misc]
        try:
            super().place_error(path, message, full)
        finally:
            self.FIELD_PATHS = saved  # type: ignore[misc]

    def is_valid(self) -> bool:
        return all([super().is_valid(), self.rowsets_valid()])

    def write_extra(self, doc: dict) -> None:
        """Fields that are not one path each."""

    def manifest(self) -> dict:
        doc = copy.deepcopy(self.base)
        for path, field in self.all_paths().items():
            if field not in self.fields:
                continue
            value = self.cleaned_data.get(field)
            set_path(doc, path, None if blank(self, field, value) else value)
        self.write_extra(doc)
        self.write_children(doc)
        return doc

    def add_engine_errors(self, errors, object_name: str) -> None:
        """Refusals from services.operations: this object's at their field, others' on top."""
        for e in errors:
            if e.object == object_name and e.field:
                self.place_error(e.field, e.message, e.field)
            else:
                self.add_error(None, f"{e.object}: {e.field}: {e.message}" if e.field else f"{e.object}: {e.message}")
