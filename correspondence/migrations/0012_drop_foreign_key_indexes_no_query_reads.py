"""Drop the indexes of foreign keys that no query reads: the people who registered, signed,
cancelled, routed, acknowledged, completed or uploaded, the arrival channel, the event's actor
and imputation, and the event's letter (covered by the (mail, at) index). Each was written by
every registration under the register's lock and rebuilt by every volume load; only deleting
a person or a channel reads them (a sequential scan, then).

Only the indexes are dropped: what AlterField(db_index=False) would run drops and re-adds each
foreign-key constraint, which validates it over the whole table (millions of rows) under an
exclusive lock. The constraints stay as they are.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# (index, table, column): names as Django gave them, the same on PostgreSQL and SQLite.
INDEXES = [
    ("correspondence_attachment_uploaded_by_id_05e1fc57", "correspondence_attachment", "uploaded_by_id"),
    ("correspondence_imputation_acknowledged_by_id_ae99a2de", "correspondence_imputation", "acknowledged_by_id"),
    ("correspondence_imputation_completed_by_id_e23b4e1a", "correspondence_imputation", "completed_by_id"),
    ("correspondence_imputation_created_by_id_5bdeec33", "correspondence_imputation", "created_by_id"),
    ("correspondence_mail_cancelled_by_id_168fbea9", "correspondence_mail", "cancelled_by_id"),
    ("correspondence_mail_channel_id_4ec6ae42", "correspondence_mail", "channel_id"),
    ("correspondence_mail_registered_by_id_d0b61d82", "correspondence_mail", "registered_by_id"),
    ("correspondence_mail_signatory_id_600a6837", "correspondence_mail", "signatory_id"),
    ("correspondence_mailevent_actor_id_9392e9db", "correspondence_mailevent", "actor_id"),
    ("correspondence_mailevent_imputation_id_bff8ff46", "correspondence_mailevent", "imputation_id"),
    ("correspondence_mailevent_mail_id_e77db0f7", "correspondence_mailevent", "mail_id"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("correspondence", "0011_register_prints_prepared_in_the_background"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="attachment",
                    name="uploaded_by",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="déposé par",
                    ),
                ),
                migrations.AlterField(
                    model_name="imputation",
                    name="acknowledged_by",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="pris en compte par",
                    ),
                ),
                migrations.AlterField(
                    model_name="imputation",
                    name="completed_by",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="terminé par",
                    ),
                ),
                migrations.AlterField(
                    model_name="imputation",
                    name="created_by",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="imputé par",
                    ),
                ),
                migrations.AlterField(
                    model_name="mail",
                    name="cancelled_by",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="annulé par",
                    ),
                ),
                migrations.AlterField(
                    model_name="mail",
                    name="channel",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="correspondence.arrivalchannel",
                        verbose_name="mode d'arrivée",
                    ),
                ),
                migrations.AlterField(
                    model_name="mail",
                    name="registered_by",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="enregistré par",
                    ),
                ),
                migrations.AlterField(
                    model_name="mail",
                    name="signatory",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="signataire",
                    ),
                ),
                migrations.AlterField(
                    model_name="mailevent",
                    name="actor",
                    field=models.ForeignKey(
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="par",
                    ),
                ),
                migrations.AlterField(
                    model_name="mailevent",
                    name="imputation",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="correspondence.imputation",
                    ),
                ),
                migrations.AlterField(
                    model_name="mailevent",
                    name="mail",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="events",
                        to="correspondence.mail",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{index}"',
                    reverse_sql=f'CREATE INDEX "{index}" ON "{table}" ("{column}")',
                )
                for index, table, column in INDEXES
            ],
        ),
    ]
