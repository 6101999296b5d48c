# test_cli_alloc runs the CLI's subcommands in its own process: it links the CLI's
# objects (all but main.o, whose main() is the test's) beside the library.
CLI_ALLOC_OBJ = $(filter-out %/main.o,$(CLI_OBJ))

$(BUILD)/tests/test_cli_alloc: tests/c/test_cli_alloc.c $(wildcard tests/c/*.h) $(CLI_ALLOC_OBJ) $(STATIC)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Itests/c -fvisibility=default $(LDFLAGS) -o $@ $< $(CLI_ALLOC_OBJ) $(STATIC) $(PKG_LIBS) -lcmocka -lpthread
