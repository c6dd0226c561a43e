"""Printed documents of the register (issue 3, item 7): PDF for A4, made on the server.

Each view fetches the mail through the visibility selector: a mail the person may not see
answers 404, exactly as if it did not exist. Documents sent outside in the ministry's name
(acknowledgement of receipt, transmission slip) are printed by the registrars.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cabinet.uploads import open_stored

from . import printing, services
from .forms_print import RegisterPrintForm
from .models import Mail, MailConsultation, RegisterPrint
from .selectors import can_register, mail_for_user
from .selectors_reporting import register_period_rows, routing_slip_context, transmission_items
from .services import consultation_log
from .services.register_prints import MAX_BACKGROUND_ROWS
from .services.register_prints import register_print_request as register_print_request_service

PRINTS_SHOWN = 20


def _visible_mail(request: HttpRequest, pk: int) -> Mail:
    mail = mail_for_user(request.user, pk)
    if mail is None:
        raise Http404
    return mail


def _log_print(request: HttpRequest, mail: Mail) -> None:
    # Printing a confidential or secret mail is consulting it: it goes in the log.
    consultation_log(mail=mail, user=request.user, what=MailConsultation.What.DETAIL)


@require_GET
def routing_slip(request: HttpRequest, pk: int) -> HttpResponse:
    """Fiche d'imputation: whoever sees the mail may print it to annotate by hand."""
    mail = _visible_mail(request, pk)
    _log_print(request, mail)
    context = routing_slip_context(mail)
    pdf = printing.render_pdf("correspondence/pdf/routing_slip.html", context, request=request)
    return printing.pdf_response(pdf, f"fiche-imputation-{mail.reference}")


@require_GET
def acknowledgement(request: HttpRequest, pk: int) -> HttpResponse:
    """Accusé de réception of an incoming letter, for its sender."""
    mail = _visible_mail(request, pk)
    if not mail.is_incoming:
        raise Http404
    if not can_register(request.user):
        raise PermissionDenied
    _log_print(request, mail)
    pdf = printing.render_pdf("correspondence/pdf/acknowledgement.html", {"mail": mail}, request=request)
    return printing.pdf_response(pdf, f"accuse-reception-{mail.reference}")


@require_GET
def transmission_slip(request: HttpRequest, pk: int) -> HttpResponse:
    """Bordereau d'envoi of an outgoing letter: one page per recipient and per copy."""
    mail = _visible_mail(request, pk)
    if mail.is_incoming:
        raise Http404
    if not can_register(request.user):
        raise PermissionDenied
    _log_print(request, mail)
    context = transmission_items(mail)
    pdf = printing.render_pdf("correspondence/pdf/transmission_slip.html", context, request=request)
    return printing.pdf_response(pdf, f"bordereau-{mail.reference}")


@require_GET
def register_print(request: HttpRequest) -> HttpResponse:
    """The register of a period (landscape). Without a valid period: the form, with its
    errors; the rows are what the person may see, nothing more. A period longer than
    ``RegisterPrintForm.MAX_ROWS`` entries is offered to be prepared in the background."""
    form = RegisterPrintForm(request.GET or None)
    if not form.is_valid():
        return _print_form(request, form)
    data = form.cleaned_data
    rows = register_period_rows(
        request.user,
        register=data["register"],
        start=data["start"],
        end=data["end"],
        limit=RegisterPrintForm.MAX_ROWS + 1,
    )
    if len(rows) > RegisterPrintForm.MAX_ROWS:
        return _print_form(request, form, background=True)
    # The printed register takes its confidential and secret entries out too: logged as an export.
    services.consultation_log_export(mails=Mail.objects.filter(pk__in=[row.pk for row in rows]), user=request.user)
    pdf = printing.register_pdf(
        rows=rows, register=data["register"], start=data["start"], end=data["end"], request=request
    )
    return printing.pdf_response(pdf, f"registre-{data['register']}-{data['start']:%Y%m%d}-{data['end']:%Y%m%d}")


def _print_form(request: HttpRequest, form: RegisterPrintForm, *, background: bool = False) -> HttpResponse:
    context = {
        "form": form,
        "background": background,
        "max_rows": RegisterPrintForm.MAX_ROWS,
        "max_background_rows": MAX_BACKGROUND_ROWS,
    }
    return render(request, "correspondence/print_register_form.html", context)


@require_POST
def register_print_request(request: HttpRequest) -> HttpResponse:
    """Ask for the register of a long period to be prepared in the background."""
    form = RegisterPrintForm(request.POST)
    if not form.is_valid():
        return _print_form(request, form)
    job = register_print_request_service(user=request.user, **form.cleaned_data)
    messages.success(
        request,
        _("Le registre %(job)s est en préparation : il apparaîtra ici, prêt à télécharger, dans quelques minutes.")
        % {"job": job},
    )
    return redirect("correspondence:register_prints")


@require_GET
def register_prints(request: HttpRequest) -> HttpResponse:
    """The person's own prepared registers (the last ones), each downloadable when ready."""
    jobs = list(RegisterPrint.objects.filter(requested_by=request.user)[:PRINTS_SHOWN])
    pending = any(job.state == RegisterPrint.State.PENDING for job in jobs)
    return render(
        request,
        "correspondence/register_prints.html",
        {"jobs": jobs, "pending": pending, "kept_days": RegisterPrint.KEPT_DAYS},
    )


@require_GET
def register_print_download(request: HttpRequest, pk: int) -> FileResponse:
    """A prepared register, for the person who asked for it only (404 for anyone else)."""
    job = get_object_or_404(RegisterPrint, pk=pk, requested_by=request.user, state=RegisterPrint.State.READY)
    return FileResponse(open_stored(job.file), content_type="application/pdf", filename=job.filename)
