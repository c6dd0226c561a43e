"""Playwright fixtures: Debian's Chromium (/usr/bin/chromium), driven by the sync API
against pytest-django's live server.

Use ``signed_in(user)`` to get a page already logged in through the real login form.
"""

import os
import shutil
from pathlib import Path

import pytest

from tests.factories import TEST_PASSWORD

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        pytest.fail(f"Chromium introuvable : {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-dev-shm-usage"])
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser):
    """``new_page()`` opens a fresh browser context (its own cookies) and page."""
    contexts = []

    def _new_page():
        context = browser.new_context(
            locale="fr-FR", timezone_id="Africa/Lome", viewport={"width": 1280, "height": 900}
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.js_errors = errors
        return page

    yield _new_page
    for context in contexts:
        context.close()


@pytest.fixture
def signed_in(new_page, live_server):
    """``signed_in(user)`` returns a page logged in as ``user`` via the login form."""

    def _signed_in(user, password=TEST_PASSWORD):
        page = new_page()
        page.goto(f"{live_server.url}/compte/connexion/")
        page.get_by_label("Identifiant").fill(user.username)
        page.get_by_label("Mot de passe").fill(password)
        page.get_by_role("button", name="Se connecter").click()
        page.wait_for_url(f"{live_server.url}/**")
        page.base_url = live_server.url
        return page

    return _signed_in


@pytest.fixture
def shots(request, tmp_path):
    """``shot(page, name)``: a full-page screenshot, ``<SCREENSHOT_PREFIX>-<name>.png`` (the test
    module's prefix). SCREENSHOT_DIR=docs/img writes the guide's screenshots; otherwise they go
    to a temporary folder."""
    folder = Path(os.environ["SCREENSHOT_DIR"]) if os.environ.get("SCREENSHOT_DIR") else tmp_path
    prefix = request.module.SCREENSHOT_PREFIX

    def shot(page, name):
        page.screenshot(path=str(folder / f"{prefix}-{name}.png"), full_page=True)

    return shot
