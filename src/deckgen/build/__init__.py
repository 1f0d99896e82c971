"""The build: one cards folder (or several) through every stage into an .apkg."""
