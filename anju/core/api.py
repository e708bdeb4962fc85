"""Shared API pieces: scoped viewsets, module permissions, Chinese error bodies."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, permissions, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.views import exception_handler as drf_exception_handler

from anju.accounts import access


def exception_handler(exc, context):
    """Service errors (Django's ValidationError / PermissionDenied) become 400 / 403 bodies."""
    if isinstance(exc, DjangoValidationError):
        detail = (
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
        exc = exceptions.ValidationError(detail)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or "无权执行此操作。")
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound("对象不存在或不在您的管辖范围内。")
    elif isinstance(exc, exceptions.PermissionDenied) and str(exc.detail).startswith("CSRF"):
        from anju.core.views import csrf_message

        exc = exceptions.PermissionDenied(csrf_message(str(exc.detail)))
    return drf_exception_handler(exc, context)


class ModulePermission(permissions.BasePermission):
    """Reading needs the module readable by the role; writing needs it writable."""

    message = "您的角色无权访问此模块。"

    def has_permission(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return False
        need = "read" if request.method in permissions.SAFE_METHODS else "write"
        return access.allows(request.user, view.module, need)


class ScopedViewSet(viewsets.GenericViewSet):
    """Every row an API view serves comes through ``Model.objects.visible_to(user)``."""

    module = ""
    permission_classes = [permissions.IsAuthenticated, ModulePermission]
    related = ()

    def get_queryset(self):
        qs = self.queryset.model.objects.visible_to(self.request.user)
        if self.related:
            qs = qs.select_related(*self.related)
        return qs


class ScopedRelationsMixin:
    """Related-field choices are limited to what the user sees, so neither the browsable API's
    forms nor a guessed id can reach a unit outside the user's scope."""

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        user = getattr(request, "user", None)
        for field in fields.values():
            queryset = getattr(field, "queryset", None)
            if queryset is None:
                continue
            model = queryset.model
            if hasattr(model, "scope_path_field"):
                field.queryset = model.objects.visible_to(user)
            elif model._meta.label == "accounts.User":
                from anju.accounts.services import visible_users

                field.queryset = visible_users(user)
        return fields


class LedgerViewSet(viewsets.ViewSet):
    """A ledger's rows, paginated, as objects keyed by the ledger's column headers (the page's
    and the Excel's)."""

    module = ""
    permission_classes = [ModulePermission]

    @property
    def paginator(self):
        from anju.core.pagination import CountedPagination

        if not hasattr(self, "_paginator"):
            self._paginator = CountedPagination()
        return self._paginator

    def filtered(self, filter_class, rows):
        """The rows the request's filters keep; a filter value out of range is a 400 with the
        filter's message."""
        fs = filter_class(self.request.query_params, queryset=rows, request=self.request)
        if not fs.is_valid():
            raise ValidationError(fs.errors)
        return fs.qs

    def ledger_page(self, ledger, rows):
        page = self.paginator.paginate_queryset(rows, self.request, view=self)
        headers = ledger.headers
        body = [dict(zip(headers, values, strict=True)) for values in ledger.rows(page)]
        return self.paginator.get_paginated_response(body)
