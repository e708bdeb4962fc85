"""Masking of personal data: identity numbers and phones are shown masked unless revealed."""

SENSITIVE_FIELDS = {"id_number", "identity_number", "phone", "mobile"}


def mask_id_number(value: str | None) -> str:
    if not value:
        return ""
    value = str(value)
    if len(value) <= 8:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_phone(value: str | None) -> str:
    if not value:
        return ""
    value = str(value)
    if len(value) <= 7:
        return value[:1] + "*" * (len(value) - 1)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_field(field: str, value):
    """Mask a value by the name of the field it came from (used by the audit log)."""
    if value in (None, ""):
        return value
    if field in {"id_number", "identity_number"}:
        return mask_id_number(value)
    if field in {"phone", "mobile"}:
        return mask_phone(value)
    return value
