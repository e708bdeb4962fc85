from django import forms
from django.contrib.auth.forms import AuthenticationForm

from anju.core.forms import DatePicker

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


class TokenForm(forms.Form):
    """A new API token: for which account, limited to which place, valid until when."""

    name = forms.CharField(
        label="名称", max_length=100, help_text="用途，如“县人社局就业数据对接”。"
    )
    user = forms.ModelChoiceField(
        label="所属账号", queryset=User.objects.none(), help_text="令牌以该账号的角色权限访问接口。"
    )
    node = forms.ChoiceField(
        label="限定范围",
        required=False,
        help_text="留空则与所属账号的管辖范围相同；选定后只能读写该单位及其下级的数据。",
    )
    expires_on = forms.DateField(
        label="有效期至",
        required=False,
        widget=DatePicker(),
        help_text="留空则长期有效（不建议）。",
    )

    def __init__(self, *args, actor=None, users=None, nodes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = users if users is not None else User.objects.none()
        self.fields["node"].choices = [("", "与账号相同")] + [
            (n.key, f"{'　' * (n.path.count('/') - 1)}{n.name}") for n in nodes
        ]
        self._nodes = {n.key: n for n in nodes}

    def clean_node(self):
        return self._nodes.get(self.cleaned_data.get("node") or "")
