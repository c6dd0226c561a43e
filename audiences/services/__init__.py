"""Writes on audiences: each state change is one service, atomic, validated, recorded in the
audience's history, with its notifications written in the same transaction.

One module per part of an audience's life; everything is imported from here, as
``audiences.services.<name>``:

- ``requests``: recording a request, studying it, the decision, « Modifier la demande »; its
  requester merged in the directory;
- ``programming``: the agenda (programme, move, protocol confirmation, cancel, held);
- ``preparation``: the cabinet's participants and the protocol's needs after programming
  (« Modifier la préparation »), access given to a person;
- ``documents``: enclosures and the compte rendu;
- ``blocks``: blocks of the minister's time;
- ``feed_tokens``: the private iCalendar address;
- ``feed_revisions``: the feed's revision when its text changes elsewhere (administration,
  a requester or a place renamed);
- ``_shared``: rights checked again, row lock, history, notifications, lost-update guard.
"""

from ..models import PROTOCOL_FIELDS
from ._shared import ChangedMeanwhile, last_event
from .blocks import require_block_active, unavailability_create, unavailability_lift, unavailability_update
from .documents import attachment_add, audience_report_attach
from .feed_revisions import audience_shown_changed, audiences_place_renamed, audiences_requester_renamed
from .feed_tokens import feed_token_for, feed_token_renew
from .preparation import audience_grant_access, audience_preparation_update, require_preparable
from .programming import (
    audience_ask_change,
    audience_cancel,
    audience_confirm,
    audience_mark_held,
    audience_move,
    audience_programme,
)
from .requests import (
    REQUEST_FIELDS,
    audience_accept,
    audience_refuse,
    audience_request_create,
    audience_study,
    audience_update,
    audiences_requester_merged,
    require_correctable,
)

__all__ = [
    "PROTOCOL_FIELDS",
    "REQUEST_FIELDS",
    "ChangedMeanwhile",
    "attachment_add",
    "audience_accept",
    "audience_ask_change",
    "audience_cancel",
    "audience_confirm",
    "audience_grant_access",
    "audience_mark_held",
    "audience_move",
    "audience_preparation_update",
    "audience_programme",
    "audience_refuse",
    "audience_report_attach",
    "audience_request_create",
    "audience_shown_changed",
    "audience_study",
    "audience_update",
    "audiences_place_renamed",
    "audiences_requester_merged",
    "audiences_requester_renamed",
    "feed_token_for",
    "feed_token_renew",
    "last_event",
    "require_block_active",
    "require_correctable",
    "require_preparable",
    "unavailability_create",
    "unavailability_lift",
    "unavailability_update",
]
