from django.urls import path

from . import views

app_name = "audiences"

urlpatterns = [
    path("", views.audience_index, name="list"),
    path("nouvelle/", views.audience_create, name="create"),
    path("<int:pk>/", views.audience_detail, name="detail"),
    path("<int:pk>/modifier/", views.audience_edit, name="edit"),
    path("<int:pk>/etude/", views.audience_study, name="study"),
    path("<int:pk>/accepter/", views.audience_accept, name="accept"),
    path("<int:pk>/refuser/", views.audience_refuse, name="refuse"),
    path("<int:pk>/programmer/", views.audience_programme, name="programme"),
    path("<int:pk>/deplacer/", views.audience_move, name="move"),
    path("<int:pk>/preparation/", views.audience_preparation, name="preparation"),
    path("<int:pk>/confirmer/", views.audience_confirm, name="confirm"),
    path("<int:pk>/changement/", views.audience_ask_change, name="ask_change"),
    path("<int:pk>/annuler/", views.audience_cancel, name="cancel"),
    path("<int:pk>/tenue/", views.audience_held, name="held"),
    path("<int:pk>/compte-rendu/", views.audience_report, name="report"),
    path("<int:pk>/acces/", views.audience_grant, name="grant"),
    path("<int:pk>/pieces/<int:attachment_pk>/", views.attachment_download, name="attachment"),
    path("protocole/", views.protocol_queue, name="protocol"),
    path("agenda/jour/", views.agenda_day, name="day"),
    path("agenda/semaine/", views.agenda_week, name="week"),
    path("agenda/programme-du-jour.pdf", views.programme_du_jour, name="programme_pdf"),
    path("indisponibilites/nouvelle/", views.unavailability_create, name="block_create"),
    path("indisponibilites/<int:pk>/modifier/", views.unavailability_edit, name="block_edit"),
    path("indisponibilites/<int:pk>/lever/", views.unavailability_lift, name="block_lift"),
    path("flux/", views.feed_settings, name="feed_settings"),
    path("flux/<str:token>.ics", views.feed, name="feed"),
]
