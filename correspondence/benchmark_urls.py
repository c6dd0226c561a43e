"""The bench's address book: the application's own, plus an empty page behind the same
middleware (sign-in, session, second factor, lockouts, security headers). Its time is the
floor under every page of the application, whatever the page itself does."""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path


def signed_in_empty(request: HttpRequest) -> HttpResponse:
    return HttpResponse(b"", content_type="text/plain")


urlpatterns = [
    path("__bench/vide/", signed_in_empty, name="bench_empty"),
    path("", include("cabinet.urls")),
]
