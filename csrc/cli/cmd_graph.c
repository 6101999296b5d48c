/* SCAFFOLD: replaced by the module that owns 'graph'. */
#include "cli/cli.h"

int cmd_graph(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return cli_errorf("'graph' is not implemented yet");
}
