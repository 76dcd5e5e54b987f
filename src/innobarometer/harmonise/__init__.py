"""From a national file to the harmonised frame: the mapping, the readers and recodes, validation,
the active data set and `build/data/`, and the synthetic demo generator."""
