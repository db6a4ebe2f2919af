from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "huimin.analytics"
    label = "analytics"
    verbose_name = "分析导出"
