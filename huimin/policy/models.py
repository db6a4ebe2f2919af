"""The policy version: one row whose counter every change of role grants bumps, in the
change's own transaction. Each request reads it once, so a grant cached by any worker
process is used only while the counter still says it is current (DESIGN.md §6: a
revoked permission stops working on the next request in every process)."""

from django.db import models


class PolicyVersion(models.Model):
    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    version = models.BigIntegerField("策略版本", default=1)

    class Meta:
        verbose_name = "权限策略版本"
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="policy_version_one")]

    def __str__(self):
        return f"v{self.version}"
