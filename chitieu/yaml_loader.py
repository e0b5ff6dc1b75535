"""libyaml's safe loader when PyYAML was built with it (about 5 times faster on the catalogue and
the warehouse models, which every night and every code-location load read), else the pure-Python
one; both raise MarkedYAMLError with the line and column of a syntax error."""

import yaml

SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
