"""CSV and XLSX exports of the filtered register, streamed."""

from __future__ import annotations

import csv
import tempfile

from django.http import FileResponse, HttpRequest, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from .. import selectors, services
from ..models import Mail, Register
from ._access import _filters_from, _require

# --- Exports --------------------------------------------------------------------------------
EXPORT_HEADERS = [
    _("Numéro"),
    _("Registre"),
    _("Enregistré le"),
    _("Date d'arrivée"),
    _("Date de la lettre"),
    _("Référence expéditeur"),
    _("Référence administrative"),
    _("Correspondant"),
    _("Objet"),
    _("Nature"),
    _("Priorité"),
    _("Confidentialité"),
    _("État"),
    _("Annulé"),
    _("Mots-clés"),
]


def _export_rows(request: HttpRequest):
    # Checked here, not inside the generator: a streamed response has started by then.
    _require(selectors.can_export(request.user))
    _form, filters = _filters_from(request)
    mails = selectors.filtered_mails(request.user, filters)
    # Confidential and secret letters leave in the file: the consultation log says who took them.
    services.consultation_log_export(mails=mails, user=request.user)
    return _rows(mails)


def _rows(mails):
    qs = mails.values_list(
        "reference",
        "register",
        "registered_at",
        "arrival_date",
        "letter_date",
        "sender_reference",
        "administrative_reference",
        "correspondent__name",
        "subject",
        "kind__label",
        "priority",
        "confidentiality",
        "state",
        "cancelled_at",
        "keywords",
    )
    registers = dict(Register.choices)
    priorities = dict(Mail.Priority.choices)
    levels = dict(Mail.Confidentiality.choices)
    states = dict(Mail.State.choices)
    yes = _("oui")

    def fmt_date(d):
        return f"{d:%d/%m/%Y}" if d else ""

    # iterator(): rows are streamed from a server-side cursor, never all held in memory.
    for row in qs.iterator(chunk_size=2000):
        (
            ref,
            register,
            registered_at,
            arrival,
            letter,
            sref,
            aref,
            corr,
            subject,
            kind,
            prio,
            conf,
            state,
            cancelled,
            kw,
        ) = row
        yield [
            ref,
            str(registers.get(register, register)),
            f"{timezone.localtime(registered_at):%d/%m/%Y %H:%M}",
            fmt_date(arrival),
            fmt_date(letter),
            sref,
            aref,
            corr,
            subject,
            kind,
            str(priorities.get(prio, prio)),
            str(levels.get(conf, conf)),
            str(states.get(state, state)),
            yes if cancelled else "",
            kw,
        ]


class _Echo:
    def write(self, value):
        return value


def _csv_safe(value: str) -> str:
    # A cell starting with = + - @ would be run as a formula by a spreadsheet.
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


@require_GET
def export_csv(request: HttpRequest) -> StreamingHttpResponse:
    rows = _export_rows(request)
    writer = csv.writer(_Echo(), delimiter=";")

    def stream():
        yield "\ufeff"  # so that spreadsheet programs read UTF-8
        yield writer.writerow([str(h) for h in EXPORT_HEADERS])
        for row in rows:
            yield writer.writerow([_csv_safe(str(v)) for v in row])

    response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="registre-{timezone.localdate():%Y%m%d}.csv"'
    return response


@require_GET
def export_xlsx(request: HttpRequest) -> FileResponse:
    from openpyxl import Workbook

    rows = _export_rows(request)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Registre"))
    sheet.append([str(h) for h in EXPORT_HEADERS])
    for row in rows:
        sheet.append([_csv_safe(str(v)) for v in row])
    # write_only keeps one row in memory at a time; the file goes to disk, then is streamed.
    handle = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - FileResponse closes it
    workbook.save(handle)
    handle.seek(0)
    return FileResponse(
        handle,
        as_attachment=True,
        filename=f"registre-{timezone.localdate():%Y%m%d}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
