require "enotify";
notify "xmpp:someone@example.com";
