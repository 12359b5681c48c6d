require "ihave";

# constant false through allof / anyof / not
if allof (ihave "x-missing", true) {
	x_missing_command;
}
if anyof (ihave "x-missing", ihave "x-other-missing") {
	x_missing_command;
}
if not not ihave "x-missing" {
	x_missing_command;
}
if anyof (ihave "x-missing", ihave "fileinto") {
	fileinto "Either";
}
