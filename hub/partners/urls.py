"""Routes for the partner directory."""

app_name = "partners"
urlpatterns: list = []
