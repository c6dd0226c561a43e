"""Pages of the audiences app: a view authorises (404 for what the person may not see, 403
for what they see but may not do), parses its form, calls one service and redirects."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator, slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cabinet.pagination import paginate_list
from cabinet.uploads import open_stored

from . import services
from .feeds import feed_for
from .forms import (
    AudienceEditForm,
    AudienceRequestForm,
    CancelForm,
    ChangeRequestForm,
    GrantForm,
    ListFilterForm,
    MoveForm,
    PreparationForm,
    ProgrammeForm,
    ReasonForm,
    ReportForm,
    UnavailabilityForm,
)
from .models import Attachment, AudienceState, FeedToken, Unavailability, local_day_bounds
from .printing import programme_pdf
from .roles import CONFIRM, PROGRAMME, RECORD, VIEW_AGENDA
from .scheduling import NeedsConfirmation
from .selectors import (
    access_audience,
    agenda_between,
    audience_list,
    awaiting_confirmation,
    day_programme,
    sees_audience,
    visible_audiences,
)


def _form_error(form, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form, field by field when it names fields the
    form has, so the user sees it next to what they typed."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            target = field if field in form.fields else None
            if field == "starts_at" and "day" in form.fields:
                target = "day"
            if field == "ends_at" and "end_time" in form.fields:
                target = "end_time"
            if field == "participants" and "participants_text" in form.fields:
                target = "participants_text"
            for error in errors:
                form.add_error(target, error)
    else:
        for message in exc.messages:
            form.add_error(None, message)


def _may_see_agenda(user) -> bool:
    return user.has_perm(VIEW_AGENDA) or user.has_perm(CONFIRM)


# --- List and detail ------------------------------------------------------------------------
@require_GET
def audience_index(request):
    user = request.user
    may_use = _may_see_agenda(user) or user.has_perm(RECORD) or user.has_perm(PROGRAMME)
    if not may_use and not visible_audiences(user).exists():
        raise PermissionDenied
    form = ListFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    qs = audience_list(
        user,
        state=filters.get("state", ""),
        start=filters.get("start"),
        end=filters.get("end"),
        query=filters.get("q", ""),
        confidential=filters.get("confidential", ""),
    )
    return render(
        request,
        "audiences/list.html",
        {"form": form, "page": paginate_list(qs, request.GET), "can_record": user.has_perm(RECORD)},
    )


@require_GET
def audience_detail(request, pk: int):
    audience = access_audience(request.user, pk)
    user = request.user
    can_programme = user.has_perm(PROGRAMME)
    can_confirm = user.has_perm(CONFIRM)
    is_past = audience.starts_at is not None and audience.starts_at <= timezone.now()
    return render(
        request,
        "audiences/detail.html",
        {
            "audience": audience,
            "participants": audience.participants.all(),
            "attendees": audience.attendees.all(),
            "events": audience.events.select_related("actor"),
            "attachments": audience.attachments.select_related("uploaded_by"),
            "can_programme": can_programme,
            "can_confirm": can_confirm,
            "can_edit": user.has_perm(RECORD) and audience.is_correctable,
            "can_prepare": can_programme and audience.is_scheduled and not is_past,
            "State": AudienceState,
            "refuse_form": ReasonForm(),
            "cancel_form": CancelForm(),
            "change_form": ChangeRequestForm(),
            "report_form": ReportForm(),
            "grant_form": GrantForm() if can_programme else None,
            "is_past": is_past,
            "letter": _visible_letter(user, audience),
        },
    )


def _visible_letter(user, audience):
    """The letter that carried the request, if this person may see it in the register (an
    audience may be visible while its letter is not: then it is not even named)."""
    if not audience.letter_id:
        return None
    from correspondence.selectors import visible_mails

    return visible_mails(user).filter(pk=audience.letter_id).first()


@require_http_methods(["GET", "POST"])
@permission_required(RECORD, raise_exception=True)
def audience_create(request):
    form = AudienceRequestForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            audience = services.audience_request_create(
                by=request.user,
                requester=data["requester"],
                letter=data["letter"],
                on_behalf_of=data["on_behalf_of"],
                purpose=data["purpose"],
                wished_from=data["wished_from"],
                wished_until=data["wished_until"],
                participants=data["participants_text"],
                participants_count=data["participants_count"],
                languages=data["languages"],
                interpreter_needed=data["interpreter_needed"],
                is_confidential=data["is_confidential"],
                files=data["files"],
            )
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            return _after_recording(request, audience)
    return render(request, "audiences/request_form.html", {"form": form})


def _after_recording(request, audience):
    """The request's page; for who records requests without seeing them afterwards (the right
    given alone, or the secretariat and a confidential request), the list of the requests they
    see, the request named in the message (its page would answer 404)."""
    if sees_audience(request.user, audience):
        messages.success(request, _("Demande d'audience enregistrée."))
        return redirect("audiences:detail", pk=audience.pk)
    messages.success(
        request,
        _(
            "Demande d'audience de %(who)s enregistrée (« %(purpose)s », souhaitée à partir du %(date)s) et "
            "transmise au cabinet ; elle ne figure pas parmi les audiences que vous pouvez consulter."
        )
        % {
            "who": audience.requester_label,
            "purpose": Truncator(audience.purpose).chars(80),
            "date": f"{audience.wished_from:%d/%m/%Y}",
        },
    )
    return redirect("audiences:list")


def _correction_view(request, pk: int, *, right: str, require, form_for, save, saved: str, template: str):
    """A correction of one audience from a form opened earlier: 404 if hidden, 403 without
    ``right``, ``require``'s refusal as a message on the audience's page; on a valid POST,
    ``save(audience, form)`` returns whether anything changed. A change made meanwhile by
    someone else (``ChangedMeanwhile``) is shown on the form, what was typed kept, and saving
    again confirms it."""
    audience = access_audience(request.user, pk)
    if not request.user.has_perm(right):
        raise PermissionDenied
    try:
        require(audience)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("audiences:detail", pk=pk)
    form = form_for(audience)
    if request.method == "POST" and form.is_valid():
        try:
            changed = save(audience, form)
        except services.ChangedMeanwhile as exc:
            form.add_error(None, exc)
            form.seen_now(exc.event_id)
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, saved if changed else _("Aucune modification à enregistrer."))
            return redirect("audiences:detail", pk=pk)
    return render(request, template, {"form": form, "audience": audience})


@require_http_methods(["GET", "POST"])
def audience_edit(request, pk: int):
    """« Modifier la demande »: whoever records requests corrects them until the audience is
    held, cancelled or refused (404 if hidden, 403 without the right)."""
    return _correction_view(
        request,
        pk,
        right=RECORD,
        require=services.require_correctable,
        form_for=lambda audience: AudienceEditForm(request.POST or None, instance=audience, user=request.user),
        save=lambda audience, form: services.audience_update(actor=request.user, audience=audience, **form.changes())[
            1
        ],
        saved=_("Demande modifiée."),
        template="audiences/edit_form.html",
    )


@require_http_methods(["GET", "POST"])
def audience_preparation(request, pk: int):
    """« Modifier la préparation »: who programmes audiences changes the cabinet's participants
    and the protocol's needs of one in the agenda and still ahead, its time and place untouched
    (404 if hidden, 403 without the right)."""
    return _correction_view(
        request,
        pk,
        right=PROGRAMME,
        require=services.require_preparable,
        form_for=lambda audience: PreparationForm(request.POST or None, audience=audience),
        save=lambda audience, form: services.audience_preparation_update(
            actor=request.user, audience=audience, **form.cleaned_data
        )[1],
        saved=_("Préparation modifiée ; le protocole en est averti."),
        template="audiences/preparation_form.html",
    )


def _simple_action(request, pk: int, perm: str, action, success: str, form_class=None, **fixed):
    """POST-only actions on one audience: 404 if hidden, 403 without the right (nothing
    recorded), the service's refusal shown as a message."""
    audience = access_audience(request.user, pk)
    if not request.user.has_perm(perm):
        raise PermissionDenied
    kwargs = dict(fixed)
    if form_class is not None:
        form = form_class(request.POST)
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
            return redirect("audiences:detail", pk=pk)
        kwargs.update(form.cleaned_data)
    try:
        action(audience=audience, by=request.user, **kwargs)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, success)
    return redirect("audiences:detail", pk=pk)


@require_POST
def audience_study(request, pk: int):
    return _simple_action(request, pk, PROGRAMME, services.audience_study, _("Demande mise à l'étude."))


@require_POST
def audience_accept(request, pk: int):
    return _simple_action(request, pk, PROGRAMME, services.audience_accept, _("Demande acceptée."))


@require_POST
def audience_refuse(request, pk: int):
    return _simple_action(
        request, pk, PROGRAMME, services.audience_refuse, _("Demande refusée."), form_class=ReasonForm
    )


@require_POST
def audience_confirm(request, pk: int):
    return _simple_action(request, pk, CONFIRM, services.audience_confirm, _("Audience confirmée."))


@require_POST
def audience_ask_change(request, pk: int):
    return _simple_action(
        request,
        pk,
        CONFIRM,
        services.audience_ask_change,
        _("Demande de changement transmise au cabinet."),
        form_class=ChangeRequestForm,
    )


@require_POST
def audience_cancel(request, pk: int):
    return _simple_action(
        request, pk, PROGRAMME, services.audience_cancel, _("Audience annulée ou reportée."), form_class=CancelForm
    )


@require_POST
def audience_held(request, pk: int):
    return _simple_action(request, pk, PROGRAMME, services.audience_mark_held, _("Audience marquée tenue."))


@require_POST
def audience_grant(request, pk: int):
    return _simple_action(
        request, pk, PROGRAMME, services.audience_grant_access, _("Accès accordé."), form_class=GrantForm
    )


@require_POST
def audience_report(request, pk: int):
    audience = access_audience(request.user, pk)
    if not request.user.has_perm(PROGRAMME):
        raise PermissionDenied
    form = ReportForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.audience_report_attach(audience=audience, by=request.user, upload=form.cleaned_data["file"])
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Compte rendu déposé."))
    else:
        messages.error(request, _("Choisissez le fichier du compte rendu."))
    return redirect("audiences:detail", pk=pk)


def _slot_view(request, pk: int, form_class, template: str, action, initial_from_audience: bool):
    audience = access_audience(request.user, pk)
    if not request.user.has_perm(PROGRAMME):
        raise PermissionDenied
    initial = {}
    if initial_from_audience and audience.starts_at:
        start, end = timezone.localtime(audience.starts_at), timezone.localtime(audience.ends_at)
        initial = {"day": start.date(), "start_time": start.time(), "end_time": end.time(), "place": audience.place}
    elif not audience.starts_at:
        initial = {
            "day": max(audience.wished_from, timezone.localdate()),
            "needs_interpreter": audience.interpreter_needed,
        }
    form = form_class(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data.pop("day"), data.pop("start_time"), data.pop("end_time")
        try:
            action(audience=audience, by=request.user, **data)
        except NeedsConfirmation as exc:
            form.ask_confirmation(exc.warnings)
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Agenda mis à jour ; le protocole est invité à confirmer."))
            return redirect("audiences:detail", pk=pk)
    return render(request, template, {"form": form, "audience": audience})


@require_http_methods(["GET", "POST"])
def audience_programme(request, pk: int):
    return _slot_view(request, pk, ProgrammeForm, "audiences/programme_form.html", services.audience_programme, False)


@require_http_methods(["GET", "POST"])
def audience_move(request, pk: int):
    return _slot_view(request, pk, MoveForm, "audiences/move_form.html", services.audience_move, True)


@require_GET
def attachment_download(request, pk: int, attachment_pk: int):
    audience = access_audience(request.user, pk)
    attachment = get_object_or_404(Attachment, pk=attachment_pk, audience=audience)
    return FileResponse(open_stored(attachment.file), as_attachment=True, filename=attachment.name)


# --- Protocol -------------------------------------------------------------------------------
@require_GET
@permission_required(CONFIRM, raise_exception=True)
def protocol_queue(request):
    audiences = paginate_list(awaiting_confirmation(request.user), request.GET)
    return render(request, "audiences/protocol.html", {"audiences": audiences})


# --- Agenda views ---------------------------------------------------------------------------
def _parse_day(value: str | None) -> datetime.date:
    if not value:
        return timezone.localdate()
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise Http404


def _require_agenda(user) -> None:
    if not _may_see_agenda(user):
        raise PermissionDenied


@require_GET
def agenda_day(request):
    _require_agenda(request.user)
    day = _parse_day(request.GET.get("jour"))
    return render(
        request,
        "audiences/agenda_day.html",
        {
            "day": day,
            "entries": day_programme(request.user, day),
            "previous": day - datetime.timedelta(days=1),
            "next": day + datetime.timedelta(days=1),
            "can_programme": request.user.has_perm(PROGRAMME),
        },
    )


@require_GET
def agenda_week(request):
    _require_agenda(request.user)
    day = _parse_day(request.GET.get("jour"))
    monday = day - datetime.timedelta(days=day.weekday())
    start, _end = local_day_bounds(monday)
    end = local_day_bounds(monday + datetime.timedelta(days=6))[1]
    entries = agenda_between(request.user, start, end)
    can_programme = request.user.has_perm(PROGRAMME)
    # Those who block and lift slots find the week's lifted blocks, and through them who
    # lifted each (its page's history): a slot freed is not a slot that was never taken.
    lifted = (
        Unavailability.objects.filter(is_cancelled=True, starts_at__lt=end, ends_at__gt=start).order_by("starts_at")
        if can_programme
        else []
    )
    days = []
    for offset in range(7):
        current = monday + datetime.timedelta(days=offset)
        days.append({"date": current, "entries": [e for e in entries if timezone.localtime(e[0]).date() == current]})
    return render(
        request,
        "audiences/agenda_week.html",
        {
            "monday": monday,
            "sunday": monday + datetime.timedelta(days=6),
            "days": days,
            "previous": monday - datetime.timedelta(days=7),
            "next": monday + datetime.timedelta(days=7),
            "today": timezone.localdate(),
            "can_programme": can_programme,
            "lifted": lifted,
        },
    )


@require_GET
def programme_du_jour(request):
    _require_agenda(request.user)
    day = _parse_day(request.GET.get("jour"))
    pdf = programme_pdf(
        {"day": day, "entries": day_programme(request.user, day), "printed_at": timezone.now()}, request=request
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="programme-du-jour-{slugify(day.isoformat())}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


# --- Blocks ---------------------------------------------------------------------------------
@require_http_methods(["GET", "POST"])
@permission_required(PROGRAMME, raise_exception=True)
def unavailability_create(request):
    form = UnavailabilityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            block = services.unavailability_create(by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Indisponibilité enregistrée."))
            day = timezone.localtime(block.starts_at).date()
            return redirect(f"{reverse('audiences:week')}?jour={day.isoformat()}")
    return render(request, "audiences/unavailability_form.html", {"form": form})


@require_http_methods(["GET", "POST"])
@permission_required(PROGRAMME, raise_exception=True)
def unavailability_edit(request, pk: int):
    """« Modifier » a block: the creation form, pre-filled, above the block's history (403
    without the right, 404 for a block that does not exist); a lifted block is no longer
    corrected: its page shows what it was and its history, who lifted it included."""
    block = get_object_or_404(Unavailability, pk=pk)
    history = block.events.select_related("actor")
    try:
        services.require_block_active(block)
    except ValidationError as exc:
        if request.method == "GET":
            context = {"unavailability": block, "events": history, "lifted_notice": exc.messages[0]}
            return render(request, "audiences/unavailability_form.html", context)
        for message in exc.messages:
            messages.error(request, message)
        return redirect(_week_of(block))
    form = UnavailabilityForm(request.POST or None, instance=block)
    if request.method == "POST" and form.is_valid():
        try:
            block, changed = services.unavailability_update(by=request.user, block=block, **form.cleaned_data)
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(
                request, _("Indisponibilité modifiée.") if changed else _("Aucune modification à enregistrer.")
            )
            return redirect(_week_of(block))
    return render(
        request,
        "audiences/unavailability_form.html",
        {"form": form, "unavailability": block, "events": history},
    )


def _week_of(block: Unavailability) -> str:
    day = timezone.localtime(block.starts_at).date()
    return f"{reverse('audiences:week')}?jour={day.isoformat()}"


@require_POST
@permission_required(PROGRAMME, raise_exception=True)
def unavailability_lift(request, pk: int):
    block = get_object_or_404(Unavailability, pk=pk, is_cancelled=False)
    services.unavailability_lift(block=block, by=request.user)
    messages.success(request, _("Indisponibilité levée."))
    day = timezone.localtime(block.starts_at).date()
    return redirect(f"{reverse('audiences:week')}?jour={day.isoformat()}")


# --- The private calendar feed --------------------------------------------------------------
@require_http_methods(["GET", "POST"])
def feed_settings(request):
    if request.method == "POST":
        services.feed_token_renew(user=request.user)
        messages.success(request, _("Nouvelle adresse créée : l'ancienne ne fonctionne plus."))
        return redirect("audiences:feed_settings")
    token = services.feed_token_for(request.user)
    url = request.build_absolute_uri(reverse("audiences:feed", args=[token.token]))
    return render(request, "audiences/feed.html", {"feed_url": url, "token": token})


@login_not_required
@require_GET
def feed(request, token: str):
    """The person's feed, at a secret address (calendar clients cannot log in). An unknown or
    renewed token, or an inactive person, answers 404."""
    feed_token = FeedToken.objects.select_related("user").filter(token=token, user__is_active=True).first()
    if feed_token is None:
        raise Http404
    response = HttpResponse(feed_for(feed_token.user), content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    response["Content-Disposition"] = 'inline; filename="agenda.ics"'
    return response
