"""On PostgreSQL: pg_dump the database, restore it with pg_restore into a second, newly
created database on the same server, and find the same rows there."""

import io
import json
import uuid
from urllib.parse import quote

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from huimin.registry import rules
from huimin.registry.models import Region
from tests import factories
from tests.ops.cli import huimin, ok

pytestmark = [
    # Committed rows, so pg_dump (another connection) sees them.
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs PostgreSQL (scripts/with-postgres.sh)"
    ),
]


def url_for(name: str) -> str:
    db = connection.settings_dict
    auth = quote(db["USER"] or "", safe="")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"], safe="")
    return f"postgres://{auth}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{name}"


@pytest.fixture
def second_database():
    name = f"huimin_restore_{uuid.uuid4().hex[:8]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    yield name
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def counts_in(name: str) -> dict[str, int]:
    import psycopg

    with psycopg.connect(url_for(name)) as conn:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
            )
        ]
        count = 'SELECT COUNT(*) FROM "{}"'
        return {t: conn.execute(count.format(t)).fetchone()[0] for t in tables}


def ensure_county() -> None:
    """The test county's regions, also after an earlier transactional test's flush
    removed the codes the migrations loaded (cheaper than serialized_rollback)."""
    counties = (
        ("430000", "湖南省"),
        ("430500", "邵阳市"),
        ("430522", "新邵县"),
        ("430523", "邵阳县"),
    )
    for code, name in counties:
        Region.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "level": rules.region_level(code),
                "parent_id": rules.region_parent_code(code),
                "prefix": rules.region_prefix(code),
            },
        )
    factories.make_regions()


@pytest.fixture
def backup_of_test_database(tmp_path):
    ensure_county()
    head = factories.make_person("张一")
    factories.make_household(head, others=[factories.make_person("李二", sex="2")])
    factories.make_staff("sysadmin", "system_admin")
    out = io.StringIO()
    call_command("backup", output=tmp_path / "b", stdout=out)
    [path] = (tmp_path / "b").glob("huimin-postgresql-*.dump")
    manifest = json.loads(next((tmp_path / "b").glob("*.manifest.json")).read_text())
    assert manifest["sha256"] in out.getvalue()
    return path, manifest


def test_pg_dump_restores_into_a_new_database_with_the_same_counts(
    backup_of_test_database, second_database
):
    path, manifest = backup_of_test_database
    assert manifest["vendor"] == "postgresql" and manifest["server_version"].startswith("15")
    assert manifest["row_counts"]["registry_person"] == 2
    out = ok(huimin("restore", path, "--yes", database=url_for(second_database)))
    assert "全部表的行数与清单一致" in out
    restored = counts_in(second_database)
    # Everything as backed up, plus the restore's own audit event.
    assert restored.pop("audit_auditevent") == manifest["row_counts"].pop("audit_auditevent") + 1
    restored.pop("audit_auditchainhead"), manifest["row_counts"].pop("audit_auditchainhead")
    assert restored == manifest["row_counts"]


def test_restore_into_the_non_empty_test_database_is_refused(backup_of_test_database):
    path, _ = backup_of_test_database
    before = counts_in(connection.settings_dict["NAME"])
    with pytest.raises(CommandError, match="目标数据库不是空的"):
        call_command("restore", str(path), yes=True)
    assert counts_in(connection.settings_dict["NAME"]) == before


def test_restore_into_a_database_with_tables_but_no_rows_is_refused(
    backup_of_test_database, second_database
):
    import psycopg

    path, _ = backup_of_test_database
    with psycopg.connect(url_for(second_database), autocommit=True) as conn:
        conn.execute("CREATE TABLE leftover (id int)")
    result = huimin("restore", path, "--yes", database=url_for(second_database))
    assert result.returncode != 0 and "已有表结构" in result.stderr
    assert counts_in(second_database) == {"leftover": 0}
