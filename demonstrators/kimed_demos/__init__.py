"""KIMed demonstrators: the tested library code behind the notebooks in notebooks/."""
