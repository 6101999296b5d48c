extensions = ["atmograph.sphinx"]
project = "atmograph-test"
exclude_patterns = ["_build"]
atmograph_build_args = {"BASE": "debian:bookworm"}
latex_documents = [("index", "test.tex", "Test", "atmograph", "manual")]
man_pages = [("index", "test", "Test", ["atmograph"], 1)]
