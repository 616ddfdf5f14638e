"""Demo data shipped with the project: the reference organisation, people and memo."""
