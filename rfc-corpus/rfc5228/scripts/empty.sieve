# nothing to do: the implicit keep applies
