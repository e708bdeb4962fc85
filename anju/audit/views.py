from django.utils import timezone

from anju.core.pages import ledger_page
from anju.core.tables import Column, Ledger

from .filters import AuditLogFilter
from .selectors import format_changes, logs_visible_to, type_label

AUDIT_LOG = Ledger(
    "审计日志",
    (
        Column("时间", lambda r: timezone.localtime(r.at).strftime("%Y-%m-%d %H:%M:%S")),
        Column("操作人", "actor_name"),
        Column("操作", "get_action_display"),
        Column("对象类型", lambda r: type_label(r.object_type)),
        Column("对象编号", "object_id"),
        Column("对象", "object_repr", wrap=True),
        Column("变更内容", lambda r: format_changes(r.object_type, r.changes, r.action), wrap=True),
        Column("说明", "note", wrap=True),
    ),
)


def log_list(request):
    rows = logs_visible_to(request.user)
    fs = AuditLogFilter(request.GET, queryset=rows, request=request)
    return ledger_page(request, ledger=AUDIT_LOG, filterset=fs, extra={"title": "审计日志"})
