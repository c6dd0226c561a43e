import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_attache_logs_in_sees_home_and_logs_out(people, signed_in, live_server):
    page = signed_in(people.attache)
    assert page.url == f"{live_server.url}/"
    assert page.get_by_role("heading", name="Bonjour, Mme Afi MENSAH").is_visible()
    assert page.get_by_text("Attaché de cabinet").first.is_visible()
    page.get_by_role("button", name="Se déconnecter").click()
    page.wait_for_url(f"{live_server.url}/compte/**")
    page.goto(f"{live_server.url}/")
    assert "/compte/connexion/" in page.url
    assert page.js_errors == []


def test_wrong_password_shows_french_error_and_keeps_username(people, new_page, live_server):
    page = new_page()
    page.goto(f"{live_server.url}/compte/connexion/")
    page.get_by_label("Identifiant").fill("attache")
    page.get_by_label("Mot de passe").fill("pas-le-bon")
    page.get_by_role("button", name="Se connecter").click()
    alert = page.get_by_role("alert")
    assert "Saisissez un nom d’utilisateur et un mot de passe valides" in alert.inner_text()
    assert page.get_by_label("Identifiant").input_value() == "attache"
