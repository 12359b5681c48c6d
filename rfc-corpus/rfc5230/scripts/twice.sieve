require "vacation";
vacation "first";
if true {
	vacation "second";
}
