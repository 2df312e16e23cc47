"""URLs of the surveys app: members' pages under /a/<affiliate>/, hub staff's under /surveys/,
and the respondent's signed link under /s/<token>/."""

from django.urls import path

from hub.surveys import views
from hub.surveys.urls_portal import urlpatterns as portal_urlpatterns

app_name = "surveys"
_A = "a/<slug:slug>/surveys/"
_P = "a/<slug:slug>/partnerships/<int:pk>/surveys/"
urlpatterns = [
    path(_A, views.survey_list, name="survey_list"),
    path(_A + "new/", views.survey_create, name="survey_create"),
    path(_A + "<int:pk>/", views.survey_detail, name="survey_detail"),
    path(_A + "<int:pk>/questions/new/", views.question_add, name="question_add"),
    path(_A + "<int:pk>/questions/<int:question_pk>/", views.question_edit, name="question_edit"),
    path(_A + "sent/<int:sending_pk>/", views.sending_detail, name="sending_detail"),
    path(_A + "rules/new/", views.rule_create, name="rule_create"),
    path(_A + "rules/<int:rule_pk>/", views.rule_edit, name="rule_edit"),
    path(_A + "rules/<int:rule_pk>/stop/", views.rule_stop, name="rule_stop"),
    path(_A + "results/", views.affiliate_results, name="affiliate_results"),
    path(_A + "results.<str:fmt>", views.affiliate_export, name="affiliate_export"),
    path(_P, views.partnership_results, name="partnership_results"),
    path(_P + "send/", views.send, name="send"),
    path(_P + "answers.<str:fmt>", views.partnership_export, name="partnership_export"),
    path("surveys/standard/", views.standard_survey, name="standard"),
    path(
        "surveys/standard/questions/new/", views.standard_question_add, name="standard_question_add"
    ),
    path(
        "surveys/standard/questions/<int:question_pk>/",
        views.standard_question_edit,
        name="standard_question_edit",
    ),
    path("surveys/movement/", views.movement, name="movement"),
    path("s/<token>/", views.answer, name="answer"),
    path("s/<token>/thanks/", views.thanks, name="thanks"),
    path("s/<token>/opt-out/", views.opt_out, name="opt_out"),
    *portal_urlpatterns,
]
