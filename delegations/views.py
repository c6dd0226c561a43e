"""Pages of the signature book, the arrêtés of delegation, the register and the directives.

Each view: decorators, an access helper (404 for what the person may not see, 403 for what
they may see but not do), a form, one service call, a redirect.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cabinet.holding import HeldFiles
from cabinet.pagination import paginate_list

from . import delegation_services, selectors, services
from .files import HELD_FILES, chosen_stem, private_file_response
from .forms import (
    DelegationForm,
    PublishForm,
    RegisterQueryForm,
    RevokeForm,
    SignatureItemForm,
    SignForm,
    VerifyForm,
    VisaForm,
    delegation_edit_initial,
    delegation_initial,
)
from .models import ActCategory, Delegation, SignatureItem
from .printing import pdf_response, render_pdf
from .rules import SigningRefused, signers_on, signing_authority


def posted(request: HttpRequest) -> tuple:
    """(data, files) of a POST, or (None, None) so that a GET shows an unbound form. An empty
    POST is still a submission (and gets its errors)."""
    if request.method == "POST":
        return request.POST, request.FILES
    return None, None


def held_file(request: HttpRequest, field: str) -> HeldFiles:
    """The file of ``field`` kept from a previous submission of the form that came back
    with an error (« Fichier déjà reçu »): nothing the person chose is lost."""
    return HeldFiles(HELD_FILES, request, field, single=True)


# --- The signature book --------------------------------------------------------------------


@require_GET
def book(request: HttpRequest) -> HttpResponse:
    """Four lists, each paged on its own; the last signed items are only the latest few."""
    user = request.user
    drafted = selectors.items_drafted(user).exclude(state=SignatureItem.State.SIGNE)
    return render(
        request,
        "delegations/book.html",
        {
            "to_sign": paginate_list(selectors.items_to_sign(user), request.GET, param="a_signer"),
            "to_visa": paginate_list(selectors.items_to_visa(user), request.GET, param="a_viser"),
            "take_back": paginate_list(selectors.items_in_visa_signable(user), request.GET, param="en_visa"),
            "drafted": paginate_list(drafted, request.GET, param="mes_pieces"),
            "signed": selectors.items_signed(user),
            "can_draft": user.has_perm(selectors.DRAFT),
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required(selectors.DRAFT, raise_exception=True)
def item_create(request: HttpRequest) -> HttpResponse:
    form = SignatureItemForm(*posted(request))
    held = held_file(request, "document")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with held.file(data.get("document")) as document:
                item = services.signature_item_submit(
                    drafter=request.user,
                    category=data["category"],
                    title=data["title"],
                    body=data["body"],
                    visa_users=form.visa_users(),
                    document=document,
                )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Pièce soumise au parapheur."))
            return redirect("delegations:item_detail", pk=item.pk)
    held.keep_after_error(form)
    return render(request, "delegations/item_form.html", {"form": form, "item": None, **held.context()})


def _item_context(request: HttpRequest, item: SignatureItem, **extra) -> dict:
    user = request.user
    steps = list(item.visa_steps.select_related("user").order_by("round", "order"))
    is_visa_holder = item.state == SignatureItem.State.EN_VISA and selectors.is_current_visa_holder(user, item)
    return {
        "item": item,
        "steps": steps,
        "events": item.events.select_related("actor"),
        "can_visa": is_visa_holder,
        "visa_form": extra.pop("visa_form", None) or (VisaForm() if is_visa_holder else None),
        "can_sign": item.is_pending and selectors.may_sign(user, item),
        "can_correct": item.state == SignatureItem.State.RENVOYE and item.drafter_id == user.pk,
        **extra,
    }


@require_GET
def item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.access_item(request.user, pk)
    return render(request, "delegations/item_detail.html", _item_context(request, item))


@require_POST
def item_visa(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.access_item(request.user, pk)
    if not selectors.is_current_visa_holder(request.user, item):
        raise PermissionDenied
    form = VisaForm(request.POST)
    if form.is_valid():
        try:
            services.visa_decide(
                item=item,
                user=request.user,
                approve=form.cleaned_data["decision"] == "approve",
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(
                request,
                _("Visa donné.") if form.cleaned_data["decision"] == "approve" else _("Pièce renvoyée au rédacteur."),
            )
            return redirect("delegations:item_detail", pk=item.pk)
    return render(request, "delegations/item_detail.html", _item_context(request, item, visa_form=form), status=400)


@require_http_methods(["GET", "POST"])
def item_correct(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.access_item(request.user, pk)
    if item.drafter_id != request.user.pk or item.state != SignatureItem.State.RENVOYE:
        raise PermissionDenied
    initial = {"title": item.title, "category": item.category, "body": item.body}
    form = SignatureItemForm(*posted(request), initial=initial, with_visas=False)
    held = held_file(request, "document")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with held.file(data.get("document")) as document:
                services.signature_item_resubmit(
                    item=item,
                    user=request.user,
                    title=data["title"],
                    body=data["body"],
                    category=data["category"],
                    document=document,
                )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Pièce corrigée et soumise à nouveau."))
            return redirect("delegations:item_detail", pk=item.pk)
    held.keep_after_error(form)
    return render(request, "delegations/item_form.html", {"form": form, "item": item, **held.context()})


@require_http_methods(["GET", "POST"])
def item_sign(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm and sign. The row-level permission opens the page; the law is checked again
    by the service at the moment of signing."""
    item = selectors.access_item(request.user, pk)
    if not item.is_pending or not selectors.may_sign(request.user, item):
        raise PermissionDenied
    form = SignForm(posted(request)[0])
    refusal = None
    if request.method == "POST" and form.is_valid():
        try:
            services.signature_item_sign(item=item, user=request.user, attested=form.cleaned_data["attest"])
        except SigningRefused as exc:
            refusal = exc.reason
        else:
            messages.success(request, _("Pièce signée."))
            return redirect("delegations:item_detail", pk=item.pk)
    try:
        preview = signing_authority(user=request.user, category=item.category, attested=True)
    except SigningRefused as exc:
        preview, refusal = None, refusal or exc.reason
    return render(
        request,
        "delegations/item_sign.html",
        {"item": item, "form": form, "authority": preview, "refusal": refusal},
        status=403 if refusal and request.method == "POST" else 200,
    )


@require_GET
def item_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.access_item(request.user, pk)
    if item.state != SignatureItem.State.SIGNE or not item.signed_pdf:
        raise Http404
    return private_file_response(item.signed_pdf, download_name=f"acte-signe-{item.verification_code}")


@require_GET
def item_document(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.access_item(request.user, pk)
    if not item.document:
        raise Http404
    return private_file_response(
        item.document, download_name=chosen_stem(item.document_name, f"piece-jointe-{item.pk}")
    )


@require_GET
def verify(request: HttpRequest) -> HttpResponse:
    """Anyone signed in checks a verification code printed on a signed act."""
    form = VerifyForm(request.GET or None)
    item = None
    searched = False
    if form.is_valid():
        searched = True
        item = selectors.item_by_code(form.cleaned_data["code"])
    return render(request, "delegations/verify.html", {"form": form, "found": item, "searched": searched})


# --- Arrêtés of delegation -----------------------------------------------------------------


@require_GET
def delegation_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "delegations/delegation_list.html",
        {
            "delegations": paginate_list(
                selectors.visible_delegations(request.user).order_by("-signed_on", "-id"), request.GET
            ),
            "can_manage": request.user.has_perm("delegations.manage_delegation"),
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required("delegations.manage_delegation", raise_exception=True)
def delegation_create(request: HttpRequest) -> HttpResponse:
    form = DelegationForm(*posted(request), initial=delegation_initial())
    held = held_file(request, "scan")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with held.file(data["scan"]) as scan:
                delegation = delegation_services.delegation_create(actor=request.user, **{**data, "scan": scan})
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Arrêté enregistré comme projet : publiez-le pour qu'il entre en vigueur."))
            return redirect("delegations:delegation_detail", pk=delegation.pk)
    held.keep_after_error(form)
    return render(request, "delegations/delegation_form.html", {"form": form, **held.context()})


@require_http_methods(["GET", "POST"])
def delegation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct a projet before its publication, with the creation form pre-filled. A published
    arrêté is refused with its reason (and by the service, whatever this page was shown)."""
    delegation = selectors.access_delegation(request.user, pk)
    if not request.user.has_perm("delegations.manage_delegation"):
        raise PermissionDenied
    refusal = delegation_services.delegation_edit_refusal(delegation)
    if refusal:
        messages.error(request, refusal)
        return redirect("delegations:delegation_detail", pk=delegation.pk)
    form = DelegationForm(*posted(request), initial=delegation_edit_initial(delegation))
    held = held_file(request, "scan")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with held.file(data["scan"]) as scan:
                delegation_services.delegation_update(
                    actor=request.user, delegation=delegation, **{**data, "scan": scan}
                )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Projet d'arrêté modifié : vérifiez-le avant de le publier."))
            return redirect("delegations:delegation_detail", pk=delegation.pk)
    held.keep_after_error(form)
    context = {"form": form, "delegation": delegation, **held.context()}
    return render(request, "delegations/delegation_form.html", context)


def _delegation_context(request: HttpRequest, delegation: Delegation, **forms) -> dict:
    can_manage = request.user.has_perm("delegations.manage_delegation")
    return {
        "delegation": delegation,
        "events": delegation.events.select_related("actor"),
        "signed_items": delegation.signed_items.select_related("signer", "category").order_by("-signed_at")[:50],
        "can_manage": can_manage,
        "publish_form": forms.get("publish_form")
        or (PublishForm() if can_manage and delegation.state == Delegation.State.PROJET else None),
        "revoke_form": forms.get("revoke_form")
        or (RevokeForm() if can_manage and delegation.state == Delegation.State.EN_VIGUEUR else None),
        "end_date": delegation_services.delegation_end_date(delegation) if delegation.is_active_state else None,
    }


@require_GET
def delegation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    delegation = selectors.access_delegation(request.user, pk)
    return render(request, "delegations/delegation_detail.html", _delegation_context(request, delegation))


@require_POST
def delegation_publish(request: HttpRequest, pk: int) -> HttpResponse:
    delegation = selectors.access_delegation(request.user, pk)
    if not request.user.has_perm("delegations.manage_delegation"):
        raise PermissionDenied
    form = PublishForm(request.POST)
    if form.is_valid():
        try:
            delegation_services.delegation_put_in_force(delegation=delegation, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Arrêté publié : la délégation est en vigueur."))
            return redirect("delegations:delegation_detail", pk=delegation.pk)
    context = _delegation_context(request, delegation, publish_form=form)
    return render(request, "delegations/delegation_detail.html", context, status=400)


@require_POST
def delegation_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    delegation = selectors.access_delegation(request.user, pk)
    if not request.user.has_perm("delegations.manage_delegation"):
        raise PermissionDenied
    form = RevokeForm(request.POST)
    if form.is_valid():
        try:
            delegation_services.delegation_revoke(delegation=delegation, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Arrêté abrogé : le délégataire ne peut plus signer en vertu de cet arrêté."))
            return redirect("delegations:delegation_detail", pk=delegation.pk)
    context = _delegation_context(request, delegation, revoke_form=form)
    return render(request, "delegations/delegation_detail.html", context, status=400)


@require_GET
def delegation_scan(request: HttpRequest, pk: int) -> HttpResponse:
    delegation = selectors.access_delegation(request.user, pk)
    if not delegation.scan:
        raise Http404
    return private_file_response(
        delegation.scan, download_name=chosen_stem(delegation.scan_name, f"arrete-{delegation.pk}")
    )


def _register_context(request: HttpRequest) -> dict:
    day = timezone.localdate()
    category = ActCategory.objects.filter(code="correspondance-courante").first()
    # The page number alone is not a search: the pager's links keep the form as it was.
    query = request.GET.copy()
    query.pop("page", None)
    form = RegisterQueryForm(query or None, initial={"day": day, "category": category})
    if form.is_bound:
        category = None
        if form.is_valid():
            day, category = form.cleaned_data["day"], form.cleaned_data["category"]
    return {
        "form": form,
        "day": day,
        "category": category,
        "signers": signers_on(category, day) if category else [],
        "in_force": selectors.delegations_in_force(day),
    }


@require_GET
@permission_required("delegations.view_register", raise_exception=True)
def register(request: HttpRequest) -> HttpResponse:
    context = _register_context(request)
    # The page shows the arrêtés in force by pages; the printed register (register_pdf) all.
    context["in_force"] = paginate_list(context["in_force"], request.GET)
    return render(request, "delegations/register.html", context)


@require_GET
@permission_required("delegations.view_register", raise_exception=True)
def register_pdf(request: HttpRequest) -> HttpResponse:
    context = _register_context(request)
    if context["form"].is_bound and not context["form"].is_valid():
        raise Http404
    pdf = render_pdf("delegations/pdf/register.html", {**context, "printed_by": request.user})
    return pdf_response(pdf, f"registre-delegations-{context['day']:%Y-%m-%d}")
