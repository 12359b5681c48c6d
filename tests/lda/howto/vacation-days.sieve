require ["vacation"];
if anyof (true)
{
vacation
:days 1
:subject "Message d'absence"
text:
Bonjour,
Veuillez utiliser email@example.net à présent pour me contacter.
Cordialement,
.
;
}
