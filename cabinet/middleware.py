"""Second factor: holders of positions that require it must validate a TOTP code."""

from django.shortcuts import redirect
from django.urls import reverse

from .models import Mandate

EXEMPT_PREFIXES = ("/static/", "/healthz", "/compte/otp/", "/compte/deconnexion/", "/i18n/")


def second_factor_required(user) -> bool:
    return Mandate.objects.in_force().filter(user=user, position__requires_otp=True).exists()


class RequireSecondFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(EXEMPT_PREFIXES)
            and not user.is_verified()
            and second_factor_required(user)
        ):
            return redirect(f"{reverse('otp_verify')}?next={request.get_full_path()}")
        return self.get_response(request)
