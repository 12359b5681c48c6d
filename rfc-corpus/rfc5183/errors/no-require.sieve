if environment "location" "MDA" {
	discard;
}
