"""Model permissions that the cabinet's roles carry in the delegations app (merged by
``cabinet.backends.MandateBackend``). Row-level rights (sign an item, transmit a directive)
are guardian object permissions, granted by the services as the law allows."""

from cabinet.roles import Role

_DRAFT = "delegations.add_signatureitem"
_REGISTER = "delegations.view_register"
_MANAGE = "delegations.manage_delegation"
_DIRECTIVES = "delegations.add_directive"
_BOARD = "delegations.view_execution_board"

ROLE_PERMISSIONS: dict[str, set[str]] = {
    Role.MINISTRE: {_DRAFT, _REGISTER, _MANAGE, _DIRECTIVES, _BOARD},
    Role.DIRECTEUR_CABINET: {_DRAFT, _REGISTER, _MANAGE, _DIRECTIVES, _BOARD},
    Role.ATTACHE: {_DRAFT, _REGISTER, _MANAGE, _DIRECTIVES},
    Role.CONSEILLER: {_DRAFT, _REGISTER},
    Role.CHEF_SP: {_DRAFT, _REGISTER},
    Role.SECRETARIAT: {_DRAFT},
    Role.DIRECTEUR: {_DRAFT},
    Role.CHEF_SERVICE: {_DRAFT},
}
