"""Request bodies: JSON or YAML handed through as text (the engine reads them, with its
hostile-input limits), JSON merge patches, and the body size limit (KUBENET_MAX_INPUT_BYTES)."""

from __future__ import annotations

import json

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import BaseParser


def max_input_bytes() -> int:
    return int(getattr(settings, "KUBENET_MAX_INPUT_BYTES", 64 * 1024 * 1024))


def read_limited(stream) -> bytes:
    """The whole body, or PayloadTooLarge past the limit (a chunked body has no length)."""
    from .errors import PayloadTooLarge

    limit = max_input_bytes()
    data = stream.read(limit + 1) if stream is not None else b""
    if len(data) > limit:
        raise PayloadTooLarge(limit)
    return data


class RawDocumentParser(BaseParser):
    """Hands the body through as text: kubenet_site.semantics reads it (one reader)."""

    media_type = "application/json"

    def parse(self, stream, media_type=None, parser_context=None):
        return read_limited(stream).decode("utf-8", errors="replace")


class YAMLDocumentParser(RawDocumentParser):
    media_type = "application/yaml"


class XYAMLDocumentParser(RawDocumentParser):
    media_type = "application/x-yaml"


class TextYAMLDocumentParser(RawDocumentParser):
    media_type = "text/yaml"


class MergePatchParser(RawDocumentParser):
    """RFC 7386 JSON merge patch: a JSON document (read as text, parsed by the view)."""

    media_type = "application/merge-patch+json"


DOCUMENT_PARSERS = [RawDocumentParser, YAMLDocumentParser, XYAMLDocumentParser, TextYAMLDocumentParser]
PATCH_PARSERS = [MergePatchParser, RawDocumentParser]


def json_body(text: object) -> object:
    """A JSON body (a PATCH, a topology): ParseError (400) naming the position when it is not.
    A request without a body reaches here as DRF's empty data (a mapping), not as text."""
    if not isinstance(text, str | bytes):
        if not text:
            raise ParseError("the body is empty: send a JSON document")
        return text
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    if not text.strip():
        raise ParseError("the body is empty: send a JSON document")
    try:
        return json.loads(text)
    except ValueError as exc:
        raise ParseError(f"not JSON: {exc}") from exc


def merge_patch(target: object, patch: object) -> object:
    """RFC 7386 section 2: a patch that is not an object replaces the target; `null` removes
    a member; objects merge recursively."""
    if not isinstance(patch, dict):
        return patch
    out = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = merge_patch(out.get(key), value)
    return out


def unstorable(value: object, where: str = "") -> tuple[str, str] | None:
    """(field path, what) of the first string PostgreSQL cannot store: a NUL character, or a
    lone UTF-16 surrogate (JSON may escape one; UTF-8 cannot encode it)."""
    if isinstance(value, str):
        if "\x00" in value:
            return where, "contains a NUL character"
        if any(0xD800 <= ord(c) <= 0xDFFF for c in value):
            return where, "contains a lone UTF-16 surrogate"
        return None
    if isinstance(value, dict):
        for key, item in value.items():
            path = f"{where}.{key}" if where else str(key)
            found = unstorable(key, path) or unstorable(item, path)
            if found:
                return found
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found = unstorable(item, f"{where}[{i}]")
            if found:
                return found
    return None


def require_storable(value: object, where: str = "") -> None:
    """ApiError 400 naming the field when `value` holds a string that cannot be stored."""
    from .errors import ApiError

    found = unstorable(value, where)
    if found:
        path, what = found
        raise ApiError(400, f"{path or 'the body'}: {what}, which cannot be stored", path or None)
