"""Admin pages for hub staff: affiliates, people and memberships, the audit log and the
scheduled jobs' last runs.

What hub staff change here is audited like a change through the Hub's own pages (action
``<model>.admin_created``, ``.admin_changed`` or ``.admin_deleted``, field by field; never a
password), so the audit log stays whole and the caches keyed on an affiliate's newest audit
event (hub.core.audit.stamped_key) are never read stale after an admin edit.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.db import models, transaction
from django.http import HttpRequest

from hub.core import audit
from hub.core.models import Affiliate, AuditEvent, Membership, ScheduledJob, User

# Never written to the audit log: secrets and what changes by itself.
UNAUDITED = frozenset({"password", "last_login"})


def _fields(instance: models.Model) -> list[str]:
    return [
        f.name
        for f in instance._meta.concrete_fields
        if f.editable and not f.primary_key and f.name not in UNAUDITED
    ]


def _affiliate_of(instance: models.Model) -> Affiliate | None:
    if isinstance(instance, Affiliate):
        return instance
    return getattr(instance, "affiliate", None)


def _before(instance: models.Model) -> dict[str, Any]:
    if instance.pk is None:
        return {}
    stored = type(instance)._default_manager.filter(pk=instance.pk).first()
    return audit.snapshot(stored, _fields(stored)) if stored is not None else {}


def _record(request: HttpRequest, instance: models.Model, verb: str, changes: dict) -> None:
    # A deleted affiliate's own events go with it: its deletion is recorded hub-wide.
    deleting_affiliate = verb == "deleted" and isinstance(instance, Affiliate)
    audit.record(
        actor=request.user if isinstance(request.user, User) else None,
        affiliate=None if deleting_affiliate else _affiliate_of(instance),
        action=f"{instance._meta.model_name}.admin_{verb}",
        target=instance,
        changes=changes,
    )


class AuditedAdmin(admin.ModelAdmin):
    """Record each save and delete, of the object and of its inlines, in the audit log."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        with transaction.atomic():
            before = _before(obj) if change else {}
            super().save_model(request, obj, form, change)
            # The fields the person changed (a date the form shows without its microseconds
            # is not a change).
            changed = [f for f in _fields(obj) if not change or f in form.changed_data]
            changes = audit.diff(before, audit.snapshot(obj, changed))
            if "password" in form.changed_data:
                changes["password"] = ["", "(changed)"]
            if changes or not change:
                _record(request, obj, "changed" if change else "created", changes)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        with transaction.atomic():
            _record(request, obj, "deleted", {})
            super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        with transaction.atomic():
            for obj in queryset:
                _record(request, obj, "deleted", {})
            super().delete_queryset(request, queryset)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        with transaction.atomic():
            befores = {
                f.instance.pk: _before(f.instance)
                for f in formset.forms
                if f.instance.pk is not None and f.has_changed()
            }
            for gone in formset.deleted_forms:
                if gone.instance.pk is not None:  # recorded while it still has its id
                    _record(request, gone.instance, "deleted", {})
            super().save_formset(request, form, formset, change)
            for obj in formset.new_objects:
                _record(request, obj, "created", audit.snapshot(obj, _fields(obj)))
            for obj, names in formset.changed_objects:
                after = audit.snapshot(obj, [f for f in _fields(obj) if f in names])
                _record(request, obj, "changed", audit.diff(befores.get(obj.pk, {}), after))


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ["affiliate"]


@admin.register(User)
class HubUserAdmin(AuditedAdmin, UserAdmin):
    list_display = ["username", "email", "first_name", "last_name", "is_hub_staff", "is_staff"]
    list_filter = ["is_hub_staff", "is_staff", "is_active"]
    fieldsets = (*(UserAdmin.fieldsets or ()), (None, {"fields": ["is_hub_staff"]}))
    inlines = [MembershipInline]


@admin.register(Affiliate)
class AffiliateAdmin(AuditedAdmin):
    list_display = ["name", "kind", "country", "region", "legal_status", "is_demo"]
    list_filter = ["kind", "region", "legal_status", "is_demo"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "affiliate", "actor", "action", "target_repr"]
    list_filter = ["action"]
    readonly_fields = [f.name for f in AuditEvent._meta.fields]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(ScheduledJob)
class ScheduledJobAdmin(admin.ModelAdmin):
    """Show each scheduled job's last run with its error (/health/ shows no error text)."""

    list_display = ["name", "last_outcome", "last_started_at", "last_duration", "next_run_at"]
    readonly_fields = [f.name for f in ScheduledJob._meta.fields]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False
