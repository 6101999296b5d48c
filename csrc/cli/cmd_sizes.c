/* SCAFFOLD: replaced by the module that owns 'sizes'. */
#include "cli/cli.h"

int cmd_sizes(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return cli_errorf("'sizes' is not implemented yet");
}
