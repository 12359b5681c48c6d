require ["duplicate", "variables"];
set "list" "announce";
if duplicate :handle "${list}" :header "List-Id" :seconds 3600 :last {
	discard;
}
if duplicate :uniqueid "${list}" :seconds 60 { stop; }
if anyof (duplicate, duplicate :last) { keep; }
