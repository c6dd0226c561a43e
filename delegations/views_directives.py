"""Pages of the minister's directives: list, record, transmit, acknowledge, report, and the
execution board. Same pattern as ``views``: access helper (404/403), form, one service call."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cabinet.pagination import paginate_list

from . import directive_services, selectors
from .files import chosen_stem, private_file_response
from .forms import DirectiveForm, ReportForm, TransmitForm
from .models import ExecutionReport, Transmission
from .views import held_file, posted


@require_GET
def directive_list(request: HttpRequest) -> HttpResponse:
    """Two lists, each paged on its own (``?page=`` and ``?recues=``)."""
    return render(
        request,
        "delegations/directive_list.html",
        {
            "directives": paginate_list(selectors.directive_list(request.user), request.GET),
            "received": paginate_list(selectors.transmissions_received(request.user), request.GET, param="recues"),
            "can_create": request.user.has_perm(selectors.CREATE_DIRECTIVE),
            "can_board": request.user.has_perm("delegations.view_execution_board"),
            "today": timezone.localdate(),
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required(selectors.CREATE_DIRECTIVE, raise_exception=True)
def directive_create(request: HttpRequest) -> HttpResponse:
    form = DirectiveForm(posted(request)[0])
    if request.method == "POST" and form.is_valid():
        try:
            directive = directive_services.directive_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Directive enregistrée."))
            return redirect("delegations:directive_detail", pk=directive.pk)
    return render(request, "delegations/directive_form.html", {"form": form})


@require_GET
def directive_detail(request: HttpRequest, pk: int) -> HttpResponse:
    directive = selectors.access_directive(request.user, pk)
    transmissions = directive.transmissions.select_related("recipient", "transmitted_by").prefetch_related("reports")
    return render(
        request,
        "delegations/directive_detail.html",
        {
            "directive": directive,
            "advisers": directive.advisers.all(),
            "transmissions": transmissions,
            "can_transmit": directive_services.can_transmit(request.user, directive),
            "today": timezone.localdate(),
        },
    )


@require_http_methods(["GET", "POST"])
def directive_transmit(request: HttpRequest, pk: int) -> HttpResponse:
    directive = selectors.access_directive(request.user, pk)
    if not directive_services.can_transmit(request.user, directive):
        raise PermissionDenied
    form = TransmitForm(posted(request)[0], directive=directive)
    if request.method == "POST" and form.is_valid():
        try:
            directive_services.directive_transmit(
                directive=directive,
                actor=request.user,
                recipients=form.cleaned_data["recipients"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Directive transmise."))
            return redirect("delegations:directive_detail", pk=directive.pk)
    return render(request, "delegations/directive_transmit.html", {"directive": directive, "form": form})


def _own_transmission(request: HttpRequest, pk: int) -> Transmission:
    transmission = selectors.access_transmission(request.user, pk)
    if transmission.recipient_id != request.user.pk:
        raise PermissionDenied
    return transmission


@require_POST
def transmission_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    transmission = _own_transmission(request, pk)
    try:
        directive_services.transmission_acknowledge(transmission=transmission, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Réception accusée."))
    return redirect("delegations:directive_detail", pk=transmission.directive_id)


@require_http_methods(["GET", "POST"])
def transmission_report(request: HttpRequest, pk: int) -> HttpResponse:
    transmission = _own_transmission(request, pk)
    form = ReportForm(*posted(request))
    held = held_file(request, "attachment")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with held.file(data["attachment"]) as attachment:
                directive_services.transmission_report(
                    transmission=transmission, user=request.user, **{**data, "attachment": attachment}
                )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Compte rendu enregistré."))
            return redirect("delegations:directive_detail", pk=transmission.directive_id)
    held.keep_after_error(form)
    context = {"transmission": transmission, "form": form, **held.context()}
    return render(request, "delegations/transmission_report.html", context)


@require_GET
def report_attachment(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_object_or_404(ExecutionReport.objects.select_related("transmission"), pk=pk)
    selectors.access_transmission(request.user, report.transmission_id)
    if not report.attachment:
        raise Http404
    return private_file_response(
        report.attachment, download_name=chosen_stem(report.attachment_name, f"compte-rendu-{report.pk}")
    )


@require_GET
@permission_required("delegations.view_execution_board", raise_exception=True)
def execution_board(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    counts = selectors.execution_board_counts(today)
    return render(
        request,
        "delegations/execution_board.html",
        {
            "rows": paginate_list(selectors.execution_board(), request.GET),
            "counts": counts,
            "late": counts["late"],
            "today": today,
            "states": Transmission.State,
        },
    )
