"""The assignee's work on an imputation, reassignment, and the draft reply sent to the
signature book."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from cabinet.holding import HeldFiles

from .. import holding, selectors, services
from ..forms import (
    AnnotationForm,
    ReassignForm,
    SignatureSubmitForm,
)
from ..models import Attachment
from ._access import _apply_errors, _get_imputation_for_assignee, _get_imputation_for_user, _require


# --- Imputations ----------------------------------------------------------------------------
@require_POST
def imputation_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    imputation = _get_imputation_for_assignee(request, pk)
    try:
        services.imputation_acknowledge(imputation=imputation, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("correspondence:mail_detail", pk=imputation.mail_id)


@require_http_methods(["GET", "POST"])
def imputation_annotate(request: HttpRequest, pk: int) -> HttpResponse:
    imputation = _get_imputation_for_assignee(request, pk)
    _require(imputation.is_open and not imputation.mail.is_cancelled)
    posted = request.method == "POST"
    # A draft reply accepted before an error elsewhere is kept (« Fichier déjà reçu »).
    held = HeldFiles(holding.AREA, request, "draft_reply", single=True)
    form = AnnotationForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        initial={"opinion": imputation.opinion, "seen_opinion": imputation.opinion},
        draft_held=bool(held.entries),
    )
    if posted and form.is_valid():
        data = form.cleaned_data
        try:
            with held.file(data["draft_reply"]) as draft_reply:
                services.imputation_annotate(
                    imputation=imputation,
                    actor=request.user,
                    note=data["note"],
                    opinion=form.opinion_change(),
                    seen_opinion=data["seen_opinion"],
                    draft_reply=draft_reply,
                )
        except services.OpinionChangedMeanwhile as exc:
            _apply_errors(form, exc)
            form.seen_now(exc.opinion)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Travail enregistré."))
            return redirect("correspondence:mail_detail", pk=imputation.mail_id)
    held.keep_after_error(form)
    return render(
        request,
        "correspondence/action_form.html",
        {
            "mail": imputation.mail,
            "imputation": imputation,
            "form": form,
            "title": _("Notes, avis et projet de réponse"),
            "submit": _("Enregistrer"),
            "multipart": True,
            **held.context(),
        },
    )


@require_POST
def imputation_complete(request: HttpRequest, pk: int) -> HttpResponse:
    imputation = _get_imputation_for_assignee(request, pk)
    try:
        services.imputation_complete(imputation=imputation, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Imputation terminée."))
    return redirect("correspondence:mail_detail", pk=imputation.mail_id)


@require_http_methods(["GET", "POST"])
def imputation_reassign(request: HttpRequest, pk: int) -> HttpResponse:
    imputation = _get_imputation_for_user(request, pk)
    _require(selectors.can_route(request.user) and imputation.is_open and not imputation.mail.is_cancelled)
    form = ReassignForm(
        request.POST if request.method == "POST" else None, initial={"instruction": imputation.instruction}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.imputation_reassign(
                imputation=imputation,
                actor=request.user,
                assignee=data["assignee"],
                assignee_unit=data["assignee_unit"],
                instruction=data["instruction"],
                deadline=data["deadline"],
                comment=data["comment"],
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Imputation réaffectée."))
            return redirect("correspondence:mail_detail", pk=imputation.mail_id)
    return render(
        request,
        "correspondence/action_form.html",
        {
            "mail": imputation.mail,
            "imputation": imputation,
            "form": form,
            "title": _("Réaffecter"),
            "submit": _("Réaffecter"),
        },
    )


@require_http_methods(["GET", "POST"])
def imputation_submit_signature(request: HttpRequest, pk: int) -> HttpResponse:
    """ "Soumettre au parapheur": the assignee sends a draft reply to the signature book."""
    imputation = _get_imputation_for_assignee(request, pk)
    drafts = imputation.attachments.filter(kind=Attachment.Kind.DRAFT_REPLY)
    _require(not imputation.mail.is_cancelled and drafts.exists())
    mail = imputation.mail
    initial = {
        "title": _("Réponse à %(corr)s — %(subject)s") % {"corr": mail.correspondent, "subject": mail.subject},
        "body": imputation.opinion,
        "attachment": drafts.last(),
    }
    form = SignatureSubmitForm(request.POST if request.method == "POST" else None, initial=initial, drafts=drafts)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            item = services.draft_reply_submit(
                imputation=imputation,
                actor=request.user,
                attachment=data["attachment"],
                category=data["category"],
                title=data["title"],
                body=data["body"],
                source_url=reverse("correspondence:mail_detail", args=[mail.pk]),
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Projet soumis au parapheur : « %(title)s ».") % {"title": item.title})
            return redirect("correspondence:mail_detail", pk=mail.pk)
    return render(
        request,
        "correspondence/action_form.html",
        {
            "mail": mail,
            "imputation": imputation,
            "form": form,
            "title": _("Soumettre au parapheur"),
            "submit": _("Soumettre au parapheur"),
        },
    )
