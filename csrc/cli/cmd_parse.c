/* SCAFFOLD: replaced by the module that owns 'parse'. */
#include "cli/cli.h"

int cmd_parse(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return cli_errorf("'parse' is not implemented yet");
}
