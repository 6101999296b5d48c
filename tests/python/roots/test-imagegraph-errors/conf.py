extensions = ["atmograph.sphinx"]
project = "atmograph-errors"
exclude_patterns = ["_build"]
