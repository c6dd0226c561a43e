"""Pages of the correspondence register. Each view: decorators, access helper, form, one
service call, redirect. A mail one may not see answers 404 everywhere; a visible mail on
which one may not act answers 403."""

from .correspondents import (
    correspondent_create,
    correspondent_list,
    correspondent_lookup,
    correspondent_merge,
    correspondent_quick_create,
    correspondent_update,
)
from .exports import export_csv, export_xlsx
from .imputations import (
    imputation_acknowledge,
    imputation_annotate,
    imputation_complete,
    imputation_reassign,
    imputation_submit_signature,
)
from .register import (
    attachment_download,
    attachment_preview,
    attachment_upload,
    mail_cancel,
    mail_detail,
    mail_file,
    mail_grant,
    mail_list,
    mail_route,
    mail_update,
    my_work,
    register_incoming,
    register_outgoing,
)

__all__ = [
    "attachment_download",
    "attachment_preview",
    "attachment_upload",
    "correspondent_create",
    "correspondent_list",
    "correspondent_lookup",
    "correspondent_merge",
    "correspondent_quick_create",
    "correspondent_update",
    "export_csv",
    "export_xlsx",
    "imputation_acknowledge",
    "imputation_annotate",
    "imputation_complete",
    "imputation_reassign",
    "imputation_submit_signature",
    "mail_cancel",
    "mail_detail",
    "mail_file",
    "mail_grant",
    "mail_list",
    "mail_route",
    "mail_update",
    "my_work",
    "register_incoming",
    "register_outgoing",
]
