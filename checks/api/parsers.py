"""Request bodies of the query door: JSON or YAML, read with the engine's hostile-input limits."""

from __future__ import annotations

from rest_framework.parsers import BaseParser


class RawDocumentParser(BaseParser):
    """Hands the body through as text: kubenet_site.semantics.query reads it (one reader)."""

    media_type = "application/json"

    def parse(self, stream, media_type=None, parser_context=None):
        return stream.read().decode("utf-8", errors="replace")


class YAMLDocumentParser(RawDocumentParser):
    media_type = "application/yaml"


class XYAMLDocumentParser(RawDocumentParser):
    media_type = "application/x-yaml"


class TextYAMLDocumentParser(RawDocumentParser):
    media_type = "text/yaml"
