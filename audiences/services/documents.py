"""The documents of an audience: the request's enclosures and the compte rendu."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cabinet.roles import Role
from cabinet.selectors import holders_of
from correspondence.files import check_upload, sanitise_name

from ..models import SCHEDULED_STATES, Attachment, Audience, AudienceEvent, AudienceState
from ..roles import PROGRAMME
from ._shared import _event, _lock, _notify, _require, _require_state, _set_state

State = AudienceState


def attachment_add(*, audience: Audience, by, upload, kind: str, check: bool = True) -> Attachment:
    # By content, not by name: a renamed executable is refused; size-limited; safe name.
    try:
        check_upload(upload)
    except ValidationError as exc:
        raise ValidationError({"file": exc.messages})
    name = sanitise_name(upload.name)[:255]
    attachment = Attachment(audience=audience, kind=kind, file=upload, name=name, uploaded_by=by)
    attachment.full_clean()
    attachment.save()
    return attachment


@transaction.atomic
def audience_report_attach(*, audience: Audience, by, upload) -> Attachment:
    """The compte rendu of an audience held (or past): visible to whoever sees the audience,
    the minister and the directeur de cabinet first."""
    _require(by, PROGRAMME)
    audience = _lock(audience)
    _require_state(audience, State.HELD, *SCHEDULED_STATES)
    if audience.starts_at > timezone.now():
        raise ValidationError({"file": _("Le compte rendu se dépose après l'audience.")})
    attachment = attachment_add(audience=audience, by=by, upload=upload, kind=Attachment.Kind.REPORT)
    if audience.state != State.HELD:
        audience.save(update_fields=_set_state(audience, State.HELD))
    _event(audience, AudienceEvent.Kind.REPORT, by, attachment.name)
    readers = {u.pk: u for role in (Role.MINISTRE, Role.DIRECTEUR_CABINET) for u in holders_of(role)}
    _notify(
        readers.values(),
        audience,
        _("Compte rendu de l'audience : %(who)s") % {"who": audience.requester_label},
    )
    return attachment
