from django.contrib import admin

from services.admin import KubeObjectAdmin

from .models import Ingress, IngressClass


@admin.register(IngressClass)
class IngressClassAdmin(KubeObjectAdmin):
    extra_columns = ("controller", "is_default")


@admin.register(Ingress)
class IngressAdmin(KubeObjectAdmin):
    extra_columns = ("ingress_class_name", "class_annotation")
