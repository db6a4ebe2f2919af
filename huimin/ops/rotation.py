"""Field-key rotation: re-encrypt every encrypted column under the current key.

Rows are visited in primary-key ranges, each range in its own transaction with its rows
locked, so the application keeps running and an interrupted run resumes where it
stopped: a row whose columns are all under the current key is skipped. Blind indexes
are recomputed from the decrypted plaintext, since the index key changes with the
master key.
"""

from collections.abc import Callable
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from django.apps import apps
from django.db import IntegrityError, transaction
from django.db.models import Max, Min, Q

from huimin.core import crypto


@dataclass(frozen=True)
class EncryptedColumn:
    field: str
    context: str
    index_field: str = ""  # a blind index of the same plaintext, recomputed with it


@dataclass(frozen=True)
class EncryptedModel:
    label: str  # "app_label.Model"
    name: str  # how the operator reads it
    columns: tuple[EncryptedColumn, ...]

    @property
    def model(self):
        return apps.get_model(self.label)


# Every encrypted column in the schema. A new encrypted field must be added here, or a
# rotation leaves it under a key that is about to be dropped.
ENCRYPTED_MODELS: tuple[EncryptedModel, ...] = (
    EncryptedModel(
        "registry.Person",
        "居民",
        (
            EncryptedColumn("id_number_enc", "person.id_number", "id_number_index"),
            EncryptedColumn("phone_enc", "person.phone"),
            EncryptedColumn("ss_card_enc", "person.ss_card", "ss_card_index"),
        ),
    ),
)


class RotationError(Exception):
    """A row could not be re-encrypted; earlier batches stay committed."""


def _stale(spec: EncryptedModel, prefix: str) -> Q:
    """Rows with at least one non-empty column not written under the current key."""
    condition = Q(pk__in=[])
    for col in spec.columns:
        condition |= ~(Q(**{f"{col.field}__startswith": prefix}) | Q(**{col.field: ""}))
    return condition


def _prefix() -> str:
    return f"v2:{crypto.current_key_id()}:"


def pending(spec: EncryptedModel) -> int:
    return spec.model._base_manager.filter(_stale(spec, _prefix())).count()


def _reencrypt(spec: EncryptedModel, row) -> list[str]:
    changed = []
    for col in spec.columns:
        token = getattr(row, col.field)
        if not token or crypto.is_current(token):
            continue
        try:
            plaintext = crypto.decrypt(token, context=col.context)
        except crypto.UnknownFieldKey as exc:
            raise RotationError(
                f"{spec.name} {row.pk} 的 {col.field} 由未知密钥 {exc.key_id} 加密："
                f"请把该密钥加入 HUIMIN_FIELD_KEY_PREVIOUS 后重新运行"
            ) from None
        except (InvalidTag, ValueError):
            raise RotationError(
                f"{spec.name} {row.pk} 的 {col.field} 无法用现有密钥解密"
                f"（不是由 HUIMIN_FIELD_KEY 或 HUIMIN_FIELD_KEY_PREVIOUS 中的密钥加密，或已损坏）"
            ) from None
        setattr(row, col.field, crypto.encrypt(plaintext, context=col.context))
        changed.append(col.field)
        if col.index_field:
            setattr(row, col.index_field, crypto.blind_index(plaintext, context=col.context))
            changed.append(col.index_field)
    return changed


def rotate_batch(spec: EncryptedModel, start: int, stop: int) -> int:
    """Re-encrypt the stale rows with start <= pk < stop in one transaction."""
    model = spec.model
    fields = [c.field for c in spec.columns] + [
        c.index_field for c in spec.columns if c.index_field
    ]
    try:
        with transaction.atomic():
            rows = list(
                model._base_manager.select_for_update()
                .filter(_stale(spec, _prefix()), pk__gte=start, pk__lt=stop)
                .only("pk", *fields)
                .order_by("pk")
            )
            for row in rows:
                _reencrypt(spec, row)
            if rows:
                model._base_manager.bulk_update(rows, fields)
    except IntegrityError as exc:
        # An index that now equals another row's: the same plaintext registered twice,
        # once under each key (e.g. a duplicate created during the rotation).
        raise RotationError(
            f"{spec.name} 主键 {start}–{stop - 1} 这一批重新计算索引时与已有记录冲突"
            f"（同一号码被重复登记？）：{exc}"
        ) from None
    return len(rows)


def rotate(spec: EncryptedModel, batch: int, progress: Callable[[int], None] | None = None) -> int:
    """Rotate a model range by range; returns the number of rows re-encrypted."""
    bounds = spec.model._base_manager.aggregate(lo=Min("pk"), hi=Max("pk"))
    if bounds["lo"] is None:
        return 0
    total = 0
    for start in range(bounds["lo"], bounds["hi"] + 1, batch):
        done = rotate_batch(spec, start, start + batch)
        total += done
        if progress:
            progress(done)
    return total
