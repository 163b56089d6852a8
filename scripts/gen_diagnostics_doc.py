"""Write docs/diagnostics.md from the engine's catalogue of finding codes.

Usage: python scripts/gen_diagnostics_doc.py [--check]   (--check: exit 1 when the file differs)
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kubenet_site.semantics.catalogue_doc import render  # noqa: E402

DOC = ROOT / "docs" / "diagnostics.md"


def main(argv: list[str]) -> int:
    text = render()
    if "--check" in argv:
        current = DOC.read_text(encoding="utf-8") if DOC.exists() else ""
        if current != text:
            print(f"{DOC} is out of date: run python scripts/gen_diagnostics_doc.py", file=sys.stderr)
            return 1
        return 0
    DOC.write_text(text, encoding="utf-8")
    print(f"wrote {DOC}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
