"""Access helpers and small request helpers shared by the register's views."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404

from .. import selectors
from ..forms import MailFilterForm
from ..models import Imputation, Mail


# --- Access helpers -------------------------------------------------------------------------
def _get_mail_for_user(request: HttpRequest, pk: int) -> Mail:
    """The mail if the person may see it; 404 whether it is missing or hidden."""
    mail = selectors.mail_for_user(request.user, pk)
    if mail is None:
        raise Http404
    return mail


def _get_imputation_for_user(request: HttpRequest, pk: int) -> Imputation:
    imputation = get_object_or_404(Imputation.objects.select_related("mail", "assignee", "assignee_unit"), pk=pk)
    _get_mail_for_user(request, imputation.mail_id)
    return imputation


def _get_imputation_for_assignee(request: HttpRequest, pk: int) -> Imputation:
    """An imputation the person works on (theirs or their unit's); 403 for other viewers."""
    imputation = _get_imputation_for_user(request, pk)
    if not selectors.is_assignee(request.user, imputation):
        raise PermissionDenied
    return imputation


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _apply_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def _filters_from(request: HttpRequest) -> tuple[MailFilterForm, selectors.MailFilters]:
    form = MailFilterForm(request.GET or None, user=request.user)
    filters = form.to_filters() if request.GET else selectors.MailFilters()
    return form, filters
