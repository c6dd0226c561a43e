"""The rights each role carries on audiences (model level; confidentiality is row level, in
``audiences.selectors``)."""

from cabinet.roles import Role

RECORD = "audiences.add_audience"
PROGRAMME = "audiences.programme_audience"
CONFIRM = "audiences.confirm_audience"
VIEW_AGENDA = "audiences.view_agenda"

# Who sees every audience, confidential ones included.
FULL_VIEW_ROLES = frozenset({Role.MINISTRE, Role.DIRECTEUR_CABINET, Role.ATTACHE, Role.CHEF_SP})

ROLE_PERMISSIONS: dict[str, set[str]] = {
    Role.MINISTRE: {VIEW_AGENDA},
    Role.DIRECTEUR_CABINET: {VIEW_AGENDA},
    Role.ATTACHE: {VIEW_AGENDA, RECORD, PROGRAMME},
    Role.CHEF_SP: {VIEW_AGENDA, RECORD, PROGRAMME},
    Role.SECRETARIAT: {RECORD},
    Role.PROTOCOLE: {CONFIRM},
}
