extensions = ["atmograph.sphinx"]
project = "atmograph-bake"
exclude_patterns = ["_build"]
atmograph_bake_file = "images/docker-bake.json"
atmograph_build_report = "report.json"
