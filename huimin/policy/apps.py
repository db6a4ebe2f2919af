from django.apps import AppConfig


class PolicyConfig(AppConfig):
    name = "huimin.policy"
    label = "policy"
    verbose_name = "权限与辖区策略"
