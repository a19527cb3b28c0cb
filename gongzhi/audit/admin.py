from django.contrib import admin

from gongzhi.audit.backoffice import ReadOnlyModelAdmin

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyModelAdmin):
    list_display = ["at", "actor_label", "action", "content_type", "object_id", "object_repr", "ip"]
    list_filter = ["action", "content_type"]
    search_fields = ["actor_label", "object_repr", "object_id", "note"]
    date_hierarchy = "at"
