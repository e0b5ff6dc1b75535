"""YAML read with libyaml when PyYAML was built with it (about 5 times faster on the catalogue and
the warehouse models, which every night and every code-location load read). On a syntax error
the file is read again with the pure-Python loader, whose line and column point at the mistake
itself (libyaml's often point at the next line)."""

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
