from django.urls import path

from . import views, views_print

app_name = "correspondence"

urlpatterns = [
    path("", views.mail_list, name="mail_list"),
    path("a-traiter/", views.my_work, name="my_work"),
    path("arrivee/nouveau/", views.register_incoming, name="register_incoming"),
    path("depart/nouveau/", views.register_outgoing, name="register_outgoing"),
    path("export.csv", views.export_csv, name="export_csv"),
    path("export.xlsx", views.export_xlsx, name="export_xlsx"),
    path("<int:pk>/", views.mail_detail, name="mail_detail"),
    path("<int:pk>/imputer/", views.mail_route, name="mail_route"),
    path("<int:pk>/modifier/", views.mail_update, name="mail_update"),
    path("<int:pk>/annuler/", views.mail_cancel, name="mail_cancel"),
    path("<int:pk>/classer/", views.mail_file, name="mail_file"),
    path("<int:pk>/acces/", views.mail_grant, name="mail_grant"),
    path("<int:pk>/pieces/", views.attachment_upload, name="attachment_upload"),
    path("pieces/<int:pk>/", views.attachment_download, name="attachment_download"),
    path("pieces/<int:pk>/apercu/", views.attachment_preview, name="attachment_preview"),
    path("imputations/<int:pk>/prendre-en-compte/", views.imputation_acknowledge, name="imputation_acknowledge"),
    path("imputations/<int:pk>/travail/", views.imputation_annotate, name="imputation_annotate"),
    path("imputations/<int:pk>/terminer/", views.imputation_complete, name="imputation_complete"),
    path("imputations/<int:pk>/reaffecter/", views.imputation_reassign, name="imputation_reassign"),
    path("imputations/<int:pk>/parapheur/", views.imputation_submit_signature, name="imputation_submit_signature"),
    path("correspondants/", views.correspondent_list, name="correspondent_list"),
    path("correspondants/nouveau/", views.correspondent_create, name="correspondent_create"),
    path("correspondants/recherche/", views.correspondent_lookup, name="correspondent_lookup"),
    path("correspondants/creation-rapide/", views.correspondent_quick_create, name="correspondent_quick_create"),
    path("correspondants/<int:pk>/modifier/", views.correspondent_update, name="correspondent_update"),
    path("correspondants/<int:pk>/fusionner/", views.correspondent_merge, name="correspondent_merge"),
]

# Printed documents of the register.
urlpatterns += [
    path("imprimer/registre/", views_print.register_print, name="print_register"),
    path("imprimer/registre/demande/", views_print.register_print_request, name="register_print_request"),
    path("imprimer/registres/", views_print.register_prints, name="register_prints"),
    path("imprimer/registres/<int:pk>/", views_print.register_print_download, name="register_print_download"),
    path("<int:pk>/imprimer/fiche-imputation/", views_print.routing_slip, name="print_routing_slip"),
    path("<int:pk>/imprimer/accuse-reception/", views_print.acknowledgement, name="print_acknowledgement"),
    path("<int:pk>/imprimer/bordereau-envoi/", views_print.transmission_slip, name="print_transmission_slip"),
]
