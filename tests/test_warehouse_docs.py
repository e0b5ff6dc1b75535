"""Every warehouse relation and column is documented, and the documentation matches the warehouse."""

import duckdb
import pytest

from chitieu import warehouse as wh
from tests.conftest import make_resources, run_nightly


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    resources = make_resources(tmp_path_factory.mktemp("wh"))
    assert run_nightly(resources).success
    with duckdb.connect(resources["warehouse"].path, read_only=True) as con:
        yield con


def test_every_model_file_states_its_grain():
    for m in wh.all_models():
        assert m.spec.get("grain"), m.name
        assert m.spec["description"]["en"] and m.spec["description"]["vi"], m.name
        if m.sql:
            assert m.sql.startswith("-- grain: "), m.name


@pytest.mark.parametrize("m", wh.all_models(), ids=lambda m: m.name)
def test_relation_columns_and_comments_match_the_yaml(built, m):
    cols = built.execute(
        "select column_name, comment from duckdb_columns() where schema_name = ? and table_name = ? order by column_index",
        [m.schema, m.table],
    ).fetchall()
    assert [c for c, _ in cols] == m.columns
    for column, comment in cols:
        doc = m.spec["columns"][column]
        assert comment.startswith(f"{doc['en']} | {doc['vi']}"), (m.name, column)
    comment = built.execute(
        "select comment from duckdb_tables() where schema_name = ? and table_name = ? union all "
        "select comment from duckdb_views() where schema_name = ? and view_name = ?",
        [m.schema, m.table, m.schema, m.table],
    ).fetchall()
    assert comment and comment[0][0].endswith(f"Grain: {m.spec['grain']}")
