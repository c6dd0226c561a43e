"""The register's fast template helpers render what the templates they replace rendered."""

import datetime
import re
import zoneinfo

import pytest
from django import forms
from django.template import Context, Template
from django.utils import translation

from cabinet.models import OrgUnit
from cabinet.widgets import FastSelect
from correspondence.models import Correspondent, Imputation, Instruction, Mail, MailKind, choice_label
from correspondence.templatetags.register_tags import dmy, dmy_hm, imputation_rows, mail_tags, register_rows


def test_mail_tags_state_confidentiality_priority_and_cancellation():
    mail = Mail(state=Mail.State.IMPUTE, confidentiality="secret", priority="tres_urgente")
    assert mail_tags(mail) == (
        '<span class="tag state-impute">Imputé</span> <span class="tag tag-secret">Secret</span>'
        ' <span class="tag tag-alert">Très urgent</span>'
    )
    mail = Mail(state=Mail.State.IMPUTE, confidentiality="confidentiel", priority="urgente")
    mail.cancelled_at = datetime.datetime(2026, 11, 2, tzinfo=datetime.UTC)
    assert mail_tags(mail) == (
        '<span class="tag tag-alert">Annulé</span> <span class="tag tag-warn">Confidentiel</span>'
        ' <span class="tag tag-warn">Urgent</span>'
    )
    assert mail_tags(Mail(state="enregistre", confidentiality="ordinaire", priority="normale")) == (
        '<span class="tag state-enregistre">Enregistré</span>'
    )
    with translation.override("en"):
        assert "Cancelled" in mail_tags(mail)


def test_choice_labels_match_get_display_and_survive_unknown_values():
    imputation = Imputation(instruction=Instruction.AVIS, state=Imputation.State.ACCUSEE)
    assert imputation.instruction_label == imputation.get_instruction_display()
    assert imputation.state_label == imputation.get_state_display()
    for state in Mail.State:
        assert Mail(state=state).state_label == Mail(state=state).get_state_display()
    assert choice_label(Mail.State, "inconnu") == "inconnu"


def test_day_filters_match_the_date_filter_in_lome_time():
    paris = zoneinfo.ZoneInfo("Europe/Paris")
    instant = datetime.datetime(2026, 12, 31, 23, 30, tzinfo=datetime.UTC).astimezone(paris)
    template = Template('{{ v|date:"d/m/Y H:i" }}|{{ v|date:"d/m/Y" }}')
    assert (
        f"{dmy_hm(instant)}|{dmy(instant)}" == template.render(Context({"v": instant})) == "31/12/2026 23:30|31/12/2026"
    )
    assert dmy(datetime.date(2026, 4, 27)) == "27/04/2026"
    assert dmy(None) == dmy_hm(None) == ""


@pytest.mark.django_db
def test_fast_select_renders_what_django_select_renders(people):
    from django.contrib.auth import get_user_model

    User = get_user_model()

    def form_class(widget):
        class F(forms.Form):
            choice = forms.ChoiceField(
                choices=[("", "Tous"), ("a&b", "A <b>"), ("Groupe", [("1", "un"), ("2", "deux")])],
                required=False,
                widget=widget(attrs={"aria-describedby": "aide", "class": "x"}),
            )
            person = forms.ModelChoiceField(queryset=User.objects.order_by("id"), required=False, widget=widget)

        return F

    def html(widget, data):
        form = form_class(widget)(data)
        return re.sub(r">\s+<", "><", str(form["choice"]) + str(form["person"])).strip()

    for data in ({"choice": "2", "person": str(people.attache.pk)}, {}, {"choice": "a&b"}):
        assert html(FastSelect, data) == html(forms.Select, data)


def _mail(**fields) -> Mail:
    mail = Mail(
        pk=41,
        reference="A-2026-00041",
        registered_at=datetime.datetime(2026, 11, 2, 9, 5, tzinfo=datetime.UTC),
        subject='Objet <script>alert("x")</script> & co',
        state=Mail.State.IMPUTE,
        confidentiality="ordinaire",
        priority="normale",
        correspondent=Correspondent(name="Ambassade <b>de France</b>"),
        kind=MailKind(label="Note verbale"),
        **fields,
    )
    mail.open_imputations = []
    return mail


def test_register_rows_escape_every_value_and_link_the_entry():
    html = register_rows([_mail(arrival_date=datetime.date(2026, 11, 1), sender_reference="NV <1>")])
    assert '<a href="/courrier/41/">A-2026-00041</a>' in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co" in html and "<script>" not in html
    assert "Ambassade &lt;b&gt;de France&lt;/b&gt;" in html and "NV &lt;1&gt;" in html
    # 09:05 UTC is 09:05 in Lomé; the arrival date on its own line.
    assert '<td>02/11/2026 09:05<br><small class="muted">arrivé le 01/11/2026</small></td>' in html
    assert '<span class="muted">—</span>' in html and '<tr class="">' in html
    cancelled = _mail(administrative_reference="N° 12/MAEIA/CAB")
    cancelled.cancelled_at = datetime.datetime(2026, 11, 3, tzinfo=datetime.UTC)
    cancelled.open_imputations = [Imputation(assignee_unit=OrgUnit(name="Direction <Afrique>"))]
    html = register_rows([cancelled])
    assert '<tr class="is-cancelled">' in html and "N° 12/MAEIA/CAB" in html
    assert "Direction &lt;Afrique&gt;" in html
    with translation.override("en"):
        assert "arrivé le" not in register_rows([_mail(arrival_date=datetime.date(2026, 11, 1))])


def test_imputation_rows_flag_past_deadlines():
    today = datetime.date(2026, 11, 10)
    rows = []
    for pk, deadline in ((1, datetime.date(2026, 11, 9)), (2, today), (3, None)):
        imputation = Imputation(
            pk=pk,
            mail=_mail(),
            assignee_unit=OrgUnit(name="Cellule <juridique>"),
            deadline=deadline,
            instruction=Instruction.AVIS,
            state=Imputation.State.EN_ATTENTE,
        )
        rows.append(imputation)
    html = imputation_rows(rows, today)
    assert html.count('<a href="/courrier/41/">A-2026-00041</a>') == 3
    assert '<span class="tag tag-alert">09/11/2026</span>' in html
    assert "<td>10/11/2026</td>" in html and "<td></td>" in html
    assert "Cellule &lt;juridique&gt;" in html and "<script>" not in html
