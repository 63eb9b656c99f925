"""What the committee publishes as open data: the SCDL subsidies, the Frictionless package and its tables."""
