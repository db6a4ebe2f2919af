"""Append-only tables (the audit log, the duty log): rows are added, never changed or
removed through the ORM — a row's save() after its first, its delete(), and a
queryset's update() and delete() all raise AppendOnly with the table's own Chinese
reason. (The database's own guards — triggers, grants — are each table's business.)"""

from django.db import models


class AppendOnly(Exception):
    """Raised when code tries to change or remove a row of an append-only table."""


class AppendOnlyQuerySet(models.QuerySet):
    change_refused = "只能追加，不能修改"
    delete_refused = "只能追加，不能删除"

    def update(self, **kwargs):
        raise AppendOnly(self.change_refused)

    def delete(self):
        raise AppendOnly(self.delete_refused)


class AppendOnlyModel(models.Model):
    change_refused = "只能追加，不能修改"
    delete_refused = "只能追加，不能删除"

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnly(self.change_refused)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnly(self.delete_refused)
