"""The write layer: every write (register, plan, committee, indicator values, imports), each taking
the acting person, validated with the domain's rules and done in one transaction."""
