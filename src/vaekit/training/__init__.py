"""Training: one explicit loop; variation enters through the config and the objective."""
