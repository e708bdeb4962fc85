from anju.accounts import access

from .models import AuditLog


def logs_visible_to(user):
    """Audit rows of the user's subtree; only roles that open the audit module read them."""
    access.require(user, "audit", "read")
    return AuditLog.objects.visible_to(user)


def format_changes(changes: dict) -> str:
    return "；".join(f"{field}: {old!s} → {new!s}" for field, (old, new) in changes.items())
