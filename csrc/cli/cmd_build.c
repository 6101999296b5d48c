/* SCAFFOLD: replaced by the module that owns 'build'. */
#include "cli/cli.h"

int cmd_build(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return cli_errorf("'build' is not implemented yet");
}
