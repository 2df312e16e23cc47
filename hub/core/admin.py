"""Admin pages for hub staff: affiliates, people and memberships, the audit log and the
scheduled jobs' last runs."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from hub.core.models import Affiliate, AuditEvent, Membership, ScheduledJob, User


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ["affiliate"]


@admin.register(User)
class HubUserAdmin(UserAdmin):
    list_display = ["username", "email", "first_name", "last_name", "is_hub_staff", "is_staff"]
    list_filter = ["is_hub_staff", "is_staff", "is_active"]
    fieldsets = (*(UserAdmin.fieldsets or ()), (None, {"fields": ["is_hub_staff"]}))
    inlines = [MembershipInline]


@admin.register(Affiliate)
class AffiliateAdmin(admin.ModelAdmin):
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
