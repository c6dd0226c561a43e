"""Second factor: holders of positions that require it must validate a TOTP code; idle
sessions expire without a write on every page view; French unless the person chose English."""

import contextlib
import time

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation

from .selectors import positions_held

EXEMPT_PREFIXES = ("/static/", "/healthz", "/compte/otp/", "/compte/deconnexion/", "/i18n/")


def second_factor_required(user) -> bool:
    return any(held.requires_otp for held in positions_held(user))


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


class SessionIdleRefreshMiddleware:
    """Idle expiry without a database write on every page view.

    A signed-in session lives ``SESSION_IDLE_MINUTES`` after its last save. Instead of saving
    it on every request (``SESSION_SAVE_EVERY_REQUEST``: an ``UPDATE`` and a commit per page),
    the session is saved again, pushing its expiry back, when it was last refreshed more than
    ``SESSION_REFRESH_SECONDS`` ago. A session therefore ends between ``SESSION_IDLE_MINUTES``
    minus that interval and ``SESSION_IDLE_MINUTES`` after the person's last request."""

    KEY = "_refreshed_at"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        session = getattr(request, "session", None)
        signed_in = session is not None and user is not None and user.is_authenticated
        if signed_in and time.time() - session.get(self.KEY, 0) >= settings.SESSION_REFRESH_SECONDS:
            self.mark(session)
        return response

    @classmethod
    def mark(cls, session) -> None:
        """Note the refresh; it marks the session modified, so SessionMiddleware saves it."""
        session[cls.KEY] = int(time.time())


def mark_session_refreshed(sender, request, user, **kwargs) -> None:
    """Signing in saves the session: the first page after it need not save it again."""
    session = getattr(request, "session", None)
    if session is not None:
        SessionIdleRefreshMiddleware.mark(session)


class FrenchFirstLocaleMiddleware(LocaleMiddleware):
    """The interface is in French unless the person chose another language with the switcher
    (its cookie). The browser's Accept-Language is not consulted: a ministry computer set up
    in English must still show the cabinet's French, as the ministry's own texts are."""

    def process_request(self, request):
        language = settings.LANGUAGE_CODE
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if chosen:
            with contextlib.suppress(LookupError):  # an unknown code: French
                language = translation.get_supported_language_variant(chosen)
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
