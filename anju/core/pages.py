"""Thin page helpers shared by the apps: a scoped ledger page with export, and a service form."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.shortcuts import redirect, render

from anju.audit import services as audit
from anju.core.forms import bootstrapify
from anju.core.pagination import CountedPaginator
from anju.core.scope import home_path
from anju.core.xlsx import xlsx_response
from anju.exports import services as exports


def ledger_page(
    request,
    *,
    ledger,
    filterset,
    template="core/ledger.html",
    extra=None,
    export_name: str | None = None,
    unit_path: str | None = None,
    export=None,
    page_rows=None,
    count=None,
):
    """A filtered, paginated ledger; ``?export=xlsx`` streams the same rows to Excel, or, given
    ``export(rows) -> (ledger, rows)``, a finer ledger (the persons of the listed households).

    ``page_rows(page_queryset) -> queryset`` adds what only the shown rows need (户主, 人数):
    computed after the page is cut, so a deep page does not compute it for every skipped row.

    ``count(filterset) -> int | None`` gives the list's length where the app keeps it (roll-ups);
    otherwise the list is counted up to ``COUNT_CAP`` (``anju.core.pagination``)."""
    rows = filterset.qs
    if request.GET.get("export") == "xlsx":
        if not getattr(request, "in_background", False) and exports.too_big(rows):
            # Too long to make while the user waits: a background job replays this request.
            title = (extra or {}).get("title") or ledger.title
            described = _describe(filterset)
            job = exports.start(
                request.user,
                url=request.get_full_path(),
                title=f"{title}（{described}）" if described else title,
            )
            return redirect(job.get_absolute_url())
        if export is not None:
            ledger, rows = export(rows)
        exported = rows.count()
        request.export_rows = exported  # read by a background job (anju.exports)
        audit.record_export(
            request.user,
            what=ledger.title,
            rows=exported,
            unit_path=unit_path if unit_path is not None else home_path(request.user),
            filters=_describe(filterset),
        )
        name = f"{export_name or ledger.title}.xlsx"
        return xlsx_response(name, ledger.title, ledger.headers, ledger.rows(rows.iterator(2000)))
    filterset.form.prefix = None
    bootstrapify(filterset.form)
    _small(filterset.form)
    known = count(filterset) if count is not None and filterset.is_valid() else None
    page = CountedPaginator(rows, 50, known_count=known).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "ledger": ledger,
        "filter": filterset,
        "page": page,
        "cells": list(ledger.cells(page_rows(page.object_list) if page_rows else page.object_list)),
        "query": query.urlencode(),
    }
    context.update(extra or {})
    return render(request, template, context)


def _small(form) -> None:
    for field in form.fields.values():
        field.widget.attrs["class"] += (
            " form-control-sm"
            if "form-control" in field.widget.attrs["class"]
            else " form-select-sm"
        )


def _describe(filterset) -> str:
    data = getattr(filterset, "form", None)
    if data is None or not data.is_bound or not data.is_valid():
        return ""
    parts = []
    for name, value in data.cleaned_data.items():
        if value not in (None, "", [], ()):
            parts.append(f"{data.fields[name].label or name}={value}")
    return "，".join(parts)


def apply_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def service_form(
    request,
    *,
    form,
    save,
    title,
    cancel_url,
    success_message,
    template="core/form.html",
    extra=None,
):
    """Validate a form, hand its data to a service, show the service's errors on the form."""
    if request.method == "POST" and form.is_valid():
        try:
            obj = save(form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, success_message)
            return redirect(obj) if hasattr(obj, "get_absolute_url") else redirect(cancel_url)
    bootstrapify(form)
    context = {
        "form": form,
        "title": title,
        "cancel_url": cancel_url,
        "non_field": NON_FIELD_ERRORS,
    }
    context.update(extra or {})
    return render(request, template, context)
