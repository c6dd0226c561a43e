"""Rights the roles carry on the correspondence register (model permissions; row-level
rights are guardian's ``view_mail`` on the mail, see selectors.visible_mails).

Nobody deletes an entry: ``delete_mail`` is given to no role (a mail is cancelled instead).
"""

from cabinet.roles import Role

REGISTER = "correspondence.register_mail"
ROUTE = "correspondence.route_mail"
VIEW_REGISTER = "correspondence.view_register"
VIEW_CONFIDENTIAL = "correspondence.view_confidential_mail"
VIEW_SECRET = "correspondence.view_secret_mail"
EXPORT = "correspondence.export_mail"
MANAGE_CORRESPONDENTS = "correspondence.manage_correspondents"

ROLE_PERMISSIONS: dict[str, set[str]] = {
    Role.MINISTRE: {ROUTE, VIEW_REGISTER, VIEW_CONFIDENTIAL, VIEW_SECRET, EXPORT},
    Role.DIRECTEUR_CABINET: {ROUTE, VIEW_REGISTER, VIEW_CONFIDENTIAL, VIEW_SECRET, EXPORT},
    Role.ATTACHE: {REGISTER, ROUTE, VIEW_REGISTER, VIEW_CONFIDENTIAL, EXPORT, MANAGE_CORRESPONDENTS},
    Role.CHEF_SP: {REGISTER, VIEW_REGISTER, EXPORT, MANAGE_CORRESPONDENTS},
    Role.SECRETARIAT: {REGISTER, VIEW_REGISTER, EXPORT, MANAGE_CORRESPONDENTS},
    Role.CONSEILLER: {VIEW_REGISTER},
}
