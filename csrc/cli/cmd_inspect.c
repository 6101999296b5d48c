/* SCAFFOLD: replaced by the module that owns 'inspect'. */
#include "cli/cli.h"

int cmd_inspect(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return cli_errorf("'inspect' is not implemented yet");
}
