import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import TEST_PASSWORD


@pytest.mark.django_db
def test_wrong_password_gives_french_error_and_reveals_nothing(people, client):
    response = client.post(reverse("login"), {"username": "attache", "password": "faux"})
    content = response.content.decode()
    assert response.status_code == 200
    assert "Saisissez un nom d’utilisateur et un mot de passe valides" in content
    # Same message for an unknown account: nothing tells which part was wrong.
    unknown = client.post(reverse("login"), {"username": "inconnu", "password": "faux"}).content.decode()
    assert "Saisissez un nom d’utilisateur et un mot de passe valides" in unknown


@pytest.mark.django_db
def test_account_locked_after_repeated_failures(people, client, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "attache", "password": "faux"})
    response = client.post(reverse("login"), {"username": "attache", "password": TEST_PASSWORD})
    assert response.status_code == 429
    assert "Compte temporairement bloqué" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_successful_login_lands_on_dashboard(people, client):
    response = client.post(reverse("login"), {"username": "attache", "password": TEST_PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/"


@pytest.mark.django_db
def test_logout_requires_post(people, login):
    client = login(people.attache)
    assert client.get(reverse("logout")).status_code == 405
    assert client.post(reverse("logout")).status_code == 302
    assert client.get("/").status_code == 302


@pytest.mark.django_db
def test_position_requiring_otp_forces_enrolment_then_verification(people, client):
    position = people.positions["dircab"]
    position.requires_otp = True
    position.save()
    client.post(reverse("login"), {"username": "directeur", "password": TEST_PASSWORD})
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith(reverse("otp_verify"))
    page = client.get(reverse("otp_verify"))
    assert "<svg" in page.content.decode()  # enrolment QR code, rendered locally
    device = TOTPDevice.objects.get(user=people.directeur)
    wrong = client.post(reverse("otp_verify"), {"token": "000000" if totp(device.bin_key) != 0 else "111111"})
    assert "Code incorrect" in wrong.content.decode()
    device.refresh_from_db()
    code = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
    throttled = client.post(reverse("otp_verify"), {"token": code})
    assert "Trop d&#x27;essais infructueux" in throttled.content.decode()
    device.throttle_reset()
    code = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
    response = client.post(f"{reverse('otp_verify')}?next=/", {"token": code})
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").status_code == 200
    device.refresh_from_db()
    assert device.confirmed


@pytest.mark.django_db
def test_otp_not_required_for_other_positions(people, login):
    people.positions["dircab"].requires_otp = True
    people.positions["dircab"].save()
    assert login(people.attache).get("/").status_code == 200


@pytest.mark.django_db
def test_password_change_page_in_french(people, login):
    response = login(people.attache).get(reverse("password_change"))
    assert "Changer de mot de passe" in response.content.decode()
