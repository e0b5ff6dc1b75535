"""YAML read with libyaml when PyYAML was built with it (about 5 times faster on the catalogue and
the warehouse models, which every night and every code-location load read). On a syntax error
the file is read again with the pure-Python loader, whose line and column point at the mistake
itself (libyaml's often point at the next line)."""

from collections.abc import Callable
from pathlib import Path
from typing import IO

import yaml

SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(fh: IO[str]):
    """``yaml.safe_load(fh)``, faster; a syntax error is raised as the pure-Python loader words it."""
    try:
        return yaml.load(fh, Loader=SAFE_LOADER)
    except yaml.YAMLError:
        if SAFE_LOADER is yaml.SafeLoader:
            raise
        fh.seek(0)
        return yaml.safe_load(fh)


def key_lines(path: str | Path) -> Callable[..., int | None]:
    """``line(*keys)``: the line (from 1) of the key reached by mapping keys and list indexes
    (``line("targets", 2, "item")``), or None. The file is composed on the first call only, so
    finding the line of a problem costs nothing on a file without one."""
    root: list[yaml.Node] = []

    def line(*keys: str | int) -> int | None:
        if not root:
            with open(path, encoding="utf-8") as fh:
                root.append(yaml.compose(fh, Loader=SAFE_LOADER))
        node, mark = root[0], None
        for key in keys:
            if isinstance(node, yaml.MappingNode) and isinstance(key, str):
                pair = next(((k, v) for k, v in node.value if k.value == key), None)
                if pair is None:
                    return None
                mark, node = pair[0].start_mark, pair[1]
            elif isinstance(node, yaml.SequenceNode) and isinstance(key, int):
                if not 0 <= key < len(node.value):
                    return None
                node = node.value[key]
                mark = node.start_mark
            else:
                return None
        return mark.line + 1 if mark is not None else None

    return line


def at_line(n: int | None) -> str:
    """``line 57: `` before a problem whose line is known, nothing otherwise."""
    return f"line {n}: " if n else ""
