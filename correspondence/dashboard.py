"""The register's panel on the dashboard (issue 3, item 11): three tiles that open the
matching lists, and two server-drawn SVG charts. Every figure counts only the mail the
person may see; the panel costs the same few queries however large the register grows."""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cabinet.freshness import per_person
from cabinet.registry import Panel
from cabinet.selectors import unit_ids_of

from . import roles as perms
from . import selectors
from .charts import Series, grouped_bar_chart, horizontal_bar_chart
from .selectors_reporting import dashboard_tiles, late_by_assignee, week_start, weekly_traffic

PANEL_TEMPLATE = "correspondence/dashboard/panel.html"


def _concerned(user) -> bool:
    """Whoever has a right on the register, or a unit mail may be routed to."""
    return bool(selectors.mail_permissions(user) or unit_ids_of(user))


def correspondence_panel(request) -> Panel | None:
    user = request.user
    if not _concerned(user):
        return None
    today = timezone.localdate()
    # The figures, from the cache while nothing is written (cabinet.freshness: the key holds
    # the day, so "late" and "this week" move at midnight).
    tiles, weeks, late = per_person(
        user,
        "dashboard-register",
        lambda: (
            dashboard_tiles(user, today=today),
            weekly_traffic(user, today=today),
            late_by_assignee(user, today=today),
        ),
    )
    work = reverse("correspondence:my_work")
    this_week = urlencode(
        {
            "register": "arrivee",
            "date_from": f"{week_start(today):%Y-%m-%d}",
            "date_to": f"{today:%Y-%m-%d}",
            "cancelled": "non",
        }
    )
    context = {
        "tiles": [
            {
                "key": "a-traiter",
                "label": _("à traiter"),
                "count": tiles.to_process,
                "url": f"{work}#mes-imputations",
                "tone": "warn" if tiles.to_process else "",
            },
            {
                "key": "en-retard",
                "label": _("en retard"),
                "count": tiles.late,
                "url": f"{work}#en-retard",
                "tone": "alert" if tiles.late else "",
            },
            {
                "key": "recus-semaine",
                "label": _("reçus cette semaine"),
                "count": tiles.received_this_week,
                "url": f"{reverse('correspondence:mail_list')}?{this_week}",
                "tone": "",
            },
        ],
        "weeks": weeks,
        "weekly_chart": grouped_bar_chart(
            [f"{w.start:%d/%m}" for w in weeks],
            [Series(_("Arrivée"), [w.incoming for w in weeks]), Series(_("Départ"), [w.outgoing for w in weeks])],
            title=_("Courrier arrivé et parti par semaine, sur 12 semaines"),
        ),
        "late_chart": horizontal_bar_chart(
            late,
            title=_("Imputations en retard par attributaire"),
            empty_label=_("Aucune imputation en retard."),
        ),
        "can_print_register": perms.VIEW_REGISTER in selectors.mail_permissions(user),
    }
    return Panel(template=PANEL_TEMPLATE, context=context, order=10)
