"""The cabinet's roles and the rights each one carries.

A person's roles on a given day are the kinds of the positions they hold that day under a
mandate in force (see ``cabinet.selectors.roles_of``). Rights follow from roles, so when a
mandate ends its rights end the same day, without anyone editing groups.

Each domain app declares the model permissions its roles carry in its own ``roles.py`` as
``ROLE_PERMISSIONS = {Role.X: {"app_label.codename", ...}}``; ``cabinet.backends`` merges them.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    MINISTRE = "ministre", _("Ministre des affaires étrangères")
    DIRECTEUR_CABINET = "directeur_cabinet", _("Directeur de cabinet")
    ATTACHE = "attache", _("Attaché de cabinet")
    CONSEILLER = "conseiller", _("Conseiller technique")
    CHEF_SP = "chef_sp", _("Chef du secrétariat particulier")
    SECRETARIAT = "secretariat", _("Agent du secrétariat / courrier")
    PROTOCOLE = "protocole", _("Agent du protocole d'État")
    DIRECTEUR = "directeur", _("Directeur")
    CHEF_SERVICE = "chef_service", _("Chef de service")


# Positions that one person holds at a time: two ordinary mandates may not overlap.
SINGLE_HOLDER_ROLES = frozenset({Role.MINISTRE, Role.DIRECTEUR_CABINET, Role.ATTACHE, Role.CHEF_SP})

# Members of the cabinet proper (as opposed to the ministry's directions and the protocol).
CABINET_ROLES = frozenset(
    {
        Role.MINISTRE,
        Role.DIRECTEUR_CABINET,
        Role.ATTACHE,
        Role.CONSEILLER,
        Role.CHEF_SP,
        Role.SECRETARIAT,
    }
)

# The foundation's own rights. Domain apps add theirs in their roles.py.
ROLE_PERMISSIONS: dict[str, set[str]] = {
    Role.MINISTRE: {"cabinet.view_organisation"},
    Role.DIRECTEUR_CABINET: {"cabinet.view_organisation"},
    Role.ATTACHE: {"cabinet.view_organisation"},
    Role.CHEF_SP: {"cabinet.view_organisation"},
}
