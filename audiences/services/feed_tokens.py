"""The secret address of a person's private iCalendar feed."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from ..models import FeedToken


def feed_token_for(user) -> FeedToken:
    token, _created = FeedToken.objects.get_or_create(user=user, defaults={"token": FeedToken.new_token()})
    return token


@transaction.atomic
def feed_token_renew(*, user) -> FeedToken:
    """A new secret address; the old one answers 404 from now on."""
    token = feed_token_for(user)
    token.token = FeedToken.new_token()
    token.created_at = timezone.now()
    token.save(update_fields=["token", "created_at"])
    return token
