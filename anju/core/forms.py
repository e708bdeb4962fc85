from django import forms


def bootstrapify(form) -> None:
    """Give every widget Bootstrap's class, so templates stay plain loops over fields."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        elif isinstance(widget, forms.Select | forms.SelectMultiple):
            css = "form-select"
        else:
            css = "form-control"
        widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


class DatePicker(forms.DateInput):
    """The browser's date picker. Its value must be ISO (2026-11-20): under zh-hans Django would
    write 2026/11/20, which the picker shows as empty — and saving the form then cleared the
    date the user never touched."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")
