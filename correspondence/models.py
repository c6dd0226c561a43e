"""The correspondence register. The directory of correspondents is shared with audiences."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Correspondent(models.Model):
    """Someone the cabinet writes to or hears from: an embassy, an international
    organisation, an NGO, a ministry, a person."""

    class Kind(models.TextChoices):
        EMBASSY = "ambassade", _("Ambassade ou représentation diplomatique")
        INTERNATIONAL = "organisation_internationale", _("Organisation internationale")
        NGO = "ong", _("Organisation non gouvernementale")
        MINISTRY = "ministere", _("Ministère ou institution de l'État")
        COMPANY = "entreprise", _("Entreprise")
        PERSON = "personne", _("Personne physique")
        OTHER = "autre", _("Autre")

    name = models.CharField(_("nom"), max_length=255)
    kind = models.CharField(_("catégorie"), max_length=40, choices=Kind.choices, default=Kind.OTHER)
    acronym = models.CharField(_("sigle"), max_length=40, blank=True)
    country = models.CharField(_("pays"), max_length=100, blank=True)
    address = models.TextField(_("adresse"), blank=True)
    email = models.EmailField(_("courriel"), blank=True)
    phone = models.CharField(_("téléphone"), max_length=60, blank=True)
    # A duplicate merged into another entry keeps its row (old letters point to it) but
    # is hidden from pickers; lookups follow merged_into.
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("fusionné dans"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_duplicates",
    )
    is_active = models.BooleanField(_("actif"), default=True)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)

    class Meta:
        verbose_name = _("correspondant")
        verbose_name_plural = _("correspondants")
        ordering = ["name"]
        indexes = [models.Index(fields=["name"], name="correspondent_name")]

    def __str__(self) -> str:
        return f"{self.name} ({self.acronym})" if self.acronym else self.name
