from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from anju.core.api import ModulePermission
from anju.core.scope import scope_paths

from . import access, services
from .models import Role, User


class RoleSerializer(serializers.ModelSerializer):
    scope = serializers.CharField(source="scope_label", read_only=True)

    class Meta:
        model = Role
        fields = [
            "unit",
            "scope",
            "id",
            "code",
            "name",
            "description",
            "modules",
            "can_reveal_identity",
            "is_builtin",
        ]
        read_only_fields = ["code", "is_builtin", "unit"]


class UserSerializer(serializers.ModelSerializer):
    role_name = serializers.CharField(source="role.name", read_only=True, default="")

    class Meta:
        model = User
        fields = ["id", "username", "full_name", "department", "role", "role_name", "is_active"]


class RoleViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """角色：各模块的只读/读写权限，县里可按需调整。"""

    module = "accounts"
    queryset = Role.objects.none()
    serializer_class = RoleSerializer
    permission_classes = [permissions.IsAuthenticated, ModulePermission]

    def get_queryset(self):
        return Role.objects.visible_to(self.request.user).select_related("unit")

    def perform_update(self, serializer):
        serializer.instance = services.update_role(
            self.request.user, serializer.instance, **serializer.validated_data
        )


class UserViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """账号（只列出服务单位在您管辖范围内的账号）。"""

    module = "accounts"
    serializer_class = UserSerializer
    permission_classes = [permissions.IsAuthenticated, ModulePermission]
    queryset = User.objects.none()

    def get_queryset(self):
        return services.visible_users(self.request.user)

    @action(detail=False, methods=["get"], permission_classes=[permissions.IsAuthenticated])
    def me(self, request):
        """当前登录账号、角色权限与服务单位。"""
        user = request.user
        return Response(
            {
                "id": user.id,
                "username": user.username,
                "full_name": user.full_name,
                "role": user.role.name if user.role else "",
                "modules": {m: access.level(user, m) for m in access.MODULES},
                "scope_paths": scope_paths(user),
            }
        )
