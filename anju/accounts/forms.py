from django import forms
from django.contrib.auth.forms import AuthenticationForm

from .access import LEVEL_LABELS, MODULES
from .models import Role, User


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "用户名或密码不正确。连续失败 5 次，账号将被锁定 15 分钟。",
        "inactive": "该账号已停用。",
    }


class _RoleChoices:
    """Only the roles the acting administrator may hand out."""

    def __init__(self, *args, actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].queryset = Role.objects.visible_to(actor).select_related("unit")
        self.fields["role"].required = True


class UserCreateForm(_RoleChoices, forms.ModelForm):
    password = forms.CharField(
        label="初始密码",
        widget=forms.PasswordInput,
        help_text="至少 10 位，不能全是数字，不能与用户名相同。",
    )

    class Meta:
        model = User
        fields = ["username", "full_name", "phone", "department", "role"]


class UserEditForm(_RoleChoices, forms.ModelForm):
    password = forms.CharField(
        label="重置密码", widget=forms.PasswordInput, required=False, help_text="留空则不修改。"
    )

    class Meta:
        model = User
        fields = ["full_name", "phone", "department", "role", "is_active"]


class RoleForm(forms.ModelForm):
    """One select per module: none / read / write."""

    class Meta:
        model = Role
        fields = ["name", "description", "can_reveal_identity"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = self.instance.modules if self.instance and self.instance.pk else {}
        for code, label in MODULES.items():
            self.fields[f"module_{code}"] = forms.ChoiceField(
                label=label,
                choices=list(LEVEL_LABELS.items()),
                required=False,
                initial=current.get(code, ""),
            )

    def modules(self) -> dict:
        return {code: self.cleaned_data.get(f"module_{code}", "") for code in MODULES}
