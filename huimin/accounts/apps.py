from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "huimin.accounts"
    label = "accounts"
    verbose_name = "账号与登录"

    def ready(self):
        from django.contrib.auth import get_user_model
        from django.db.models.signals import post_save

        from huimin.accounts import conf
        from huimin.accounts.loans import loan_scope, loans_of_people
        from huimin.accounts.nav import menu_items
        from huimin.accounts.validators import record_initial_password
        from huimin.core.nav import register_menu
        from huimin.policy.reads import register_loan_lookup
        from huimin.policy.scope import register_scope_extension

        register_menu(menu_items, order=70)
        conf.check_all()  # a malformed HUIMIN_* value stops startup, naming the variable
        register_scope_extension(loan_scope)
        register_loan_lookup(loans_of_people)  # reads under a loan name it in the audit
        post_save.connect(
            record_initial_password, sender=get_user_model(), dispatch_uid="accounts.initial_pw"
        )
