"""Writes on the correspondence register. Every function is keyword-only, atomic, validates
with ``full_clean()`` and records what it did in the mail's timeline (``MailEvent``).

Rights (who may call what) are checked by the views' access helpers; the services enforce
the register's own rules (numbering, dates, states, chain hash).
"""

from ._common import (
    _ensure_not_cancelled,
    _event,
    _grant_view,
    _refresh_search,
    _set_state,
)
from .attachments import (
    attachment_add,
)
from .correspondents import (
    _refresh_search_with_alias,
    correspondent_create,
    correspondent_merge,
    correspondent_update,
    require_mergeable,
)
from .imputation import (
    OpinionChangedMeanwhile,
    _check_deadline,
    _notify,
    default_deadline,
    imputation_acknowledge,
    imputation_annotate,
    imputation_complete,
    imputation_create,
    imputation_reassign,
)
from .registration import (
    UPDATABLE_FIELDS,
    _check_signed_item,
    _display,
    _lock_counter,
    _register,
    consultation_log,
    consultation_log_export,
    format_administrative_reference,
    format_reference,
    mail_cancel,
    mail_file,
    mail_grant_access,
    mail_link_reply,
    mail_register_incoming,
    mail_register_outgoing,
    mail_update,
    previous_chain_hash,
)
from .signature_book import (
    draft_reply_submit,
)

__all__ = [
    "OpinionChangedMeanwhile",
    "UPDATABLE_FIELDS",
    "_check_deadline",
    "_check_signed_item",
    "_display",
    "_ensure_not_cancelled",
    "_event",
    "_grant_view",
    "_lock_counter",
    "_notify",
    "_refresh_search",
    "_refresh_search_with_alias",
    "_register",
    "_set_state",
    "attachment_add",
    "consultation_log",
    "consultation_log_export",
    "correspondent_create",
    "correspondent_merge",
    "correspondent_update",
    "default_deadline",
    "draft_reply_submit",
    "format_administrative_reference",
    "format_reference",
    "imputation_acknowledge",
    "imputation_annotate",
    "imputation_complete",
    "imputation_create",
    "imputation_reassign",
    "mail_cancel",
    "mail_file",
    "mail_grant_access",
    "mail_link_reply",
    "mail_register_incoming",
    "mail_register_outgoing",
    "mail_update",
    "previous_chain_hash",
    "require_mergeable",
]
