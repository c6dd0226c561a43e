"""The cabinet app's pages: dashboard, organisation, notifications, second factor, health."""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required, permission_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import Notification, OrgUnit
from .registry import dashboard_panels
from .selectors import mandates_in_force, notifications_for, user_mandates
from .services import notification_mark_read
from .uploads import StoredFileMissing

logger = logging.getLogger(__name__)


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    mandates = list(user_mandates(request.user).order_by("-start_date"))
    return render(
        request,
        "cabinet/home.html",
        {
            "mandates_current": [m for m in mandates if m.is_in_force()],
            "mandates_other": [m for m in mandates if not m.is_in_force()],
            "panels": dashboard_panels(request),
        },
    )


@require_GET
@permission_required("cabinet.view_organisation", raise_exception=True)
def organisation(request: HttpRequest) -> HttpResponse:
    units = list(OrgUnit.objects.filter(is_active=True).order_by("name"))
    holders: dict[int, list] = {}
    for mandate in mandates_in_force().order_by("position__title"):
        holders.setdefault(mandate.position.unit_id, []).append(mandate)
    children: dict[int | None, list[OrgUnit]] = {}
    for unit in units:
        children.setdefault(unit.parent_id, []).append(unit)

    def walk(parent_id, depth):
        for unit in children.get(parent_id, []):
            yield {"unit": unit, "depth": depth, "mandates": holders.get(unit.pk, [])}
            yield from walk(unit.pk, depth + 1)

    return render(request, "cabinet/organisation.html", {"rows": list(walk(None, 0))})


@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    return render(request, "cabinet/notifications.html", {"notifications": notifications_for(request.user)})


@require_POST
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    notification = get_object_or_404(Notification, pk=pk, recipient=request.user)
    notification_mark_read(notification=notification)
    target = notification.url or "cabinet:notifications"
    if notification.url and not url_has_allowed_host_and_scheme(notification.url, allowed_hosts=None):
        target = "cabinet:notifications"
    return redirect(target)


@never_cache
@require_http_methods(["GET", "POST"])
def otp_verify(request: HttpRequest) -> HttpResponse:
    """Validate the TOTP code of the person's device; create the device on first use."""
    from .forms import OTPTokenForm

    device = TOTPDevice.objects.filter(user=request.user, confirmed=True).first()
    pending = None
    if device is None:
        pending = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
        if pending is None:
            pending = TOTPDevice.objects.create(user=request.user, name="Cabinet", confirmed=False)
    target = device or pending
    form = OTPTokenForm(request.POST or None)
    allowed, _why = target.verify_is_allowed()
    if request.method == "POST" and form.is_valid() and not allowed:
        form.add_error("token", _("Trop d'essais infructueux : patientez quelques secondes puis réessayez."))
    elif request.method == "POST" and form.is_valid():
        if target.verify_token(form.cleaned_data["token"]):
            if not target.confirmed:
                target.confirmed = True
                target.save(update_fields=["confirmed"])
            otp_login(request, target)
            next_url = request.GET.get("next", "")
            if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
                next_url = settings.LOGIN_REDIRECT_URL
            messages.success(request, _("Second facteur validé."))
            return redirect(next_url)
        form.add_error("token", _("Code incorrect ou expiré. Réessayez avec le code affiché maintenant."))
    qr_svg = None
    if pending is not None:
        import segno

        qr_svg = segno.make(pending.config_url, error="m").svg_inline(scale=4)
    return render(
        request, "registration/otp_verify.html", {"form": form, "qr_svg": qr_svg, "enrolling": pending is not None}
    )


@login_not_required
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness of the database and (when configured) Redis; nothing else is disclosed."""
    checks: dict[str, str] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        checks["database"] = "ok"
    except Exception:
        logger.exception("healthz: database check failed")
        checks["database"] = "error"
    if settings.REDIS_URL:
        try:
            import redis

            client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
            client.ping()
            checks["redis"] = "ok"
        except Exception:
            logger.warning("healthz: Redis check failed", exc_info=True)
            checks["redis"] = "error"
    else:
        checks["redis"] = "not_configured"
    healthy = all(value in {"ok", "not_configured"} for value in checks.values())
    return JsonResponse({"status": "ok" if healthy else "error", "checks": checks}, status=200 if healthy else 503)


def error_404(request: HttpRequest, exception=None) -> HttpResponse:
    if isinstance(exception, StoredFileMissing):  # the person may see it: the file is gone
        return render(request, "missing_file.html", status=404)
    return render(request, "404.html", status=404)


def error_403(request: HttpRequest, exception=None) -> HttpResponse:
    return render(request, "403.html", status=403)
