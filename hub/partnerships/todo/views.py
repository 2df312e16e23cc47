"""Pages for tasks, reminders and calendar feeds: thin views."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from hub.core.forms import apply_errors
from hub.core.models import Affiliate
from hub.core.permissions import acting_user, affiliate_view
from hub.partnerships.models import CalendarFeed, Task
from hub.partnerships.todo import ical, selectors, services
from hub.partnerships.todo.forms import TaskForm

PAGE_SIZE = 50


def _back(
    request: HttpRequest, affiliate: Affiliate, fallback: str = "partnerships:task_list"
) -> HttpResponse:
    """Return to the page the button was on (a local path only), else the fallback page."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(fallback, slug=affiliate.slug)


@affiliate_view()
def task_list(request: HttpRequest, affiliate: Affiliate) -> HttpResponse:
    """List the person's (or everyone's) open or done tasks, overdue first, a page at a time."""
    filters = selectors.TaskFilters.from_params(request.GET)
    qs = selectors.task_list(affiliate, acting_user(request), filters)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = urlencode(
        {"who": "mine" if filters.mine else "all", "state": "done" if filters.done else "open"}
    )
    return render(
        request,
        "partnerships/task_list.html",
        {"page": page, "filters": filters, "query": query, "today": timezone.localdate()},
    )


def _task_form_view(request: HttpRequest, affiliate: Affiliate, task: Task | None) -> HttpResponse:
    initial = {}
    if task is None:
        initial["assignee"] = request.user.pk
        for name in ("partnership", "organisation"):
            value = request.GET.get(name, "")
            if value.isdigit():
                initial[name] = int(value)
    form = TaskForm(request.POST or None, instance=task, affiliate=affiliate, initial=initial)
    if request.method == "POST" and form.is_valid():
        actor = acting_user(request)
        try:
            if task is None:
                services.create_task(actor=actor, affiliate=affiliate, **form.service_fields())
                messages.success(request, _("Task added."))
            else:
                services.update_task(actor=actor, task=task, **form.service_fields())
                messages.success(request, _("Changes saved."))
        except ValidationError as error:
            apply_errors(form, error)
        else:
            return redirect("partnerships:task_list", slug=affiliate.slug)
    return render(request, "partnerships/task_form.html", {"form": form, "task": task})


@affiliate_view(edit=True)
def task_create(request: HttpRequest, affiliate: Affiliate) -> HttpResponse:
    """Add a task (a link from a partnership or partner page fills it in)."""
    return _task_form_view(request, affiliate, None)


@affiliate_view(edit=True)
def task_edit(request: HttpRequest, affiliate: Affiliate, pk: int) -> HttpResponse:
    """Change a task."""
    return _task_form_view(request, affiliate, selectors.get_task(affiliate, pk))


@affiliate_view(edit=True)
@require_POST
def task_complete(request: HttpRequest, affiliate: Affiliate, pk: int) -> HttpResponse:
    """Mark a task done; a repeating task gets its next date."""
    task = selectors.get_task(affiliate, pk)
    following = services.complete_task(actor=acting_user(request), task=task)
    if following is not None and following.due_on:
        messages.success(
            request,
            _("Task done. The next one is due on %(date)s.")
            % {"date": following.due_on.isoformat()},
        )
    else:
        messages.success(request, _("Task done."))
    return _back(request, affiliate)


@affiliate_view(edit=True)
@require_POST
def task_reopen(request: HttpRequest, affiliate: Affiliate, pk: int) -> HttpResponse:
    """Mark a done task as open again."""
    task = selectors.get_task(affiliate, pk)
    services.reopen_task(actor=acting_user(request), task=task)
    messages.success(request, _("Task reopened."))
    return _back(request, affiliate)


@affiliate_view(edit=True)
def task_delete(request: HttpRequest, affiliate: Affiliate, pk: int) -> HttpResponse:
    """Delete a task after a confirmation page."""
    task = selectors.get_task(affiliate, pk)
    if request.method == "POST":
        services.delete_task(actor=acting_user(request), task=task)
        messages.success(request, _("Task deleted."))
        return redirect("partnerships:task_list", slug=affiliate.slug)
    return render(request, "partnerships/task_confirm_delete.html", {"task": task})


@affiliate_view()
@require_POST
def reminder_dismiss(request: HttpRequest, affiliate: Affiliate, pk: int) -> HttpResponse:
    """Dismiss one of the person's own reminders."""
    user = acting_user(request)
    reminder = selectors.get_reminder(affiliate, user, pk)
    services.dismiss_reminder(actor=user, reminder=reminder)
    messages.success(request, _("Reminder dismissed."))
    return _back(request, affiliate, "partners:my_work")


@affiliate_view()
def reminder_list(request: HttpRequest, affiliate: Affiliate) -> HttpResponse:
    """List the person's open reminders due, soonest first, a page at a time."""
    today = timezone.localdate()
    qs = selectors.my_reminders(affiliate, acting_user(request), today=today)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "partnerships/reminder_list.html", {"page": page, "today": today})


@login_required
@never_cache
def calendar_feeds(request: HttpRequest) -> HttpResponse:
    """Show the person's calendar link: its state, and the full address right after creation."""
    user = acting_user(request)
    token = request.session.pop("new_calendar_token", None)
    feeds = list(CalendarFeed.objects.filter(user=user).order_by("-created_at")[:10])
    return render(
        request,
        "partnerships/calendar_feeds.html",
        {
            "feeds": feeds,
            "new_url": ical.feed_url(token) if token else "",
            "now": timezone.now(),
        },
    )


@login_required
@require_POST
def calendar_feed_create(request: HttpRequest) -> HttpResponse:
    """Make a new calendar link (revoking the old one) and show it once."""
    _feed, token = ical.create_feed(actor=acting_user(request))
    # Shown once on the next page, then gone: the session carries it across the redirect only.
    request.session["new_calendar_token"] = token
    return redirect("partnerships:calendar_feeds")


@login_required
@require_POST
def calendar_feed_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """Revoke one of the person's calendar links."""
    user = acting_user(request)
    feed = CalendarFeed.objects.filter(user=user, pk=pk).first()
    if feed is None:
        raise Http404
    ical.revoke_feed(actor=user, feed=feed)
    messages.success(request, _("Calendar link revoked. Calendars using it get nothing more."))
    return redirect("partnerships:calendar_feeds")


def _plain(text: str, status: int) -> HttpResponse:
    response = HttpResponse(text + "\n", status=status, content_type="text/plain; charset=utf-8")
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """Serve a person's private calendar (public route: the secret in the address is the key)."""
    try:
        feed = ical.feed_for_token(token)
    except ical.FeedUnknown:
        return _plain(_("This calendar link is not known."), 404)
    except ical.FeedGone:
        return _plain(
            _(
                "This calendar link was revoked or has expired. "
                "Make a new one on your account page in the Partnerships Hub."
            ),
            410,
        )
    items = selectors.feed_items(feed.user)
    response = HttpResponse(
        ical.render_feed(items["tasks"], items["reminders"]),
        content_type="text/calendar; charset=utf-8",
    )
    response["Cache-Control"] = "private, max-age=300"
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex"
    return response
