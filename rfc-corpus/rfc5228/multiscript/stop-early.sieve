# ends this script only
stop;
discard;
