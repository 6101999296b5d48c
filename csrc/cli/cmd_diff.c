/* SCAFFOLD: replaced by the module that owns 'diff'. */
#include "cli/cli.h"

int cmd_diff(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return cli_errorf("'diff' is not implemented yet");
}
