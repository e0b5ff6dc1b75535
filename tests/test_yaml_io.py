"""The fast YAML reader gives the same documents and the pure-Python loader's precise errors."""

from pathlib import Path

import pytest
import yaml

from chitieu import yaml_io

ROOT = Path(__file__).resolve().parents[1]


def test_bundled_yaml_reads_the_same_with_the_c_loader():
    assert yaml_io.SAFE_LOADER is yaml.CSafeLoader  # the wheels ship libyaml
    paths = [*ROOT.glob("sources/**/*.yaml"), *ROOT.glob("warehouse/*/*.yaml")]
    assert len(paths) > 30
    for path in paths:
        text = path.read_text(encoding="utf-8")
        with open(path, encoding="utf-8") as fh:
            assert yaml_io.safe_load(fh) == yaml.safe_load(text), path


def test_a_syntax_error_keeps_the_exact_line_column_and_wording():
    with pytest.raises(yaml.MarkedYAMLError) as err:
        yaml_io.safe_load("plan:\n  id: x\n  list: [unclosed")
    assert (err.value.problem_mark.line, err.value.problem_mark.column) == (
        2,
        17,
    )  # 0-based: line 3, after "[unclosed"
    assert err.value.problem == "expected ',' or ']', but got '<stream end>'"


def test_python_objects_are_refused():
    with pytest.raises(yaml.YAMLError):
        yaml_io.safe_load("x: !!python/object/apply:os.system ['true']")
