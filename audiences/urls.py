from django.urls import path

app_name = "audiences"

urlpatterns: list = []
