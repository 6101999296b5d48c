/* SCAFFOLD: replaced by the module that owns 'stages'. */
#include "cli/cli.h"

int cmd_stages(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return cli_errorf("'stages' is not implemented yet");
}
