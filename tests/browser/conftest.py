"""Browser tests fail on any console error or uncaught page error."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page


@pytest.fixture(autouse=True)
def fail_on_console_errors(page: Page):
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(f"console {msg.type}: {msg.text}") if msg.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    yield
    assert not problems, problems
