"""The register: lists, registration (arrivée, départ), a mail's page and its actions,
attachments."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cabinet.holding import HeldFiles
from cabinet.pagination import page_number, whole_number
from cabinet.uploads import open_stored

from .. import holding, selectors, services
from ..forms import (
    AttachmentForm,
    CancelForm,
    GrantForm,
    ImputationForm,
    IncomingMailForm,
    MailUpdateForm,
    OutgoingMailForm,
)
from ..models import Attachment, Correspondent, Mail, MailConsultation, Register
from ._access import _apply_errors, _filters_from, _get_mail_for_user, _require


# --- The register ---------------------------------------------------------------------------
@require_GET
def mail_list(request: HttpRequest) -> HttpResponse:
    form, filters = _filters_from(request)
    page = selectors.paginate_register(
        selectors.register_list(request.user, filters),
        sort=filters.sort,
        # Bounded: « 99999999999999999999 » made an offset PostgreSQL's bigint cannot hold.
        page=page_number(request.GET.get("page")),
        after=request.GET.get("after", ""),
        before=request.GET.get("before", ""),
        per_page=selectors.PER_PAGE,
    )
    params = request.GET.copy()
    for name in ("page", "after", "before"):
        params.pop(name, None)
    correspondent = Correspondent.objects.filter(pk=filters.correspondent).first() if filters.correspondent else None
    return render(
        request,
        "correspondence/mail_list.html",
        {
            "form": form,
            "page": page,
            "query_string": params.urlencode(),
            "filter_correspondent": correspondent,
            "can_register": selectors.can_register(request.user),
            "can_export": selectors.can_export(request.user),
        },
    )


@require_GET
def my_work(request: HttpRequest) -> HttpResponse:
    """ "À traiter": my open imputations, then late and due-soon ones in my scope.

    Each list shows its first ``MY_WORK_ROWS`` rows (rendering hundreds of rows was most of the
    page's time at a million letters, docs/performance.md item 8); "voir tout" (``?tout=1``)
    shows up to ``MY_WORK_ALL_ROWS``."""
    show_all = request.GET.get("tout") == "1"
    limit = MY_WORK_ALL_ROWS if show_all else MY_WORK_ROWS
    context = {"today": timezone.localdate(), "show_all": show_all}
    for name, qs in (
        ("mine", selectors.my_imputations(request.user)),
        ("late", selectors.late_imputations(request.user)),
        ("due_soon", selectors.due_soon_imputations(request.user)),
    ):
        rows = list(qs[: limit + 1])
        context[name] = rows[:limit]
        context[f"{name}_more"] = len(rows) > limit
    return render(request, "correspondence/my_work.html", context)


MY_WORK_ROWS = 50
MY_WORK_ALL_ROWS = 200


@require_http_methods(["GET", "POST"])
def register_incoming(request: HttpRequest) -> HttpResponse:
    _require(selectors.can_register(request.user))
    posted = request.method == "POST"
    form = IncomingMailForm(request.POST if posted else None, request.FILES if posted else None)
    held = HeldFiles(holding.AREA, request, "files")
    if posted and form.is_valid():
        data = form.cleaned_data
        try:
            with held.files(data["files"]) as files:
                mail = services.mail_register_incoming(
                    registered_by=request.user,
                    correspondent=data["correspondent"],
                    subject=data["subject"],
                    kind=data["kind"],
                    arrival_date=data["arrival_date"],
                    letter_date=data["letter_date"],
                    sender_reference=data["sender_reference"],
                    channel=data["channel"],
                    pages=data["pages"],
                    enclosures=data["enclosures"],
                    priority=data["priority"],
                    confidentiality=data["confidentiality"],
                    keywords=data["keywords"],
                    files=files,
                )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Courrier enregistré sous le numéro %(ref)s.") % {"ref": mail.reference})
            return _after_registration(request, mail)
    held.keep_after_error(form)
    return render(
        request, "correspondence/mail_form.html", {"form": form, "register": Register.ARRIVEE, **held.context()}
    )


def _after_registration(request: HttpRequest, mail: Mail) -> HttpResponse:
    # A registrar may register a confidential envelope without being allowed to read it.
    if selectors.mail_for_user(request.user, mail.pk) is None:
        return redirect("correspondence:mail_list")
    return redirect("correspondence:mail_detail", pk=mail.pk)


@require_http_methods(["GET", "POST"])
def register_outgoing(request: HttpRequest) -> HttpResponse:
    _require(selectors.can_register(request.user))
    # Offer the recent unanswered incoming letters (and whatever was posted or asked for),
    # only among those the person may see.
    incoming_qs = selectors.visible_mails(request.user).filter(register=Register.ARRIVEE, cancelled_at__isnull=True)
    ids = list(
        incoming_qs.exclude(state__in=[Mail.State.REPONDU, Mail.State.ARCHIVE])
        .order_by("-registered_at")
        .values_list("pk", flat=True)[:50]
    )
    initial = {}
    answering = whole_number(request.GET.get("reponse_a", ""))
    if answering is not None:
        incoming = _get_mail_for_user(request, answering)
        _require(incoming.register == Register.ARRIVEE and not incoming.is_cancelled)
        ids.insert(0, incoming.pk)
        initial = {
            "replies_to": [incoming.pk],
            "recipients": [incoming.correspondent.merged_into_id or incoming.correspondent_id],
            "subject": _("Réponse : %(subject)s") % {"subject": incoming.subject},
            "confidentiality": incoming.confidentiality,
            "kind": incoming.kind_id,
        }
    signed_item = _signed_item_for_registration(request)
    if signed_item is not None:
        initial.update(
            {
                "subject": signed_item.title,
                "signatory": signed_item.signer_id,
                "letter_date": timezone.localtime(signed_item.signed_at).date(),
            }
        )
    posted = [n for n in map(whole_number, request.POST.getlist("replies_to")) if n is not None]
    if posted:
        ids += list(incoming_qs.filter(pk__in=posted).values_list("pk", flat=True))
    reply_qs = Mail.objects.filter(pk__in=ids).select_related("correspondent").order_by("-registered_at")
    form = OutgoingMailForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        initial=initial,
        reply_candidates=reply_qs,
    )
    held = HeldFiles(holding.AREA, request, "files")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with held.files(data["files"]) as files:
                mail = services.mail_register_outgoing(
                    registered_by=request.user,
                    recipients=data["recipients"],
                    copies=data["copies"],
                    subject=data["subject"],
                    kind=data["kind"],
                    letter_date=data["letter_date"],
                    sent_date=data["sent_date"],
                    signatory=data["signatory"],
                    replies_to=data.get("replies_to") or [],
                    pages=data["pages"],
                    enclosures=data["enclosures"],
                    priority=data["priority"],
                    confidentiality=data["confidentiality"],
                    keywords=data["keywords"],
                    files=files,
                    signature_item=signed_item,
                )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(
                request,
                _("Courrier départ enregistré : %(ref)s — %(admin)s.")
                % {"ref": mail.reference, "admin": mail.administrative_reference},
            )
            return _after_registration(request, mail)
    held.keep_after_error(form)
    return render(
        request,
        "correspondence/mail_form.html",
        {"form": form, "register": Register.DEPART, "signed_item": signed_item, **held.context()},
    )


def _signed_item_for_registration(request: HttpRequest):
    """The signed item of the signature book being registered (``?parapheur=<id>``, kept in
    the form as a hidden field). Whoever may see it in the parapheur, or may see the mail it
    was drafted from, may register it; 404 otherwise, 403 if it is not signed or already
    registered."""
    from delegations.models import SignatureItem
    from delegations.selectors import visible_items

    number = whole_number(request.POST.get("parapheur") or request.GET.get("parapheur") or "")
    if number is None:
        return None
    item = SignatureItem.objects.filter(pk=number).select_related("signer").first()
    if item is None:
        raise Http404
    source = _mail_of_source(request, item.source_url)
    if source is None and not visible_items(request.user).filter(pk=item.pk).exists():
        raise Http404
    _require(item.state == SignatureItem.State.SIGNE and bool(item.signed_pdf))
    _require(not Mail.objects.filter(signature_item=item).exists())
    return item


def _mail_of_source(request: HttpRequest, url: str) -> Mail | None:
    """The mail a signature item was drafted from, if the person may see it."""
    try:
        match = resolve(url)
    except Resolver404:
        return None
    if match.view_name != "correspondence:mail_detail":
        return None
    return selectors.mail_for_user(request.user, match.kwargs["pk"])


@require_GET
def mail_detail(request: HttpRequest, pk: int) -> HttpResponse:
    mail = _get_mail_for_user(request, pk)
    services.consultation_log(mail=mail, user=request.user, what=MailConsultation.What.DETAIL)
    user = request.user
    context = selectors.mail_detail_context(mail)
    for imputation in context["imputations"]:
        imputation.mine = selectors.is_assignee(user, imputation)
    can_register = selectors.can_register(user)
    can_route = selectors.can_route(user)
    context.update(
        {
            "mail": mail,
            "replies": list(selectors.replies_of(user, mail)),
            "answers": list(selectors.answered_by(user, mail)),
            "can_register": can_register and not mail.is_cancelled,
            "can_route": can_route and not mail.is_cancelled,
            "can_cancel": (can_register or can_route) and not mail.is_cancelled,
            "can_grant": selectors.can_grant(user) and mail.is_restricted and not mail.is_cancelled,
            "consultations": list(mail.consultations.select_related("user")[:50])
            if can_route and mail.is_restricted
            else [],
            "attachment_form": AttachmentForm(),
            "signature_items": _signature_items_of(request, mail),
        }
    )
    return render(request, "correspondence/mail_detail.html", context)


def _signature_items_of(request: HttpRequest, mail: Mail) -> list:
    """The signature-book items drafted from this mail (the person sees the mail, so they
    see how it is being answered); linked to the parapheur only for who may open them there."""
    from delegations.models import SignatureItem
    from delegations.selectors import visible_items

    url = reverse("correspondence:mail_detail", args=[mail.pk])
    items = list(SignatureItem.objects.filter(source_url=url).order_by("submitted_at"))
    if not items:
        return []
    openable = set(visible_items(request.user).filter(pk__in=[i.pk for i in items]).values_list("pk", flat=True))
    registered = dict(Mail.objects.filter(signature_item__in=items).values_list("signature_item_id", "reference"))
    for item in items:
        item.openable = item.pk in openable
        item.registered_reference = registered.get(item.pk)
    return items


@require_http_methods(["GET", "POST"])
def mail_route(request: HttpRequest, pk: int) -> HttpResponse:
    mail = _get_mail_for_user(request, pk)
    _require(selectors.can_route(request.user) and not mail.is_cancelled)
    form = ImputationForm(request.POST if request.method == "POST" else None)
    form.fields["deadline"].help_text = _(
        "Vide : le %(date)s (%(days)s jours ouvrés pour la priorité « %(priority)s »). Une date qui tombe un "
        "week-end ou un jour férié passe au jour ouvré suivant."
    ) % {
        "date": f"{services.default_deadline(mail.priority):%d/%m/%Y}",
        "days": settings.CABINET_IMPUTATION_DEADLINE_DAYS.get(mail.priority, 10),
        "priority": mail.get_priority_display().lower(),
    }
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.imputation_create(
                mail=mail,
                created_by=request.user,
                instruction=data["instruction"],
                assignee=data["assignee"],
                assignee_unit=data["assignee_unit"],
                deadline=data["deadline"],
                comment=data["comment"],
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Courrier imputé."))
            return redirect("correspondence:mail_detail", pk=mail.pk)
    return render(
        request,
        "correspondence/action_form.html",
        {"mail": mail, "form": form, "title": _("Imputer le courrier"), "submit": _("Imputer")},
    )


@require_http_methods(["GET", "POST"])
def mail_update(request: HttpRequest, pk: int) -> HttpResponse:
    mail = _get_mail_for_user(request, pk)
    _require(selectors.can_register(request.user) and not mail.is_cancelled)
    initial = {name: getattr(mail, name) for name in services.UPDATABLE_FIELDS}
    form = MailUpdateForm(request.POST if request.method == "POST" else None, initial=initial, mail=mail)
    if request.method == "POST" and form.is_valid():
        try:
            services.mail_update(mail=mail, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Courrier modifié."))
            return redirect("correspondence:mail_detail", pk=mail.pk)
    return render(
        request,
        "correspondence/action_form.html",
        {
            "mail": mail,
            "form": form,
            "title": _("Modifier le courrier"),
            "submit": _("Enregistrer"),
            "intro": _(
                "Le numéro, les dates, le correspondant, la référence et l'objet sont scellés dans le registre : "
                "pour les corriger, annulez l'entrée et enregistrez de nouveau le courrier."
            ),
        },
    )


@require_http_methods(["GET", "POST"])
def mail_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    mail = _get_mail_for_user(request, pk)
    _require((selectors.can_register(request.user) or selectors.can_route(request.user)) and not mail.is_cancelled)
    form = CancelForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.mail_cancel(mail=mail, actor=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(
                request, _("L'entrée %(ref)s est annulée ; elle garde son numéro.") % {"ref": mail.reference}
            )
            return redirect("correspondence:mail_detail", pk=mail.pk)
    return render(
        request,
        "correspondence/action_form.html",
        {
            "mail": mail,
            "form": form,
            "title": _("Annuler l'entrée"),
            "submit": _("Annuler l'entrée"),
            "danger": True,
            "intro": _("Une entrée annulée garde son numéro et reste dans le registre, marquée « annulé »."),
        },
    )


@require_POST
def mail_file(request: HttpRequest, pk: int) -> HttpResponse:
    mail = _get_mail_for_user(request, pk)
    _require(selectors.can_route(request.user) and not mail.is_cancelled)
    archive = request.POST.get("archive") == "1"
    services.mail_file(mail=mail, actor=request.user, archive=archive)
    messages.success(request, _("Courrier archivé.") if archive else _("Courrier classé."))
    return redirect("correspondence:mail_detail", pk=mail.pk)


@require_http_methods(["GET", "POST"])
def mail_grant(request: HttpRequest, pk: int) -> HttpResponse:
    mail = _get_mail_for_user(request, pk)
    _require(selectors.can_grant(request.user) and mail.is_restricted and not mail.is_cancelled)
    form = GrantForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        services.mail_grant_access(mail=mail, actor=request.user, user=form.cleaned_data["user"])
        messages.success(request, _("Accès accordé."))
        return redirect("correspondence:mail_detail", pk=mail.pk)
    return render(
        request,
        "correspondence/action_form.html",
        {"mail": mail, "form": form, "title": _("Donner accès au courrier"), "submit": _("Donner accès")},
    )


# --- Attachments ----------------------------------------------------------------------------
@require_POST
def attachment_upload(request: HttpRequest, pk: int) -> HttpResponse:
    mail = _get_mail_for_user(request, pk)
    _require(selectors.can_register(request.user) and not mail.is_cancelled)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        for upload in form.cleaned_data["files"]:
            services.attachment_add(mail=mail, uploaded_by=request.user, upload=upload)
        messages.success(request, _("Pièce(s) ajoutée(s)."))
    else:
        for error in form.errors.get("files", []):
            messages.error(request, error)
    return redirect("correspondence:mail_detail", pk=mail.pk)


def _serve_attachment(request: HttpRequest, pk: int, *, inline: bool) -> FileResponse:
    attachment = get_object_or_404(Attachment.objects.select_related("mail"), pk=pk)
    mail = _get_mail_for_user(request, attachment.mail_id)
    handle = open_stored(attachment.file)
    services.consultation_log(
        mail=mail, user=request.user, what=MailConsultation.What.ATTACHMENT, attachment=attachment
    )
    inline = inline and attachment.previewable
    response = FileResponse(
        handle,
        as_attachment=not inline,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
def attachment_download(request: HttpRequest, pk: int) -> FileResponse:
    return _serve_attachment(request, pk, inline=False)


@require_GET
@xframe_options_sameorigin
def attachment_preview(request: HttpRequest, pk: int) -> FileResponse:
    return _serve_attachment(request, pk, inline=True)
