from django.apps import AppConfig


class ReviewConfig(AppConfig):
    name = "huimin.review"
    label = "review"
    verbose_name = "智能审核与基金监管"
