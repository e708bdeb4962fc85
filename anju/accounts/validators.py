from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError


class NotUsernameValidator:
    """The password may not be the account name, forwards or backwards, in any case."""

    def validate(self, password, user=None):
        username = (getattr(user, "username", "") or "").lower()
        if username and password.lower() in {username, username[::-1]}:
            raise ValidationError("密码不能与用户名相同。", code="password_is_username")

    def get_help_text(self):
        return "密码不能与用户名相同。"


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's rule, with the Chinese message its translations do not carry yet."""

    def get_error_message(self):
        return f"密码太短，至少需要 {self.min_length} 个字符。"

    def get_help_text(self):
        return f"密码至少需要 {self.min_length} 个字符。"


class NumericPasswordValidator(password_validation.NumericPasswordValidator):
    def get_error_message(self):
        return "密码不能全部为数字。"

    def get_help_text(self):
        return "密码不能全部为数字。"
