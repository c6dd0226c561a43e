"""The directory of correspondents: list, as-you-type lookup, inline creation, merge."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cabinet.pagination import paginate_list, typed_text
from cabinet.registry import may_pick_correspondents

from .. import selectors, services
from ..forms import (
    CorrespondentForm,
    MergeForm,
    QuickCorrespondentForm,
)
from ..models import Correspondent
from ._access import _apply_errors, _require


# --- Correspondents -------------------------------------------------------------------------
@require_GET
def correspondent_list(request: HttpRequest) -> HttpResponse:
    _require(selectors.uses_register(request.user))
    text = typed_text(request.GET)
    # A page past the end (a bookmark after a merge) opens the last page, like the other lists.
    page = paginate_list(selectors.correspondent_directory(text), request.GET)
    return render(
        request,
        "correspondence/correspondent_list.html",
        {
            "page": page,
            "q": text,
            "query_string": page.query_string,
            "can_manage": selectors.can_manage_correspondents(request.user),
        },
    )


@require_GET
def correspondent_lookup(request: HttpRequest) -> JsonResponse:
    """As-you-type picker: at most 15 matches, as JSON, for whoever has a form that picks
    correspondents (the register's, an audience request's: see ``picks_correspondents``)."""
    _require(may_pick_correspondents(request.user))
    text = typed_text(request.GET, limit=100)
    results = (
        [
            {"id": c.pk, "label": str(c), "detail": " · ".join(x for x in (c.get_kind_display(), c.country) if x)}
            for c in selectors.correspondents_matching(text)
        ]
        if text.strip()
        else []
    )
    return JsonResponse({"results": results})


@require_POST
def correspondent_quick_create(request: HttpRequest) -> JsonResponse:
    """Inline creation from the picker (the registration form stays as typed)."""
    if not selectors.can_manage_correspondents(request.user):
        return JsonResponse({"errors": {"__all__": [_("Vous ne pouvez pas créer de correspondant.")]}}, status=403)
    form = QuickCorrespondentForm(request.POST)
    if not form.is_valid():
        return JsonResponse({"errors": {k: [str(e) for e in v] for k, v in form.errors.items()}}, status=400)
    correspondent = services.correspondent_create(**form.cleaned_data)
    return JsonResponse({"id": correspondent.pk, "label": str(correspondent)}, status=201)


@require_http_methods(["GET", "POST"])
def correspondent_create(request: HttpRequest) -> HttpResponse:
    _require(selectors.can_manage_correspondents(request.user))
    form = CorrespondentForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        services.correspondent_create(**form.cleaned_data)
        messages.success(request, _("Correspondant créé."))
        return redirect("correspondence:correspondent_list")
    return render(
        request, "correspondence/correspondent_form.html", {"form": form, "title": _("Nouveau correspondant")}
    )


@require_http_methods(["GET", "POST"])
def correspondent_update(request: HttpRequest, pk: int) -> HttpResponse:
    correspondent = get_object_or_404(Correspondent, pk=pk)
    _require(selectors.can_manage_correspondents(request.user))
    form = CorrespondentForm(request.POST if request.method == "POST" else None, instance=correspondent)
    if request.method == "POST" and form.is_valid():
        services.correspondent_update(correspondent=correspondent, **form.cleaned_data)
        messages.success(request, _("Correspondant modifié."))
        return redirect("correspondence:correspondent_list")
    return render(
        request,
        "correspondence/correspondent_form.html",
        {"form": form, "title": _("Modifier « %(name)s »") % {"name": correspondent}, "correspondent": correspondent},
    )


@require_http_methods(["GET", "POST"])
def correspondent_merge(request: HttpRequest, pk: int) -> HttpResponse:
    duplicate = get_object_or_404(Correspondent, pk=pk, merged_into__isnull=True)
    _require(selectors.can_manage_correspondents(request.user))
    form = MergeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            into = services.correspondent_merge(duplicate=duplicate, into=form.cleaned_data["into"], actor=request.user)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(
                request, _("« %(dup)s » est fusionné dans « %(into)s ».") % {"dup": duplicate, "into": into}
            )
            return redirect(reverse("correspondence:correspondent_list") + "?" + urlencode({"q": into.name}))
    return render(
        request,
        "correspondence/correspondent_form.html",
        {
            "form": form,
            "title": _("Fusionner le doublon « %(name)s »") % {"name": duplicate},
            "intro": _(
                "Les courriers du doublon resteront liés à lui (le registre est scellé) mais seront retrouvés "
                "sous le correspondant conservé ; ses demandes d'audience passent au correspondant conservé "
                "(avec une ligne à leur historique) ; le doublon disparaît des listes de choix."
            ),
        },
    )
