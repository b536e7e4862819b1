"""The simulated parts of a cluster: its clock and its nodes."""
