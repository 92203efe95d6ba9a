"""What the built wheel installs, for each combination of extras, and what each part imports."""
