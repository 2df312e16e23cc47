"""Routes for the impact app: under /a/<affiliate>/, plus the partner's signed report link."""

from django.urls import path

from hub.impact import views

app_name = "impact"
_P = "a/<slug:slug>/partnerships/<int:pk>/impact/"
_O = "a/<slug:slug>/organisations/<int:pk>/impact/"
urlpatterns = [
    path("a/<slug:slug>/impact/", views.affiliate_report, name="affiliate_report"),
    path("a/<slug:slug>/impact/report.csv", views.affiliate_report_csv, name="affiliate_csv"),
    path("a/<slug:slug>/impact/report.pdf", views.affiliate_report_pdf, name="affiliate_pdf"),
    path(_P, views.partnership_impact, name="partnership_impact"),
    path(_P + "links/new/", views.link_create, name="link_create"),
    path(_P + "links/<int:link_pk>/remove/", views.link_remove, name="link_remove"),
    path(_P + "links/<int:link_pk>/refresh/", views.link_refresh, name="link_refresh"),
    path(_P + "runs/<int:run_pk>/", views.run_status, name="run_status"),
    path(_P + "report.csv", views.partnership_report_csv, name="partnership_csv"),
    path(_P + "report.pdf", views.partnership_report_pdf, name="partnership_pdf"),
    path(_P + "shares/new/", views.share_create, name="share_create"),
    path(_P + "shares/<int:share_pk>/revoke/", views.share_revoke, name="share_revoke"),
    path(_O, views.organisation_report, name="organisation_report"),
    path(_O + "report.csv", views.organisation_report_csv, name="organisation_csv"),
    path(_O + "report.pdf", views.organisation_report_pdf, name="organisation_pdf"),
    path(_O + "shares/new/", views.organisation_share_create, name="organisation_share_create"),
    path(
        _O + "shares/<int:share_pk>/revoke/",
        views.organisation_share_revoke,
        name="organisation_share_revoke",
    ),
    path("impact/shared/<token>/", views.shared_report, name="shared_report"),
    path("impact/shared/<token>/report.pdf", views.shared_report_pdf, name="shared_report_pdf"),
]
