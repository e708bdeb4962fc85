from __future__ import annotations

from datetime import datetime, time, timedelta

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from anju.core.forms import bootstrapify
from anju.core.pages import apply_errors, service_form
from anju.core.scope import home_path
from anju.orgs import selectors as org_selectors
from anju.orgs.models import AdminUnit

from . import access, services
from .forms import LoginForm, RoleForm, TokenForm, UserCreateForm, UserEditForm
from .models import Role, User


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


@login_not_required
def locked_out(request, credentials=None, *args, **kwargs):
    """django-axes calls this once an account name has failed five times."""
    return render(request, "accounts/locked_out.html", status=403)


def user_list(request):
    access.require(request.user, "accounts", "read")
    users = services.visible_users(request.user).prefetch_related(
        "memberships__admin_unit", "memberships__site", "memberships__grid", "memberships__building"
    )
    q = request.GET.get("q", "").strip()
    if q:
        users = users.filter(username__icontains=q) | users.filter(full_name__icontains=q)
    page = Paginator(users, 50).get_page(request.GET.get("page"))
    return render(request, "accounts/user_list.html", {"page": page, "q": q})


def user_create(request, key):
    """A new account serving the node it is created from."""
    access.require(request.user, "accounts", "write")
    node = org_selectors.node_by_key(request.user, key)
    if node is None:
        raise Http404("单位不存在或不在您的管辖范围内。")
    form = UserCreateForm(request.POST or None, actor=request.user)

    def save(data):
        return services.create_user(request.user, nodes=[node], **data)

    return service_form(
        request,
        form=form,
        title=f"在「{node.name}」新建账号",
        cancel_url=node.get_absolute_url(),
        success_message="账号已创建。",
        save=save,
    )


def user_edit(request, pk):
    access.require(request.user, "accounts", "write")
    user = get_object_or_404(services.visible_users(request.user), pk=pk)
    form = UserEditForm(
        request.POST or None,
        instance=services.visible_users(request.user).get(pk=pk),
        actor=request.user,
    )

    def save(data):
        password = data.pop("password", "")
        services.update_user(request.user, user, password=password or None, **data)
        return user

    return service_form(
        request,
        form=form,
        title=f"编辑账号「{user.display_name}」",
        cancel_url="/accounts/users/",
        success_message="账号已保存。",
        save=save,
    )


def role_list(request):
    access.require(request.user, "accounts", "read")
    roles = Role.objects.visible_to(request.user).select_related("unit")
    modules = list(access.MODULES.items())
    rows = [
        {"role": r, "levels": [access.LEVEL_LABELS[r.modules.get(m, "")] for m, _ in modules]}
        for r in roles
    ]
    return render(
        request,
        "accounts/role_list.html",
        {
            "rows": rows,
            "modules": modules,
            "home_unit": _home_unit(request.user),
            "superuser": request.user.is_superuser,
        },
    )


def _home_unit(user) -> AdminUnit | None:
    """The administrative unit a county or town administrator adapts roles for."""
    return AdminUnit.objects.filter(path=home_path(user)).first() if home_path(user) else None


@require_POST
def role_adapt(request, pk):
    template = get_object_or_404(Role.objects.filter(unit=None), pk=pk)
    unit = _home_unit(request.user)
    if unit is None:
        messages.error(request, "您服务的不是一个行政单位，不能生成本单位角色。")
        return redirect("accounts:role-list")
    role = services.adapt_role(request.user, template, unit)
    messages.success(
        request, f"已为「{unit.name}」生成角色「{role.name}」，本单位持该角色的账号已改用它。"
    )
    return redirect("accounts:role-edit", pk=role.pk)


def role_edit(request, pk):
    access.require(request.user, "accounts", "write")
    role = get_object_or_404(Role.objects.visible_to(request.user), pk=pk)
    services.require_role_write(request.user, role)
    form = RoleForm(request.POST or None, instance=Role.objects.get(pk=pk))

    def save(data):
        services.update_role(
            request.user,
            role,
            name=data["name"],
            description=data["description"],
            can_reveal_identity=data["can_reveal_identity"],
            modules=form.modules(),
        )
        return role

    return service_form(
        request,
        form=form,
        title=f"编辑角色「{role.name}」",
        cancel_url="/accounts/roles/",
        success_message="角色已保存。",
        save=save,
    )


# API tokens ----------------------------------------------------------------------------------


def token_list(request):
    tokens = services.visible_tokens(request.user)
    page = Paginator(tokens, 50).get_page(request.GET.get("page"))
    return render(request, "accounts/token_list.html", {"page": page, "title": "接口令牌"})


def token_create(request):
    """The key is shown once, on the page that answers the form; only its hash is kept."""
    access.require(request.user, "accounts", "write")
    users = services.visible_users(request.user).filter(is_active=True)
    users = users | User.objects.filter(pk=request.user.pk)
    nodes = sorted(
        [*org_selectors.units(request.user), *org_selectors.sites(request.user)],
        key=lambda n: n.path,
    )
    form = TokenForm(request.POST or None, actor=request.user, users=users, nodes=nodes)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        expires = data["expires_on"]
        try:
            token, key = services.create_token(
                request.user,
                user=data["user"],
                name=data["name"],
                node=data["node"],
                expires_at=(
                    timezone.make_aware(datetime.combine(expires, time.max)) if expires else None
                ),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return render(request, "accounts/token_created.html", {"token": token, "key": key})
    if not form.is_bound:
        form.initial["expires_on"] = timezone.localdate() + timedelta(days=365)
        form.initial["user"] = request.user.pk
    bootstrapify(form)
    return render(
        request,
        "core/form.html",
        {"form": form, "title": "新建接口令牌", "cancel_url": "/accounts/tokens/"},
    )


@require_POST
def token_revoke(request, pk):
    token = get_object_or_404(services.visible_tokens(request.user), pk=pk)
    try:
        services.revoke_token(request.user, token)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, f"令牌「{token.name}」已吊销，使用它的程序将无法再访问接口。")
    return redirect("accounts:token-list")
