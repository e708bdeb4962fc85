"""The public self-report page a household's QR code opens: no account, no personal data."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from anju.core.forms import bootstrapify
from anju.core.pages import apply_errors

from . import choices, reports


class ReportForm(forms.Form):
    hardships = forms.MultipleChoiceField(
        label="遇到了什么困难（可多选）",
        choices=choices.HARDSHIPS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    description = forms.CharField(
        label="具体情况（可不填）",
        required=False,
        max_length=reports.DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    phone = forms.CharField(label="联系电话（可不填）", required=False, max_length=20)


def _address(request) -> str:
    # Behind the documented proxy the client's address is the last hop it added.
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    return (forwarded.split(",")[-1].strip() if forwarded else "") or request.META.get(
        "REMOTE_ADDR", ""
    )


@login_not_required
@never_cache
def self_report(request, token):
    reports.card_by_token(token)  # 404 before anything else for an unknown code
    form = ReportForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            reports.report(token, **form.cleaned_data, address=_address(request))
        except ValidationError as exc:
            apply_errors(form, exc)
        except reports.TooMany as exc:
            form.add_error(None, str(exc))
            status = 429
        else:
            return render(request, "monitoring/self_report_done.html")
    bootstrapify(form)
    form.fields["hardships"].widget.attrs["class"] = "form-check-input"
    return render(request, "monitoring/self_report.html", {"form": form}, status=status)
