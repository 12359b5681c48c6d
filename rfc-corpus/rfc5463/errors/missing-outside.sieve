require "ihave";

# unknown commands are only allowed where ihave is false
if ihave "x-no-such-extension" {
	x_no_such_command;
}
x_no_such_command;
