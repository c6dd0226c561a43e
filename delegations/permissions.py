"""The row-level permission to sign, held by exactly the people the law allows: granted when
an item enters the signature book or an arrêté comes into force, withdrawn at once on a
revocation, and resynchronised by the nightly task (expiry, lapse, a mandate that ended)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.contrib.auth.models import Permission
from django.db.models import QuerySet
from django.utils import timezone

from .models import ActCategory, Delegation, SignatureItem, SignatureItemUserObjectPermission
from .rules import signers_on


def _perm(codename: str) -> Permission:
    return Permission.objects.get(content_type__app_label="delegations", codename=codename)


def pending_in_scope(delegation: Delegation) -> QuerySet[SignatureItem]:
    return SignatureItem.objects.filter(
        state__in=SignatureItem.PENDING_STATES, category__in=delegation.categories.all()
    )


def sign_permissions_sync(
    *, items: QuerySet[SignatureItem] | None = None, day: datetime.date | None = None
) -> tuple[int, int]:
    """Make ``sign_signatureitem`` held by exactly the people the rules allow today, on each
    pending item (and by nobody on an item no longer pending): the minister in office and the
    intérim holder on every pending item, a delegate on the items at the signature stage in
    his arrêté's scope. Returns (granted, withdrawn)."""
    day = day or timezone.localdate()
    perm = _perm("sign_signatureitem")
    items = SignatureItem.objects.all() if items is None else items
    item_rows = list(items.values_list("pk", "category_id", "state"))
    if not item_rows:
        return 0, 0
    categories = {c.pk: c for c in ActCategory.objects.filter(pk__in={row[1] for row in item_rows})}
    signers = {pk: signers_on(cat, day) for pk, cat in categories.items()}
    # A delegate signs once the visas are given; the minister may take a file back at any time.
    wanted = {
        (pk, authority.user.pk)
        for pk, category_id, state in item_rows
        for authority in signers[category_id]
        if state == SignatureItem.State.A_SIGNER
        or (state == SignatureItem.State.EN_VISA and authority.mode != SignatureItem.Mode.DELEGATION)
    }
    existing_rows = SignatureItemUserObjectPermission.objects.filter(
        permission=perm, content_object_id__in=[row[0] for row in item_rows]
    ).values_list("pk", "content_object_id", "user_id")
    existing = {(item_id, user_id): row_pk for row_pk, item_id, user_id in existing_rows}
    stale = [row_pk for key, row_pk in existing.items() if key not in wanted]
    if stale:
        SignatureItemUserObjectPermission.objects.filter(pk__in=stale).delete()
    missing = [key for key in wanted if key not in existing]
    SignatureItemUserObjectPermission.objects.bulk_create(
        [SignatureItemUserObjectPermission(permission=perm, content_object_id=i, user_id=u) for i, u in missing]
    )
    return len(missing), len(stale)


def grant_view(item: SignatureItem, users: Iterable) -> None:
    perm = _perm("view_signatureitem")
    for user in users:
        SignatureItemUserObjectPermission.objects.get_or_create(permission=perm, content_object=item, user=user)
