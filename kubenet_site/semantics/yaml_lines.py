"""Where each YAML document of a text begins: the 1-based line of its first node.

Reported findings point at the file and line of the object's document (SARIF regions, editors).
The event stream is read without constructing anything (aliases are not expanded), so call it
after manifests.parse_yaml_documents accepted the text.
"""

from __future__ import annotations

import yaml

Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def document_lines(text: str | bytes) -> list[int]:
    """One line per document, in the order yaml.load_all yields them."""
    if isinstance(text, bytes):
        text = text.decode("utf-8-sig")
    text = text.removeprefix("\ufeff")
    lines: list[int] = []
    expecting_root = False
    for event in yaml.parse(text, Loader=Loader):
        if isinstance(event, yaml.DocumentStartEvent):
            expecting_root = True
        elif expecting_root and isinstance(event, yaml.NodeEvent):
            lines.append(event.start_mark.line + 1)
            expecting_root = False
    return lines
