"""Django admin: for platform administrators (superusers) only, and read-only audit rows.

Day-to-day work happens in the product pages, which write through the audited actions; the
admin is a back office for platform administrators, so staff status alone does not open it.
"""

from django.contrib import admin

from .models import AuditEntry


def _superusers_only(request) -> bool:
    return request.user.is_active and request.user.is_superuser


admin.site.has_permission = _superusers_only


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """The audit log can be searched here but never changed."""

    list_display = ("at", "actor", "channel", "action", "target_type", "target_repr")
    list_filter = ("channel", "target_type")
    search_fields = ("action", "target_repr", "target_id", "actor__username")
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
