/* SCAFFOLD: replaced by the module that owns 'bake'. */
#include "cli/cli.h"

int cmd_bake(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return cli_errorf("'bake' is not implemented yet");
}
