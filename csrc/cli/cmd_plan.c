/* SCAFFOLD: replaced by the module that owns 'plan'. */
#include "cli/cli.h"

int cmd_plan(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return cli_errorf("'plan' is not implemented yet");
}
