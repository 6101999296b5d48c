# make check-layering: the module order (HACKING.md) holds for every #include
# (tests/c/layering.sh).
check-layering:
	@bash tests/c/layering.sh "$(LIB_MODULES)"
CHECK_EXTRA += check-layering
.PHONY: check-layering
