import json

import pytest


@pytest.mark.django_db
def test_healthz_answers_without_login_and_discloses_nothing_else(client, settings):
    settings.REDIS_URL = ""
    response = client.get("/healthz")
    assert response.status_code == 200
    body = json.loads(response.content)
    assert body == {"status": "ok", "checks": {"database": "ok", "redis": "not_configured"}}


@pytest.mark.django_db
def test_healthz_names_redis_when_it_is_down(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:6399/0"  # nothing listens there
    response = client.get("/healthz")
    assert response.status_code == 503
    body = json.loads(response.content)
    assert body["checks"] == {"database": "ok", "redis": "error"}
    # The rest of the application keeps serving pages.
    assert client.get("/compte/connexion/").status_code == 200


@pytest.mark.redis
@pytest.mark.django_db
def test_healthz_reports_live_redis(client, settings):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert json.loads(response.content)["checks"]["redis"] == "ok"


@pytest.mark.django_db
def test_healthz_rejects_post(client):
    assert client.post("/healthz").status_code == 405
