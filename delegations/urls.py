from django.urls import path

from . import views, views_directives

app_name = "delegations"

urlpatterns = [
    # The signature book (parapheur).
    path("", views.book, name="book"),
    path("parapheur/nouveau/", views.item_create, name="item_create"),
    path("parapheur/<int:pk>/", views.item_detail, name="item_detail"),
    path("parapheur/<int:pk>/visa/", views.item_visa, name="item_visa"),
    path("parapheur/<int:pk>/corriger/", views.item_correct, name="item_correct"),
    path("parapheur/<int:pk>/signer/", views.item_sign, name="item_sign"),
    path("parapheur/<int:pk>/acte-signe.pdf", views.item_pdf, name="item_pdf"),
    path("parapheur/<int:pk>/piece-jointe/", views.item_document, name="item_document"),
    path("verifier/", views.verify, name="verify"),
    # Arrêtés of delegation and the register.
    path("arretes/", views.delegation_list, name="delegation_list"),
    path("arretes/nouveau/", views.delegation_create, name="delegation_create"),
    path("arretes/<int:pk>/", views.delegation_detail, name="delegation_detail"),
    path("arretes/<int:pk>/modifier/", views.delegation_edit, name="delegation_edit"),
    path("arretes/<int:pk>/publier/", views.delegation_publish, name="delegation_publish"),
    path("arretes/<int:pk>/abroger/", views.delegation_revoke, name="delegation_revoke"),
    path("arretes/<int:pk>/arrete-scanne/", views.delegation_scan, name="delegation_scan"),
    path("registre/", views.register, name="register"),
    path("registre.pdf", views.register_pdf, name="register_pdf"),
    # Directives.
    path("directives/", views_directives.directive_list, name="directive_list"),
    path("directives/nouvelle/", views_directives.directive_create, name="directive_create"),
    path("directives/tableau/", views_directives.execution_board, name="execution_board"),
    path("directives/<int:pk>/", views_directives.directive_detail, name="directive_detail"),
    path("directives/<int:pk>/transmettre/", views_directives.directive_transmit, name="directive_transmit"),
    path("transmissions/<int:pk>/accuser/", views_directives.transmission_acknowledge, name="transmission_acknowledge"),
    path("transmissions/<int:pk>/rapport/", views_directives.transmission_report, name="transmission_report"),
    path("rapports/<int:pk>/piece-jointe/", views_directives.report_attachment, name="report_attachment"),
]
